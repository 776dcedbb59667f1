/**
 * The self-contained HTML page both reports are made of: inline CSS (screen
 * and print), charts as inline SVG, tables (optionally sortable by a click
 * on a header, with a few lines of inline JavaScript), and a Content Security
 * Policy that forbids every network request and every script but the page's
 * own (allowed by its SHA-256 hash), so an escaped-string bug still cannot
 * run code.
 *
 * Every user string must reach this module through {@link escapeHtml} (the
 * helpers here escape their text arguments; `html` fragments are trusted).
 */
import { createHash } from 'node:crypto';
import { escapeHtml, safeId } from './escape.ts';

/** A chart of a report: its id, title, caption and rendered SVG. */
export interface Chart {
  /** Id (file-name safe): `trace`, `learning-curves`, `metric-c4_cross_entropy`, ... */
  readonly id: string;
  readonly title: string;
  /** One sentence under the chart: how to read it. */
  readonly caption: string;
  readonly svg: string;
}

/** A table cell: text (escaped), optional sort key and tooltip. */
export interface Cell {
  readonly text: string;
  /** Sort key (number or string); default: the text. */
  readonly sort?: number | string;
  readonly title?: string;
  readonly className?: string;
}

/** A table: header texts and rows of cells. */
export interface Table {
  readonly id: string;
  readonly caption?: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly (Cell | string)[])[];
  /** Rows re-sortable by clicking a header (default false). */
  readonly sortable?: boolean;
  /** Class per column (e.g. `num` right-aligns). */
  readonly columnClass?: readonly (string | undefined)[];
}

/** A section of the page: a heading and trusted HTML fragments. */
export interface Section {
  readonly id: string;
  readonly title: string;
  readonly html: string;
}

/** A page: title, subtitle, key facts, sections. */
export interface Page {
  readonly title: string;
  readonly subtitle?: string;
  /** Key facts shown under the title (`label: value`, both escaped). */
  readonly facts?: readonly (readonly [string, string])[];
  readonly sections: readonly Section[];
  /** Footer text (escaped). */
  readonly footer?: string;
}

const CSS = `
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #d9dce1; --bg-alt: #f6f7f9; --accent: #1f5fbf; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.subtitle { color: var(--muted); margin: 0 0 16px; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 8px 20px; margin: 0 0 8px; padding: 12px 16px; background: var(--bg-alt); border-radius: 6px; }
dl.facts div { min-width: 0; }
dl.facts dt { font-size: .78rem; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
dl.facts dd { margin: 0; font-weight: 600; overflow-wrap: break-word; }
nav.toc { font-size: .9rem; margin: 8px 0 0; }
nav.toc a { color: var(--accent); margin-right: 14px; text-decoration: none; }
figure.chart { margin: 12px 0 20px; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: .88rem; margin-top: 4px; }
.charts-2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 8px 24px; align-items: start; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: .86rem; margin: 8px 0 16px; }
caption { text-align: left; color: var(--muted); padding-bottom: 4px; }
th, td { padding: 4px 9px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { background: var(--bg-alt); font-weight: 600; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.err { white-space: normal; max-width: 360px; color: #a3231f; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th::after { content: " \\2195"; color: #b0b4ba; font-weight: normal; }
table.sortable th[aria-sort="ascending"]::after { content: " \\25B2"; color: var(--accent); }
table.sortable th[aria-sort="descending"]::after { content: " \\25BC"; color: var(--accent); }
tr.state-failed td { background: #fdf0ef; }
tr.state-stale td, tr.state-pending td, tr.state-running td { background: #fff8e6; }
.note { color: var(--muted); font-size: .9rem; }
footer { margin-top: 40px; color: var(--muted); font-size: .8rem; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  h2 { break-after: avoid; }
  figure.chart, table, dl.facts { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  th { position: static; }
  table.sortable th::after { content: ""; }
  .charts-2 { display: block; }
}
`;

/** Sorts the rows of a `table.sortable` by the clicked header (numbers numerically; cells may carry data-sort). */
const SORT_JS = `
(function () {
  function key(c) {
    var v = c.hasAttribute('data-sort') ? c.getAttribute('data-sort') : c.textContent.trim();
    var n = Number(v);
    return v !== '' && isFinite(n) ? n : v;
  }
  function cmp(a, b) {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    if (typeof a === 'number') return -1;
    if (typeof b === 'number') return 1;
    return String(a).localeCompare(String(b));
  }
  document.querySelectorAll('table.sortable').forEach(function (t) {
    var ths = t.tHead.rows[0].cells;
    Array.prototype.forEach.call(ths, function (th, i) {
      th.tabIndex = 0;
      function sort() {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        Array.prototype.forEach.call(ths, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
        var body = t.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) { return dir * cmp(key(a.cells[i]), key(b.cells[i])); });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); } });
    });
  });
})();
`;

/** The page's Content Security Policy: no network, only this page's own script and styles. */
export function contentSecurityPolicy(script: string = SORT_JS): string {
  const hash = createHash('sha256').update(script, 'utf8').digest('base64');
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `script-src 'sha256-${hash}'`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** A chart as a `<figure>` (the SVG is trusted: rendered by Vega from escaped data). */
export function figure(c: Chart): string {
  return `<figure class="chart" id="chart-${safeId(c.id)}" data-chart="${escapeHtml(c.id)}">
<figcaption><strong>${escapeHtml(c.title)}</strong></figcaption>
${c.svg}
<figcaption>${escapeHtml(c.caption)}</figcaption>
</figure>`;
}

function cellHtml(c: Cell | string, tag: 'td' | 'th', cls: string | undefined): string {
  const cell: Cell = typeof c === 'string' ? { text: c } : c;
  const classes = [cls, cell.className].filter((x) => x !== undefined && x !== '').join(' ');
  const attrs = [
    classes !== '' ? ` class="${escapeHtml(classes)}"` : '',
    cell.sort !== undefined ? ` data-sort="${escapeHtml(String(cell.sort))}"` : '',
    cell.title !== undefined ? ` title="${escapeHtml(cell.title)}"` : '',
  ].join('');
  return `<${tag}${attrs}>${escapeHtml(cell.text)}</${tag}>`;
}

/** A table (cells escaped); `rowClasses[j]` is the class of row `j` (e.g. `state-failed`). */
export function table(t: Table, rowClasses?: readonly (string | undefined)[]): string {
  const cls = t.columnClass ?? [];
  const head = t.head.map((h, i) => cellHtml(h, 'th', cls[i])).join('');
  const rows = t.rows
    .map((r, j) => {
      const rc = rowClasses?.[j];
      return `<tr${rc !== undefined ? ` class="${escapeHtml(rc)}"` : ''}>${r.map((c, i) => cellHtml(c, 'td', cls[i])).join('')}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table id="${safeId(t.id)}"${t.sortable === true ? ' class="sortable"' : ''}>${t.caption !== undefined ? `<caption>${escapeHtml(t.caption)}</caption>` : ''}
<thead><tr>${head}</tr></thead>
<tbody>
${rows}
</tbody></table></div>`;
}

/** A paragraph of escaped text with the given class. */
export function para(text: string, className = 'note'): string {
  return `<p class="${escapeHtml(className)}">${escapeHtml(text)}</p>`;
}

/**
 * Escaped text that may wrap after `_`, `/` and `.` (a `<wbr>` there), so that
 * a long identifier such as `commoncrawl_cross_entropy` breaks between its
 * words in a narrow box rather than in the middle of one.
 */
function breakable(text: string): string {
  return escapeHtml(text).replace(/([_/.])(?=\S)/g, '$1<wbr>');
}

/** The whole page as one self-contained HTML document. */
export function renderPage(p: Page): string {
  const facts =
    p.facts !== undefined && p.facts.length > 0
      ? `<dl class="facts">${p.facts.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${breakable(v)}</dd></div>`).join('')}</dl>`
      : '';
  const toc = `<nav class="toc">${p.sections.map((s) => `<a href="#${safeId(s.id)}">${escapeHtml(s.title)}</a>`).join('')}</nav>`;
  const sections = p.sections
    .map(
      (s) =>
        `<section id="${safeId(s.id)}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.html}\n</section>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(p.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(p.title)}</h1>
${p.subtitle !== undefined ? `<p class="subtitle">${escapeHtml(p.subtitle)}</p>` : ''}
${facts}
${toc}
</header>
${sections}
<footer>${escapeHtml(p.footer ?? 'Generated by mixopt.')}</footer>
</main>
<script>${SORT_JS}</script>
</body>
</html>
`;
}
