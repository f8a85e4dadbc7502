import type { JsonValue } from '../core/index.ts';
import { ProxyApiError } from './api-error.ts';
import type { ToxicStream, ToxicType } from './client/types.ts';

/** How one toxic attribute is validated, and its default. */
export type AttributeSpec =
  | { readonly type: 'int'; readonly default: number; readonly min: number; readonly max?: number }
  | {
      readonly type: 'number';
      readonly default: number;
      readonly min: number;
      readonly max: number;
    }
  | { readonly type: 'string'; readonly default: string; readonly maxLength: number }
  | { readonly type: 'enum'; readonly default: string; readonly values: readonly string[] }
  | { readonly type: 'json'; readonly default: JsonValue };

/**
 * Where a toxic acts: `tcp` toxics are stages of a direction's chain, `connect` toxics act when a
 * connection opens, `http` toxics act on requests and responses of HTTP proxies.
 */
export type ToxicKind = 'tcp' | 'connect' | 'http';

/** A toxic type: where it acts and its attributes in output order. */
export interface ToxicTypeSpec {
  readonly kind: ToxicKind;
  readonly attributes: Readonly<Record<string, AttributeSpec>>;
}

const ms = (d = 0): AttributeSpec => ({ type: 'int', default: d, min: 0, max: 86_400_000 });
const int = (d: number, min = 0, max = Number.MAX_SAFE_INTEGER): AttributeSpec => ({
  type: 'int',
  default: d,
  min,
  max,
});
const match = {
  method: { type: 'string', default: '', maxLength: 32 },
  path: { type: 'string', default: '', maxLength: 2048 },
  probability: { type: 'number', default: 1, min: 0, max: 1 },
} as const satisfies Record<string, AttributeSpec>;
const cutMode = (d: 'close' | 'end'): AttributeSpec => ({
  type: 'enum',
  default: d,
  values: ['close', 'end'],
});

/** Every toxic type, with Toxiproxy's attribute names and units for the ones it has. */
export const toxicTypes: Readonly<Record<ToxicType, ToxicTypeSpec>> = {
  latency: { kind: 'tcp', attributes: { latency: ms(), jitter: ms() } },
  bandwidth: { kind: 'tcp', attributes: { rate: int(0) } },
  slow_close: { kind: 'tcp', attributes: { delay: ms() } },
  timeout: { kind: 'tcp', attributes: { timeout: ms() } },
  reset_peer: { kind: 'tcp', attributes: { timeout: ms() } },
  slicer: {
    kind: 'tcp',
    attributes: { average_size: int(0), size_variation: int(0), delay: int(0, 0, 86_400_000_000) },
  },
  limit_data: { kind: 'tcp', attributes: { bytes: int(0) } },
  noop: { kind: 'tcp', attributes: {} },
  connect_delay: { kind: 'connect', attributes: { delay: ms() } },
  packet_loss: {
    kind: 'tcp',
    attributes: { probability: { type: 'number', default: 0, min: 0, max: 1 }, stall: ms(200) },
  },
  proxy_bandwidth: { kind: 'tcp', attributes: { rate: int(0) } },
  http_status: {
    kind: 'http',
    attributes: {
      ...match,
      status: int(503, 100, 599),
      retry_after: int(0, 0, 86_400),
      retry_after_ms: ms(),
      body: { type: 'string', default: '', maxLength: 65_536 },
      content_type: { type: 'string', default: 'application/json', maxLength: 256 },
    },
  },
  http_truncate: { kind: 'http', attributes: { ...match, bytes: int(0) } },
  http_invalid_json: { kind: 'http', attributes: { ...match } },
  http_corrupt_field: {
    kind: 'http',
    attributes: {
      ...match,
      field: { type: 'string', default: '', maxLength: 1024 },
      value: { type: 'json', default: null },
    },
  },
  http_slow_ttfb: { kind: 'http', attributes: { ...match, delay: ms() } },
  sse_cut: { kind: 'http', attributes: { ...match, events: int(1), mode: cutMode('close') } },
  http_stall: {
    kind: 'http',
    attributes: { ...match, events: int(1), bytes: int(0), duration: ms() },
  },
  openai_rate_limit: {
    kind: 'http',
    attributes: { ...match, retry_after_ms: ms(1000), limit: int(500, 1) },
  },
  openai_context_length: {
    kind: 'http',
    attributes: { ...match, max_tokens: int(128_000, 1), requested_tokens: int(0) },
  },
  openai_overloaded: { kind: 'http', attributes: { ...match, status: int(503, 400, 599) } },
  openai_bad_tool_args: { kind: 'http', attributes: { ...match } },
  openai_stream_no_done: { kind: 'http', attributes: { ...match, mode: cutMode('end') } },
};

/** True when `type` is a known toxic type. */
export function isToxicType(type: unknown): type is ToxicType {
  return typeof type === 'string' && Object.hasOwn(toxicTypes, type);
}

/** A toxic installed on a proxy: the mutable record every connection's chain refers to. */
export interface ToxicEntry {
  readonly name: string;
  readonly type: ToxicType;
  readonly stream: ToxicStream;
  readonly kind: ToxicKind;
  toxicity: number;
  attributes: Record<string, JsonValue>;
  /** Bumped on every update, so links notice. */
  version: number;
}

function describe(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

function checkAttribute(type: string, key: string, spec: AttributeSpec, value: unknown): JsonValue {
  const bad = (expected: string): never => {
    throw new ProxyApiError(
      'badRequestBody',
      `attribute '${key}' of a ${type} toxic must be ${expected}, got ${describe(value)}`,
    );
  };
  switch (spec.type) {
    case 'int': {
      const max = spec.max ?? Number.MAX_SAFE_INTEGER;
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < spec.min ||
        value > max
      ) {
        bad(`an integer from ${spec.min} to ${max}`);
      }
      return value as number;
    }
    case 'number':
      if (typeof value !== 'number' || !(value >= spec.min && value <= spec.max)) {
        bad(`a number from ${spec.min} to ${spec.max}`);
      }
      return value as number;
    case 'string':
      if (typeof value !== 'string' || value.length > spec.maxLength) {
        bad(`a string of at most ${spec.maxLength} characters`);
      }
      return value as string;
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        bad(`one of ${spec.values.map((v) => `"${v}"`).join(', ')}`);
      }
      return value as string;
    case 'json':
      return value as JsonValue;
  }
}

/**
 * Validates `input` against the attributes of `type`, starting from `base` (the current values
 * on update, the defaults on create). Unknown attributes are ignored, as Toxiproxy ignores them;
 * `null` keeps the base.
 */
export function checkAttributes(
  type: ToxicType,
  input: unknown,
  base?: Readonly<Record<string, JsonValue>>,
): Record<string, JsonValue> {
  const spec = toxicTypes[type];
  if (
    input !== undefined &&
    input !== null &&
    (typeof input !== 'object' || Array.isArray(input))
  ) {
    throw new ProxyApiError(
      'badRequestBody',
      `attributes must be a JSON object, got ${describe(input)}`,
    );
  }
  const given = (input ?? {}) as Record<string, unknown>;
  const result: Record<string, JsonValue> = {};
  for (const [key, attribute] of Object.entries(spec.attributes)) {
    const value = Object.hasOwn(given, key) ? given[key] : undefined;
    result[key] =
      value === undefined
        ? (base?.[key] ?? attribute.default)
        : checkAttribute(type, key, attribute, value);
  }
  if (type === 'http_corrupt_field' && result['field'] === '') {
    throw new ProxyApiError('missingField', 'attributes.field of an http_corrupt_field toxic');
  }
  return result;
}

const NAME_MAX = 256;

function checkName(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > NAME_MAX) {
    throw new ProxyApiError(
      'badRequestBody',
      `${what} must be a string of at most ${NAME_MAX} characters, got ${describe(value)}`,
    );
  }
  return value;
}

function asObject(body: unknown, what: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ProxyApiError(
      'badRequestBody',
      `${what} must be a JSON object, got ${describe(body)}`,
    );
  }
  return body as Record<string, unknown>;
}

function checkToxicity(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new ProxyApiError(
      'badRequestBody',
      `toxicity must be a number from 0 to 1, got ${describe(value)}`,
    );
  }
  return value;
}

/**
 * Turns a toxic-creation body into a {@link ToxicEntry}, checking in Toxiproxy's order: body
 * shape, stream, type, then attributes. (Duplicate names are the registry's to check.)
 */
export function parseToxicInput(body: unknown): ToxicEntry {
  const input = asObject(body, 'a toxic');
  const streamValue = input['stream'] ?? 'downstream';
  const stream =
    typeof streamValue === 'string' ? streamValue.toLowerCase() : (undefined as unknown);
  if (stream !== 'upstream' && stream !== 'downstream') {
    throw new ProxyApiError('invalidStream');
  }
  const type = input['type'];
  const name = checkName(input['name'], 'name') || `${String(type)}_${stream}`;
  if (!isToxicType(type)) {
    throw new ProxyApiError(
      'invalidToxicType',
      typeof type === 'string' ? JSON.stringify(type.slice(0, 64)) : 'type is missing',
    );
  }
  const toxicity = checkToxicity(input['toxicity'], 1);
  const attributes = checkAttributes(type, input['attributes']);
  return {
    name,
    type,
    stream,
    kind: toxicTypes[type].kind,
    toxicity,
    attributes,
    version: 0,
  };
}

/** Validates a toxic-update body against `entry`; returns the new toxicity and attributes. */
export function parseToxicUpdate(
  body: unknown,
  entry: ToxicEntry,
): { toxicity: number; attributes: Record<string, JsonValue> } {
  const input = asObject(body, 'a toxic update');
  return {
    toxicity: checkToxicity(input['toxicity'], entry.toxicity),
    attributes: checkAttributes(entry.type, input['attributes'], entry.attributes),
  };
}
