import { z } from 'zod';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { nullableNumber } from './common';
import { driftPairs } from './drift';

/** metrics.md §4: the mismatched SKUs, worst first by |drift| × unit cost, then warehouse_id, sku. */
export const driftSkusParams = z.object({ asOf: z.number(), limit: z.number().int().min(1).max(1000) });
export type DriftSkusParams = z.infer<typeof driftSkusParams>;

export const driftSkuItem = z.object({
  warehouse_id: z.string(),
  sku: z.string(),
  erp_quantity: z.number(),
  wms_quantity: z.number(),
  drift: z.number(),
  /** The cost the value uses (ERP's, else WMS's); null when neither snapshot has one (value 0). */
  unit_cost: nullableNumber,
  drift_value: z.number(),
  erp_at: z.string(),
  wms_at: z.string(),
});
export type DriftSkuItem = z.infer<typeof driftSkuItem>;

export const driftSkusResponse = z.object({ as_of: z.string(), items: z.array(driftSkuItem) });
export type DriftSkusResponse = z.infer<typeof driftSkusResponse>;

const row = z.object({
  warehouse_id: z.string(),
  sku: z.string(),
  erp_quantity: z.number(),
  wms_quantity: z.number(),
  drift_units: z.number(),
  unit_cost: nullableNumber,
  drift_value: z.number(),
  erp_ms: z.number(),
  wms_ms: z.number(),
});

export async function driftSkus(scope: QueryScope, params: DriftSkusParams): Promise<DriftSkusResponse> {
  const { asOf, limit } = driftSkusParams.parse(params);
  return withSpan('kpi.drift_skus', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    // Ordered by the exact Decimal value, so ties are real ties and fall to warehouse_id, sku.
    const q = sql`
      SELECT
        warehouse_id,
        sku,
        toFloat64(erp_q) AS erp_quantity,
        toFloat64(wms_q) AS wms_quantity,
        toFloat64(drift) AS drift_units,
        if(isNull(cost), NULL, toFloat64(cost)) AS unit_cost,
        toFloat64(round(value, 2)) AS drift_value,
        erp_ms,
        wms_ms
      FROM (${driftPairs(scope, asOf)})
      WHERE drift != 0
      ORDER BY value DESC, warehouse_id ASC, sku ASC
      LIMIT ${p.u32(limit)}`;
    const rows = await query(q, row, { name: 'kpi.drift_skus' });
    return {
      as_of: new Date(asOf).toISOString(),
      items: rows.map((r) => ({
        warehouse_id: r.warehouse_id,
        sku: r.sku,
        erp_quantity: r.erp_quantity,
        wms_quantity: r.wms_quantity,
        drift: r.drift_units,
        unit_cost: r.unit_cost,
        drift_value: r.drift_value,
        erp_at: new Date(r.erp_ms).toISOString(),
        wms_at: new Date(r.wms_ms).toISOString(),
      })),
    };
  });
}
