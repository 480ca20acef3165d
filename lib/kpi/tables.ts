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
 * Deliberately raw: the sync-lag family. metrics.md requires every quantile to lie between the exact
 * nearest-rank quantiles at X ± max(1 %, 1/n). Mergeable t-digest/quantile states give no such rank
 * guarantee; GK states do, but at this data's density (about one message per warehouse × interface ×
 * minute at 10M events a month) they keep every value, so a minute rollup would be as large as the raw
 * rows and slower to merge. Counts alone would not help: the quantiles still need the raw scan.
 * Exception aging reads ~3 events per exception (no real gain); drift reads nightly snapshots, whose
 * count does not grow with transaction volume.
 */
export type Question = 'warehouse_list' | 'first_postings';

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
