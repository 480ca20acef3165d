import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { SEVERITIES } from '@/lib/events';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql, type Sql, withLane } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { atMostOnce, parseLimit } from '@/lib/http/params';
import { cursorCodec } from './cursor';
import { AGE_BUCKETS, inBucket } from '@/lib/kpi/common';
import { STATE_COLUMNS, exceptionStateRow, exceptionStates, type ExceptionStateRow } from '@/lib/kpi/exceptions-state';

/** api.md `GET /api/v1/exceptions`: current state (at now) of every exception in scope, paged. */
// The state row's identity and status, with its times as API strings and seconds.
export const exceptionItem = exceptionStateRow
  .pick({ exception_id: true, warehouse_id: true, correlation_id: true, workflow: true, category: true, severity: true, status: true, owner: true })
  .extend({
    opened_at: z.string(),
    acknowledged_at: z.string().nullable(),
    resolved_at: z.string().nullable(),
    age_seconds: z.number(),
  });
export type ExceptionItem = z.infer<typeof exceptionItem>;

export const exceptionListResponse = z.object({ items: z.array(exceptionItem), next_cursor: z.string().nullable() });
export type ExceptionListResponse = z.infer<typeof exceptionListResponse>;

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export const exceptionListParams = z.object({
  now: z.number(),
  status: z.enum(['open', 'resolved', 'all']),
  severity: z.array(z.enum(SEVERITIES)),
  category: z.array(z.string()),
  owner: z.array(z.string()),
  age: z.enum(AGE_BUCKETS).optional(),
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(MAX_LIMIT),
});
export type ExceptionListParams = z.infer<typeof exceptionListParams>;

const iso = (ms: number): string => new Date(ms).toISOString();

export function toItem(r: ExceptionStateRow): ExceptionItem {
  return {
    exception_id: r.exception_id,
    warehouse_id: r.warehouse_id,
    correlation_id: r.correlation_id,
    workflow: r.workflow,
    category: r.category,
    severity: r.severity,
    status: r.status,
    owner: r.owner,
    opened_at: iso(r.opened_ms),
    acknowledged_at: r.ack_ms === null ? null : iso(r.ack_ms),
    resolved_at: r.resolved_ms === null ? null : iso(r.resolved_ms),
    age_seconds: r.age_ms / 1000,
  };
}

/** Filters from the query string, each refused with a message naming it (400). */
export function parseExceptionListQuery(search: URLSearchParams, now: number): ExceptionListParams {
  const nonEmpty = (name: string) => search.getAll(name).filter((v) => v !== '');
  const status = atMostOnce('status', nonEmpty('status')) ?? 'open';
  if (status !== 'open' && status !== 'resolved' && status !== 'all') {
    throw new AppError('bad_request', 'status: must be open, resolved or all');
  }
  const severity = nonEmpty('severity');
  for (const s of severity) {
    if (!(SEVERITIES as readonly string[]).includes(s)) throw new AppError('bad_request', `severity: must be one of ${SEVERITIES.join(', ')}`);
  }
  const age = atMostOnce('age', nonEmpty('age'));
  if (age !== undefined && !(AGE_BUCKETS as readonly string[]).includes(age)) {
    throw new AppError('bad_request', `age: must be one of ${AGE_BUCKETS.join(', ')}`);
  }
  const limit = parseLimit(atMostOnce('limit', nonEmpty('limit')), { fallback: DEFAULT_LIMIT, max: MAX_LIMIT });
  return exceptionListParams.parse({
    now,
    status,
    severity,
    category: nonEmpty('category'),
    owner: nonEmpty('owner'),
    age,
    cursor: atMostOnce('cursor', nonEmpty('cursor')),
    limit,
  });
}

/** The cursor is the last item's place in the stable order (opened_at desc, exception_id asc). */
const pageCursor = cursorCodec(z.tuple([z.number().int(), z.string()]));

function listFilters(params: ExceptionListParams): Sql[] {
  const where: Sql[] = [];
  if (params.status === 'open') where.push(sql`status != 'resolved'`);
  if (params.status === 'resolved') where.push(sql`status = 'resolved'`);
  if (params.severity.length > 0) where.push(sql`severity IN ${p.strs(params.severity)}`);
  if (params.category.length > 0) where.push(sql`category IN ${p.strs(params.category)}`);
  if (params.owner.length > 0) where.push(sql`owner IN ${p.strs(params.owner)}`);
  if (params.age !== undefined) where.push(inBucket(sql`age_ms`, params.age));
  if (params.cursor !== undefined) {
    const [ms, id] = pageCursor.decode(params.cursor);
    where.push(sql`(opened_ms < ${p.i64(ms)} OR (opened_ms = ${p.i64(ms)} AND exception_id > ${p.str(id)}))`);
  }
  return where;
}

export async function listExceptions(scope: QueryScope, params: ExceptionListParams): Promise<ExceptionListResponse> {
  const parsed = exceptionListParams.parse(params);
  return withLane('bulk', () => withSpan('kpi.exceptions.list', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    const filters = listFilters(parsed);
    const where = filters.reduce<Sql>((acc, f) => sql`${acc} AND ${f}`, sql`1`);
    // One extra row tells whether another page exists without a count query.
    const rows = await query(
      sql`SELECT ${STATE_COLUMNS} FROM (${exceptionStates(scope, parsed.now)})
          WHERE ${where}
          ORDER BY opened_ms DESC, exception_id ASC
          LIMIT ${p.u32(parsed.limit + 1)}`,
      exceptionStateRow,
      { name: 'kpi.exceptions.list' },
    );
    const page = rows.slice(0, parsed.limit);
    const last = page[page.length - 1];
    const next = rows.length > parsed.limit && last ? pageCursor.encode([last.opened_ms, last.exception_id]) : null;
    return { items: page.map(toItem), next_cursor: next };
  }));
}

/** The current state of one exception, or null when it is unknown or outside the caller's scope. */
export async function exceptionState(scope: QueryScope, exceptionId: string, now: number): Promise<ExceptionItem | null> {
  if (exceptionId === '') return null;
  const rows = await query(
    sql`SELECT ${STATE_COLUMNS} FROM (${exceptionStates(scope, now, exceptionId)})`,
    exceptionStateRow,
    { name: 'kpi.exceptions.state' },
  );
  const r = rows[0];
  return r ? toItem(r) : null;
}
