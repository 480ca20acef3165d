import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/v1/kpi/close-readiness/route';
import { ingestLines } from '@/ingest/pipeline';
import { closeReadinessResponse } from '@/lib/kpi/close-readiness';
import { businessEvent, exampleEvents } from '../helpers/fixtures';
import { ctx, get, INGEST } from '../helpers/http';
import { useTestStore } from '../helpers/store';

useTestStore();

const H = 3_600_000;
const t = (s: string) => Date.parse(s);
const iso = (ms: number) => new Date(ms).toISOString();
const [A, B, C, D, E, F, G] = [`DC-"Q'uoted"`, 'Lager-Köln-Ü', 'WH\\back/slash %', 'Dépôt Nord', 'Entrepôt "E"', 'F-ready', 'G-late'] as const;
const AS_OF = t('2026-10-01T05:00:00Z');

type Ev = Record<string, unknown>;
let n = 0;
const id = (p: string) => `${p}-${++n}`;
const ship = (wh: string, corr: string, at: string, amount?: number): Ev =>
  businessEvent('shipment.confirmed', { event_id: id('ship'), warehouse_id: wh, correlation_id: corr, occurred_at: at, source_system: 'WMS' }, amount === undefined ? {} : { amount });
const invoice = (wh: string, corr: string, at: string): Ev =>
  businessEvent('invoice.posted', { event_id: id('inv'), warehouse_id: wh, correlation_id: corr, occurred_at: at }, { amount: 1 });
const opened = (wh: string, exc: string, at: string, severity: string, workflow: string, eventId = id('open')): Ev => ({
  event_id: eventId, type: 'exception.opened', occurred_at: at, source_system: 'MIDDLEWARE', warehouse_id: wh, correlation_id: `C-${exc}`,
  workflow, attributes: { exception_id: exc, category: 'invoice_mismatch', severity },
});
const resolved = (wh: string, exc: string, at: string): Ev => ({
  event_id: id('res'), type: 'exception.resolved', occurred_at: at, source_system: 'SERVICEDESK', warehouse_id: wh, correlation_id: `C-${exc}`,
  attributes: { exception_id: exc, resolution: 'fixed' },
});
const snap = (wh: string, sys: string, sku: string, at: string, quantity: number, unit_cost?: number): Ev => ({
  event_id: id('snap'), type: 'inventory.snapshot', occurred_at: at, source_system: sys, warehouse_id: wh, correlation_id: `INV-${sku}`,
  workflow: 'inventory', attributes: { sku, quantity, ...(unit_cost === undefined ? {} : { unit_cost }) },
});

/** A deterministic fixture; every expectation below is computed from it by plain TS, not by the code. */
const batch1: Ev[] = [
  ...exampleEvents(),
  // A: a critical finance exception open → blocked. Another one resolved by an event filed under B.
  opened(A, 'EXC-A1', '2026-09-20T10:00:00Z', 'critical', 'order_to_cash', 'open-A1'),
  opened(A, 'EXC-A2', '2026-09-21T10:00:00Z', 'critical', 'procure_to_pay'),
  resolved(B, 'EXC-A2', '2026-09-22T10:00:00Z'),
  // B: a period shipment unposted for > 48 h → blocked; one exactly 48 h old is not late yet.
  ship(B, 'SO-B1', '2026-09-25T00:00:00Z', 1249.5),
  ship(B, 'SO-B2', '2026-09-29T05:00:00Z', 10),
  // C: young unposted shipments (0.1 + 0.2, a null amount, one invoiced only after as_of) → at_risk.
  ship(C, 'SO "C1" ü/%', '2026-09-30T20:00:00Z', 0.1),
  ship(C, 'SO-C2', '2026-09-30T21:00:00Z', 0.2),
  ship(C, 'SO-C3', '2026-09-30T22:00:00Z'),
  ship(C, 'SO-C4', '2026-09-30T23:00:00Z', 5),
  invoice(A, 'SO-C4', '2026-10-02T00:00:00Z'),
  // D: non-critical finance exceptions opened before the period → at_risk.
  opened(D, 'EXC-D1', '2026-08-15T00:00:00Z', 'high', 'procure_to_pay'),
  opened(D, 'EXC-D2', '2026-09-02T00:00:00Z', 'low', 'return_to_credit'),
  // E: inventory drift only → at_risk.
  snap(E, 'ERP', 'SKU-1', '2026-09-30T00:00:00Z', 100, 2.5),
  snap(E, 'WMS', 'SKU-1', '2026-09-30T01:00:00Z', 96),
  // F: nothing that counts → ready.
  ship(F, 'SO-F1', '2026-09-10T00:00:00Z', 50), invoice(B, 'SO-F1', '2026-09-11T00:00:00Z'),
  ship(F, 'SO-F2', '2026-08-31T23:59:59.999Z', 70), // previous period
  ship(F, 'SO-F3', '2026-10-01T01:00:00Z', 80), // next period
  ship(B, 'SO-F4', '2026-08-20T00:00:00Z', 1), ship(F, 'SO-F4', '2026-09-20T00:00:00Z', 2), // earliest shipment is August's
  opened(F, 'EXC-F1', '2026-09-05T00:00:00Z', 'critical', 'inventory'), // not a finance workflow
  opened(F, 'EXC-F2', '2026-10-01T00:00:00Z', 'critical', 'order_to_cash'), // opened after the period
  opened(F, 'EXC-F3', '2026-09-06T00:00:00Z', 'critical', 'order_to_cash'), resolved(F, 'EXC-F3', '2026-09-07T00:00:00Z'),
  opened(F, 'EXC-F4', '2026-09-08T00:00:00Z', 'critical', 'other'), opened(A, 'EXC-F4', '2026-09-09T00:00:00Z', 'critical', 'order_to_cash'), // earliest opening decides
  snap(F, 'ERP', 'SKU-1', '2026-09-30T00:00:00Z', 10, 1), snap(F, 'WMS', 'SKU-1', '2026-09-30T00:00:00Z', 10),
  snap(F, 'ERP', 'SKU-2', '2026-10-01T06:00:00Z', 10, 1), snap(F, 'WMS', 'SKU-2', '2026-09-30T00:00:00Z', 3), // ERP after as_of
  // G: resolved only after as_of, so still open at as_of → at_risk; opened after as_of → ignored.
  opened(G, 'EXC-G1', '2026-09-15T00:00:00Z', 'medium', 'order_to_cash'), resolved(G, 'EXC-G1', '2026-10-01T06:00:00Z'),
  opened(G, 'EXC-G2', '2026-10-01T06:00:00Z', 'critical', 'order_to_cash'),
];
// Re-sent ids with other content in a later batch: the first stored copy wins (A1 would stop being critical).
const batch2: Ev[] = [
  { ...opened(A, 'EXC-A1', '2026-09-20T10:00:00Z', 'low', 'order_to_cash'), event_id: 'open-A1' },
  ...batch1.filter((e) => e.type === 'shipment.confirmed').map((e) => ({ ...e, occurred_at: '2026-09-01T00:00:00Z', warehouse_id: F })),
];

type Row = { id: string; type: string; t: number; wh: string; corr: string; wf: string; a: Record<string, unknown>; sys: string };
const stored: Row[] = [];
{
  const seen = new Set<string>();
  for (const e of [...batch1, ...batch2]) {
    if (seen.has(e.event_id as string)) continue;
    seen.add(e.event_id as string);
    stored.push({ id: e.event_id as string, type: e.type as string, t: Date.parse(e.occurred_at as string), wh: e.warehouse_id as string,
      corr: e.correlation_id as string, wf: (e.workflow as string | undefined) ?? 'other', a: (e.attributes ?? {}) as Record<string, unknown>, sys: e.source_system as string });
  }
}
const ALL_WH = [...new Set(stored.map((r) => r.wh))].sort();
const key = (a: Row, b: Row) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const micros = (v: unknown) => BigInt(Math.round(((v as number | undefined) ?? 0) * 1e6));
const SEV = ['critical', 'high', 'medium', 'low'] as const;
type Status = 'ready' | 'at_risk' | 'blocked';

function expected(period: string, asOf: number, slo = 48 * 3600) {
  const start = Date.parse(`${period}-01T00:00:00Z`);
  const end = new Date(start).setUTCMonth(new Date(start).getUTCMonth() + 1);
  const perWh = new Map(ALL_WH.map((w) => [w, { count: 0, amount: 0n, late: 0, open: { critical: 0, high: 0, medium: 0, low: 0 }, drift: 0n }]));
  for (const c of new Set(stored.map((r) => r.corr))) {
    const first = stored.filter((r) => r.corr === c && r.type === 'shipment.confirmed').sort(key)[0];
    if (!first || first.t < start || first.t >= end || first.t > asOf) continue;
    if (stored.some((r) => r.corr === c && r.type === 'invoice.posted' && r.t <= asOf)) continue;
    const f = perWh.get(first.wh)!;
    f.count++;
    f.amount += micros(first.a.amount);
    if (asOf - first.t > slo * 1000) f.late++;
  }
  for (const x of new Set(stored.filter((r) => r.type === 'exception.opened').map((r) => r.a.exception_id as string))) {
    const first = stored.filter((r) => r.type === 'exception.opened' && r.a.exception_id === x).sort(key)[0]!;
    if (first.t > asOf || first.t >= end || !['order_to_cash', 'procure_to_pay', 'return_to_credit'].includes(first.wf)) continue;
    if (stored.some((r) => r.type === 'exception.resolved' && r.a.exception_id === x && r.t <= asOf)) continue;
    perWh.get(first.wh)!.open[first.a.severity as (typeof SEV)[number]]++;
  }
  const snaps = stored.filter((r) => r.type === 'inventory.snapshot' && r.t <= asOf);
  for (const k of new Set(snaps.map((r) => `${r.wh}\u0000${r.a.sku as string}`))) {
    const latest = (sys: string) => snaps.filter((r) => `${r.wh}\u0000${r.a.sku as string}` === k && r.sys === sys).sort(key).at(-1);
    const erp = latest('ERP');
    const wms = latest('WMS');
    if (!erp || !wms) continue;
    const d = micros(wms.a.quantity) - micros(erp.a.quantity);
    const cost = erp.a.unit_cost !== undefined ? micros(erp.a.unit_cost) : micros(wms.a.unit_cost);
    perWh.get(erp.wh)!.drift += (d < 0n ? -d : d) * cost;
  }
  const cents = (v: bigint, scale: bigint) => Number((v + scale / 2n) / scale) / 100;
  const rows = ALL_WH.map((w) => {
    const f = perWh.get(w)!;
    const drift_value = cents(f.drift, 10_000_000_000n);
    const openAll = SEV.reduce((s, k) => s + f.open[k], 0);
    const status: Status = f.open.critical > 0 || f.late > 0 ? 'blocked' : f.count > 0 || openAll > 0 || drift_value !== 0 ? 'at_risk' : 'ready';
    return { warehouse_id: w, status, unposted_count: f.count, unposted_amount: cents(f.amount, 10_000n), open_finance_exceptions: f.open, drift_value, raw: f };
  });
  const raws = rows.map((r) => r.raw);
  const rank = { ready: 0, at_risk: 1, blocked: 2 };
  const total = {
    status: rows.reduce<Status>((st, r) => (rank[r.status] > rank[st] ? r.status : st), 'ready'),
    unposted_count: raws.reduce((x, f) => x + f.count, 0),
    unposted_amount: cents(raws.reduce((x, f) => x + f.amount, 0n), 10_000n),
    open_finance_exceptions: Object.fromEntries(SEV.map((k) => [k, raws.reduce((x, f) => x + f.open[k], 0)])),
    drift_value: cents(raws.reduce((x, f) => x + f.drift, 0n), 10_000_000_000n),
  };
  return { rows: rows.map(({ raw: _, ...r }) => r), total };
}

beforeAll(async () => {
  const toLines = (evs: Ev[]) => evs.map((value, i) => ({ line: i + 1, raw: '', value }));
  expect((await ingestLines(toLines(batch1), t('2026-11-05T00:00:00Z'))).rejected).toBe(0);
  expect((await ingestLines(toLines(batch2), t('2026-11-05T00:00:00Z'))).duplicates).toBe(batch2.length);
});

async function call(qs: string, headers?: Record<string, string>) {
  const res = await GET(get(`/api/v1/kpi/close-readiness?${qs}`, headers), ctx());
  return { status: res.status, body: (await res.json()) as unknown };
}
const strip = <T extends { reasons: string[] }>(r: T) => {
  const { reasons: _, ...rest } = r;
  return rest;
};

describe('GET /api/v1/kpi/close-readiness', () => {
  it('gives each warehouse the status the fixture implies', async () => {
    const r = await call(`period=2026-09&as_of=${iso(AS_OF)}`);
    expect(r.status).toBe(200);
    const body = closeReadinessResponse.parse(r.body);
    expect([body.period, body.as_of]).toEqual(['2026-09', iso(AS_OF)]);
    const status = Object.fromEntries(body.warehouses.map((w) => [w.warehouse_id, w.status]));
    expect(status).toMatchObject({ [A]: 'blocked', [B]: 'blocked', [C]: 'at_risk', [D]: 'at_risk', [E]: 'at_risk', [F]: 'ready', [G]: 'at_risk' });
    // 0.1 + 0.2 + (null → 0) + 5, summed exactly.
    expect(body.warehouses.find((w) => w.warehouse_id === C)!.unposted_amount).toBe(5.3);
    expect(body.total.status).toBe('blocked');
  });

  it('matches the independent computation at as_of inside, at and after the period end', async () => {
    for (const [period, asOf] of [['2026-09', t('2026-09-20T00:00:00Z')], ['2026-09', AS_OF], ['2026-09', t('2026-11-15T00:00:00Z')], ['2026-10', t('2026-11-03T00:00:00Z')]] as const) {
      const body = closeReadinessResponse.parse((await call(`period=${period}&as_of=${iso(asOf)}`)).body);
      const e = expected(period, asOf);
      expect(body.warehouses.map(strip)).toEqual(e.rows);
      expect(strip(body.total)).toEqual(e.total);
    }
  });

  it('explains each status in reasons', async () => {
    const body = closeReadinessResponse.parse((await call(`period=2026-09&as_of=${iso(AS_OF)}`)).body);
    const reasons = (w: string) => body.warehouses.find((x) => x.warehouse_id === w)!.reasons;
    expect(reasons(A)).toContain('1 critical finance exception open');
    expect(reasons(B)[0]).toBe('1 unposted shipment older than 48 h');
    expect(reasons(B)).toContain('2 shipments from 2026-09 not invoiced yet (1,259.50)');
    expect(reasons(D)).toEqual(['2 open finance exceptions (1 high, 1 low)']);
    expect(reasons(E)).toEqual(['inventory drift valued at 10.00']);
    expect(reasons(F)).toHaveLength(1);
    expect(body.total.reasons[0]).toBe('1 critical finance exception open');
  });

  it('reproduces the metrics.md worked example: 2026-10 at 2026-11-03 is at_risk on drift 220.8', async () => {
    const body = closeReadinessResponse.parse((await call('period=2026-10&as_of=2026-11-03&warehouse=DC-ATL')).body);
    expect(strip(body.total)).toEqual({
      status: 'at_risk', unposted_count: 0, unposted_amount: 0, open_finance_exceptions: { critical: 0, high: 0, medium: 0, low: 0 }, drift_value: 220.8,
    });
    expect(body.warehouses.map((w) => [w.warehouse_id, w.status])).toEqual([['DC-ATL', 'at_risk']]);
  });

  it('takes the posting SLO from the configuration', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-slo-'));
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, JSON.stringify({ slo: { posting_seconds: 8 * 3600 } }));
    const before = process.env.CT_CONFIG_FILE;
    process.env.CT_CONFIG_FILE = file;
    try {
      const body = closeReadinessResponse.parse((await call(`period=2026-09&as_of=${iso(AS_OF)}&warehouse=${encodeURIComponent(C)}`)).body);
      // 20:00 is 9 h old (late), 21:00 exactly 8 h (not late yet).
      const { warehouse_id: _, ...row } = expected('2026-09', AS_OF, 8 * 3600).rows.find((r) => r.warehouse_id === C)!;
      expect(strip(body.total)).toEqual(row);
      expect(body.total.status).toBe('blocked');
      expect(body.total.reasons[0]).toBe('1 unposted shipment older than 8 h');
    } finally {
      if (before === undefined) delete process.env.CT_CONFIG_FILE;
      else process.env.CT_CONFIG_FILE = before;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('defaults the period to the month of as_of; an empty period is ready everywhere', async () => {
    expect(closeReadinessResponse.parse((await call('as_of=2026-10-01T05:00:00Z')).body).period).toBe('2026-10');
    const body = closeReadinessResponse.parse((await call('period=2019-01&as_of=2019-02-01')).body);
    expect(body.total.status).toBe('ready');
    expect(body.warehouses.every((w) => w.status === 'ready' && w.reasons.length === 1)).toBe(true);
    expect(body.warehouses).toHaveLength(ALL_WH.length);
  });

  it('lists exactly the requested warehouses, hostile ids included', async () => {
    const body = closeReadinessResponse.parse((await call(`period=2026-09&as_of=${iso(AS_OF)}&warehouse=${encodeURIComponent(D)}&warehouse=NO-DATA`)).body);
    expect(body.warehouses.map((w) => [w.warehouse_id, w.status])).toEqual([['Dépôt Nord', 'at_risk'], ['NO-DATA', 'ready']]);
    expect(body.total.status).toBe('at_risk');
    expect(body.total.open_finance_exceptions).toEqual({ critical: 0, high: 1, medium: 0, low: 1 });
  });

  it('400 for a bad period or as_of, 401 without a token, 403 for the ingest token', async () => {
    for (const p of ['2026-13', '2026-9', 'sept', '2026-09-01']) expect((await call(`period=${p}`)).status).toBe(400);
    expect((await call('period=2026-09&period=2026-10')).status).toBe(400);
    expect((await call('as_of=nope')).status).toBe(400);
    expect((await call('', {})).status).toBe(401);
    expect((await call('', INGEST)).status).toBe(403);
  });
});
