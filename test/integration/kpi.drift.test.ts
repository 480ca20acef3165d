import { beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/v1/kpi/drift/route';
import { GET as GET_SKUS } from '@/app/api/v1/kpi/drift/skus/route';
import { ingestLines } from '@/ingest/pipeline';
import { driftResponse } from '@/lib/kpi/drift';
import { driftSkusResponse } from '@/lib/kpi/drift-skus';
import { exampleEvents } from '../helpers/fixtures';
import { ctx, get, INGEST } from '../helpers/http';
import { useTestStore } from '../helpers/store';

useTestStore();

const H = 3_600_000;
const AS_OF = Date.parse('2026-09-20T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const WH = [`DC-"Q'uoted"`, 'Lager-Köln-Ü', 'WH\\back/slash %'] as const;
const SKUS = Array.from({ length: 12 }, (_, k) => (k % 5 === 4 ? `Säge-ü "${k}"` : `SKU-${k}`));
const FRACTIONS = [0, 0.1, 0.2, 0.25, 0.5] as const;
const COSTS = [18.4, 0.1, 3.3333, 0.2, 1249.99] as const;

type Ev = Record<string, unknown>;
let n = 0;
function snap(source: string, wh: string, sku: string, at: number, quantity: number, unitCost?: number, id?: string): Ev {
  n++;
  return {
    event_id: id ?? `snap-${n}`, type: 'inventory.snapshot', occurred_at: iso(at), source_system: source, warehouse_id: wh,
    correlation_id: `INV-${wh}-${sku}`, workflow: 'inventory',
    attributes: { sku, quantity, uom: 'EA', ...(unitCost === undefined ? {} : { unit_cost: unitCost }) },
  };
}

/** A deterministic fixture; every expectation below is computed from it by plain TS, not by the code. */
const batch1: Ev[] = [...exampleEvents()];
WH.forEach((wh, w) => {
  SKUS.forEach((sku, k) => {
    const systems: ['ERP' | 'WMS', number][] = [['ERP', 1 + ((k + w) % 3)], ['WMS', k % 6 === 0 ? 0 : 1 + ((k * 2 + w) % 3)]];
    for (const [sys, count] of systems) {
      for (let j = 0; j < count; j++) {
        // Coarse times make ties (same occurred_at) common; ids are shuffled so either copy may win.
        const at = AS_OF - ((k + j * (w + 1)) % 4) * 6 * H;
        const qty = k % 6 === 1 ? 100 : 100 + ((k * 13 + j * 7 + w * 3 + (sys === 'WMS' ? 5 : 0)) % 20) + FRACTIONS[(k + j) % 5]!;
        const hasCost = sys === 'ERP' ? k % 4 < 2 : k % 4 !== 3;
        batch1.push(snap(sys, wh, sku, at, qty, hasCost ? COSTS[(k + w + j) % 5] : undefined, `${sys}-${w}-${k}-${(j * 7 + k) % 10}${j}`));
      }
    }
    // After as_of, and from systems that are not exactly "ERP" / "WMS": none of these may count.
    batch1.push(snap('WMS', wh, sku, AS_OF + 1, 99_999, 1));
    batch1.push(snap('erp', wh, sku, AS_OF - H, 12_345, 1));
    batch1.push(snap('TMS', wh, sku, AS_OF - H, 54_321, 1));
  });
});
// Money that binary floating point cannot add: 1 × 0.1 + 1 × 0.2 must be exactly 0.30.
batch1.push(snap('ERP', 'Cents-€', 'A', AS_OF - H, 10, 0.1), snap('WMS', 'Cents-€', 'A', AS_OF - H, 11));
batch1.push(snap('ERP', 'Cents-€', 'B', AS_OF - H, 10, 0.2), snap('WMS', 'Cents-€', 'B', AS_OF - H, 9));
// ERP without unit_cost: the WMS one prices the drift. Tie at the same occurred_at: greater event_id wins.
batch1.push(snap('ERP', 'Cents-€', 'C', AS_OF - H, 10), snap('WMS', 'Cents-€', 'C', AS_OF - 2 * H, 14, 2.5));
batch1.push(snap('WMS', 'Cents-€', 'C', AS_OF - H, 7, 3, 'tie-b'), snap('WMS', 'Cents-€', 'C', AS_OF - H, 6, 4, 'tie-a'));
// Re-sent ids with other quantities in a later batch: the first stored copy wins.
const batch2: Ev[] = batch1.slice(12, 60).map((e) => ({ ...e, attributes: { ...(e.attributes as object), quantity: 1_000_000 } }));

type Snap = { id: string; sys: string; wh: string; sku: string; t: number; q: bigint; cost: bigint | null };
const micros = (v: number) => BigInt(Math.round(v * 1e6));
const stored: Snap[] = [];
{
  const seen = new Set<string>();
  for (const e of [...batch1, ...batch2]) {
    const id = e.event_id as string;
    if (seen.has(id) || e.type !== 'inventory.snapshot') continue;
    seen.add(id);
    const a = e.attributes as { sku: string; quantity: number; unit_cost?: number };
    stored.push({ id, sys: e.source_system as string, wh: e.warehouse_id as string, sku: a.sku, t: Date.parse(e.occurred_at as string), q: micros(a.quantity), cost: a.unit_cost === undefined ? null : micros(a.unit_cost) });
  }
}
const ALL_WH = [...new Set([...batch1].map((e) => e.warehouse_id as string))].sort();
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const absB = (v: bigint) => (v < 0n ? -v : v);
const centsOf = (scale12: bigint) => Number((scale12 + 5_000_000_000n) / 10_000_000_000n) / 100;

function pairs(asOf: number) {
  const latest = (wh: string, sku: string, sys: string) =>
    stored.filter((s) => s.wh === wh && s.sku === sku && s.sys === sys && s.t <= asOf).sort((a, b) => b.t - a.t || cmp(b.id, a.id))[0];
  const keys = [...new Set(stored.map((s) => `${s.wh}\u0000${s.sku}`))];
  return keys.flatMap((key) => {
    const [wh, sku] = key.split('\u0000') as [string, string];
    const erp = latest(wh, sku, 'ERP');
    const wms = latest(wh, sku, 'WMS');
    if (!erp || !wms) return [];
    const drift = wms.q - erp.q;
    const cost = erp.cost ?? wms.cost;
    return [{ wh, sku, erp, wms, drift, cost, value: absB(drift) * (cost ?? 0n) }];
  });
}
function expectRow(asOf: number, wh: string | null) {
  const ps = pairs(asOf).filter((p) => wh === null || p.wh === wh);
  const mism = ps.filter((p) => p.drift !== 0n).length;
  return {
    skus_compared: ps.length,
    skus_mismatched: mism,
    mismatch_rate: ps.length ? mism / ps.length : 0,
    abs_drift_units: Number(ps.reduce((s, p) => s + absB(p.drift), 0n)) / 1e6,
    net_drift_units: Number(ps.reduce((s, p) => s + p.drift, 0n)) / 1e6,
    drift_value: centsOf(ps.reduce((s, p) => s + p.value, 0n)),
  };
}

beforeAll(async () => {
  const toLines = (evs: Ev[]) => evs.map((value, i) => ({ line: i + 1, raw: '', value }));
  expect((await ingestLines(toLines(batch1), Date.parse('2026-11-05T00:00:00Z'))).rejected).toBe(0);
  expect((await ingestLines(toLines(batch2), Date.parse('2026-11-05T00:00:00Z'))).duplicates).toBe(batch2.length);
});

async function call(handler: typeof GET, path: string, headers?: Record<string, string>) {
  const res = await handler(get(path, headers), ctx());
  return { status: res.status, body: (await res.json()) as unknown };
}
const driftCall = (qs: string, h?: Record<string, string>) => call(GET, `/api/v1/kpi/drift?${qs}`, h);
const skusCall = (qs: string, h?: Record<string, string>) => call(GET_SKUS, `/api/v1/kpi/drift/skus?${qs}`, h);

function expectClose(got: ReturnType<typeof expectRow>, e: ReturnType<typeof expectRow>) {
  const exact = (r: ReturnType<typeof expectRow>) => [r.skus_compared, r.skus_mismatched, r.drift_value];
  expect(exact(got)).toEqual(exact(e));
  expect(got.mismatch_rate).toBeCloseTo(e.mismatch_rate, 12);
  expect(got.abs_drift_units).toBeCloseTo(e.abs_drift_units, 9);
  expect(got.net_drift_units).toBeCloseTo(e.net_drift_units, 9);
}

describe('GET /api/v1/kpi/drift', () => {
  it('matches the fixture per warehouse and in total', async () => {
    const r = await driftCall(`as_of=${iso(AS_OF)}`);
    expect(r.status).toBe(200);
    const body = driftResponse.parse(r.body);
    expect(body.as_of).toBe(iso(AS_OF));
    expect(body.warehouses.map((w) => w.warehouse_id)).toEqual(ALL_WH);
    for (const wh of [null, ...ALL_WH]) {
      const got = wh === null ? body.total : body.warehouses.find((w) => w.warehouse_id === wh)!;
      expectClose(got, expectRow(AS_OF, wh));
    }
    expect(body.total.skus_mismatched).toBeGreaterThan(0);
    expect(body.total.skus_mismatched).toBeLessThan(body.total.skus_compared);
  });

  it('reproduces the metrics.md worked example at 2026-10-15T00:00:00Z', async () => {
    const body = driftResponse.parse((await driftCall('as_of=2026-10-15T00:00:00Z&warehouse=DC-ATL')).body);
    expect(body.total).toEqual({ skus_compared: 1, skus_mismatched: 1, mismatch_rate: 1, abs_drift_units: 12, net_drift_units: -12, drift_value: 220.8 });
    // Before the WMS snapshot there is nothing to compare.
    const before = driftResponse.parse((await driftCall('as_of=2026-10-14T23:02:00Z&warehouse=DC-ATL')).body);
    expect(before.total.skus_compared).toBe(0);
  });

  it('sums 0.1 + 0.2 exactly, prices with the WMS cost when ERP has none, breaks ties by event_id', async () => {
    const body = driftResponse.parse((await driftCall(`as_of=${iso(AS_OF)}&warehouse=${encodeURIComponent('Cents-€')}`)).body);
    // A: 1 × 0.1, B: 1 × 0.2, C: |7 − 10| × 3 (tie-b beats tie-a; ERP has no cost, so WMS's 3 prices it).
    expect(body.total.drift_value).toBe(9.3);
    expect(expectRow(AS_OF, 'Cents-€').drift_value).toBe(9.3);
    const skus = driftSkusResponse.parse((await skusCall(`as_of=${iso(AS_OF)}&warehouse=${encodeURIComponent('Cents-€')}`)).body);
    expect(skus.items.map((i) => [i.sku, i.wms_quantity, i.unit_cost, i.drift_value])).toEqual([
      ['C', 7, 3, 9],
      ['B', 9, 0.2, 0.2],
      ['A', 11, 0.1, 0.1],
    ]);
  });

  it('an as_of before every snapshot gives zeros, rows still listed', async () => {
    const body = driftResponse.parse((await driftCall('as_of=2020-01-01')).body);
    expect(body.total).toEqual({ skus_compared: 0, skus_mismatched: 0, mismatch_rate: 0, abs_drift_units: 0, net_drift_units: 0, drift_value: 0 });
    expect(body.warehouses).toHaveLength(ALL_WH.length);
  });

  it('lists exactly the requested warehouses, hostile ids included', async () => {
    const body = driftResponse.parse((await driftCall(`as_of=${iso(AS_OF)}&warehouse=${encodeURIComponent(WH[0])}&warehouse=NO-DATA`)).body);
    expect(body.warehouses.map((w) => w.warehouse_id)).toEqual(['NO-DATA', WH[0]].sort());
    expectClose(body.total, expectRow(AS_OF, WH[0]));
  });

  it('400 for a bad as_of, 401 without a token, 403 for the ingest token', async () => {
    expect((await driftCall('as_of=later')).status).toBe(400);
    expect((await driftCall('', {})).status).toBe(401);
    expect((await driftCall('', INGEST)).status).toBe(403);
  });
});

describe('GET /api/v1/kpi/drift/skus', () => {
  function expectedItems(asOf: number, wh: string | null) {
    return pairs(asOf)
      .filter((p) => p.drift !== 0n && (wh === null || p.wh === wh))
      .sort((a, b) => (a.value === b.value ? cmp(a.wh, b.wh) || cmp(a.sku, b.sku) : a.value > b.value ? -1 : 1))
      .map((p) => ({
        warehouse_id: p.wh, sku: p.sku,
        erp_quantity: Number(p.erp.q) / 1e6, wms_quantity: Number(p.wms.q) / 1e6, drift: Number(p.drift) / 1e6,
        unit_cost: p.cost === null ? null : Number(p.cost) / 1e6, drift_value: centsOf(p.value),
        erp_at: iso(p.erp.t), wms_at: iso(p.wms.t),
      }));
  }

  it('lists mismatched SKUs worst first with both snapshots', async () => {
    const r = await skusCall(`as_of=${iso(AS_OF)}&limit=1000`);
    expect(r.status).toBe(200);
    const body = driftSkusResponse.parse(r.body);
    expect(body.as_of).toBe(iso(AS_OF));
    expect(body.items).toEqual(expectedItems(AS_OF, null));
    // Zero-cost drifts (neither snapshot priced) are listed last, by warehouse then sku.
    expect(body.items.some((i) => i.unit_cost === null)).toBe(true);
  });

  it('honours limit and the warehouse filter', async () => {
    const body = driftSkusResponse.parse((await skusCall(`as_of=${iso(AS_OF)}&limit=4&warehouse=${encodeURIComponent(WH[1])}`)).body);
    expect(body.items).toEqual(expectedItems(AS_OF, WH[1]).slice(0, 4));
    const ex = driftSkusResponse.parse((await skusCall('as_of=2026-10-15T00:00:00Z&warehouse=DC-ATL')).body);
    expect(ex.items).toEqual([{
      warehouse_id: 'DC-ATL', sku: 'SKU-1042', erp_quantity: 340, wms_quantity: 328, drift: -12, unit_cost: 18.4,
      drift_value: 220.8, erp_at: '2026-10-14T23:00:00.000Z', wms_at: '2026-10-14T23:05:00.000Z',
    }]);
  });

  it('400 for a bad limit or as_of, 401 without a token, 403 for the ingest token', async () => {
    for (const l of ['0', '1001', 'x', '1e2']) expect((await skusCall(`limit=${l}`)).status).toBe(400);
    expect((await skusCall('as_of=2026-09-20T12:00:00')).status).toBe(400);
    expect((await skusCall('', {})).status).toBe(401);
    expect((await skusCall('', INGEST)).status).toBe(403);
  });
});
