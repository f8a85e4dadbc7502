/** Builds a guard that matches errors by their `code`, across duplicate installs. @internal */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- E names the guarded type
export function codeGuard<E extends Error>(code: string): (error: unknown) => error is E {
  return (error: unknown): error is E =>
    error instanceof Error && (error as Error & { code?: unknown }).code === code;
}
