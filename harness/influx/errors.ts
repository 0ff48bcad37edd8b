/**
 * The one error type of the InfluxDB area. `code` says what went wrong; the message names the
 * server (URL), what was expected and what was measured.
 */
export type InfluxErrorCode =
  | 'INFLUX_HTTP' // an API call returned an unexpected status
  | 'INFLUX_ONBOARD' // onboarding could not reach the desired state
  | 'INFLUX_TOKEN' // a token is missing, unusable or not scoped as expected
  | 'INFLUX_CONFIG' // the caller's configuration is incomplete
  | 'INFLUX_QUERY'; // a Flux query failed or returned an unexpected shape

export class InfluxError extends Error {
  override readonly name = 'InfluxError';
  readonly code: InfluxErrorCode;
  readonly status: number | undefined;
  constructor(code: InfluxErrorCode, message: string, opts: { status?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.status = opts.status;
  }
}
