import { formatDuration } from '../scenarios/index.ts';
import type { CampaignResult, ScenarioSummary } from './campaign-result.ts';

function percent(rate: number | null): string {
  return rate === null ? '–' : `${(rate * 100).toFixed(1)}%`;
}

function ms(value: number | null): string {
  return value === null ? '–' : formatDuration(value);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function verdict(s: ScenarioSummary): string {
  if (s.runs === 0) return 'not run';
  return s.hypothesisHeld
    ? 'held'
    : `broken in ${count(s.runs - s.runsPassed)} run${s.runs - s.runsPassed === 1 ? '' : 's'}`;
}

function speedUp(result: CampaignResult): string {
  if (result.wallMs <= 0) return '';
  const ratio = result.virtualMs / result.wallMs;
  return `×${ratio >= 100 ? count(Math.round(ratio)) : ratio.toFixed(1)}`;
}

/** The rows of the summary table: header first. */
function rows(result: CampaignResult): string[][] {
  const table = [
    [
      'Scenario',
      'Runs',
      'Success',
      'Recovery',
      'MTTR-A p50',
      'p95',
      'p99',
      'Expectations',
      'Hypothesis',
    ],
  ];
  for (const s of result.scenarios) {
    table.push([
      s.name,
      count(s.runs),
      percent(s.successRate),
      percent(s.recoveryRate),
      ms(s.mttrMs.p50),
      ms(s.mttrMs.p95),
      ms(s.mttrMs.p99),
      percent(s.expectationsPassRate),
      verdict(s),
    ]);
  }
  const campaign = result.metrics.campaign;
  table.push([
    'All scenarios',
    count(result.runs),
    percent(campaign.runs.successRate),
    percent(campaign.failures.recoveryRate),
    ms(campaign.mttrMs.p50),
    ms(campaign.mttrMs.p95),
    ms(campaign.mttrMs.p99),
    percent(overallPassRate(result)),
    result.passed ? 'all held' : `${count(runsBroken(result))} runs broke one`,
  ]);
  return table;
}

function overallPassRate(result: CampaignResult): number | null {
  let judged = 0;
  let passed = 0;
  for (const s of result.scenarios) {
    for (const e of s.expectations) {
      judged += e.passed + e.failed;
      passed += e.passed;
    }
  }
  return judged === 0 ? null : passed / judged;
}

function runsBroken(result: CampaignResult): number {
  let n = 0;
  for (const s of result.scenarios) n += s.runs - s.runsPassed;
  return n;
}

/**
 * The per-scenario summary as a plain-text table (runs, success, recovery rate, MTTR-A
 * p50/p95/p99, expectations passed, hypothesis), with a line for the whole campaign.
 */
export function formatCampaignTable(result: CampaignResult): string {
  const table = rows(result);
  const widths = (table[0] ?? []).map((_, c) => Math.max(...table.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((cell, c) =>
        c === 0 || c === r.length - 1 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const out = table.map(line);
  const rule = '-'.repeat(Math.max(...out.map((l) => l.length)));
  out.splice(1, 0, rule);
  out.splice(out.length - 1, 0, rule);
  return `${out.join('\n')}\n`;
}

/** The campaign's facts in one line: runs, seed, time mode, real time and speed-up. */
export function describeCampaign(result: CampaignResult): string {
  const per = `${count(result.runsPerScenario)} per scenario`;
  const aborted = result.aborted ? ` (aborted after ${count(result.runs)})` : '';
  const speed = result.time === 'virtual' ? `, speed-up ${speedUp(result)}` : '';
  return (
    `${count(result.runsPlanned)} runs (${per})${aborted}, seed ${result.seed}, ${result.time} time, ` +
    `concurrency ${result.concurrency}: ${formatDuration(result.wallMs)} of real time for ` +
    `${formatDuration(result.virtualMs)} of run time${speed}`
  );
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * The campaign report in Markdown: the summary table, then each scenario's hypothesis and its
 * expected-vs-actual lines (how many runs passed each), and the failing runs with the command
 * that replays each.
 */
export function renderCampaignMarkdown(result: CampaignResult): string {
  const out: string[] = [];
  out.push(`# Campaign report: ${result.name}`, '');
  out.push(describeCampaign(result), '');
  out.push(
    result.passed
      ? `**Every hypothesis held** in all ${count(result.runs)} runs.`
      : `**${count(runsBroken(result))} run(s) broke an expectation**; each is listed below with its seed.`,
    '',
  );
  out.push('## Summary', '');
  const table = rows(result);
  const header = table[0] ?? [];
  out.push(`| ${header.join(' | ')} |`);
  out.push(
    `|${header.map((_, i) => (i === 0 || i === header.length - 1 ? ' --- ' : ' ---: ')).join('|')}|`,
  );
  for (const r of table.slice(1)) out.push(`| ${r.map(cell).join(' | ')} |`);
  out.push('');
  out.push(
    'MTTR-A: from a failure (its injection, or the moment a crash surfaced) to the affected agent ' +
      'completing its task again. Recovery: failures the system noticed that ended in a recovery.',
    '',
  );
  for (const s of result.scenarios) {
    out.push(`## ${s.name}: ${s.title}`, '');
    out.push(`> ${s.hypothesis}`, '');
    out.push(
      `${count(s.runs)} runs: ${count(s.succeeded)} completed (${count(s.degraded)} degraded), ` +
        `${count(s.failed)} failed (${count(s.crashed)} crashed); ${count(s.failures)} failures ` +
        `noticed, ${count(s.recovered)} recovered; detection p95 ${ms(s.detectionMs.p95)}; ` +
        `${count(s.healing.healed)} healed, ${count(s.healing.escalations)} escalations` +
        (s.falsePositiveRate === null
          ? ''
          : `; false-positive rate ${percent(s.falsePositiveRate)}`) +
        '.',
      '',
    );
    out.push('| Expected behaviour | Expected | Actual (sample run) | Runs passed |');
    out.push('| --- | --- | --- | ---: |');
    for (const e of s.expectations) {
      const judged = e.passed + e.failed;
      const runs = judged === 0 ? 'not measured' : `${count(e.passed)}/${count(judged)}`;
      out.push(`| ${cell(e.label)} | ${cell(e.expected)} | ${cell(e.actual)} | ${runs} |`);
    }
    out.push('');
    const failing = result.failures.filter((f) => f.scenario === s.name);
    if (failing.length > 0) {
      out.push('Failing runs:', '');
      for (const f of failing) {
        const lines = f.lines
          .map((l) => `${l.label}: expected ${l.expected}, got ${l.actual}`)
          .join('; ');
        out.push(
          `- seed \`${f.seed}\`: ${cell(lines)} (replay: \`faultline replay ${s.name} --seed ${f.seed}\`)`,
        );
      }
      out.push('');
    }
  }
  if (result.omittedFailures > 0) {
    out.push(`${count(result.omittedFailures)} more failing runs are not listed.`, '');
  }
  return out.join('\n');
}
