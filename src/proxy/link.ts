import type { Socket } from 'node:net';
import type { Clock, Random } from '../core/index.ts';
import type { ToxicStream } from './client/types.ts';
import type { ToxicEntry } from './toxic-schema.ts';
import {
  createStage,
  type EndKind,
  type StageContext,
  type StageTarget,
  type ToxicStage,
} from './toxics/index.ts';

/** A socket's pause switch shared by everyone who may need it paused; paused while any bit is set. */
export class Valve {
  readonly #socket: Socket;
  #reasons = 0;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  set(bit: number, on: boolean): void {
    const before = this.#reasons;
    const after = on ? before | bit : before & ~bit;
    if (after === before) return;
    this.#reasons = after;
    if (before === 0) this.#socket.pause();
    else if (after === 0 && !this.#socket.destroyed) this.#socket.resume();
  }

  get paused(): boolean {
    return this.#reasons !== 0;
  }
}

/** What a {@link Link} needs from its connection. */
export interface LinkHost {
  readonly clock: Clock;
  /** The connection's random stream. */
  random(): Random;
  /** A toxic closed the connection and that close reached this link's socket. */
  close(): void;
  /** A toxic resets the connection. */
  reset(): void;
  /** True once the connection is being torn down. */
  readonly closing: boolean;
}

/** Bit of a socket's {@link Valve} that a link sets while its output is congested. */
export const LINK_PRESSURE = 1;

/** Bytes a chain may hold before the link stops reading its source. */
const HIGH_WATER = 1024 * 1024;

interface StageRecord {
  readonly entry: ToxicEntry;
  readonly stage: ToxicStage;
  version: number;
}

interface Draw {
  toxicity: number;
  applies: boolean;
}

const nowhere: StageTarget = {
  write() {
    // Dropped: the connection is gone.
  },
  end() {
    // Dropped: the connection is gone.
  },
};

/**
 * One direction of a connection: bytes from `source` to `dest`, through the toxics of that
 * direction.
 *
 * ```
 *            direct (no toxic applies): source.pipe(dest), no per-chunk work here
 *  source ─┬──────────────────────────────────────────────────────────────────▶ dest
 *          │  chain (some toxic applies)
 *          └─▶ write() ─▶ [stage 1] ─▶ [stage 2] ─▶ … ─▶ sink ─▶ dest.write()
 *                          latency     bandwidth             │
 *                                                            └ pauses source when dest is
 *                                                              congested or the chain holds
 *                                                              more than 1 MiB
 * ```
 *
 * Switching modes never loses or reorders bytes: going to the chain, `unpipe` leaves unread
 * bytes in the source's buffer and written ones ahead in dest's; going back to direct happens
 * only once the chain holds nothing. Removing a stage flushes what it holds to its successor.
 * An HTTP proxy's links are fed by the HTTP exchange (`feed: 'external'`) and never pipe.
 */
export class Link {
  readonly direction: ToxicStream;
  readonly #host: LinkHost;
  readonly #source: Socket;
  readonly #dest: Socket;
  readonly #valve: Valve;
  readonly #feedFromSource: boolean;
  #mode: 'idle' | 'direct' | 'chain' = 'idle';
  #records: StageRecord[] = [];
  #head: StageTarget;
  readonly #draws = new Map<ToxicEntry, Draw>();
  #held = 0;
  #blocked = false;
  /** The end of the stream entered the link. */
  #ended = false;
  /** The end reached the sink (dest ended, or the connection closed). */
  #finished = false;
  #halted = false;
  #random: Random | undefined;
  readonly #ctx: StageContext;
  readonly #sink: StageTarget;

  constructor(
    host: LinkHost,
    direction: ToxicStream,
    source: Socket,
    dest: Socket,
    valve: Valve,
    feed: 'source' | 'external',
  ) {
    this.#host = host;
    this.direction = direction;
    this.#source = source;
    this.#dest = dest;
    this.#valve = valve;
    this.#feedFromSource = feed === 'source';
    this.#sink = {
      write: (chunk) => {
        this.#held -= chunk.length;
        this.#toDest(chunk);
      },
      end: (kind) => {
        this.#finish(kind);
      },
    };
    this.#head = this.#sink;
    this.#ctx = {
      clock: host.clock,
      random: () => (this.#random ??= host.random().fork(direction)),
      discard: (bytes) => {
        this.#held -= bytes;
        this.#relieve();
      },
      reset: () => {
        host.reset();
      },
    };
  }

  /** `direct` while piping, `chain` while toxics apply (or an HTTP exchange feeds it). */
  get mode(): 'idle' | 'direct' | 'chain' {
    return this.#mode;
  }

  /** True once the end of the stream entered the link. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Number of toxics applied to this direction of this connection. */
  get toxicCount(): number {
    return this.#records.length;
  }

  /** Starts moving data, with the toxics of `entries` that apply. */
  start(entries: readonly ToxicEntry[]): void {
    this.sync(entries);
    if (!this.#feedFromSource) {
      this.#mode = 'chain';
    } else if (this.#records.length === 0) {
      this.#toDirect();
    } else {
      this.#mode = 'chain';
      this.#source.on('data', this.#onData);
      this.#source.on('end', this.#onEnd);
    }
  }

  /** Brings the chain in line with the proxy's toxics (called on every toxic change). */
  sync(entries: readonly ToxicEntry[]): void {
    if (this.#halted) return;
    const wanted: ToxicEntry[] = [];
    for (const entry of entries) {
      if (entry.kind === 'tcp' && entry.stream === this.direction && this.#applies(entry)) {
        wanted.push(entry);
      }
    }
    const old = this.#records;
    if (wanted.length === 0 && old.length === 0) return;
    const kept = new Map<ToxicEntry, StageRecord>();
    for (const record of old) kept.set(record.entry, record);
    const records: StageRecord[] = [];
    for (const entry of wanted) {
      let record = kept.get(entry);
      if (record === undefined) {
        record = {
          entry,
          stage: createStage(entry, this.#ctx, this.#sink),
          version: entry.version,
        };
      } else {
        kept.delete(entry);
      }
      records.push(record);
    }
    for (let i = 0; i < records.length; i++) {
      (records[i] as StageRecord).stage.next = records[i + 1]?.stage ?? this.#sink;
    }
    this.#records = records;
    this.#head = records[0]?.stage ?? this.#sink;
    if (records.length > 0 && this.#mode === 'direct') this.#toChain();

    // Removed stages flush into their first surviving successor, the most downstream first:
    // what they hold arrived before anything upstream of them still holds.
    for (let i = old.length - 1; i >= 0; i--) {
      const record = old[i] as StageRecord;
      if (!kept.has(record.entry)) continue;
      let successor: StageTarget = this.#sink;
      for (let j = i + 1; j < old.length; j++) {
        const later = old[j] as StageRecord;
        if (!kept.has(later.entry)) {
          successor = later.stage;
          break;
        }
      }
      record.stage.next = successor;
      record.stage.remove();
    }
    for (const record of records) {
      if (record.version !== record.entry.version) {
        record.version = record.entry.version;
        record.stage.update(record.entry.attributes);
      }
    }
    if (
      records.length === 0 &&
      this.#mode === 'chain' &&
      this.#feedFromSource &&
      this.#held === 0 &&
      !this.#ended &&
      !this.#host.closing
    ) {
      this.#toDirect();
    }
  }

  /** Feeds bytes into the link (the source's data, or the HTTP exchange's output). */
  write(chunk: Buffer): void {
    if (this.#ended || this.#halted) return;
    this.#held += chunk.length;
    this.#head.write(chunk);
    if (this.#held > HIGH_WATER) this.#valve.set(LINK_PRESSURE, true);
  }

  /** Feeds the end of the stream into the link. */
  end(kind: EndKind = 'eof'): void {
    if (this.#ended || this.#halted) return;
    this.#ended = true;
    this.#head.end(kind);
  }

  /** Stops all flow for good (the connection is going away); cancels every stage's timers. */
  halt(): void {
    if (this.#halted) return;
    this.#halted = true;
    if (this.#mode === 'direct') this.#source.unpipe(this.#dest);
    else if (this.#feedFromSource) this.#detach();
    const records = this.#records;
    this.#records = [];
    this.#head = nowhere;
    for (const record of records) {
      record.stage.next = nowhere;
      record.stage.remove();
    }
  }

  #applies(entry: ToxicEntry): boolean {
    const toxicity = entry.toxicity;
    let draw = this.#draws.get(entry);
    if (draw?.toxicity !== toxicity) {
      const applies =
        toxicity >= 1
          ? true
          : toxicity <= 0
            ? false
            : this.#host.random().fork(`${this.direction}/${entry.name}`).chance(toxicity);
      draw = { toxicity, applies };
      this.#draws.set(entry, draw);
    }
    return draw.applies;
  }

  readonly #onData = (chunk: Buffer): void => {
    this.write(chunk);
  };

  readonly #onEnd = (): void => {
    this.end('eof');
  };

  readonly #onDrain = (): void => {
    this.#blocked = false;
    this.#relieve();
  };

  #toDirect(): void {
    this.#mode = 'direct';
    if (this.#blocked) {
      this.#dest.off('drain', this.#onDrain);
      this.#blocked = false;
    }
    if (this.#source.readableEnded) {
      this.#ended = true;
      this.#finish('eof');
      return;
    }
    this.#detach();
    this.#source.pipe(this.#dest);
    this.#valve.set(LINK_PRESSURE, false);
  }

  #toChain(): void {
    this.#mode = 'chain';
    this.#source.unpipe(this.#dest);
    if (this.#source.readableEnded) {
      // pipe already passed the end on.
      this.#ended = true;
      this.#finished = true;
      return;
    }
    this.#source.on('data', this.#onData);
    this.#source.on('end', this.#onEnd);
    if (!this.#valve.paused) this.#source.resume();
  }

  #detach(): void {
    this.#source.off('data', this.#onData);
    this.#source.off('end', this.#onEnd);
  }

  #toDest(chunk: Buffer): void {
    const dest = this.#dest;
    if (this.#finished || dest.destroyed || dest.writableEnded) return;
    if (!dest.write(chunk) && !this.#blocked) {
      this.#blocked = true;
      dest.once('drain', this.#onDrain);
      this.#valve.set(LINK_PRESSURE, true);
    } else if (this.#held < HIGH_WATER / 2 && !this.#blocked) {
      this.#valve.set(LINK_PRESSURE, false);
    }
  }

  #relieve(): void {
    if (!this.#blocked && this.#held < HIGH_WATER / 2) this.#valve.set(LINK_PRESSURE, false);
  }

  #finish(kind: EndKind): void {
    if (this.#finished) return;
    this.#finished = true;
    if (kind === 'close') {
      this.#host.close();
      return;
    }
    const dest = this.#dest;
    if (!dest.destroyed && !dest.writableEnded) dest.end();
  }
}
