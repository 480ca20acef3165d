import { z } from 'zod';
import { loadConfig } from '@/lib/config/slo';
import { iso, windowStart } from '@/lib/http/params';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql, type Sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { byId, listWarehouses, ratio } from './common';
import { syncCells } from './sync-cells';

/**
 * metrics.md §10: per warehouse, the (route, interface) groups behind its over-SLO lag or its failures.
 * Built on the sync-lag cells (rollup where current, raw elsewhere), so the counts are those of the
 * sync-lag KPI for the same window and cost the same to read.
 */
export const syncLagHintsParams = z.object({ from: z.number(), to: z.number(), requested: z.array(z.string()) });
export type SyncLagHintsParams = z.infer<typeof syncLagHintsParams>;

export const syncLagHint = z.object({
  source_system: z.string(),
  target_system: z.string(),
  interface: z.string().nullable(),
  share_over_slo: z.number(),
  failure_rate: z.number(),
  previous_failure_rate: z.number(),
});
export type SyncLagHint = z.infer<typeof syncLagHint>;

export const syncLagHintsResponse = z.object({
  from: z.string(),
  to: z.string(),
  warehouses: z.array(z.object({ warehouse_id: z.string(), hints: z.array(syncLagHint) })),
});
export type SyncLagHintsResponse = z.infer<typeof syncLagHintsResponse>;

/** One suspect: a warehouse's route × interface, its counts in the window and in the previous one. */
const groupRow = z.object({
  warehouse_id: z.string(),
  source_system: z.string(),
  target_system: z.string(),
  interface: z.string().nullable(),
  messages: z.number(),
  failures: z.number(),
  breaches: z.number(),
  prev_messages: z.number(),
  prev_failures: z.number(),
});
type GroupRow = z.infer<typeof groupRow>;

export const HINTS_PER_WAREHOUSE = 3;

const CELL_COLUMNS = sql`warehouse_id, source_system, target_system, interface, n_messages, n_failed + n_dead_lettered AS n_failures, n_breaches`;

/** Each group's counts on both sides of `from` (cells of [prevFrom, to) cut at `from`). */
function groupsQuery(cells: Sql, from: number): Sql {
  return sql`
    SELECT warehouse_id, source_system, target_system, interface,
           sumIf(n_messages, cur) AS messages, sumIf(n_failures, cur) AS failures, sumIf(n_breaches, cur) AS breaches,
           sumIf(n_messages, NOT cur) AS prev_messages, sumIf(n_failures, NOT cur) AS prev_failures
    FROM (SELECT ts >= ${p.time(from)} AS cur, ${CELL_COLUMNS} FROM (${cells}))
    GROUP BY warehouse_id, source_system, target_system, interface
    HAVING messages > 0`;
}

/** Strings by UTF-16 code units (JS `<`), a null interface after every name. */
const byName = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? 1 : b === null ? -1 : byId(a, b));

/** §10's ranking: share desc, failure rate desc, then source, target, interface ascending. */
export function compareHints(a: SyncLagHint, b: SyncLagHint): number {
  return (
    b.share_over_slo - a.share_over_slo ||
    b.failure_rate - a.failure_rate ||
    byId(a.source_system, b.source_system) ||
    byId(a.target_system, b.target_system) ||
    byName(a.interface, b.interface)
  );
}

/**
 * §10's rule, decided on the integer counts so its boundaries are exact (25 % qualifies, exactly twice
 * the previous rate does not): share ≥ 1/4, or failure rate ≥ 1/20 and > 2 × the previous rate.
 */
export function qualifies(g: Pick<GroupRow, 'messages' | 'failures' | 'breaches' | 'prev_messages' | 'prev_failures'>, overSlo: number): boolean {
  if (overSlo > 0 && 4 * g.breaches >= overSlo) return true;
  if (g.messages === 0 || 20 * g.failures < g.messages) return false;
  return g.prev_messages === 0 ? g.failures > 0 : g.failures * g.prev_messages > 2 * g.prev_failures * g.messages;
}

/** A warehouse's hints from its groups (the rows of one warehouse). */
export function hintsOf(groups: readonly GroupRow[]): SyncLagHint[] {
  const overSlo = groups.reduce((n, g) => n + g.breaches, 0);
  return groups
    .filter((g) => qualifies(g, overSlo))
    .map((g) => ({
      source_system: g.source_system,
      target_system: g.target_system,
      interface: g.interface,
      share_over_slo: ratio(g.breaches, overSlo),
      failure_rate: ratio(g.failures, g.messages),
      previous_failure_rate: ratio(g.prev_failures, g.prev_messages),
    }))
    .sort(compareHints)
    .slice(0, HINTS_PER_WAREHOUSE);
}

export async function syncLagHints(scope: QueryScope, params: SyncLagHintsParams): Promise<SyncLagHintsResponse> {
  const { from, to, requested } = syncLagHintsParams.parse(params);
  const prevFrom = windowStart('from', from, to - from, 'the previous window of the same length (failure rates are compared against it)');
  return withSpan('kpi.sync_lag_hints', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    const sloMs = loadConfig().slo.sync_lag_seconds * 1000;
    // Counts only (§10 needs no quantile); both windows as one read cut at `from` (one stale check, one scan).
    const cells = await syncCells(scope, prevFrom, to, sloMs, { countsOnly: true, withTs: true, cut: from });
    const [rows, listed] = await Promise.all([
      query(groupsQuery(cells, from), groupRow, { name: 'kpi.sync_lag_hints' }),
      listWarehouses(scope, requested),
    ]);
    const byWh = new Map<string, GroupRow[]>();
    for (const r of rows) {
      const list = byWh.get(r.warehouse_id);
      if (list) list.push(r);
      else byWh.set(r.warehouse_id, [r]);
    }
    return {
      from: iso(from),
      to: iso(to),
      warehouses: listed.map((w) => ({ warehouse_id: w, hints: hintsOf(byWh.get(w) ?? []) })),
    };
  });
}
