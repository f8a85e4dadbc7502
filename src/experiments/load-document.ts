import { extname } from 'node:path';
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from 'yaml';
import type { z } from 'zod';
import { didYouMean } from './experiment-did-you-mean.ts';
import type { FileIssue, FileIssueCode } from './experiment-file-error.ts';

/** The syntax of an experiment or catalog file. */
export type DocumentFormat = 'yaml' | 'json';

/** A parsed file that can say where each value came from. @internal */
export interface SourceDocument {
  readonly file: string;
  readonly format: DocumentFormat;
  /** The parsed data (plain JSON values). */
  readonly data: unknown;
  /**
   * The 1-based position of the value at `segments` (of its key, with `key`), or of its nearest
   * ancestor present in the file.
   */
  position(
    segments: readonly (string | number)[],
    key?: boolean,
  ): { readonly line: number; readonly column: number } | undefined;
}

/**
 * `json` for a `.json` file, `yaml` for `.yaml` / `.yml`; otherwise guessed from the content
 * (JSON starts with `{` or `[`). @internal
 */
export function documentFormat(file: string, text: string): DocumentFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return /^\s*[[{]/.test(text) ? 'json' : 'yaml';
}

/** `method[0].fault.kind`; keys that are not identifiers are quoted: `tolerance['>']`. @internal */
export function formatPath(segments: readonly (string | number | symbol)[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${String(segment)}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$-]*$/.test(segment)) {
      path += path === '' ? segment : `.${segment}`;
    } else path += `[${JSON.stringify(String(segment))}]`;
  }
  return path;
}

/** Parses `a.b[2].c` (as fault errors name fields) back into segments. @internal */
export function parsePath(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[1] !== undefined) segments.push(match[1]);
  }
  return segments;
}

/** A value as an error message shows it: strings quoted, containers by kind. @internal */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return String(value);
  }
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

/** The value at `segments` in plain data, and whether its last key exists. @internal */
export function valueAt(
  data: unknown,
  segments: readonly (string | number)[],
): { readonly value: unknown; readonly present: boolean } {
  let current: unknown = data;
  let present = true;
  for (const segment of segments) {
    if (typeof current !== 'object' || current === null)
      return { value: undefined, present: false };
    present = Object.hasOwn(current, segment);
    current = (current as Record<string | number, unknown>)[segment];
  }
  return { value: current, present };
}

interface IssueInit {
  readonly code: FileIssueCode;
  readonly segments: readonly (string | number)[];
  readonly expected: string;
  readonly value?: unknown;
  readonly choices?: readonly string[] | undefined;
  readonly detail?: string;
}

/** Builds a {@link FileIssue} with its position and one-line message. @internal */
export function makeIssue(document: SourceDocument | undefined, init: IssueInit): FileIssue {
  const path = formatPath(init.segments);
  const shown = path === '' ? 'document' : path;
  const last = init.segments.at(-1);
  const suggestion =
    init.choices === undefined
      ? undefined
      : didYouMean(String(init.code === 'unknown-key' ? last : init.value), init.choices);
  const hint = suggestion === undefined ? '' : `; did you mean '${suggestion}'?`;
  let message: string;
  switch (init.code) {
    case 'syntax':
      message = `syntax error: ${init.detail ?? init.expected}`;
      break;
    case 'missing':
      message = `${shown}: missing; expected ${init.expected}`;
      break;
    case 'unknown-key':
      message = `${shown}: unknown key${hint} (${init.expected})`;
      break;
    case 'invalid':
      message = `${shown}: expected ${init.expected}, got ${describeValue(init.value)}${hint}`;
      break;
  }
  const position =
    init.code === 'syntax'
      ? undefined
      : document?.position(init.segments, init.code === 'unknown-key');
  return {
    code: init.code,
    path,
    segments: init.segments,
    line: position?.line,
    column: position?.column,
    expected: init.expected,
    value: init.value,
    suggestion,
    message,
  };
}

function yamlDocument(
  file: string,
  format: DocumentFormat,
  doc: Document,
  lines: LineCounter,
  data: unknown,
): SourceDocument {
  const at = (offset: number): { line: number; column: number } => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  return {
    file,
    format,
    data,
    position(segments, key = false) {
      let node = resolve(doc.contents) as Node | null | undefined;
      let found = node?.range == null ? undefined : at(node.range[0]);
      for (const [i, segment] of segments.entries()) {
        let next: unknown;
        let keyNode: unknown;
        if (isMap(node)) {
          const pair = node.items.find(
            (item) =>
              isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
          );
          next = pair?.value;
          keyNode = pair?.key;
        } else if (isSeq(node) && typeof segment === 'number') {
          next = node.items[segment];
        } else break;
        const isLast = i === segments.length - 1;
        const target = (isLast && key && keyNode !== undefined ? keyNode : resolve(next)) as
          Node | null | undefined;
        if (target?.range == null) {
          // A key with an empty value: point at the key.
          const k = keyNode as Node | undefined;
          if (k?.range != null) found = at(k.range[0]);
          break;
        }
        found = at(target.range[0]);
        node = target;
      }
      return found;
    },
  };
}

function jsonSyntaxIssue(text: string, error: unknown): FileIssue {
  const message = error instanceof Error ? error.message : String(error);
  let line: number | undefined;
  let column: number | undefined;
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineColumn !== null) {
    line = Number(lineColumn[1]);
    column = Number(lineColumn[2]);
  } else if (/end of JSON input/i.test(message)) {
    const lines = text.split('\n');
    line = lines.length;
    column = (lines.at(-1) ?? '').length + 1;
  }
  const detail = message
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/ \(line \d+ column \d+\)$/, '');
  return {
    ...makeIssue(undefined, { code: 'syntax', segments: [], expected: 'valid JSON', detail }),
    line,
    column,
  };
}

/**
 * Parses YAML or JSON, keeping positions. Returns the document, or the syntax errors (every
 * one the parser reports, each with its line and column). @internal
 */
export function parseSource(
  text: string,
  file: string,
  format: DocumentFormat = documentFormat(file, text),
): { readonly document: SourceDocument } | { readonly issues: readonly FileIssue[] } {
  if (format === 'json') {
    try {
      JSON.parse(text);
    } catch (error) {
      return { issues: [jsonSyntaxIssue(text, error)] };
    }
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      issues: doc.errors.map((error) => {
        const { line, col } = lines.linePos(error.pos[0]);
        const detail = error.message.split('\n')[0] ?? error.message;
        return {
          ...makeIssue(undefined, {
            code: 'syntax',
            segments: [],
            expected: `valid ${format === 'json' ? 'JSON' : 'YAML'}`,
            detail,
          }),
          line,
          column: col,
        };
      }),
    };
  }
  return {
    document: yamlDocument(file, format, doc, lines, doc.toJS({ maxAliasCount: 1000 }) as unknown),
  };
}

/** The extra data a custom zod issue may carry in `params`. @internal */
export interface IssueParams {
  /** Replaces the message as the "expected" text. */
  readonly expected?: string;
  /** Valid spellings, for a "did you mean". */
  readonly choices?: readonly string[];
  /** The issue is an unknown key (the last path segment). */
  readonly unknownKey?: boolean;
}

function quoteList(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ');
}

const typeNames: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value pairs)',
  array: 'a list',
  record: 'a mapping (key: value pairs)',
  nonoptional: 'a value',
};

interface RawIssue {
  readonly code: string;
  readonly expected?: string;
  readonly origin?: string;
  readonly minimum?: number | bigint;
  readonly maximum?: number | bigint;
  readonly inclusive?: boolean;
  readonly values?: readonly unknown[];
  readonly options?: readonly unknown[];
  readonly format?: string;
  readonly note?: string;
  readonly inst?: unknown;
}

function knownKeys(inst: unknown): string[] {
  const shape = (inst as { shape?: unknown } | undefined)?.shape;
  return typeof shape === 'object' && shape !== null ? Object.keys(shape) : [];
}

/**
 * The "expected" phrase for zod's own issues: the error map every validation of a document
 * uses (schemas may still set their own messages, which win). @internal
 */
export function expectedPhrase(issue: RawIssue): string | undefined {
  const n = (x: number | bigint | undefined): string => String(x);
  switch (issue.code) {
    case 'invalid_type':
      return typeNames[issue.expected ?? ''] ?? `a ${issue.expected ?? 'value'}`;
    case 'too_small':
      if (issue.origin === 'array') {
        return `a list with at least ${n(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}`;
      }
      if (issue.origin === 'string') {
        return issue.minimum === 1
          ? 'a non-empty string'
          : `a string of at least ${n(issue.minimum)} characters`;
      }
      return `a number ${issue.inclusive === true ? '>=' : '>'} ${n(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'array') return `a list with at most ${n(issue.maximum)} items`;
      if (issue.origin === 'string') return `a string of at most ${n(issue.maximum)} characters`;
      return `a number ${issue.inclusive === true ? '<=' : '<'} ${n(issue.maximum)}`;
    case 'invalid_value':
      return (issue.values ?? []).length === 1
        ? quoteList(issue.values ?? [])
        : `one of ${quoteList(issue.values ?? [])}`;
    case 'invalid_union':
      return issue.options === undefined ? undefined : `one of ${quoteList(issue.options)}`;
    case 'unrecognized_keys': {
      const keys = knownKeys(issue.inst);
      return `known keys: ${keys.join(', ')}`;
    }
    case 'invalid_format':
      return `a string in ${issue.format ?? 'the right'} format`;
    default:
      return undefined;
  }
}

interface ZodIssueLike {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly keys?: readonly string[];
  readonly options?: readonly unknown[];
  readonly values?: readonly unknown[];
  readonly params?: IssueParams;
}

function toSegments(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((p) => (typeof p === 'number' ? p : String(p)));
}

/** Turns zod's issues into {@link FileIssue}s with positions, values and suggestions. @internal */
export function toFileIssues(
  document: SourceDocument,
  issues: readonly ZodIssueLike[],
): FileIssue[] {
  const out: FileIssue[] = [];
  for (const issue of issues) {
    const segments = toSegments(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const choices = issue.message.startsWith('known keys: ')
        ? issue.message.slice(12).split(', ')
        : [];
      for (const key of issue.keys ?? []) {
        const at = [...segments, key];
        out.push(
          makeIssue(document, {
            code: 'unknown-key',
            segments: at,
            expected: issue.message,
            value: valueAt(document.data, at).value,
            choices,
          }),
        );
      }
      continue;
    }
    const { value, present } = valueAt(document.data, segments);
    const params = issue.code === 'custom' ? issue.params : undefined;
    const expected = params?.expected ?? issue.message;
    const choices =
      params?.choices ??
      (issue.code === 'invalid_union' ? issue.options?.map(String) : undefined) ??
      (issue.code === 'invalid_value' ? issue.values?.map(String) : undefined);
    let code: FileIssueCode = 'invalid';
    if (params?.unknownKey === true) code = 'unknown-key';
    else if (!present && value === undefined) code = 'missing';
    out.push(
      makeIssue(document, {
        code,
        segments,
        expected,
        value,
        choices: code === 'missing' ? undefined : choices,
      }),
    );
  }
  return out;
}

/** Sorts issues into file order (position, then as found); issues without a position go last. @internal */
export function sortIssues(issues: readonly FileIssue[]): FileIssue[] {
  return issues
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => {
      const la = a.issue.line ?? Infinity;
      const lb = b.issue.line ?? Infinity;
      if (la !== lb) return la - lb;
      const ca = a.issue.column ?? 0;
      const cb = b.issue.column ?? 0;
      return ca - cb || a.i - b.i;
    })
    .map(({ issue }) => issue);
}

/**
 * Validates a parsed document against a zod schema, reporting every problem as a
 * {@link FileIssue}. @internal
 */
export function validateSource<S extends z.ZodType>(
  schema: S,
  document: SourceDocument,
): { readonly value: z.output<S> } | { readonly issues: readonly FileIssue[] } {
  const result = schema.safeParse(document.data, {
    error: (issue) => expectedPhrase(issue),
  });
  if (result.success) return { value: result.data };
  return {
    issues: sortIssues(toFileIssues(document, result.error.issues as readonly ZodIssueLike[])),
  };
}
