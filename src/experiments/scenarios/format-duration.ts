/**
 * A duration for people: `850 ms`, `4.2 s`, `2 min 5 s`, `1 h 3 min`.
 *
 * @example
 * ```ts
 * formatDuration(121_447); // '2 min 1 s'
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1_000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) {
    const s = Math.round(abs / 100) / 10;
    return `${sign}${Number.isInteger(s) ? s.toFixed(0) : s.toFixed(1)} s`;
  }
  if (abs < 3_600_000) {
    const total = Math.round(abs / 1_000);
    const min = Math.floor(total / 60);
    const s = total % 60;
    return `${sign}${min} min${s === 0 ? '' : ` ${s} s`}`;
  }
  const totalMin = Math.round(abs / 60_000);
  const h = Math.floor(totalMin / 60);
  const min = totalMin % 60;
  return `${sign}${h} h${min === 0 ? '' : ` ${min} min`}`;
}
