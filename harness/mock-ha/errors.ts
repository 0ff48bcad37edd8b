/** The one error type of the mock Home Assistant; `code` says which rule was broken. */
export type MockHaErrorCode =
  | 'invalid_config'
  | 'invalid_token'
  | 'scenario_running'
  | 'invalid_scenario'
  | 'invalid_trace'
  | 'unknown_entity'
  | 'unknown_run'
  | 'listen_failed'
  | 'control_request_failed';

export class MockHaError extends Error {
  override readonly name = 'MockHaError';
  readonly code: MockHaErrorCode;
  constructor(code: MockHaErrorCode, message: string) {
    super(`mock-ha: ${message}`);
    this.code = code;
  }
}

// One rule for every value a message echoes, the mock's and the harness's (harness/util/quote.ts).
export { QUOTE_MAX_CHARS, quote, quoteList } from '../util/quote.ts';
