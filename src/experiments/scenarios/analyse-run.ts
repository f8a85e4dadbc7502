import type { AgentErrorSummary, AgentEvent, WorkflowRunResult } from '../../agents/index.ts';
import type { InjectionRecord } from '../../faults/index.ts';
import type { ObservedRun, PolicyEventRecord } from './types.ts';

/**
 * A failure the system noticed: the injections that hit one agent (or the run, for a site
 * without an agent), from the failure to its detection and, when it came, the recovery. An
 * injection nothing reacted to (a slow answer that was simply waited for) is no incident.
 */
export interface Incident {
  /** The agent the faults hit (`product`, `marketing`), or `(run)` for sites without one. */
  readonly agent: string;
  /** Names of the faults that fired on it. */
  readonly faults: readonly string[];
  /** Their kinds. */
  readonly kinds: readonly string[];
  /** Applied injections on it. */
  readonly injections: number;
  /** When the first injection fired (ms since the run started). */
  readonly injectedAtMs: number;
  /**
   * When the failure happened: the first injection, except for a crash at N% progress, which
   * happens when the agent gets that far (the moment the crash surfaced).
   */
  readonly atMs: number;
  /** The system's first reaction (a retry, timeout, restart, rejection, fallback, refusal, ...). */
  readonly detectedAtMs: number;
  /** `detectedAtMs - atMs`. */
  readonly detectionMs: number;
  /** When the agent completed its task after the failure; `undefined` when it never did. */
  readonly recoveredAtMs: number | undefined;
  /** The reactions seen, in order (`retry`, `supervisor-restart`, `handoff-rejected`, ...). */
  readonly reactions: readonly string[];
  /** Retries made while the incident lasted, in order. */
  readonly retries: readonly PolicyEventRecord[];
  /** The agent restored another agent's checkpoint (peer context) to recover. */
  readonly usedPeerContext: boolean;
  /**
   * How much of the checkpointed progress the resumed agent got back, 0..1: the progress of the
   * checkpoint it restored over that of the last checkpoint saved before the failure.
   * `undefined` when it did not restore one.
   */
  readonly reconstructionAccuracy: number | undefined;
}

/** A failure detector's verdict on an agent a fault hit directly (`agent:<name>`). */
export interface LivenessVerdict {
  readonly agent: string;
  /** The system treated the agent as dead (restarted it, or gave up on it). */
  readonly declaredDead: boolean;
  /** The agent really failed (a crash or hang), as opposed to being slow. */
  readonly actuallyDead: boolean;
}

/** How an agent fared in the run. */
export type AgentOutcome = 'completed' | 'failed' | 'skipped' | 'not-run';

/** One run, read for judging: what failed, what the system did, and what state it left. */
export interface RunAnalysis {
  readonly run: ObservedRun;
  readonly status: 'completed' | 'failed';
  readonly crashed: boolean;
  readonly degraded: boolean;
  readonly durationMs: number;
  /** The innermost error the caller got (`rootError`, else `error`), when the run failed. */
  readonly error: AgentErrorSummary | undefined;
  /** The agent whose step failed, when one did. */
  readonly failedAgent: string | undefined;
  /** Each agent's final state, by name (the last segment of its path); absent: `not-run`. */
  readonly agents: ReadonlyMap<string, AgentOutcome>;
  /** Applied injections (masked ones left out). */
  readonly injections: readonly InjectionRecord[];
  readonly incidents: readonly Incident[];
  /** The slowest detection of the run's incidents; `undefined` without incidents. */
  readonly detectionMs: number | undefined;
  readonly policyEvents: readonly PolicyEventRecord[];
  /** Supervisor restarts per agent. */
  readonly restarts: ReadonlyMap<string, number>;
  readonly healed: number;
  readonly healingFailed: number;
  readonly escalations: number;
  readonly handoffRejections: number;
  /** Notes starting with `fallback`, with their reason. */
  readonly fallbacks: readonly { readonly note: string; readonly reason: string }[];
  /** Side effects executed and replayed from the ledger. */
  readonly sideEffects: { readonly executed: number; readonly replayed: number };
  /** Keys of side effects executed more than once (work done twice). */
  readonly duplicateSideEffects: readonly string[];
  /** Keys of side effects executed at least once. */
  readonly executedSideEffects: ReadonlySet<string>;
  /** Duplicate writes the system's own stores detected (`stats.tools.duplicates`), if it reports them. */
  readonly duplicateWrites: number | undefined;
  readonly corruptCheckpoints: number;
  /** Tokens spent (`stats.tokens`), if the system reports them. */
  readonly tokens: number | undefined;
  readonly liveness: readonly LivenessVerdict[];
}

const policyReactions = new Set<string>([
  'retry',
  'retry-give-up',
  'timeout',
  'circuit-break',
  'circuit-rejected',
  'loop-detected',
  'budget-exceeded',
  'bulkhead-rejected',
  'fallback',
]);

/** The agent's name: the last segment of its path (`orchestrator/product` → `product`). */
export function agentName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? path : path.slice(slash + 1);
}

function record(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null
    ? (value as Readonly<Record<string, unknown>>)
    : undefined;
}

function summaryOf(value: unknown): AgentErrorSummary | undefined {
  const r = record(value);
  return r !== undefined && typeof r.name === 'string' && typeof r.message === 'string'
    ? (value as AgentErrorSummary)
    : undefined;
}

/** The agent an agent event is a reaction for, if it is a reaction at all. */
function reactionAgent(event: AgentEvent): string | undefined {
  switch (event.type) {
    case 'supervisor-restart':
    case 'supervisor-escalated':
    case 'agent-failed':
    case 'checkpoint-corrupt':
      return agentName(event.agent);
    case 'handoff-rejected':
      return event.to;
    case 'step-failed':
      return event.stepAgent;
    case 'note':
      return event.note.startsWith('fallback') ? agentName(event.agent) : undefined;
    default:
      return undefined;
  }
}

function injectedError(event: AgentEvent): boolean {
  if (event.type === 'supervisor-restart') return event.reason.injected;
  if (event.type === 'agent-failed') return event.error.injected;
  return false;
}

interface Group {
  readonly agent: string;
  readonly records: InjectionRecord[];
}

function incidentOf(
  group: Group,
  events: readonly AgentEvent[],
  policy: readonly PolicyEventRecord[],
  runEndMs: number,
): Incident | undefined {
  const { agent, records } = group;
  const first = records[0];
  if (first === undefined) return undefined;
  const start = first.time;
  let end = runEndMs;
  let completedAt: number | undefined;
  let lastStatus: AgentOutcome = 'not-run';
  if (agent !== '(run)') {
    for (const e of events) {
      if (agentName(e.agent) !== agent) continue;
      if (e.type === 'agent-completed' || e.type === 'agent-failed' || e.type === 'agent-skipped') {
        end = e.elapsedMs;
        lastStatus = e.type === 'agent-failed' ? 'failed' : 'completed';
        if (e.type !== 'agent-failed') completedAt = e.elapsedMs;
      }
    }
  } else {
    const last = events.at(-1);
    if (last?.type === 'run-completed') {
      lastStatus = 'completed';
      completedAt = last.elapsedMs;
    }
  }
  const reactions: { at: number; type: string; crash: boolean }[] = [];
  for (const e of events) {
    if (e.elapsedMs < start || e.elapsedMs > end) continue;
    const target = reactionAgent(e);
    if (target === undefined || (agent !== '(run)' && target !== agent)) continue;
    reactions.push({ at: e.elapsedMs, type: e.type, crash: injectedError(e) });
  }
  const retries: PolicyEventRecord[] = [];
  for (const p of policy) {
    if (p.elapsedMs < start || p.elapsedMs > end) continue;
    reactions.push({ at: p.elapsedMs, type: p.type, crash: false });
    if (p.type === 'retry') retries.push(p);
  }
  if (reactions.length === 0) return undefined;
  reactions.sort((a, b) => a.at - b.at);
  const detected = reactions[0] as { at: number };
  const crashAt = first.effect.type === 'crash-at';
  const atMs = crashAt ? (reactions.find((r) => r.crash)?.at ?? detected.at) : start;
  const recoveredAtMs =
    lastStatus === 'completed' && completedAt !== undefined && completedAt >= detected.at
      ? completedAt
      : undefined;
  const until = recoveredAtMs ?? end;
  let usedPeerContext = false;
  let accuracy: number | undefined;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as AgentEvent;
    if (e.type !== 'checkpoint-restored' || agentName(e.agent) !== agent) continue;
    if (e.elapsedMs < atMs || e.elapsedMs > until) continue;
    if (e.peer) {
      usedPeerContext = true;
      continue;
    }
    if (accuracy !== undefined) continue;
    // The truth: the last checkpoint saved under the same key before the failure.
    let saved: { seq: number; progress: number | undefined } | undefined;
    for (let j = 0; j < i; j++) {
      const s = events[j] as AgentEvent;
      if (s.type === 'checkpoint-saved' && s.key === e.key && s.elapsedMs <= atMs) saved = s;
    }
    if (saved === undefined) accuracy = 1;
    else if (saved.seq === e.seq) accuracy = 1;
    else if (saved.progress !== undefined && e.progress !== undefined && saved.progress > 0) {
      accuracy = Math.min(1, e.progress / saved.progress);
    } else accuracy = 0;
  }
  return {
    agent,
    faults: [...new Set(records.map((r) => r.fault))],
    kinds: [...new Set(records.map((r) => r.kind))],
    injections: records.length,
    injectedAtMs: start,
    atMs,
    detectedAtMs: detected.at,
    detectionMs: Math.max(0, detected.at - atMs),
    recoveredAtMs,
    reactions: reactions.map((r) => r.type),
    retries,
    usedPeerContext,
    reconstructionAccuracy: accuracy,
  };
}

function livenessOf(
  injections: readonly InjectionRecord[],
  events: readonly AgentEvent[],
): LivenessVerdict[] {
  const verdicts: LivenessVerdict[] = [];
  const byAgent = new Map<string, { first: number; dead: boolean }>();
  for (const r of injections) {
    const agent = r.target.agent;
    if (agent === undefined || r.target.operation !== `agent:${agent}`) continue;
    const seen = byAgent.get(agent);
    const dead = r.effect.type !== 'delay';
    if (seen === undefined) byAgent.set(agent, { first: r.time, dead });
    else seen.dead ||= dead;
  }
  for (const [agent, { first, dead }] of byAgent) {
    const declaredDead = events.some(
      (e) =>
        (e.type === 'supervisor-restart' || e.type === 'agent-failed') &&
        agentName(e.agent) === agent &&
        e.elapsedMs >= first,
    );
    verdicts.push({ agent, declaredDead, actuallyDead: dead });
  }
  return verdicts;
}

/**
 * Reads one observed run for judging: groups its injections into incidents (per agent, from the
 * failure to the first reaction of the system and to the agent's recovery), counts restarts,
 * healings, retries, fallbacks and side effects, and finds work done twice. Only the generic
 * `WorkflowRunResult` is required; `rootError`, `failedAgent` and `stats` are used when the
 * system reports them (the e-commerce example does).
 */
export function analyseRun(run: ObservedRun): RunAnalysis {
  const result: WorkflowRunResult & Readonly<Record<string, unknown>> = run.result as never;
  const events = result.events;
  const injections = run.injections.filter((r) => r.outcome === 'injected');
  const policyEvents = run.policyEvents.filter((p) => policyReactions.has(p.type));

  const groups = new Map<string, Group>();
  for (const r of injections) {
    const agent = r.target.agent ?? '(run)';
    let group = groups.get(agent);
    if (group === undefined) {
      group = { agent, records: [] };
      groups.set(agent, group);
    }
    group.records.push(r);
  }
  const incidents: Incident[] = [];
  for (const group of groups.values()) {
    const incident = incidentOf(group, events, policyEvents, result.durationMs);
    if (incident !== undefined) incidents.push(incident);
  }
  incidents.sort((a, b) => a.atMs - b.atMs);

  const agents = new Map<string, AgentOutcome>();
  const restarts = new Map<string, number>();
  let healed = 0;
  let healingFailed = 0;
  let escalations = 0;
  let handoffRejections = 0;
  let corruptCheckpoints = 0;
  let failedStep: string | undefined;
  const fallbacks: { note: string; reason: string }[] = [];
  const executed = new Map<string, number>();
  let replayed = 0;
  for (const e of events) {
    switch (e.type) {
      case 'agent-completed':
        agents.set(agentName(e.agent), 'completed');
        break;
      case 'agent-failed':
        agents.set(agentName(e.agent), 'failed');
        break;
      case 'agent-skipped':
        agents.set(agentName(e.agent), 'skipped');
        break;
      case 'supervisor-restart': {
        const name = agentName(e.agent);
        restarts.set(name, (restarts.get(name) ?? 0) + 1);
        break;
      }
      case 'supervisor-healed':
        healed++;
        break;
      case 'supervisor-healing-failed':
        healingFailed++;
        break;
      case 'supervisor-escalated':
        escalations++;
        break;
      case 'handoff-rejected':
        handoffRejections++;
        break;
      case 'checkpoint-corrupt':
        corruptCheckpoints++;
        break;
      case 'step-failed':
        failedStep ??= e.stepAgent;
        break;
      case 'note':
        if (e.note.startsWith('fallback')) {
          const reason = record(e.data)?.reason;
          fallbacks.push({ note: e.note, reason: typeof reason === 'string' ? reason : '' });
        }
        break;
      case 'side-effect':
        if (e.outcome === 'executed') executed.set(e.key, (executed.get(e.key) ?? 0) + 1);
        else replayed++;
        break;
      default:
        break;
    }
  }
  let executedCount = 0;
  const duplicates: string[] = [];
  for (const [key, n] of executed) {
    executedCount += n;
    if (n > 1) duplicates.push(key);
  }
  const stats = record(result.stats);
  const duplicateWrites = record(stats?.tools)?.duplicates;
  const tokens = stats?.tokens;
  const failedAgent = result.failedAgent;
  let detectionMs: number | undefined;
  for (const incident of incidents) {
    detectionMs = Math.max(detectionMs ?? 0, incident.detectionMs);
  }
  return {
    run,
    status: result.status,
    crashed: result.crashed,
    degraded: result.degraded,
    durationMs: result.durationMs,
    error: result.status === 'failed' ? (summaryOf(result.rootError) ?? result.error) : undefined,
    failedAgent: typeof failedAgent === 'string' ? failedAgent : failedStep,
    agents,
    injections,
    incidents,
    detectionMs,
    policyEvents,
    restarts,
    healed,
    healingFailed,
    escalations,
    handoffRejections,
    fallbacks,
    sideEffects: { executed: executedCount, replayed },
    duplicateSideEffects: duplicates,
    executedSideEffects: new Set(executed.keys()),
    duplicateWrites: typeof duplicateWrites === 'number' ? duplicateWrites : undefined,
    corruptCheckpoints,
    tokens: typeof tokens === 'number' ? tokens : undefined,
    liveness: livenessOf(injections, events),
  };
}
