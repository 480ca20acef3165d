import { sql } from './sql';

/**
 * The drift-causes rollups (0014_drift_causes.sql), for the startup repair's replay (ingest/recovery.ts):
 * the same rows and aggregates as their views, over `events`.
 * - `stock_movements`: one row per movement event with a sku and its signed quantity (metrics.md §9);
 *   a ReplacingMergeTree keyed by (warehouse_id, sku, occurred_at, event_id), read one row per event_id.
 * - `sync_latest`: per (correlation, warehouse, source system), the latest sync.message by (observed_at,
 *   event_id) as max() of a sortable packed text (SYNC_LATEST_PACKED): 15-digit epoch ms of observed_at, event_id,
 *   NUL, status, NUL, interface, NUL, error ('' = NULL, else '=' and the value; the error only for failed and
 *   dead-lettered messages). Event ids and attribute texts hold no control characters, so NUL ends each field and
 *   max() orders as argMax by (observed_at, event_id). lib/kpi/drift-movements.ts unpacks it.
 */
export const STOCK_MOVEMENT_COLUMNS = sql`warehouse_id, sku, occurred_at, event_id, type, correlation_id, source_system, signed_quantity`;

/** Per-row values in STOCK_MOVEMENT_COLUMNS order. */
export const STOCK_MOVEMENT_VALUES = sql`toString(warehouse_id), sku, occurred_at, event_id, type, correlation_id, source_system,
  if(type IN ('shipment.confirmed', 'transfer.shipped'), -1, 1) * ifNull(quantity, toDecimal128(0, 6))`;

/** The six movement types of §9, with a sku (a snapshot always names one, so a movement without one matches none). */
export const STOCK_MOVEMENT_ROWS = sql`type IN ('receipt.posted', 'transfer.received', 'return.received', 'shipment.confirmed', 'transfer.shipped', 'inventory.adjusted')
  AND sku != ''`;

export const SYNC_LATEST_COLUMNS = sql`correlation_id, warehouse_id, source_system, latest`;

/** One sync.message row, packed (see above). */
export const SYNC_LATEST_PACKED = sql`concat(leftPad(toString(toUnixTimestamp64Milli(observed_at)), 15, '0'), event_id, '\\0', toString(status), '\\0',
  if(isNull(interface), '', concat('=', assumeNotNull(interface))), '\\0',
  if(status IN ('failed', 'dead_lettered'), ifNull(concat('=', JSONExtract(attributes, 'error', 'Nullable(String)')), ''), ''))`;

/** Aggregates in SYNC_LATEST_COLUMNS order, over `type = 'sync.message'` rows grouped by SYNC_LATEST_KEY. */
export const SYNC_LATEST_AGGREGATES = sql`correlation_id, toString(warehouse_id), toString(source_system), max(${SYNC_LATEST_PACKED})`;

export const SYNC_LATEST_KEY = sql`correlation_id, warehouse_id, source_system`;
