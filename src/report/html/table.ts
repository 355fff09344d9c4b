/**
 * HTML tables whose cells are escaped text. Each header is a button the report's script uses to
 * sort by that column; a cell may carry a sort key (`data-sort`) different from its text.
 */
import { escapeHtml } from '../escape.js';

export interface Cell {
  text: string;
  /** Sort key; numbers sort numerically. Default: the text. */
  sort?: number | string | null;
  cls?: string;
  title?: string;
}

export interface Column {
  text: string;
  numeric?: boolean;
  title?: string;
  /** Added to the header cell (e.g. "secondary": hidden on narrow screens). */
  cls?: string;
}

export interface TableOptions {
  /** An optional header row above the columns, naming groups of them. */
  groups?: { text: string; span: number }[];
  columns: Column[];
  rows: (Cell | string)[][];
  caption?: string;
  cls?: string;
  id?: string;
  sortable?: boolean;
  /** File name (without .csv) of the table's download; every table gets one, from its id or caption by default. */
  csv?: string;
  rowClass?: (row: number) => string;
}

const attr = (name: string, value: string | number | null | undefined): string =>
  value === null || value === undefined || value === '' ? '' : ` ${name}="${escapeHtml(String(value))}"`;

export function htmlTable(o: TableOptions): string {
  const sortable = o.sortable ?? true;
  const head = o.columns
    .map((c) => {
      const label = escapeHtml(c.text);
      const inner = sortable
        ? `<button type="button" class="sort">${label}<span class="sort-mark" aria-hidden="true"></span></button>`
        : label;
      return `<th scope="col"${attr('class', [c.numeric ? 'num' : '', c.cls ?? ''].filter(Boolean).join(' '))}${attr('title', c.title)}>${inner}</th>`;
    })
    .join('');
  const body = o.rows
    .map(
      (row, r) =>
        `<tr${attr('class', o.rowClass?.(r))}>${row
          .map((cell, k) => {
            const c: Cell = typeof cell === 'string' ? { text: cell } : cell;
            const cls = [o.columns[k]?.numeric ? 'num' : '', c.cls ?? ''].filter(Boolean).join(' ');
            const sort =
              c.sort === null || c.sort === undefined || (typeof c.sort === 'number' && !Number.isFinite(c.sort))
                ? null
                : c.sort;
            // Names and other text from the data are isolated, so right-to-left characters in them stay inside.
            const content = /\bname\b|\bdetails\b/.test(cls) ? `<bdi>${escapeHtml(c.text)}</bdi>` : escapeHtml(c.text);
            return `<td${attr('class', cls)}${attr('data-sort', sort)}${attr('title', c.title)}>${content}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  const cls = [sortable ? 'sortable' : '', o.cls ?? ''].filter(Boolean).join(' ');
  const groups = o.groups
    ? `<tr class="col-groups">${o.groups.map((g) => `<th scope="colgroup" colspan="${g.span}">${escapeHtml(g.text)}</th>`).join('')}</tr>`
    : '';
  const csv = o.csv ?? o.id ?? o.caption ?? 'table';
  return (
    `<div class="table-wrap"><table${attr('class', cls)}${attr('id', o.id)}${attr('data-csv', csv.replace(/[^\w.-]+/g, '-').slice(0, 60))}>` +
    (o.caption ? `<caption>${escapeHtml(o.caption)}</caption>` : '') +
    `<thead>${groups}<tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`
  );
}
