import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { faultKinds, resolveFaultKind } from '../faults/index.ts';
import { registerMcpFaultKinds } from '../mcp/mcp-fault-kinds.ts';
import { ExperimentFileError } from './experiment-file-error.ts';
import { makeIssue, parseSource, validateSource, type DocumentFormat } from './load-document.ts';

/** The category of a failure mode, named by its ID prefix. */
export type FailureModeCategory = 'tool' | 'ai' | 'orchestration' | 'resource' | 'external';

/** ID prefix of each category: `TF-` tool, `AF-` AI, `OF-` orchestration, `RF-` resource, `EF-` external. */
export const failureModePrefixes: Readonly<Record<FailureModeCategory, string>> = {
  tool: 'TF',
  ai: 'AF',
  orchestration: 'OF',
  resource: 'RF',
  external: 'EF',
};

/** Likelihood words, 1 (rare) to 5 (almost certain). */
export const likelihoodScale = [
  'rare',
  'unlikely',
  'possible',
  'likely',
  'almost-certain',
] as const;
/** Impact words, 1 (negligible) to 5 (severe). */
export const impactScale = ['negligible', 'minor', 'moderate', 'major', 'severe'] as const;

/** One entry of a failure-mode catalog, validated. */
export interface FailureMode {
  /** `TF-001`, `AF-002`, ...: the prefix names the category. */
  readonly id: string;
  readonly category: FailureModeCategory;
  readonly title: string;
  readonly description: string;
  /** 1 (rare) to 5 (almost certain). */
  readonly likelihood: number;
  /** 1 (negligible) to 5 (severe). */
  readonly impact: number;
  /** How the failure is noticed. */
  readonly detection: string;
  /** How the system is meant to handle it (faultline adds what it measured). @default undefined */
  readonly handling: string | undefined;
  /** What users or operators see. @default [] */
  readonly symptoms: readonly string[];
  /** Which results tell how this failure mode is handled. */
  readonly matches: {
    /** Experiment ids. @default [] */
    readonly experiments: readonly string[];
    /** Scenario names. @default [] */
    readonly scenarios: readonly string[];
    /** Fault kinds, canonical names. @default [] */
    readonly faultKinds: readonly string[];
  };
}

/** A failure-mode catalog file, validated. */
export interface FailureModeCatalogFile {
  /** @default 'Failure-mode catalog' */
  readonly title: string;
  /** The system the catalog describes. @default undefined */
  readonly system: string | undefined;
  readonly failureModes: readonly FailureMode[];
}

type Ctx = z.core.$RefinementCtx;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const categories = Object.keys(failureModePrefixes) as FailureModeCategory[];
const categoryByPrefix = new Map(categories.map((c) => [failureModePrefixes[c], c]));
const idPattern = /^(TF|AF|OF|RF|EF)-\d{2,}$/;
const idExpected =
  'an id like TF-001: TF- tool, AF- AI, OF- orchestration, RF- resource, EF- external, then a number';

function scaleField(words: readonly string[]) {
  const expected = `1 to 5, or one of ${words.map((w) => `'${w}'`).join(', ')}`;
  return z.unknown().transform((raw, ctx: Ctx): number => {
    if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 1 && raw <= 5) return raw;
    if (typeof raw === 'string' && words.includes(raw)) return words.indexOf(raw) + 1;
    ctx.addIssue({
      code: 'custom',
      message: expected,
      input: raw,
      params: { expected, choices: words },
    });
    return z.NEVER;
  });
}

const text = (expected: string) => z.string({ error: expected }).trim().min(1, expected);
const names = (expected: string) =>
  z.array(text('a non-empty string'), { error: expected }).default([]);

const kindField = z.string({ error: 'a fault kind' }).transform((kind, ctx): string => {
  registerMcpFaultKinds();
  const resolved = resolveFaultKind(kind);
  if (resolved !== undefined) return resolved;
  const expected = `a fault kind: one of ${faultKinds()
    .map((k) => `'${k}'`)
    .join(', ')}`;
  ctx.addIssue({
    code: 'custom',
    message: expected,
    input: kind,
    params: { expected, choices: faultKinds() },
  });
  return z.NEVER;
});

const entrySchema = z
  .strictObject({
    id: z.string({ error: idExpected }).regex(idPattern, idExpected),
    category: z.enum(categories).optional(),
    title: text('a short title'),
    description: text('a description of the failure'),
    likelihood: scaleField(likelihoodScale),
    impact: scaleField(impactScale),
    detection: text('how the failure is noticed'),
    handling: text('how the system handles it').optional(),
    symptoms: names('a list of symptoms'),
    matches: z
      .strictObject({
        experiments: names('a list of experiment ids'),
        scenarios: names('a list of scenario names'),
        faultKinds: z.array(kindField, { error: 'a list of fault kinds' }).default([]),
      })
      .default({ experiments: [], scenarios: [], faultKinds: [] }),
  })
  .superRefine(
    (entry, ctx) => {
      const category = categoryByPrefix.get(entry.id.slice(0, 2));
      if (entry.category === undefined || category === undefined || entry.category === category)
        return;
      const expected = `'${category}' (the category of a ${entry.id.slice(0, 3)} id), or an id starting with ${failureModePrefixes[entry.category]}-`;
      ctx.addIssue({
        code: 'custom',
        message: expected,
        input: entry.category,
        path: ['category'],
        params: { expected },
      });
    },
    // Checked even when other fields are wrong, so every problem is reported at once.
    {
      when: (payload) =>
        isRecord(payload.value) &&
        typeof payload.value.id === 'string' &&
        idPattern.test(payload.value.id) &&
        typeof payload.value.category === 'string' &&
        (categories as string[]).includes(payload.value.category),
    },
  )
  .transform((entry): FailureMode => {
    const category = categoryByPrefix.get(entry.id.slice(0, 2)) as FailureModeCategory;
    return {
      id: entry.id,
      category,
      title: entry.title,
      description: entry.description,
      likelihood: entry.likelihood,
      impact: entry.impact,
      detection: entry.detection,
      handling: entry.handling,
      symptoms: entry.symptoms,
      matches: entry.matches,
    };
  });

const catalogSchema = z
  .strictObject(
    {
      title: text('a non-empty title').default('Failure-mode catalog'),
      system: text("the system's name").optional(),
      failureModes: z
        .array(entrySchema, { error: 'a list of failure modes' })
        .min(1, 'a list of at least one failure mode')
        .superRefine(
          (modes, ctx) => {
            const seen = new Set<string>();
            (modes as unknown[]).forEach((mode, i) => {
              const id = isRecord(mode) ? mode.id : undefined;
              if (typeof id !== 'string') return;
              if (seen.has(id)) {
                const expected = 'an id no other failure mode has';
                ctx.addIssue({
                  code: 'custom',
                  message: expected,
                  input: id,
                  path: [i, 'id'],
                  params: { expected },
                });
              }
              seen.add(id);
            });
          },
          { when: (payload) => Array.isArray(payload.value) },
        ),
    },
    {
      error: (issue) =>
        issue.code === 'invalid_type'
          ? 'a failure-mode catalog: a mapping with failureModes'
          : undefined,
    },
  )
  .transform((catalog): FailureModeCatalogFile => {
    return { title: catalog.title, system: catalog.system, failureModes: catalog.failureModes };
  });

const documentName = 'failure-mode catalog';

/**
 * Validates a failure-mode catalog given as text (YAML or JSON). Every problem is reported at
 * once in one {@link ExperimentFileError} (its `document` is `failure-mode catalog`), each with
 * its line and column.
 *
 * @param file - the name used in messages (nothing is read).
 */
export function parseFailureModes(
  text: string,
  file: string,
  options: { readonly format?: DocumentFormat } = {},
): FailureModeCatalogFile {
  const parsed = parseSource(text, file, options.format);
  if ('issues' in parsed) throw new ExperimentFileError(file, parsed.issues, documentName);
  const { document } = parsed;
  if (document.data === null || document.data === undefined) {
    const issue = makeIssue(document, {
      code: 'missing',
      segments: [],
      expected: 'a failure-mode catalog (the file is empty)',
    });
    throw new ExperimentFileError(file, [{ ...issue, line: 1, column: 1 }], documentName);
  }
  const result = validateSource(catalogSchema, document);
  if ('issues' in result) throw new ExperimentFileError(file, result.issues, documentName);
  return result.value;
}

/**
 * Reads and validates a failure-mode catalog: the YAML file users edit, whose entries the
 * failure-mode catalog report fills with what experiments and scenarios measured.
 *
 * @example
 * ```yaml
 * failureModes:
 *   - id: TF-001
 *     title: Tool server unavailable
 *     description: The image upload server refuses connections.
 *     likelihood: likely
 *     impact: major
 *     detection: Connection errors on upload-image calls; the breaker opens.
 *     handling: Retry 3 times with backoff, then fail with ToolUnavailableError.
 *     symptoms: [Products stuck in draft]
 *     matches: { experiments: [tool-server-down], scenarios: [ToolServerDown], faultKinds: [network] }
 * ```
 */
export async function loadFailureModes(
  path: string,
  options: { readonly format?: DocumentFormat } = {},
): Promise<FailureModeCatalogFile> {
  return parseFailureModes(await readFile(path, 'utf8'), path, options);
}
