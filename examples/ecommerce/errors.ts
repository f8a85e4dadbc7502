/** The product submitted is not valid (a permanent failure: never retried or restarted). */
export class InvalidProductError extends Error {
  override readonly name = 'InvalidProductError';
  readonly code = 'EC_INVALID_PRODUCT';
}

/** A tool stayed unavailable through every attempt: the clear message the caller gets. */
export class ToolUnavailableError extends Error {
  override readonly name = 'ToolUnavailableError';
  readonly code = 'EC_TOOL_UNAVAILABLE';
  readonly tool: string;
  readonly attempts: number;

  constructor(tool: string, attempts: number, cause: unknown) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`tool '${tool}' unavailable after ${attempts} attempt(s) (last error: ${reason})`, {
      cause,
    });
    this.tool = tool;
    this.attempts = attempts;
  }
}

/** The model answered, but not with what was asked for (invalid JSON, a wrong shape). */
export class ModelOutputError extends Error {
  override readonly name = 'ModelOutputError';
  readonly code = 'EC_MODEL_OUTPUT';
}

/** A tool answered, but its answer is damaged (fails the tool's result schema). */
export class ToolOutputError extends Error {
  override readonly name = 'ToolOutputError';
  readonly code = 'EC_TOOL_OUTPUT';
}

/** The campaign review never converged (only without resilience: the loop guard stops it first). */
export class ReviewLoopError extends Error {
  override readonly name = 'ReviewLoopError';
  readonly code = 'EC_REVIEW_LOOP';
}

function codeIs(code: string) {
  return (error: unknown): boolean =>
    error instanceof Error && (error as Error & { code?: unknown }).code === code;
}

/** True for an {@link InvalidProductError}. */
export const isInvalidProductError = codeIs('EC_INVALID_PRODUCT');
/** True for a {@link ToolUnavailableError}. */
export const isToolUnavailableError = codeIs('EC_TOOL_UNAVAILABLE');
