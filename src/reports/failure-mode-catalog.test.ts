import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { VirtualClock } from '../core/index.ts';
import { loadFailureModes } from '../experiments/load-failure-modes.ts';
import { MetricsRecorder, type MetricsFigures } from '../metrics/index.ts';
import type { ExperimentResultInput } from './experiment-result.ts';
import {
  buildFailureModeCatalog,
  renderFailureModeCatalogHtml,
  renderFailureModeCatalogMarkdown,
  writeFailureModeCatalog,
  type FailureModeCatalogInput,
  type FailureModeInput,
} from './failure-mode-catalog.ts';
import { embeddedData, unbalancedTags } from '../../test/report-html.ts';

/** Figures of 10 runs (9 succeeded), 2 failures recovered after 1.5 s and 4 s, detected after 200 ms. */
async function figures(): Promise<MetricsFigures> {
  const clock = new VirtualClock();
  const recorder = new MetricsRecorder({ clock, seed: 7 });
  for (let i = 0; i < 10; i++) {
    recorder.startRun({ runId: `r${String(i)}` });
    if (i < 2) {
      const id = recorder.recordFailure({
        runId: `r${String(i)}`,
        kind: 'network',
        detectedAt: clock.now() + 200,
      });
      await clock.advance(i === 0 ? 1500 : 4000);
      recorder.recordRecovery({ failureId: id });
    }
    await clock.advance(1000);
    recorder.recordRun({ runId: `r${String(i)}`, success: i !== 9 });
  }
  return recorder.figures();
}

const measured = await figures();

function mode(
  id: string,
  category: FailureModeInput['category'],
  likelihood: number,
  impact: number,
  matches: Partial<FailureModeInput['matches']> = {},
): FailureModeInput {
  return {
    id,
    category,
    title: `Failure ${id}`,
    description: `What goes wrong in ${id}.`,
    likelihood,
    impact,
    detection: `How ${id} is noticed.`,
    handling: id === 'EF-001' ? undefined : `How ${id} is handled.`,
    symptoms: id === 'TF-001' ? ['Products stay unpublished', 'ToolUnavailableError'] : [],
    matches: { experiments: [], scenarios: [], faultKinds: [], ...matches },
  };
}

const failureModes: FailureModeInput[] = [
  mode('RF-001', 'resource', 3, 4, { experiments: ['budget-exhausted'] }),
  mode('TF-001', 'tool', 4, 4, {
    experiments: ['tool-server-down'],
    scenarios: ['ToolServerDown'],
  }),
  mode('AF-001', 'ai', 4, 3, { scenarios: ['ModelTimeout'], faultKinds: ['latency'] }),
  mode('OF-002', 'orchestration', 2, 5, { faultKinds: ['corruption'] }),
  mode('EF-001', 'external', 4, 4),
];

const result = (
  over: Partial<ExperimentResultInput> & Pick<ExperimentResultInput, 'id'>,
): ExperimentResultInput => ({
  title: `Result ${over.id}`,
  hypothesis: 'When X, the system will Y.',
  seed: '7',
  runs: 10,
  status: 'completed',
  hypothesisConfirmed: true,
  ...over,
});

const results: ExperimentResultInput[] = [
  result({ id: 'tool-server-down', figures: measured }),
  result({
    id: 'ToolServerDown',
    scenario: 'ToolServerDown',
    seed: '99',
    runs: 500,
    hypothesisConfirmed: false,
    expectations: [{ label: 'Retries', expected: '= 3', actual: '5', passed: false }],
  }),
  result({
    id: 'model-timeout',
    faultKinds: ['latency'],
    hypothesisConfirmed: false,
    status: 'deviated',
    issues: [{ description: 'no timeout on the model call' }],
  }),
  result({
    id: 'handoff',
    faultKinds: ['corruption'],
    hypothesisConfirmed: null,
    status: 'aborted',
    runs: 3,
  }),
  result({ id: 'budget-exhausted', seed: '41' }),
  result({ id: 'unrelated', faultKinds: ['memory'] }),
];

const input: FailureModeCatalogInput = {
  title: 'Shop failure modes',
  system: 'ecommerce',
  failureModes,
  results,
};

describe('buildFailureModeCatalog', () => {
  const catalog = buildFailureModeCatalog(input);

  test('sorts by likelihood × impact, then id, and places each entry in the matrix', () => {
    expect(catalog.entries.map((e) => [e.id, e.priority])).toEqual([
      ['EF-001', 16],
      ['TF-001', 16],
      ['AF-001', 12],
      ['RF-001', 12],
      ['OF-002', 10],
    ]);
    expect(catalog.matrix[3]?.[3]).toEqual(['EF-001', 'TF-001']);
    expect(catalog.matrix[3]?.[2]).toEqual(['RF-001']);
    expect(catalog.matrix[4]?.[1]).toEqual(['OF-002']);
    expect(catalog.matrix.flat(2).sort()).toEqual([
      'AF-001',
      'EF-001',
      'OF-002',
      'RF-001',
      'TF-001',
    ]);
  });

  test('fills the current handling from results matched by experiment, scenario or fault kind', () => {
    expect(
      catalog.entries.map((e) => [
        e.id,
        e.status,
        e.evidence.map((m) => [m.id, m.matchedBy, m.confirmed]),
      ]),
    ).toEqual([
      ['EF-001', 'untested', []],
      [
        'TF-001',
        'partially-handled',
        [
          ['tool-server-down', 'experiment', true],
          ['ToolServerDown', 'scenario', false],
        ],
      ],
      ['AF-001', 'not-handled', [['model-timeout', 'fault kind latency', false]]],
      ['RF-001', 'handled', [['budget-exhausted', 'experiment', true]]],
      ['OF-002', 'inconclusive', [['handoff', 'fault kind corruption', null]]],
    ]);
    expect(catalog.results).toEqual({ total: 6, matched: 5 });
  });

  test('every measured line states its n and seed', () => {
    const lines = catalog.entries.flatMap((e) => e.evidence.map((m) => m.summary));
    expect(lines).toEqual([
      'hypothesis confirmed — success rate 90%, recovery rate 100%, detection p95 200 ms, MTTR-A p95 4 s (n = 10 runs, seed 7)',
      'hypothesis not confirmed — Retries: expected = 3, got 5 (n = 500 runs, seed 99)',
      'hypothesis not confirmed — no timeout on the model call (n = 10 runs, seed 7)',
      'hypothesis confirmed (n = 10 runs, seed 41)',
      'not judged (aborted) (n = 3 runs, seed 7)',
    ]);
  });
});

test('renderFailureModeCatalogMarkdown: the catalog, exactly', () => {
  expect(renderFailureModeCatalogMarkdown(input)).toBe(
    [
      '# Shop failure modes',
      '',
      'System: ecommerce. 5 failure modes; 4 tested by 5 of 6 results (experiments and scenarios). Priority = likelihood × impact (1–25).',
      '',
      '- ✅ handled: 1 · ⚠️ partially handled: 1 · ❌ not handled: 1 · ❔ inconclusive: 1 · ➖ untested: 1',
      '- Priority ≥ 12 and not shown to be handled: EF-001 (16, untested), TF-001 (16, partially handled), AF-001 (12, not handled).',
      '',
      '## Priority matrix',
      '',
      '| Impact / Likelihood | 1 rare | 2 unlikely | 3 possible | 4 likely | 5 almost certain |',
      '| --- | :---: | :---: | :---: | :---: | :---: |',
      '| 5 severe |  | OF-002 |  |  |  |',
      '| 4 major |  |  | RF-001 | EF-001, TF-001 |  |',
      '| 3 moderate |  |  |  | AF-001 |  |',
      '| 2 minor |  |  |  |  |  |',
      '| 1 negligible |  |  |  |  |  |',
      '',
      '## Failure modes by priority',
      '',
      '| Priority | ID | Failure mode | Category | Likelihood | Impact | Current handling |',
      '| ---: | --- | --- | --- | --- | --- | --- |',
      '| 16 | EF-001 | Failure EF-001 | external | 4 likely | 4 major | ➖ untested |',
      '| 16 | TF-001 | Failure TF-001 | tool | 4 likely | 4 major | ⚠️ partially handled (2 results) |',
      '| 12 | AF-001 | Failure AF-001 | ai | 4 likely | 3 moderate | ❌ not handled (1 result) |',
      '| 12 | RF-001 | Failure RF-001 | resource | 3 possible | 4 major | ✅ handled (1 result) |',
      '| 10 | OF-002 | Failure OF-002 | orchestration | 2 unlikely | 5 severe | ❔ inconclusive (1 result) |',
      '',
      '### EF-001 Failure EF-001',
      '',
      '- **Category:** external · **Likelihood:** 4 likely · **Impact:** 4 major · **Priority:** 16',
      '- **Description:** What goes wrong in EF-001.',
      '- **Detection:** How EF-001 is noticed.',
      '- **Handling (designed):** none recorded',
      '- **Current handling (measured):** ➖ untested — no experiment or scenario matches this failure mode yet',
      '',
      '### TF-001 Failure TF-001',
      '',
      '- **Category:** tool · **Likelihood:** 4 likely · **Impact:** 4 major · **Priority:** 16',
      '- **Description:** What goes wrong in TF-001.',
      '- **Detection:** How TF-001 is noticed.',
      '- **Handling (designed):** How TF-001 is handled.',
      '- **Current handling (measured):** ⚠️ partially handled',
      '  - `tool-server-down` (experiment): hypothesis confirmed — success rate 90%, recovery rate 100%, detection p95 200 ms, MTTR-A p95 4 s (n = 10 runs, seed 7)',
      '  - `ToolServerDown` (scenario): hypothesis not confirmed — Retries: expected = 3, got 5 (n = 500 runs, seed 99)',
      '- **Symptoms:** Products stay unpublished; ToolUnavailableError',
      '',
      '### AF-001 Failure AF-001',
      '',
      '- **Category:** ai · **Likelihood:** 4 likely · **Impact:** 3 moderate · **Priority:** 12',
      '- **Description:** What goes wrong in AF-001.',
      '- **Detection:** How AF-001 is noticed.',
      '- **Handling (designed):** How AF-001 is handled.',
      '- **Current handling (measured):** ❌ not handled',
      '  - `model-timeout` (fault kind latency): hypothesis not confirmed — no timeout on the model call (n = 10 runs, seed 7)',
      '',
      '### RF-001 Failure RF-001',
      '',
      '- **Category:** resource · **Likelihood:** 3 possible · **Impact:** 4 major · **Priority:** 12',
      '- **Description:** What goes wrong in RF-001.',
      '- **Detection:** How RF-001 is noticed.',
      '- **Handling (designed):** How RF-001 is handled.',
      '- **Current handling (measured):** ✅ handled',
      '  - `budget-exhausted` (experiment): hypothesis confirmed (n = 10 runs, seed 41)',
      '',
      '### OF-002 Failure OF-002',
      '',
      '- **Category:** orchestration · **Likelihood:** 2 unlikely · **Impact:** 5 severe · **Priority:** 10',
      '- **Description:** What goes wrong in OF-002.',
      '- **Detection:** How OF-002 is noticed.',
      '- **Handling (designed):** How OF-002 is handled.',
      '- **Current handling (measured):** ❔ inconclusive',
      '  - `handoff` (fault kind corruption): not judged (aborted) (n = 3 runs, seed 7)',
      '',
    ].join('\n'),
  );
});

test('the summary flags high-priority modes not shown to be handled, from a configurable priority', () => {
  expect(renderFailureModeCatalogMarkdown(input, { highPriority: 16 })).toContain(
    '- Priority ≥ 16 and not shown to be handled: EF-001 (16, untested), TF-001 (16, partially handled).',
  );
  expect(
    renderFailureModeCatalogMarkdown({
      failureModes: [mode('RF-001', 'resource', 5, 5, { experiments: ['budget-exhausted'] })],
      results,
    }),
  ).toContain('- Every failure mode of priority ≥ 12 is handled.');
  expect(() => renderFailureModeCatalogMarkdown(input, { highPriority: 0 })).toThrow(
    "failure-mode catalog: option 'highPriority' must be an integer >= 1, got 0",
  );
});

describe('renderFailureModeCatalogHtml', () => {
  const html = renderFailureModeCatalogHtml(input);

  test('is one well-formed page that loads nothing from elsewhere', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(unbalancedTags(html)).toEqual([]);
    expect(html).not.toMatch(/\s(?:src|href|srcset|action|xlink:href)\s*=/i);
    expect(html).not.toMatch(/<link|<iframe|<img|@import|url\(|https?:\/\//i);
    expect(html.match(/<script/g)).toHaveLength(1);
  });

  test('draws the priority matrix and embeds the catalog as data', () => {
    const data = embeddedData(html) as {
      catalog: { entries: { id: string; priority: number; status: string }[] };
      charts: { id: string; cells: string[][][] }[];
    };
    expect(data.catalog.entries.map((e) => [e.id, e.priority, e.status])).toEqual([
      ['EF-001', 16, 'untested'],
      ['TF-001', 16, 'partially-handled'],
      ['AF-001', 12, 'not-handled'],
      ['RF-001', 12, 'handled'],
      ['OF-002', 10, 'inconclusive'],
    ]);
    expect(data.charts.map((c) => c.id)).toEqual(['priority-matrix']);
    expect(data.charts[0]?.cells[3]?.[3]).toEqual(['EF-001', 'TF-001']);
    expect(html).toContain('<figure id="priority-matrix"><svg class="chart" role="img"');
    expect(html).toContain('<title>likelihood 4 × impact 4 = 16: EF-001, TF-001</title>');
    expect(html).toContain('<h3 id="tf-001">TF-001 Failure TF-001</h3>');
    expect(html).toContain(
      '<li><strong>Current handling (measured):</strong> ⚠️ partially handled<ul><li><code>tool-server-down</code> (experiment)',
    );
  });
});

test('writeFailureModeCatalog writes Markdown, HTML or JSON atomically', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-catalog-'));
  try {
    await writeFailureModeCatalog(join(dir, 'catalog.md'), input);
    await writeFailureModeCatalog(join(dir, 'catalog.htm'), input);
    await writeFailureModeCatalog(join(dir, 'catalog.json'), input);
    expect(await readFile(join(dir, 'catalog.md'), 'utf8')).toBe(
      renderFailureModeCatalogMarkdown(input),
    );
    expect(await readFile(join(dir, 'catalog.htm'), 'utf8')).toBe(
      renderFailureModeCatalogHtml(input),
    );
    expect(JSON.parse(await readFile(join(dir, 'catalog.json'), 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(buildFailureModeCatalog(input))),
    );
    expect((await readdir(dir)).sort()).toEqual(['catalog.htm', 'catalog.json', 'catalog.md']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the example system's catalog file loads and renders, filled from the seed experiments' results", async () => {
  const file = await loadFailureModes('examples/ecommerce/failure-modes.yaml');
  const seeds = [
    'tool-server-down',
    'model-timeout',
    'agent-loop',
    'partial-orchestration-failure',
    'budget-exhausted',
  ];
  const catalog = buildFailureModeCatalog({
    ...file,
    results: seeds.map((id, i) => result({ id, seed: String(i), hypothesisConfirmed: i !== 1 })),
  });
  expect(catalog.title).toBe('E-commerce agents - failure-mode catalog');
  expect(catalog.entries).toHaveLength(13);
  expect(catalog.entries.slice(0, 4).map((e) => [e.id, e.priority, e.status])).toEqual([
    ['AF-003', 16, 'untested'],
    ['TF-001', 16, 'handled'],
    ['AF-001', 12, 'not-handled'],
    ['AF-002', 12, 'handled'],
  ]);
  expect(catalog.results).toEqual({ total: 5, matched: 5 });
  expect(renderFailureModeCatalogMarkdown({ ...file, results: [] })).toContain('➖ untested: 13');
});
