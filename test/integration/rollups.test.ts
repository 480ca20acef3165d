import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ingestLines } from '@/ingest/pipeline';
import { repairLookups } from '@/ingest/recovery';
import { closeReadiness } from '@/lib/kpi/close-readiness';
import { listWarehouses } from '@/lib/kpi/common';
import { invoiceLatency } from '@/lib/kpi/invoice-latency';
import { summary } from '@/lib/kpi/summary';
import { unpostedList } from '@/lib/kpi/unposted';
import { command, unsafeRaw } from '@/lib/store';
import { syncMessage, businessEvent } from '../helpers/fixtures';
import { useTestStore } from '../helpers/store';

/** Every rollup-backed answer equals the raw-table answer on the same data (CT_FORCE_RAW=1 routes to raw). */
useTestStore();
afterEach(() => {
  delete process.env.CT_FORCE_RAW;
});

type Ev = Record<string, unknown>;
const H = 3_600_000;
const T0 = Date.parse('2026-09-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const WH = ['DC-1', `DC-"2"`, 'Lager Köln', 'DC-4'];

const ship = (id: string, corr: string, wh: string, at: number, attrs: Ev = {}, over: Ev = {}): Ev =>
  businessEvent('shipment.confirmed', { event_id: id, correlation_id: corr, warehouse_id: wh, occurred_at: iso(at), source_system: 'WMS', ...over }, attrs);
const invoice = (id: string, corr: string, wh: string, at: number): Ev =>
  businessEvent('invoice.posted', { event_id: id, correlation_id: corr, warehouse_id: wh, occurred_at: iso(at) }, { amount: 1 });

/** Transactions over six weeks: multiple shipments, ties, NULL amounts and documents, hostile text. */
function transactions(): Ev[] {
  const out: Ev[] = [];
  for (let i = 0; i < 90; i++) {
    const corr = i % 5 === 0 ? `SO "${i}" \\ ü=%` : `SO-${i}`;
    const wh = WH[i % 3]!;
    const s = T0 + i * 11 * H + ((i * 277) % 1000);
    const attrs = i % 6 === 0 ? {} : { amount: (i * 13.37) % 900, currency: i % 2 ? 'EUR' : 'USD' };
    const doc = i % 7 === 0 ? {} : { document_ref: i % 4 === 0 ? `=ASN ${i}` : `ASN-${i}` };
    out.push(ship(`ship-${i}`, corr, wh, s, attrs, doc));
    if (i % 9 === 1) out.push(ship(`sh!p-${i}`, corr, WH[(i + 1) % 3]!, s, { amount: 55.55 })); // same time, smaller id wins
    if (i % 9 === 2) out.push(ship(`shiz-${i}`, corr, WH[(i + 2) % 3]!, s, { amount: 66.66 })); // same time, larger id loses
    if (i % 8 === 3) out.push(ship(`ship-${i}-later`, corr, WH[3]!, s + 3 * H, { amount: 9 }));
    if (i % 6 === 5 || i % 9 === 0) continue; // never invoiced
    const lat = i % 10 === 0 ? -2 * H : ((i * 7919) % 300) * 60_000 + (i % 3);
    out.push(invoice(`inv-${i}`, corr, WH[(i + 1) % 4]!, s + lat));
    if (i % 7 === 2) out.push(invoice(`inv-${i}-again`, corr, wh, s + lat + H));
  }
  for (let i = 0; i < 5; i++) out.push(invoice(`orphan-inv-${i}`, `PO-${i}`, WH[0]!, T0 + i * 50 * H)); // no shipment
  return out;
}

async function ingest(events: Ev[], nowMs = Date.now()) {
  // Small batches: the rollup then holds several unmerged partial rows for the same correlation.
  for (let i = 0; i < events.length; i += 40) {
    await ingestLines(events.slice(i, i + 40).map((value, j) => ({ line: j + 1, raw: '', value })), nowMs);
  }
}

const first = transactions();
/** Arrive later: an earlier shipment and an earlier invoice for known correlations, and re-sent ids. */
const late: Ev[] = [
  ship('late-ship-3', 'SO-3', WH[3]!, T0 + 3 * 11 * H - 4 * H, { amount: 12.5 }),
  invoice('late-inv-7', 'SO-7', WH[0]!, T0 + 7 * 11 * H + 30 * 60_000),
  invoice('late-inv-11', 'SO-11', WH[0]!, T0 + 11 * 11 * H - H),
  ship('late-ship-new', 'SO-late', WH[1]!, T0 + 20 * H, { amount: 1 }),
  ...first.slice(10, 30).map((e) => ({ ...e, occurred_at: iso(T0), warehouse_id: WH[3] })),
];

beforeAll(async () => {
  const events = [
    ...WH.slice(0, 3).flatMap((w) => [syncMessage({ warehouse_id: w }), businessEvent('order.created', { warehouse_id: w })]),
    businessEvent('inventory.snapshot', { warehouse_id: 'DC-4', source_system: 'WMS' }, { sku: 'S', quantity: 1 }),
  ];
  // Two batches, so the rollup holds unmerged partial rows for the same warehouse.
  await ingestLines(events.slice(0, 3).map((value, i) => ({ line: i + 1, raw: '', value })), Date.now());
  await ingestLines(events.slice(3).map((value, i) => ({ line: i + 1, raw: '', value })), Date.now());
  await ingest(first);
  await ingest(late);
});

async function both<T>(fn: () => Promise<T>): Promise<[T, T]> {
  const rolled = await fn();
  process.env.CT_FORCE_RAW = '1';
  const raw = await fn();
  delete process.env.CT_FORCE_RAW;
  return [rolled, raw];
}

const SCOPES = [{ warehouses: null }, { warehouses: ['DC-1', 'Lager Köln', 'NOPE'] }, { warehouses: [`DC-"2"`] }, { warehouses: [] }];
const WINDOWS: [number, number][] = [
  [T0 - 30 * 24 * H, T0 + 60 * 24 * H],
  [T0 + 5 * 24 * H, T0 + 12 * 24 * H],
  [T0 + 3 * 11 * H, T0 + 3 * 11 * H + 1],
];
const AS_OFS = [T0 - H, T0 + 7 * 24 * H, T0 + 3 * 11 * H, T0 + 90 * 24 * H];

async function expectInvoicesMatch() {
  for (const scope of SCOPES) {
    for (const [from, to] of WINDOWS) {
      for (const asOf of AS_OFS) {
        const [rolled, raw] = await both(() => invoiceLatency(scope, { from, to, asOf, requested: [] }));
        expect(rolled).toEqual(raw);
      }
    }
    for (const asOf of AS_OFS) {
      const [rolled, raw] = await both(() => unpostedList(scope, { asOf, limit: 1000 }));
      expect(rolled).toEqual(raw);
    }
  }
}

describe('rollups equal the raw table', () => {
  it('warehouse list, for every scope', async () => {
    for (const scope of [{ warehouses: null }, { warehouses: ['DC-1', 'Lager Köln', 'NOPE'] }, { warehouses: [] }]) {
      const [rolled, raw] = await both(() => listWarehouses(scope, []));
      expect(rolled).toEqual(raw);
    }
    expect((await listWarehouses({ warehouses: null }, [])).sort()).toEqual([...WH].sort());
  });

  it('invoice latency and unposted (list and aggregate), for every scope, window and as_of', async () => {
    // The fixture must exercise what it claims to: late rows changed answers, and there is something to compare.
    const all = await invoiceLatency({ warehouses: null }, { from: WINDOWS[0]![0], to: WINDOWS[0]![1], asOf: AS_OFS[3]!, requested: [] });
    expect(all.total.invoices).toBeGreaterThan(50);
    expect(all.total.negative).toBeGreaterThan(0);
    const unposted = await unpostedList({ warehouses: null }, { asOf: AS_OFS[3]!, limit: 1000 });
    expect(unposted.items.length).toBeGreaterThan(5);
    expect(unposted.items.find((x) => x.correlation_id === 'SO-3')).toBeUndefined(); // invoiced
    expect(unposted.items.some((x) => x.amount === null) && unposted.items.some((x) => x.document_ref === null)).toBe(true);
    expect(unposted.items.find((x) => x.correlation_id === 'SO-late')?.warehouse_id).toBe(WH[1]);
    await expectInvoicesMatch();
  });

  it('close readiness and the executive summary', async () => {
    for (const scope of SCOPES.slice(0, 3)) {
      for (const asOf of AS_OFS) {
        const d = new Date(asOf);
        const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
        const period = { period: d.toISOString().slice(0, 7), start, end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
        const [rolled, raw] = await both(() => closeReadiness(scope, { period, asOf, requested: [] }));
        expect(rolled).toEqual(raw);
      }
      const [rolled, raw] = await both(() => summary(scope, { from: T0 + 10 * 24 * H, to: T0 + 17 * 24 * H, requested: [] }));
      expect(rolled).toEqual(raw);
    }
  });

  it('stays equal after the startup repair replays rows, and after merges fold partial rows', async () => {
    await repairLookups(Date.now());
    await expectInvoicesMatch();
    await command(unsafeRaw('OPTIMIZE TABLE invoice_postings FINAL'));
    await expectInvoicesMatch();
  });
});
