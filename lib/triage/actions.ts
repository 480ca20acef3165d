import crypto from 'node:crypto';
import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { TOWER_SOURCE, codePointLength, type Workflow } from '@/lib/events';
import { textProblem } from '@/lib/events/text';
import { invalidateReads } from '@/lib/server/shared-reads';
import { withSpan } from '@/lib/telemetry/span';
import { ingestLines } from '@/ingest/pipeline';

/**
 * Exception actions of the control tower (api.md): each records one `exception.*` event through the
 * same pipeline as every producer event, so it is validated, deduplicated and counted like any other.
 * Triage is the one writer outside ingest/: it reuses ingest's pipeline rather than a second write path.
 * The exception's current state comes from the caller (lib/queries/exceptions.ts), which keeps scope
 * and the "what is this exception" rules in one place.
 */
export const EXCEPTION_ACTIONS = ['acknowledge', 'assign', 'resolve'] as const;
export type ExceptionAction = (typeof EXCEPTION_ACTIONS)[number];
export const isExceptionAction = (v: string): v is ExceptionAction => (EXCEPTION_ACTIONS as readonly string[]).includes(v);

const EVENT_TYPE = {
  acknowledge: 'exception.acknowledged',
  assign: 'exception.assigned',
  resolve: 'exception.resolved',
} as const satisfies Record<ExceptionAction, string>;

/** What an action needs to know about the exception: where it lives and whether it is resolved. */
export interface ActionTarget {
  exception_id: string;
  warehouse_id: string;
  correlation_id: string;
  workflow: Workflow;
  status: 'open' | 'acknowledged' | 'resolved';
}

/** The acting principal; only a signed-in user has an email to record as `actor`. */
export type Actor = { kind: 'user'; email: string } | { kind: 'api_token' } | { kind: 'ingest_token' };

const text = (name: string, max: number) =>
  z.string({ error: `${name}: must be a string` }).superRefine((s, ctx) => {
    const problem = textProblem(s);
    const n = codePointLength(s);
    if (problem) ctx.addIssue({ code: 'custom', message: `${name}: ${problem}` });
    else if (n < 1 || n > max) ctx.addIssue({ code: 'custom', message: `${name}: must be 1–${max} characters` });
  });

// Bodies are objects; extra keys are tolerated so a client may send context the API does not use.
const BODIES = {
  acknowledge: z.object({}),
  assign: z.object({ owner: text('owner', 256) }),
  resolve: z.object({ resolution: text('resolution', 4096).optional() }),
} as const;

/** Request body text → JSON value. An empty body is `{}` (acknowledge and resolve need none). */
export function parseActionBody(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new AppError('bad_request', 'body: must be a JSON object');
  }
}

function attributesFor(action: ExceptionAction, body: unknown): Record<string, string> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new AppError('bad_request', 'body: must be a JSON object');
  if (action === 'assign' && !Object.hasOwn(body, 'owner')) throw new AppError('bad_request', 'owner: required');
  const r = BODIES[action].safeParse(body);
  if (!r.success) throw new AppError('bad_request', r.error.issues[0]?.message ?? 'body: invalid');
  const out: Record<string, string> = {};
  if ('owner' in r.data) out.owner = r.data.owner;
  if ('resolution' in r.data && r.data.resolution !== undefined) out.resolution = r.data.resolution;
  return out;
}

// Look-up then write must not interleave for one exception, or two resolves could both pass the 409
// check. One process owns the store, so an in-process chain per exception is enough.
const KEY = Symbol.for('sync-control-tower.exception-actions');
const g = globalThis as typeof globalThis & { [KEY]?: Map<string, Promise<unknown>> };
const chains = (): Map<string, Promise<unknown>> => (g[KEY] ??= new Map());

async function serialized<T>(id: string, fn: () => Promise<T>): Promise<T> {
  const map = chains();
  const run = (map.get(id) ?? Promise.resolve()).then(fn, fn);
  const tail = run.catch(() => undefined);
  map.set(id, tail);
  try {
    return await run;
  } finally {
    if (map.get(id) === tail) map.delete(id);
  }
}

export interface ActionRequest {
  exceptionId: string;
  action: ExceptionAction;
  body: unknown;
  actor: Actor;
  /** Current state of the exception within the caller's scope; null → 404. */
  lookup: (exceptionId: string, nowMs: number) => Promise<ActionTarget | null>;
  nowMs?: number;
}

/** Records the action's event and returns it. 400 bad body, 404 unknown/out of scope, 409 already resolved. */
export async function performExceptionAction(req: ActionRequest): Promise<Record<string, unknown>> {
  const { exceptionId, action, actor } = req;
  if (actor.kind !== 'user') throw new AppError('forbidden', 'only a signed-in user may act on exceptions');
  const extra = attributesFor(action, req.body);
  return withSpan('ingest.exception_action', { 'exception.action': action }, () =>
    serialized(exceptionId, async () => {
      const now = req.nowMs ?? Date.now();
      const target = await req.lookup(exceptionId, now);
      if (!target) throw new AppError('not_found', 'exception_id: no such exception');
      if (action === 'resolve' && target.status === 'resolved') throw new AppError('conflict', 'exception: already resolved');
      const event = {
        event_id: `ct-${crypto.randomUUID()}`,
        type: EVENT_TYPE[action],
        occurred_at: new Date(now).toISOString(),
        source_system: TOWER_SOURCE,
        warehouse_id: target.warehouse_id,
        correlation_id: target.correlation_id,
        workflow: target.workflow,
        attributes: { exception_id: target.exception_id, actor: actor.email, ...extra },
      };
      // The one caller that may speak as the tower: see IngestOptions.origin.
      const result = await ingestLines([{ line: 1, raw: JSON.stringify(event), value: event }], now, { origin: 'triage' });
      if (result.accepted !== 1) {
        throw new AppError('internal', `exception action not recorded: ${result.errors[0]?.reason ?? 'unknown reason'}`);
      }
      invalidateReads(); // every read that starts after this answer sees the action
      return event;
    }),
  );
}
