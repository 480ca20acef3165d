import { beforeAll, describe, expect, it } from 'vitest';
import { GET as detailGET } from '@/app/api/v1/exceptions/[exception_id]/route';
import { GET as actionGET, POST as actionPOST } from '@/app/api/v1/exceptions/[exception_id]/[action]/route';
import { GET as listGET } from '@/app/api/v1/exceptions/route';
import { performExceptionAction, type ExceptionAction } from '@/lib/triage/actions';
import { ingestLines } from '@/ingest/pipeline';
import { AppError } from '@/lib/errors';
import { exceptionListResponse, exceptionState, type ExceptionItem } from '@/lib/queries/exceptions';
import { exceptionDetail, exceptionDetailResponse } from '@/lib/queries/exceptions-detail';
import { API, ctx, get, INGEST, post } from '../helpers/http';
import { useTestStore } from '../helpers/store';

useTestStore();

const NOW0 = Date.now();
const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const WH = ['DC-A', `DC-"Q'x"`, 'Køln-Ü-倉庫'] as const;
const SEV = ['critical', 'high', 'medium', 'low'] as const;
const CAT = ['sync_failure', 'pricing', 'tax', 'credit_hold', 'missing_document'] as const;
type Ev = { event_id: string; type: string; occurred_at: string; warehouse_id: string; attributes: Record<string, string> } & Record<string, unknown>;

let seq = 0;
const ev = (type: string, id: string, wh: string, at: number, attrs: Record<string, string> = {}, eventId = `e-${++seq}`): Ev => ({
  event_id: eventId, type, occurred_at: iso(at), source_system: 'MIDDLEWARE', warehouse_id: wh, correlation_id: `SO-${id}/ü "q"`,
  workflow: 'order_to_cash', attributes: { exception_id: id, ...attrs },
});

const batch1: Ev[] = [];
for (let i = 0; i < 90; i++) {
  const id = `E-${i}`;
  const wh = WH[i % 3]!;
  const at = NOW0 - (Math.floor(i / 3) * 7 + 1) * H; // triples share an opened_at: ties break by exception_id
  const owner: Record<string, string> = i % 4 === 1 ? { owner: 'ops@example.com' } : {};
  batch1.push(ev('exception.opened', id, wh, at, { category: CAT[i % 5]!, severity: SEV[i % 4]!, ...owner }));
  if (i % 9 === 4) {
    const early = ev('exception.opened', id, WH[(i + 1) % 3]!, at - H, { category: 'duplicate', severity: 'critical', owner: 'early@x' });
    batch1.push({ ...early, workflow: 'procure_to_pay' });
  }
  if (i % 6 === 0) batch1.push(ev('exception.assigned', id, wh, at + 40 * 60_000, { owner: 'b@x' }), ev('exception.assigned', id, wh, at + 30 * 60_000, { owner: 'a@x' }));
  if (i % 12 === 0) batch1.push(ev('exception.assigned', id, wh, NOW0 + 2 * H, { owner: 'future@x' }));
  if (i % 5 === 0) batch1.push(ev('exception.acknowledged', id, wh, at + 10 * 60_000, { actor: 'x@y' }));
  if (i % 7 === 3) batch1.push(ev('exception.acknowledged', id, wh, NOW0 + H));
  if (i % 4 === 2) batch1.push(ev('exception.resolved', id, i % 8 === 6 ? WH[(i + 2) % 3]! : wh, at + 30 * 60_000, { resolution: 'fixed' }));
}
batch1.push(ev('exception.resolved', 'E-ORPHAN', WH[0], NOW0 - H));
const batch2: Ev[] = [...batch1.slice(0, 50), { ...ev('exception.opened', 'E-0', 'DC-ELSE', NOW0 - 900 * H, { category: 'x', severity: 'low' }), event_id: batch1[0]!.event_id }];

/** api.md items in plain TS over the deduplicated fixture, at time `now` (age left to the caller). */
function model(now: number): (Omit<ExceptionItem, 'age_seconds'> & { opened: number; resolved: number | null })[] {
  const seen = new Set<string>();
  const all = [...batch1, ...batch2].filter((e) => !seen.has(e.event_id) && seen.add(e.event_id));
  const t = (e: Ev) => Date.parse(e.occurred_at);
  all.sort((a, b) => t(a) - t(b) || (a.event_id < b.event_id ? -1 : 1));
  const ids = [...new Set(all.filter((e) => e.type === 'exception.opened').map((e) => e.attributes.exception_id!))];
  return ids.map((id) => {
    const mine = all.filter((e) => e.attributes.exception_id === id);
    const o = mine.find((e) => e.type === 'exception.opened')!;
    const assigned = mine.filter((e) => e.type === 'exception.assigned' && t(e) <= now).at(-1);
    const ack = mine.filter((e) => e.type === 'exception.acknowledged' && t(e) <= now).at(-1);
    const res = mine.find((e) => e.type === 'exception.resolved');
    return {
      exception_id: id, warehouse_id: o.warehouse_id, correlation_id: o.correlation_id as string, workflow: o.workflow as ExceptionItem['workflow'],
      category: o.attributes.category!, severity: o.attributes.severity as ExceptionItem['severity'],
      status: (res ? 'resolved' : ack ? 'acknowledged' : 'open') as ExceptionItem['status'], owner: (assigned ?? o).attributes.owner ?? null,
      opened_at: o.occurred_at, acknowledged_at: ack ? ack.occurred_at : null, resolved_at: res ? res.occurred_at : null,
      opened: t(o), resolved: res ? t(res) : null,
    };
  }).sort((a, b) => b.opened - a.opened || (a.exception_id < b.exception_id ? -1 : 1));
}

beforeAll(async () => {
  const lines = (evs: Ev[]) => evs.map((value, i) => ({ line: i + 1, raw: '', value }));
  expect((await ingestLines(lines(batch1), NOW0)).rejected).toBe(0);
  expect(await ingestLines(lines(batch2), NOW0)).toMatchObject({ accepted: 0, duplicates: batch2.length });
});

async function list(qs: string, headers: Record<string, string> = API) {
  const before = Date.now();
  const res = await listGET(get(`/api/v1/exceptions?${qs}`, headers), ctx());
  return { status: res.status, body: (await res.json()) as unknown, before, after: Date.now() };
}

/** Compares items with the model; ages of open ones lie between the request's start and end. */
async function expectList(qs: string, keep: (m: ReturnType<typeof model>[number]) => boolean) {
  const r = await list(`limit=500&${qs}`);
  expect(r.status).toBe(200);
  const body = exceptionListResponse.parse(r.body);
  const want = model(r.before).filter(keep);
  expect(body.items.map(({ age_seconds: _a, ...rest }) => rest)).toEqual(want.map(({ opened: _o, resolved: _r, ...rest }) => rest));
  body.items.forEach((it, i) => {
    const m = want[i]!;
    if (m.resolved !== null) expect(it.age_seconds).toBe((m.resolved - m.opened) / 1000);
    else expect(it.age_seconds).toSatisfy((a: number) => a >= (r.before - m.opened) / 1000 - 1e-6 && a <= (r.after - m.opened) / 1000 + 1e-6);
  });
  expect(body.next_cursor).toBeNull();
  return body;
}

const age = (m: { opened: number; resolved: number | null }) => (m.resolved ?? NOW0) - m.opened;

describe('GET /api/v1/exceptions', () => {
  it('lists open and acknowledged by default, newest first, exactly the api.md item shape', async () => {
    const body = await expectList('', (m) => m.status !== 'resolved');
    expect(Object.keys(body.items[0]!).sort()).toEqual(['acknowledged_at', 'age_seconds', 'category', 'correlation_id', 'exception_id', 'opened_at',
      'owner', 'resolved_at', 'severity', 'status', 'warehouse_id', 'workflow']);
    expect(body.items.some((i) => i.status === 'acknowledged') && body.items.some((i) => i.owner === 'b@x')).toBe(true);
    expect(body.items.find((i) => i.exception_id === 'E-ORPHAN')).toBeUndefined();
  });

  it('status, severity, category, owner, age and warehouse filters', async () => {
    await expectList('status=resolved', (m) => m.status === 'resolved');
    await expectList('status=all', () => true);
    await expectList('status=all&severity=high&severity=low', (m) => m.severity === 'high' || m.severity === 'low');
    await expectList('category=pricing', (m) => m.status !== 'resolved' && m.category === 'pricing');
    await expectList('owner=b%40x&status=all', (m) => m.owner === 'b@x');
    await expectList(`warehouse=${encodeURIComponent(WH[2])}&status=all`, (m) => m.warehouse_id === WH[2]);
    for (const [name, lo, hi] of [['lt_4h', 0, 4], ['h4_24', 4, 24], ['d1_3', 24, 72], ['d3_7', 72, 168], ['gt_7d', 168, 1e9]] as const) {
      await expectList(`age=${name}&status=all`, (m) => age(m) >= lo * H && age(m) < hi * H);
    }
  });

  it('pages through a stable order with an opaque cursor', async () => {
    const seen: ExceptionItem[] = [];
    let cursor: string | null = null;
    const before = Date.now();
    do {
      const r = await list(`status=all&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      const body = exceptionListResponse.parse(r.body);
      expect(body.items.length).toBeLessThanOrEqual(7);
      seen.push(...body.items);
      cursor = body.next_cursor;
      if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    } while (cursor);
    expect(seen.map((i) => i.exception_id)).toEqual(model(before).map((m) => m.exception_id));
  });

  it('400 naming the parameter, 401 without a token, 403 for the ingest token', async () => {
    for (const [qs, field] of [['status=closed', 'status'], ['severity=urgent', 'severity'], ['age=old', 'age'], ['limit=0', 'limit'],
      ['limit=501', 'limit'], ['limit=abc', 'limit'], ['cursor=%%%', 'cursor'], [`cursor=${Buffer.from('{"a":1}').toString('base64url')}`, 'cursor']]) {
      const r = await list(qs!);
      expect(r.status).toBe(400);
      expect((r.body as { error: { message: string } }).error.message.startsWith(`${field}:`)).toBe(true);
    }
    expect((await list('', {})).status).toBe(401);
    expect((await list('', INGEST)).status).toBe(403);
  });
});

const detail = async (id: string, qs = '', headers: Record<string, string> = API) => {
  const res = await detailGET(get(`/api/v1/exceptions/${encodeURIComponent(id)}${qs}`, headers), ctx({ exception_id: id }));
  return { status: res.status, body: (await res.json()) as unknown };
};

describe('GET /api/v1/exceptions/{exception_id}', () => {
  it('the item plus every exception.* event, deduplicated and in time order', async () => {
    const id = 'E-6'; // opened, two assignments, a future assignment, resolved under another warehouse
    const r = await detail(id);
    expect(r.status).toBe(200);
    const body = exceptionDetailResponse.parse(r.body);
    const m = model(Date.now()).find((x) => x.exception_id === id)!;
    expect(body).toMatchObject({ exception_id: id, status: 'resolved', owner: 'b@x', warehouse_id: m.warehouse_id, resolved_at: m.resolved_at });
    const want = batch1.filter((e) => e.attributes.exception_id === id)
      .sort((a, b) => Date.parse(a.occurred_at) - Date.parse(b.occurred_at) || (a.event_id < b.event_id ? -1 : 1));
    expect(body.history.map((h) => h.event_id)).toEqual(want.map((e) => e.event_id));
    expect(body.history[0]).toMatchObject({ type: 'exception.opened', correlation_id: `SO-${id}/ü "q"`, source_system: 'MIDDLEWARE', target_system: null, attributes: want[0]!.attributes });
    expect(new Set(body.history.map((h) => h.warehouse_id)).size).toBe(2);
  });

  it("a source system's actor attribute is data, never a tower user: history says who by source_system", async () => {
    const body = exceptionDetailResponse.parse((await detail('E-0')).body); // acknowledged by MIDDLEWARE with actor x@y
    const ack = body.history.find((h) => h.type === 'exception.acknowledged')!;
    expect(ack).toMatchObject({ source_system: 'MIDDLEWARE', actor: null, attributes: { actor: 'x@y' } });
    expect(body.history.every((h) => h.actor === null)).toBe(true);
  });

  it('404 when unknown or outside the scope; a restricted caller sees only in-scope history', async () => {
    expect((await detail('NOPE')).status).toBe(404);
    expect((await detail('E-ORPHAN')).status).toBe(404);
    expect((await detail('E-6', `?warehouse=${encodeURIComponent(WH[1])}`)).status).toBe(404);
    await expect(exceptionDetail({ warehouses: [WH[1]] }, 'E-6', Date.now())).rejects.toMatchObject({ code: 'not_found' });
    const own = await exceptionDetail({ warehouses: [WH[0]] }, 'E-6', Date.now());
    expect(own.status).toBe('resolved');
    expect(own.history.every((h) => h.warehouse_id === WH[0])).toBe(true);
    expect((await detail('E-6', '', {})).status).toBe(401);
    expect((await detail('E-6', '', INGEST)).status).toBe(403);
  });
});

const ANA = { kind: 'user', email: 'ana@example.com', name: 'Ana', role: 'support', warehouses: '*' } as const;
const act = (id: string, action: ExceptionAction, body: unknown = {}, scope: string[] | null = null, nowMs = Date.now()) =>
  performExceptionAction({ exceptionId: id, action, body, actor: ANA, nowMs, lookup: (x, now) => exceptionState({ warehouses: scope }, x, now) });

describe('exception actions', () => {
  it('acknowledge, assign and resolve record control-tower events with the actor', async () => {
    const id = 'E-1'; // open, owner from the opened event
    const t1 = Date.now();
    const ackEv = await act(id, 'acknowledge', {}, null, t1);
    expect(ackEv).toMatchObject({ type: 'exception.acknowledged', source_system: 'control-tower', occurred_at: iso(t1), warehouse_id: WH[1], correlation_id: `SO-${id}/ü "q"`, workflow: 'order_to_cash', attributes: { exception_id: id, actor: ANA.email } });
    expect(String(ackEv.event_id)).toMatch(/^ct-[0-9a-f-]{36}$/);
    expect(await exceptionState({ warehouses: null }, id, Date.now())).toMatchObject({ status: 'acknowledged', acknowledged_at: iso(t1), owner: 'ops@example.com' });
    await act(id, 'assign', { owner: 'zoé@example.com' });
    expect(await exceptionState({ warehouses: null }, id, Date.now())).toMatchObject({ owner: 'zoé@example.com' });
    await act(id, 'resolve', { resolution: 'reprocessed' });
    const d = await exceptionDetail({ warehouses: null }, id, Date.now());
    expect(d.status).toBe('resolved');
    expect(d.history.slice(-3).map((h) => [h.type, h.source_system, h.attributes.actor])).toEqual([
      ['exception.acknowledged', 'control-tower', ANA.email], ['exception.assigned', 'control-tower', ANA.email], ['exception.resolved', 'control-tower', ANA.email]]);
    expect(d.history.at(-1)!.attributes).toEqual({ exception_id: id, actor: ANA.email, resolution: 'reprocessed' });
    expect(d.history.slice(-3).map((h) => h.actor)).toEqual([ANA.email, ANA.email, ANA.email]);
    await expect(act(id, 'resolve')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('400 for a bad body, 404 unknown or out of scope, 409 on a racing second resolve, 403 without a user', async () => {
    for (const body of [{}, { owner: '' }, { owner: 'x'.repeat(257) }, { owner: 7 }, { owner: 'a\u0007b' }]) {
      const err = await act('E-5', 'assign', body).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('bad_request');
      expect((err as AppError).message.startsWith('owner:')).toBe(true);
    }
    await expect(act('E-5', 'resolve', { resolution: 5 })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(act('E-5', 'acknowledge', [])).rejects.toMatchObject({ code: 'bad_request' });
    await expect(act('NOPE', 'acknowledge')).rejects.toMatchObject({ code: 'not_found' });
    await expect(act('E-ORPHAN', 'acknowledge')).rejects.toMatchObject({ code: 'not_found' });
    await expect(act('E-5', 'acknowledge', {}, [WH[0]])).rejects.toMatchObject({ code: 'not_found' });
    const racing = await Promise.allSettled([act('E-9', 'resolve'), act('E-9', 'resolve')]);
    expect(racing.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(racing.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'conflict' } });
    const token = performExceptionAction({ exceptionId: 'E-5', action: 'acknowledge', body: {}, actor: { kind: 'api_token' }, lookup: async () => null });
    await expect(token).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('routes: 401 without auth, 403 for API and ingest tokens, 405 for GET', async () => {
    const call = async (action: string, headers: Record<string, string>) =>
      (await actionPOST(post(`/api/v1/exceptions/E-5/${action}`, '{}', { 'content-type': 'application/json', ...headers }), ctx({ exception_id: 'E-5', action }))).status;
    for (const action of ['acknowledge', 'assign', 'resolve', 'nope']) {
      expect(await call(action, {})).toBe(401);
      expect(await call(action, API)).toBe(403);
      expect(await call(action, INGEST)).toBe(403);
    }
    const res = await actionGET(get('/api/v1/exceptions/E-5/resolve'), ctx({ exception_id: 'E-5', action: 'resolve' }));
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(await exceptionState({ warehouses: null }, 'E-5', Date.now())).toMatchObject({ status: model(Date.now()).find((m) => m.exception_id === 'E-5')!.status });
  });
});
