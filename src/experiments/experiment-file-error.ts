import { FaultlineError, hasCode } from '../core/errors/faultline-error.ts';

/**
 * What kind of problem a {@link FileIssue} is: the file does not parse (`syntax`), a required
 * key is absent (`missing`), a key is not known (`unknown-key`, usually a typo), or a value is
 * of the wrong type or out of range (`invalid`).
 */
export type FileIssueCode = 'syntax' | 'missing' | 'unknown-key' | 'invalid';

/** One problem in an experiment (or failure-mode catalog) file. */
export interface FileIssue {
  readonly code: FileIssueCode;
  /** Where in the document, e.g. `method[0].fault.probability`; `''` for the whole document. */
  readonly path: string;
  /** The same path as keys and indexes. */
  readonly segments: readonly (string | number)[];
  /** 1-based line in the file, when known. */
  readonly line: number | undefined;
  /** 1-based column in the file, when known. */
  readonly column: number | undefined;
  /** What would have been accepted. */
  readonly expected: string;
  /** The offending value (`undefined` when missing). */
  readonly value: unknown;
  /** The likely intended spelling, for a typo. */
  readonly suggestion: string | undefined;
  /** The problem in one line, without the file and position. */
  readonly message: string;
}

/**
 * Thrown when an experiment file (or a failure-mode catalog) is not valid: carries every problem
 * found, not only the first, each with its path, position, offending value and what was
 * expected. The message lists them one per line, compiler-style, so printing `error.message`
 * is all a CLI needs; printing the error itself (`console.error(error)`) shows the same text
 * without a stack trace.
 *
 * @example
 * ```text
 * Invalid experiment file tool-server-down.yaml (2 problems):
 *   tool-server-down.yaml:1:1: hypothesis: missing; expected a sentence like "when X, the system will Y"
 *   tool-server-down.yaml:12:20: method[0].fault.probability: expected a finite number >= 0 <= 1, got 1.5
 * ```
 */
export class ExperimentFileError extends FaultlineError {
  override readonly name = 'ExperimentFileError';
  /** The file, as given to the loader. */
  readonly file: string;
  /** What the file was meant to be, e.g. `experiment file`, `failure-mode catalog`. */
  readonly document: string;
  /** Every problem, in file order. */
  readonly issues: readonly FileIssue[];

  constructor(file: string, issues: readonly FileIssue[], document = 'experiment file') {
    const count = `${String(issues.length)} problem${issues.length === 1 ? '' : 's'}`;
    const lines = issues.map((issue) => {
      const at =
        issue.line === undefined
          ? file
          : `${file}:${String(issue.line)}:${String(issue.column ?? 1)}`;
      return `  ${at}: ${issue.message}`;
    });
    super('FL_EXPERIMENT_FILE', [`Invalid ${document} ${file} (${count}):`, ...lines].join('\n'));
    this.file = file;
    this.document = document;
    this.issues = issues;
    // A user's mistake, not a bug: frames would only hide the list of problems.
    this.stack = `${this.name}: ${this.message}`;
  }

  /** What `console.log` and `util.inspect` show: the message, no stack, no fields. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `${this.name}: ${this.message}`;
  }
}

/** True when `error` is an {@link ExperimentFileError} (matched by code `FL_EXPERIMENT_FILE`). */
export const isExperimentFileError = hasCode<ExperimentFileError>('FL_EXPERIMENT_FILE');
