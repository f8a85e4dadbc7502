import { channelNames, isInvalidOptionError, type InvalidOptionError } from '../core/index.ts';
import {
  compileTarget,
  createFault,
  faultKinds,
  type FaultSpec,
  type TargetSpec,
} from '../faults/index.ts';
import { mcpFaultKinds, registerMcpFaultKinds } from '../mcp/mcp-fault-kinds.ts';
import type { ToxicAttributesByType, ToxicStream, ToxicType } from '../proxy/client/index.ts';
import { z } from 'zod';
import { durationExpected, parseDuration } from './experiment-duration.ts';
import {
  builtinProbeMetric,
  builtinProbeNames,
  builtinProbes,
  isBuiltinProbe,
  isMetricPath,
  metricPaths,
  metricUnit,
  type MetricPath,
  type ProbePercentile,
} from './experiment-probes.ts';
import { readTolerance, type ProbeUnit, type Tolerance } from './experiment-tolerance.ts';
import { parsePath, type IssueParams } from './load-document.ts';

// ---------------------------------------------------------------------------------------------
// Output types: what a validated experiment file becomes.
// ---------------------------------------------------------------------------------------------

/**
 * A steady-state probe: something measured before and after the method, with the tolerance it
 * must fall within. Built-in probes read the run's metrics; other names refer to probes the
 * system registers (given to the loader as `probes`).
 */
export interface ProbeSpec {
  /** Shown in journals and reports. @default the probe and its percentile or path, e.g. `response-time p95` */
  readonly name: string;
  /** The probe: a built-in (`success-rate`, `response-time`, `metric`, ...) or a registered name. */
  readonly probe: string;
  /** True for a built-in probe. */
  readonly builtin: boolean;
  /** What the measured number means (decides how the tolerance reads). */
  readonly unit: ProbeUnit;
  /** `response-time`, `mttr`, `detection-time`: which percentile. @default 95 */
  readonly percentile: ProbePercentile | undefined;
  /** The metric a built-in probe reads (`undefined` for `error-rate` and registered probes). */
  readonly metric: MetricPath | undefined;
  /** A registered probe's arguments. @default {} */
  readonly args: Readonly<Record<string, unknown>>;
  readonly tolerance: Tolerance;
}

/** The steady state: what "working normally" means, measured before and after the method. */
export interface SteadyStateSpec {
  /** @default 'steady state' */
  readonly title: string;
  readonly probes: readonly ProbeSpec[];
}

/**
 * Which runs an injection applies to: `run` restarts its timeline in every workflow run (offsets
 * count from the run's start); `experiment` is one window on the method's timeline, shared by all
 * runs.
 */
export type ActionScope = 'run' | 'experiment';

/** Fields every injection action has. */
export interface InjectionTiming {
  /** Unique within the method; names the injection in journals and reports. */
  readonly name: string;
  readonly scope: ActionScope;
  /** Offset as written: from the end of the previous pause (or the start). @default 0 */
  readonly startMs: number;
  /** When it starts on the timeline: `startMs` plus every pause before it. */
  readonly atMs: number;
  /** How long it stays; `undefined` until the method (or run) ends. */
  readonly durationMs: number | undefined;
}

/** An in-process fault: a `FaultSpec` as `createFault` accepts it. */
export interface FaultActionSpec extends InjectionTiming {
  readonly type: 'fault';
  /**
   * The fault, validated, with the action's `target` merged in and `probability` 1 unless the
   * file set one (the window decides when it fires).
   */
  readonly fault: FaultSpec;
  /** Which calls it applies to (also in `fault.target`). */
  readonly target: TargetSpec | undefined;
}

/** A toxic added to a chaos proxy (faultline's or Toxiproxy) through its admin API. */
export interface ToxicActionSpec extends InjectionTiming {
  readonly type: 'toxic';
  /** The proxy's name on that server. */
  readonly proxy: string;
  /** The admin API's base URL. @default 'http://127.0.0.1:8474' */
  readonly admin: string;
  readonly toxic: {
    readonly type: ToxicType;
    /** @default the action's name */
    readonly name: string;
    /** @default 'downstream' */
    readonly stream: ToxicStream;
    /** @default 1 */
    readonly toxicity: number;
    /** Durations written as strings are in ms here. @default {} */
    readonly attributes: Readonly<Record<string, unknown>>;
  };
}

/** A fault injected by the MCP chaos proxy in front of a tool server. */
export interface McpFaultActionSpec extends InjectionTiming {
  readonly type: 'mcp-fault';
  /** The MCP proxy (tool server) it applies to; `undefined` for every one the system has. */
  readonly server: string | undefined;
  /** The fault (an `mcp-*` kind or any other kind the MCP proxy applies), validated. */
  readonly fault: FaultSpec;
  readonly target: TargetSpec | undefined;
}

/** A pause: the method waits before its next action. */
export interface PauseActionSpec {
  readonly type: 'pause';
  readonly name: string;
  readonly durationMs: number;
  /** When the pause starts on the timeline. */
  readonly atMs: number;
}

/** One step of the method. */
export type ExperimentAction =
  FaultActionSpec | ToxicActionSpec | McpFaultActionSpec | PauseActionSpec;

/** One injection step of the method (everything but pauses). */
export type InjectionAction = FaultActionSpec | ToxicActionSpec | McpFaultActionSpec;

/** What to record while the experiment runs. */
export interface ObservationSpec {
  /** Metrics to record in the journal and report. @default [] */
  readonly metrics: readonly MetricPath[];
  /**
   * Diagnostics channels to log into the journal: full names, globs (`faultline:policy:*`) or
   * keys of `channelNames` (given as names here). @default []
   */
  readonly logs: readonly string[];
}

/**
 * When rollbacks run: `always`; `on-deviation` (only when the steady state after the method was
 * not met, or the method failed); `never`.
 */
export type RollbackStrategy = 'always' | 'on-deviation' | 'never';

/** A rollback action: restore normal operation. */
export type RollbackAction =
  /** End every in-process fault of the experiment. */
  | { readonly action: 'clear-faults'; readonly name: string }
  /** Remove toxics from proxies: those on `proxy`, or every one the experiment added. */
  | {
      readonly action: 'remove-toxics';
      readonly name: string;
      readonly proxy: string | undefined;
      readonly admin: string;
    }
  /** Reset a proxy server (every proxy enabled, every toxic removed). */
  | { readonly action: 'reset-proxies'; readonly name: string; readonly admin: string }
  /** Remove the MCP faults of one server, or of all. */
  | {
      readonly action: 'clear-mcp-faults';
      readonly name: string;
      readonly server: string | undefined;
    }
  /** A rollback action the system registers, with its arguments. */
  | {
      readonly action: 'custom';
      readonly name: string;
      readonly registered: string;
      readonly args: Readonly<Record<string, unknown>>;
    };

/** Rollbacks and when they run. */
export interface RollbackSpec {
  /** @default 'always' */
  readonly strategy: RollbackStrategy;
  /** @default [{ action: 'clear-faults' }] plus `remove-toxics` when the method adds toxics */
  readonly actions: readonly RollbackAction[];
}

/**
 * When the experiment stops injecting by itself. Shaped like the faults layer's
 * `KillSwitchOptions` (`errorRate`, `unresponsiveMs`), plus the signal that trips it by hand.
 */
export interface KillSwitchSpec {
  /** @default { threshold: 0.5, windowMs: 10000, minCalls: 10 } */
  readonly errorRate:
    { readonly threshold: number; readonly windowMs: number; readonly minCalls: number } | false;
  /** @default false */
  readonly unresponsiveMs: number | false;
  /** @default 'SIGUSR2' */
  readonly signal: 'SIGUSR2' | 'SIGUSR1' | false;
}

/** The four things a resilient system does under a fault; each `false` when not required. */
export interface SuccessCriteria {
  /** The system notices the failure (within `withinMs`, when set). @default { withinMs: undefined } */
  readonly detectsFailure: { readonly withinMs: number | undefined } | false;
  /** No run crashes (unhandled error). @default true */
  readonly handlesWithoutCrashing: boolean;
  /** Works normally again once the failure ends (within `withinMs`, when set). @default { withinMs: undefined } */
  readonly recovers: { readonly withinMs: number | undefined } | false;
  /** State stays consistent (no partial or duplicated writes). @default true */
  readonly corruptsNoData: boolean;
}

/** What the error a run ends with must say, to count as a clear message. */
export type ClearErrorMessage =
  /** Any message naming what failed (judged by the runner). */
  | { readonly kind: 'any' }
  | { readonly kind: 'contains'; readonly text: string }
  | { readonly kind: 'regex'; readonly regex: string; readonly flags: string };

/**
 * Expected behaviour, line by line: each one becomes an expected-vs-actual line with pass/fail.
 * Shared by experiments and the built-in scenarios.
 */
export interface ExpectedBehaviour {
  /** From the failure to its detection (ms). */
  readonly detectionTime?: Tolerance;
  /** Retries made for the failing operation. */
  readonly retries?: Tolerance;
  /** The workflow ends with a handled error (or a degraded success), never a crash. */
  readonly gracefulFailure?: boolean;
  /** The error the caller gets says what failed. */
  readonly clearErrorMessage?: ClearErrorMessage;
  /** Whether state ends up corrupted (expected: false). */
  readonly stateCorrupted?: boolean;
}

/** How an experiment runs in time: on a virtual clock (fast, replayable) or the real one. */
export type ExperimentTime = 'virtual' | 'real';

/** A validated experiment. */
export interface Experiment {
  /** Stable id (reports and the failure-mode catalog match on it). @default the file name, else the title as a slug */
  readonly id: string;
  readonly title: string;
  /** @default '' */
  readonly description: string;
  /** @default [] */
  readonly tags: readonly string[];
  /** The registered system to run, e.g. `ecommerce`. */
  readonly system: string;
  /** Workflow runs during the method. @default 1 */
  readonly runs: number;
  /** The seed; `undefined` for a fresh one per execution (the journal records it). */
  readonly seed: string | undefined;
  /** @default 'virtual' */
  readonly time: ExperimentTime;
  /**
   * Settings handed to the system for this experiment (e.g. a smaller token budget), as the
   * system defines them.
   * @default {}
   */
  readonly configuration: Readonly<Record<string, unknown>>;
  /** "When X, the system will Y." */
  readonly hypothesis: string;
  readonly steadyState: SteadyStateSpec;
  readonly method: readonly ExperimentAction[];
  readonly observe: ObservationSpec;
  readonly rollback: RollbackSpec;
  readonly killSwitch: KillSwitchSpec;
  readonly successCriteria: SuccessCriteria;
  /** @default {} */
  readonly expected: ExpectedBehaviour;
}

/** What the schema needs to know about the system the experiments run against. */
export interface ExperimentSchemaOptions {
  /**
   * Probe names the system registers beyond the built-ins; a probe not built in nor listed here
   * is an error.
   * @default []
   */
  readonly probes?: readonly string[];
  /**
   * Rollback action names the system registers beyond the built-ins.
   * @default []
   */
  readonly actions?: readonly string[];
  /**
   * The systems that can be run; when given, `system` must be one of them.
   * @default undefined (any name)
   */
  readonly systems?: readonly string[];
  /**
   * The id used when the file has none (the loader passes the file's name).
   * @default the title as a slug
   */
  readonly defaultId?: string;
}

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

type Ctx = z.core.$RefinementCtx;
type Path = readonly (string | number)[];

function report(
  ctx: Ctx,
  path: Path,
  value: unknown,
  expected: string,
  extra: Omit<IssueParams, 'expected'> = {},
): void {
  ctx.addIssue({
    code: 'custom',
    message: expected,
    input: value,
    path: [...path],
    params: { expected, ...extra },
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reports every key of `value` not in `allowed`. */
function rejectUnknown(
  ctx: Ctx,
  value: Readonly<Record<string, unknown>>,
  allowed: readonly string[],
  path: Path = [],
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      report(ctx, [...path, key], value[key], `known keys: ${allowed.join(', ')}`, {
        unknownKey: true,
        choices: allowed,
      });
    }
  }
}

const nonEmpty = (expected: string) => z.string({ error: expected }).trim().min(1, expected);

const durationField = z.unknown().transform((value, ctx): number => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    report(ctx, [], value, durationExpected);
    return z.NEVER;
  }
  return ms;
});

const probability = z
  .number({ error: 'a probability: a number from 0 to 1' })
  .min(0, 'a probability: a number from 0 to 1')
  .max(1, 'a probability: a number from 0 to 1');

const scopeField = z.enum(['run', 'experiment']).default('run');

const adminUrl = z
  .string({ error: "the admin API's URL, e.g. 'http://127.0.0.1:8474'" })
  .refine((url) => /^https?:\/\/[^/\s]+/.test(url) && URL.canParse(url), {
    message: "the admin API's URL, e.g. 'http://127.0.0.1:8474'",
  })
  .default('http://127.0.0.1:8474');

const slug = /^[a-z0-9][a-z0-9-]*$/;

function slugOf(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'experiment'
  );
}

const unknownFieldPattern = /^absent \((?:unknown field; )?known fields: (.*)\)$/;

/** Reports an `InvalidOptionError` from the faults layer at its path, under `base`. */
function reportOptionError(ctx: Ctx, base: Path, error: InvalidOptionError): void {
  const path = [...base, ...parsePath(error.option)];
  const unknown = unknownFieldPattern.exec(error.expected);
  if (unknown !== null) {
    const known = (unknown[1] ?? '').split(', ').map((k) => k.replace(/^'|'$/g, ''));
    report(ctx, path, error.value, `known keys: ${known.join(', ')}`, {
      unknownKey: true,
      choices: known,
    });
    return;
  }
  const last = path.at(-1);
  report(ctx, path, error.value, error.expected, last === 'kind' ? { choices: faultKinds() } : {});
}

function validateTarget(ctx: Ctx, raw: unknown, path: Path): TargetSpec | undefined {
  if (raw === undefined) return undefined;
  try {
    compileTarget(raw, 'experiment', '');
  } catch (error) {
    if (!isInvalidOptionError(error)) throw error;
    reportOptionError(ctx, path, error);
    return undefined;
  }
  return raw as TargetSpec;
}

/** Fault fields holding milliseconds, where files may write durations (`'30s'`). */
function isMsField(key: string): boolean {
  return key === 'ms' || key.endsWith('Ms');
}

const faultExpected = 'a fault spec: a mapping with a kind, e.g. { kind: latency, ms: 200 }';

function faultSpec(where: 'fault' | 'mcp-fault') {
  return z.unknown().transform((raw, ctx): FaultSpec => {
    if (!isRecord(raw)) {
      report(ctx, [], raw, faultExpected);
      return z.NEVER;
    }
    let ok = true;
    const spec: Record<string, unknown> = { ...raw };
    for (const [key, value] of Object.entries(raw)) {
      if (isMsField(key) && typeof value === 'string') {
        const ms = parseDuration(value);
        if (ms === undefined) {
          report(ctx, [key], value, durationExpected);
          ok = false;
        } else spec[key] = ms;
      }
    }
    registerMcpFaultKinds();
    if (where === 'fault' && typeof raw.kind === 'string' && mcpFaultKinds.includes(raw.kind)) {
      report(
        ctx,
        ['kind'],
        raw.kind,
        "a kind that runs in process (MCP kinds belong in an 'mcp-fault' action)",
      );
      return z.NEVER;
    }
    if (!ok) return z.NEVER;
    try {
      createFault(spec, '');
    } catch (error) {
      if (!isInvalidOptionError(error)) throw error;
      reportOptionError(ctx, [], error);
      return z.NEVER;
    }
    if (spec.probability === undefined && spec.toxicity === undefined) spec.probability = 1;
    return spec as FaultSpec;
  });
}

type AttributeUnit = 'ms' | 'value';
type AttributeTable = {
  readonly [T in ToxicType]: { readonly [A in keyof ToxicAttributesByType[T]]-?: AttributeUnit };
};

const match = { method: 'value', path: 'value', probability: 'value' } as const;

/** Every toxic's attributes (checked against the proxy client's types) and which are in ms. */
const toxicAttributes: AttributeTable = {
  latency: { latency: 'ms', jitter: 'ms' },
  bandwidth: { rate: 'value' },
  slow_close: { delay: 'ms' },
  timeout: { timeout: 'ms' },
  reset_peer: { timeout: 'ms' },
  slicer: { average_size: 'value', size_variation: 'value', delay: 'value' },
  limit_data: { bytes: 'value' },
  noop: {},
  connect_delay: { delay: 'ms' },
  packet_loss: { probability: 'value', stall: 'ms' },
  proxy_bandwidth: { rate: 'value' },
  http_status: {
    ...match,
    status: 'value',
    retry_after: 'value',
    retry_after_ms: 'ms',
    body: 'value',
    content_type: 'value',
  },
  http_truncate: { ...match, bytes: 'value' },
  http_invalid_json: { ...match },
  http_corrupt_field: { ...match, field: 'value', value: 'value' },
  http_slow_ttfb: { ...match, delay: 'ms' },
  sse_cut: { ...match, events: 'value', mode: 'value' },
  http_stall: { ...match, events: 'value', bytes: 'value', duration: 'ms' },
  openai_rate_limit: { ...match, retry_after_ms: 'ms', limit: 'value' },
  openai_context_length: { ...match, max_tokens: 'value', requested_tokens: 'value' },
  openai_overloaded: { ...match, status: 'value' },
  openai_bad_tool_args: { ...match },
  openai_stream_no_done: { ...match, mode: 'value' },
};

const toxicTypeNames = Object.keys(toxicAttributes) as [ToxicType, ...ToxicType[]];

const toxicSpec = z
  .strictObject({
    type: z.enum(toxicTypeNames),
    name: nonEmpty('a non-empty string').optional(),
    stream: z.enum(['upstream', 'downstream']).default('downstream'),
    toxicity: probability.default(1),
    attributes: z
      .record(z.string(), z.unknown(), { error: 'a mapping of attribute names to values' })
      .default({}),
  })
  .transform((toxic, ctx) => {
    const table = toxicAttributes[toxic.type] as Readonly<Record<string, AttributeUnit>>;
    const known = Object.keys(table);
    const attributes: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(toxic.attributes)) {
      const unit = table[key];
      if (unit === undefined) {
        report(
          ctx,
          ['attributes', key],
          value,
          known.length === 0
            ? `no attributes (${toxic.type} has none)`
            : `known keys: ${known.join(', ')}`,
          { unknownKey: true, choices: known },
        );
      } else if (unit === 'ms' && typeof value === 'string') {
        const ms = parseDuration(value);
        if (ms === undefined) report(ctx, ['attributes', key], value, durationExpected);
        else attributes[key] = ms;
      } else attributes[key] = value;
    }
    return { ...toxic, attributes };
  });

const timing = {
  name: nonEmpty('a non-empty string').optional(),
  scope: scopeField,
  start: durationField.optional(),
  duration: durationField.optional(),
};

const faultAction = z.strictObject({
  type: z.literal('fault'),
  ...timing,
  fault: faultSpec('fault'),
  target: z.unknown().optional(),
});

const toxicAction = z.strictObject({
  type: z.literal('toxic'),
  ...timing,
  proxy: nonEmpty("the proxy's name, as the proxy server knows it"),
  admin: adminUrl,
  toxic: toxicSpec,
});

const mcpFaultAction = z.strictObject({
  type: z.literal('mcp-fault'),
  ...timing,
  server: nonEmpty("the MCP server's name").optional(),
  fault: faultSpec('mcp-fault'),
  target: z.unknown().optional(),
});

const pauseAction = z.strictObject({
  type: z.literal('pause'),
  name: nonEmpty('a non-empty string').optional(),
  duration: durationField,
});

const actionSchema = z
  .discriminatedUnion('type', [faultAction, toxicAction, mcpFaultAction, pauseAction], {
    error: (issue) =>
      // Typed as a union issue, but zod also reports a non-mapping through this map.
      (issue as { readonly code: string }).code === 'invalid_union'
        ? "one of 'fault', 'toxic', 'mcp-fault', 'pause'"
        : 'an action: a mapping with a type (fault, toxic, mcp-fault or pause)',
  })
  .superRefine(
    (value, ctx) => {
      const action = value as unknown as Readonly<Record<string, unknown>>;
      validateTarget(ctx, action.target, ['target']);
      const fault = action.fault;
      if (action.target !== undefined && isRecord(fault) && fault.target !== undefined) {
        report(ctx, ['target'], action.target, 'absent when the fault has a target (give it once)');
      }
    },
    // Checked even when other fields are wrong, so every problem is reported at once.
    {
      when: ({ value }) =>
        isRecord(value) && (value.type === 'fault' || value.type === 'mcp-fault'),
    },
  );

/** An action's name as written, or its default (for raw, possibly invalid, actions too). */
function nameOf(action: unknown, index: number): string | undefined {
  if (!isRecord(action)) return undefined;
  if (typeof action.name === 'string') return action.name;
  const n = String(index + 1);
  const inner = action.type === 'toxic' ? action.toxic : action.fault;
  if (action.type === 'pause') return `pause-${n}`;
  if (!isRecord(inner)) return undefined;
  if (typeof inner.name === 'string') return inner.name;
  const kind = action.type === 'toxic' ? inner.type : inner.kind;
  return typeof kind === 'string' ? `${kind}-${n}` : undefined;
}

const methodSchema = z
  .array(actionSchema, { error: 'a list of actions (fault, toxic, mcp-fault, pause)' })
  .min(1, 'at least one action (fault, toxic, mcp-fault or pause)')
  .superRefine(
    (actions, ctx) => {
      const seen = new Set<string>();
      (actions as unknown[]).forEach((action, i) => {
        const name = nameOf(action, i);
        if (name === undefined) return;
        if (seen.has(name))
          report(ctx, [i, 'name'], name, 'a name no other action of the method has');
        seen.add(name);
      });
    },
    { when: ({ value }) => Array.isArray(value) },
  )
  .transform((actions): ExperimentAction[] => {
    let cursor = 0;
    const out: ExperimentAction[] = [];
    actions.forEach((action, i) => {
      const name = nameOf(action, i) ?? `${action.type}-${String(i + 1)}`;
      if (action.type === 'pause') {
        out.push({ type: 'pause', name, durationMs: action.duration, atMs: cursor });
        cursor += action.duration;
        return;
      }
      const startMs = action.start ?? 0;
      const base = {
        name,
        scope: action.scope,
        startMs,
        atMs: cursor + startMs,
        durationMs: action.duration,
      };
      switch (action.type) {
        case 'fault':
        case 'mcp-fault': {
          const target = (action.target ?? action.fault.target) as TargetSpec | undefined;
          const fault: FaultSpec = {
            ...action.fault,
            name: typeof action.fault.name === 'string' ? action.fault.name : name,
            ...(target === undefined ? {} : { target }),
          };
          out.push(
            action.type === 'fault'
              ? { type: 'fault', ...base, fault, target }
              : { type: 'mcp-fault', ...base, server: action.server, fault, target },
          );
          break;
        }
        case 'toxic':
          out.push({
            type: 'toxic',
            ...base,
            proxy: action.proxy,
            admin: action.admin,
            toxic: { ...action.toxic, name: action.toxic.name ?? name },
          });
          break;
      }
    });
    return out;
  });

const percentiles: readonly number[] = [50, 90, 95, 99];
const unitNames = ['ratio', 'ms', 'count', 'number'] as const;

function probeSchema(registered: readonly string[]) {
  const names = [...builtinProbeNames, ...registered];
  return z.unknown().transform((raw, ctx): ProbeSpec => {
    if (!isRecord(raw)) {
      report(ctx, [], raw, "a probe: a mapping like { probe: success-rate, tolerance: '> 95%' }");
      return z.NEVER;
    }
    const probe = raw.probe;
    if (typeof probe !== 'string' || !names.includes(probe)) {
      report(ctx, ['probe'], probe, `one of ${names.map((n) => `'${n}'`).join(', ')}`, {
        choices: names,
      });
      return z.NEVER;
    }
    let ok = true;
    const fail = (
      path: Path,
      value: unknown,
      expected: string,
      choices?: readonly string[],
    ): void => {
      ok = false;
      report(ctx, path, value, expected, choices === undefined ? {} : { choices });
    };
    const builtin = isBuiltinProbe(probe);
    const timed = probe === 'response-time' || probe === 'mttr' || probe === 'detection-time';
    const allowed = ['probe', 'name', 'tolerance'];
    if (timed) allowed.push('percentile');
    if (probe === 'metric') allowed.push('path');
    if (!builtin) allowed.push('args', 'unit');
    for (const key of Object.keys(raw)) {
      if (!allowed.includes(key)) {
        ok = false;
        report(ctx, [key], raw[key], `known keys: ${allowed.join(', ')}`, {
          unknownKey: true,
          choices: allowed,
        });
      }
    }
    if (raw.name !== undefined && (typeof raw.name !== 'string' || raw.name.trim() === '')) {
      fail(['name'], raw.name, 'a non-empty string');
    }
    let percentile: ProbePercentile | undefined;
    if (timed) {
      const p = raw.percentile ?? 95;
      if (typeof p !== 'number' || !percentiles.includes(p))
        fail(['percentile'], p, 'one of 50, 90, 95, 99');
      else percentile = p as ProbePercentile;
    }
    let path: MetricPath | undefined;
    if (probe === 'metric') {
      if (typeof raw.path === 'string' && isMetricPath(raw.path)) path = raw.path;
      else if (raw.path === undefined)
        fail(['path'], undefined, "a metric's path, e.g. 'mttrMs.p95'");
      else
        fail(
          ['path'],
          raw.path,
          "a metric's path, e.g. 'mttrMs.p95' or 'failures.recoveryRate'",
          metricPaths,
        );
    }
    let unit: ProbeUnit;
    if (builtin) {
      unit =
        probe === 'metric'
          ? path === undefined
            ? 'number'
            : metricUnit(path)
          : builtinProbes[probe].unit;
    } else {
      const u = raw.unit ?? 'number';
      unit = (unitNames as readonly unknown[]).includes(u) ? (u as ProbeUnit) : 'number';
      if (unit !== u) fail(['unit'], u, "one of 'ratio', 'ms', 'count', 'number'", unitNames);
    }
    if (!builtin && raw.args !== undefined && !isRecord(raw.args)) {
      fail(['args'], raw.args, "a mapping of the probe's arguments");
    }
    let tolerance: Tolerance | undefined;
    if (raw.tolerance === undefined) {
      fail(['tolerance'], undefined, "the range the value must stay in, e.g. '> 95%' or '< 30s'");
    } else {
      const read = readTolerance(raw.tolerance, unit);
      if ('problems' in read) {
        for (const problem of read.problems) {
          ok = false;
          const at = ['tolerance', ...problem.path];
          if (problem.choices !== undefined) {
            report(ctx, at, problem.value, `known keys: ${problem.choices.join(', ')}`, {
              unknownKey: true,
              choices: problem.choices,
            });
          } else report(ctx, at, problem.value, problem.expected);
        }
      } else tolerance = read.tolerance;
    }
    if (!ok || tolerance === undefined) return z.NEVER;
    const name =
      typeof raw.name === 'string'
        ? raw.name.trim()
        : probe === 'metric'
          ? `metric ${String(path)}`
          : percentile === undefined
            ? probe
            : `${probe} p${String(percentile)}`;
    return {
      name,
      probe,
      builtin,
      unit,
      percentile,
      metric: builtin ? builtinProbeMetric(probe, percentile, path) : undefined,
      args: isRecord(raw.args) ? raw.args : {},
      tolerance,
    };
  });
}

function toleranceField(unit: ProbeUnit) {
  return z.unknown().transform((raw, ctx): Tolerance => {
    const read = readTolerance(raw, unit);
    if ('tolerance' in read) return read.tolerance;
    for (const problem of read.problems) {
      if (problem.choices !== undefined) {
        report(ctx, problem.path, problem.value, `known keys: ${problem.choices.join(', ')}`, {
          unknownKey: true,
          choices: problem.choices,
        });
      } else report(ctx, problem.path, problem.value, problem.expected);
    }
    return z.NEVER;
  });
}

const withinExpected = 'true, false or { within: <duration> }';

const withinField = z.unknown().transform((raw, ctx): { withinMs: number | undefined } | false => {
  if (raw === false) return false;
  if (raw === true) return { withinMs: undefined };
  if (isRecord(raw)) {
    rejectUnknown(ctx, raw, ['within']);
    const ms = parseDuration(raw.within);
    if (ms === undefined) {
      report(ctx, ['within'], raw.within, durationExpected);
      return z.NEVER;
    }
    return Object.keys(raw).length === 1 ? { withinMs: ms } : z.NEVER;
  }
  report(ctx, [], raw, withinExpected);
  return z.NEVER;
});

const clearErrorField = z.unknown().transform((raw, ctx): ClearErrorMessage => {
  if (raw === true) return { kind: 'any' };
  if (typeof raw === 'string' && raw !== '') return { kind: 'contains', text: raw };
  if (isRecord(raw)) {
    if (typeof raw.contains === 'string' && raw.contains !== '' && Object.keys(raw).length === 1) {
      return { kind: 'contains', text: raw.contains };
    }
    if (typeof raw.regex === 'string') {
      rejectUnknown(ctx, raw, ['regex', 'flags']);
      const flags = raw.flags ?? '';
      try {
        new RegExp(raw.regex, typeof flags === 'string' ? flags : '');
      } catch {
        report(ctx, ['regex'], raw.regex, 'a valid regular expression');
        return z.NEVER;
      }
      if (typeof flags !== 'string') {
        report(ctx, ['flags'], flags, "regular expression flags, e.g. 'i'");
        return z.NEVER;
      }
      return { kind: 'regex', regex: raw.regex, flags };
    }
  }
  report(
    ctx,
    [],
    raw,
    "true, the text the message must contain, { contains: '...' } or { regex: '...' }",
  );
  return z.NEVER;
});

const channelList = Object.values(channelNames) as string[];
const channelKeys = Object.keys(channelNames);

function globMatches(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(name);
}

const logField = z
  .string({ error: 'a diagnostics channel name or glob' })
  .transform((pattern, ctx): string => {
    if (Object.hasOwn(channelNames, pattern))
      return channelNames[pattern as keyof typeof channelNames];
    if (pattern.startsWith('faultline:')) {
      if (!channelList.some((name) => globMatches(pattern, name))) {
        report(ctx, [], pattern, "a faultline channel (or a glob such as 'faultline:policy:*')", {
          choices: channelList,
        });
        return z.NEVER;
      }
      return pattern;
    }
    if (!pattern.includes(':')) {
      report(
        ctx,
        [],
        pattern,
        "a channel name ('app:events'), a glob ('faultline:policy:*') or a key of channelNames",
        { choices: channelKeys },
      );
      return z.NEVER;
    }
    return pattern;
  });

const metricField = z
  .string({ error: "a metric's path, e.g. 'mttrMs.p95'" })
  .transform((path, ctx): MetricPath => {
    if (isMetricPath(path)) return path;
    report(ctx, [], path, "a metric's path, e.g. 'mttrMs.p95' or 'failures.recoveryRate'", {
      choices: metricPaths,
    });
    return z.NEVER;
  });

const builtinRollbacks = {
  'clear-faults': [],
  'remove-toxics': ['proxy', 'admin'],
  'reset-proxies': ['admin'],
  'clear-mcp-faults': ['server'],
} as const satisfies Readonly<Record<string, readonly string[]>>;

function rollbackActionSchema(registered: readonly string[]) {
  const names = [...Object.keys(builtinRollbacks), ...registered];
  return z.unknown().transform((raw, ctx): RollbackAction => {
    if (!isRecord(raw)) {
      report(ctx, [], raw, 'a rollback action: a mapping like { action: clear-faults }');
      return z.NEVER;
    }
    const action = raw.action;
    if (typeof action !== 'string' || !names.includes(action)) {
      report(ctx, ['action'], action, `one of ${names.map((n) => `'${n}'`).join(', ')}`, {
        choices: names,
      });
      return z.NEVER;
    }
    const extra: readonly string[] = Object.hasOwn(builtinRollbacks, action)
      ? builtinRollbacks[action as keyof typeof builtinRollbacks]
      : ['args'];
    const allowed = ['action', 'name', ...extra];
    let ok = true;
    for (const key of Object.keys(raw)) {
      if (!allowed.includes(key)) {
        ok = false;
        report(ctx, [key], raw[key], `known keys: ${allowed.join(', ')}`, {
          unknownKey: true,
          choices: allowed,
        });
      }
    }
    const text = (key: string, expected: string): string | undefined => {
      const value = raw[key];
      if (value === undefined) return undefined;
      if (typeof value !== 'string' || value.trim() === '') {
        ok = false;
        report(ctx, [key], value, expected);
        return undefined;
      }
      return value;
    };
    const name = text('name', 'a non-empty string') ?? action;
    const admin =
      text('admin', "the admin API's URL, e.g. 'http://127.0.0.1:8474'") ?? 'http://127.0.0.1:8474';
    if (!URL.canParse(admin)) {
      ok = false;
      report(ctx, ['admin'], admin, "the admin API's URL, e.g. 'http://127.0.0.1:8474'");
    }
    const proxy = text('proxy', "the proxy's name");
    const server = text('server', "the MCP server's name");
    if (raw.args !== undefined && !isRecord(raw.args)) {
      ok = false;
      report(ctx, ['args'], raw.args, "a mapping of the action's arguments");
    }
    if (!ok) return z.NEVER;
    switch (action) {
      case 'clear-faults':
        return { action, name };
      case 'remove-toxics':
        return { action, name, proxy, admin };
      case 'reset-proxies':
        return { action, name, admin };
      case 'clear-mcp-faults':
        return { action, name, server };
      default:
        return {
          action: 'custom',
          name,
          registered: action,
          args: isRecord(raw.args) ? raw.args : {},
        };
    }
  });
}

/** A ratio written as a number from 0 to 1 or a percentage (`'50%'`). */
function threshold(value: unknown): number | undefined {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
    if (match !== null) n = Number(match[1]) / 100;
  }
  return n !== undefined && n >= 0 && n <= 1 ? n : undefined;
}

const errorRateExpected = "false, a threshold (e.g. '50%') or { threshold, window, minCalls }";

const errorRateField = z.unknown().transform((raw, ctx): KillSwitchSpec['errorRate'] => {
  const defaults = { threshold: 0.5, windowMs: 10_000, minCalls: 10 };
  if (raw === false) return false;
  if (typeof raw === 'number' || typeof raw === 'string') {
    const t = threshold(raw);
    if (t === undefined) {
      report(ctx, [], raw, errorRateExpected);
      return z.NEVER;
    }
    return { ...defaults, threshold: t };
  }
  if (!isRecord(raw)) {
    report(ctx, [], raw, errorRateExpected);
    return z.NEVER;
  }
  let ok = true;
  for (const key of Object.keys(raw)) {
    if (!['threshold', 'window', 'minCalls'].includes(key)) {
      ok = false;
      report(ctx, [key], raw[key], 'known keys: threshold, window, minCalls', {
        unknownKey: true,
        choices: ['threshold', 'window', 'minCalls'],
      });
    }
  }
  const t = raw.threshold === undefined ? defaults.threshold : threshold(raw.threshold);
  if (t === undefined) {
    ok = false;
    report(
      ctx,
      ['threshold'],
      raw.threshold,
      "a ratio: a number from 0 to 1, or a percentage like '50%'",
    );
  }
  const windowMs = raw.window === undefined ? defaults.windowMs : parseDuration(raw.window);
  if (windowMs === undefined || windowMs === 0) {
    ok = false;
    report(ctx, ['window'], raw.window, `${durationExpected}, above 0`);
  }
  const minCalls = raw.minCalls ?? defaults.minCalls;
  if (typeof minCalls !== 'number' || !Number.isInteger(minCalls) || minCalls < 1) {
    ok = false;
    report(ctx, ['minCalls'], minCalls, 'a whole number >= 1');
  }
  if (!ok) return z.NEVER;
  return { threshold: t as number, windowMs: windowMs as number, minCalls: minCalls as number };
});

const unresponsiveField = z.unknown().transform((raw, ctx): number | false => {
  if (raw === false) return false;
  const ms = parseDuration(raw);
  if (ms === undefined || ms === 0) {
    report(ctx, [], raw, `false or ${durationExpected}, above 0`);
    return z.NEVER;
  }
  return ms;
});

/**
 * The zod schema of an experiment file, for a system with the given registered probes, rollback
 * actions and systems. Its output is an {@link Experiment}; fault specs are validated by the
 * faults layer's `createFault` (so a fault's problem names its full path), MCP fault kinds are
 * registered first. Prefer `loadExperiment` / `parseExperiment`, which add line numbers.
 */
export function createExperimentSchema(
  options: ExperimentSchemaOptions = {},
): z.ZodType<Experiment> {
  const registeredProbes = options.probes ?? [];
  const registeredActions = options.actions ?? [];
  const systems = options.systems;
  const systemField =
    systems === undefined
      ? nonEmpty("the name of a registered system, e.g. 'ecommerce'")
      : z
          .string({ error: `one of ${systems.map((s) => `'${s}'`).join(', ')}` })
          .superRefine((name, ctx) => {
            if (!systems.includes(name)) {
              report(ctx, [], name, `one of ${systems.map((s) => `'${s}'`).join(', ')}`, {
                choices: systems,
              });
            }
          });
  return z
    .strictObject(
      {
        id: z
          .string({ error: 'lower-case letters, digits and dashes' })
          .regex(slug, 'lower-case letters, digits and dashes, e.g. tool-server-down')
          .optional(),
        title: nonEmpty('a non-empty title'),
        description: z.string({ error: 'a string' }).default(''),
        tags: z.array(nonEmpty('a non-empty string'), { error: 'a list of tags' }).default([]),
        system: systemField,
        runs: z
          .number({ error: 'a whole number >= 1' })
          .int('a whole number >= 1')
          .min(1, 'a whole number >= 1')
          .default(1),
        seed: z
          .union([z.string(), z.number()], { error: 'a string or a number' })
          .transform((s) => String(s))
          .optional(),
        time: z.enum(['virtual', 'real']).default('virtual'),
        configuration: z
          .record(z.string(), z.unknown(), { error: "a mapping of the system's settings" })
          .default({}),
        hypothesis: nonEmpty('a sentence like "when X, the system will Y"'),
        steadyState: z.strictObject(
          {
            title: nonEmpty('a non-empty string').default('steady state'),
            probes: z
              .array(probeSchema(registeredProbes), { error: 'a list of probes' })
              .min(1, "at least one probe, e.g. { probe: success-rate, tolerance: '> 95%' }"),
          },
          {
            error: (issue) => (issue.code === 'invalid_type' ? 'a mapping with probes' : undefined),
          },
        ),
        method: methodSchema,
        observe: z
          .strictObject({
            metrics: z.array(metricField, { error: 'a list of metric paths' }).default([]),
            logs: z.array(logField, { error: 'a list of channel names or globs' }).default([]),
          })
          .default({ metrics: [], logs: [] }),
        rollback: z
          .strictObject({
            strategy: z.enum(['always', 'on-deviation', 'never']).default('always'),
            actions: z
              .array(rollbackActionSchema(registeredActions), {
                error: 'a list of rollback actions',
              })
              .optional(),
          })
          .default({ strategy: 'always' }),
        killSwitch: z
          .strictObject({
            errorRate: errorRateField.optional(),
            unresponsive: unresponsiveField.optional(),
            signal: z
              .union([z.enum(['SIGUSR2', 'SIGUSR1']), z.literal(false)], {
                error: "'SIGUSR2', 'SIGUSR1' or false",
              })
              .default('SIGUSR2'),
          })
          .default({ signal: 'SIGUSR2' }),
        successCriteria: z
          .strictObject({
            detectsFailure: withinField.optional(),
            handlesWithoutCrashing: z.boolean().default(true),
            recovers: withinField.optional(),
            corruptsNoData: z.boolean().default(true),
          })
          .default({ handlesWithoutCrashing: true, corruptsNoData: true }),
        expected: z
          .strictObject({
            detectionTime: toleranceField('ms').optional(),
            retries: toleranceField('count').optional(),
            gracefulFailure: z.boolean().optional(),
            clearErrorMessage: clearErrorField.optional(),
            stateCorrupted: z.boolean().optional(),
          })
          .default({}),
      },
      {
        error: (issue) =>
          issue.code === 'invalid_type'
            ? 'an experiment: a mapping with title, hypothesis, steadyState, method, ...'
            : undefined,
      },
    )
    .transform((raw): Experiment => {
      const injections = raw.method.filter((a) => a.type !== 'pause');
      const defaultRollbacks: RollbackAction[] = [{ action: 'clear-faults', name: 'clear-faults' }];
      if (injections.some((a) => a.type === 'toxic')) {
        const admins = [
          ...new Set(injections.flatMap((a) => (a.type === 'toxic' ? [a.admin] : []))),
        ];
        for (const admin of admins)
          defaultRollbacks.push({
            action: 'remove-toxics',
            name: 'remove-toxics',
            proxy: undefined,
            admin,
          });
      }
      if (injections.some((a) => a.type === 'mcp-fault')) {
        defaultRollbacks.push({
          action: 'clear-mcp-faults',
          name: 'clear-mcp-faults',
          server: undefined,
        });
      }
      const expected: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(raw.expected))
        if (value !== undefined) expected[key] = value;
      return {
        id: raw.id ?? options.defaultId ?? slugOf(raw.title),
        title: raw.title,
        description: raw.description,
        tags: raw.tags,
        system: raw.system,
        runs: raw.runs,
        seed: raw.seed,
        time: raw.time,
        configuration: raw.configuration,
        hypothesis: raw.hypothesis,
        steadyState: raw.steadyState,
        method: raw.method,
        observe: raw.observe,
        rollback: {
          strategy: raw.rollback.strategy,
          actions: raw.rollback.actions ?? defaultRollbacks,
        },
        killSwitch: {
          errorRate: raw.killSwitch.errorRate ?? { threshold: 0.5, windowMs: 10_000, minCalls: 10 },
          unresponsiveMs: raw.killSwitch.unresponsive ?? false,
          signal: raw.killSwitch.signal,
        },
        successCriteria: {
          detectsFailure: raw.successCriteria.detectsFailure ?? { withinMs: undefined },
          handlesWithoutCrashing: raw.successCriteria.handlesWithoutCrashing,
          recovers: raw.successCriteria.recovers ?? { withinMs: undefined },
          corruptsNoData: raw.successCriteria.corruptsNoData,
        },
        expected: expected,
      };
    });
}
