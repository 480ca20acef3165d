import { z } from 'zod';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql, type Sql } from '@/lib/store';
import { source } from './tables';

/** `warehouse_id IN {…}` for a narrowed scope, or a tautology when the caller sees everything. */
export function scopeFilter(scope: QueryScope, column: 'warehouse_id' | 'opened_warehouse' | 'shipped_warehouse' = 'warehouse_id'): Sql {
  if (scope.warehouses === null) return sql`1`;
  const col = COLUMNS[column];
  return sql`${col} IN ${p.strs(scope.warehouses)}`;
}

const COLUMNS = {
  warehouse_id: sql`warehouse_id`,
  opened_warehouse: sql`opened_warehouse`,
  shipped_warehouse: sql`shipped_warehouse`,
} as const;

const whRow = z.object({ warehouse_id: z.string() });

/**
 * The rows a KPI answers with (metrics.md): every warehouse in scope that has any event at any time,
 * or exactly the requested ones (an explicit request lists them even when they have no events).
 */
export async function listWarehouses(scope: QueryScope, requested: readonly string[]): Promise<string[]> {
  if (requested.length > 0) return [...new Set(requested)].sort(byId);
  const rows = await query(sql`SELECT DISTINCT toString(warehouse_id) AS warehouse_id FROM ${source('warehouse_list')} WHERE ${scopeFilter(scope)}`, whRow, {
    name: 'kpi.warehouses',
  });
  return rows.map((r) => r.warehouse_id).sort(byId);
}

/** Stable, locale-free ordering so responses are deterministic. */
export const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Rounds money to cents for output (values are summed exactly as Decimal in SQL). */
export const cents = (v: number): number => Math.round(v * 100) / 100;

/** Ratios guarded against empty populations: metrics.md says rates are 0 then. */
export const ratio = (num: number, den: number): number => (den > 0 ? num / den : 0);

/** Zod for a nullable numeric the engine returns for quantiles/max over possibly empty sets. */
export const nullableNumber = z.number().nullable();

/**
 * Assembles `{ total, warehouses[] }`: one row per listed warehouse (zero row when the query had none),
 * the total row from the query's ROLLUP line or the zero row.
 */
export function assemble<R>(
  listed: readonly string[],
  rows: ReadonlyMap<string, R>,
  total: R | undefined,
  zero: () => R,
): { total: R; warehouses: (R & { warehouse_id: string })[] } {
  return {
    total: total ?? zero(),
    warehouses: listed.map((w) => ({ warehouse_id: w, ...(rows.get(w) ?? zero()) })),
  };
}

/** metrics.md §2 age buckets, `[lo, hi)` in ms; shared by exception aging, the exception list's `age` filter and unposted invoices. */
export const AGE_BUCKETS = ['lt_4h', 'h4_24', 'd1_3', 'd3_7', 'gt_7d'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];
const H = 3_600_000;
const BUCKET_RANGE: Record<AgeBucket, readonly [number, number | null]> = {
  lt_4h: [0, 4 * H],
  h4_24: [4 * H, 24 * H],
  d1_3: [24 * H, 72 * H],
  d3_7: [72 * H, 168 * H],
  gt_7d: [168 * H, null],
};

/** `lo <= age < hi` over an ms column, for one bucket. */
export function inBucket(column: Sql, b: AgeBucket): Sql {
  const [lo, hi] = BUCKET_RANGE[b];
  return hi === null ? sql`${column} >= ${p.i64(lo)}` : sql`${column} >= ${p.i64(lo)} AND ${column} < ${p.i64(hi)}`;
}

/** One count column per bucket, named after it, over the rows that also meet `where`. */
export function ageBucketColumns(ageMs: Sql, where: Sql = sql`1`): Sql {
  const n = (b: AgeBucket) => sql`countIf(${where} AND ${inBucket(ageMs, b)})`;
  return sql`${n('lt_4h')} AS lt_4h, ${n('h4_24')} AS h4_24, ${n('d1_3')} AS d1_3, ${n('d3_7')} AS d3_7, ${n('gt_7d')} AS gt_7d`;
}

const count = z.number().int().nonnegative();
export const ageBuckets = z.object({ lt_4h: count, h4_24: count, d1_3: count, d3_7: count, gt_7d: count });
export type AgeBuckets = z.infer<typeof ageBuckets>;

export const zeroBuckets = (): AgeBuckets => ({ lt_4h: 0, h4_24: 0, d1_3: 0, d3_7: 0, gt_7d: 0 });

/** The bucket counts of a wider row (ageBucketColumns output), for a response. */
export const pickBuckets = (r: AgeBuckets): AgeBuckets => ({ lt_4h: r.lt_4h, h4_24: r.h4_24, d1_3: r.d1_3, d3_7: r.d3_7, gt_7d: r.gt_7d });
