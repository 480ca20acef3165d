import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { SEVERITIES, WORKFLOWS, apiEventRowSchema, apiEventSchema, codePointLength, rowToApiEvent, type ApiEvent } from '@/lib/events';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql, withLane } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { STATE_COLUMNS, exceptionStateRow, exceptionStates } from '@/lib/kpi/exceptions-state';
import { FLOW_STAGES, isFlowWorkflow } from '@/lib/events/stages';
import { stageClocks, stageClockSchema } from './correlation-clocks';

/** api.md `GET /api/v1/correlations/{id}`: one transaction's in-scope events, exceptions and stages. */

/** events.md: 1–256 code points, no control characters. Anything else cannot name a stored correlation. */
export const correlationIdSchema = z
  .string()
  .refine((s) => s.length > 0 && codePointLength(s) <= 256, 'id: must be 1–256 characters')
  .refine((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s), 'id: must not contain control characters');

export const correlationException = z.object({
  exception_id: z.string(),
  category: z.string(),
  severity: z.enum(SEVERITIES),
  status: z.enum(['open', 'acknowledged', 'resolved']),
  opened_at: z.string(),
  resolved_at: z.string().nullable(),
  owner: z.string().nullable(),
});

export const stageSchema = z.object({
  stage: z.string(),
  at: z.string(),
  event_id: z.string(),
  since_previous_seconds: z.number().nullable(),
});
export type Stage = z.infer<typeof stageSchema>;

export const correlationResponse = z.object({
  correlation_id: z.string(),
  /** An addition to api.md: the transaction's workflow as stages use it (null: no business event). */
  workflow: z.enum(WORKFLOWS).nullable(),
  events: z.array(apiEventSchema),
  exceptions: z.array(correlationException),
  stages: z.array(stageSchema),
  missing_stages: z.array(z.string()),
  /** An addition to api.md: each reached stage's clock against its SLA (metrics.md §8), at the time of the read. */
  stage_clocks: z.array(stageClockSchema),
});
export type CorrelationResponse = z.infer<typeof correlationResponse>;


/** Business events: what a transaction is made of (metrics.md §8); telemetry and snapshots are not. */
export const isBusinessEvent = (type: string): boolean =>
  type !== 'sync.message' && type !== 'inventory.snapshot' && !type.startsWith('exception.');

/**
 * The expected stages for a transaction whose events are given sorted by (occurred_at, event_id); []
 * when none are expected. Its workflow is that of its earliest business event, as on the Flow page: an
 * exception or a sync message that happens to come first must not lend the order its workflow.
 */
export const transactionWorkflow = (events: readonly ApiEvent[]): ApiEvent['workflow'] | null =>
  events.find((e) => isBusinessEvent(e.type))?.workflow ?? null;

export function expectedStages(events: readonly ApiEvent[]): readonly string[] {
  const workflow = transactionWorkflow(events);
  if (workflow === null) return [];
  if (workflow === 'inventory') return events.some((e) => e.type.startsWith('transfer.')) ? FLOW_STAGES.inventory : [];
  return isFlowWorkflow(workflow) ? FLOW_STAGES[workflow] : [];
}

/**
 * Events must be sorted by (occurred_at, event_id): the first event of a type is the stage's. The gap is
 * measured from the previous REACHED stage in expected order, so a skipped stage does not null it, and
 * it may be negative when business times arrive out of order (that is shown, not hidden).
 */
export function stagesOf(events: readonly ApiEvent[]): { stages: Stage[]; missing_stages: string[] } {
  const expected = expectedStages(events);
  const stages: Stage[] = [];
  const missing: string[] = [];
  let prevMs: number | null = null;
  for (const stage of expected) {
    const ev = events.find((e) => e.type === stage);
    if (!ev) {
      missing.push(stage);
      continue;
    }
    const ms = Date.parse(ev.occurred_at);
    stages.push({ stage, at: ev.occurred_at, event_id: ev.event_id, since_previous_seconds: prevMs === null ? null : (ms - prevMs) / 1000 });
    prevMs = ms;
  }
  return { stages, missing_stages: missing };
}

const rangeRow = z.object({ first_ms: z.number(), last_ms: z.number(), warehouses: z.array(z.string()) });

/**
 * The correlation's time range and its in-scope warehouses, from correlation_index, so the event scan
 * below reads a bounded slice of `events` (primary key: warehouse, type, occurred_at) instead of all of it.
 * null when unknown or when none of its warehouses is in scope: both answer 404, so nothing leaks.
 */
export async function correlationRange(
  scope: QueryScope,
  id: string,
): Promise<{ firstMs: number; lastMs: number; warehouses: string[] } | null> {
  const rows = await query(
    sql`SELECT toUnixTimestamp64Milli(min(first_at)) AS first_ms, toUnixTimestamp64Milli(max(last_at)) AS last_ms,
               groupUniqArrayArray(warehouses) AS warehouses
        FROM correlation_index WHERE correlation_id = ${p.str(id)} GROUP BY correlation_id`,
    rangeRow,
    { name: 'kpi.correlation.range' },
  );
  const r = rows[0];
  if (!r) return null;
  const allowed = scope.warehouses;
  const warehouses = allowed === null ? r.warehouses : r.warehouses.filter((w) => allowed.includes(w));
  if (warehouses.length === 0) return null;
  return { firstMs: r.first_ms, lastMs: r.last_ms, warehouses: warehouses.sort() };
}

/** The columns apiEventRowSchema reads, enums and low-cardinality columns as text. */
export const API_EVENT_COLUMNS = sql`event_id, toString(type) AS type, occurred_at, observed_at, ingested_at,
  toString(source_system) AS source_system, toString(target_system) AS target_system,
  toString(warehouse_id) AS warehouse_id, correlation_id, toString(workflow) AS workflow, document_ref, attributes`;

const eventRow = apiEventRowSchema.extend({ exception_id: z.string() });

async function correlationEvents(id: string, range: { firstMs: number; lastMs: number; warehouses: string[] }) {
  // LIMIT 1 BY event_id: ingest stores each id once, but a copy not yet collapsed by a merge must not show twice.
  return query(
    sql`SELECT ${API_EVENT_COLUMNS}, exception_id
        FROM events
        WHERE warehouse_id IN ${p.strs(range.warehouses)}
          AND occurred_at >= ${p.time(range.firstMs)} AND occurred_at <= ${p.time(range.lastMs)}
          AND correlation_id = ${p.str(id)}
        ORDER BY occurred_at, event_id, ingested_at
        LIMIT 1 BY event_id`,
    eventRow,
    { name: 'kpi.correlation.events' },
  );
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Exceptions named by this correlation's in-scope events, with the state every other exception view
 * uses (exceptions-state.ts): status, first resolution, current owner. An exception whose opened
 * warehouse is outside scope is left out by that same builder.
 */
async function correlationExceptions(scope: QueryScope, ids: string[], now: number) {
  if (ids.length === 0) return [];
  const rows = await query(
    sql`SELECT ${STATE_COLUMNS} FROM (${exceptionStates(scope, now, ids)})
        ORDER BY opened_ms, exception_id`,
    exceptionStateRow,
    { name: 'kpi.correlation.exceptions' },
  );
  return rows.map((r) => ({
    exception_id: r.exception_id,
    category: r.category,
    severity: r.severity,
    status: r.status,
    opened_at: iso(r.opened_ms),
    resolved_at: r.resolved_ms === null ? null : iso(r.resolved_ms),
    owner: r.owner,
  }));
}

export async function correlationDetail(scope: QueryScope, rawId: string, now = Date.now()): Promise<CorrelationResponse> {
  const parsed = correlationIdSchema.safeParse(rawId);
  if (!parsed.success) throw new AppError('bad_request', parsed.error.issues[0]?.message ?? 'id: invalid');
  const id = parsed.data;
  return withLane('bulk', () => withSpan('kpi.correlation', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    const range = await correlationRange(scope, id);
    if (!range) throw new AppError('not_found', 'correlation: not found');
    const rows = await correlationEvents(id, range);
    if (rows.length === 0) throw new AppError('not_found', 'correlation: not found');
    const events = rows.map((r) => rowToApiEvent(r));
    const excIds = [...new Set(rows.map((r) => r.exception_id).filter((x) => x !== ''))];
    const exceptions = await correlationExceptions(scope, excIds, now);
    const workflow = transactionWorkflow(events);
    const stages = stagesOf(events);
    return { correlation_id: id, workflow, events, exceptions, ...stages, stage_clocks: stageClocks(workflow, stages.stages, now) };
  }));
}
