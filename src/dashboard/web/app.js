// The dashboard page: renders /api/history once (and again when the live status changes) and
// every `snapshot` event of /api/events. Plain ES module, no build step; Chart.js comes from
// /assets/chart.umd.min.js as the global `Chart`. Every text is set with textContent.
/* global document, window, EventSource, fetch */

const Chart = window.Chart;

const colors = {
  ok: '#16a34a',
  bad: '#dc2626',
  warn: '#d97706',
  info: '#2563eb',
  muted: '#9ca3af',
  series: ['#2563eb', '#d97706', '#16a34a', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d'],
};

if (Chart !== undefined) {
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyleFont();
  Chart.defaults.color = '#4b5563';
  Chart.defaults.plugins.legend.display = false;
}

function getComputedStyleFont() {
  return window.getComputedStyle(document.documentElement).fontFamily;
}

/** The element with `data-testid="id"` (inside `root`). */
function byTestId(id, root = document) {
  return root.querySelector(`[data-testid="${id}"]`);
}

function el(tag, attributes = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function setText(id, text) {
  const node = byTestId(id);
  if (node !== null && node.textContent !== text) node.textContent = text;
}

// ---- formatting -------------------------------------------------------------------------------

function percent(rate) {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}

function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Short bucket bound: 10ms, 2.5s, 5m. */
function bound(ms) {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${ms / 1000}s`;
  if (ms < 3_600_000) return `${ms / 60_000}m`;
  return `${ms / 3_600_000}h`;
}

/** A time on the producer's clock: wall-clock time for epoch ms, else "+12.0 s" from `origin`. */
function when(at, origin) {
  if (at === null || at === undefined) return '—';
  if (at > 1e12) return new Date(at).toLocaleTimeString();
  return `+${duration(Math.max(0, at - origin))}`;
}

function number(value) {
  if (value === null || value === undefined) return '—';
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) < 1 ? value.toFixed(3) : value.toFixed(1);
}

function dateTime(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// ---- charts -----------------------------------------------------------------------------------

const charts = new Map();

/** Creates the chart on `canvas` the first time, then only replaces its data. */
function chart(canvas, type, data, options) {
  if (Chart === undefined || canvas === null) return undefined;
  let instance = charts.get(canvas);
  if (instance === undefined) {
    instance = new Chart(canvas, { type, data, options });
    charts.set(canvas, instance);
  } else {
    instance.data.labels = data.labels;
    data.datasets.forEach((dataset, i) => {
      const current = instance.data.datasets[i];
      if (current === undefined) instance.data.datasets.push(dataset);
      else Object.assign(current, dataset);
    });
    instance.data.datasets.length = data.datasets.length;
    instance.update('none');
  }
  return instance;
}

function percentAxis() {
  return { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } };
}

// ---- live -------------------------------------------------------------------------------------

let lastStatus;

function renderProgress(live) {
  const p = live.progress;
  const planned = p.runsPlanned;
  setText('runs-done', String(p.runsDone));
  setText('runs-planned', planned === null ? '?' : String(planned));
  setText('runs-failed', String(p.runsFailed));
  setText('runs-in-flight', String(p.runsInFlight));
  setText('recovered', `${p.recovered} / ${p.failures}`);
  setText('success-rate', percent(live.successRate.overall));
  setText('elapsed', duration(p.elapsedMs));
  setText('eta', live.status === 'finished' ? 'done' : duration(p.etaMs));
  const fraction = (n) => (planned === null || planned === 0 ? 0 : Math.min(1, n / planned));
  const done = fraction(p.runsDone);
  const failed = Math.min(done, fraction(p.runsFailed));
  // Green up to the runs done, the failed share in red at its end, the rest still to run.
  byTestId('progress-fill').style.width = `${(done * 100).toFixed(2)}%`;
  const failedFill = byTestId('progress-fill-failed');
  failedFill.style.left = `${((done - failed) * 100).toFixed(2)}%`;
  failedFill.style.width = `${(failed * 100).toFixed(2)}%`;
  byTestId('progress-bar').setAttribute('aria-valuenow', (done * 100).toFixed(0));
}

function renderSuccessRate(live) {
  const points = live.successRate.overTime;
  const origin = live.startedAt;
  chart(
    byTestId('chart-success-rate'),
    'line',
    {
      labels: points.map((point) => `+${duration(point.end - origin)}`),
      datasets: [
        {
          label: 'success rate',
          data: points.map((point) =>
            point.successRate === null ? null : +(point.successRate * 100).toFixed(2),
          ),
          borderColor: colors.ok,
          backgroundColor: 'rgba(22, 163, 74, 0.12)',
          fill: true,
          spanGaps: true,
          cubicInterpolationMode: 'monotone',
          pointRadius: 2,
        },
      ],
    },
    { maintainAspectRatio: false, scales: { y: percentAxis() } },
  );
}

function renderInjections(live) {
  const entries = Object.entries(live.injections.byKind).sort(
    (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
  );
  setText('injections-total', String(live.injections.total));
  chart(
    byTestId('chart-injections'),
    'bar',
    {
      labels: entries.map(([kind]) => kind),
      datasets: [
        {
          label: 'injections',
          data: entries.map(([, count]) => count),
          backgroundColor: entries.map((_, i) => colors.series[i % colors.series.length]),
        },
      ],
    },
    { maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  );
  const body = byTestId('injections-table').tBodies[0];
  body.replaceChildren(
    ...entries.map(([kind, count]) => {
      const row = el('tr', { 'data-testid': 'injection-row', 'data-kind': kind });
      row.append(
        el('td', {}, kind),
        el('td', { class: 'num', 'data-testid': 'injection-count' }, String(count)),
      );
      return row;
    }),
  );
}

function renderMttr(live) {
  const m = live.mttr;
  setText(
    'mttr-summary',
    m.n === 0
      ? 'No recoveries yet'
      : `n = ${m.n} · p50 ${duration(m.p50)} · p95 ${duration(m.p95)} · p99 ${duration(m.p99)} · mean ${duration(m.mean)}`,
  );
  let last = m.counts.length - 1;
  while (last > 0 && m.counts[last] === 0) last--;
  const shown = Math.max(Math.min(last + 1, m.counts.length), Math.min(6, m.counts.length));
  const labels = [];
  for (let i = 0; i < shown; i++) {
    labels.push(
      i < m.bounds.length ? `≤${bound(m.bounds[i])}` : `>${bound(m.bounds[m.bounds.length - 1])}`,
    );
  }
  chart(
    byTestId('chart-mttr'),
    'bar',
    {
      labels,
      datasets: [
        {
          label: 'recoveries',
          data: m.counts.slice(0, shown),
          backgroundColor: colors.info,
          barPercentage: 1,
          categoryPercentage: 0.95,
        },
      ],
    },
    { maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  );
}

function renderBreakers(live, origin) {
  const body = byTestId('breakers').tBodies[0];
  body.replaceChildren(
    ...live.breakers.map((breaker) => {
      const row = el('tr', { 'data-testid': 'breaker-row', 'data-name': breaker.name });
      const state = el('td');
      state.append(
        el(
          'span',
          { class: 'state', 'data-state': breaker.state, 'data-testid': 'breaker-state' },
          breaker.state,
        ),
      );
      row.append(
        el('td', {}, breaker.name),
        state,
        el('td', {}, when(breaker.since, origin)),
        el('td', { class: 'num', 'data-testid': 'breaker-trips' }, String(breaker.trips)),
      );
      return row;
    }),
  );
  byTestId('breakers-empty').hidden = live.breakers.length > 0;
  byTestId('breaker-transitions').replaceChildren(
    ...[...live.breakerTransitions].reverse().map((t) => {
      const item = el('li', { 'data-testid': 'breaker-transition' });
      item.append(
        el('span', { class: 'when' }, when(t.at, origin)),
        el('span', { class: 'kind' }, t.name),
        el('span', {}, `${t.from} → `),
        el('span', { class: 'state', 'data-state': t.to }, t.to),
      );
      return item;
    }),
  );
}

function renderHealing(live, origin) {
  const h = live.healing;
  setText('healing-healed', String(h.healed));
  setText('healing-failed', String(h.failed));
  setText('healing-escalations', String(h.escalations));
  byTestId('healing-events').replaceChildren(
    ...[...h.recent].reverse().map((event) => {
      const item = el('li', { 'data-testid': 'healing-event', 'data-type': event.type });
      item.append(
        el('span', { class: 'when' }, when(event.at, origin)),
        el('span', { class: 'kind', 'data-type': event.type }, event.type),
        el('span', {}, event.agent === null ? event.detail : `${event.agent}: ${event.detail}`),
      );
      return item;
    }),
  );
}

function renderLive(live) {
  document.body.classList.toggle('no-live', live === null);
  if (live === null) {
    setText('campaign-name', 'No live campaign');
    return;
  }
  setText('campaign-name', live.name ?? 'Live campaign');
  document.title = `${live.name ?? 'faultline'} · ${live.status} · faultline dashboard`;
  const badge = byTestId('status');
  badge.dataset.status = live.status;
  setText('status', live.status);
  setText('seed', live.seed === null ? '' : `seed ${live.seed}`);
  const origin = live.startedAt;
  renderProgress(live);
  renderSuccessRate(live);
  renderInjections(live);
  renderMttr(live);
  renderBreakers(live, origin);
  renderHealing(live, origin);
  if (lastStatus !== undefined && lastStatus !== live.status) void loadHistory();
  lastStatus = live.status;
}

// ---- history ----------------------------------------------------------------------------------

let history = { available: false, runs: [], trends: [] };

function renderTrends() {
  const select = byTestId('trend-name');
  const container = byTestId('trends');
  const trend = history.trends.find((t) => t.name === select.value) ?? history.trends[0];
  for (const canvas of container.querySelectorAll('canvas')) {
    charts.get(canvas)?.destroy();
    charts.delete(canvas);
  }
  container.replaceChildren();
  if (trend === undefined) return;
  Object.entries(trend.metrics).forEach(([metric, points], i) => {
    const box = el('div', { class: 'trend', 'data-testid': 'trend', 'data-metric': metric });
    const title = el('h4');
    const latest = points.length === 0 ? null : points[points.length - 1].value;
    title.append(
      el('span', {}, metric),
      el('span', { class: 'latest', 'data-testid': 'trend-latest' }, number(latest)),
    );
    const holder = el('div', { class: 'chart' });
    const canvas = el('canvas', {
      'data-testid': 'trend-chart',
      'aria-label': `${metric} across runs`,
    });
    holder.append(canvas);
    box.append(title, holder);
    container.append(box);
    const color = colors.series[i % colors.series.length];
    chart(
      canvas,
      'line',
      {
        labels: points.map((point) => dateTime(point.at)),
        datasets: [
          {
            label: metric,
            data: points.map((point) => point.value),
            borderColor: color,
            backgroundColor: color,
            tension: 0.2,
            pointRadius: 3,
          },
        ],
      },
      { maintainAspectRatio: false, scales: { x: { ticks: { maxTicksLimit: 4 } } } },
    );
  });
}

function renderHistory() {
  const section = byTestId('history');
  section.classList.toggle('no-history', !history.available || history.runs.length === 0);
  const empty = byTestId('history-empty');
  empty.hidden = history.available && history.runs.length > 0;
  empty.textContent = history.available
    ? 'No runs recorded yet'
    : 'No run history (start the dashboard with --db to show one)';
  const select = byTestId('trend-name');
  const previous = select.value;
  select.replaceChildren(
    ...history.trends.map((t) =>
      el('option', { value: t.name }, `${t.name} (${t.runs} run${t.runs === 1 ? '' : 's'})`),
    ),
  );
  if (history.trends.some((t) => t.name === previous)) select.value = previous;
  renderTrends();
  byTestId('history-runs').tBodies[0].replaceChildren(
    ...history.runs.map((run) => {
      const row = el('tr', { 'data-testid': 'history-run', 'data-id': run.id });
      const headline = Object.entries(run.summary)
        .slice(0, 4)
        .map(([key, value]) => `${key} ${number(value)}`)
        .join(' · ');
      row.append(
        el('td', {}, dateTime(run.startedAt)),
        el('td', {}, run.name),
        el('td', {}, run.kind),
        el('td', { class: `status-${run.status}` }, run.status),
        el('td', {}, run.seed),
        el('td', {}, headline),
      );
      return row;
    }),
  );
}

async function loadHistory() {
  try {
    const response = await fetch('/api/history?limit=200', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    history = await response.json();
  } catch (error) {
    history = { available: false, runs: [], trends: [] };
    byTestId('history-empty').textContent = `Could not load the history: ${error.message}`;
  }
  renderHistory();
}

// ---- wiring -----------------------------------------------------------------------------------

function connect() {
  const connection = byTestId('connection');
  const setConnection = (state, text) => {
    connection.dataset.state = state;
    connection.textContent = text;
  };
  const events = new EventSource('/api/events');
  events.addEventListener('open', () => setConnection('live', 'live'));
  events.addEventListener('error', () => setConnection('reconnecting', 'reconnecting…'));
  events.addEventListener('snapshot', (event) => {
    const banner = byTestId('live-error');
    banner.hidden = true;
    renderLive(JSON.parse(event.data));
  });
  events.addEventListener('live-error', (event) => {
    const banner = byTestId('live-error');
    banner.textContent = `The live source failed: ${JSON.parse(event.data).message}`;
    banner.hidden = false;
  });
}

byTestId('trend-name').addEventListener('change', renderTrends);
connect();
void loadHistory();
