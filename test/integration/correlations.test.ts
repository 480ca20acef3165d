import { beforeAll, describe, expect, it } from 'vitest';
import { GET as byPath } from '@/app/api/v1/correlations/[id]/route';
import { GET as byQuery } from '@/app/api/v1/correlations/route';
import { GET as searchGet } from '@/app/api/v1/search/route';
import { ingestLines } from '@/ingest/pipeline';
import { isAppError } from '@/lib/errors';
import { correlationDetail, correlationResponse } from '@/lib/queries/correlation';
import { search, searchResponse } from '@/lib/queries/search';
import { ctx, get, INGEST } from '../helpers/http';
import { useTestStore } from '../helpers/store';

useTestStore();

type Ev = Record<string, unknown> & { event_id: string; type: string; occurred_at: string; warehouse_id: string; correlation_id: string };
const T = Date.parse('2026-10-14T08:00:00Z');
const at = (h: number) => new Date(T + h * 3_600_000).toISOString();
const ev = (id: string, type: string, corr: string, wh: string, h: number, over: Record<string, unknown> = {}, attributes: Record<string, unknown> = {}): Ev => ({
  event_id: id, type, occurred_at: at(h), source_system: 'ERP', warehouse_id: wh, correlation_id: corr, workflow: 'order_to_cash', ...over, attributes,
});
const opened = (id: string, corr: string, wh: string, h: number, exc: string, category: string, severity: string, owner?: string) =>
  ev(id, 'exception.opened', corr, wh, h, {}, { exception_id: exc, category, severity, ...(owner ? { owner } : {}) });

const HOSTILE = ['a/b', 'x%2Fy', 'x/y', '100%', '%25', '%', 'with space', `quote"d'single`, 'emoji📦🚚', "'; DROP TABLE events; --", '.', '..', 'back\\slash', 'ünïcødé 東京'];

// ORD-1 spans DC-A and DC-B; its shipment (a later stage) arrives in the first batch, before the order.
const batch1: Ev[] = [
  ev('e3', 'shipment.confirmed', 'ORD-1', 'DC-B', 3, { source_system: 'WMS', document_ref: 'SO-1001' }, { amount: 120.5 }),
  opened('x4', 'ORD-1', 'DC-B', 3.08, 'EXC-2', 'pricing', 'low', 'carol'),
  ev('x5', 'exception.resolved', 'ORD-1', 'DC-B', 4, {}, { exception_id: 'EXC-2', resolution: 'fixed' }),
];
const batch2: Ev[] = [
  ev('e1', 'order.created', 'ORD-1', 'DC-A', 0, { occurred_at: '2026-10-14T10:00:00+02:00', source_system: 'ECOM', document_ref: 'SO-1001' }),
  ev('e2', 'pick.confirmed', 'ORD-1', 'DC-A', 1, { source_system: 'WMS' }, { sku: 'SKU-1', quantity: 2 }),
  ev('e4', 'sync.message', 'ORD-1', 'DC-A', 1.5, { source_system: 'WMS', target_system: 'ERP', observed_at: at(1.51) }, { status: 'delivered' }),
  opened('x1', 'ORD-1', 'DC-A', 2, 'EXC-1', 'sync_failure', 'high', 'alice'),
  ev('x2', 'exception.assigned', 'ORD-1', 'DC-A', 2.1, {}, { exception_id: 'EXC-1', owner: 'bob' }),
  ev('x3', 'exception.acknowledged', 'ORD-1', 'DC-A', 2.2, {}, { exception_id: 'EXC-1' }),
  // Same id as e3, different content: a duplicate, the first stored copy wins.
  ev('e3', 'shipment.confirmed', 'ORD-1', 'DC-A', 9),
  ev('o1', 'order.created', 'ORD-2', 'DC-B', 24, { document_ref: 'SO-1001' }),
  opened('x10', 'ORD-2', 'DC-B', 25, 'EXC-10', 'tax', 'medium'),
  ev('p1', 'receipt.posted', 'PO-7', 'DC-A', 0, { workflow: 'procure_to_pay' }),
  ev('p2', 'invoice.posted', 'PO-7', 'DC-A', 24, { workflow: 'procure_to_pay' }),
  ev('p3', 'payment.received', 'PO-7', 'DC-A', 48, { workflow: 'procure_to_pay' }),
  ev('r1', 'return.received', 'RMA-3', 'DC-A', 0, { workflow: 'return_to_credit' }),
  ev('r2', 'credit.issued', 'RMA-3', 'DC-A', 5, { workflow: 'other' }),
  ev('t1', 'transfer.shipped', 'TR-1', 'DC-A', 0, { workflow: 'inventory' }),
  ev('t2', 'transfer.received', 'TR-1', 'DC-B', 30, { workflow: 'inventory' }),
  ev('i1', 'inventory.adjusted', 'ADJ-1', 'DC-A', 0, { workflow: 'inventory' }),
  ev('q1', 'order.created', 'OTHER-1', 'DC-A', 0, { workflow: 'other' }),
  ev('s1', 'order.created', 'ORD-SKIP', 'DC-A', 0),
  ev('s2', 'shipment.confirmed', 'ORD-SKIP', 'DC-A', 2),
  ev('s3', 'invoice.posted', 'ORD-SKIP', 'DC-A', 5),
  // The exception and the sync message come first, with other workflows: the order still sets the workflow.
  ev('w1', 'exception.opened', 'EXC-FIRST', 'DC-A', 0, { workflow: 'return_to_credit' }, { exception_id: 'EXC-F', category: 'tax', severity: 'low' }),
  ev('w2', 'sync.message', 'EXC-FIRST', 'DC-A', 0.5, { workflow: 'procure_to_pay', target_system: 'WMS', observed_at: at(0.6) }, { status: 'failed' }),
  ev('w3', 'order.created', 'EXC-FIRST', 'DC-A', 1),
  ev('w4', 'pick.confirmed', 'EXC-FIRST', 'DC-A', 3, { workflow: 'other' }),
  // Only telemetry and an exception: not a transaction, so no stage is expected.
  ev('n1', 'sync.message', 'NO-BIZ', 'DC-A', 0, { target_system: 'WMS', observed_at: at(0.1) }, { status: 'delivered' }),
  opened('n2', 'NO-BIZ', 'DC-A', 1, 'EXC-NB', 'tax', 'low'),
  ev('m1', 'order.created', 'MIX-1', 'DC-A', 0, { document_ref: 'MIX-1' }),
  opened('m2', 'MIX-1', 'DC-A', 1, 'MIX-1-a', 'tax', 'critical'),
  ...HOSTILE.map((id, i) => ev(`h${i}`, 'order.created', id, 'DC-A', i, { document_ref: id })),
  ...Array.from({ length: 25 }, (_, i) => opened(`b${i}`, `BULK-C${i}`, i % 2 ? 'DC-A' : 'DC-B', i, `BULK-${String(i).padStart(2, '0')}`, 'dup', 'low')),
];
const batch3: Ev[] = [batch2[0]!, batch2[1]!];
const BATCHES: [Ev[], number][] = [[batch1, Date.parse('2026-11-01T00:00:00Z')], [batch2, Date.parse('2026-11-01T00:01:00Z')], [batch3, Date.parse('2026-11-01T00:02:00Z')]];

// ---- expectations, computed from the fixture only ----
const stored = new Map<string, { e: Ev; ingested: number }>();
for (const [b, now] of BATCHES) for (const e of b) if (!stored.has(e.event_id)) stored.set(e.event_id, { e, ingested: now });
const ms = (s: string) => Date.parse(s);
const isoOf = (s: string) => new Date(ms(s)).toISOString();
const BUSINESS = new Set(['order.created', 'pick.confirmed', 'shipment.confirmed', 'invoice.posted', 'payment.received', 'return.received', 'credit.issued', 'receipt.posted', 'transfer.shipped', 'transfer.received', 'inventory.adjusted']);
const visible = (wh: string[] | null) => [...stored.values()].filter((s) => wh === null || wh.includes(s.e.warehouse_id));
const sorted = <X extends { e: Ev }>(xs: X[]) => [...xs].sort((a, b) => ms(a.e.occurred_at) - ms(b.e.occurred_at) || (a.e.event_id < b.e.event_id ? -1 : 1));

function expectedEvents(id: string, wh: string[] | null) {
  return sorted(visible(wh).filter((s) => s.e.correlation_id === id)).map(({ e, ingested }) => ({
    event_id: e.event_id, type: e.type, occurred_at: isoOf(e.occurred_at),
    observed_at: isoOf((e.observed_at as string | undefined) ?? new Date(ingested).toISOString()),
    source_system: e.source_system, target_system: (e.target_system as string | undefined) ?? null, warehouse_id: e.warehouse_id,
    correlation_id: e.correlation_id, workflow: e.workflow, document_ref: (e.document_ref as string | undefined) ?? null,
    attributes: BUSINESS.has(e.type) ? { currency: 'USD', ...(e.attributes as object) } : e.attributes,
    ingested_at: new Date(ingested).toISOString(),
  }));
}

async function call(path: string, params?: { id: string }, headers?: Record<string, string>) {
  const res = params ? await byPath(get(path, headers), ctx(params)) : await byQuery(get(path, headers), ctx());
  return { status: res.status, body: (await res.json()) as unknown };
}
const viaPath = (id: string, qs = '', h?: Record<string, string>) => {
  const seg = encodeURIComponent(id);
  // Next decodes a dynamic segment exactly once before handing it over.
  return call(`/api/v1/correlations/${seg}${qs}`, { id: decodeURIComponent(seg) }, h);
};
const viaQuery = (id: string, qs = '', h?: Record<string, string>) => call(`/api/v1/correlations?id=${encodeURIComponent(id)}${qs}`, undefined, h);
const notFound = (p: Promise<unknown>) => expect(p.then(() => 'resolved', (e: unknown) => (isAppError(e) ? e.code : e))).resolves.toBe('not_found');

beforeAll(async () => {
  for (const [b, now] of BATCHES) await ingestLines(b.map((value, i) => ({ line: i + 1, raw: JSON.stringify(value), value })), now);
});

describe('GET /api/v1/correlations', () => {
  it('shows every event once, in order, with every envelope field; stages with gaps; exceptions with state', async () => {
    for (const r of [await viaPath('ORD-1'), await viaQuery('ORD-1')]) {
      expect(r.status).toBe(200);
      const body = correlationResponse.parse(r.body);
      expect(body.events).toEqual(expectedEvents('ORD-1', null));
      expect(body.events.find((e) => e.event_id === 'e3')?.warehouse_id).toBe('DC-B');
      expect(body.stages).toEqual([
        { stage: 'order.created', at: at(0), event_id: 'e1', since_previous_seconds: null },
        { stage: 'pick.confirmed', at: at(1), event_id: 'e2', since_previous_seconds: 3600 },
        { stage: 'shipment.confirmed', at: at(3), event_id: 'e3', since_previous_seconds: 7200 },
      ]);
      expect(body.missing_stages).toEqual(['invoice.posted', 'payment.received']);
      expect(body.exceptions).toEqual([
        { exception_id: 'EXC-1', category: 'sync_failure', severity: 'high', status: 'acknowledged', opened_at: at(2), resolved_at: null, owner: 'bob' },
        { exception_id: 'EXC-2', category: 'pricing', severity: 'low', status: 'resolved', opened_at: at(3.08), resolved_at: at(4), owner: 'carol' },
      ]);
    }
  });

  it('a caller scoped to one warehouse sees only its events; to neither, 404', async () => {
    const a = correlationResponse.parse(await correlationDetail({ warehouses: ['DC-A'] }, 'ORD-1'));
    expect(a.events).toEqual(expectedEvents('ORD-1', ['DC-A']));
    expect(a.stages.map((s) => s.stage)).toEqual(['order.created', 'pick.confirmed']);
    expect(a.missing_stages).toEqual(['shipment.confirmed', 'invoice.posted', 'payment.received']);
    expect(a.exceptions.map((x) => x.exception_id)).toEqual(['EXC-1']);
    const b = correlationResponse.parse(await correlationDetail({ warehouses: ['DC-B'] }, 'ORD-1'));
    expect(b.events).toEqual(expectedEvents('ORD-1', ['DC-B']));
    expect(b.stages).toEqual([{ stage: 'shipment.confirmed', at: at(3), event_id: 'e3', since_previous_seconds: null }]);
    expect(b.exceptions.map((x) => x.exception_id)).toEqual(['EXC-2']);
    await notFound(correlationDetail({ warehouses: ['DC-Z'] }, 'ORD-1'));
    await notFound(correlationDetail({ warehouses: [] }, 'ORD-1'));
    // The same narrowing through the route's warehouse filter.
    const r = await viaPath('ORD-1', '?warehouse=DC-B');
    expect(correlationResponse.parse(r.body).events).toEqual(expectedEvents('ORD-1', ['DC-B']));
    expect((await viaQuery('PO-7', '&warehouse=DC-B')).status).toBe(404);
  });

  it('expected stages follow the workflow of the earliest business event', async () => {
    const cases: [string, [string, number | null][], string[]][] = [
      ['PO-7', [['receipt.posted', null], ['invoice.posted', 86400], ['payment.received', 86400]], []],
      ['RMA-3', [['return.received', null], ['credit.issued', 18000]], []],
      ['TR-1', [['transfer.shipped', null], ['transfer.received', 108000]], []],
      ['ADJ-1', [], []],
      ['OTHER-1', [], []],
      ['ORD-SKIP', [['order.created', null], ['shipment.confirmed', 7200], ['invoice.posted', 10800]], ['pick.confirmed', 'payment.received']],
      ['EXC-FIRST', [['order.created', null], ['pick.confirmed', 7200]], ['shipment.confirmed', 'invoice.posted', 'payment.received']],
      ['NO-BIZ', [], []],
    ];
    for (const [id, stages, missing] of cases) {
      const body = correlationResponse.parse((await viaQuery(id)).body);
      expect(body.stages.map((s) => [s.stage, s.since_previous_seconds])).toEqual(stages);
      expect(body.missing_stages).toEqual(missing);
      expect(body.events).toEqual(expectedEvents(id, null));
    }
    const workflowOf = async (id: string) => correlationResponse.parse((await viaQuery(id)).body).workflow;
    expect(await workflowOf('EXC-FIRST')).toBe('order_to_cash');
    expect(await workflowOf('RMA-3')).toBe('return_to_credit');
    expect(await workflowOf('NO-BIZ')).toBeNull();
    const tr = correlationResponse.parse(await correlationDetail({ warehouses: ['DC-B'] }, 'TR-1'));
    expect(tr.stages.map((s) => [s.stage, s.since_previous_seconds])).toEqual([['transfer.received', null]]);
    expect(tr.missing_stages).toEqual(['transfer.shipped']);
  });

  it('hostile ids round-trip exactly through both routes', async () => {
    for (const id of HOSTILE) {
      const routes = id === '.' || id === '..' ? [viaQuery] : [viaPath, viaQuery];
      for (const via of routes) {
        const r = await via(id);
        expect(r.status, `${via.name} ${id}`).toBe(200);
        const body = correlationResponse.parse(r.body);
        expect(body.correlation_id).toBe(id);
        expect(body.events).toEqual(expectedEvents(id, null));
      }
    }
    const dots = await call('/api/v1/correlations?id=..');
    expect(correlationResponse.parse(dots.body).events.map((e) => e.event_id)).toEqual([`h${HOSTILE.indexOf('..')}`]);
    expect(correlationResponse.parse((await call('/api/v1/correlations?id=.')).body).correlation_id).toBe('.');
  });

  it('404 for unknown ids, 400 for malformed ones, 401/403 for the wrong caller', async () => {
    expect((await viaPath('NOPE')).status).toBe(404);
    expect((await viaQuery('ORD-1 ')).status).toBe(404);
    expect((await call('/api/v1/correlations')).status).toBe(400);
    expect((await call('/api/v1/correlations?id=')).status).toBe(400);
    expect((await call('/api/v1/correlations?id=a&id=b')).status).toBe(400);
    expect((await viaQuery('x'.repeat(257))).status).toBe(400);
    expect((await viaQuery('📦'.repeat(256))).status).toBe(404);
    expect((await viaPath('a\u0001b')).status).toBe(400);
    expect((await viaPath('ORD-1', '', {})).status).toBe(401);
    expect((await viaQuery('ORD-1', '', {})).status).toBe(401);
    expect((await viaPath('ORD-1', '', INGEST)).status).toBe(403);
    expect((await viaQuery('ORD-1', '', INGEST)).status).toBe(403);
  });
});

// ---- search ----
type Hit = { kind: string; value: string; correlation_id: string; warehouse_id: string; type: string; occurred_at: string };
const hit = (kind: string, value: string, e: Ev): Hit => ({ kind, value, correlation_id: e.correlation_id, warehouse_id: e.warehouse_id, type: e.type, occurred_at: isoOf(e.occurred_at) });

function expectedSearch(q: string, wh: string[] | null): Hit[] {
  const all = sorted([...stored.values()]).map((s) => s.e);
  const inScope = (e: Ev) => wh === null || wh.includes(e.warehouse_id);
  const corr = all.filter((e) => e.correlation_id === q && inScope(e)).slice(0, 1).map((e) => hit('correlation', q, e));
  const firstPer = new Map<string, Ev>();
  for (const e of all) if (e.document_ref === q && inScope(e) && !firstPer.has(e.correlation_id)) firstPer.set(e.correlation_id, e);
  const docs = [...firstPer.values()].sort((a, b) => ms(b.occurred_at) - ms(a.occurred_at) || (a.correlation_id < b.correlation_id ? -1 : 1));
  const exc = new Map<string, Ev>();
  for (const e of all) {
    const id = (e.attributes as { exception_id?: string }).exception_id;
    if (e.type === 'exception.opened' && id?.startsWith(q) && !exc.has(id)) exc.set(id, e);
  }
  const excs = [...exc.entries()].filter(([, e]) => inScope(e)).sort(([a], [b]) => (a < b ? -1 : 1)).slice(0, 20);
  return [...corr, ...docs.slice(0, 20).map((e) => hit('document_ref', q, e)), ...excs.map(([id, e]) => hit('exception', id, e))].slice(0, 20);
}

const searchCall = async (qs: string, headers?: Record<string, string>) => {
  const res = await searchGet(get(`/api/v1/search?${qs}`, headers), ctx());
  return { status: res.status, body: (await res.json()) as unknown };
};

describe('GET /api/v1/search', () => {
  it('matches correlation ids and document refs exactly and exception ids by prefix, in scope, at most 20', async () => {
    for (const q of ['ORD-1', 'SO-1001', 'EXC-1', 'EXC-', 'MIX-1', 'BULK-', 'BULK-1', "'; DROP TABLE events; --", '%', 'x%2Fy', 'nothing', 'ORD']) {
      const r = await searchCall(`q=${encodeURIComponent(q)}`);
      expect(r.status).toBe(200);
      const body = searchResponse.parse(r.body);
      expect(body.q).toBe(q);
      expect(body.results, q).toEqual(expectedSearch(q, null));
      for (const wh of [['DC-A'], ['DC-B'], ['DC-Z']]) {
        expect(searchResponse.parse(await search({ warehouses: wh }, q)).results, `${q} ${wh[0]}`).toEqual(expectedSearch(q, wh));
      }
    }
    expect(searchResponse.parse((await searchCall('q=BULK-')).body).results).toHaveLength(20);
    expect(searchResponse.parse((await searchCall('q=MIX-1')).body).results.map((h) => h.kind)).toEqual(['correlation', 'document_ref', 'exception']);
  });

  it('400 without a usable q, 401 without a token, 403 for the ingest token', async () => {
    expect((await searchCall('')).status).toBe(400);
    expect((await searchCall('q=')).status).toBe(400);
    expect((await searchCall('q=a&q=b')).status).toBe(400);
    expect((await searchCall(`q=${'x'.repeat(257)}`)).status).toBe(400);
    expect((await searchCall(`q=${encodeURIComponent('📦'.repeat(256))}`)).status).toBe(200);
    expect((await searchCall('q=ORD-1', {})).status).toBe(401);
    expect((await searchCall('q=ORD-1', INGEST)).status).toBe(403);
  });
});
