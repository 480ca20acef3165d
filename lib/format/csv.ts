/** RFC 4180 CSV building for the export buttons; pure so it can be tested without a browser. */
export type CsvValue = string | number | boolean | null | undefined;

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => CsvValue;
}

// Spreadsheet apps execute cells that start with these; data from the field is untrusted.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: numbers verbatim, strings quoted when needed and defused when they look like formulas. */
export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const text = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Header line plus one line per row, "\n"-separated, with a trailing newline. */
export function buildCsv<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  const lines = [columns.map((c) => csvCell(c.header)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(c.value(r))).join(','));
  return lines.join('\n') + '\n';
}

/** A safe download file name: "sync lag/DC-ATL" → "sync-lag-DC-ATL.csv". */
export function csvFileName(base: string): string {
  const clean = base
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return `${clean || 'export'}.csv`;
}
