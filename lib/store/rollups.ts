import { sql, type Sql } from './sql';

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

/**
 * The sync-lag histogram bucket of a lag in ms (0007_sync_rollup.sql): k > 0 holds [1.01^(k-1), 1.01^k),
 * −k the same negative range, 0 only 0. The refresher and the raw read path both use this one
 * expression, so a rollup row and the raw rows it replaces land in the same buckets.
 */
export const lagBucket = (lagMs: Sql): Sql =>
  sql`toInt16(if(${lagMs} = 0, 0, sign(${lagMs}) * (floor(log(abs(${lagMs})) / log(1.01)) + 1)))`;

/** Lag of a sync.message in ms, as metrics.md §1 defines it (observed − occurred). */
export const LAG_MS = sql`toInt64(dateDiff('millisecond', occurred_at, observed_at))`;

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
