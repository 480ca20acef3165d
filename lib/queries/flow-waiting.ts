import { z } from 'zod';
import { loadConfig } from '@/lib/config/slo';
import { AppError } from '@/lib/errors';
import { waitingStages } from '@/lib/events/stages';
import { atMostOnce, parseLimit } from '@/lib/http/params';
import { nullableNumber } from '@/lib/kpi/common';
import { flowWorkflow, parseFlowWorkflow } from '@/lib/kpi/flow';
import { flowWaits } from '@/lib/kpi/flow-relation';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { cursorCodec } from './cursor';

/**
 * api.md `GET /api/v1/kpi/flow/waiting`: the transactions waiting at one stage of one workflow at as_of
 * (metrics.md §8), oldest first (earliest stage time, then correlation_id), keyset-paged. `document_ref`
 * and `warehouse_id` are those of the transaction's earliest business event; `amount` is the one the
 * overdue amount counts (null when no event at or before as_of has one).
 */
export const flowWaitingParams = z.object({
  asOf: z.number(),
  workflow: flowWorkflow,
  stage: z.string(),
  overdueOnly: z.boolean(),
  cursor: z.string().nullable(),
  limit: z.number().int().min(1).max(1000),
});
export type FlowWaitingParams = z.infer<typeof flowWaitingParams>;

export const flowWaitingItem = z.object({
  correlation_id: z.string(),
  warehouse_id: z.string(),
  workflow: flowWorkflow,
  stage: z.string(),
  reached_at: z.string(),
  wait_seconds: z.number(),
  slo_seconds: z.number(),
  overdue: z.boolean(),
  amount: nullableNumber,
  document_ref: z.string().nullable(),
});
export type FlowWaitingItem = z.infer<typeof flowWaitingItem>;

export const flowWaitingResponse = z.object({ items: z.array(flowWaitingItem), next_cursor: z.string().nullable() });
export type FlowWaitingResponse = z.infer<typeof flowWaitingResponse>;

/** The last item's place: its stage time and correlation id (correlation ids are up to 256 code points). */
const cursor = cursorCodec(z.tuple([z.number().int(), z.string().max(1100)]), { maxLength: 4000 });

const row = z.object({
  correlation_id: z.string(),
  warehouse_id: z.string(),
  document_ref: z.string().nullable(),
  reached_ms: z.number(),
  wait_ms: z.number(),
  slo_ms: z.number(),
  overdue: z.number(),
  amount: nullableNumber,
});

/** 400 unless `stage` is a stage the workflow's transactions can wait at (every one but the final). */
export function checkWaitingStage(workflow: z.infer<typeof flowWorkflow>, stage: string): void {
  const allowed = waitingStages(workflow);
  if (!allowed.includes(stage)) {
    throw new AppError('bad_request', `stage: "${stage.slice(0, 64)}" is not a waiting stage of ${workflow} (one of ${allowed.join(', ')})`);
  }
}

/** The query of `GET /api/v1/kpi/flow/waiting` (as_of is parsed by the route); every bad value is a 400 naming it. */
export function parseFlowWaitingQuery(search: URLSearchParams, asOf: number): FlowWaitingParams {
  const one = (name: string) => {
    const v = atMostOnce(name, search.getAll(name));
    return v === undefined || v === '' ? null : v;
  };
  const workflow = parseFlowWorkflow(search);
  if (workflow === null) throw new AppError('bad_request', 'workflow: required');
  const stage = one('stage');
  if (stage === null) throw new AppError('bad_request', 'stage: required');
  checkWaitingStage(workflow, stage);
  const overdue = one('overdue') ?? 'false';
  if (overdue !== 'true' && overdue !== 'false') throw new AppError('bad_request', 'overdue: must be true or false');
  const rawCursor = one('cursor');
  if (rawCursor !== null) cursor.decode(rawCursor);
  const limit = parseLimit(one('limit'), { fallback: 100, max: 1000 });
  return { asOf, workflow, stage, overdueOnly: overdue === 'true', cursor: rawCursor, limit };
}

export async function flowWaiting(scope: QueryScope, params: FlowWaitingParams): Promise<FlowWaitingResponse> {
  const { asOf, workflow, stage, overdueOnly, cursor: rawCursor, limit } = flowWaitingParams.parse(params);
  checkWaitingStage(workflow, stage);
  const after = rawCursor === null ? null : cursor.decode(rawCursor);
  return withSpan('kpi.flow_waiting', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    const slos = loadConfig().flow_slo_seconds;
    const only = sql`workflow = ${p.str(workflow)} AND stage = ${p.str(stage)}`;
    const q = sql`
      SELECT correlation_id, warehouse_id, document_ref, reached_ms, wait_ms, slo_ms, overdue,
             if(isNull(amount), NULL, toFloat64(amount)) AS amount
      FROM (${await flowWaits(scope, asOf, slos, only)})
      WHERE ${overdueOnly ? sql`overdue = 1` : sql`1`}
        AND ${after === null ? sql`1` : sql`(reached_ms, correlation_id) > (${p.i64(after[0])}, ${p.str(after[1])})`}
      ORDER BY reached_ms, correlation_id
      LIMIT ${p.u32(limit + 1)}`;
    const rows = await query(q, row, { name: 'kpi.flow_waiting' });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        correlation_id: r.correlation_id,
        warehouse_id: r.warehouse_id,
        workflow,
        stage,
        reached_at: new Date(r.reached_ms).toISOString(),
        wait_seconds: r.wait_ms / 1000,
        slo_seconds: r.slo_ms / 1000,
        overdue: r.overdue === 1,
        amount: r.amount,
        document_ref: r.document_ref,
      })),
      next_cursor: rows.length > limit && last ? cursor.encode([last.reached_ms, last.correlation_id]) : null,
    };
  });
}
