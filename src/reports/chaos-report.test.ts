import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInvalidOptionError } from '../core/index.ts';
import {
  chaosReportJson,
  chaosVerdict,
  renderChaosReportJson,
  renderChaosReportMarkdown,
  writeChaosReport,
  type ChaosReportInput,
} from './chaos-report.ts';

const fixture: ChaosReportInput = {
  seed: '42',
  durationMs: 1234.5,
  operations: 4,
  totalInjections: 4,
  injectionsByType: { network: 1, latency: 1, error: 1, hallucination: 1 },
  successfulRecoveries: 2,
  failedRecoveries: 2,
  crashes: 1,
  recoveryRate: 0.5,
  failedOperations: [
    {
      operation: 2,
      crashed: true,
      error: { name: 'RateLimitError', message: '429 Too Many Requests', status: 429 },
      injections: 1,
    },
    { operation: 3, crashed: false, injections: 1 },
  ],
  stopReason: undefined,
  killSwitch: undefined,
  injections: [
    {
      seq: 1,
      time: 12,
      operation: 0,
      fault: 'api-reset',
      kind: 'network',
      target: {
        operation: 'fetch',
        url: 'https://api.example.com/v1/items',
        host: 'api.example.com',
      },
      effect: { type: 'fail' },
      recovered: true,
      message: "network 'api-reset' on fetch: fail Error ECONNRESET: read ECONNRESET",
    },
    {
      seq: 2,
      time: 250,
      operation: 1,
      fault: 'slow-search',
      kind: 'latency',
      target: { operation: 'tool:search', tool: 'search', agent: 'product' },
      effect: { type: 'delay' },
      recovered: true,
      message: "latency 'slow-search' on tool:search: delay 800 ms",
    },
    {
      seq: 3,
      time: 1100,
      operation: 2,
      fault: 'llm-429',
      kind: 'error',
      target: { operation: 'llm.generate', agent: 'marketing' },
      effect: { type: 'fail' },
      recovered: false,
      message:
        "error 'llm-429' on llm.generate: fail HttpStatusError rate_limit_exceeded: 429 | retry",
      error: { name: 'RateLimitError', message: '429 Too Many Requests\nretry later', status: 429 },
    },
    {
      seq: 4,
      time: 1200,
      operation: 3,
      fault: 'wrong-price',
      kind: 'hallucination',
      target: { operation: 'tool:lookup', tool: 'lookup' },
      effect: { type: 'transform' },
      recovered: false,
      message: "hallucination 'wrong-price' on tool:lookup: transform hallucination: wrong-number",
    },
  ],
};

const expectedMarkdown = `# Chaos report

**Verdict: ❌ FAIL** — recovery rate 50% < 90%, 1 crash > 0 (standard: ≥ 90% recovery at 30% failure rate, 0 crashes).

| Metric | Value |
| --- | --- |
| Seed | \`42\` |
| Duration | 1.23 s |
| Operations | 4 |
| Total injections | 4 |
| Successful recoveries | 2 |
| Failed recoveries | 2 |
| Crashes | 1 |
| Recovery rate | 50% |

## Injections by type

| Type | Injections |
| --- | ---: |
| error | 1 |
| hallucination | 1 |
| latency | 1 |
| network | 1 |

## Failed operations

| Operation | Outcome | Injections | Error |
| ---: | --- | ---: | --- |
| 2 | crashed | 1 | RateLimitError 429: 429 Too Many Requests |
| 3 | result rejected | 1 |  |

## Injections

| # | Recovered | Operation | Time | Type | Target | Message | Error |
| ---: | :---: | ---: | ---: | --- | --- | --- | --- |
| 1 | ✅ | 0 | 12 ms | network | fetch (url: https://api.example.com/v1/items) | network 'api-reset' on fetch: fail Error ECONNRESET: read ECONNRESET |  |
| 2 | ✅ | 1 | 250 ms | latency | tool:search (tool: search, agent: product) | latency 'slow-search' on tool:search: delay 800 ms |  |
| 3 | ❌ | 2 | 1.10 s | error | llm.generate (agent: marketing) | error 'llm-429' on llm.generate: fail HttpStatusError rate_limit_exceeded: 429 \\| retry | RateLimitError 429: 429 Too Many Requests<br>retry later |
| 4 | ❌ | 3 | 1.20 s | hallucination | tool:lookup (tool: lookup) | hallucination 'wrong-price' on tool:lookup: transform hallucination: wrong-number | result rejected |

Replay with seed \`42\`.
`;

/** A run where every injection was absorbed. */
const recovered: ChaosReportInput = {
  ...fixture,
  crashes: 0,
  successfulRecoveries: 4,
  failedRecoveries: 0,
  recoveryRate: 1,
  failedOperations: [],
  injections: fixture.injections.map(
    ({ seq, time, operation, fault, kind, target, effect, message }) => ({
      seq,
      time,
      operation,
      fault,
      kind,
      target,
      effect,
      message,
      recovered: true,
    }),
  ),
};

const noInjections: ChaosReportInput = {
  ...recovered,
  totalInjections: 0,
  successfulRecoveries: 0,
  injectionsByType: {},
  injections: [],
};

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('renderChaosReportMarkdown', () => {
  it('renders the fixture exactly', () => {
    expect(renderChaosReportMarkdown(fixture)).toBe(expectedMarkdown);
  });

  it('passes a run that meets the standard, and says at which failure rate it ran', () => {
    const markdown = renderChaosReportMarkdown(recovered, { failureRate: 0.3 });
    expect(markdown.split('\n')[2]).toBe(
      '**Verdict: ✅ PASS** — recovery rate 100% ≥ 90%, 0 crashes ≤ 0 (standard: ≥ 90% recovery at 30% failure rate, 0 crashes). Tested at 30% failure rate.',
    );
    expect(markdown).not.toContain('❌');
    expect(markdown).not.toContain('## Failed operations');
  });

  it('warns when the run injected below the standard failure rate', () => {
    expect(chaosVerdict(recovered, { failureRate: 0.1 }).summary).toBe(
      "PASS: recovery rate 100% ≥ 90%, 0 crashes ≤ 0 (standard: ≥ 90% recovery at 30% failure rate, 0 crashes). Tested at 10% failure rate, below the standard's 30%.",
    );
  });

  it('judges against custom thresholds', () => {
    const verdict = chaosVerdict(fixture, { minRecoveryRate: 0.5, maxCrashes: 1 });
    expect(verdict.status).toBe('pass');
    expect(verdict.summary).toBe(
      'PASS: recovery rate 50% ≥ 50%, 1 crash ≤ 1 (standard: ≥ 50% recovery at 30% failure rate, 1 crash).',
    );
  });

  it('is inconclusive when nothing was injected', () => {
    const markdown = renderChaosReportMarkdown(noInjections);
    expect(markdown).toContain(
      '**Verdict: ⚠️ INCONCLUSIVE** — nothing was injected (is chaos enabled, with a failure rate above 0?)',
    );
    expect(markdown).toContain('## Injections\n\nNone.\n');
    expect(markdown).not.toContain('## Injections by type');
  });

  it('says why injection stopped early', () => {
    const tripped = renderChaosReportMarkdown({
      ...fixture,
      stopReason: 'kill-switch',
      killSwitch: { trigger: 'error-rate', detail: 'error rate 60% exceeded 50%' },
    });
    expect(tripped).toContain(
      '| Stopped early | kill switch (error-rate): error rate 60% exceeded 50% |',
    );
    const expired = renderChaosReportMarkdown({ ...fixture, stopReason: 'duration' });
    expect(expired).toContain('| Stopped early | duration |');
  });

  it('lists at most maxInjections and counts the rest; a custom title', () => {
    const markdown = renderChaosReportMarkdown(fixture, { maxInjections: 2, title: 'Checkout' });
    expect(markdown.startsWith('# Checkout\n')).toBe(true);
    expect(markdown).toContain('| 2 | ✅ |');
    expect(markdown).not.toContain('| 3 | ❌ |');
    expect(markdown).toContain('… and 2 more.');
  });

  it('rejects bad options, naming them', () => {
    const error = thrown(() => renderChaosReportMarkdown(fixture, { minRecoveryRate: 1.5 }));
    expect(isInvalidOptionError(error)).toBe(true);
    expect((error as Error).message).toMatch(/chaos report.*minRecoveryRate.*1\.5/);
    expect(isInvalidOptionError(thrown(() => chaosVerdict(fixture, { maxCrashes: -1 })))).toBe(
      true,
    );
    expect(
      isInvalidOptionError(thrown(() => renderChaosReportJson(fixture, { maxInjections: 0.5 }))),
    ).toBe(true);
  });
});

describe('chaos report as JSON', () => {
  it('holds the verdict, the summary and every injection', () => {
    const json = JSON.parse(renderChaosReportJson(fixture)) as Record<string, unknown>;
    expect(json).toEqual({
      format: 'faultline.chaos-report',
      version: 1,
      verdict: {
        status: 'fail',
        recoveryRate: 0.5,
        minRecoveryRate: 0.9,
        crashes: 1,
        maxCrashes: 0,
        standardFailureRate: 0.3,
        summary:
          'FAIL: recovery rate 50% < 90%, 1 crash > 0 (standard: ≥ 90% recovery at 30% failure rate, 0 crashes).',
      },
      seed: '42',
      durationMs: 1234.5,
      operations: 4,
      totalInjections: 4,
      injectionsByType: { network: 1, latency: 1, error: 1, hallucination: 1 },
      successfulRecoveries: 2,
      failedRecoveries: 2,
      crashes: 1,
      recoveryRate: 0.5,
      stopReason: null,
      killSwitch: null,
      failedOperations: fixture.failedOperations,
      injections: fixture.injections,
      omittedInjections: 0,
    });
  });

  it('counts the injections it leaves out', () => {
    const json = chaosReportJson(fixture, { maxInjections: 1 });
    expect(json.injections.map((i) => i.seq)).toEqual([1]);
    expect(json.omittedInjections).toBe(3);
  });
});

describe('writeChaosReport', () => {
  it('writes Markdown or JSON (from the extension or the option), atomically', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-report-'));
    await writeChaosReport(fixture, join(dir, 'out', 'chaos.md'));
    await writeChaosReport(fixture, join(dir, 'out', 'chaos.json'));
    await writeChaosReport(fixture, join(dir, 'out', 'chaos.txt'), { format: 'json' });
    expect(await readFile(join(dir, 'out', 'chaos.md'), 'utf8')).toBe(expectedMarkdown);
    expect(await readFile(join(dir, 'out', 'chaos.json'), 'utf8')).toBe(
      renderChaosReportJson(fixture),
    );
    expect(await readFile(join(dir, 'out', 'chaos.txt'), 'utf8')).toBe(
      renderChaosReportJson(fixture),
    );
    expect((await readdir(join(dir, 'out'))).sort()).toEqual([
      'chaos.json',
      'chaos.md',
      'chaos.txt',
    ]);
  });

  it('rejects an unknown format before writing anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-report-'));
    const error = await writeChaosReport(fixture, join(dir, 'r.md'), {
      format: 'html' as 'json',
    }).catch((e: unknown) => e);
    expect(isInvalidOptionError(error)).toBe(true);
    expect((error as Error).message).toMatch(/format.*html/);
    expect(await readdir(dir)).toEqual([]);
  });
});
