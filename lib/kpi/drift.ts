import { z } from 'zod';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql, type Param, type Sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { assemble, listWarehouses, ratio, scopeFilter } from './common';
import { fromRollup } from './tables';

/**
 * metrics.md §4. Per (warehouse, sku): the latest ERP and the latest WMS inventory.snapshot at or
 * before as_of (latest by occurred_at, ties by the greater event_id); pairs with both are compared.
 */
export const driftParams = z.object({ asOf: z.number(), requested: z.array(z.string()) });
export type DriftParams = z.infer<typeof driftParams>;

export const driftRow = z.object({
  skus_compared: z.number(),
  skus_mismatched: z.number(),
  mismatch_rate: z.number(),
  abs_drift_units: z.number(),
  net_drift_units: z.number(),
  drift_value: z.number(),
});
export type DriftRow = z.infer<typeof driftRow>;

export const driftResponse = z.object({
  as_of: z.string(),
  total: driftRow,
  warehouses: z.array(driftRow.extend({ warehouse_id: z.string() })),
});
export type DriftResponse = z.infer<typeof driftResponse>;

const DEC_ZERO = sql`toDecimal128(0, 6)`;

/**
 * One row per compared (warehouse_id, sku) with exact Decimal columns: erp_q, wms_q, erp_cost, wms_cost,
 * erp_ms, wms_ms, drift (WMS − ERP), cost (ERP's unit_cost, else WMS's; NULL when neither has one) and
 * value = |drift| × cost (0 without a cost). Shared by the aggregate, the mismatched-SKU list, close
 * readiness and the alert metric. From the inventory_latest rollup when it answers exactly, else raw.
 */
export function driftPairs(scope: QueryScope, asOf: number): Sql {
  const at = p.time(asOf);
  // The two sources are exclusive by one scalar the engine evaluates before reading: the rollup holds only
  // each key's LATEST snapshot, which is the answer at as_of exactly when no key in scope has a later one.
  const latest = sql`(SELECT max(latest_at) FROM inventory_latest WHERE ${scopeFilter(scope)})`;
  if (!fromRollup('inventory_latest')) return pairs(rawLatest(scope, at, sql`1`));
  // In WHERE, so the side that does not answer becomes a constant-false filter and reads nothing.
  return sql`${pairs(rollupLatest(scope, sql`${latest} <= ${at}`))}
    UNION ALL
    ${pairs(rawLatest(scope, at, sql`(${latest} > ${at} OR ${latest} IS NULL)`))}`;
}

/**
 * Per (warehouse, sku): `erp` and `wms` as (quantity, unit_cost, occurred_at) tuples of the latest snapshot
 * (latest by occurred_at, ties by the greater event_id) and how many each system has. Tuples keep a NULL
 * unit_cost from being skipped the way argMax skips NULL arguments. source_system is compared exactly:
 * "erp" or "Wms" are other systems (events.md).
 */
function rawLatest(scope: QueryScope, at: Param, gate: Sql): Sql {
  return sql`
    SELECT
      toString(warehouse_id) AS warehouse_id,
      sku,
      argMaxIf(tuple(quantity, unit_cost, occurred_at), tuple(occurred_at, event_id), source_system = 'ERP') AS erp,
      argMaxIf(tuple(quantity, unit_cost, occurred_at), tuple(occurred_at, event_id), source_system = 'WMS') AS wms,
      countIf(source_system = 'ERP') AS n_erp,
      countIf(source_system = 'WMS') AS n_wms
    FROM events
    WHERE type = 'inventory.snapshot' AND occurred_at <= ${at}
      AND source_system IN ('ERP', 'WMS') AND ${scopeFilter(scope)} AND ${gate}
    GROUP BY warehouse_id, sku`;
}

/** The same columns from inventory_latest (0010): one merged state per (warehouse, sku, system). */
function rollupLatest(scope: QueryScope, gate: Sql): Sql {
  return sql`
    SELECT warehouse_id, sku,
      anyIf(v, source_system = 'ERP') AS erp,
      anyIf(v, source_system = 'WMS') AS wms,
      countIf(source_system = 'ERP') AS n_erp,
      countIf(source_system = 'WMS') AS n_wms
    FROM (
      SELECT warehouse_id, sku, source_system, argMaxMerge(latest) AS v
      FROM inventory_latest WHERE ${scopeFilter(scope)} AND ${gate}
      GROUP BY warehouse_id, sku, source_system
    )
    GROUP BY warehouse_id, sku`;
}

/** Compared pairs with exact Decimal columns (see driftPairs). */
function pairs(latest: Sql): Sql {
  return sql`
    SELECT
      warehouse_id, sku,
      assumeNotNull(erp.1) AS erp_q, assumeNotNull(wms.1) AS wms_q,
      erp.2 AS erp_cost, wms.2 AS wms_cost,
      toUnixTimestamp64Milli(erp.3) AS erp_ms, toUnixTimestamp64Milli(wms.3) AS wms_ms,
      wms_q - erp_q AS drift,
      coalesce(erp_cost, wms_cost) AS cost,
      abs(drift) * ifNull(cost, ${DEC_ZERO}) AS value
    FROM (${latest} HAVING n_erp > 0 AND n_wms > 0)`;
}

const row = z.object({
  warehouse_id: z.string(),
  is_total: z.number(),
  skus_compared: z.number(),
  skus_mismatched: z.number(),
  abs_drift_units: z.number(),
  net_drift_units: z.number(),
  drift_value: z.number(),
});

const zero = (): DriftRow => ({
  skus_compared: 0,
  skus_mismatched: 0,
  mismatch_rate: 0,
  abs_drift_units: 0,
  net_drift_units: 0,
  drift_value: 0,
});

function toRow(r: z.infer<typeof row>): DriftRow {
  return {
    skus_compared: r.skus_compared,
    skus_mismatched: r.skus_mismatched,
    mismatch_rate: ratio(r.skus_mismatched, r.skus_compared),
    abs_drift_units: r.abs_drift_units,
    // `+ 0` turns an engine -0 into 0 for JSON readers that keep the sign.
    net_drift_units: r.net_drift_units + 0,
    drift_value: r.drift_value,
  };
}

/** Per-warehouse rows and the total, without the warehouse listing (close readiness lists its own). */
export async function driftByWarehouse(scope: QueryScope, asOf: number): Promise<{ byWh: Map<string, DriftRow>; total: DriftRow | undefined }> {
  // Sums stay Decimal in SQL and are rounded once, so 0.1 + 0.2 is exactly 0.30.
  const q = sql`
    SELECT
      warehouse_id,
      grouping(warehouse_id) AS is_total,
      count() AS skus_compared,
      countIf(drift != 0) AS skus_mismatched,
      toFloat64(sum(abs(drift))) AS abs_drift_units,
      toFloat64(sum(drift)) AS net_drift_units,
      toFloat64(round(sum(value), 2)) AS drift_value
    FROM (${driftPairs(scope, asOf)})
    GROUP BY warehouse_id WITH ROLLUP`;
  const rows = await query(q, row, { name: 'kpi.drift' });
  const byWh = new Map(rows.filter((r) => r.is_total === 0).map((r) => [r.warehouse_id, toRow(r)]));
  const t = rows.find((r) => r.is_total === 1);
  return { byWh, total: t ? toRow(t) : undefined };
}

export async function drift(scope: QueryScope, params: DriftParams): Promise<DriftResponse> {
  const { asOf, requested } = driftParams.parse(params);
  return withSpan('kpi.drift', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    const [{ byWh, total }, listed] = await Promise.all([driftByWarehouse(scope, asOf), listWarehouses(scope, requested)]);
    const assembled = assemble(listed, byWh, total, zero);
    return { as_of: new Date(asOf).toISOString(), ...assembled };
  });
}
