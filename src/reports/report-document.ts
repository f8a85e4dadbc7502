import { duration, num, percent } from './report-format.ts';

/**
 * A report as a list of blocks, rendered to Markdown and to HTML by the same code so the two
 * formats never disagree. Text is plain, with two inline marks: `` `code` `` and `**bold**`.
 * @internal
 * @module
 */

/** What a chart's numbers are. @internal */
export type ChartUnit = 'ratio' | 'ms' | 'count';

/** A horizontal bar chart: one row per label, one bar per series. @internal */
export interface BarChart {
  readonly type: 'bar';
  /** Unique in the page; names the chart in the embedded data. */
  readonly id: string;
  readonly title: string;
  readonly unit: ChartUnit;
  readonly labels: readonly string[];
  readonly series: readonly {
    readonly name: string;
    readonly values: readonly (number | null)[];
  }[];
  /** A reference line, e.g. the 95% success-rate target. */
  readonly target?: { readonly value: number; readonly label: string } | undefined;
  /** The sample size and seed behind the numbers. */
  readonly note: string;
}

/** A likelihood × impact grid (1..5 each) with the entries in each cell. @internal */
export interface MatrixChart {
  readonly type: 'matrix';
  readonly id: string;
  readonly title: string;
  /** `cells[impact - 1][likelihood - 1]`: the ids in that cell. */
  readonly cells: readonly (readonly (readonly string[])[])[];
  readonly xLabels: readonly string[];
  readonly yLabels: readonly string[];
  readonly note: string;
}

/** A chart of a report. @internal */
export type Chart = BarChart | MatrixChart;

/** Column alignment of a table. @internal */
export type Align = 'left' | 'right' | 'center';

/** A list item, optionally with a nested list. @internal */
export type ListItem = string | { readonly text: string; readonly items: readonly string[] };

/** One block of a report. @internal */
export type Block =
  | {
      readonly kind: 'heading';
      readonly level: 1 | 2 | 3;
      readonly text: string;
      readonly id?: string;
    }
  | { readonly kind: 'paragraph'; readonly text: string }
  | {
      readonly kind: 'table';
      readonly headers: readonly string[];
      readonly align: readonly Align[];
      readonly rows: readonly (readonly string[])[];
    }
  | { readonly kind: 'list'; readonly items: readonly ListItem[]; readonly ordered?: boolean }
  | {
      readonly kind: 'checklist';
      readonly items: readonly { readonly done: boolean; readonly text: string }[];
    }
  | { readonly kind: 'chart'; readonly chart: Chart };

/** Makes text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

const separators: Readonly<Record<Align, string>> = { left: '---', right: '---:', center: ':---:' };

/** Renders blocks as Markdown (charts are left out: their numbers are in the tables). @internal */
export function renderMarkdown(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading':
        out.push(`${'#'.repeat(block.level)} ${block.text}`, '');
        break;
      case 'paragraph':
        out.push(block.text, '');
        break;
      case 'table':
        out.push(`| ${block.headers.map(cell).join(' | ')} |`);
        out.push(
          `| ${block.headers.map((_, i) => separators[block.align[i] ?? 'left']).join(' | ')} |`,
        );
        for (const row of block.rows) out.push(`| ${row.map(cell).join(' | ')} |`);
        out.push('');
        break;
      case 'list':
        block.items.forEach((item, i) => {
          const marker = block.ordered === true ? `${String(i + 1)}.` : '-';
          const indent = ' '.repeat(marker.length + 1);
          if (typeof item === 'string') out.push(`${marker} ${item}`);
          else
            out.push(`${marker} ${item.text}`, ...item.items.map((child) => `${indent}- ${child}`));
        });
        out.push('');
        break;
      case 'checklist':
        for (const item of block.items) out.push(`- [${item.done ? 'x' : ' '}] ${item.text}`);
        out.push('');
        break;
      case 'chart':
        break;
    }
  }
  while (out.at(-1) === '') out.pop();
  return `${out.join('\n')}\n`;
}

/** Escapes text for HTML content and attribute values. @internal */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Escaped text with `` `code` `` and `**bold**` turned into elements. */
function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}

function formatValue(value: number, unit: ChartUnit): string {
  if (unit === 'ratio') return percent(value);
  if (unit === 'ms') return duration(value);
  return num(value);
}

const palette = ['#3b6ea5', '#d9822b', '#4f9a5a', '#9a4f8c'];

/** Numbers in SVG attributes: at most one decimal, so output is stable. */
function px(x: number): string {
  return String(Math.round(x * 10) / 10);
}

function barChartSvg(chart: BarChart): string {
  const labelWidth = 190;
  const plotWidth = 380;
  const valueWidth = 80;
  const barHeight = 16;
  const gap = 10;
  const top = 30;
  const groupHeight = chart.series.length * barHeight + gap;
  const legendHeight = chart.series.length > 1 ? 22 : 0;
  const height = top + chart.labels.length * groupHeight + legendHeight + 24;
  const width = labelWidth + plotWidth + valueWidth;
  const all = chart.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const dataMax = Math.max(chart.unit === 'ratio' ? 1 : 0, ...all, 1e-9);
  // A target far beyond the data would squash every bar: then the caption states it instead.
  const target =
    chart.target !== undefined && chart.target.value <= 2 * dataMax ? chart.target : undefined;
  const max = Math.max(dataMax, target?.value ?? 0);
  const scale = plotWidth / max;
  const parts: string[] = [
    `<svg class="chart" role="img" viewBox="0 0 ${px(width)} ${px(height)}" width="${px(width)}" height="${px(height)}" aria-labelledby="${chart.id}-title">`,
    `<title id="${chart.id}-title">${escapeHtml(chart.title)}</title>`,
    `<text x="0" y="16" class="chart-title">${escapeHtml(chart.title)}</text>`,
  ];
  chart.labels.forEach((label, row) => {
    const y0 = top + row * groupHeight;
    parts.push(
      `<text x="${px(labelWidth - 8)}" y="${px(y0 + (chart.series.length * barHeight) / 2 + 4)}" text-anchor="end" class="chart-label">${escapeHtml(label)}</text>`,
    );
    chart.series.forEach((series, s) => {
      const value = series.values[row] ?? null;
      const y = y0 + s * barHeight;
      const w = value === null ? 0 : Math.max(0, value * scale);
      parts.push(
        `<rect x="${px(labelWidth)}" y="${px(y + 2)}" width="${px(w)}" height="${px(barHeight - 4)}" fill="${palette[s % palette.length] ?? '#3b6ea5'}"><title>${escapeHtml(`${series.name}: ${value === null ? 'no value' : formatValue(value, chart.unit)}`)}</title></rect>`,
        `<text x="${px(labelWidth + w + 4)}" y="${px(y + barHeight - 4)}" class="chart-value">${escapeHtml(value === null ? '–' : formatValue(value, chart.unit))}</text>`,
      );
    });
  });
  const plotBottom = top + chart.labels.length * groupHeight;
  if (target !== undefined) {
    const x = labelWidth + target.value * scale;
    parts.push(
      `<line x1="${px(x)}" y1="${px(top - 4)}" x2="${px(x)}" y2="${px(plotBottom)}" class="chart-target"/>`,
      `<text x="${px(x)}" y="${px(plotBottom + 14)}" text-anchor="middle" class="chart-note">${escapeHtml(target.label)}</text>`,
    );
  }
  if (chart.series.length > 1) {
    chart.series.forEach((series, s) => {
      const x = labelWidth + s * 130;
      const y = plotBottom + 22;
      parts.push(
        `<rect x="${px(x)}" y="${px(y)}" width="12" height="12" fill="${palette[s % palette.length] ?? '#3b6ea5'}"/>`,
        `<text x="${px(x + 16)}" y="${px(y + 10)}" class="chart-label">${escapeHtml(series.name)}</text>`,
      );
    });
  }
  parts.push('</svg>');
  return parts.join('');
}

function matrixSvg(chart: MatrixChart): string {
  const size = 96;
  const left = 110;
  const top = 30;
  const width = left + 5 * size + 10;
  const height = top + 5 * size + 50;
  const parts: string[] = [
    `<svg class="chart" role="img" viewBox="0 0 ${px(width)} ${px(height)}" width="${px(width)}" height="${px(height)}" aria-labelledby="${chart.id}-title">`,
    `<title id="${chart.id}-title">${escapeHtml(chart.title)}</title>`,
    `<text x="0" y="16" class="chart-title">${escapeHtml(chart.title)}</text>`,
  ];
  for (let impact = 5; impact >= 1; impact--) {
    const y = top + (5 - impact) * size;
    parts.push(
      `<text x="${px(left - 8)}" y="${px(y + size / 2 + 4)}" text-anchor="end" class="chart-label">${escapeHtml(chart.yLabels[impact - 1] ?? String(impact))}</text>`,
    );
    for (let likelihood = 1; likelihood <= 5; likelihood++) {
      const x = left + (likelihood - 1) * size;
      const score = impact * likelihood;
      // Light green for low scores through amber to red for the highest.
      const hue = Math.round(120 - ((score - 1) / 24) * 120);
      const ids = chart.cells[impact - 1]?.[likelihood - 1] ?? [];
      parts.push(
        `<rect x="${px(x)}" y="${px(y)}" width="${px(size - 2)}" height="${px(size - 2)}" fill="hsl(${String(hue)}, 65%, ${ids.length > 0 ? '62%' : '88%'})"><title>${escapeHtml(`likelihood ${String(likelihood)} × impact ${String(impact)} = ${String(score)}${ids.length > 0 ? `: ${ids.join(', ')}` : ''}`)}</title></rect>`,
        `<text x="${px(x + 4)}" y="${px(y + 14)}" class="chart-note">${String(score)}</text>`,
      );
      ids.forEach((id, i) => {
        parts.push(
          `<text x="${px(x + size / 2 - 1)}" y="${px(y + 32 + i * 14)}" text-anchor="middle" class="chart-value">${escapeHtml(id)}</text>`,
        );
      });
    }
  }
  for (let likelihood = 1; likelihood <= 5; likelihood++) {
    parts.push(
      `<text x="${px(left + (likelihood - 1) * size + size / 2)}" y="${px(top + 5 * size + 16)}" text-anchor="middle" class="chart-label">${escapeHtml(chart.xLabels[likelihood - 1] ?? String(likelihood))}</text>`,
    );
  }
  parts.push(
    `<text x="${px(left + (5 * size) / 2)}" y="${px(top + 5 * size + 38)}" text-anchor="middle" class="chart-note">likelihood →  (impact ↑)</text>`,
    '</svg>',
  );
  return parts.join('');
}

/** The chart as inline SVG, with its note. @internal */
export function chartHtml(chart: Chart): string {
  const svg = chart.type === 'bar' ? barChartSvg(chart) : matrixSvg(chart);
  return `<figure id="${escapeHtml(chart.id)}">${svg}<figcaption>${inline(chart.note)}</figcaption></figure>`;
}

const styles = `
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1d2430; margin: 0 auto; max-width: 1080px; padding: 24px; }
h1 { font-size: 1.7em; margin-top: 0; }
h2 { border-bottom: 1px solid #d8dde5; padding-bottom: 4px; margin-top: 2em; }
table { border-collapse: collapse; margin: 12px 0; width: 100%; }
th, td { border: 1px solid #d8dde5; padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f2f4f8; }
td.right, th.right { text-align: right; }
td.center, th.center { text-align: center; }
code { background: #f2f4f8; padding: 1px 4px; border-radius: 3px; font-size: 0.92em; }
ul.checklist { list-style: none; padding-left: 4px; }
figure { margin: 16px 0; }
figcaption { color: #5b6575; font-size: 0.9em; }
svg.chart { max-width: 100%; height: auto; font: 12px system-ui, sans-serif; }
.chart-title { font-weight: 600; font-size: 14px; }
.chart-label { fill: #1d2430; }
.chart-value { fill: #1d2430; font-size: 11px; }
.chart-note { fill: #5b6575; font-size: 11px; }
.chart-target { stroke: #c0392b; stroke-width: 1.5; stroke-dasharray: 4 3; }
`;

/**
 * Renders blocks as one self-contained HTML page: styles inline, charts as inline SVG, and every
 * chart's numbers embedded as JSON (`<script type="application/json" id="report-data">`), so the
 * file opens offline and tools can read the data back. Nothing is loaded from elsewhere. @internal
 */
export function renderHtml(title: string, blocks: readonly Block[], data: unknown): string {
  const body: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading': {
        const id = block.id === undefined ? '' : ` id="${escapeHtml(block.id)}"`;
        body.push(`<h${String(block.level)}${id}>${inline(block.text)}</h${String(block.level)}>`);
        break;
      }
      case 'paragraph':
        body.push(`<p>${inline(block.text)}</p>`);
        break;
      case 'table': {
        const cls = (i: number): string => {
          const align = block.align[i] ?? 'left';
          return align === 'left' ? '' : ` class="${align}"`;
        };
        body.push(
          '<table>',
          `<thead><tr>${block.headers.map((h, i) => `<th${cls(i)}>${inline(h)}</th>`).join('')}</tr></thead>`,
          '<tbody>',
          ...block.rows.map(
            (row) => `<tr>${row.map((c, i) => `<td${cls(i)}>${inline(c)}</td>`).join('')}</tr>`,
          ),
          '</tbody>',
          '</table>',
        );
        break;
      }
      case 'list': {
        const tag = block.ordered === true ? 'ol' : 'ul';
        const items = block.items.map((item) =>
          typeof item === 'string'
            ? `<li>${inline(item)}</li>`
            : `<li>${inline(item.text)}<ul>${item.items.map((child) => `<li>${inline(child)}</li>`).join('')}</ul></li>`,
        );
        body.push(`<${tag}>${items.join('')}</${tag}>`);
        break;
      }
      case 'checklist':
        body.push(
          `<ul class="checklist">${block.items.map((item) => `<li>${item.done ? '☑' : '☐'} ${inline(item.text)}</li>`).join('')}</ul>`,
        );
        break;
      case 'chart':
        body.push(chartHtml(block.chart));
        break;
    }
  }
  // `<` escaped so that no string in the data can close the script element.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${styles}</style>`,
    '</head>',
    '<body>',
    ...body,
    `<script type="application/json" id="report-data">${json}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
