/**
 * Stats as charts: items upheld and overturned by category and by month, drawn as SVG (no
 * chart library needed for bars), each with its numbers in a table for screen readers and
 * for copying. CSV exports beside them.
 */
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.ts';
import { getJson, download, ApiProblemError } from './api.ts';
import { label } from './words.ts';
import type { StatsRow } from './types.ts';

function Bars({ title, rows, keyLabel }: { title: string; rows: StatsRow[]; keyLabel: (key: string) => string }) {
  const max = Math.max(1, ...rows.map((row) => row.total));
  const rowHeight = 26;
  const labelWidth = 190;
  const width = 640;
  const scale = (value: number) => ((width - labelWidth - 60) * value) / max;
  const id = title.toLowerCase().replaceAll(/[^a-z]+/g, '-');
  return html`<figure class="chart" aria-labelledby=${`${id}-caption`}>
    <figcaption id=${`${id}-caption`}>${title}</figcaption>
    ${
      rows.length === 0
        ? html`<p class="empty">No items yet.</p>`
        : html`<svg viewBox=${`0 0 ${width} ${rows.length * rowHeight + 8}`} role="img" aria-label=${`${title}: bar chart; the same numbers are in the table below`}>
          ${rows.map(
            (row, index) => html`<g transform=${`translate(0 ${index * rowHeight + 4})`}>
              <text x=${labelWidth - 8} y="16" text-anchor="end" class="axis">${keyLabel(row.key)}</text>
              <rect x=${labelWidth} y="3" height="18" width=${scale(row.upheld)} class="upheld" />
              <rect x=${labelWidth + scale(row.upheld)} y="3" height="18" width=${scale(row.overturned)} class="overturned" />
              <text x=${labelWidth + scale(row.total) + 6} y="16" class="value">${row.total}</text>
            </g>`,
          )}
        </svg>
        <p class="legend"><span class="swatch upheld"></span> Upheld <span class="swatch overturned"></span> Overturned</p>
        <table>
          <caption class="visually-hidden">${title}</caption>
          <thead><tr><th scope="col">${title.includes('month') ? 'Month' : 'Category'}</th><th scope="col" class="num">Upheld</th><th scope="col" class="num">Overturned</th><th scope="col" class="num">Total</th><th scope="col" class="num">Overturned share</th></tr></thead>
          <tbody>${rows.map((row) => html`<tr><th scope="row">${keyLabel(row.key)}</th><td class="num">${row.upheld}</td><td class="num">${row.overturned}</td><td class="num">${row.total}</td><td class="num">${row.total ? Math.round((100 * row.overturned) / row.total) : 0}%</td></tr>`)}</tbody>
        </table>`
    }
  </figure>`;
}

/** The stats view. */
export function Stats() {
  const [byCategory, setByCategory] = useState<StatsRow[] | null>(null);
  const [byMonth, setByMonth] = useState<StatsRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    Promise.all([getJson<{ data: StatsRow[] }>('/stats?groupBy=category'), getJson<{ data: StatsRow[] }>('/stats?groupBy=month')])
      .then(([category, month]) => {
        setByCategory([...category.data].sort((a, b) => b.total - a.total));
        setByMonth([...month.data].sort((a, b) => a.key.localeCompare(b.key)));
      })
      .catch((problem: unknown) => setError(problem instanceof ApiProblemError ? problem.message : 'the stats could not be loaded'));
  }, []);
  const exportFile = (path: string, name: string) =>
    void download(path, name).catch((problem: unknown) => setError(problem instanceof ApiProblemError ? problem.message : 'the export failed'));
  const today = new Date().toISOString().slice(0, 10);
  return html`<section aria-labelledby="stats-title">
    <h1 id="stats-title">Stats</h1>
    <p class="hint">Items counted with every correction applied, each letter once (another form of a letter is not counted again). Month is the month the letter was received.</p>
    <div class="exports" role="group" aria-label="Exports">
      <button type="button" class="secondary" onClick=${() => exportFile('/determinations?format=csv', `imr-letters-${today}.csv`)}>Letters as CSV</button>
      <button type="button" class="secondary" onClick=${() => exportFile('/items?format=csv', `imr-items-${today}.csv`)}>Items as CSV</button>
      <button type="button" class="secondary" onClick=${() => exportFile('/deadlines.ics', 'imr-deadlines.ics')}>Deadlines calendar (.ics)</button>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${!error && !byCategory && html`<p aria-live="polite">Loading…</p>`}
    ${byCategory && html`<${Bars} title="Items by category" rows=${byCategory} keyLabel=${label} />`}
    ${byMonth && html`<${Bars} title="Items by month" rows=${byMonth} keyLabel=${(key: string) => key} />`}
  </section>`;
}
