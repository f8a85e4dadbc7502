/** A mistake in how faultline was called: printed as one line plus a hint, never a stack. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** What to do instead. */
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}
