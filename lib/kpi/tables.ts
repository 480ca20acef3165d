import { sql, type Sql } from '@/lib/store';

/**
 * The one place that decides between raw events and a rollup. A rollup is used only where its
 * answer is exactly the raw answer (tests in test/integration/rollups.test.ts compare both);
 * `CT_FORCE_RAW=1` routes everything to the raw table, for those tests and for the bench baseline.
 */
export type Question = 'warehouse_list';

const forceRaw = (): boolean => process.env.CT_FORCE_RAW === '1';

export function source(q: Question): Sql {
  switch (q) {
    case 'warehouse_list':
      // warehouse_activity holds one row per warehouse (after merges; a few before): cost ∝ warehouses.
      return forceRaw() ? sql`events` : sql`warehouse_activity`;
  }
}
