import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic, type Clock, type Random } from '../../src/index.ts';

/**
 * Where the tools keep what they write. The file backend writes real files (atomically) under a
 * run directory; the memory backend keeps them in a Map with the same paths and semantics, for
 * campaigns: 10,000 runs × a handful of fsync'd files would cost minutes of disk I/O and
 * measure the disk, not the agents. Faults reach both the same way (at the tool call sites).
 */
export interface ToolBackend {
  readonly kind: 'file' | 'memory';
  write(path: string, data: string): Promise<void>;
  read(path: string): Promise<string | undefined>;
}

/** A {@link ToolBackend} in memory. */
export class MemoryToolBackend implements ToolBackend {
  readonly kind = 'memory';
  /** Everything written, by path. */
  readonly files = new Map<string, string>();

  write(path: string, data: string): Promise<void> {
    this.files.set(path, data);
    return Promise.resolve();
  }

  read(path: string): Promise<string | undefined> {
    return Promise.resolve(this.files.get(path));
  }
}

/** A {@link ToolBackend} writing real files under `dir` (atomically: temp file + rename). */
export class FileToolBackend implements ToolBackend {
  readonly kind = 'file';
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  write(path: string, data: string): Promise<void> {
    return writeFileAtomic(join(this.dir, path), data);
  }

  async read(path: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.dir, path), 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}

/** What `upload-image` answers. */
export const uploadResultSchema = z.object({ url: z.string().startsWith('catalog://images/') });

/** What `publish-product` answers. */
export const publishResultSchema = z.object({
  listingId: z.string().startsWith('L-'),
  listingUrl: z.string().startsWith('catalog://listings/'),
});

/** What `schedule-campaign` answers. */
export const scheduleResultSchema = z.object({
  campaignId: z.string().startsWith('C-'),
  sendAt: z.number(),
});

/** The tools' names, as they appear in injection sites (`tool:<name>`). */
export type ToolName = 'upload-image' | 'publish-product' | 'schedule-campaign';

/** Counters of one run's tools: how often each was called, and what it really wrote. */
export interface ToolStats {
  readonly calls: Record<ToolName, number>;
  /** Side effects performed (files written for a new request). */
  readonly writes: number;
  /** Requests answered from an earlier identical request (same idempotency key). */
  readonly duplicates: number;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * The shop's tools for one run, with latency on the run's clock. Like a real payment or
 * publishing API, each tool honours an idempotency key: a repeated request returns the first
 * result and writes nothing.
 */
export class EcommerceTools {
  readonly #backend: ToolBackend;
  readonly #root: string;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #latencyMs: number;
  readonly #calls: Record<ToolName, number> = {
    'upload-image': 0,
    'publish-product': 0,
    'schedule-campaign': 0,
  };
  #writes = 0;
  #duplicates = 0;

  constructor(options: {
    readonly backend: ToolBackend;
    readonly runId: string;
    readonly clock: Clock;
    readonly random: Random;
    readonly latencyMs: number;
  }) {
    this.#backend = options.backend;
    this.#root = `runs/${encodeURIComponent(options.runId).replace(/\./g, '%2E')}`;
    this.#clock = options.clock;
    this.#random = options.random;
    this.#latencyMs = options.latencyMs;
  }

  /** The run's directory inside the backend. */
  get root(): string {
    return this.#root;
  }

  get stats(): ToolStats {
    return { calls: { ...this.#calls }, writes: this.#writes, duplicates: this.#duplicates };
  }

  async #perform<T>(
    tool: ToolName,
    idempotencyKey: string,
    signal: AbortSignal,
    effect: () => Promise<T>,
  ): Promise<T> {
    this.#calls[tool]++;
    const latency = Math.round(this.#latencyMs * this.#random.float(0.5, 1.5));
    await this.#clock.sleep(latency, signal);
    const marker = `${this.#root}/idempotency/${digest(idempotencyKey)}.json`;
    const previous = await this.#backend.read(marker);
    if (previous !== undefined) {
      this.#duplicates++;
      return (JSON.parse(previous) as { result: T }).result;
    }
    const result = await effect();
    this.#writes++;
    await this.#backend.write(marker, JSON.stringify({ key: idempotencyKey, tool, result }));
    return result;
  }

  /** Stores one product image; returns its catalog URL. */
  uploadImage(
    request: {
      readonly sku: string;
      readonly index: number;
      readonly fileName: string;
      readonly bytes: number;
    },
    idempotencyKey: string,
    signal: AbortSignal,
  ): Promise<{ readonly url: string }> {
    return this.#perform('upload-image', idempotencyKey, signal, async () => {
      const path = `images/${request.sku}-${request.index + 1}-${request.fileName}`;
      const content = JSON.stringify({
        ...request,
        sha256: digest(`${request.sku}/${request.fileName}/${request.bytes}`),
      });
      await this.#backend.write(`${this.#root}/${path}`, content);
      return { url: `catalog://${path}` };
    });
  }

  /** Publishes the listing; returns its id and URL. */
  publishProduct(
    listing: Readonly<Record<string, unknown>> & { readonly sku: string },
    idempotencyKey: string,
    signal: AbortSignal,
  ): Promise<{ readonly listingId: string; readonly listingUrl: string }> {
    return this.#perform('publish-product', idempotencyKey, signal, async () => {
      const listingId = `L-${listing.sku}`;
      await this.#backend.write(
        `${this.#root}/catalog/${listing.sku}.json`,
        JSON.stringify({ listingId, ...listing }),
      );
      return { listingId, listingUrl: `catalog://listings/${listingId}` };
    });
  }

  /** Schedules a campaign to go out in a day; returns its id and send time. */
  scheduleCampaign(
    campaign: Readonly<Record<string, unknown>> & { readonly sku: string },
    idempotencyKey: string,
    signal: AbortSignal,
  ): Promise<{ readonly campaignId: string; readonly sendAt: number }> {
    return this.#perform('schedule-campaign', idempotencyKey, signal, async () => {
      const campaignId = `C-${campaign.sku}`;
      const sendAt = this.#clock.now() + 86_400_000;
      await this.#backend.write(
        `${this.#root}/campaigns/${campaignId}.json`,
        JSON.stringify({ campaignId, sendAt, ...campaign }),
      );
      return { campaignId, sendAt };
    });
  }
}
