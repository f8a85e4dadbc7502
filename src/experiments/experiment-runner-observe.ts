import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { channelNames } from '../core/index.ts';

/** One diagnostics-channel message logged into an experiment's journal. */
export interface LogEntry {
  /** Milliseconds since the experiment started, on its clock. */
  readonly atMs: number;
  readonly channel: string;
  /** The emitting component's name (a policy's, a scope's), when it has one. */
  readonly source: string | null;
  /** The event, as JSON (errors as `{ name, message, code }`). */
  readonly event: unknown;
}

/** The logs an experiment recorded during its method. */
export interface LogRecord {
  /** The first `maxLogEntries` messages. */
  readonly entries: readonly LogEntry[];
  /** Messages per channel, all of them counted. */
  readonly counts: Readonly<Record<string, number>>;
  /** Messages not kept (over `maxLogEntries`). */
  readonly dropped: number;
}

function globToRegExp(pattern: string): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`);
}

/** The channels a list of `observe.logs` names: globs expand over faultline's channels. @internal */
export function channelsOf(patterns: readonly string[]): string[] {
  const all = Object.values(channelNames) as string[];
  const out = new Set<string>();
  for (const pattern of patterns) {
    if (pattern.includes('*') || pattern.includes('?')) {
      const regex = globToRegExp(pattern);
      for (const name of all) if (regex.test(name)) out.add(name);
    } else out.add(pattern);
  }
  return [...out].sort();
}

/** A JSON copy of a channel event: errors by name and message, no functions, depth-limited. @internal */
export function toJson(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return String(value);
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol')
    return undefined;
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: value.name,
      message: value.message,
      ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    };
  }
  if (depth >= 6) return '[…]';
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => toJson(v, depth + 1) ?? null);
  if (value instanceof Map) return toJson(Object.fromEntries(value), depth);
  if (value instanceof Set) return toJson([...value], depth);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const json = toJson(v, depth + 1);
    if (json !== undefined) out[key] = json;
  }
  return out;
}

/**
 * Logs the messages of `channels` while active: the first `max` in full, every one counted.
 * @internal
 */
export function observeLogs(
  channels: readonly string[],
  max: number,
  now: () => number,
): { stop(): LogRecord } {
  const entries: LogEntry[] = [];
  const counts: Record<string, number> = {};
  let dropped = 0;
  const listeners: [string, (message: unknown) => void][] = [];
  for (const channel of channels) {
    const listener = (message: unknown): void => {
      counts[channel] = (counts[channel] ?? 0) + 1;
      if (entries.length >= max) {
        dropped++;
        return;
      }
      const m = message as { source?: unknown; event?: unknown } | null;
      const wrapped = typeof m === 'object' && m !== null && 'event' in m;
      entries.push({
        atMs: now(),
        channel,
        source: wrapped && typeof m.source === 'string' ? m.source : null,
        event: toJson(wrapped ? m.event : message) ?? null,
      });
    };
    subscribe(channel, listener);
    listeners.push([channel, listener]);
  }
  let record: LogRecord | undefined;
  return {
    stop() {
      if (record === undefined) {
        for (const [channel, listener] of listeners) unsubscribe(channel, listener);
        record = { entries, counts, dropped };
      }
      return record;
    },
  };
}
