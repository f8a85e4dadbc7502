import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { ExperimentFileError } from './experiment-file-error.ts';
import {
  createExperimentSchema,
  type Experiment,
  type ExperimentSchemaOptions,
} from './experiment-schema.ts';
import { makeIssue, parseSource, validateSource, type DocumentFormat } from './load-document.ts';

/** Options of {@link loadExperiment} and {@link parseExperiment}. */
export interface LoadExperimentOptions extends Omit<ExperimentSchemaOptions, 'defaultId'> {
  /**
   * The file's syntax.
   * @default by extension (`.json`, `.yaml`, `.yml`), else by content (JSON starts with `{`)
   */
  readonly format?: DocumentFormat;
}

/** An id from a file name: `seeds/Tool Server Down.yaml` → `tool-server-down`. */
function idFromFile(file: string): string | undefined {
  const stem = basename(file, extname(file))
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return stem === '' ? undefined : stem;
}

/**
 * Validates an experiment given as text (YAML or JSON). Every problem is reported at once in
 * one {@link ExperimentFileError}, each with its path, line and column, offending value, what
 * was expected, and a "did you mean" for a likely typo.
 *
 * @param file - the name used in messages and for the default id (nothing is read).
 *
 * @example
 * ```ts
 * const experiment = parseExperiment(text, 'tool-server-down.yaml', { systems: ['ecommerce'] });
 * ```
 */
export function parseExperiment(
  text: string,
  file: string,
  options: LoadExperimentOptions = {},
): Experiment {
  const parsed = parseSource(text, file, options.format);
  if ('issues' in parsed) throw new ExperimentFileError(file, parsed.issues);
  const { document } = parsed;
  if (document.data === null || document.data === undefined) {
    throw new ExperimentFileError(file, [
      {
        ...makeIssue(document, {
          code: 'missing',
          segments: [],
          expected: 'an experiment (the file is empty)',
        }),
        line: 1,
        column: 1,
      },
    ]);
  }
  const defaultId = idFromFile(file);
  const schema = createExperimentSchema({
    ...options,
    ...(defaultId === undefined ? {} : { defaultId }),
  });
  const result = validateSource(schema, document);
  if ('issues' in result) throw new ExperimentFileError(file, result.issues);
  return result.value;
}

/**
 * Reads and validates an experiment file (YAML or JSON). Throws an {@link ExperimentFileError}
 * listing every problem with its line and column; a file that cannot be read rejects with the
 * file system's error.
 *
 * @example
 * ```ts
 * try {
 *   const experiment = await loadExperiment('experiments/tool-server-down.yaml');
 * } catch (error) {
 *   if (isExperimentFileError(error)) console.error(error.message); // one line per problem
 *   else throw error;
 * }
 * ```
 */
export async function loadExperiment(
  path: string,
  options: LoadExperimentOptions = {},
): Promise<Experiment> {
  const text = await readFile(path, 'utf8');
  return parseExperiment(text, path, options);
}

/**
 * Validates an experiment given as a value (from code, or JSON already parsed): the same checks
 * as {@link parseExperiment}, without positions.
 *
 * @param name - names the experiment in messages.
 */
export function validateExperiment(
  value: unknown,
  name = 'experiment',
  options: ExperimentSchemaOptions = {},
): Experiment {
  const document = { file: name, format: 'json' as const, data: value, position: () => undefined };
  if (value === null || value === undefined) {
    throw new ExperimentFileError(
      name,
      [makeIssue(document, { code: 'missing', segments: [], expected: 'an experiment' })],
      'experiment',
    );
  }
  const result = validateSource(createExperimentSchema(options), document);
  if ('issues' in result) throw new ExperimentFileError(name, result.issues, 'experiment');
  return result.value;
}
