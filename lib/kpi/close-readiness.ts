import { z } from 'zod';
import { loadConfig } from '@/lib/config/slo';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { listWarehouses, scopeFilter } from './common';
import { driftByWarehouse } from './drift';
import { exceptionStates } from './exceptions-state';
import { unpostedShipments } from './unposted';

/**
 * metrics.md §5. For a UTC calendar month and an as_of: the period's unposted shipments, the open
 * finance exceptions opened in or before the period, and inventory drift at as_of.
 */
export const closeReadinessParams = z.object({
  period: z.object({ period: z.string(), start: z.number(), end: z.number() }),
  asOf: z.number(),
  requested: z.array(z.string()),
});
export type CloseReadinessParams = z.infer<typeof closeReadinessParams>;

export const closeStatus = z.enum(['ready', 'at_risk', 'blocked']);
export type CloseStatus = z.infer<typeof closeStatus>;

export const closeReadinessRow = z.object({
  status: closeStatus,
  unposted_count: z.number(),
  unposted_amount: z.number(),
  open_finance_exceptions: z.object({ critical: z.number(), high: z.number(), medium: z.number(), low: z.number() }),
  drift_value: z.number(),
  /** Extension beyond api.md: why the status is what it is, in sentences the dashboard shows. */
  reasons: z.array(z.string()),
});
export type CloseReadinessRow = z.infer<typeof closeReadinessRow>;

export const closeReadinessResponse = z.object({
  period: z.string(),
  as_of: z.string(),
  total: closeReadinessRow,
  warehouses: z.array(closeReadinessRow.extend({ warehouse_id: z.string() })),
});
export type CloseReadinessResponse = z.infer<typeof closeReadinessResponse>;

export const FINANCE_WORKFLOWS = ['order_to_cash', 'procure_to_pay', 'return_to_credit'] as const;

const unpostedRow = z.object({
  warehouse_id: z.string(),
  is_total: z.number(),
  count: z.number(),
  amount: z.number(),
  over_slo: z.number(),
});

const exceptionRow = z.object({
  warehouse_id: z.string(),
  is_total: z.number(),
  critical: z.number(),
  high: z.number(),
  medium: z.number(),
  low: z.number(),
});

async function periodUnposted(scope: QueryScope, start: number, end: number, asOf: number, sloMs: number) {
  // "Older than the posting SLO" is strict: a shipment exactly at the SLO is not yet late.
  const q = sql`
    SELECT
      toString(shipped_warehouse) AS warehouse_id,
      grouping(shipped_warehouse) AS is_total,
      count() AS count,
      toFloat64(round(sum(ifNull(amount, toDecimal128(0, 6))), 2)) AS amount,
      countIf(age_ms > ${p.i64(sloMs)}) AS over_slo
    FROM (
      SELECT shipped_warehouse, amount, toInt64(dateDiff('millisecond', s, ${p.time(asOf)})) AS age_ms
      FROM (${unpostedShipments(asOf)})
      WHERE s >= ${p.time(start)} AND s < ${p.time(end)} AND ${scopeFilter(scope, 'shipped_warehouse')}
    )
    GROUP BY shipped_warehouse WITH ROLLUP`;
  return query(q, unpostedRow, { name: 'kpi.close_unposted' });
}

async function openFinanceExceptions(scope: QueryScope, end: number, asOf: number) {
  // An exception is what its earliest exception.opened says (events.md), so the workflow and the period
  // are judged on that opening, with the state every exception view uses (exceptions-state.ts).
  const q = sql`
    SELECT
      toString(warehouse_id) AS warehouse_id,
      grouping(warehouse_id) AS is_total,
      countIf(severity = 'critical') AS critical,
      countIf(severity = 'high') AS high,
      countIf(severity = 'medium') AS medium,
      countIf(severity = 'low') AS low
    FROM (${exceptionStates(scope, asOf)})
    WHERE opened_ms <= ${p.i64(asOf)} AND opened_ms < ${p.i64(end)}
      AND workflow IN ${p.strs(FINANCE_WORKFLOWS)}
      AND ifNull(resolved_ms > ${p.i64(asOf)}, 1)
    GROUP BY warehouse_id WITH ROLLUP`;
  return query(q, exceptionRow, { name: 'kpi.close_exceptions' });
}

/** The figures one status decision needs, for a warehouse or the total. */
export interface CloseFigures {
  unposted_count: number;
  unposted_amount: number;
  /** Of the period's unposted shipments, how many are older than the posting SLO at as_of. */
  over_slo: number;
  open: { critical: number; high: number; medium: number; low: number };
  drift_value: number;
}

const openCount = (o: CloseFigures['open']): number => o.critical + o.high + o.medium + o.low;

/** metrics.md §5 status rules, in the spec's order. */
export function closeStatusOf(f: CloseFigures): CloseStatus {
  if (f.open.critical > 0 || f.over_slo > 0) return 'blocked';
  if (f.unposted_count > 0 || openCount(f.open) > 0 || f.drift_value !== 0) return 'at_risk';
  return 'ready';
}

const RANK: Record<CloseStatus, number> = { ready: 0, at_risk: 1, blocked: 2 };
export const worstStatus = (all: readonly CloseStatus[]): CloseStatus =>
  all.reduce<CloseStatus>((w, s) => (RANK[s] > RANK[w] ? s : w), 'ready');

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const money = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** Sentences for the dashboard: blockers first, then what keeps the period at risk. */
function closeReasons(f: CloseFigures, status: CloseStatus, ctx: { period: string; sloSeconds: number }): string[] {
  const out: string[] = [];
  const { critical, high, medium, low } = f.open;
  if (critical > 0) out.push(`${plural(critical, 'critical finance exception')} open`);
  if (f.over_slo > 0) out.push(`${plural(f.over_slo, 'unposted shipment')} older than ${duration(ctx.sloSeconds)}`);
  if (f.unposted_count > 0) {
    out.push(`${plural(f.unposted_count, 'shipment')} from ${ctx.period} not invoiced yet (${money(f.unposted_amount)})`);
  }
  const others = high + medium + low;
  if (others > 0) {
    const parts = ([['high', high], ['medium', medium], ['low', low]] as const).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`);
    out.push(`${plural(others, `${critical > 0 ? 'other ' : ''}open finance exception`)} (${parts.join(', ')})`);
  }
  if (f.drift_value !== 0) out.push(`inventory drift valued at ${money(f.drift_value)}`);
  if (status === 'ready' && out.length === 0) {
    out.push(`every shipment from ${ctx.period} is invoiced, no finance exception is open and inventory matches`);
  }
  return out;
}

const zeroFigures = (): CloseFigures => ({
  unposted_count: 0,
  unposted_amount: 0,
  over_slo: 0,
  open: { critical: 0, high: 0, medium: 0, low: 0 },
  drift_value: 0,
});

export async function closeReadiness(scope: QueryScope, params: CloseReadinessParams): Promise<CloseReadinessResponse> {
  const { period, asOf, requested } = closeReadinessParams.parse(params);
  return withSpan('kpi.close_readiness', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    const sloSeconds = loadConfig().slo.posting_seconds;
    const [unp, exc, drift, listed] = await Promise.all([
      periodUnposted(scope, period.start, period.end, asOf, sloSeconds * 1000),
      openFinanceExceptions(scope, period.end, asOf),
      driftByWarehouse(scope, asOf),
      listWarehouses(scope, requested),
    ]);

    const figures = new Map<string, CloseFigures>();
    const totalFigures = zeroFigures();
    const at = (w: string, isTotal: boolean): CloseFigures => {
      if (isTotal) return totalFigures;
      return figures.get(w) ?? figures.set(w, zeroFigures()).get(w)!;
    };
    for (const r of unp) Object.assign(at(r.warehouse_id, r.is_total === 1), { unposted_count: r.count, unposted_amount: r.amount, over_slo: r.over_slo });
    for (const r of exc) at(r.warehouse_id, r.is_total === 1).open = { critical: r.critical, high: r.high, medium: r.medium, low: r.low };
    for (const [w, d] of drift.byWh) at(w, false).drift_value = d.drift_value;
    totalFigures.drift_value = drift.total?.drift_value ?? 0;

    const ctx = { period: period.period, sloSeconds };
    const shape = (f: CloseFigures, status: z.infer<typeof closeStatus>): CloseReadinessRow => ({
      status,
      unposted_count: f.unposted_count,
      unposted_amount: f.unposted_amount,
      open_finance_exceptions: f.open,
      drift_value: f.drift_value,
      reasons: closeReasons(f, status, ctx),
    });
    const warehouses = listed.map((w) => {
      const f = figures.get(w) ?? zeroFigures();
      return { warehouse_id: w, ...shape(f, closeStatusOf(f)) };
    });
    // The total's status is the worst warehouse's; its own figures are folded in so that an empty
    // listing still answers from the total.
    const totalStatus = worstStatus([closeStatusOf(totalFigures), ...warehouses.map((w) => w.status)]);
    return {
      period: period.period,
      as_of: new Date(asOf).toISOString(),
      total: shape(totalFigures, totalStatus),
      warehouses,
    };
  });
}
