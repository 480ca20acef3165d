import { AppError } from '@/lib/errors';
import { isValidTimeZone, zoneOffsetMs } from '@/lib/format/time';
import { p, sql, unsafeRaw, type Sql } from '@/lib/store';

/**
 * Time in one place: the bucket size comes from the range (about 50–300 points per chart), the time
 * zone is a bound parameter, and every bucket in the range exists in the answer (zero-filled).
 */
export type Granularity = '1m' | '5m' | '15m' | '1h' | '6h' | '1d';

const STEP_MS: Record<Granularity, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '6h': 21_600_000,
  '1d': 86_400_000,
};

// Interval literals come from this closed map only.
const INTERVAL: Record<Granularity, string> = {
  '1m': 'INTERVAL 1 MINUTE',
  '5m': 'INTERVAL 5 MINUTE',
  '15m': 'INTERVAL 15 MINUTE',
  '1h': 'INTERVAL 1 HOUR',
  '6h': 'INTERVAL 6 HOUR',
  '1d': 'INTERVAL 1 DAY',
};

const MAX_POINTS = 400;

export function chooseGranularity(fromMs: number, toMs: number): Granularity {
  const span = toMs - fromMs;
  const order: Granularity[] = ['1m', '5m', '15m', '1h', '6h', '1d'];
  for (const g of order) if (span / STEP_MS[g] <= 300) return g;
  return '1d';
}

export const stepMs = (g: Granularity): number => STEP_MS[g];

/** Validated IANA zone name (default UTC); bound as a parameter, never spliced. */
export function parseTimeZone(raw: string | null): string {
  const tz = raw?.trim() || 'UTC';
  if (!isValidTimeZone(tz)) throw new AppError('bad_request', `tz: "${raw?.trim().slice(0, 64)}" is not a known IANA time zone`);
  if (!/^[A-Za-z0-9_+\-/]+$/.test(tz)) throw new AppError('bad_request', 'tz: invalid time zone name');
  return tz;
}

/** SQL for the bucket start of a time column, in the given zone, as epoch milliseconds. */
export function bucketExpr(column: Sql, g: Granularity, tz: string): Sql {
  return sql`toUnixTimestamp64Milli(toDateTime64(toStartOfInterval(toTimeZone(${column}, ${p.str(tz)}), ${unsafeRaw(INTERVAL[g])}), 3))`;
}

/** Bucket starts covering [from, to), aligned the way ClickHouse aligns them in `tz`. */
export function bucketStarts(fromMs: number, toMs: number, g: Granularity, tz: string): number[] {
  const step = STEP_MS[g];
  const out: number[] = [];
  if (g !== '1d' && g !== '6h') {
    for (let t = Math.floor(fromMs / step) * step; t < toMs && out.length < MAX_POINTS * 4; t += step) out.push(t);
    return out;
  }
  // Day-sized buckets start at local midnight: walk wall-clock time and map each start back to UTC,
  // so a range across a DST change still lines up with ClickHouse's buckets.
  let wall = Math.floor((fromMs + zoneOffsetMs(fromMs, tz)) / step) * step;
  while (out.length < MAX_POINTS * 4) {
    const utc = wall - zoneOffsetMs(wall - zoneOffsetMs(wall, tz), tz);
    if (utc >= toMs) break;
    out.push(utc);
    wall += step;
  }
  return out;
}

/** Zero-fills a sparse series onto the full bucket list. */
export function zeroFill<T>(starts: readonly number[], rows: ReadonlyMap<number, T>, zero: () => T): (T & { t: string })[] {
  return starts.map((s) => ({ t: new Date(s).toISOString(), ...(rows.get(s) ?? zero()) }));
}
