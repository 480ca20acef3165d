import { z } from 'zod';
import { loadConfig } from '@/lib/config/slo';
import { AppError } from '@/lib/errors';
import { atMostOnce } from '@/lib/http/params';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { listWarehouses, nullableNumber } from './common';
import { countsAnswer, flowCountCells } from './flow-counts';
import { flowWaits } from './flow-relation';
import { usableSnapshot } from './flow-snapshot';
import { fromRollup } from './tables';
import { FLOW_WORKFLOWS, nextStage, waitingStages, type FlowWorkflow } from '@/lib/events/stages';

/**
 * metrics.md §8, api.md `GET /api/v1/kpi/flow`: per workflow × waiting stage × warehouse (rows as for
 * `warehouses[]`), and a total per stage: waiting, overdue (wait > SLA), the oldest wait and the overdue amount.
 */
export const flowWorkflow = z.enum(FLOW_WORKFLOWS as [FlowWorkflow, ...FlowWorkflow[]]);

export const flowParams = z.object({
  asOf: z.number(),
  workflow: flowWorkflow.nullable(),
  requested: z.array(z.string()),
});
export type FlowParams = z.infer<typeof flowParams>;

export const flowCell = z.object({
  waiting: z.number().int().nonnegative(),
  overdue: z.number().int().nonnegative(),
  oldest_wait_seconds: nullableNumber,
  overdue_amount: z.number(),
});
export type FlowCell = z.infer<typeof flowCell>;

export const flowStage = z.object({
  stage: z.string(),
  next_stage: z.string(),
  slo_seconds: z.number(),
  total: flowCell,
  warehouses: z.array(flowCell.extend({ warehouse_id: z.string() })),
});

export const flowResponse = z.object({
  as_of: z.string(),
  workflows: z.array(z.object({ workflow: flowWorkflow, stages: z.array(flowStage) })),
});
export type FlowResponse = z.infer<typeof flowResponse>;

/** `workflow` of a flow request: one of the workflows with expected stages (400 naming it otherwise). */
export function parseFlowWorkflow(search: URLSearchParams): FlowWorkflow | null {
  const v = atMostOnce('workflow', search.getAll('workflow'));
  if (v === undefined || v === '') return null;
  const r = flowWorkflow.safeParse(v);
  if (!r.success) throw new AppError('bad_request', `workflow: must be one of ${FLOW_WORKFLOWS.join(', ')}`);
  return r.data;
}

const cellRow = z.object({
  workflow: z.string(),
  stage: z.string(),
  warehouse_id: z.string(),
  is_total: z.number(),
  n_waiting: z.number(),
  n_overdue: z.number(),
  oldest_ms: z.number(),
  overdue_amount: z.number(),
});

const zeroCell = (): FlowCell => ({ waiting: 0, overdue: 0, oldest_wait_seconds: null, overdue_amount: 0 });

export async function flow(scope: QueryScope, params: FlowParams): Promise<FlowResponse> {
  const { asOf, workflow, requested } = flowParams.parse(params);
  return withSpan('kpi.flow', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    const slos = loadConfig().flow_slo_seconds;
    const only = workflow === null ? sql`1` : sql`workflow = ${p.str(workflow)}`;
    // GROUPING SETS: the per-warehouse cells and each stage's total in one pass, money summed as Decimal.
    const snap = fromRollup('flow_state') ? await usableSnapshot(asOf) : null;
    // Fleet-wide with nothing changed since the snapshot: its counts per reached hour (lib/kpi/flow-counts.ts).
    const q = snap !== null && scope.warehouses === null && countsAnswer(snap, asOf)
      ? flowCountCells(snap, asOf, slos, only)
      : sql`
      SELECT workflow, stage, warehouse_id, grouping(warehouse_id) AS is_total,
             count() AS n_waiting, countIf(overdue = 1) AS n_overdue, max(wait_ms) AS oldest_ms,
             toFloat64(round(sumIf(ifNull(amount, toDecimal128(0, 6)), overdue = 1), 2)) AS overdue_amount
      FROM (${await flowWaits(scope, asOf, slos, only, snap)})
      GROUP BY GROUPING SETS ((workflow, stage, warehouse_id), (workflow, stage))`;
    const [rows, listed] = await Promise.all([query(q, cellRow, { name: 'kpi.flow' }), listWarehouses(scope, requested)]);
    const cells = new Map<string, FlowCell>();
    const key = (w: string, s: string, wh: string | null) => JSON.stringify([w, s, wh]);
    for (const r of rows) {
      cells.set(key(r.workflow, r.stage, r.is_total === 1 ? null : r.warehouse_id), {
        waiting: r.n_waiting,
        overdue: r.n_overdue,
        oldest_wait_seconds: r.n_waiting > 0 ? r.oldest_ms / 1000 : null,
        overdue_amount: r.overdue_amount,
      });
    }
    const workflows = (workflow === null ? FLOW_WORKFLOWS : [workflow]).map((w) => ({
      workflow: w,
      stages: waitingStages(w).map((s) => ({
        stage: s,
        next_stage: nextStage(w, s)!,
        slo_seconds: slos[w][s]!,
        total: cells.get(key(w, s, null)) ?? zeroCell(),
        warehouses: listed.map((wh) => ({ warehouse_id: wh, ...(cells.get(key(w, s, wh)) ?? zeroCell()) })),
      })),
    }));
    return { as_of: new Date(asOf).toISOString(), workflows };
  });
}
