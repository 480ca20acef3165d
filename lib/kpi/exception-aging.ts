import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { windowStart } from '@/lib/http/params';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql, type Sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { ageBucketColumns, ageBuckets, assemble, listWarehouses, nullableNumber, pickBuckets, zeroBuckets } from './common';
import { exceptionStates } from './exceptions-state';

/** metrics.md §2: open exceptions at `as_of` by age bucket and severity, and MTTR over a window. */
export const exceptionAgingParams = z.object({
  asOf: z.number(),
  from: z.number().optional(),
  to: z.number().optional(),
  requested: z.array(z.string()),
});
export type ExceptionAgingParams = z.infer<typeof exceptionAgingParams>;

const count = z.number().int().nonnegative();

export const exceptionAgingRow = z.object({
  open: count,
  oldest_age_seconds: nullableNumber,
  mttr_seconds: nullableNumber,
  buckets: ageBuckets,
  by_severity: z.object({ critical: count, high: count, medium: count, low: count }),
});
export type ExceptionAgingRow = z.infer<typeof exceptionAgingRow>;

export const exceptionAgingResponse = z.object({
  as_of: z.string(),
  total: exceptionAgingRow,
  warehouses: z.array(exceptionAgingRow.extend({ warehouse_id: z.string() })),
});
export type ExceptionAgingResponse = z.infer<typeof exceptionAgingResponse>;

const row = ageBuckets.extend({
  warehouse_id: z.string(),
  is_total: z.number(),
  open: z.number(),
  oldest: nullableNumber,
  mttr: nullableNumber,
  critical: z.number(),
  high: z.number(),
  medium: z.number(),
  low: z.number(),
});

const zero = (): ExceptionAgingRow => ({
  open: 0,
  oldest_age_seconds: null,
  mttr_seconds: null,
  buckets: zeroBuckets(),
  by_severity: { critical: 0, high: 0, medium: 0, low: 0 },
});

function toRow(r: z.infer<typeof row>): ExceptionAgingRow {
  return {
    open: r.open,
    oldest_age_seconds: r.open > 0 ? r.oldest : null,
    mttr_seconds: r.mttr,
    buckets: pickBuckets(r),
    by_severity: { critical: r.critical, high: r.high, medium: r.medium, low: r.low },
  };
}

const DAY = 86_400_000;

/**
 * The MTTR window: `[from, to)` when either bound is given (the other defaulting as api.md says),
 * else `(as_of − 30 days, as_of]`. Returns the SQL condition on `resolved_ms` (NULL → not in window).
 */
export function mttrWindow(asOf: number, from: number | undefined, to: number | undefined): Sql {
  if (from === undefined && to === undefined) {
    const start = windowStart('as_of', asOf, 30 * DAY, 'the MTTR window (30 days up to as_of)');
    return sql`ifNull(resolved_ms > ${p.i64(start)} AND resolved_ms <= ${p.i64(asOf)}, 0)`;
  }
  const end = to ?? Date.now();
  const start = from ?? end - DAY;
  if (start >= end) throw new AppError('bad_request', 'from: must be earlier than to');
  return sql`ifNull(resolved_ms >= ${p.i64(start)} AND resolved_ms < ${p.i64(end)}, 0)`;
}

export async function exceptionAging(scope: QueryScope, params: ExceptionAgingParams): Promise<ExceptionAgingResponse> {
  const { asOf, from, to, requested } = exceptionAgingParams.parse(params);
  return withSpan('kpi.exception_aging', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    const age = sql`age_at`;
    const sev = (s: string) => sql`countIf(is_open AND severity = ${p.str(s)})`;
    // quantileExact picks the element at floor(level·n): within metrics.md's 1/n rank tolerance.
    const q = sql`
      SELECT
        toString(warehouse_id) AS warehouse_id,
        grouping(warehouse_id) AS is_total,
        countIf(is_open) AS open,
        if(open = 0, NULL, maxIf(age_at, is_open) / 1000) AS oldest,
        countIf(in_window) AS resolved_in_window,
        if(resolved_in_window = 0, NULL, quantileExactIf(0.5)(ttr_ms, in_window) / 1000) AS mttr,
        ${ageBucketColumns(age, sql`is_open`)},
        ${sev('critical')} AS critical,
        ${sev('high')} AS high,
        ${sev('medium')} AS medium,
        ${sev('low')} AS low
      FROM (
        SELECT
          warehouse_id,
          severity,
          toUInt8(opened_ms <= ${p.i64(asOf)} AND ifNull(resolved_ms > ${p.i64(asOf)}, 1)) AS is_open,
          toInt64(${p.i64(asOf)} - opened_ms) AS age_at,
          toUInt8(${mttrWindow(asOf, from, to)}) AS in_window,
          toInt64(ifNull(resolved_ms, 0) - opened_ms) AS ttr_ms
        FROM (${exceptionStates(scope, asOf)})
      )
      GROUP BY warehouse_id WITH ROLLUP`;
    const [rows, listed] = await Promise.all([
      query(q, row, { name: 'kpi.exception_aging' }),
      listWarehouses(scope, requested),
    ]);
    const byWh = new Map(rows.filter((r) => r.is_total === 0).map((r) => [r.warehouse_id, toRow(r)]));
    const totalRow = rows.find((r) => r.is_total === 1);
    const { total, warehouses } = assemble(listed, byWh, totalRow ? toRow(totalRow) : undefined, zero);
    return { as_of: new Date(asOf).toISOString(), total, warehouses };
  });
}
