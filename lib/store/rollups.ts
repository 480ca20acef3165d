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
 * A row's contribution to the histogram: one key, count 1, and the lag as the bucket's min and max when
 * `delivered`, nothing otherwise. Expects `lag_ms` in scope. Columns k, c, mn, mx for sumMap/minMap/maxMap.
 */
export const histCell = (delivered: Sql): Sql => sql`
  if(${delivered}, [${lagBucket(sql`lag_ms`)}], CAST([], 'Array(Int16)')) AS k,
  if(${delivered}, [toUInt64(1)], CAST([], 'Array(UInt64)')) AS c,
  if(${delivered}, [lag_ms], CAST([], 'Array(Int64)')) AS mn, mn AS mx`;

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
