'use client';
import { buildCsv, type CsvColumn, csvFileName } from '@/lib/format/csv';

/** Starts a client-side download; the CSV is built at click time from what the table holds. */
export function downloadText(text: string, fileName: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoke later: some browsers read the blob after click() returns.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

interface Props<T> {
  name: string;
  columns: readonly CsvColumn<T>[];
  rows: readonly T[];
  label?: string;
}

export function CsvButton<T>({ name, columns, rows, label = 'Export CSV' }: Props<T>) {
  return (
    <CsvAction label={label} ariaLabel={`${label}: ${name}`} disabled={rows.length === 0} build={() => ({ text: buildCsv(columns, rows), fileName: csvFileName(name) })} />
  );
}

/** The same button for CSVs assembled by hand (e.g. close evidence from several tables). */
export function CsvAction({ label, ariaLabel, disabled, build }: { label: string; ariaLabel?: string; disabled?: boolean; build: () => { text: string; fileName: string } }) {
  return (
    <button
      type="button"
      aria-label={ariaLabel ?? label}
      disabled={disabled}
      onClick={() => {
        const { text, fileName } = build();
        downloadText(text, fileName);
      }}
      className="inline-flex items-center gap-1 rounded border border-slate-300 bg-white px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-200 dark:hover:bg-slate-700"
    >
      <span aria-hidden="true">⤓</span> {label}
    </button>
  );
}
