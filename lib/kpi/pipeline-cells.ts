import { z } from 'zod';
import type { QueryScope } from '@/lib/scope';
import { join, p, query, sql, type Sql } from '@/lib/store';
import { hoursNotFromPipeline, INGEST_DELAY_MS, lagBucket } from '@/lib/store/rollups';
import { scopeFilter } from './common';
import { HIST_INNER, HIST_OUTER, histQuantilesSql } from './histogram';
import { fromRollup } from './tables';

/**
 * The accepted events of metrics.md §6 (deduplicated, by ingest time) as mergeable cells per source
 * system × type: one per raw event, or one per (ingest hour, warehouse, source, type) from
 * `pipeline_hourly` (0008_pipeline_rollup.sql). Both aggregate the same way, so the answer does not depend
 * on which table served a part of the window (test/integration/rollups.pipeline.test.ts).
 *
 * Whole UTC hours come from the rollup, as the pipeline wrote them when they add up to the hour's
 * activity, else from the hour's current recomputation; the partial hours at both ends and any hour
 * that is neither read raw, restricted to exactly those ranges.
 */
const HOUR_MS = 3_600_000;
/** Past this many hours to read raw in one window (a store not yet recomputed), the whole window reads raw. */
const MAX_RAW_HOURS = 48;

const rawCells = (scope: QueryScope, ranges: Sql): Sql => sql`
  SELECT toString(source_system) AS source_system, toString(type) AS type, toUInt64(1) AS n,
         ${lagBucket(sql`lag_ms`)} AS k, toUInt64(1) AS c, lag_ms AS mn, lag_ms AS mx
  FROM (SELECT source_system, type, ${INGEST_DELAY_MS} AS lag_ms FROM events WHERE (${ranges}) AND ${scopeFilter(scope)}
        LIMIT 1 BY event_id)`;

const rollupCells = (scope: QueryScope, h0: number, h1: number, notPipeline: readonly number[], recomputed: readonly string[]): Sql => sql`
  SELECT source_system, type, if(i <= 1, accepted, 0) AS n, hk AS k, hc AS c, hn AS mn, hx AS mx
  FROM pipeline_hourly
  LEFT ARRAY JOIN arrayEnumerate(hist.1) AS i, hist.1 AS hk, hist.2 AS hc, hist_min.2 AS hn, hist_max.2 AS hx
  WHERE hour >= toDateTime(${p.i64(h0 / 1000)}, 'UTC') AND hour < toDateTime(${p.i64(h1 / 1000)}, 'UTC') AND ${scopeFilter(scope)}
    AND ((gen = 0 AND toInt64(toUnixTimestamp(hour)) NOT IN ${p.i64s(notPipeline)})
      OR concat(toString(toUnixTimestamp(hour)), ':', toString(gen)) IN ${p.strs(recomputed)})`;

const range = (from: number, to: number) => sql`ingested_at >= ${p.time(from)} AND ingested_at < ${p.time(to)}`;

const hourRow = z.object({ hour_s: z.number(), gen: z.number(), current: z.number() });

const hoursIn = (h0: number, h1: number): Sql =>
  sql`hour >= toDateTime(${p.i64(h0 / 1000)}, 'UTC') AND hour < toDateTime(${p.i64(h1 / 1000)}, 'UTC')`;

/** The cells of events ingested in [from, to) in scope: columns source_system, type, n, k, c, mn, mx. */
export async function pipelineCells(scope: QueryScope, from: number, to: number): Promise<Sql> {
  const h0 = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const h1 = Math.floor(to / HOUR_MS) * HOUR_MS;
  const allRaw = () => rawCells(scope, range(from, to));
  if (!fromRollup('pipeline_hourly') || h1 <= h0 || to <= from) return allRaw();
  const odd = await query(sql`${hoursNotFromPipeline(hoursIn(h0, h1))} LIMIT ${p.u32(10_000)}`, hourRow, { name: 'kpi.pipeline_hours' });
  const raw = odd.filter((h) => h.current !== 1);
  if (raw.length > MAX_RAW_HOURS) return allRaw();
  const rawRanges = [
    ...(from < h0 ? [range(from, h0)] : []),
    ...(h1 < to ? [range(h1, to)] : []),
    ...raw.map((h) => range(h.hour_s * 1000, h.hour_s * 1000 + HOUR_MS)),
  ];
  const recomputed = odd.filter((h) => h.current === 1).map((h) => `${h.hour_s}:${h.gen}`);
  const parts = [rollupCells(scope, h0, h1, odd.map((h) => h.hour_s), recomputed)];
  if (rawRanges.length > 0) parts.push(rawCells(scope, join(rawRanges.map((r) => sql`(${r})`), ' OR ')));
  return join(parts, ' UNION ALL ');
}

export const pipelineAggregateRow = z.object({
  source_system: z.string(),
  type: z.string(),
  accepted: z.number(),
  /** The nearest-rank p95 of the delay in ms (null without events), from the merged histogram. */
  p95_ms: z.number().nullable(),
});

/** Accepted count and delay p95 per source × type over the cells (lib/kpi/histogram.ts). */
export const pipelineAggregate = (cells: Sql): Sql => sql`
  SELECT source_system, type, accepted, ${histQuantilesSql([95])}[1] AS p95_ms
  FROM (
    SELECT source_system, type, sum(acc) AS accepted, ${HIST_OUTER}
    FROM (SELECT source_system, type, k, sum(n) AS acc, ${HIST_INNER} FROM (${cells}) GROUP BY source_system, type, k)
    GROUP BY source_system, type)`;

export function delayP95Seconds(h: z.infer<typeof pipelineAggregateRow>): number | null {
  return h.p95_ms === null ? null : h.p95_ms / 1000;
}
