import { beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/v1/kpi/invoice-latency/route';
import { GET as GET_UNPOSTED } from '@/app/api/v1/kpi/invoice-latency/unposted/route';
import { ingestLines } from '@/ingest/pipeline';
import { invoiceLatencyResponse } from '@/lib/kpi/invoice-latency';
import { unpostedListResponse } from '@/lib/kpi/unposted';
import { businessEvent, exampleEvents } from '../helpers/fixtures';
import { ctx, get, INGEST } from '../helpers/http';
import { expectQuantile } from '../helpers/quantile';
import { useTestStore } from '../helpers/store';

useTestStore();

const H = 3_600_000;
const T0 = Date.parse('2026-09-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const WH = [`DC-"Q'uoted"`, 'Lager-Köln-Ü', 'WH\\back/slash %'] as const;
const AMOUNTS = [0.1, 0.2, 1249.5, null, 19.99, 7.005] as const;

type Ev = Record<string, unknown>;
const ship = (id: string, corr: string, wh: string, at: number, amount: number | null, extra: Ev = {}): Ev =>
  businessEvent('shipment.confirmed', { event_id: id, correlation_id: corr, warehouse_id: wh, occurred_at: iso(at), source_system: 'WMS', ...extra },
    amount === null ? {} : { amount, currency: corr.length % 2 ? 'EUR' : 'USD' });
const invoice = (id: string, corr: string, wh: string, at: number): Ev =>
  businessEvent('invoice.posted', { event_id: id, correlation_id: corr, warehouse_id: wh, occurred_at: iso(at) }, { amount: 1 });

/** A deterministic fixture; every expectation below is computed from it by plain TS, not by the code. */
const batch1: Ev[] = [...exampleEvents()];
for (let i = 0; i < 120; i++) {
  const corr = i % 4 === 0 ? `SO "${i}" ü/%\\` : `SO-${i}`;
  const wh = WH[i % 3]!;
  const s = T0 + i * 3 * H + ((i * 137) % 1000);
  batch1.push(ship(`ship-${i}`, corr, wh, s, AMOUNTS[i % AMOUNTS.length]!, i % 9 === 0 ? {} : { document_ref: `ASN-${i}` }));
  // The invoice's own warehouse is irrelevant; some even sit at DC-ATL, which the examples own.
  const invWh = i % 5 === 0 ? 'DC-ATL' : WH[(i + 1) % 3]!;
  if (i % 7 === 3) continue; // never invoiced
  const lat = i % 11 === 0 ? -((i * 31) % 5000) * 1000 - 1000 : ((i * 7919) % 400_000) * 1000 + (i % 3);
  batch1.push(invoice(`inv-${i}`, corr, invWh, s + lat));
  if (i % 13 === 0) batch1.push(ship(`ship-${i}-later`, corr, WH[(i + 1) % 3]!, s + 2 * H, 999));
  if (i % 17 === 0) batch1.push(ship(`ship-${i}-early`, corr, WH[(i + 2) % 3]!, s - 5 * H, 0.3));
  if (i % 19 === 0) batch1.push(invoice(`inv-${i}-again`, corr, invWh, s + lat + H));
  if (i % 23 === 0) batch1.push(invoice(`inv-${i}-first`, corr, invWh, s + lat - 2 * 24 * H));
  // Same occurred_at at another warehouse: the smaller event_id ("sh!p" < "ship") wins.
  if (i % 29 === 1) batch1.push(ship(`sh!p-${i}`, corr, WH[(i + 1) % 3]!, s, 55.55));
  if (i % 29 === 2) batch1.push(ship(`shiq-${i}`, corr, WH[(i + 1) % 3]!, s, 66.66));
}
// Money that binary floating point cannot add: 0.1 + 0.2 must come out as exactly 0.30.
batch1.push(ship('cents-a', 'CENTS-A', WH[0], Date.parse('2026-08-01T01:00:00Z'), 0.1));
batch1.push(ship('cents-b', 'CENTS-B', WH[1], Date.parse('2026-08-01T02:00:00Z'), 0.2));
// Re-sent ids (business events only, so they stay valid) with other content in a later batch.
const batch2: Ev[] = batch1.slice(12, 42).map((e) => ({ ...e, occurred_at: iso(T0), warehouse_id: WH[0], attributes: { amount: 5000 } }));

type Row = { id: string; type: string; t: number; wh: string; corr: string; amount: number | null; currency: string; doc: string | null };
const stored: Row[] = [];
{
  const seen = new Set<string>();
  for (const e of [...batch1, ...batch2]) {
    const id = e.event_id as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const a = (e.attributes ?? {}) as { amount?: number; currency?: string };
    stored.push({
      id, type: e.type as string, t: Date.parse(e.occurred_at as string), wh: e.warehouse_id as string, corr: e.correlation_id as string,
      amount: a.amount ?? null, currency: a.currency ?? 'USD', doc: (e.document_ref as string | null | undefined) ?? null,
    });
  }
}
const byKey = (a: Row, b: Row) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const corrs = [...new Set(stored.map((r) => r.corr))];
const facts = corrs.map((c) => {
  const ships = stored.filter((r) => r.corr === c && r.type === 'shipment.confirmed').sort(byKey);
  const invs = stored.filter((r) => r.corr === c && r.type === 'invoice.posted').map((r) => r.t);
  return { corr: c, first: ships[0], invTimes: invs, I: invs.length ? Math.min(...invs) : null };
});
const ALL_WH = [...new Set(stored.map((r) => r.wh))].sort();

const centsOf = (amounts: (number | null)[]) => {
  const micros = amounts.reduce<number>((s, a) => s + Math.round((a ?? 0) * 1e6), 0);
  return Math.floor((micros + 5000) / 10_000) / 100;
};

function expectLatency(from: number, to: number, wh: string | null) {
  const pop = facts.filter((f) => f.first && f.I !== null && f.I >= from && f.I < to && (wh === null || f.first.wh === wh));
  const lats = pop.map((f) => (f.I! - f.first!.t) / 1000);
  return { invoices: pop.length, negative: lats.filter((l) => l < 0).length, lats: lats.filter((l) => l >= 0) };
}
function unpostedAt(asOf: number, wh: string | null) {
  return facts
    .filter((f) => f.first && f.first.t <= asOf && !f.invTimes.some((t) => t <= asOf) && (wh === null || f.first.wh === wh))
    .map((f) => ({ ...f.first!, age: (asOf - f.first!.t) / 1000 }));
}
function expectBuckets(ages: number[]) {
  const h = (x: number) => x * 3600;
  return {
    lt_4h: ages.filter((a) => a < h(4)).length,
    h4_24: ages.filter((a) => a >= h(4) && a < h(24)).length,
    d1_3: ages.filter((a) => a >= h(24) && a < h(72)).length,
    d3_7: ages.filter((a) => a >= h(72) && a < h(168)).length,
    gt_7d: ages.filter((a) => a >= h(168)).length,
  };
}

beforeAll(async () => {
  const toLines = (evs: Ev[]) => evs.map((value, i) => ({ line: i + 1, raw: '', value }));
  const first = await ingestLines(toLines(batch1), Date.parse('2026-11-05T00:00:00Z'));
  expect(first.rejected).toBe(0);
  const again = await ingestLines(toLines(batch2), Date.parse('2026-11-05T00:00:00Z'));
  expect(again.duplicates).toBe(batch2.length);
});

async function call(handler: typeof GET, path: string, headers?: Record<string, string>) {
  const res = await handler(get(path, headers), ctx());
  return { status: res.status, body: (await res.json()) as unknown };
}
const latency = (qs: string, h?: Record<string, string>) => call(GET, `/api/v1/kpi/invoice-latency?${qs}`, h);
const unposted = (qs: string, h?: Record<string, string>) => call(GET_UNPOSTED, `/api/v1/kpi/invoice-latency/unposted?${qs}`, h);

const FROM = Date.parse('2026-09-05T00:00:00Z');
const TO = Date.parse('2026-09-15T00:00:00Z');
const AS_OF = Date.parse('2026-09-12T06:00:00Z');

describe('GET /api/v1/kpi/invoice-latency', () => {
  it('matches the fixture per warehouse and in total', async () => {
    const r = await latency(`from=${iso(FROM)}&to=${iso(TO)}&as_of=${iso(AS_OF)}`);
    expect(r.status).toBe(200);
    const body = invoiceLatencyResponse.parse(r.body);
    expect([body.from, body.to, body.as_of]).toEqual([iso(FROM), iso(TO), iso(AS_OF)]);
    expect(body.warehouses.map((w) => w.warehouse_id)).toEqual(ALL_WH);
    for (const wh of [null, ...ALL_WH]) {
      const got = wh === null ? body.total : body.warehouses.find((w) => w.warehouse_id === wh)!;
      const e = expectLatency(FROM, TO, wh);
      expect(got.invoices).toBe(e.invoices);
      expect(got.negative).toBe(e.negative);
      expectQuantile(got.latency_seconds.p50, e.lats, 0.5);
      expectQuantile(got.latency_seconds.p95, e.lats, 0.95);
      expect(got.latency_seconds.max).toBe(e.lats.length ? Math.max(...e.lats) : null);
      const u = unpostedAt(AS_OF, wh);
      expect(got.unposted.count).toBe(u.length);
      expect(got.unposted.amount).toBe(centsOf(u.map((x) => x.amount)));
      expect(got.unposted.buckets).toEqual(expectBuckets(u.map((x) => x.age)));
      expect(got.unposted.oldest_age_seconds).toBe(u.length ? Math.max(...u.map((x) => x.age)) : null);
    }
    // The fixture really exercises what it claims to.
    expect(body.total.negative).toBeGreaterThan(0);
    expect(Object.values(body.total.unposted.buckets).every((n) => n > 0)).toBe(true);
  });

  it('reproduces the metrics.md worked example (30256 s) and ignores the invoice warehouse', async () => {
    const body = invoiceLatencyResponse.parse((await latency('from=2026-10-14&to=2026-10-16&as_of=2026-10-14T20:00:00Z&warehouse=DC-ATL')).body);
    expect(body.total).toMatchObject({ invoices: 1, negative: 0, latency_seconds: { p50: 30256, p95: 30256, max: 30256 } });
    expect(body.total.unposted).toMatchObject({ count: 1, amount: 1249.5, buckets: { lt_4h: 1, h4_24: 0, d1_3: 0, d3_7: 0, gt_7d: 0 } });
    // Fixture invoices posted "at" DC-ATL in September still belong to their shipment's warehouse.
    const sep = invoiceLatencyResponse.parse((await latency(`from=2026-09-01&to=2026-10-01&as_of=2026-10-01&warehouse=DC-ATL`)).body);
    expect(sep.total.invoices).toBe(0);
  });

  it('sums amounts like 0.1 + 0.2 exactly to cents', async () => {
    const asOf = Date.parse('2026-08-02T00:00:00Z');
    expect(unpostedAt(asOf, null).map((x) => x.amount)).toEqual([0.1, 0.2]);
    const body = invoiceLatencyResponse.parse((await latency(`from=2026-08-01&to=2026-08-02&as_of=${iso(asOf)}`)).body);
    expect(body.total.unposted.amount).toBe(0.3);
    expect(body.total.unposted.buckets.h4_24).toBe(2);
  });

  it('an empty window and an as_of before everything give zeros and nulls, rows still listed', async () => {
    const body = invoiceLatencyResponse.parse((await latency('from=2020-01-01&to=2020-01-02&as_of=2020-01-02')).body);
    expect(body.total).toEqual({
      invoices: 0, negative: 0, latency_seconds: { p50: null, p95: null, max: null },
      unposted: { count: 0, amount: 0, buckets: { lt_4h: 0, h4_24: 0, d1_3: 0, d3_7: 0, gt_7d: 0 }, oldest_age_seconds: null },
    });
    expect(body.warehouses).toHaveLength(ALL_WH.length);
  });

  it('a window of only negative latencies has counts but null quantiles', async () => {
    const neg = facts.find((f) => f.first && f.I !== null && f.I < f.first.t && f.invTimes.length === 1)!;
    const qs = `from=${iso(neg.I!)}&to=${iso(neg.I! + 1)}&as_of=${iso(neg.I!)}`;
    const body = invoiceLatencyResponse.parse((await latency(qs)).body);
    const e = expectLatency(neg.I!, neg.I! + 1, null);
    expect(e.lats).toEqual([]);
    expect(body.total).toMatchObject({ invoices: e.invoices, negative: e.invoices, latency_seconds: { p50: null, p95: null, max: null } });
  });

  it('lists exactly the requested warehouses, hostile ids included', async () => {
    const qs = `from=${iso(FROM)}&to=${iso(TO)}&as_of=${iso(AS_OF)}&warehouse=${encodeURIComponent(WH[2])}&warehouse=NO-DATA`;
    const body = invoiceLatencyResponse.parse((await latency(qs)).body);
    expect(body.warehouses.map((w) => w.warehouse_id)).toEqual(['NO-DATA', WH[2]].sort());
    expect(body.total.invoices).toBe(expectLatency(FROM, TO, WH[2]).invoices);
    expect(body.total.unposted.count).toBe(unpostedAt(AS_OF, WH[2]).length);
    expect(body.warehouses.find((w) => w.warehouse_id === 'NO-DATA')!.invoices).toBe(0);
  });

  it('400 for bad times, 401 without a token, 403 for the ingest token', async () => {
    expect((await latency('as_of=soon')).status).toBe(400);
    expect((await latency('from=2026-09-15&to=2026-09-05')).status).toBe(400);
    expect((await latency('', {})).status).toBe(401);
    expect((await latency('', INGEST)).status).toBe(403);
  });
});

describe('GET /api/v1/kpi/invoice-latency/unposted', () => {
  it('lists unposted shipments oldest first with age and amount', async () => {
    const r = await unposted(`as_of=${iso(AS_OF)}&limit=1000`);
    expect(r.status).toBe(200);
    const body = unpostedListResponse.parse(r.body);
    const e = unpostedAt(AS_OF, null).sort((a, b) => a.t - b.t || (a.corr < b.corr ? -1 : 1));
    expect(body.as_of).toBe(iso(AS_OF));
    expect(body.items).toEqual(
      e.map((x) => ({
        correlation_id: x.corr, warehouse_id: x.wh, shipped_at: iso(x.t), age_seconds: x.age,
        amount: x.amount, currency: x.currency, document_ref: x.doc,
      })),
    );
    expect(body.items.some((i) => i.amount === null)).toBe(true);
  });

  it('honours limit and the warehouse filter', async () => {
    const body = unpostedListResponse.parse((await unposted(`as_of=${iso(AS_OF)}&limit=3&warehouse=${encodeURIComponent(WH[1])}`)).body);
    const e = unpostedAt(AS_OF, WH[1]).sort((a, b) => a.t - b.t).slice(0, 3);
    expect(body.items.map((i) => i.correlation_id)).toEqual(e.map((x) => x.corr));
    expect(body.items.every((i) => i.warehouse_id === WH[1])).toBe(true);
  });

  it('400 for a bad limit or as_of, 401 without a token, 403 for the ingest token', async () => {
    for (const l of ['0', '1001', 'ten', '-1', '2.5']) expect((await unposted(`limit=${l}`)).status).toBe(400);
    expect((await unposted('as_of=2026-13-01')).status).toBe(400);
    expect((await unposted('', {})).status).toBe(401);
    expect((await unposted('', INGEST)).status).toBe(403);
  });
});
