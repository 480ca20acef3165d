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
