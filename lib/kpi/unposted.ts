import { z } from 'zod';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql, type Sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { nullableNumber, scopeFilter } from './common';
import { unpostedRelation } from './postings';

/**
 * metrics.md §3 "unposted at as_of": correlations whose earliest shipment.confirmed is at or before
 * as_of and that have no invoice.posted at or before as_of. Shared by invoice latency (aggregate),
 * close readiness (restricted to a period) and the list below.
 */

/**
 * One row per unposted correlation: `correlation_id`, `s` (earliest shipment), `shipped_warehouse`,
 * `amount`, `currency`, `document_ref` — the latter four taken from that earliest shipment (ties: the
 * smaller event_id). Not scoped: callers filter on `shipped_warehouse`, because the invoice's own
 * warehouse is irrelevant (metrics.md §3).
 */
export function unpostedShipments(asOf: number): Sql {
  return unpostedRelation(asOf);
}

// ---- the list: GET /api/v1/kpi/invoice-latency/unposted ----

export const unpostedListParams = z.object({ asOf: z.number(), limit: z.number().int().min(1).max(1000) });
export type UnpostedListParams = z.infer<typeof unpostedListParams>;

export const unpostedItem = z.object({
  correlation_id: z.string(),
  warehouse_id: z.string(),
  shipped_at: z.string(),
  age_seconds: z.number(),
  amount: nullableNumber,
  currency: z.string(),
  document_ref: z.string().nullable(),
});
export type UnpostedItem = z.infer<typeof unpostedItem>;

export const unpostedListResponse = z.object({ as_of: z.string(), items: z.array(unpostedItem) });
export type UnpostedListResponse = z.infer<typeof unpostedListResponse>;

const itemRow = z.object({
  correlation_id: z.string(),
  warehouse_id: z.string(),
  shipped_ms: z.number(),
  age_ms: z.number(),
  amount: nullableNumber,
  currency: z.string(),
  document_ref: z.string().nullable(),
});

/** Oldest first (then correlation_id), so the most overdue postings lead. */
export async function unpostedList(scope: QueryScope, params: UnpostedListParams): Promise<UnpostedListResponse> {
  const { asOf, limit } = unpostedListParams.parse(params);
  return withSpan('kpi.unposted_list', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    const q = sql`
      SELECT
        correlation_id,
        shipped_warehouse AS warehouse_id,
        toUnixTimestamp64Milli(s) AS shipped_ms,
        toInt64(dateDiff('millisecond', s, ${p.time(asOf)})) AS age_ms,
        if(isNull(amount), NULL, toFloat64(amount)) AS amount,
        currency,
        document_ref
      FROM (${unpostedShipments(asOf)})
      WHERE ${scopeFilter(scope, 'shipped_warehouse')}
      ORDER BY s ASC, correlation_id ASC
      LIMIT ${p.u32(limit)}`;
    const rows = await query(q, itemRow, { name: 'kpi.unposted_list' });
    return {
      as_of: new Date(asOf).toISOString(),
      items: rows.map((r) => ({
        correlation_id: r.correlation_id,
        warehouse_id: r.warehouse_id,
        shipped_at: new Date(r.shipped_ms).toISOString(),
        age_seconds: r.age_ms / 1000,
        amount: r.amount,
        currency: r.currency,
        document_ref: r.document_ref,
      })),
    };
  });
}
