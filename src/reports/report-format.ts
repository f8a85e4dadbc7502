/**
 * Number and text formatting shared by the reports, so the same figure reads the same way in
 * every report and format. @internal
 * @module
 */

/** `0.9` → `90%`, `0.955` → `95.5%`, `null` → `–`. */
export function percent(x: number | null | undefined): string {
  if (x === null || x === undefined) return '–';
  return `${String(Math.round(x * 1000) / 10)}%`;
}

/** `250` → `250 ms`, `4200` → `4.2 s`, `90000` → `1.5 min`, `7.2e6` → `2 h`, `null` → `–`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (!Number.isFinite(ms)) return '∞';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${String(Math.round(ms))} ms`;
  if (abs < 60_000) return `${String(Math.round(ms / 100) / 10)} s`;
  if (abs < 3_600_000) return `${String(Math.round(ms / 6000) / 10)} min`;
  return `${String(Math.round(ms / 360_000) / 10)} h`;
}

/** A plain number with at most `digits` decimals; `null` → `–`. */
export function num(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined) return '–';
  const scale = 10 ** digits;
  return String(Math.round(x * scale) / scale);
}

/** `1 run`, `3 runs`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${String(n)} ${n === 1 ? word : many}`;
}

/** The sample size and seed behind a number: `n = 200 runs, seed 7`. */
export function basis(n: number, unit: string, seed: string): string {
  return `n = ${plural(n, unit)}, seed ${seed}`;
}
