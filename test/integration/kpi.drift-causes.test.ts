import { beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/v1/kpi/drift/causes/route';
import { generateDemo } from '@/ingest/demo';
import { ingestLines } from '@/ingest/pipeline';
import { driftCausesResponse, type DriftCauseSku } from '@/lib/kpi/drift-causes';
import { ctx, get, INGEST } from '../helpers/http';
import { bothWays } from '../helpers/rollups';
import { sessionCookie, useUsers } from '../helpers/session';
import { useTestStore } from '../helpers/store';

useTestStore();

/**
 * metrics.md §9 on a hand-built fixture. Every SKU below is one case; the expected answers are written
 * out by hand below, from the fixture, not from the code under test.
 */
const H = 3_600_000;
const DAY = 24 * H;
const AS_OF = Date.parse('2026-09-20T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

type Ev = Record<string, unknown> & { attributes: Record<string, unknown> };
let n = 0;
const snap = (sys: string, wh: string, sku: string, quantity: number, unit_cost?: number, at = AS_OF - 2 * H): Ev => ({
  event_id: `snap-${++n}`, type: 'inventory.snapshot', occurred_at: iso(at), source_system: sys, warehouse_id: wh,
  correlation_id: `INV-${wh}-${sku}`, workflow: 'inventory',
  attributes: { sku, quantity, ...(unit_cost === undefined ? {} : { unit_cost }) },
});
/** A pair of snapshots: the drift is wms − erp. */
const pair = (wh: string, sku: string, erp: number, wms: number, cost: number) => [snap('ERP', wh, sku, erp, cost), snap('WMS', wh, sku, wms)];
const move = (id: string, type: string, wh: string, sku: string, at: number, quantity: number | string | undefined, source: string, corr: string): Ev => ({
  event_id: id, type, occurred_at: iso(at), source_system: source, warehouse_id: wh, correlation_id: corr, workflow: 'inventory',
  attributes: { sku, ...(quantity === undefined ? {} : { quantity }), uom: 'EA' },
});
const msg = (id: string, wh: string, corr: string, source: string, target: string, status: string, occurredAt: number, observedAt: number, iface = 'receipt_api', error?: string): Ev => ({
  event_id: id, type: 'sync.message', occurred_at: iso(occurredAt), observed_at: iso(observedAt), source_system: source, target_system: target,
  warehouse_id: wh, correlation_id: corr, workflow: 'inventory',
  attributes: { status, interface: iface, attempt: 1, ...(error === undefined ? {} : { error }) },
});

const A = 'WH-A';
const B = `WH-"B" Köln`;
const C = 'WH-C';

const batch1: Ev[] = [
  // FULL @A: drift +68, two WMS receipts (40 + 28) whose WMS → ERP message was dead-lettered. An EDI message
  // of PO-1, delivered later, is another source system: it does not clear the receipt.
  ...pair(A, 'FULL', 100, 168, 10),
  move('mv-full-1', 'receipt.posted', A, 'FULL', AS_OF - 2 * DAY, 40, 'WMS', 'PO-1'),
  move('mv-full-2', 'receipt.posted', A, 'FULL', AS_OF - 1 * DAY, 28, 'WMS', 'PO-2'),
  msg('m-po1-a', A, 'PO-1', 'WMS', 'ERP', 'failed', AS_OF - 2 * DAY, AS_OF - 2 * DAY + H, 'receipt_api', 'HTTP 503 from ERP'),
  msg('m-po1-b', A, 'PO-1', 'WMS', 'ERP', 'dead_lettered', AS_OF - 2 * DAY, AS_OF - 2 * DAY + 2 * H, 'receipt_api', 'max retries exceeded'),
  msg('m-po1-edi', A, 'PO-1', 'EDI', 'ERP', 'delivered', AS_OF - 2 * DAY, AS_OF - 2 * DAY + 3 * H, 'edi_856'),
  msg('m-po2', A, 'PO-2', 'WMS', 'ERP', 'dead_lettered', AS_OF - 1 * DAY, AS_OF - 1 * DAY + H, 'receipt_api', 'HTTP 422 from ERP: duplicate document number'),

  // PART @A: drift −30. Unsynced: a WMS shipment of 12 (−12) and an ERP adjustment of +6 (counted −6): −18.
  // Not unsynced: a transfer whose failure a later delivery cleared; a return whose failed message is in
  // another warehouse or from another source system.
  ...pair(A, 'PART', 50, 20, 2.5),
  move('mv-part-ship', 'shipment.confirmed', A, 'PART', AS_OF - 3 * DAY, 12, 'WMS', 'SO-1'),
  msg('m-so1', A, 'SO-1', 'WMS', 'ERP', 'failed', AS_OF - 3 * DAY, AS_OF - 3 * DAY + 60_000, 'shipment_confirm', 'schema validation failed: ship_to.postal_code'),
  move('mv-part-adj', 'inventory.adjusted', A, 'PART', AS_OF - 4 * DAY, 6, 'ERP', 'ADJ-1'),
  msg('m-adj1', A, 'ADJ-1', 'ERP', 'WMS', 'dead_lettered', AS_OF - 4 * DAY, AS_OF - 4 * DAY + H, 'inventory_adjustment_api'),
  move('mv-part-tr', 'transfer.shipped', A, 'PART', AS_OF - 5 * DAY, 5, 'WMS', 'TR-1'),
  msg('m-tr1-a', A, 'TR-1', 'WMS', 'ERP', 'failed', AS_OF - 5 * DAY, AS_OF - 5 * DAY + H, 'transfer_api', 'HTTP 504 gateway timeout'),
  msg('m-tr1-b', A, 'TR-1', 'WMS', 'ERP', 'delivered', AS_OF - 5 * DAY, AS_OF - 5 * DAY + 2 * H, 'transfer_api'),
  move('mv-part-rma', 'return.received', A, 'PART', AS_OF - 2 * DAY, 3, 'WMS', 'RMA-1'),
  msg('m-rma1-otherwh', B, 'RMA-1', 'WMS', 'ERP', 'failed', AS_OF - 2 * DAY, AS_OF - 2 * DAY + H, 'returns_api'),
  msg('m-rma1-othersrc', A, 'RMA-1', 'TMS', 'ERP', 'dead_lettered', AS_OF - 2 * DAY, AS_OF - 2 * DAY + H, 'returns_api'),

  // NONE @A: drift +3, its receipt delivered, another with no message at all: nothing unsynced.
  ...pair(A, 'NONE', 10, 13, 1),
  move('mv-none-1', 'receipt.posted', A, 'NONE', AS_OF - DAY, 3, 'WMS', 'PO-3'),
  msg('m-po3', A, 'PO-3', 'WMS', 'ERP', 'delivered', AS_OF - DAY, AS_OF - DAY + 60_000),
  move('mv-none-2', 'receipt.posted', A, 'NONE', AS_OF - DAY, 1, 'WMS', 'PO-4'),
  // NONE @C as well (value 100, so it leads NONE @A), also without any unsynced movement.
  ...pair(C, 'NONE', 1, 2, 100),

  // EDGE @A: drift +7. Exactly as_of − 7 d is outside the window, exactly as_of inside, after as_of outside.
  // The in-window receipt's message is observed exactly at as_of (counts); a later delivery after as_of does not.
  ...pair(A, 'EDGE', 200, 207, 1),
  move('mv-edge-old', 'receipt.posted', A, 'EDGE', AS_OF - 7 * DAY, 100, 'WMS', 'PO-E1'),
  msg('m-e1', A, 'PO-E1', 'WMS', 'ERP', 'dead_lettered', AS_OF - 7 * DAY, AS_OF - 7 * DAY + H),
  move('mv-edge-now', 'receipt.posted', A, 'EDGE', AS_OF, 7, 'WMS', 'PO-E2'),
  msg('m-e2', A, 'PO-E2', 'WMS', 'ERP', 'dead_lettered', AS_OF - H, AS_OF),
  msg('m-e2-later', A, 'PO-E2', 'WMS', 'ERP', 'delivered', AS_OF - H, AS_OF + 1),
  move('mv-edge-future', 'receipt.posted', A, 'EDGE', AS_OF + 1, 50, 'WMS', 'PO-E3'),
  msg('m-e3', A, 'PO-E3', 'WMS', 'ERP', 'failed', AS_OF - H, AS_OF - H),

  // TIE @A: drift +5. Same observed_at: the greater event_id wins (b failed beats a delivered; b delivered beats a dead-lettered).
  ...pair(A, 'TIE', 10, 15, 4),
  move('mv-tie-1', 'return.received', A, 'TIE', AS_OF - DAY, 5, 'WMS', 'RMA-T1'),
  msg('m-t1-a', A, 'RMA-T1', 'WMS', 'ERP', 'delivered', AS_OF - DAY, AS_OF - DAY + H, 'returns_api'),
  msg('m-t1-b', A, 'RMA-T1', 'WMS', 'ERP', 'failed', AS_OF - DAY, AS_OF - DAY + H, 'returns_api', 'HTTP 500 from ERP'),
  move('mv-tie-2', 'return.received', A, 'TIE', AS_OF - DAY, 2, 'WMS', 'RMA-T2'),
  msg('m-t2-a', A, 'RMA-T2', 'WMS', 'ERP', 'dead_lettered', AS_OF - DAY, AS_OF - DAY + H, 'returns_api'),
  msg('m-t2-b', A, 'RMA-T2', 'WMS', 'ERP', 'delivered', AS_OF - DAY, AS_OF - DAY + H, 'returns_api'),

  // OK @A: no drift, so not listed even with an unsynced movement.
  ...pair(A, 'OK', 5, 5, 1),
  move('mv-ok', 'receipt.posted', A, 'OK', AS_OF - DAY, 9, 'WMS', 'PO-OK'),
  msg('m-ok', A, 'PO-OK', 'WMS', 'ERP', 'failed', AS_OF - DAY, AS_OF - DAY + H),

  // NOQTY @B: drift −1; its unsynced transfer has no quantity and counts 0.
  ...pair(B, 'NOQTY', 10, 9, 3),
  move('mv-noqty', 'transfer.received', B, 'NOQTY', AS_OF - DAY, undefined, 'WMS', 'TR-9'),
  msg('m-tr9', B, 'TR-9', 'WMS', 'ERP', 'failed', AS_OF - DAY, AS_OF - DAY + H, 'transfer_api'),

  // ERPSRC @B: drift −8, explained by an ERP receipt of 8 the WMS never got (counted −8). A TMS-sourced
  // unsynced shipment is listed but moves nothing between WMS and ERP.
  ...pair(B, 'ERPSRC', 30, 22, 1),
  move('mv-erp-rcpt', 'receipt.posted', B, 'ERPSRC', AS_OF - 6 * DAY, 8, 'ERP', 'PO-R'),
  msg('m-por', B, 'PO-R', 'ERP', 'WMS', 'dead_lettered', AS_OF - 6 * DAY, AS_OF - 6 * DAY + H, 'receipt_api', 'connection refused'),
  move('mv-tms-ship', 'shipment.confirmed', B, 'ERPSRC', AS_OF - 6 * DAY, 4, 'TMS', 'SO-T'),
  msg('m-sot', B, 'SO-T', 'TMS', 'ERP', 'failed', AS_OF - 6 * DAY, AS_OF - 6 * DAY + H, 'shipment_api'),

  // OLD @C: drift +3, explained by a WMS adjustment whose correlation began 20 days ago: the message stamped
  // then, delivered late (observed an hour before as_of, failed), is the latest; a recent delivery is not.
  ...pair(C, 'OLD', 40, 43, 0.5),
  move('mv-old', 'inventory.adjusted', C, 'OLD', AS_OF - DAY, 3, 'WMS', 'INV-OLD'),
  msg('m-old-late', C, 'INV-OLD', 'WMS', 'ERP', 'failed', AS_OF - 20 * DAY, AS_OF - H, 'inventory_adjustment_api'),
  msg('m-old-recent', C, 'INV-OLD', 'WMS', 'ERP', 'delivered', AS_OF - DAY, AS_OF - DAY + H, 'inventory_adjustment_api'),
];

// Re-sent ids with other contents: the first stored copy wins (the receipt stays 40, the message dead-lettered).
const batch2: Ev[] = [
  { ...batch1.find((e) => e.event_id === 'mv-full-1')!, attributes: { sku: 'FULL', quantity: 4000 } },
  { ...batch1.find((e) => e.event_id === 'm-po2')!, attributes: { status: 'delivered', interface: 'receipt_api' } },
];
// A quantity that is not a number never reaches the store: the line is rejected, so nothing counts.
const rejected: Ev = move('mv-text-qty', 'receipt.posted', A, 'FULL', AS_OF - DAY, 'twelve', 'WMS', 'PO-1');

// ---- hand-derived answers ----
const m = (event_id: string, type: string, correlation_id: string, at: number, signed_quantity: number, source_system: string, status: 'failed' | 'dead_lettered', iface: string, error: string | null, observedAt: number) => ({
  event_id, type, correlation_id, occurred_at: iso(at), signed_quantity, source_system, message: { status, interface: iface, error, observed_at: iso(observedAt) },
});
const EXPECTED: Record<string, DriftCauseSku> = {
  [`${A}|FULL`]: {
    warehouse_id: A, sku: 'FULL', drift_units: 68, unsynced_movements: 2, unsynced_units: 68, explained: true,
    movements: [
      m('mv-full-1', 'receipt.posted', 'PO-1', AS_OF - 2 * DAY, 40, 'WMS', 'dead_lettered', 'receipt_api', 'max retries exceeded', AS_OF - 2 * DAY + 2 * H),
      m('mv-full-2', 'receipt.posted', 'PO-2', AS_OF - DAY, 28, 'WMS', 'dead_lettered', 'receipt_api', 'HTTP 422 from ERP: duplicate document number', AS_OF - DAY + H),
    ],
  },
  [`${A}|PART`]: {
    warehouse_id: A, sku: 'PART', drift_units: -30, unsynced_movements: 2, unsynced_units: -18, explained: false,
    movements: [
      m('mv-part-adj', 'inventory.adjusted', 'ADJ-1', AS_OF - 4 * DAY, 6, 'ERP', 'dead_lettered', 'inventory_adjustment_api', null, AS_OF - 4 * DAY + H),
      m('mv-part-ship', 'shipment.confirmed', 'SO-1', AS_OF - 3 * DAY, -12, 'WMS', 'failed', 'shipment_confirm', 'schema validation failed: ship_to.postal_code', AS_OF - 3 * DAY + 60_000),
    ],
  },
  [`${A}|NONE`]: { warehouse_id: A, sku: 'NONE', drift_units: 3, unsynced_movements: 0, unsynced_units: 0, explained: false, movements: [] },
  [`${C}|NONE`]: { warehouse_id: C, sku: 'NONE', drift_units: 1, unsynced_movements: 0, unsynced_units: 0, explained: false, movements: [] },
  [`${A}|EDGE`]: {
    warehouse_id: A, sku: 'EDGE', drift_units: 7, unsynced_movements: 1, unsynced_units: 7, explained: true,
    movements: [m('mv-edge-now', 'receipt.posted', 'PO-E2', AS_OF, 7, 'WMS', 'dead_lettered', 'receipt_api', null, AS_OF)],
  },
  [`${A}|TIE`]: {
    warehouse_id: A, sku: 'TIE', drift_units: 5, unsynced_movements: 1, unsynced_units: 5, explained: true,
    movements: [m('mv-tie-1', 'return.received', 'RMA-T1', AS_OF - DAY, 5, 'WMS', 'failed', 'returns_api', 'HTTP 500 from ERP', AS_OF - DAY + H)],
  },
  [`${B}|NOQTY`]: {
    warehouse_id: B, sku: 'NOQTY', drift_units: -1, unsynced_movements: 1, unsynced_units: 0, explained: false,
    movements: [m('mv-noqty', 'transfer.received', 'TR-9', AS_OF - DAY, 0, 'WMS', 'failed', 'transfer_api', null, AS_OF - DAY + H)],
  },
  [`${C}|OLD`]: {
    warehouse_id: C, sku: 'OLD', drift_units: 3, unsynced_movements: 1, unsynced_units: 3, explained: true,
    movements: [m('mv-old', 'inventory.adjusted', 'INV-OLD', AS_OF - DAY, 3, 'WMS', 'failed', 'inventory_adjustment_api', null, AS_OF - H)],
  },
  [`${B}|ERPSRC`]: {
    warehouse_id: B, sku: 'ERPSRC', drift_units: -8, unsynced_movements: 2, unsynced_units: -8, explained: true,
    movements: [
      m('mv-erp-rcpt', 'receipt.posted', 'PO-R', AS_OF - 6 * DAY, 8, 'ERP', 'dead_lettered', 'receipt_api', 'connection refused', AS_OF - 6 * DAY + H),
      m('mv-tms-ship', 'shipment.confirmed', 'SO-T', AS_OF - 6 * DAY, -4, 'TMS', 'failed', 'shipment_api', null, AS_OF - 6 * DAY + H),
    ],
  },
};
// Worst first by |drift| × unit cost: FULL 680, NONE@C 100, PART 75, TIE 20, ERPSRC 8, EDGE 7, then the
// tie at 3 (NONE@A, NOQTY@B) by warehouse_id in byte order, where `WH-"B"` ('"' is 0x22) precedes `WH-A`;
// OLD 1.5 last.
const ORDER = [`${A}|FULL`, `${C}|NONE`, `${A}|PART`, `${A}|TIE`, `${B}|ERPSRC`, `${A}|EDGE`, `${B}|NOQTY`, `${A}|NONE`, `${C}|OLD`];
const expected = (keys = ORDER) => keys.map((k) => EXPECTED[k]!);

const toLines = (evs: Ev[]) => evs.map((value, i) => ({ line: i + 1, raw: '', value }));
beforeAll(async () => {
  expect((await ingestLines(toLines(batch1), Date.parse('2026-11-05T00:00:00Z'))).rejected).toBe(0);
  expect((await ingestLines(toLines(batch2), Date.parse('2026-11-05T00:00:00Z'))).duplicates).toBe(batch2.length);
  const bad = await ingestLines(toLines([rejected]), Date.parse('2026-11-05T00:00:00Z'));
  expect([bad.accepted, bad.rejected]).toEqual([0, 1]);
  useUsers([{ email: 'b-only@t.local', role: 'finance', warehouses: [B] }]);
});

async function causes(qs: string, headers?: Record<string, string>) {
  const res = await GET(get(`/api/v1/kpi/drift/causes?${qs}`, headers), ctx());
  return { status: res.status, body: (await res.json()) as unknown };
}
const ok = async (qs: string, headers?: Record<string, string>) => {
  const r = await causes(qs, headers);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return driftCausesResponse.parse(r.body);
};

describe('GET /api/v1/kpi/drift/causes', () => {
  it('lists every mismatched SKU worst first, with its unsynced movements (rollup and raw agree)', async () => {
    const { rollup, raw } = await bothWays(() => ok(`as_of=${iso(AS_OF)}`));
    expect(rollup).toEqual({ as_of: iso(AS_OF), skus: expected() });
    expect(raw).toEqual(rollup);
  });

  it('keeps to the exact response shape of api.md', async () => {
    const r = await causes(`as_of=${iso(AS_OF)}&sku=FULL`);
    const body = r.body as { skus: Record<string, unknown>[] };
    expect(Object.keys(body)).toEqual(['as_of', 'skus']);
    expect(Object.keys(body.skus[0]!)).toEqual(['warehouse_id', 'sku', 'drift_units', 'unsynced_movements', 'unsynced_units', 'explained', 'movements']);
    const mv = (body.skus[0]!.movements as Record<string, unknown>[])[0]!;
    expect(Object.keys(mv)).toEqual(['event_id', 'type', 'correlation_id', 'occurred_at', 'signed_quantity', 'source_system', 'message']);
    expect(Object.keys(mv.message as object)).toEqual(['status', 'interface', 'error', 'observed_at']);
  });

  it('the window is (as_of − 7 d, as_of]: each edge checked a millisecond either side', async () => {
    // At as_of − 1 ms the window is (as_of − 7 d − 1 ms, as_of − 1 ms]: the receipt at exactly as_of − 7 d is
    // in, the one at as_of not yet.
    const before = await ok(`as_of=${iso(AS_OF - 1)}&sku=EDGE`);
    expect(before.skus).toEqual([
      {
        warehouse_id: A, sku: 'EDGE', drift_units: 7, unsynced_movements: 1, unsynced_units: 100, explained: false,
        movements: [m('mv-edge-old', 'receipt.posted', 'PO-E1', AS_OF - 7 * DAY, 100, 'WMS', 'dead_lettered', 'receipt_api', null, AS_OF - 7 * DAY + H)],
      },
    ]);
    // At as_of + 1 ms the receipt stamped as_of + 1 ms (failed) is in, and the delivery observed at
    // as_of + 1 ms clears the one stamped as_of.
    const after = await ok(`as_of=${iso(AS_OF + 1)}&sku=EDGE`);
    expect(after.skus).toEqual([
      {
        warehouse_id: A, sku: 'EDGE', drift_units: 7, unsynced_movements: 1, unsynced_units: 50, explained: false,
        movements: [m('mv-edge-future', 'receipt.posted', 'PO-E3', AS_OF + 1, 50, 'WMS', 'failed', 'receipt_api', null, AS_OF - H)],
      },
    ]);
  });

  it('filters on one SKU across warehouses, worst first', async () => {
    expect((await ok(`as_of=${iso(AS_OF)}&sku=NONE`)).skus).toEqual(expected([`${C}|NONE`, `${A}|NONE`]));
    expect((await ok(`as_of=${iso(AS_OF)}&sku=PART`)).skus).toEqual(expected([`${A}|PART`]));
    // A SKU that agrees, or that nobody stocks, has no causes to list.
    expect((await ok(`as_of=${iso(AS_OF)}&sku=OK`)).skus).toEqual([]);
    expect((await ok(`as_of=${iso(AS_OF)}&sku=${encodeURIComponent('nö "such" sku')}`)).skus).toEqual([]);
  });

  it('honours the warehouse filter and the caller scope', async () => {
    expect((await ok(`as_of=${iso(AS_OF)}&warehouse=${encodeURIComponent(B)}`)).skus).toEqual(expected([`${B}|ERPSRC`, `${B}|NOQTY`]));
    const cookie = await sessionCookie({ email: 'b-only@t.local', role: 'finance', warehouses: [B] });
    expect((await ok(`as_of=${iso(AS_OF)}`, { cookie })).skus).toEqual(expected([`${B}|ERPSRC`, `${B}|NOQTY`]));
    expect((await ok(`as_of=${iso(AS_OF)}&sku=FULL`, { cookie })).skus).toEqual([]);
    expect((await causes(`as_of=${iso(AS_OF)}&warehouse=${A}`, { cookie })).status).toBe(403);
  });

  it('an as_of before every snapshot lists nothing', async () => {
    expect(await ok('as_of=2020-01-01')).toEqual({ as_of: '2020-01-01T00:00:00.000Z', skus: [] });
  });

  it('400 for a bad as_of or sku, 401 without identity, 403 for the ingest token', async () => {
    const bad = [
      'as_of=later',
      'as_of=2026-09-20T12:00:00',
      'as_of=1900-01-03',
      `as_of=${iso(AS_OF)}&as_of=${iso(AS_OF)}`,
      'sku=',
      'sku=a&sku=b',
      `sku=${'x'.repeat(257)}`,
      'sku=a%00b',
      'sku=tab%09here',
      'sku=%C2%85',
    ];
    for (const qs of bad) {
      const r = await causes(qs);
      expect(r.status, qs).toBe(400);
      expect((r.body as { error: { code: string; message: string } }).error.code, qs).toBe('bad_request');
      expect((r.body as { error: { message: string } }).error.message, qs).toMatch(/^(as_of|sku)/);
    }
    expect((await causes(`sku=${encodeURIComponent('ü'.repeat(256))}`)).status).toBe(200);
    expect((await causes('', {})).status).toBe(401);
    expect((await causes('', INGEST)).status).toBe(403);
  });
});

describe('the demo month (ingest/demo/drift-cases.ts) at its "now"', () => {
  const END = Date.parse('2026-10-31T18:00:00.000Z');
  beforeAll(async () => {
    const evs = [...generateDemo({ endMs: END, days: 8, scale: 0.1 })] as Ev[];
    const r = await ingestLines(toLines(evs), END);
    expect(r.rejected).toBe(0);
  }, 120_000);

  it('holds a drift explained in full by dead-lettered receipts, one partly explained, one with no unsynced movement', async () => {
    const body = await ok(`as_of=${iso(END)}&warehouse=DC-DAL&warehouse=DC-MIA&warehouse=DC-ATL`);
    const pick = (sku: string) => body.skus.find((s) => s.sku === sku);
    const full = pick('SKU-7001')!;
    expect([full.warehouse_id, full.drift_units, full.unsynced_units, full.explained]).toEqual(['DC-DAL', 68, 68, true]);
    expect(full.movements.map((x) => [x.type, x.source_system, x.signed_quantity, x.message.status])).toEqual([
      ['receipt.posted', 'WMS', 40, 'dead_lettered'],
      ['receipt.posted', 'WMS', 28, 'dead_lettered'],
    ]);
    const part = pick('SKU-7002')!;
    expect([part.warehouse_id, part.drift_units, part.unsynced_movements, part.unsynced_units, part.explained]).toEqual(['DC-MIA', -40, 1, -25, false]);
    const none = pick('SKU-7003')!;
    expect([none.warehouse_id, none.drift_units, none.unsynced_movements, none.explained]).toEqual(['DC-ATL', -12, 0, false]);
  });
});
