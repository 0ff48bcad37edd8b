/** Errors of the egress area. */
export type EgressErrorCode = 'EGRESS_SIDECAR_FAILED' | 'EGRESS_DETECTED';

export class EgressError extends Error {
  override readonly name = 'EgressError';
  readonly code: EgressErrorCode;
  constructor(code: EgressErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
