import {
  createFault,
  chaos,
  resolveFaultKind,
  type Fault,
  type FaultContext,
} from '../faults/index.ts';
import type { BatchChaos, McpFaultInjection } from './experiment-runner-types.ts';
import type {
  Experiment,
  ExperimentAction,
  FaultActionSpec,
  McpFaultActionSpec,
  ToxicActionSpec,
} from './experiment-schema.ts';

/** Why a method action will not be applied. @internal */
export interface SkippedAction {
  readonly action: ExperimentAction;
  readonly reason: string;
}

/** Switches that stop windowed faults at once (kill switch, `clear-faults`). @internal */
export interface FaultSwitches {
  /** Every in-process fault of the experiment stops firing. */
  inProcess: boolean;
  /** MCP faults stop firing: `true` for all, or the servers cleared. */
  mcp: boolean | Set<string>;
}

/** The method, split by where each action acts. @internal */
export interface MethodPlan {
  /** The chaos of every run of the method. */
  readonly chaos: BatchChaos;
  readonly faults: readonly FaultActionSpec[];
  readonly mcp: readonly McpFaultInjection[];
  readonly mcpActions: readonly McpFaultActionSpec[];
  readonly toxics: readonly ToxicActionSpec[];
  readonly skipped: readonly SkippedAction[];
}

/** What changes how the method is injected (the CLI's `--failure-rate`, `--chaos-types`, ...). @internal */
export interface MethodTuning {
  /** Overrides the probability of every fault and MCP fault. */
  readonly failureRate: number | undefined;
  /** Canonical fault kinds to keep; toxics count as `network`. */
  readonly faultKinds: ReadonlySet<string> | undefined;
  /** Caps injection: per run for run-scoped faults, from the method's start otherwise. */
  readonly durationMs: number | undefined;
}

/** When a windowed fault may fire. */
interface Window {
  /** `run`: offsets from the start of the run's chaos scope; `experiment`: from `origin`. */
  readonly scope: 'run' | 'experiment';
  readonly fromMs: number;
  readonly untilMs: number | undefined;
  /** The method's start on the batch's clock (experiment windows). */
  readonly origin: number;
}

function inWindow(window: Window, context: FaultContext): boolean {
  let elapsed: number;
  if (window.scope === 'run') {
    // The scope planning this call is the run's: its start is the run's start.
    const scope = chaos.current();
    elapsed = context.now - (scope?.startedAt ?? context.now);
  } else {
    elapsed = context.now - window.origin;
  }
  return elapsed >= window.fromMs && (window.untilMs === undefined || elapsed < window.untilMs);
}

/** `fault`, firing only inside `window` and while `enabled()`. */
function windowed(fault: Fault, window: Window, enabled: () => boolean): Fault {
  const active = (context: FaultContext): boolean => enabled() && inWindow(window, context);
  const base = {
    kind: fault.kind,
    name: fault.name,
    probability: fault.probability,
    target: fault.target,
    maxInjections: fault.maxInjections,
    spec: fault.spec,
    effect: (context: FaultContext) => (active(context) ? fault.effect(context) : undefined),
  };
  const sticky = fault.sticky?.bind(fault);
  if (sticky === undefined) return base;
  return {
    ...base,
    sticky: (context: FaultContext) => (active(context) ? sticky(context) : undefined),
  };
}

/** Where an action's window ends: its duration, capped by `capMs`. @internal */
export function untilOf(
  atMs: number,
  durationMs: number | undefined,
  capMs: number | undefined,
): number | undefined {
  const end = durationMs === undefined ? undefined : atMs + durationMs;
  if (capMs === undefined) return end;
  return end === undefined ? capMs : Math.min(end, capMs);
}

function tunedSpec(action: FaultActionSpec | McpFaultActionSpec, tuning: MethodTuning) {
  if (tuning.failureRate === undefined) return action.fault;
  const spec: Record<string, unknown> = { ...action.fault, probability: tuning.failureRate };
  delete spec.toxicity;
  return spec;
}

/**
 * Splits the method by where each action acts and builds the chaos of its runs: every fault
 * action becomes a created fault that fires only inside its window (offsets from each run's
 * start for `scope: run`, from the method's start at `origin` for `scope: experiment`), and only
 * while the switches allow. MCP faults are windowed on the method's timeline (an MCP proxy
 * outlives runs); so are toxics, which the runner applies itself. @internal
 */
export function planMethod(
  experiment: Experiment,
  tuning: MethodTuning,
  origin: number,
  switches: FaultSwitches,
): MethodPlan {
  const faults: Fault[] = [];
  const faultActions: FaultActionSpec[] = [];
  const mcp: McpFaultInjection[] = [];
  const mcpActions: McpFaultActionSpec[] = [];
  const toxics: ToxicActionSpec[] = [];
  const skipped: SkippedAction[] = [];
  const kept = (kind: string): boolean =>
    tuning.faultKinds === undefined || tuning.faultKinds.has(resolveFaultKind(kind) ?? kind);
  for (const action of experiment.method) {
    if (action.type === 'pause') continue;
    const kind = action.type === 'toxic' ? 'network' : action.fault.kind;
    if (!kept(kind)) {
      skipped.push({ action, reason: `its kind (${kind}) is not among the chaos types chosen` });
      continue;
    }
    if (action.type === 'toxic') {
      toxics.push(action);
      continue;
    }
    const fault = createFault(tunedSpec(action, tuning), `method.${action.name}.fault`);
    if (action.type === 'fault') {
      const window: Window = {
        scope: action.scope,
        fromMs: action.atMs,
        untilMs: untilOf(action.atMs, action.durationMs, tuning.durationMs),
        origin,
      };
      faults.push(windowed(fault, window, () => !switches.inProcess));
      faultActions.push(action);
    } else {
      const window: Window = {
        scope: 'experiment',
        fromMs: action.atMs,
        untilMs: untilOf(action.atMs, action.durationMs, tuning.durationMs),
        origin,
      };
      const server = action.server;
      const enabled = (): boolean =>
        switches.mcp !== true &&
        !(switches.mcp instanceof Set && (server === undefined || switches.mcp.has(server)));
      mcp.push({ action: action.name, server, fault: windowed(fault, window, enabled) });
      mcpActions.push(action);
    }
  }
  const killSwitch = experiment.killSwitch;
  const chaosConfig: BatchChaos = {
    faults,
    killSwitch: {
      errorRate: killSwitch.errorRate,
      unresponsiveMs: killSwitch.unresponsiveMs,
    },
  };
  return { chaos: chaosConfig, faults: faultActions, mcp, mcpActions, toxics, skipped };
}
