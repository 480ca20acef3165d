import { AppError } from '@/lib/errors';

/**
 * Every time a query uses lies in the engine's DateTime64(3) range, 1900-01-01 … 2299-12-31 (UTC):
 * instants in [TIME_MIN_MS, TIME_END_MS), and exclusive ends (a month's end, `to`) at most TIME_END_MS.
 * Outside it the store fails or wraps, which would be a 500 or a wrong answer instead of a 400.
 */
export const TIME_MIN_MS = Date.UTC(1900, 0, 1);
export const TIME_END_MS = Date.UTC(2300, 0, 1);
const RANGE = '1900-01-01 … 2299-12-31 (UTC)';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parses a time query parameter: RFC 3339 (a `+` offset that arrived URL-decoded as a space is
 * restored) or a date `YYYY-MM-DD` meaning UTC midnight. Returns epoch ms.
 */
export function parseTimeParam(name: string, raw: string): number {
  let v = raw.trim();
  // "2026-10-14T10:00:00 02:00": the '+' became a space in transit.
  v = v.replace(/^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?) (\d{2}:\d{2})$/, '$1+$2');
  const date = DATE.exec(v);
  const m = date ? null : RFC3339.exec(v);
  if (!date && !m) throw bad(name, raw);
  // Checked before Date.UTC, which maps years 0–99 to 1900–1999.
  const year = Number((date ?? m)![1]);
  if (year < 1900 || year > 2299) throw outOfRange(name, raw);
  if (date) {
    const ms = Date.UTC(year, Number(date[2]) - 1, Number(date[3]));
    if (new Date(ms).getUTCDate() !== Number(date[3]) || Number(date[2]) > 12) throw bad(name, raw);
    return ms;
  }
  if (!m) throw bad(name, raw);
  const [, y, mo, d, h, mi, s, frac, off] = m;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(base);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw bad(name, raw);
  }
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  let offsetMin = 0;
  if (off && off !== 'Z' && off !== 'z') {
    const sign = off.startsWith('-') ? -1 : 1;
    offsetMin = sign * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6)));
  }
  const t = base + ms - offsetMin * 60_000;
  // An offset can still carry a time in the edge years across a bound.
  if (t < TIME_MIN_MS || t >= TIME_END_MS) throw outOfRange(name, raw);
  return t;
}

function outOfRange(name: string, raw: string): AppError {
  return new AppError('bad_request', `${name}: "${raw.slice(0, 64)}" is outside the supported range ${RANGE}`);
}

/**
 * The start of a window that ends at `ms` and spans `spanMs` (a previous window for comparison, a
 * look-back from as_of), refused with a 400 naming `name` when it would begin before the range.
 */
export function windowStart(name: string, ms: number, spanMs: number, what: string): number {
  const start = ms - spanMs;
  if (start < TIME_MIN_MS) throw new AppError('bad_request', `${name}: ${what} would start before 1900-01-01; times must lie in ${RANGE}`);
  return start;
}

function bad(name: string, raw: string): AppError {
  return new AppError('bad_request', `${name}: "${raw.slice(0, 64)}" is not an RFC 3339 time or a YYYY-MM-DD date`);
}

export interface Window {
  from: number;
  to: number;
}

const DAY = 86_400_000;

/** `from`/`to` with the api.md defaults (`to` = now, `from` = `to` − 24 h); `from` must be before `to`. */
export function parseWindow(url: URL, now = Date.now()): Window {
  const to = optionalTime(url, 'to') ?? now;
  const from = optionalTime(url, 'from') ?? windowStart('to', to, DAY, 'the default window (24 h before to)');
  if (from >= to) throw new AppError('bad_request', 'from: must be earlier than to');
  return { from, to };
}

export function optionalTime(url: URL, name: string): number | undefined {
  const v = atMostOnce(name, url.searchParams.getAll(name));
  if (v === undefined || v === '') return undefined;
  return parseTimeParam(name, v);
}

/** The value of a parameter that may be given at most once (a repeat is a 400 naming it). */
export function atMostOnce<T>(name: string, values: readonly T[]): T | undefined {
  if (values.length > 1) throw new AppError('bad_request', `${name}: give it at most once`);
  return values[0];
}

/** `limit` of a list: an integer from 1 to `max`; absent or empty: `fallback`; anything else is a 400. */
export function parseLimit(raw: string | null | undefined, { fallback = 100, max = 1000 } = {}): number {
  if (raw === null || raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new AppError('bad_request', `limit: "${raw.slice(0, 16)}" must be an integer from 1 to ${max}`);
  }
  return Number(raw);
}

/** `period=YYYY-MM` → the UTC calendar month [start, end). */
export function parsePeriod(raw: string | null, asOf: number): { period: string; start: number; end: number } {
  const v = raw ?? new Date(asOf).toISOString().slice(0, 7);
  const m = /^(\d{4})-(\d{2})$/.exec(v);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new AppError('bad_request', `period: "${v.slice(0, 32)}" is not YYYY-MM`);
  // The month's exclusive end may be TIME_END_MS itself (2299-12 ends at 2300-01-01).
  if (Number(m[1]) < 1900 || Number(m[1]) > 2299) throw new AppError('bad_request', `period: "${v}" is outside the supported range ${RANGE}`);
  const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1);
  const end = Date.UTC(Number(m[1]), Number(m[2]), 1);
  return { period: v, start, end };
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Repeatable `warehouse` filter values, validated for length and control characters. */
export function warehouseParams(url: URL): string[] {
  const values = url.searchParams.getAll('warehouse');
  for (const w of values) {
    if (w.length === 0 || [...w].length > 64 || /[\u0000-\u001f\u007f-\u009f]/.test(w)) {
      throw new AppError('bad_request', 'warehouse: must be 1–64 characters without control characters');
    }
  }
  return values;
}
