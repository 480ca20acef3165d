import { sql } from './sql';

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
