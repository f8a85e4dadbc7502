/**
 * A real chaos test (global fetch against a local server, ECONNRESET at 30%, a retry policy)
 * rendered by the chaos report: a `ChaosTestResult` is accepted as a `ChaosReportInput` as is.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChaosEngine, type ChaosTestResult } from '../../../src/faults/index.ts';
import { installFetchInterceptor, type InterceptorHandle } from '../../../src/intercept/index.ts';
import { retry } from '../../../src/policies/index.ts';
import { renderChaosReportMarkdown, writeChaosReport } from '../../../src/reports/index.ts';
import { constant } from '../../../src/schedule/index.ts';
import { startServer, type TestServer } from './helpers.ts';

let server: TestServer;
let handle: InterceptorHandle;

beforeAll(async () => {
  server = await startServer();
  handle = installFetchInterceptor();
});

afterAll(async () => {
  handle.uninstall();
  await server.close();
});

const run = (withRetry: boolean): Promise<ChaosTestResult> => {
  const policy = retry({ maxAttempts: 10, schedule: constant(0) });
  const get = (i: number): Promise<unknown> =>
    fetch(`${server.url}/items/${String(i)}`).then((r) => r.json());
  return new ChaosEngine({
    enabled: true,
    seed: 'report',
    failureRate: 0.3,
    types: ['network'],
    killSwitch: false,
  }).runChaosTest(
    ({ iteration }) => (withRetry ? policy.execute(() => get(iteration)) : get(iteration)),
    { iterations: 30 },
  );
};

describe('the chaos report of a real run', () => {
  it('passes the standard with a retry policy, and lists every injection', async () => {
    const result = await run(true);
    const dir = await mkdtemp(join(tmpdir(), 'faultline-report-e2e-'));
    const path = join(dir, 'chaos.md');
    await writeChaosReport(result, path, { failureRate: 0.3 });
    const markdown = await readFile(path, 'utf8');
    expect(markdown).toContain('**Verdict: ✅ PASS** — recovery rate 100% ≥ 90%, 0 crashes ≤ 0');
    expect(markdown).toContain('Tested at 30% failure rate.');
    expect(markdown).toContain(`| Total injections | ${String(result.totalInjections)} |`);
    const rows = markdown.split('\n').filter((l) => /^\| \d+ \| ✅ \|/.test(l));
    expect(rows).toHaveLength(result.totalInjections);
    expect(rows[0]).toContain(`fetch (url: ${server.url}/items/`);
    expect(rows[0]).toContain('ECONNRESET');
  });

  it('fails it without one, listing the crashes', async () => {
    const result = await run(false);
    const markdown = renderChaosReportMarkdown(result, { failureRate: 0.3 });
    expect(result.crashes).toBeGreaterThan(0);
    expect(markdown).toContain('**Verdict: ❌ FAIL**');
    expect(markdown).toContain('| crashed | 1 | TypeError: fetch failed |');
    const failedRows = markdown.split('\n').filter((l) => /^\| \d+ \| ❌ \|/.test(l));
    expect(failedRows).toHaveLength(result.failedRecoveries);
  });
});
