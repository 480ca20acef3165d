import { z } from 'zod';
import type { QueryScope } from '@/lib/scope';
import { join, p, query, sql, type Sql } from '@/lib/store';
import { histCell, LAG_MS, staleSyncHours } from '@/lib/store/rollups';
import { scopeFilter } from './common';
import { fromRollup } from './tables';

/**
 * The population of metrics.md §1 as mergeable *cells*: one per raw sync.message, or one per
 * (warehouse, hour, route, interface) from the `sync_lag_hourly` rollup. Every sync-lag answer (KPI,
 * breakdown, alerts, summary) aggregates cells the same way, so it is the same whichever table a part of
 * the window came from (test/integration/rollups.test.ts).
 *
 * A window [from, to) is split into whole UTC hours, answered by the rollup where it is current, and the
 * rest — the partial hours at both ends, and any hour the rollup has not caught up with — read raw. The
 * raw part is restricted to exactly those ranges, so a 30-day read scans at most a few hours of events.
 *
 * Columns: warehouse_id, source_system, target_system, interface (nullable), n_messages, n_delivered,
 * n_failed, n_retried, n_dead_lettered, n_breaches, lag_max, k / c / mn / mx (the lag histogram).
 */
const HOUR_MS = 3_600_000;
/** Past this many stale hours in one window (a store still being built), the whole window reads raw. */
const MAX_STALE_HOURS = 48;

const rawCells = (scope: QueryScope, ranges: Sql, sloMs: number, withTs: boolean): Sql => sql`
  SELECT ${withTs ? sql`observed_at AS ts,` : sql``} toString(warehouse_id) AS warehouse_id, toString(source_system) AS source_system,
         toString(target_system) AS target_system, CAST(interface, 'Nullable(String)') AS interface,
         toUInt64(1) AS n_messages, toUInt64(status = 'delivered') AS n_delivered, toUInt64(status = 'failed') AS n_failed,
         toUInt64(status = 'retried') AS n_retried, toUInt64(status = 'dead_lettered') AS n_dead_lettered,
         toUInt64(status = 'delivered' AND lag_ms > ${p.i64(sloMs)}) AS n_breaches,
         if(status = 'delivered', toNullable(lag_ms), NULL) AS lag_max,
         ${histCell(sql`status = 'delivered'`)}
  FROM (SELECT *, ${LAG_MS} AS lag_ms FROM events WHERE type = 'sync.message' AND (${ranges}) AND ${scopeFilter(scope)}
        LIMIT 1 BY event_id)`;

const rollupCells = (scope: QueryScope, h0: number, h1: number, stale: readonly string[], withTs: boolean): Sql => sql`
  SELECT ${withTs ? sql`toDateTime64(hour, 3, 'UTC') AS ts,` : sql``} warehouse_id, source_system, target_system, if(has_interface = 1, toNullable(interface), NULL) AS interface,
         messages AS n_messages, delivered AS n_delivered, failed AS n_failed, retried AS n_retried,
         dead_lettered AS n_dead_lettered, breaches AS n_breaches, lag_max,
         hist_keys AS k, hist_counts AS c, hist_min AS mn, hist_max AS mx
  FROM sync_lag_hourly FINAL
  WHERE hour >= toDateTime(${p.i64(h0 / 1000)}, 'UTC') AND hour < toDateTime(${p.i64(h1 / 1000)}, 'UTC')
    AND ${scopeFilter(scope)}
    AND concat(warehouse_id, '\\0', toString(toUnixTimestamp(hour))) NOT IN ${p.strs(stale)}`;

const range = (from: number, to: number) => sql`observed_at >= ${p.time(from)} AND observed_at < ${p.time(to)}`;

const staleRow = z.object({ warehouse_id: z.string(), hour_s: z.number() });

/** Whole hours in [h0, h1) the rollup cannot answer for this scope (lib/store/rollups.ts). */
async function staleHoursIn(scope: QueryScope, h0: number, h1: number, sloMs: number) {
  const inWindow = sql`hour >= toDateTime(${p.i64(h0 / 1000)}, 'UTC') AND hour < toDateTime(${p.i64(h1 / 1000)}, 'UTC') AND ${scopeFilter(scope)}`;
  return query(sql`${staleSyncHours(sloMs, inWindow)} LIMIT ${p.u32(MAX_STALE_HOURS + 1)}`, staleRow, { name: 'kpi.sync_stale_hours' });
}

export interface CellOptions {
  /** Add `ts`: the hour a rollup cell stands for, or a raw message's observed_at (time series). */
  withTs?: boolean;
  /** Only raw events: for time buckets that do not fall on whole UTC hours. */
  rawOnly?: boolean;
}

/** The cells of [from, to) in scope, breaches counted against `sloMs`. */
export async function syncCells(scope: QueryScope, from: number, to: number, sloMs: number, opts: CellOptions = {}): Promise<Sql> {
  const withTs = opts.withTs ?? false;
  const h0 = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const h1 = Math.floor(to / HOUR_MS) * HOUR_MS;
  const allRaw = () => rawCells(scope, range(from, to), sloMs, withTs);
  if (opts.rawOnly || !fromRollup('sync_hourly') || h1 <= h0 || to <= from) return allRaw();
  const stale = await staleHoursIn(scope, h0, h1, sloMs);
  if (stale.length > MAX_STALE_HOURS) return allRaw();
  const rawRanges = [
    ...(from < h0 ? [range(from, h0)] : []),
    ...(h1 < to ? [range(h1, to)] : []),
    ...stale.map((s) => sql`(warehouse_id = ${p.str(s.warehouse_id)} AND ${range(s.hour_s * 1000, s.hour_s * 1000 + HOUR_MS)})`),
  ];
  const staleKeys = stale.map((s) => `${s.warehouse_id}\u0000${s.hour_s}`);
  const parts = [rollupCells(scope, h0, h1, staleKeys, withTs)];
  if (rawRanges.length > 0) parts.push(rawCells(scope, join(rawRanges.map((r) => sql`(${r})`), ' OR '), sloMs, withTs));
  return join(parts, ' UNION ALL ');
}

/** Aggregates over cells; quantiles come from the merged histogram (histQuantiles). */
export const CELL_AGGREGATES = sql`
  sum(n_messages) AS messages, sum(n_delivered) AS delivered, sum(n_failed) AS failed,
  sum(n_retried) AS retried, sum(n_dead_lettered) AS dead_lettered, sum(n_breaches) AS breaches,
  max(lag_max) AS max_ms,
  sumMap(k, c) AS hc, minMap(k, mn) AS hn, maxMap(k, mx) AS hx,
  hc.1 AS h_keys, hc.2 AS h_counts, hn.2 AS h_min, hx.2 AS h_max`;

export const cellAggregateRow = z.object({
  messages: z.number(),
  delivered: z.number(),
  failed: z.number(),
  retried: z.number(),
  dead_lettered: z.number(),
  breaches: z.number(),
  max_ms: z.number().nullable(),
  h_keys: z.array(z.number()),
  h_counts: z.array(z.number()),
  h_min: z.array(z.number()),
  h_max: z.array(z.number()),
});
export type CellAggregate = z.infer<typeof cellAggregateRow>;

const GAMMA = 1.01;

/**
 * The nearest-rank quantile at `percent` (an integer, so the rank ceil(percent·n/100) is exact) from a
 * merged histogram, in ms. The bucket holding that rank is found exactly; its value is the bucket's min
 * or max when the rank is the bucket's first or last (then it IS the exact answer), else the bucket's
 * representative clamped to [min, max]: within (γ−1)/(γ+1) < 0.5 % of every value in it.
 */
export function histQuantileMs(h: Pick<CellAggregate, 'h_keys' | 'h_counts' | 'h_min' | 'h_max'>, percent: number): number | null {
  const n = h.h_counts.reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  const rank = Math.min(n, Math.max(1, Math.floor((percent * n + 99) / 100)));
  let cum = 0;
  for (let i = 0; i < h.h_keys.length; i++) {
    const count = h.h_counts[i]!;
    const first = cum + 1;
    cum += count;
    if (cum < rank) continue;
    const lo = h.h_min[i]!;
    const hi = h.h_max[i]!;
    if (lo === hi || rank === first) return lo;
    if (rank === cum) return hi;
    const k = h.h_keys[i]!;
    const rep = Math.sign(k) * ((2 * GAMMA ** Math.abs(k)) / (1 + GAMMA));
    return Math.min(hi, Math.max(lo, rep));
  }
  return null;
}

/** p50/p95/p99/max in seconds (null without delivered messages), as metrics.md §1 reports them. */
export function lagSeconds(h: CellAggregate): { p50: number | null; p95: number | null; p99: number | null; max: number | null } {
  const s = (ms: number | null) => (ms === null || h.delivered === 0 ? null : ms / 1000);
  return { p50: s(histQuantileMs(h, 50)), p95: s(histQuantileMs(h, 95)), p99: s(histQuantileMs(h, 99)), max: s(h.max_ms) };
}
