import { z } from 'zod';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { ageBucketColumns, ageBuckets, assemble, listWarehouses, nullableNumber, pickBuckets, scopeFilter, zeroBuckets } from './common';
import { invoicedRelation } from './postings';
import { unpostedShipments } from './unposted';

/**
 * metrics.md §3. Per correlation: S = earliest shipment.confirmed, I = earliest invoice.posted; the
 * warehouse is that of the earliest shipment. Population: I in [from, to) and S present.
 */
export const invoiceLatencyParams = z.object({
  from: z.number(),
  to: z.number(),
  asOf: z.number(),
  requested: z.array(z.string()),
});
export type InvoiceLatencyParams = z.infer<typeof invoiceLatencyParams>;

export const unpostedSummary = z.object({
  count: z.number(),
  amount: z.number(),
  buckets: ageBuckets,
  /** Extension beyond api.md: the summary's "older than the posting SLO" rule needs it. */
  oldest_age_seconds: nullableNumber,
});
export type UnpostedSummary = z.infer<typeof unpostedSummary>;

export const invoiceLatencyRow = z.object({
  invoices: z.number(),
  negative: z.number(),
  latency_seconds: z.object({ p50: nullableNumber, p95: nullableNumber, max: nullableNumber }),
  unposted: unpostedSummary,
});
export type InvoiceLatencyRow = z.infer<typeof invoiceLatencyRow>;

export const invoiceLatencyResponse = z.object({
  from: z.string(),
  to: z.string(),
  as_of: z.string(),
  total: invoiceLatencyRow,
  warehouses: z.array(invoiceLatencyRow.extend({ warehouse_id: z.string() })),
});
export type InvoiceLatencyResponse = z.infer<typeof invoiceLatencyResponse>;

const latencyRow = z.object({
  warehouse_id: z.string(),
  is_total: z.number(),
  invoices: z.number(),
  negative: z.number(),
  p50: nullableNumber,
  p95: nullableNumber,
  max: nullableNumber,
});
type LatencyRow = z.infer<typeof latencyRow>;

const unpostedRow = ageBuckets.extend({
  warehouse_id: z.string(),
  is_total: z.number(),
  count: z.number(),
  amount: z.number(),
  oldest: nullableNumber,
});
type UnpostedRow = z.infer<typeof unpostedRow>;

type Latency = Pick<InvoiceLatencyRow, 'invoices' | 'negative' | 'latency_seconds'>;
const zeroLatency = (): Latency => ({ invoices: 0, negative: 0, latency_seconds: { p50: null, p95: null, max: null } });
const zeroUnposted = (): UnpostedSummary => ({ count: 0, amount: 0, buckets: zeroBuckets(), oldest_age_seconds: null });

function toLatency(r: LatencyRow): Latency {
  // Invoices before their shipment are counted but kept out of the quantiles and max.
  const has = r.invoices - r.negative > 0;
  return {
    invoices: r.invoices,
    negative: r.negative,
    latency_seconds: { p50: has ? r.p50 : null, p95: has ? r.p95 : null, max: has ? r.max : null },
  };
}

function toUnposted(r: UnpostedRow): UnpostedSummary {
  return {
    count: r.count,
    amount: r.amount,
    buckets: pickBuckets(r),
    oldest_age_seconds: r.count > 0 ? r.oldest : null,
  };
}

async function latencyRows(scope: QueryScope, from: number, to: number): Promise<LatencyRow[]> {
  const q = sql`
    SELECT
      toString(shipped_warehouse) AS warehouse_id,
      grouping(shipped_warehouse) AS is_total,
      count() AS invoices,
      countIf(lat_ms < 0) AS negative,
      if(invoices = negative, NULL, quantileExactIf(0.5)(lat_ms, lat_ms >= 0) / 1000) AS p50,
      if(invoices = negative, NULL, quantileExactIf(0.95)(lat_ms, lat_ms >= 0) / 1000) AS p95,
      if(invoices = negative, NULL, maxIf(lat_ms, lat_ms >= 0) / 1000) AS max
    FROM (${invoicedRelation(from, to)})
    WHERE ${scopeFilter(scope, 'shipped_warehouse')}
    GROUP BY shipped_warehouse WITH ROLLUP`;
  return query(q, latencyRow, { name: 'kpi.invoice_latency' });
}

async function unpostedRows(scope: QueryScope, asOf: number): Promise<UnpostedRow[]> {
  const q = sql`
    SELECT
      toString(shipped_warehouse) AS warehouse_id,
      grouping(shipped_warehouse) AS is_total,
      count() AS count,
      toFloat64(round(sum(ifNull(amount, toDecimal128(0, 6))), 2)) AS amount,
      ${ageBucketColumns(sql`age_ms`)},
      if(count = 0, NULL, max(age_ms) / 1000) AS oldest
    FROM (
      SELECT shipped_warehouse, amount, toInt64(dateDiff('millisecond', s, ${p.time(asOf)})) AS age_ms
      FROM (${unpostedShipments(asOf)})
      WHERE ${scopeFilter(scope, 'shipped_warehouse')}
    )
    GROUP BY shipped_warehouse WITH ROLLUP`;
  return query(q, unpostedRow, { name: 'kpi.invoice_unposted' });
}

export async function invoiceLatency(scope: QueryScope, params: InvoiceLatencyParams): Promise<InvoiceLatencyResponse> {
  const { from, to, asOf, requested } = invoiceLatencyParams.parse(params);
  return withSpan('kpi.invoice_latency', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    const [lat, unp, listed] = await Promise.all([
      latencyRows(scope, from, to),
      unpostedRows(scope, asOf),
      listWarehouses(scope, requested),
    ]);
    type Row = Latency & { unposted: UnpostedSummary };
    const zero = (): Row => ({ ...zeroLatency(), unposted: zeroUnposted() });
    const byWh = new Map<string, Row>();
    const get = (w: string): Row => byWh.get(w) ?? byWh.set(w, zero()).get(w)!;
    for (const r of lat) if (r.is_total === 0) Object.assign(get(r.warehouse_id), toLatency(r));
    for (const r of unp) if (r.is_total === 0) get(r.warehouse_id).unposted = toUnposted(r);
    const latTotal = lat.find((r) => r.is_total === 1);
    const unpTotal = unp.find((r) => r.is_total === 1);
    const total: Row = {
      ...(latTotal ? toLatency(latTotal) : zeroLatency()),
      unposted: unpTotal ? toUnposted(unpTotal) : zeroUnposted(),
    };
    const { warehouses } = assemble(listed, byWh, total, zero);
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      as_of: new Date(asOf).toISOString(),
      total,
      warehouses,
    };
  });
}
