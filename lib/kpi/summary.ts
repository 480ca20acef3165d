import { z } from 'zod';
import { loadConfig } from '@/lib/config/slo';
import { windowStart } from '@/lib/http/params';
import type { QueryScope } from '@/lib/scope';
import { withStatementMemo } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { byId, cents } from './common';
import { closeReadiness } from './close-readiness';
import { drift } from './drift';
import { exceptionAging } from './exception-aging';
import { flow, type FlowResponse } from './flow';
import { invoiceLatency } from './invoice-latency';
import { SUMMARY_KEYS, statusOf, valueOf, type Figures, type SummaryKey } from './summary-status';
import { syncLag } from './sync-lag';

/**
 * metrics.md §7: every headline KPI for the window and the previous window of equal length. Windowed
 * KPIs use [from, to); point-in-time ones (exceptions, unposted, drift, close) are taken at `to`.
 * Built only from the KPI modules, so the summary can never disagree with the detail pages.
 */
const status = z.enum(['ok', 'warn', 'breach']);
const value = z.union([z.number(), z.string()]).nullable();
const key = z.enum(SUMMARY_KEYS);

export const summaryResponse = z.object({
  from: z.string(),
  to: z.string(),
  previous: z.object({ from: z.string(), to: z.string() }),
  kpis: z.array(
    z.object({
      key,
      value,
      previous: value,
      change: z.number().nullable(),
      status,
      /** `transactions_overdue` only (metrics.md §7): the overdue amount at `to`. */
      amount: z.number().optional(),
    }),
  ),
  worst_warehouses: z.array(z.object({ warehouse_id: z.string(), breaches: z.number(), warns: z.number() })),
  /** Extension beyond api.md: warehouse × KPI statuses. */
  heat: z.array(z.object({ warehouse_id: z.string(), kpis: z.partialRecord(key, z.object({ value, status })) })),
});
export type SummaryResponse = z.infer<typeof summaryResponse>;

const monthOf = (ms: number) => {
  const d = new Date(ms);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  return { period: d.toISOString().slice(0, 7), start, end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
};

interface WindowFigures {
  total: Figures;
  byWh: Map<string, Figures>;
  listed: string[];
}

async function figures(scope: QueryScope, from: number, to: number, requested: string[]): Promise<WindowFigures> {
  const asOf = to;
  const [lag, aging, inv, dr, close, fl] = await Promise.all([
    syncLag(scope, { from, to, requested }),
    exceptionAging(scope, { asOf, requested }),
    invoiceLatency(scope, { from, to, asOf, requested }),
    drift(scope, { asOf, requested }),
    closeReadiness(scope, { period: monthOf(asOf), asOf, requested }),
    flow(scope, { asOf, workflow: null, requested }),
  ]);
  const overdue = flowOverdue(fl);
  const pick = <T extends { warehouse_id: string }>(rows: T[], w: string) => rows.find((r) => r.warehouse_id === w);
  const build = (w: string | null): Figures => {
    const l = w === null ? lag.total : pick(lag.warehouses, w);
    const a = w === null ? aging.total : pick(aging.warehouses, w);
    const i = w === null ? inv.total : pick(inv.warehouses, w);
    const d = w === null ? dr.total : pick(dr.warehouses, w);
    const c = w === null ? close.total : pick(close.warehouses, w);
    return {
      sync_lag_p95: l?.lag_seconds.p95 ?? null,
      failure_rate: l?.failure_rate ?? 0,
      open_exceptions_critical: a?.by_severity.critical ?? 0,
      invoice_latency_p95: i?.latency_seconds.p95 ?? null,
      unposted_amount: i?.unposted.amount ?? 0,
      unposted_count: i?.unposted.count ?? 0,
      unposted_oldest_age: i?.unposted.oldest_age_seconds ?? null,
      drift_value: d?.drift_value ?? 0,
      close_status: c?.status ?? 'ready',
      transactions_overdue: overdue.get(w)?.count ?? 0,
      transactions_overdue_amount: cents(overdue.get(w)?.amount ?? 0),
    };
  };
  const listed = lag.warehouses.map((w) => w.warehouse_id);
  return { total: build(null), byWh: new Map(listed.map((w) => [w, build(w)])), listed };
}

/** Overdue transactions over every workflow and stage, per warehouse and (key null) in total. */
function flowOverdue(fl: FlowResponse): Map<string | null, { count: number; amount: number }> {
  const out = new Map<string | null, { count: number; amount: number }>();
  const add = (k: string | null, count: number, amount: number) => {
    const cur = out.get(k) ?? { count: 0, amount: 0 };
    out.set(k, { count: cur.count + count, amount: cur.amount + amount });
  };
  for (const w of fl.workflows) {
    for (const s of w.stages) {
      add(null, s.total.overdue, s.total.overdue_amount);
      for (const r of s.warehouses) add(r.warehouse_id, r.overdue, r.overdue_amount);
    }
  }
  return out;
}

export async function summary(scope: QueryScope, params: { from: number; to: number; requested: string[] }): Promise<SummaryResponse> {
  const { from, to, requested } = params;
  // One statement memo for both windows: the KPI modules repeat the warehouse list and drift at `to`.
  return withStatementMemo(() => withSpan('kpi.summary', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    const cfg = loadConfig();
    const prevFrom = windowStart('from', from, to - from, 'the previous window of the same length (compared against)');
    const [cur, prev] = await Promise.all([figures(scope, from, to, requested), figures(scope, prevFrom, from, requested)]);
    const kpis = SUMMARY_KEYS.map((key) => {
      const v = valueOf(key, cur.total);
      const pv = valueOf(key, prev.total);
      return {
        key,
        value: v,
        previous: pv,
        change: typeof v === 'number' && typeof pv === 'number' ? v - pv : null,
        status: statusOf(key, cur.total, cfg),
        ...(key === 'transactions_overdue' ? { amount: cur.total.transactions_overdue_amount } : {}),
      };
    });
    const heat = cur.listed.map((w) => {
      const f = cur.byWh.get(w)!;
      const cells = Object.fromEntries(SUMMARY_KEYS.map((k: SummaryKey) => [k, { value: valueOf(k, f), status: statusOf(k, f, cfg) }]));
      return { warehouse_id: w, kpis: cells };
    });
    const worst = heat
      .map((h) => {
        const statuses = Object.values(h.kpis).map((c) => c.status);
        return { warehouse_id: h.warehouse_id, breaches: statuses.filter((s) => s === 'breach').length, warns: statuses.filter((s) => s === 'warn').length };
      })
      .sort((a, b) => b.breaches - a.breaches || b.warns - a.warns || byId(a.warehouse_id, b.warehouse_id))
      .slice(0, 3);
    const iso = (ms: number) => new Date(ms).toISOString();
    return { from: iso(from), to: iso(to), previous: { from: iso(prevFrom), to: iso(from) }, kpis, worst_warehouses: worst, heat };
  }));
}
