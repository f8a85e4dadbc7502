/**
 * A tool call that answered with a tool error result (`isError: true`), raised by
 * `withMcpResilience` when `errorResults` is `'fail'` so that retry, breaker and fallback treat it
 * as a failure. The result is kept.
 */
export class McpToolResultError extends Error {
  override readonly name = 'McpToolResultError';
  /** The tool that reported the error. */
  readonly tool: string;
  /** The tool's result, `isError: true`. */
  readonly result: unknown;

  constructor(tool: string, result: unknown) {
    super(`tool '${tool}' answered with an error result: ${textOf(result)}`);
    this.tool = tool;
    this.result = result;
  }
}

function textOf(result: unknown): string {
  const content = (result as { content?: unknown } | null)?.content;
  if (!Array.isArray(content)) return '(no text)';
  const text = content
    .map((item: unknown) => {
      const t = (item as { text?: unknown } | null)?.text;
      return typeof t === 'string' ? t : '';
    })
    .join(' ')
    .trim();
  return text === '' ? '(no text)' : text.slice(0, 200);
}

/** True when `error` is a {@link McpToolResultError} (matched by name). */
export function isMcpToolResultError(error: unknown): error is McpToolResultError {
  return error instanceof Error && error.name === 'McpToolResultError';
}
