import { beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/v1/kpi/flow/route';
import { GET as WAITING } from '@/app/api/v1/kpi/flow/waiting/route';
import { ingestLines } from '@/ingest/pipeline';
import { flowResponse, type FlowResponse } from '@/lib/kpi/flow';
import { flowWaitingResponse, type FlowWaitingItem } from '@/lib/queries/flow-waiting';
import { correlationDetail } from '@/lib/queries/correlation';
import { businessEvent, syncMessage } from '../helpers/fixtures';
import { ctx, get } from '../helpers/http';
import { sessionCookie, useUsers } from '../helpers/session';
import { useTestStore } from '../helpers/store';

/**
 * metrics.md §8 against an independent reference: `reference()` below re-states the definition over the
 * fixture's events in plain JS (dedup by event_id, in-scope events, earliest business event, last reached
 * stage in workflow order), and a few figures are also checked by hand.
 */
useTestStore();

const H = 3_600_000;
const D = 24 * H;
const AS_OF = Date.parse('2026-10-20T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const at = (ms: number) => ({ occurred_at: iso(ms) });

type Ev = Record<string, unknown> & { event_id: string; type: string; occurred_at: string; warehouse_id: string; correlation_id: string; workflow?: string; document_ref?: string; attributes: Record<string, unknown> };
const be = (type: string, corr: string, wh: string, ms: number, attrs: Record<string, unknown> = {}, over: Record<string, unknown> = {}) =>
  businessEvent(type, { correlation_id: corr, warehouse_id: wh, ...at(ms), ...over }, attrs) as Ev;

const fixture: Ev[] = [
  // Strict boundary: exactly 24 h at order.created is not overdue; 1 ms more is.
  be('order.created', 'SO-EDGE', 'DC-1', AS_OF - D, { amount: 100 }, { document_ref: 'PO-EDGE' }),
  be('order.created', 'SO-OVER', 'DC-1', AS_OF - D - 1, { amount: 50.25 }),
  // Out of order: the invoice came before the shipment; it waits at invoice.posted (workflow order), since the invoice.
  be('order.created', 'SO-OOO', 'DC-1', AS_OF - 20 * D),
  be('invoice.posted', 'SO-OOO', 'DC-1', AS_OF - 10 * D, { amount: 300 }),
  be('shipment.confirmed', 'SO-OOO', 'DC-1', AS_OF - 1 * D, { amount: 290 }),
  // Shipped 3 days ago, not invoiced: overdue at shipment.confirmed (48 h), amount from the shipment.
  be('order.created', 'SO-SHIP', 'DC-2', AS_OF - 5 * D),
  be('pick.confirmed', 'SO-SHIP', 'DC-2', AS_OF - 4 * D),
  be('shipment.confirmed', 'SO-SHIP', 'DC-2', AS_OF - 3 * D, { amount: 70 }, { event_id: 'ship-dup' }),
  be('shipment.confirmed', 'SO-SHIP', 'DC-2', AS_OF - 3 * D, { amount: 999 }, { event_id: 'ship-dup' }), // duplicate id: dropped
  // Final stage reached: waits nowhere. Paid after as_of: still waits at invoice.posted.
  be('order.created', 'SO-PAID', 'DC-1', AS_OF - 60 * D, { amount: 1 }),
  be('invoice.posted', 'SO-PAID', 'DC-1', AS_OF - 59 * D),
  be('payment.received', 'SO-PAID', 'DC-1', AS_OF - 2 * D),
  be('order.created', 'SO-PAYLATE', 'DC-1', AS_OF - 60 * D, { amount: 2 }),
  be('invoice.posted', 'SO-PAYLATE', 'DC-1', AS_OF - 50 * D),
  be('payment.received', 'SO-PAYLATE', 'DC-1', AS_OF + H),
  // Reached no expected stage: not counted.
  be('inventory.adjusted', 'SO-NONE', 'DC-2', AS_OF - 9 * D, { amount: 5 }),
  be('order.created', 'SO-FUTURE', 'DC-2', AS_OF + H, { amount: 5 }),
  be('shipment.confirmed', 'SHIP-ONLY', 'DC-2', AS_OF - 9 * D, { amount: 5 }, { workflow: 'shipping' }),
  // An exception and a sync message came first: the workflow is still the order's (earliest business event).
  businessEvent('exception.opened', { correlation_id: 'SO-EXC', warehouse_id: 'DC-1', workflow: 'return_to_credit', ...at(AS_OF - 10 * D) }, { exception_id: 'E-1', category: 'pricing', severity: 'high' }) as Ev,
  syncMessage({ correlation_id: 'SO-EXC', warehouse_id: 'DC-1', workflow: 'procure_to_pay', ...at(AS_OF - 9 * D), observed_at: iso(AS_OF - 9 * D + 1000) }) as Ev,
  be('order.created', 'SO-EXC', 'DC-1', AS_OF - 2 * D, { amount: 10 }),
  // Ties at the same instant: the smaller event_id gives workflow, warehouse and amount.
  be('order.created', 'TIE', 'DC-2', AS_OF - 3 * D, { amount: 5 }, { event_id: 'tie-a', document_ref: 'DOC-A' }),
  be('receipt.posted', 'TIE', 'DC-1', AS_OF - 3 * D, { amount: 7 }, { event_id: 'tie-b', workflow: 'procure_to_pay', document_ref: 'DOC-B' }),
  // The earliest event with an amount is after as_of: overdue amount 0.
  be('order.created', 'SO-NOAMT', 'DC-2', AS_OF - 2 * D),
  be('pick.confirmed', 'SO-NOAMT', 'DC-2', AS_OF + H, { amount: 999 }),
  // Other workflows.
  be('receipt.posted', 'PO-1', 'DC-2', AS_OF - 8 * D, { amount: 1000 }, { workflow: 'procure_to_pay' }),
  be('return.received', 'RMA-1', 'DC-1', AS_OF - D, { amount: 20 }, { workflow: 'return_to_credit' }),
  be('transfer.shipped', 'TR-1', 'DC-2', AS_OF - 4 * D, { amount: 40 }, { workflow: 'inventory' }),
  be('transfer.shipped', 'TR-2', 'DC-1', AS_OF - 4 * D, {}, { workflow: 'inventory' }),
  be('transfer.received', 'TR-2', 'DC-2', AS_OF - 3 * D, {}, { workflow: 'inventory' }),
  // A warehouse with nothing waiting: a zero row.
  syncMessage({ warehouse_id: 'DC-3', correlation_id: 'S-3' }) as Ev,
  // Paging: five more waiting at order.created in DC-1, two on the same instant.
  ...[5, 4, 4, 3, 2].map((d, i) => be('order.created', `PAGE-${i}`, 'DC-1', AS_OF - d * D - H, { amount: 1 + i })),
];

const STAGES: Record<string, string[]> = {
  order_to_cash: ['order.created', 'pick.confirmed', 'shipment.confirmed', 'invoice.posted', 'payment.received'],
  procure_to_pay: ['receipt.posted', 'invoice.posted', 'payment.received'],
  return_to_credit: ['return.received', 'credit.issued'],
  inventory: ['transfer.shipped', 'transfer.received'],
};
const SLA_S: Record<string, number> = {
  'order.created': 86_400, 'pick.confirmed': 86_400, 'shipment.confirmed': 172_800, 'invoice.posted': 45 * 86_400,
  'receipt.posted': 7 * 86_400, 'return.received': 7 * 86_400, 'transfer.shipped': 72 * 3600,
};

type Wait = { correlation_id: string; warehouse_id: string; workflow: string; stage: string; reached: number; wait: number; overdue: boolean; amount: number | null; document_ref: string | null };

/** metrics.md §8 in plain JS over the fixture. */
function reference(asOf: number, scope: string[] | null): Wait[] {
  const seen = new Set<string>();
  const events = fixture.filter((e) => (seen.has(e.event_id) ? false : (seen.add(e.event_id), true)));
  const byCorr = new Map<string, Ev[]>();
  for (const e of events) {
    if (scope && !scope.includes(e.warehouse_id)) continue;
    if (e.type === 'sync.message' || e.type === 'inventory.snapshot' || e.type.startsWith('exception.')) continue;
    byCorr.set(e.correlation_id, [...(byCorr.get(e.correlation_id) ?? []), e]);
  }
  const key = (e: Ev) => [Date.parse(e.occurred_at), e.event_id] as const;
  const cmp = (a: Ev, b: Ev) => key(a)[0] - key(b)[0] || (key(a)[1] < key(b)[1] ? -1 : key(a)[1] > key(b)[1] ? 1 : 0);
  const out: Wait[] = [];
  for (const [corr, evs] of byCorr) {
    evs.sort(cmp);
    const first = evs[0]!;
    const workflow = first.workflow ?? 'other';
    const stages = STAGES[workflow] ?? [];
    let waitAt: { stage: string; t: number } | null = null;
    stages.forEach((s, i) => {
      const t = evs.filter((e) => e.type === s && Date.parse(e.occurred_at) <= asOf).map((e) => Date.parse(e.occurred_at));
      if (t.length) waitAt = i === stages.length - 1 ? { stage: '', t: 0 } : { stage: s, t: Math.min(...t) };
    });
    const w = waitAt as { stage: string; t: number } | null;
    if (!w || w.stage === '') continue;
    const withAmount = evs.filter((e) => typeof e.attributes.amount === 'number' && Date.parse(e.occurred_at) <= asOf);
    const wait = (asOf - w.t) / 1000;
    out.push({
      correlation_id: corr, warehouse_id: first.warehouse_id, workflow, stage: w.stage, reached: w.t, wait,
      overdue: wait > SLA_S[w.stage]!, amount: withAmount.length ? (withAmount[0]!.attributes.amount as number) : null,
      document_ref: first.document_ref ?? null,
    });
  }
  return out;
}

function expectedFlow(asOf: number, scope: string[] | null, warehouses: string[]): FlowResponse['workflows'] {
  const waits = reference(asOf, scope);
  const cell = (ws: Wait[]) => ({
    waiting: ws.length,
    overdue: ws.filter((x) => x.overdue).length,
    oldest_wait_seconds: ws.length ? Math.max(...ws.map((x) => x.wait)) : null,
    overdue_amount: Math.round(ws.filter((x) => x.overdue).reduce((s, x) => s + (x.amount ?? 0), 0) * 100) / 100,
  });
  return Object.entries(STAGES).map(([workflow, stages]) => ({
    workflow: workflow as FlowResponse['workflows'][number]['workflow'],
    stages: stages.slice(0, -1).map((stage, i) => {
      const here = waits.filter((x) => x.workflow === workflow && x.stage === stage);
      return {
        stage, next_stage: stages[i + 1]!, slo_seconds: SLA_S[stage]!, total: cell(here),
        warehouses: warehouses.map((w) => ({ warehouse_id: w, ...cell(here.filter((x) => x.warehouse_id === w)) })),
      };
    }),
  }));
}

beforeAll(async () => {
  await ingestLines(fixture.map((value, i) => ({ line: i + 1, raw: '', value })), Date.parse('2026-10-20T00:00:00Z'));
});

const read = async (qs: string, headers?: Record<string, string>) => {
  const res = await GET(get(`/api/v1/kpi/flow${qs}`, headers), ctx());
  return { status: res.status, body: (await res.json()) as unknown };
};
const waiting = async (qs: string, headers?: Record<string, string>) => {
  const res = await WAITING(get(`/api/v1/kpi/flow/waiting${qs}`, headers), ctx());
  return { status: res.status, body: (await res.json()) as unknown };
};

describe('GET /api/v1/kpi/flow', () => {
  it('matches the reference at several as_of values', async () => {
    for (const asOf of [AS_OF, AS_OF - 2 * D, AS_OF + 2 * H, AS_OF - 3 * D]) {
      const r = await read(`?as_of=${iso(asOf)}`);
      expect(r.status).toBe(200);
      const body = flowResponse.parse(r.body);
      expect(body.as_of).toBe(iso(asOf));
      expect(body.workflows).toEqual(expectedFlow(asOf, null, ['DC-1', 'DC-2', 'DC-3']));
    }
  });

  it('hand-checked figures: boundary, out-of-order, ties, exceptions first, amounts', async () => {
    const body = flowResponse.parse((await read(`?as_of=${iso(AS_OF)}`)).body);
    const st = (w: string, s: string) => body.workflows.find((x) => x.workflow === w)!.stages.find((x) => x.stage === s)!;
    const created = st('order_to_cash', 'order.created');
    const dc1 = created.warehouses.find((w) => w.warehouse_id === 'DC-1')!;
    // DC-1 at order.created: EDGE (exactly 24 h), OVER, EXC (2 d), PAGE-0..4 → 8 waiting; all but EDGE overdue.
    expect(dc1).toMatchObject({ waiting: 8, overdue: 7, oldest_wait_seconds: 5 * 86_400 + 3600 });
    expect(dc1.overdue_amount).toBeCloseTo(50.25 + 10 + (1 + 2 + 3 + 4 + 5), 9);
    // DC-2 at order.created: TIE (3 d, amount 5 of tie-a), NOAMT (2 d, amount 0).
    expect(created.warehouses.find((w) => w.warehouse_id === 'DC-2')).toMatchObject({ waiting: 2, overdue: 2, overdue_amount: 5 });
    // Invoice before shipment: waits at invoice.posted since the invoice (10 d), with SO-PAYLATE (50 d > 45 d).
    expect(st('order_to_cash', 'invoice.posted').total).toEqual({ waiting: 2, overdue: 1, oldest_wait_seconds: 50 * 86_400, overdue_amount: 2 });
    expect(st('order_to_cash', 'shipment.confirmed').total).toEqual({ waiting: 1, overdue: 1, oldest_wait_seconds: 3 * 86_400, overdue_amount: 70 });
    expect(st('order_to_cash', 'pick.confirmed').total).toEqual({ waiting: 0, overdue: 0, oldest_wait_seconds: null, overdue_amount: 0 });
    expect(st('inventory', 'transfer.shipped').total).toEqual({ waiting: 1, overdue: 1, oldest_wait_seconds: 4 * 86_400, overdue_amount: 40 });
    expect(st('procure_to_pay', 'receipt.posted').total).toMatchObject({ waiting: 1, overdue: 1, overdue_amount: 1000 });
    expect(st('return_to_credit', 'return.received').total).toMatchObject({ waiting: 1, overdue: 0, overdue_amount: 0 });
    expect(st('order_to_cash', 'order.created').warehouses.find((w) => w.warehouse_id === 'DC-3')).toEqual({
      warehouse_id: 'DC-3', waiting: 0, overdue: 0, oldest_wait_seconds: null, overdue_amount: 0,
    });
  });

  it('one workflow; explicit warehouses; a limited user sees only theirs', async () => {
    const one = flowResponse.parse((await read(`?as_of=${iso(AS_OF)}&workflow=inventory`)).body);
    expect(one.workflows).toEqual(expectedFlow(AS_OF, null, ['DC-1', 'DC-2', 'DC-3']).filter((w) => w.workflow === 'inventory'));
    const picked = flowResponse.parse((await read(`?as_of=${iso(AS_OF)}&warehouse=DC-2&warehouse=DC-9`)).body);
    expect(picked.workflows).toEqual(expectedFlow(AS_OF, ['DC-2', 'DC-9'], ['DC-2', 'DC-9']));

    useUsers([{ email: 'ops1@t.local', role: 'support', warehouses: ['DC-1'] }]);
    const cookie = { cookie: await sessionCookie({ email: 'ops1@t.local', role: 'support', warehouses: ['DC-1'] }) };
    const mine = flowResponse.parse((await read(`?as_of=${iso(AS_OF)}`, cookie)).body);
    expect(mine.workflows).toEqual(expectedFlow(AS_OF, ['DC-1'], ['DC-1']));
    // TIE seen from DC-1 only is the receipt (its DC-2 order is out of scope).
    const p2p = mine.workflows.find((w) => w.workflow === 'procure_to_pay')!.stages[0]!;
    expect(p2p.total).toMatchObject({ waiting: 1, overdue: 0 });
    expect((await read('?warehouse=DC-2', cookie)).status).toBe(403);
  });

  it('400 on bad parameters', async () => {
    for (const qs of ['?workflow=shipping', '?workflow=nope', '?as_of=yesterday', '?workflow=inventory&workflow=order_to_cash']) {
      const r = await read(qs);
      expect(r.status, qs).toBe(400);
    }
  });
});

const page = async (qs: string, headers?: Record<string, string>): Promise<FlowWaitingItem[]> => {
  const items: FlowWaitingItem[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const r = await waiting(`${qs}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, headers);
    expect(r.status).toBe(200);
    const body = flowWaitingResponse.parse(r.body);
    expect(body.items.length).toBeLessThanOrEqual(2);
    items.push(...body.items);
    cursor = body.next_cursor;
    if (cursor === null) break;
  }
  return items;
};

const expectedItems = (workflow: string, stage: string, asOf: number, scope: string[] | null, overdueOnly: boolean) =>
  reference(asOf, scope)
    .filter((x) => x.workflow === workflow && x.stage === stage && (!overdueOnly || x.overdue))
    .sort((a, b) => a.reached - b.reached || (a.correlation_id < b.correlation_id ? -1 : 1))
    .map((x) => ({
      correlation_id: x.correlation_id, warehouse_id: x.warehouse_id, workflow, stage, reached_at: iso(x.reached), wait_seconds: x.wait,
      slo_seconds: SLA_S[stage]!, overdue: x.overdue, amount: x.amount, document_ref: x.document_ref,
    }));

describe('GET /api/v1/kpi/flow/waiting', () => {
  it('oldest first, paged by cursor, overdue filter, matching the reference', async () => {
    const all = await page(`?workflow=order_to_cash&stage=order.created&as_of=${iso(AS_OF)}`);
    expect(all).toEqual(expectedItems('order_to_cash', 'order.created', AS_OF, null, false));
    expect(all.length).toBe(10);
    expect(all.find((x) => x.correlation_id === 'SO-EDGE')).toMatchObject({ overdue: false, wait_seconds: 86_400, document_ref: 'PO-EDGE', amount: 100 });
    expect(all.find((x) => x.correlation_id === 'SO-NOAMT')).toMatchObject({ overdue: true, amount: null });
    expect(all.find((x) => x.correlation_id === 'TIE')).toMatchObject({ warehouse_id: 'DC-2', amount: 5, document_ref: 'DOC-A' });
    const over = await page(`?workflow=order_to_cash&stage=order.created&overdue=true&as_of=${iso(AS_OF)}`);
    expect(over).toEqual(expectedItems('order_to_cash', 'order.created', AS_OF, null, true));
    expect(over.map((x) => x.correlation_id)).not.toContain('SO-EDGE');
    const inv = await page(`?workflow=order_to_cash&stage=invoice.posted&as_of=${iso(AS_OF)}`);
    expect(inv.map((x) => x.correlation_id)).toEqual(['SO-PAYLATE', 'SO-OOO']);
  });

  it('a limited user lists only their transactions', async () => {
    useUsers([{ email: 'ops1@t.local', role: 'support', warehouses: ['DC-1'] }]);
    const cookie = { cookie: await sessionCookie({ email: 'ops1@t.local', role: 'support', warehouses: ['DC-1'] }) };
    const mine = await page(`?workflow=procure_to_pay&stage=receipt.posted&as_of=${iso(AS_OF)}`, cookie);
    expect(mine).toEqual(expectedItems('procure_to_pay', 'receipt.posted', AS_OF, ['DC-1'], false));
    expect(mine.map((x) => x.correlation_id)).toEqual(['TIE']);
  });

  it('400 on bad parameters', async () => {
    const ok = 'workflow=order_to_cash&stage=order.created';
    for (const qs of [
      '', '?stage=order.created', '?workflow=order_to_cash', '?workflow=shipping&stage=shipment.confirmed',
      '?workflow=order_to_cash&stage=payment.received', '?workflow=order_to_cash&stage=receipt.posted',
      `?${ok}&overdue=yes`, `?${ok}&as_of=2026-13-01`, `?${ok}&cursor=nope!`, `?${ok}&cursor=eyJ4IjoxfQ`, `?${ok}&limit=0`,
    ]) {
      const r = await waiting(qs);
      expect(r.status, qs).toBe(400);
      expect((r.body as { error: { code: string } }).error.code).toBe('bad_request');
    }
  });
});

describe('drill-down stage clocks', () => {
  it('agree with the Flow KPI on workflow, waiting stage and overdue', async () => {
    const waits = reference(AS_OF, null);
    for (const w of waits) {
      const d = await correlationDetail({ warehouses: null }, w.correlation_id, AS_OF);
      expect(d.workflow, w.correlation_id).toBe(w.workflow);
      const running = d.stage_clocks.filter((c) => c.stopped_at === null);
      expect(running.map((c) => [c.stage, c.state === 'overdue']), w.correlation_id).toEqual([[w.stage, w.overdue]]);
    }
    // A transaction that reached its final stage has no running clock.
    const paid = await correlationDetail({ warehouses: null }, 'SO-PAID', AS_OF);
    expect(paid.stage_clocks.every((c) => c.stopped_at !== null)).toBe(true);
  });

  it('in time, late by how much, waiting, overdue by how much', async () => {
    const ooo = await correlationDetail({ warehouses: null }, 'SO-OOO', AS_OF);
    // Each clock stops at the earliest LATER stage in workflow order. order.created (−20 d) is stopped by the
    // invoice (−10 d): 10 d against 24 h, late by 9 d. shipment.confirmed (−1 d) is stopped by the earlier
    // invoice too (−9 d: in time). The invoice, the last stage in workflow order, waits (10 d of 45 d).
    expect(ooo.stage_clocks).toEqual([
      { stage: 'order.created', reached_at: iso(AS_OF - 20 * D), slo_seconds: 86_400, stopped_at: iso(AS_OF - 10 * D), elapsed_seconds: 10 * 86_400, state: 'late', late_by_seconds: 9 * 86_400 },
      { stage: 'shipment.confirmed', reached_at: iso(AS_OF - D), slo_seconds: 172_800, stopped_at: iso(AS_OF - 10 * D), elapsed_seconds: -9 * 86_400, state: 'in_time', late_by_seconds: null },
      { stage: 'invoice.posted', reached_at: iso(AS_OF - 10 * D), slo_seconds: 45 * 86_400, stopped_at: null, elapsed_seconds: 10 * 86_400, state: 'waiting', late_by_seconds: null },
    ]);
    const ship = await correlationDetail({ warehouses: null }, 'SO-SHIP', AS_OF);
    expect(ship.stage_clocks.at(-1)).toMatchObject({ stage: 'shipment.confirmed', state: 'overdue', late_by_seconds: 86_400 });
    expect(ship.stage_clocks[0]).toMatchObject({ stage: 'order.created', state: 'in_time', elapsed_seconds: 86_400 });
  });
});
