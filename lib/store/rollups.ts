import { p, sql, unsafeRaw, type Sql } from './sql';

/**
 * The packed `first_shipment` record of the `invoice_postings` rollup (0005_postings.sql): a
 * sortable prefix (ms since the epoch, then event_id) so that min() picks the earliest shipment,
 * then its warehouse, amount, currency and document. It belongs to the store's schema, so both
 * the startup repair (ingest/recovery.ts) and the readers (lib/kpi/postings.ts) take it from here.
 * `'\\0'` is ClickHouse's escape for the NUL separator.
 */
export const FIRST_SHIPMENT = sql`concat(leftPad(toString(toUnixTimestamp64Milli(occurred_at)), 15, '0'), event_id,
  '\\0', toString(warehouse_id), '\\0', ifNull(toString(amount), ''), '\\0', toString(currency),
  '\\0', if(isNull(document_ref), '', concat('=', assumeNotNull(document_ref))))`;

/** The histograms' bucket ratio γ (a constant of the stored schema: 0007/0008 and their rollup rows use it). */
export const HIST_GAMMA = unsafeRaw('1.01');

/**
 * The sync-lag histogram bucket of a lag in ms (0007_sync_rollup.sql): k > 0 holds [1.01^(k-1), 1.01^k),
 * −k the same negative range, 0 only 0. The refresher and the raw read path both use this one
 * expression, so a rollup row and the raw rows it replaces land in the same buckets.
 */
export const lagBucket = (lagMs: Sql): Sql =>
  sql`toInt16(if(${lagMs} = 0, 0, sign(${lagMs}) * (floor(log(abs(${lagMs})) / log(${HIST_GAMMA})) + 1)))`;

/** Lag of a sync.message in ms, as metrics.md §1 defines it (observed − occurred). */
export const LAG_MS = sql`toInt64(dateDiff('millisecond', occurred_at, observed_at))`;

/**
 * `sync_messages` (0016_sync_messages.sql): each sync.message row of `events`, narrow and in observed_at order,
 * so the raw part of a sync-lag read (a window's partial hours) is a key range. Columns and the per-row values
 * of its view, for the startup repair's replay (ingest/recovery.ts).
 */
export const SYNC_MESSAGE_COLUMNS = sql`observed_at, warehouse_id, source_system, target_system, interface, status, lag_ms, event_id`;
export const SYNC_MESSAGE_VALUES = sql`observed_at, toString(warehouse_id), toString(source_system), toString(target_system),
  CAST(interface, 'Nullable(String)'), toString(status), ${LAG_MS}, event_id`;

/**
 * Ingest delay of an event in ms, as metrics.md §6 defines it (ingested − occurred). 0008_pipeline_rollup.sql
 * repeats this text (and lagBucket's) in the view that buckets the pipeline's own delays.
 */
export const INGEST_DELAY_MS = sql`toInt64(dateDiff('millisecond', occurred_at, ingested_at))`;

/**
 * A row's contribution to the histogram: one key, count 1, and the lag as the bucket's min and max when
 * `delivered`, nothing otherwise. Expects `lag_ms` in scope. Columns k, c, mn, mx for sumMap/minMap/maxMap.
 */
export const histCell = (delivered: Sql): Sql => sql`
  if(${delivered}, [${lagBucket(sql`lag_ms`)}], CAST([], 'Array(Int16)')) AS k,
  if(${delivered}, [toUInt64(1)], CAST([], 'Array(UInt64)')) AS c,
  if(${delivered}, [lag_ms], CAST([], 'Array(Int64)')) AS mn, mn AS mx`;

/**
 * Hours of [h0, h1) whose pipeline-written rows do not add up to their activity: with the gen of a current
 * recomputation (current = 1), or to read raw. The same test decides what the refresher recomputes.
 */
export function hoursNotFromPipeline(inWindow: Sql): Sql {
  return sql`
    SELECT toInt64(toUnixTimestamp(a.hour)) AS hour_s, a.rows AS rows, s.gen AS gen,
           toUInt8(s.gen > 0 AND s.activity_seen >= a.rows) AS current
    FROM (
      SELECT hour, sum(r) AS rows, sum(n) AS counted FROM (
        SELECT hour, rows AS r, toUInt64(0) AS n FROM pipeline_hour_activity WHERE ${inWindow}
        UNION ALL
        SELECT hour, toUInt64(0) AS r, accepted AS n FROM pipeline_hourly WHERE gen = 0 AND ${inWindow})
      GROUP BY hour HAVING rows != counted) AS a
    LEFT JOIN (SELECT hour, gen, activity_seen FROM pipeline_hour_state FINAL WHERE ${inWindow}) AS s ON a.hour = s.hour`;
}

/**
 * (warehouse, hour) pairs the sync-lag rollup cannot answer (0007_sync_rollup.sql): never built, grown
 * since (activity above what the last recomputation saw), or built against another SLO. `filter` applies
 * to both tables (columns warehouse_id, hour). The refresher rebuilds these; readers read them raw.
 */
export function staleSyncHours(sloMs: number, filter: Sql): Sql {
  return sql`
    SELECT a.warehouse_id AS warehouse_id, toInt64(toUnixTimestamp(a.hour)) AS hour_s, a.rows AS rows
    FROM (SELECT warehouse_id, hour, sum(rows) AS rows FROM sync_hour_activity WHERE ${filter} GROUP BY warehouse_id, hour) AS a
    LEFT JOIN (SELECT warehouse_id, hour, activity_seen, slo_ms FROM sync_hour_state FINAL WHERE ${filter}) AS s
      ON a.warehouse_id = s.warehouse_id AND a.hour = s.hour
    WHERE s.activity_seen < a.rows OR s.slo_ms != ${p.i64(sloMs)}`;
}

/**
 * (warehouse, UTC day) pairs the daily sync-lag rollup cannot answer (0011_sync_daily.sql): never built,
 * grown since (the day's activity above what its hours had seen when it was built), or built against
 * another SLO. `hours` filters sync_hour_activity (columns warehouse_id, hour), `days` sync_lag_daily
 * (warehouse_id, day). The refresher builds these; readers read them from the hourly rollup and raw.
 */
export function staleSyncDays(sloMs: number, hours: Sql, days: Sql): Sql {
  return sql`
    SELECT a.warehouse_id AS warehouse_id, toInt64(toUnixTimestamp(toDateTime(a.day, 'UTC'))) AS day_s
    FROM (SELECT warehouse_id, toDate(hour) AS day, sum(rows) AS rows FROM sync_hour_activity WHERE ${hours} GROUP BY warehouse_id, day) AS a
    LEFT JOIN (SELECT warehouse_id, day, activity_seen, slo_ms FROM sync_lag_daily FINAL WHERE ${days}) AS d
      ON a.warehouse_id = d.warehouse_id AND a.day = d.day
    WHERE d.activity_seen < a.rows OR d.slo_ms != ${p.i64(sloMs)}`;
}

/**
 * The packed earliest `exception.opened` of the `exception_state` rollup (0009_exception_state.sql): a
 * sortable prefix (15-digit epoch ms, then event_id) so that min() picks the earliest opening as argMin
 * orders it, then NUL-separated warehouse, correlation, workflow, category, severity and owner ('' = NULL,
 * else '=' and the value). Events before 2000 are refused at ingest, so the prefix is never negative.
 * lib/kpi/exceptions-state.ts unpacks it.
 */
export const FIRST_OPENING = sql`concat(leftPad(toString(toUnixTimestamp64Milli(occurred_at)), 15, '0'), event_id,
  '\\0', toString(warehouse_id), '\\0', correlation_id, '\\0', toString(workflow), '\\0', toString(category),
  '\\0', toString(severity), '\\0', if(isNull(owner), '', concat('=', assumeNotNull(owner))))`;

/**
 * The `exception_state` columns aggregated from `events` rows, for the startup repair's replay of the
 * recent tail (ingest/recovery.ts). Same expressions as the view; every state is idempotent, so re-adding
 * rows the view already wrote changes nothing.
 */
export const EXCEPTION_STATE_COLUMNS = sql`exception_id, first_opened, assignments, acks, resolved_at`;
export const EXCEPTION_STATE_AGGREGATES = sql`
  exception_id,
  minIf(toNullable(${FIRST_OPENING}), type = 'exception.opened'),
  groupUniqArrayIf(tuple(occurred_at, event_id, owner), type = 'exception.assigned'),
  groupUniqArrayIf(occurred_at, type = 'exception.acknowledged'),
  minIf(toNullable(occurred_at), type = 'exception.resolved')`;
export const EXCEPTION_STATE_ROWS = sql`type IN ('exception.opened', 'exception.acknowledged', 'exception.assigned', 'exception.resolved') AND exception_id != ''`;
