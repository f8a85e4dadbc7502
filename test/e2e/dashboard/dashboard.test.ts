/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core (never a
 * downloaded browser), on loopback. A metrics recorder is fed step by step as a campaign would
 * feed it; the test waits for what the page shows after each step (no sleeps), reads the
 * history trends from a SQLite file, and saves a screenshot under the OS temp dir.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { channelNames, VirtualClock, type Subscription } from '../../../src/core/index.ts';
import {
  liveSourceFromRecorder,
  startDashboard,
  type DashboardServer,
  type LiveSource,
} from '../../../src/dashboard/index.ts';
import { MetricsRecorder } from '../../../src/metrics/index.ts';
import { RunHistory, type RunRecord } from '../../../src/store/index.ts';

function chromiumPath(): string | undefined {
  try {
    const path = execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
    return path !== '' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const executablePath = chromiumPath();
/** In CI a missing chromium is a failure, not a skip (`.ci/run` installs it with apt-get). */
const skipBrowser = executablePath === undefined && process.env['CI'] === undefined;
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Where the screenshots go (printed, so a human can look at them). */
const screenshotPath = join(tmpdir(), 'faultline-dashboard.png');
const runningScreenshotPath = join(tmpdir(), 'faultline-dashboard-running.png');

const day = 86_400_000;
const historyStart = Date.UTC(2026, 10, 20, 9, 0);

function pastRun(i: number, summary: Record<string, number>): RunRecord {
  return {
    id: `checkout-${i}`,
    kind: 'campaign',
    name: 'checkout-campaign',
    seed: String(40 + i),
    startedAt: historyStart + i * day,
    finishedAt: historyStart + i * day + 60_000,
    status: i === 1 ? 'failed' : 'passed',
    summary,
    config: null,
    metrics: null,
  };
}

/** The few browser globals the page functions below touch (the project's lib has no DOM). */
interface BrowserElement {
  readonly textContent: string | null;
  readonly style: { readonly width: string };
}
interface BrowserGlobals {
  readonly document: { querySelector(selector: string): BrowserElement | null };
  readonly Chart: {
    getChart(
      canvas: BrowserElement | null,
    ): { data: { labels: string[]; datasets: { data: (number | null)[] }[] } } | undefined;
  };
}

/** Counts the dashboard's subscriptions, to see it let go when the page closes. */
function counted(source: LiveSource): LiveSource & { listeners: () => number } {
  let listeners = 0;
  return {
    snapshot: () => source.snapshot(),
    onUpdate(listener): Subscription {
      listeners++;
      const inner = source.onUpdate(listener);
      let done = false;
      const dispose = (): void => {
        if (done) return;
        done = true;
        listeners--;
        inner.dispose();
      };
      return { dispose, [Symbol.dispose]: dispose };
    },
    listeners: () => listeners,
  };
}

describe.skipIf(skipBrowser)('dashboard in chromium', () => {
  const campaignClock = new VirtualClock({ start: 0 });
  const wall = new VirtualClock({ start: 0 });
  const recorder = new MetricsRecorder({
    clock: campaignClock,
    name: 'checkout-campaign',
    seed: 42,
    plannedRuns: 10,
  });
  const live = counted(liveSourceFromRecorder(recorder, { clock: wall }));
  let history: RunHistory;
  let dashboard: DashboardServer;
  let chromiumBrowser: Browser;
  let page: Page;
  const problems: string[] = [];
  const offOrigin: string[] = [];

  beforeAll(async () => {
    if (executablePath === undefined) {
      throw new Error('chromium not found on PATH: install it (apt-get install -y chromium)');
    }
    const dir = mkdtempSync(join(tmpdir(), 'faultline-dashboard-e2e-'));
    history = RunHistory.open(join(dir, 'history.db'));
    history.recordMany([
      pastRun(0, { successRate: 0.8, recoveryRate: 0.7, mttrP95Ms: 4_200 }),
      pastRun(1, { successRate: 0.85, recoveryRate: 0.8, mttrP95Ms: 3_100 }),
      pastRun(2, { successRate: 0.95, recoveryRate: 0.9, mttrP95Ms: 1_900 }),
    ]);
    history.record({ ...pastRun(3, { successRate: 0.5 }), id: 'search-0', name: 'search' });
    dashboard = await startDashboard({ history, live });
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    chromiumBrowser = await chromium.launch({
      // Debian's chromium, never a downloaded browser.
      executablePath,
      args: chromiumArgs,
    });
    page = await chromiumBrowser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        problems.push(`${message.type()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith(dashboard.url)) offOrigin.push(request.url());
    });
  }, 60_000);

  afterAll(async () => {
    // Any of them may be missing when beforeAll failed part-way.
    await (chromiumBrowser as Browser | undefined)?.close();
    await (dashboard as DashboardServer | undefined)?.close();
    (history as RunHistory | undefined)?.close();
  });

  const byId = (id: string): string => `[data-testid="${id}"]`;

  /** Waits until the element's text is `text` (the page updates from the event stream). */
  async function waitForText(id: string, text: string): Promise<void> {
    try {
      await page.waitForFunction(
        ([selector, want]) =>
          (globalThis as unknown as BrowserGlobals).document
            .querySelector(selector)
            ?.textContent?.trim() === want,
        [byId(id), text] as const,
        { timeout: 10_000 },
      );
    } catch (error) {
      const got = await page.locator(byId(id)).first().textContent();
      throw new Error(`${id}: expected "${text}", page shows "${got ?? '(missing)'}"`, {
        cause: error,
      });
    }
  }

  /** The data of the Chart.js chart drawn on the canvas `id`. */
  function chartData(selector: string): Promise<{ labels: string[]; data: (number | null)[] }> {
    return page.evaluate((sel) => {
      const { document, Chart } = globalThis as unknown as BrowserGlobals;
      const chart = Chart.getChart(document.querySelector(sel));
      if (chart === undefined) throw new Error(`no chart on ${sel}`);
      return { labels: [...chart.data.labels], data: [...(chart.data.datasets[0]?.data ?? [])] };
    }, selector);
  }

  function injection(kind: string, agent: string): void {
    recorder.recordChannelMessage(channelNames.faultInjected, {
      source: 'chaos',
      event: {
        fault: `${kind}-fault`,
        kind,
        outcome: 'applied',
        target: { operation: 'tool.call', agent },
        effect: { type: 'fail' },
      },
    });
  }

  async function run(id: string, success: boolean, durationMs: number): Promise<void> {
    recorder.startRun({ runId: id, scenario: 'checkout' });
    await campaignClock.advance(durationMs);
    // Wall time moves before the run is recorded: the recording is what makes the page refresh,
    // so the frame it gets already carries the final elapsed time (and ETA).
    await wall.advance(1_000);
    recorder.recordRun({ runId: id, success });
  }

  it('shows the campaign, then its progress, rates, injections, breakers and healing live', async () => {
    await page.goto(dashboard.url);
    await waitForText('connection', 'live');
    await waitForText('campaign-name', 'checkout-campaign');
    expect(await page.locator(byId('no-live-note')).isVisible()).toBe(false);
    expect(await page.locator(byId('progress')).isVisible()).toBe(true);
    await waitForText('status', 'idle');
    await waitForText('seed', 'seed 42');
    await waitForText('runs-done', '0');
    await waitForText('runs-planned', '10');
    await waitForText('success-rate', '—');
    expect(live.listeners()).toBe(1);

    // Step 1: three runs, one fails; three faults injected.
    injection('crash', 'product');
    await run('r1', true, 400);
    injection('latency', 'marketing');
    injection('crash', 'product');
    const f1 = recorder.recordFailure({ agent: 'product', kind: 'crash' });
    await run('r2', false, 700);
    await run('r3', true, 500);
    await waitForText('status', 'running');
    await waitForText('runs-done', '3');
    await waitForText('runs-failed', '1');
    await waitForText('success-rate', '66.7%');
    await waitForText('eta', '7.0 s');
    await waitForText('injections-total', '3');
    await waitForText('recovered', '0 / 1');
    const rows = page.locator(byId('injection-row'));
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).getAttribute('data-kind')).toBe('crash');
    expect(await rows.nth(0).locator(byId('injection-count')).textContent()).toBe('2');
    expect(await rows.nth(1).getAttribute('data-kind')).toBe('latency');
    expect(await chartData(byId('chart-injections'))).toEqual({
      labels: ['crash', 'latency'],
      data: [2, 1],
    });
    const width = await page
      .locator(byId('progress-fill'))
      .evaluate((node) => (node as unknown as BrowserElement).style.width);
    expect(width).toBe('30%');
    expect(await page.locator(byId('progress-bar')).getAttribute('aria-valuenow')).toBe('30');
    expect(await page.locator(byId('breaker-row')).count()).toBe(0);

    // Step 2: the payments breaker trips; healing fails once, then escalates.
    recorder.recordChannelMessage(channelNames.circuitBreak, {
      source: 'payments',
      event: { reason: 'consecutive', retryAfterMs: 30_000, failureCount: 5 },
    });
    recorder.recordChannelMessage(channelNames.circuitStateChange, {
      source: 'payments',
      event: { from: 'closed', to: 'open' },
    });
    recorder.recordHealing({ outcome: 'failed', agent: 'product', action: 'restart' });
    recorder.recordHealing({ outcome: 'escalated', agent: 'product', detail: 'paged on-call' });
    const payments = page.locator(`${byId('breaker-row')}[data-name="payments"]`);
    await payments.waitFor();
    await waitForText('breaker-state', 'open');
    await waitForText('breaker-trips', '1');
    await waitForText('healing-escalations', '1');
    await waitForText('healing-failed', '1');
    const transition = page.locator(byId('breaker-transition')).first();
    expect(await transition.textContent()).toContain('payments');
    expect(await transition.textContent()).toContain('closed → open');
    const events = page.locator(byId('healing-event'));
    expect(await events.count()).toBe(2);
    expect(await events.nth(0).getAttribute('data-type')).toBe('escalated');
    expect(await events.nth(0).textContent()).toContain('paged on-call');
    await page.screenshot({ path: runningScreenshotPath, fullPage: true });

    // Step 3: the breaker recovers, the failure is recovered, the campaign finishes.
    await campaignClock.advance(1_200);
    recorder.recordRecovery({ failureId: f1 });
    recorder.recordHealing({ outcome: 'healed', agent: 'product', durationMs: 800 });
    recorder.recordChannelMessage(channelNames.circuitStateChange, {
      source: 'payments',
      event: { from: 'open', to: 'closed' },
    });
    recorder.recordChannelMessage(channelNames.circuitReset, {
      source: 'payments',
      event: { reason: 'probe-succeeded' },
    });
    for (let i = 4; i <= 10; i++) {
      injection(i % 3 === 0 ? 'network' : 'latency', 'marketing');
      await run(`r${i}`, i !== 7, 300 + i * 100);
    }
    await waitForText('runs-done', '10');
    await waitForText('status', 'finished');
    await waitForText('eta', 'done');
    await waitForText('runs-failed', '2');
    await waitForText('success-rate', '80.0%');
    await waitForText('recovered', '1 / 1');
    await waitForText('breaker-state', 'closed');
    await waitForText('healing-healed', '1');
    await waitForText('injections-total', '10');
    expect(
      await page
        .locator(byId('progress-fill'))
        .evaluate((n) => (n as unknown as BrowserElement).style.width),
    ).toBe('100%');
    expect(await chartData(byId('chart-injections'))).toEqual({
      labels: ['latency', 'crash', 'network'],
      data: [6, 2, 2],
    });
    expect(await page.locator(byId('mttr-summary')).textContent()).toContain('n = 1');
    const mttr = await chartData(byId('chart-mttr'));
    expect(mttr.data.reduce<number>((a, b) => a + (b ?? 0), 0)).toBe(1);
    expect(mttr.labels[0]).toBe('≤10ms');
    const rate = await chartData(byId('chart-success-rate'));
    expect(rate.data.length).toBeGreaterThan(1);
    expect(rate.data.filter((v): v is number => v !== null).every((v) => v >= 0 && v <= 100)).toBe(
      true,
    );
    expect(rate.data).toContain(0);
    expect(await page.locator(byId('breaker-transition')).count()).toBe(2);
  }, 60_000);

  it('shows the history: runs and trends across runs from SQLite', async () => {
    await page.locator(byId('history-run')).first().waitFor();
    const runs = page.locator(byId('history-run'));
    expect(await runs.count()).toBe(4);
    expect(await runs.nth(0).getAttribute('data-id')).toBe('search-0');
    expect(await runs.nth(2).textContent()).toContain('failed');
    const select = page.locator(byId('trend-name'));
    expect(await select.inputValue()).toBe('search');
    await select.selectOption('checkout-campaign');
    const trend = (metric: string): string => `${byId('trend')}[data-metric="${metric}"]`;
    await page.locator(trend('successRate')).waitFor();
    expect(await page.locator(byId('trend')).count()).toBe(3);
    expect(
      await page.locator(`${trend('successRate')} ${byId('trend-latest')}`).textContent(),
    ).toBe('0.950');
    expect(await chartData(`${trend('successRate')} canvas`)).toMatchObject({
      data: [0.8, 0.85, 0.95],
    });
    expect((await chartData(`${trend('mttrP95Ms')} canvas`)).data).toEqual([4_200, 3_100, 1_900]);
  }, 30_000);

  it('looks right: a full-page screenshot, no console errors, nothing fetched off-origin', async () => {
    await page.screenshot({ path: screenshotPath, fullPage: true });
    process.stdout.write(`dashboard screenshots: ${runningScreenshotPath} ${screenshotPath}\n`);
    expect(existsSync(screenshotPath)).toBe(true);
    expect(existsSync(runningScreenshotPath)).toBe(true);
    expect(problems).toEqual([]);
    expect(offOrigin).toEqual([]);
  });

  it('lets go of the live source when the page closes', async () => {
    expect(live.listeners()).toBe(1);
    await page.close();
    await vi.waitFor(
      () => {
        expect(live.listeners()).toBe(0);
      },
      { timeout: 5_000, interval: 20 },
    );
  });

  it('without a live source, says so and shows the history only', async () => {
    const historyOnly = await startDashboard({ history });
    const other = await chromiumBrowser.newPage();
    try {
      await other.goto(historyOnly.url);
      await other.locator(byId('history-run')).first().waitFor();
      expect(await other.locator(byId('history-run')).count()).toBe(4);
      await other.locator(byId('connection')).filter({ hasText: 'live' }).waitFor();
      expect(await other.locator(byId('no-live-note')).isVisible()).toBe(true);
      expect(await other.locator(byId('progress')).isVisible()).toBe(false);
      expect(await other.locator(byId('campaign-name')).textContent()).toBe('No live campaign');
    } finally {
      await other.close();
      await historyOnly.close();
    }
  });
});
