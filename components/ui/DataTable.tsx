'use client';
import { Fragment, type ReactNode, useMemo, useState } from 'react';
import type { CsvColumn, CsvValue } from '@/lib/format/csv';
import { CsvButton } from './CsvButton';
import { EmptyState } from './EmptyState';

export interface Column<T> {
  key: string;
  header: string;
  /** What the cell shows; defaults to the CSV value. */
  cell?: (row: T) => ReactNode;
  /** Raw value for CSV and sorting (numbers stay numbers). */
  value: (row: T) => CsvValue;
  align?: 'left' | 'right';
  /** Leave out of the CSV (e.g. action buttons). */
  noCsv?: boolean;
  /** Only in the CSV (e.g. a status that the table shows as colour). */
  csvOnly?: boolean;
  sortable?: boolean;
}

interface Props<T> {
  caption: string;
  csvName: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  /** The first column is the row header (`<th scope="row">`). */
  rowHeader?: boolean;
  rowTone?: (row: T) => string | undefined;
  empty?: ReactNode;
  /** Show this many rows until "Show all"; the CSV always has every row. */
  pageSize?: number;
  toolbar?: ReactNode;
  /** Shown in a full-width row under its row when not null (an expanded row's detail). */
  detail?: (row: T) => ReactNode | null;
}

type Sort = { key: string; dir: 'asc' | 'desc' } | null;

function compare(a: CsvValue, b: CsvValue): number {
  if (a === b) return 0;
  if (a === null || a === undefined || a === '') return 1;
  if (b === null || b === undefined || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}

/** Accessible table with sortable headers and the shared CSV export. */
export function DataTable<T>({ caption, csvName, columns, rows, rowKey, rowHeader = true, rowTone, empty, pageSize, toolbar, detail }: Props<T>) {
  const [sort, setSort] = useState<Sort>(null);
  const [all, setAll] = useState(false);
  const sorted = useMemo(() => {
    if (!sort) return rows;
    const col = columns.find((c) => c.key === sort.key);
    if (!col) return rows;
    const out = [...rows].sort((x, y) => compare(col.value(x), col.value(y)));
    return sort.dir === 'desc' ? out.reverse() : out;
  }, [rows, columns, sort]);
  const shown = pageSize && !all ? sorted.slice(0, pageSize) : sorted;
  const visible = columns.filter((c) => !c.csvOnly);
  const csvColumns: CsvColumn<T>[] = columns.filter((c) => !c.noCsv).map((c) => ({ header: c.key, value: c.value }));

  const toggle = (key: string) =>
    setSort((s) => (s?.key !== key ? { key, dir: 'desc' } : s.dir === 'desc' ? { key, dir: 'asc' } : null));

  return (
    <div className="min-w-0">
      <div className="mb-2 flex flex-wrap items-center justify-end gap-2">
        {toolbar}
        <CsvButton name={csvName} columns={csvColumns} rows={sorted} />
      </div>
      {rows.length === 0 ? (
        (empty ?? <EmptyState title="No rows for this selection" />)
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full border-collapse text-sm">
            <caption className="sr-only">{caption}</caption>
            <thead>
              <tr className="border-b border-slate-200 text-left text-xs uppercase text-slate-500 dark:border-slate-700 dark:text-slate-400">
                {visible.map((c) => {
                  const active = sort?.key === c.key;
                  const ariaSort = active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined;
                  return (
                    <th key={c.key} scope="col" aria-sort={ariaSort} className={`px-2 py-2 font-medium ${c.align === 'right' ? 'text-right' : ''}`}>
                      {c.sortable === false ? (
                        c.header
                      ) : (
                        <button type="button" onClick={() => toggle(c.key)} className="inline-flex items-center gap-1 uppercase hover:text-slate-900 dark:hover:text-white">
                          {c.header}
                          <span aria-hidden="true">{active ? (sort.dir === 'asc' ? '▲' : '▼') : ''}</span>
                        </button>
                      )}
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => {
                const more = detail?.(r) ?? null;
                return (
                  <Fragment key={rowKey(r)}>
                    <tr className={`border-b border-slate-100 last:border-0 dark:border-slate-800 ${rowTone?.(r) ?? ''}`}>
                      {visible.map((c, i) => {
                        const raw = c.cell ? null : c.value(r);
                        const content = c.cell ? c.cell(r) : raw === null || raw === undefined || raw === '' ? '—' : String(raw);
                        const cls = `px-2 py-1.5 align-top ${c.align === 'right' ? 'text-right tabular-nums' : ''}`;
                        return rowHeader && i === 0 ? (
                          <th key={c.key} scope="row" className={`${cls} text-left font-medium`}>
                            {content}
                          </th>
                        ) : (
                          <td key={c.key} className={cls}>
                            {content}
                          </td>
                        );
                      })}
                    </tr>
                    {more === null ? null : (
                      <tr className="border-b border-slate-100 bg-slate-50 dark:border-slate-800 dark:bg-slate-900/60">
                        <td colSpan={visible.length} className="px-2 py-2">
                          {more}
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {pageSize && sorted.length > pageSize ? (
        <button type="button" onClick={() => setAll((v) => !v)} className="mt-2 text-xs font-medium text-sky-700 hover:underline dark:text-sky-400">
          {all ? `Show first ${pageSize}` : `Show all ${sorted.length} rows`}
        </button>
      ) : null}
    </div>
  );
}
