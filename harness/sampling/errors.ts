/** Errors of the memory sampler area. */
export type SamplingErrorCode = 'MEMORY_LIMIT_BREACH' | 'SAMPLING_TOO_SPARSE' | 'SAMPLER_START_FAILED';

export class SamplingError extends Error {
  override readonly name = 'SamplingError';
  readonly code: SamplingErrorCode;
  constructor(code: SamplingErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
