import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file the dashboard serves. @internal */
export interface DashboardAsset {
  /** Absolute path on disk. */
  readonly file: string;
  /** `Content-Type` header. */
  readonly type: string;
}

const web = fileURLToPath(new URL('./web/', import.meta.url));

function chartJsFile(): string {
  // Resolved like an import, so it works wherever the package manager put chart.js.
  const entry = createRequire(import.meta.url).resolve('chart.js');
  return join(dirname(entry), 'chart.umd.min.js');
}

/**
 * Every file the dashboard serves, by URL path. Only these paths are answered: nothing from the
 * request reaches the file system, so no path can escape.
 * @internal
 */
export function dashboardAssets(): ReadonlyMap<string, DashboardAsset> {
  return new Map<string, DashboardAsset>([
    ['/', { file: join(web, 'index.html'), type: 'text/html; charset=utf-8' }],
    ['/assets/app.js', { file: join(web, 'app.js'), type: 'text/javascript; charset=utf-8' }],
    ['/assets/style.css', { file: join(web, 'style.css'), type: 'text/css; charset=utf-8' }],
    ['/assets/chart.umd.min.js', { file: chartJsFile(), type: 'text/javascript; charset=utf-8' }],
    ['/favicon.svg', { file: join(web, 'favicon.svg'), type: 'image/svg+xml' }],
  ]);
}

/** Reads each asset once, on first request. @internal */
export class AssetCache {
  readonly #assets: ReadonlyMap<string, DashboardAsset>;
  readonly #bodies = new Map<string, Promise<Uint8Array>>();

  constructor(assets: ReadonlyMap<string, DashboardAsset>) {
    this.#assets = assets;
  }

  /** The asset at URL path `path`, or `undefined`. */
  get(path: string): { type: string; body: Promise<Uint8Array> } | undefined {
    const asset = this.#assets.get(path);
    if (asset === undefined) return undefined;
    let body = this.#bodies.get(path);
    if (body === undefined) {
      body = readFile(asset.file).then((buffer) => new Uint8Array(buffer));
      // A failed read is retried on the next request instead of being cached.
      body.catch(() => this.#bodies.delete(path));
      this.#bodies.set(path, body);
    }
    return { type: asset.type, body };
  }
}
