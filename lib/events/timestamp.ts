import { z } from 'zod';
import { MAX_FUTURE_MS, MIN_TIMESTAMP_MS } from './constants';
import { requiredOr } from './text';

// RFC 3339 date-time. The offset is optional here only so that a missing one gets its own message.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?$/;

export type TimestampParse = { ok: true; ms: number } | { ok: false; message: string };

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Parses an RFC 3339 timestamp to epoch ms UTC; sub-millisecond digits are truncated, never rounded. */
export function parseRfc3339(s: string): TimestampParse {
  const m = RFC3339.exec(s);
  if (!m) return { ok: false, message: 'must be an RFC 3339 timestamp such as 2026-10-14T09:12:03.120Z' };
  const [, ys, mos, ds, hs, mis, ss, frac, offset] = m;
  if (offset === undefined) return { ok: false, message: 'timestamp must include a UTC offset' };
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  const h = Number(hs);
  const mi = Number(mis);
  const sec = Number(ss);
  // Leap seconds (:60) are refused: ClickHouse and JS dates cannot represent them.
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59) {
    return { ok: false, message: 'not a valid calendar date and time' };
  }
  let offsetMin = 0;
  if (offset !== 'Z' && offset !== 'z') {
    const oh = Number(offset.slice(1, 3));
    const om = Number(offset.slice(4, 6));
    if (oh > 23 || om > 59) return { ok: false, message: 'not a valid UTC offset' };
    offsetMin = (offset[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = Number(((frac ?? '') + '000').slice(0, 3));
  // Date.UTC maps years 0–99 to 1900–1999; those are rejected below as pre-2000 either way.
  return { ok: true, ms: Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offsetMin * 60_000 };
}

/** The ingest-time window every business timestamp must fall in, relative to `nowMs`. */
export function timestampRangeProblem(ms: number, nowMs: number): string | null {
  if (ms < MIN_TIMESTAMP_MS) return 'must not be before 2000-01-01T00:00:00Z';
  if (ms - nowMs > MAX_FUTURE_MS) return 'must not be more than 1 day in the future of ingest time';
  return null;
}

/**
 * A timestamp field: RFC 3339 text in, epoch ms out. `clock` is the ingest time, read at parse time so
 * one schema instance serves every request.
 */
export function timestampSchema(clock: () => number) {
  return z
    .string({ error: requiredOr('must be an RFC 3339 timestamp string') })
    .transform((s, ctx) => {
      const parsed = parseRfc3339(s);
      const problem = parsed.ok ? timestampRangeProblem(parsed.ms, clock()) : parsed.message;
      if (!parsed.ok || problem !== null) {
        ctx.addIssue({ code: 'custom', message: problem ?? 'invalid timestamp', input: s });
        return z.NEVER;
      }
      return parsed.ms;
    });
}

/** `YYYY-MM-DDTHH:MM:SS.mmmZ`, the canonical form returned by the API. */
export const toIsoUtc = (ms: number): string => new Date(ms).toISOString();

/** `text` remembering its last answer: the rows of a batch share one ingest time, formatted once. */
export function lastTextOf(text: (ms: number) => string): (ms: number) => string {
  let lastMs = NaN;
  let last = '';
  return (ms) => {
    if (ms !== lastMs) {
      last = text(ms);
      lastMs = ms;
    }
    return last;
  };
}

/** `YYYY-MM-DD HH:MM:SS.mmm`, the DateTime64(3, 'UTC') text ClickHouse reads and writes. */
export const toClickHouseTime = (ms: number): string => toIsoUtc(ms).slice(0, 23).replace('T', ' ');

// ClickHouse prints DateTime64(3) as `2026-10-14 09:12:03.120`; the ISO variant appears with
// date_time_output_format=iso. Both are UTC by the column definition.
const CLICKHOUSE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$/;

/** Epoch ms of a ClickHouse DateTime64 text, or null when it is not one. */
export function parseClickHouseTime(s: string): number | null {
  const m = CLICKHOUSE_TIME.exec(s);
  if (!m) return null;
  const canonical = `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}.${((m[7] ?? '') + '000').slice(0, 3)}`;
  const t = Date.parse(`${canonical.replace(' ', 'T')}Z`);
  // Date.parse refuses some impossible dates and rolls others over; the round trip catches both.
  return Number.isFinite(t) && toClickHouseTime(t) === canonical ? t : null;
}
