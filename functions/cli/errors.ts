/** A command line that cannot be obeyed (unknown command or option, missing file). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** Always `USAGE`. */
  readonly code = 'USAGE';
}
