import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/**
 * The import direction of docs/architecture.md: which layers each layer of src/ may import.
 * A layer always may import itself.
 */
export const allowedImports: Readonly<Record<string, readonly string[]>> = {
  core: [],
  schedule: ['core'],
  policies: ['core', 'schedule'],
  faults: ['core', 'schedule'],
  intercept: ['core', 'faults'],
  metrics: ['core'],
  proxy: ['core', 'faults', 'metrics'],
  mcp: ['core', 'schedule', 'faults', 'policies'],
  'ai-sdk': ['core', 'schedule', 'faults', 'policies'],
  agents: ['core', 'schedule', 'policies', 'faults'],
  experiments: [
    'core',
    'schedule',
    'policies',
    'faults',
    'intercept',
    'agents',
    'metrics',
    'proxy',
    'mcp',
  ],
  reports: ['core', 'metrics'],
  store: ['core', 'metrics'],
  dashboard: ['core', 'metrics', 'store'],
  testing: ['core', 'faults', 'metrics', 'policies'],
  cli: ['*'],
};

/** Layers that take no third-party dependency: only `node:` built-ins and other layers. */
export const dependencyFreeLayers: readonly string[] = ['core', 'schedule', 'policies', 'faults'];

/** One import that breaks the rules. */
export interface LayeringViolation {
  file: string;
  specifier: string;
  reason: string;
}

const importPattern =
  /(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module specifier a TypeScript source imports or re-exports. */
export function importSpecifiers(source: string): string[] {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const match of withoutComments.matchAll(importPattern)) {
    const specifier = match[1] ?? match[2];
    if (specifier !== undefined) found.push(specifier);
  }
  return found;
}

/** The layer (first folder under src/) a path belongs to, or `undefined` for src/index.ts. */
function layerOf(srcRoot: string, file: string): string | undefined {
  const parts = relative(srcRoot, file).split(sep);
  return parts.length > 1 ? parts[0] : undefined;
}

/** Checks one source file of src/ against the import rules. */
export function checkFile(srcRoot: string, file: string, source: string): LayeringViolation[] {
  const layer = layerOf(srcRoot, file);
  const violations: LayeringViolation[] = [];
  const isTest = file.endsWith('.test.ts');
  for (const specifier of importSpecifiers(source)) {
    if (specifier.startsWith('.')) {
      const target = resolve(file, '..', specifier);
      const rel = relative(srcRoot, target);
      if (rel.startsWith('..')) {
        if (!isTest) violations.push({ file, specifier, reason: 'imports from outside src/' });
        continue;
      }
      const targetLayer = layerOf(srcRoot, target);
      if (targetLayer === 'cli' && layer !== 'cli') {
        violations.push({ file, specifier, reason: 'nothing imports cli/' });
        continue;
      }
      // Tests may reach any layer: they prove a layer against the real producers it listens to.
      if (isTest || layer === undefined || targetLayer === undefined || targetLayer === layer) {
        continue;
      }
      const allowed = allowedImports[layer];
      if (allowed === undefined) {
        violations.push({ file, specifier, reason: `layer '${layer}' is not in the architecture` });
      } else if (!allowed.includes('*') && !allowed.includes(targetLayer)) {
        violations.push({ file, specifier, reason: `${layer}/ may not import ${targetLayer}/` });
      }
    } else if (
      !isTest &&
      layer !== undefined &&
      dependencyFreeLayers.includes(layer) &&
      !specifier.startsWith('node:')
    ) {
      violations.push({ file, specifier, reason: `${layer}/ takes no third-party dependency` });
    }
  }
  return violations;
}

/** Checks every .ts file under `srcRoot`. */
export function checkTree(srcRoot: string): LayeringViolation[] {
  const violations: LayeringViolation[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        violations.push(...checkFile(srcRoot, path, readFileSync(path, 'utf8')));
      }
    }
  };
  walk(srcRoot);
  return violations;
}
