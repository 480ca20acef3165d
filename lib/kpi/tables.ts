import { env } from '@/lib/config/env';
import { sql, type Sql } from '@/lib/store';

/**
 * The one place that decides between raw events and a rollup. A rollup is used only where its
 * answer is exactly the raw answer (tests in test/integration/rollups.test.ts compare both);
 * `CT_FORCE_RAW=1` routes everything to the raw table, for those tests and for comparisons.
 *
 * - `warehouse_list`: warehouse_activity (0004), one row per warehouse: cost ∝ warehouses.
 * - `first_postings`: invoice_postings (0005), one row per correlation with its earliest shipment and
 *   invoice: invoice latency, unposted and close readiness cost ∝ transactions, with no self-join.
 *
 * - `sync_hourly`: sync_lag_hourly (0007), per warehouse × hour × route × interface, for the whole hours of
 *   a window that it has caught up with (lib/kpi/sync-cells.ts decides per hour; the rest reads raw).
 *   Quantiles come from a log-bucket histogram with bucket min/max, within 0.5 % of the exact
 *   nearest-rank value (metrics.md allows 1 %), and computed the same way from raw rows, so the
 *   answer does not depend on which table served it.
 * - `sync_daily`: sync_lag_daily (0011), per warehouse × UTC day, built from current hours, for the whole
 *   days of a window when the caller groups by warehouse only (KPI, summary); a day whose activity grew
 *   since, or built against another SLO, reads hourly and raw like any other part of the window.
 * - `inventory_latest`: inventory_latest (0010), each (warehouse, sku, system)'s latest snapshot, for an
 *   as_of at or after every snapshot in scope (the usual "now"); an earlier as_of reads raw.
 * - `pipeline_hourly`: pipeline_hourly (0008), per ingest hour × warehouse × source × type, accepted count
 *   and ingest-delay histogram (same buckets), for pipeline health: written by the ingest pipeline per batch
 *   and used for an hour only while those rows add up to the rows `events` received in it, else the hour's
 *   recomputation from deduplicated raw events, else raw (lib/kpi/pipeline-cells.ts decides per hour).
 * - `exception_state`: exception_state (0009), one row per exception with its opening, its assignment and
 *   acknowledgement sets and its first resolution, kept by a materialized view whose states are all
 *   idempotent (so replays cannot make it drift): aging, lists, detail, correlation, close readiness and
 *   the open-exception alerts at any as_of cost ∝ exceptions (lib/kpi/exceptions-state.ts).
 * - `flow_transactions`: flow_transactions (0013), per correlation × warehouse the earliest business event,
 *   the earliest amount and each stage's earliest time, all min()s, so the Flow KPI and its waiting list at any
 *   as_of cost ∝ transactions instead of a group-by over every business event (lib/kpi/flow-relation.ts).
 * - `stock_movements`: stock_movements (0014), one row per movement event keyed by (warehouse, sku, occurred_at,
 *   event_id), so drift causes read the 7-day movements of each mismatched SKU as one key range instead of every
 *   movement of its warehouses; duplicates are kept once by event_id (lib/kpi/drift-movements.ts).
 * - `sync_latest`: sync_latest (0014), per (correlation, warehouse, source system) the latest sync message with
 *   its status, interface and error (max() of a packed record), for the drift-causes movements' messages: a key whose
 *   latest message is at or before as_of is answered from it, a key with a later one from raw events.
 * - `sync_messages`: sync_messages (0016), each sync.message's narrow columns in observed_at order, kept by a view:
 *   the per-message part of every sync-lag read (a window's partial hours, stale hours, sub-hour buckets) is a key
 *   range instead of granules of `events` that each span hours of one warehouse's messages (lib/kpi/sync-cells.ts).
 * - `flow_state`: the latest complete flow snapshot (0015, built in the background by ingest/flow-snapshot.ts)
 *   plus the correlations touched since it (flow_touches), evaluated exactly from flow_transactions: the Flow
 *   KPI and its waiting list cost ∝ waiting transactions. Used for an as_of at or after the snapshot's horizon
 *   (a day before it was built, or before its latest event) while it is under two days old; otherwise, or
 *   with no complete snapshot, flow_transactions as above (lib/kpi/flow-snapshot.ts). A fleet-wide Flow
 *   KPI with nothing touched since the build and as_of after all it saw reads the snapshot's hourly counts
 *   (flow_counts, 0017) instead (lib/kpi/flow-counts.ts).
 */
export type Question = 'warehouse_list' | 'first_postings' | 'sync_hourly' | 'sync_daily' | 'inventory_latest' | 'pipeline_hourly' | 'exception_state' | 'flow_transactions' | 'flow_state' | 'stock_movements' | 'sync_messages' | 'sync_latest';

const forceRaw = (): boolean => env().CT_FORCE_RAW;

/** Whether `q` is answered from its rollup (callers then build the rollup's SQL, else the raw one). */
export function fromRollup(_q: Question): boolean {
  return !forceRaw();
}

export function source(q: 'warehouse_list'): Sql {
  switch (q) {
    case 'warehouse_list':
      // warehouse_activity holds one row per warehouse (after merges; a few before): cost ∝ warehouses.
      return fromRollup(q) ? sql`warehouse_activity` : sql`events`;
  }
}
