import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ingestLines } from '@/ingest/pipeline';
import { repairLookups } from '@/ingest/recovery';
import { driftCauses, type CauseMovement, type DriftCauseSku, type DriftCausesResponse } from '@/lib/kpi/drift-causes';
import type { QueryScope } from '@/lib/scope';
import { command, p, query, sql, unsafeRaw } from '@/lib/store';
import { bothWays, H, iso, T0, useRollupTestStore, WH, withStatements } from '../helpers/rollups';

/**
 * Drift causes (metrics.md §9) from the stock_movements and sync_latest rollups (0014) equal the raw answer
 * (CT_FORCE_RAW=1) and the answer computed here from the fixture, at several as_of values, scopes and SKU
 * filters: ties on observed_at, a later delivery that clears a failure, an as_of before a later message
 * (those keys are read raw), the edges of the 7-day window, duplicate rows in `events`, a view part lost in
 * a crash then repaired, and merges.
 */
useRollupTestStore();
const D = 24 * H;
const AS = T0 + 20 * D;
const ALL: QueryScope = { warehouses: null };
const SCOPES: QueryScope[] = [ALL, { warehouses: [WH[1]] }, { warehouses: [WH[0], WH[2]] }];
const MOVES = ['receipt.posted', 'transfer.received', 'return.received', 'shipment.confirmed', 'transfer.shipped', 'inventory.adjusted'] as const;
const OUT = new Set(['shipment.confirmed', 'transfer.shipped']);

type Ev = { event_id: string; type: string; occurred_at: string; warehouse_id: string; source_system: string; correlation_id: string } & Record<string, unknown> & {
  attributes: Record<string, unknown>;
};
const snap = (id: string, wh: string, sku: string, sys: string, at: number, quantity: number, unit_cost?: number): Ev => ({
  event_id: id, type: 'inventory.snapshot', occurred_at: iso(at), source_system: sys, warehouse_id: wh, correlation_id: `INV-${wh}-${sku}`,
  workflow: 'inventory', attributes: { sku, quantity, ...(unit_cost === undefined ? {} : { unit_cost }) },
});
const move = (id: string, type: string, wh: string, sku: string, at: number, quantity: number | undefined, sys: string, corr: string): Ev => ({
  event_id: id, type, occurred_at: iso(at), source_system: sys, warehouse_id: wh, correlation_id: corr, workflow: 'inventory',
  attributes: { sku, ...(quantity === undefined ? {} : { quantity }) },
});
const msg = (id: string, wh: string, corr: string, sys: string, status: string, observed: number, error?: string): Ev => ({
  event_id: id, type: 'sync.message', occurred_at: iso(observed - 60_000), observed_at: iso(observed), source_system: sys, target_system: sys === 'ERP' ? 'WMS' : 'ERP',
  warehouse_id: wh, correlation_id: corr, workflow: 'inventory', attributes: { status, interface: `if-${sys}`, ...(error === undefined ? {} : { error }) },
});

/** Named cases (checked by name below) at WH[0], SKU 'K', drift +40 against the cases' units. */
function cases(): Ev[] {
  const w = WH[0];
  return [
    snap('k-erp', w, 'K', 'ERP', AS - 2 * H, 100, 2.5),
    snap('k-wms', w, 'K', 'WMS', AS - 2 * H, 140),
    // Same observed_at: the greater event_id wins (b failed beats a delivered; b delivered beats a failed).
    move('k-tie1', 'receipt.posted', w, 'K', AS - 3 * D, 5, 'WMS', 'K-T1'),
    msg('k-t1-a', w, 'K-T1', 'WMS', 'delivered', AS - 3 * D + H), msg('k-t1-b', w, 'K-T1', 'WMS', 'failed', AS - 3 * D + H, 'HTTP 500'),
    move('k-tie2', 'receipt.posted', w, 'K', AS - 3 * D, 7, 'WMS', 'K-T2'),
    msg('k-t2-a', w, 'K-T2', 'WMS', 'failed', AS - 3 * D + H), msg('k-t2-b', w, 'K-T2', 'WMS', 'delivered', AS - 3 * D + H),
    // A later delivery clears an earlier failure; a later failure overrides an earlier delivery.
    move('k-clear', 'receipt.posted', w, 'K', AS - 2 * D, 11, 'WMS', 'K-C'),
    msg('k-c-1', w, 'K-C', 'WMS', 'dead_lettered', AS - 2 * D + H, 'max retries'), msg('k-c-2', w, 'K-C', 'WMS', 'delivered', AS - 2 * D + 2 * H),
    move('k-fail', 'shipment.confirmed', w, 'K', AS - 2 * D, 3, 'WMS', 'K-F'),
    msg('k-f-1', w, 'K-F', 'WMS', 'delivered', AS - 2 * D + H), msg('k-f-2', w, 'K-F', 'WMS', 'failed', AS - 2 * D + 2 * H, 'schema'),
    // At AS the latest is the failure (the delivery is observed after AS: the rollup's latest is too late, raw answers).
    move('k-later', 'receipt.posted', w, 'K', AS - D, 13, 'WMS', 'K-L'),
    msg('k-l-1', w, 'K-L', 'WMS', 'failed', AS - H, 'timeout'), msg('k-l-2', w, 'K-L', 'WMS', 'delivered', AS + H),
    // Its only message is after AS: at AS it has none.
    move('k-only-later', 'receipt.posted', w, 'K', AS - D, 17, 'WMS', 'K-OL'),
    msg('k-ol-1', w, 'K-OL', 'WMS', 'failed', AS + H),
    // The window (AS − 7 d, AS]: exactly AS − 7 d is out, a millisecond later in, AS in, AS + 1 ms out.
    move('k-w-out', 'receipt.posted', w, 'K', AS - 7 * D, 19, 'WMS', 'K-W1'), msg('k-w1', w, 'K-W1', 'WMS', 'failed', AS - 7 * D + H),
    move('k-w-in', 'receipt.posted', w, 'K', AS - 7 * D + 1, 23, 'WMS', 'K-W2'), msg('k-w2', w, 'K-W2', 'WMS', 'failed', AS - 7 * D + H),
    move('k-w-now', 'inventory.adjusted', w, 'K', AS, -2, 'ERP', 'K-W3'), msg('k-w3', w, 'K-W3', 'ERP', 'dead_lettered', AS),
    move('k-w-next', 'receipt.posted', w, 'K', AS + 1, 29, 'WMS', 'K-W4'), msg('k-w4', w, 'K-W4', 'WMS', 'failed', AS - H),
    // No interface, and an error with the characters a packed record must carry.
    move('k-noif', 'return.received', w, 'K', AS - 6 * D, 1, 'WMS', 'K-N'),
    { ...msg('k-n', w, 'K-N', 'WMS', 'failed', AS - 6 * D + H), attributes: { status: 'failed', error: 'a=b "c" ü =' } },
  ];
}

/** A population: 3 warehouses × 5 SKUs, movements of every type and source over 10 days, messages on coarse times (ties). */
function population(): Ev[] {
  let seed = 11;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0), Math.floor((seed / 2 ** 32) * n));
  const out: Ev[] = [];
  for (const [w, wh] of WH.entries()) {
    for (let s = 0; s < 5; s++) {
      const sku = `S-${s}`;
      for (const [k, at] of [AS - 5 * D, AS - 3 * H].entries()) {
        out.push(snap(`p-erp-${w}-${s}-${k}`, wh, sku, 'ERP', at, 50 + rnd(5), s === 4 ? undefined : 1 + s));
        out.push(snap(`p-wms-${w}-${s}-${k}`, wh, sku, 'WMS', at + (k ? 0 : H), 50 + rnd(5), s === 3 ? 0.5 : undefined));
      }
    }
  }
  for (let i = 0; i < 420; i++) {
    const wh = WH[i % 3]!;
    const corr = `PC-${i % 120}`; // correlations shared by several movements
    const sys = ['WMS', 'WMS', 'ERP', 'TMS'][rnd(4)]!;
    const at = AS - 9 * D + rnd(40) * 6 * H; // some before the window, some after AS
    out.push(move(`p-mv-${String(i).padStart(3, '0')}`, MOVES[rnd(MOVES.length)]!, wh, `S-${rnd(5)}`, at, rnd(6) === 0 ? undefined : rnd(30) - 5, sys, corr));
    for (let m = rnd(4); m > 0; m--) {
      const status = ['delivered', 'failed', 'dead_lettered', 'retried', 'failed'][rnd(5)]!;
      out.push(msg(`p-m-${i}-${m}`, rnd(5) === 0 ? WH[(i + 1) % 3]! : wh, corr, rnd(4) === 0 ? 'ERP' : sys, status, at + rnd(8) * 6 * H, rnd(2) ? `err ${i}` : undefined));
    }
  }
  return out;
}

// ---- the answer of metrics.md §4 and §9, computed here from the fixture ----
const ms = (e: Ev, f: 'occurred_at' | 'observed_at' = 'occurred_at') => Date.parse(String(e[f] ?? e.occurred_at));
const later = (a: Ev, b: Ev, f: 'occurred_at' | 'observed_at') => ms(a, f) > ms(b, f) || (ms(a, f) === ms(b, f) && a.event_id > b.event_id);
const latestOf = (xs: Ev[], f: 'occurred_at' | 'observed_at') => xs.reduce<Ev | undefined>((best, e) => (!best || later(e, best, f) ? e : best), undefined);

function expected(evs: Ev[], scope: QueryScope, asOf: number, sku: string | null): DriftCausesResponse {
  const inScope = (wh: string) => scope.warehouses === null || scope.warehouses.includes(wh);
  const pairs = new Map<string, { wh: string; sku: string; drift: number; value: number }>();
  for (const key of new Set(evs.filter((e) => e.type === 'inventory.snapshot').map((e) => `${e.warehouse_id}\u0000${String(e.attributes.sku)}`))) {
    const [wh, s] = key.split('\u0000') as [string, string];
    if (!inScope(wh) || (sku !== null && s !== sku)) continue;
    const of = (sys: string) => latestOf(evs.filter((e) => e.type === 'inventory.snapshot' && e.warehouse_id === wh && e.attributes.sku === s && e.source_system === sys && ms(e) <= asOf), 'occurred_at');
    const [erp, wms] = [of('ERP'), of('WMS')];
    if (!erp || !wms) continue;
    const drift = Number(wms.attributes.quantity) - Number(erp.attributes.quantity);
    const cost = Number(erp.attributes.unit_cost ?? wms.attributes.unit_cost ?? 0);
    if (drift !== 0) pairs.set(key, { wh, sku: s, drift, value: Math.abs(drift) * cost });
  }
  const order = [...pairs.values()].sort((a, b) => b.value - a.value || (a.wh < b.wh ? -1 : a.wh > b.wh ? 1 : 0) || (a.sku < b.sku ? -1 : 1));
  return {
    as_of: iso(asOf),
    skus: order.map(({ wh, sku: s, drift }): DriftCauseSku => {
      const moves = evs
        .filter((e) => e.warehouse_id === wh && e.attributes.sku === s && (MOVES as readonly string[]).includes(e.type) && ms(e) > asOf - 7 * D && ms(e) <= asOf)
        .sort((a, b) => ms(a) - ms(b) || (a.event_id < b.event_id ? -1 : 1));
      const listed = moves.flatMap((mv): CauseMovement[] => {
        const m = latestOf(evs.filter((e) => e.type === 'sync.message' && e.correlation_id === mv.correlation_id && e.warehouse_id === wh && e.source_system === mv.source_system && ms(e, 'observed_at') <= asOf), 'observed_at');
        const status = m?.attributes.status as string | undefined;
        if (!m || (status !== 'failed' && status !== 'dead_lettered')) return [];
        const q = Number(mv.attributes.quantity ?? 0) * (OUT.has(mv.type) ? -1 : 1);
        return [{
          event_id: mv.event_id, type: mv.type, correlation_id: mv.correlation_id, occurred_at: iso(ms(mv)), signed_quantity: q + 0, source_system: mv.source_system,
          message: { status, interface: (m.attributes.interface as string | undefined) ?? null, error: (m.attributes.error as string | undefined) ?? null, observed_at: iso(ms(m, 'observed_at')) },
        }];
      });
      const units = listed.reduce((t, x) => t + (x.source_system === 'WMS' ? x.signed_quantity : x.source_system === 'ERP' ? -x.signed_quantity : 0), 0) + 0;
      return { warehouse_id: wh, sku: s, drift_units: drift, unsynced_movements: listed.length, unsynced_units: units, explained: units === drift, movements: listed };
    }),
  };
}

const ingested: Ev[] = [];
async function ingest(evs: Ev[]) {
  for (let i = 0; i < evs.length; i += 40) {
    const r = await ingestLines(evs.slice(i, i + 40).map((value, j) => ({ line: j + 1, raw: '', value })), Date.now());
    expect(r.rejected).toBe(0);
    ingested.push(...evs.slice(i, i + 40));
  }
}

const AS_OFS = [AS, AS - 13 * H, AS + 2 * D, AS + 9 * D];
const names = (statements: string[], t: string) => statements.some((s) => new RegExp(`\\b${t}\\b`).test(s));

/** Every as_of × scope × SKU filter: rollup == raw == the fixture's answer; returns how many movements were listed. */
async function expectRollupEqualsRaw(): Promise<number> {
  let listed = 0;
  for (const asOf of AS_OFS) {
    for (const scope of SCOPES) {
      for (const sku of [null, 'S-1', 'K']) {
        const r = await bothWays(() => withStatements(() => driftCauses(scope, { asOf, sku })));
        const want = expected(ingested, scope, asOf, sku);
        expect(r.raw.value, `raw ${iso(asOf)} ${String(scope.warehouses)} ${sku}`).toEqual(want);
        expect(r.rollup.value, `rollup ${iso(asOf)} ${String(scope.warehouses)} ${sku}`).toEqual(want);
        listed += want.skus.reduce((t, x) => t + x.unsynced_movements, 0);
        for (const t of ['stock_movements', 'sync_latest']) {
          expect(names(r.raw.statements, t)).toBe(false);
          if (want.skus.length > 0) expect(names(r.rollup.statements, t), `${iso(asOf)}: from ${t}`).toBe(true);
        }
      }
    }
  }
  return listed;
}

const countRow = z.object({ n: z.number() });
const count = async (q: string) => (await query(unsafeRaw(q), countRow, { name: 't' }))[0]!.n;

describe('drift causes from stock_movements and sync_latest == raw', { timeout: 300_000 }, () => {
  it('the named cases, then a population, ingested in small batches', async () => {
    await ingest(cases());
    const k = (asOf: number) => driftCauses({ warehouses: [WH[0]] }, { asOf, sku: 'K' });
    const atAs = await withStatements(() => k(AS));
    // At AS: the tie winners, the failure after a delivery, the failure whose delivery came later (read raw:
    // the statements name correlation_index), and the window's inner edges.
    expect(atAs.value.skus[0]!.movements.map((m) => [m.event_id, m.message.status])).toEqual([
      ['k-w-in', 'failed'], ['k-noif', 'failed'], ['k-tie1', 'failed'], ['k-fail', 'failed'], ['k-later', 'failed'], ['k-w-now', 'dead_lettered'],
    ]);
    expect(atAs.value.skus[0]!.movements[1]!.message).toEqual({ status: 'failed', interface: null, error: 'a=b "c" ü =', observed_at: iso(AS - 6 * D + H) });
    expect(names(atAs.statements, 'correlation_index')).toBe(true);
    // After every message: k-later is cleared, and no key needs raw events.
    const after = await withStatements(() => k(AS + 2 * D));
    expect(after.value.skus[0]!.movements.map((m) => m.event_id)).toEqual(['k-tie1', 'k-fail', 'k-only-later', 'k-w-now', 'k-w-next']);
    expect(names(after.statements, 'correlation_index')).toBe(false);
    expect(names(after.statements, 'stock_movements')).toBe(true);
    expect((await k(AS + 1)).skus[0]!.movements.map((m) => m.event_id)).toEqual(['k-noif', 'k-tie1', 'k-fail', 'k-later', 'k-w-now', 'k-w-next']);

    await ingest(population());
    expect(await expectRollupEqualsRaw()).toBeGreaterThan(400); // real populations (820 listed over every read)
  });

  it('after a replayed block: movements and messages twice in events', async () => {
    const ids = ingested.filter((e, i) => i % 4 === 0 && (e.type === 'sync.message' || (MOVES as readonly string[]).includes(e.type))).map((e) => e.event_id);
    await command(sql`INSERT INTO events SELECT * FROM events WHERE event_id IN ${p.strs(ids)}`);
    expect(await count('SELECT count() - uniqExact(event_id) AS n FROM events')).toBeGreaterThan(10);
    await expectRollupEqualsRaw();
  });

  it('after a view part lost in a crash, once the startup repair ran', async () => {
    const target = expected(ingested, ALL, AS, null).skus.find((x) => x.sku !== 'K')!;
    const lost = [
      move('lost-mv', 'receipt.posted', target.warehouse_id, target.sku, AS - D, 4, 'WMS', 'LOST'),
      msg('lost-m', target.warehouse_id, 'LOST', 'WMS', 'dead_lettered', AS - D + H),
    ];
    for (const v of ['stock_movements_mv', 'sync_latest_mv']) await command(unsafeRaw(`DETACH TABLE ${v}`));
    try {
      await ingest(lost);
    } finally {
      for (const v of ['stock_movements_mv', 'sync_latest_mv']) await command(unsafeRaw(`ATTACH TABLE ${v}`));
    }
    const ids = async () => (await driftCauses(ALL, { asOf: AS, sku: target.sku })).skus.flatMap((s) => s.movements.map((m) => m.event_id));
    // The loss is visible before the repair (so this test exercises something) …
    expect(expected(ingested, ALL, AS, target.sku).skus.flatMap((s) => s.movements.map((m) => m.event_id))).toContain('lost-mv');
    expect(await ids()).not.toContain('lost-mv');
    await repairLookups(Date.now());
    expect(await ids()).toContain('lost-mv');
    await expectRollupEqualsRaw();
  });

  it('after merges collapse both rollups', async () => {
    await command(unsafeRaw('OPTIMIZE TABLE stock_movements FINAL'));
    await command(unsafeRaw('OPTIMIZE TABLE sync_latest FINAL'));
    expect(await count('SELECT count() - uniqExact(event_id) AS n FROM stock_movements')).toBe(0);
    expect(await count('SELECT count() - uniqExact(correlation_id, warehouse_id, source_system) AS n FROM sync_latest')).toBe(0);
    await expectRollupEqualsRaw();
  });
});
