import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  assertInteger,
  assertNonNegativeNumber,
  assertRecord,
  invalidOption,
} from '../core/index.ts';
import {
  isFault,
  resolveChaosConfig,
  resolveFaultKind,
  type ChaosConfig,
  type Fault,
  type FaultSpec,
  type ResolvedChaosConfig,
} from '../faults/index.ts';
import { registerMcpFaultKinds, serverWideMcpFaultKinds } from './mcp-fault-kinds.ts';

/** When the chaos proxy restarts an upstream server that has exited (crashed or not). */
export interface McpRestartPolicy {
  /**
   * Restarts allowed over the proxy's life; 0 never restarts (the proxy then ends, and the client
   * sees its connection close).
   * @default 0
   */
  readonly maxRestarts?: number;
  /**
   * Milliseconds between the exit and the restart (requests arriving meanwhile wait).
   * @default 0
   */
  readonly delayMs?: number;
}

/** What a faults file for the MCP chaos proxy holds. */
export interface McpProxyFileConfig {
  /** The chaos config (the file's fields other than `restart`). */
  readonly chaos: ChaosConfig;
  /** The file's `restart` field, if any. */
  readonly restart: McpRestartPolicy | undefined;
}

const owner = 'mcp-proxy config';

/** Matches every request but `initialize`, so that a client can always connect. */
const everyRequestButInitialize = { regex: '^(?!initialize$)' };

function defaultOperation(kind: string): unknown {
  if (kind === 'mcp-tools-list') return ['tools/list', 'tools/call'];
  if (serverWideMcpFaultKinds.includes(kind)) return everyRequestButInitialize;
  return 'tools/call';
}

function withDefaultTarget(spec: unknown): unknown {
  if (isFault(spec) || typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    return spec;
  }
  const fault = spec as FaultSpec;
  const kind = typeof fault.kind === 'string' ? resolveFaultKind(fault.kind) : undefined;
  if (kind === undefined) return spec;
  const target = fault.target;
  if (typeof target === 'object' && (target as { operation?: unknown }).operation !== undefined) {
    return spec;
  }
  const base = typeof target === 'object' ? target : {};
  return { ...fault, target: { ...base, operation: defaultOperation(kind) } };
}

/**
 * Validates a chaos config for the MCP chaos proxy, with the proxy's defaults:
 *
 * - `enabled` defaults to `true` (a proxy given faults is meant to inject them);
 * - a fault whose target names no `operation` applies to `tools/call` requests, except
 *   `mcp-tools-list` (`tools/list`, and `tools/call` for removed tools) and the server-wide kinds
 *   `mcp-unavailable`, `mcp-crash`, `mcp-disconnect` (every request but `initialize`).
 *
 * The operation of a request is its JSON-RPC method (`tools/call`, `resources/read`, ...); a
 * `tools/call` also has a `tool`. Throws `InvalidOptionError` naming the field for anything wrong.
 *
 * @example
 * ```ts
 * resolveMcpChaosConfig({
 *   seed: 7,
 *   faults: [
 *     { kind: 'mcp-tool-error', probability: 0.2, target: { tool: 'read_*' } },
 *     { kind: 'latency', ms: 300, probability: 0.5 },
 *   ],
 * });
 * ```
 */
export function resolveMcpChaosConfig(config: ChaosConfig): ResolvedChaosConfig {
  registerMcpFaultKinds();
  const raw = assertRecord(owner, 'config', config) as ChaosConfig;
  const faults: unknown[] = Array.isArray(raw.faults) ? [...(raw.faults as unknown[])] : [];
  if (Array.isArray(raw.types)) {
    const present = new Set(
      faults.map((f) => {
        const kind = isFault(f) ? f.kind : (f as { kind?: unknown } | null)?.kind;
        return typeof kind === 'string' ? resolveFaultKind(kind) : undefined;
      }),
    );
    for (const type of raw.types as unknown[]) {
      const kind = typeof type === 'string' ? resolveFaultKind(type) : undefined;
      if (kind !== undefined && !present.has(kind)) {
        present.add(kind);
        faults.push({ kind });
      }
    }
  }
  const adjusted = {
    ...raw,
    enabled: raw.enabled ?? true,
    ...(raw.faults === undefined && faults.length === 0
      ? {}
      : { faults: faults.map(withDefaultTarget) as (FaultSpec | Fault)[] }),
  };
  return resolveChaosConfig(adjusted);
}

/** Validates a {@link McpRestartPolicy}; `undefined` and `false` mean never restart. */
export function resolveRestartPolicy(
  policy: McpRestartPolicy | boolean | undefined,
  path = 'restart',
): Required<McpRestartPolicy> {
  if (policy === undefined || policy === false) return { maxRestarts: 0, delayMs: 0 };
  if (policy === true) return { maxRestarts: Infinity, delayMs: 0 };
  const record = assertRecord(owner, path, policy);
  for (const key of Object.keys(record)) {
    if (key !== 'maxRestarts' && key !== 'delayMs') {
      invalidOption(
        owner,
        `${path}.${key}`,
        record[key],
        "absent (known: 'maxRestarts', 'delayMs')",
      );
    }
  }
  const max = record.maxRestarts ?? 0;
  const maxRestarts =
    max === Infinity ? Infinity : assertInteger(owner, `${path}.maxRestarts`, max);
  const delayMs = assertNonNegativeNumber(owner, `${path}.delayMs`, record.delayMs ?? 0);
  return { maxRestarts, delayMs };
}

/**
 * Reads a faults file for the MCP chaos proxy: YAML (`.yaml`, `.yml`) or JSON,
 * holding a chaos config plus an optional `restart` policy. The chaos part is validated with
 * {@link resolveMcpChaosConfig}; errors name the file and the field.
 *
 * @example
 * ```json
 * { "seed": 42,
 *   "restart": { "maxRestarts": 3, "delayMs": 200 },
 *   "faults": [
 *     { "kind": "mcp-tool-error", "probability": 0.1 },
 *     { "kind": "hang", "probability": 0.05, "target": { "tool": "search" } },
 *     { "kind": "mcp-crash", "probability": 0.01 } ] }
 * ```
 */
export async function loadMcpProxyConfig(path: string): Promise<McpProxyFileConfig> {
  const text = await readFile(path, 'utf8');
  const extension = extname(path).toLowerCase();
  let parsed: unknown;
  try {
    parsed =
      extension === '.yaml' || extension === '.yml'
        ? (parseYaml(text) as unknown)
        : (JSON.parse(text) as unknown);
  } catch (error) {
    throw new Error(
      `${path}: not valid ${extension === '.yaml' || extension === '.yml' ? 'YAML' : 'JSON'}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    invalidOption(owner, path, parsed, 'an object (a chaos config)');
  }
  const { restart, ...chaos } = parsed as Record<string, unknown>;
  const policy =
    restart === undefined
      ? undefined
      : resolveRestartPolicy(restart as McpRestartPolicy | boolean, 'restart');
  try {
    resolveMcpChaosConfig(chaos);
  } catch (error) {
    if (error instanceof Error) error.message = `${path}: ${error.message}`;
    throw error;
  }
  return { chaos: chaos, restart: policy };
}
