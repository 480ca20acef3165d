import { beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/v1/kpi/sync-lag/hints/route';
import { ingestLines } from '@/ingest/pipeline';
import { refreshSyncRollupFully } from '@/ingest/rollups';
import { syncLagHints, syncLagHintsResponse, type SyncLagHintsResponse } from '@/lib/kpi/sync-lag-hints';
import { syncMessage } from '../helpers/fixtures';
import { ctx, get, INGEST } from '../helpers/http';
import { bothWays, H, iso, T0, useRollupTestStore } from '../helpers/rollups';

/**
 * metrics.md §10. The fixture is a list of messages; the expected hints are computed below from that
 * list (and, for the cases that matter, written out by hand), never by the code under test. Every read
 * is made both ways: from the hourly rollup where it is current, and raw.
 */
useRollupTestStore();

const DAY = 24 * H;
const FROM = T0 + 10 * DAY; // window [FROM, TO), previous [FROM − 1 d, FROM)
const TO = FROM + DAY;
const PREV = FROM - DAY;
const LATER = TO + 30 * DAY;
const SLO_S = 300;

type Status = 'delivered' | 'failed' | 'retried' | 'dead_lettered';
interface Msg {
  id: string;
  wh: string;
  src: string;
  tgt: string;
  iface: string | null;
  status: Status;
  observed: number;
  lagMs: number;
}

const fixture: Msg[] = [];
let seq = 0;
/** `n` messages of one group observed from `at` on, a minute apart. */
function add(wh: string, route: [string, string, string | null], n: number, over: { status?: Status; lagMs?: number; at?: number } = {}) {
  const [src, tgt, iface] = route;
  for (let i = 0; i < n; i++) {
    const observed = over.at !== undefined ? over.at + i * 60_000 : FROM + 2 * H + i * 60_000 + (seq % 50) * 1000;
    fixture.push({ id: `h-${seq++}`, wh, src, tgt, iface, status: over.status ?? 'delivered', observed, lagMs: over.lagMs ?? 20_000 });
  }
}
const OVER = 301_000; // above the 300 s SLO; exactly 300 s is not (strict)

// A-TIES: four groups (a fourth qualifying one is left out) with one over-SLO message each (25 % each, all qualify): the names decide, by
// UTF-16 code units (uppercase before lowercase, a surrogate pair before U+FF49), null interface last.
const A = 'A-TIES';
add(A, ['erp', 'EDI', 'edi_810'], 1, { lagMs: OVER });
add(A, ['ERP', 'EDI', null], 1, { lagMs: OVER });
add(A, ['ERP', 'EDI', 'ｉface'], 1, { lagMs: OVER }); // U+FF49: after 😀 in UTF-16, before it by code point
add(A, ['ERP', 'EDI', '😀iface'], 1, { lagMs: OVER });
add(A, ['ERP', 'EDI', 'edi_810'], 5); // under the SLO: share 0, no failures

// B-SHARE: 8 over-SLO messages. 3/8 first; two at exactly 2/8 = 25 % (qualify), the one with failures
// ahead; 1/8 does not qualify by share, and its failure rate is exactly twice the previous one.
const B = 'B-SHARE';
add(B, ['WMS', 'ERP', 'pick_events'], 3, { lagMs: OVER });
add(B, ['WMS', 'ERP', 'pick_events'], 7, { lagMs: 300_000 }); // exactly the SLO: not over
add(B, ['WMS', 'ERP', 'receipt_api'], 2, { lagMs: OVER });
add(B, ['WMS', 'ERP', 'receipt_api'], 2);
add(B, ['ECOM', 'ERP', 'order_api'], 2, { lagMs: OVER });
add(B, ['ECOM', 'ERP', 'order_api'], 1, { status: 'failed' });
add(B, ['ECOM', 'ERP', 'order_api'], 1);
add(B, ['ERP', 'TMS', 'shipment_api'], 1, { lagMs: OVER });
add(B, ['ERP', 'TMS', 'shipment_api'], 7);
add(B, ['ERP', 'TMS', 'shipment_api'], 2, { status: 'failed' }); // 2/10 = 20 %
add(B, ['ERP', 'TMS', 'shipment_api'], 9, { at: PREV + H });
add(B, ['ERP', 'TMS', 'shipment_api'], 1, { at: PREV + H, status: 'dead_lettered' }); // 1/10 = 10 %: exactly 2× → no

// C-FAIL: no over-SLO message at all (share 0 for every group): only the failure-rate rule can name one.
const C = 'C-FAIL';
add(C, ['WMS', 'ERP', 'f5'], 19);
add(C, ['WMS', 'ERP', 'f5'], 1, { status: 'failed' }); // 1/20 = 5 %, no previous message → previous 0: qualifies
add(C, ['WMS', 'ERP', 'f4'], 24);
add(C, ['WMS', 'ERP', 'f4'], 1, { status: 'failed' }); // 4 %: no
add(C, ['WMS', 'ERP', 'f30'], 7, { lagMs: 300_000 });
add(C, ['WMS', 'ERP', 'f30'], 3, { status: 'failed' }); // 30 % > 2 × 10 %
add(C, ['WMS', 'ERP', 'f30'], 9, { at: PREV });
add(C, ['WMS', 'ERP', 'f30'], 1, { at: PREV, status: 'failed' });
add(C, ['WMS', 'ERP', 'dl'], 2, { status: 'retried' }); // retried is not a failure
add(C, ['WMS', 'ERP', 'dl'], 1);
add(C, ['WMS', 'ERP', 'dl'], 1, { status: 'dead_lettered' }); // 1/4 = 25 % > 2 × 10 %
add(C, ['WMS', 'ERP', 'dl'], 9, { at: PREV + 3 * H });
add(C, ['WMS', 'ERP', 'dl'], 1, { at: PREV + 3 * H, status: 'failed' });
add(C, ['WMS', 'ERP', 'gone'], 5, { at: PREV + 5 * H, status: 'failed' }); // only in the previous window: no suspect

// D-EDGES: the window is half-open at both ends; the previous window too.
const D = 'D-EDGES';
add(D, ['WMS', 'ERP', 'in'], 1, { at: FROM, lagMs: OVER }); // at `from`: in
add(D, ['WMS', 'ERP', 'in'], 3, { at: TO - 1 }); // just before `to`: in (one; the others fall at/after `to`)
add(D, ['WMS', 'ERP', 'out'], 1, { at: TO, lagMs: OVER, status: 'delivered' }); // at `to`: out
add(D, ['WMS', 'ERP', 'prev'], 1, { at: PREV, status: 'failed' }); // at from − span: previous window
add(D, ['WMS', 'ERP', 'prev'], 1, { at: FROM - 1 }); // the previous window's last ms
add(D, ['WMS', 'ERP', 'prev'], 1, { at: PREV + H });
add(D, ['WMS', 'ERP', 'prev'], 1, { at: PREV - 1, status: 'failed' }); // before it: neither
add(D, ['WMS', 'ERP', 'prev'], 1, { at: FROM + 5 * H, status: 'failed' }); // 1/1 = 100 % > 2 × 1/3

// E-MAX: five qualifying groups (failure rates 1/2 … 1/6, nothing before); only the three worst are shown.
const E = 'E-MAX';
for (const i of [0, 1, 2, 3, 4]) {
  add(E, ['WMS', 'ERP', `i${i}`], i + 1);
  add(E, ['WMS', 'ERP', `i${i}`], 1, { status: 'failed' });
}

// F-OLD: events only long before the windows: listed, no hint.
add('F-OLD', ['WMS', 'ERP', 'x'], 2, { at: T0, lagMs: OVER, status: 'failed' });

const events = fixture.map((m) =>
  syncMessage(
    { event_id: m.id, warehouse_id: m.wh, source_system: m.src, target_system: m.tgt, occurred_at: iso(m.observed - m.lagMs), observed_at: iso(m.observed) },
    { status: m.status, interface: m.iface ?? undefined },
  ),
);
for (const e of events) {
  const a = e.attributes as Record<string, unknown>;
  if (a.interface === undefined) delete a.interface;
}

/** The reference: §10 over the fixture list, with plain JS (strings compared with `<`). */
function expected(warehouses: readonly string[], from = FROM, to = TO) {
  const prevFrom = from - (to - from);
  const cmp = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  return warehouses.map((wh) => {
    const key = (m: Msg) => JSON.stringify([m.src, m.tgt, m.iface]);
    const cur = fixture.filter((m) => m.wh === wh && m.observed >= from && m.observed < to);
    const prev = fixture.filter((m) => m.wh === wh && m.observed >= prevFrom && m.observed < from);
    const over = (m: Msg) => m.status === 'delivered' && m.lagMs > SLO_S * 1000;
    const fail = (m: Msg) => m.status === 'failed' || m.status === 'dead_lettered';
    const totalOver = cur.filter(over).length;
    const groups = [...new Set(cur.map(key))].map((k) => {
      const [src, tgt, iface] = JSON.parse(k) as [string, string, string | null];
      const g = cur.filter((m) => key(m) === k);
      const p = prev.filter((m) => key(m) === k);
      return {
        source_system: src,
        target_system: tgt,
        interface: iface,
        share_over_slo: totalOver ? g.filter(over).length / totalOver : 0,
        failure_rate: g.filter(fail).length / g.length,
        previous_failure_rate: p.length ? p.filter(fail).length / p.length : 0,
      };
    });
    const hints = groups
      .filter((h) => h.share_over_slo >= 0.25 || (h.failure_rate >= 0.05 && h.failure_rate > 2 * h.previous_failure_rate))
      .sort(
        (a, b) =>
          b.share_over_slo - a.share_over_slo ||
          b.failure_rate - a.failure_rate ||
          cmp(a.source_system, b.source_system) ||
          cmp(a.target_system, b.target_system) ||
          cmp(a.interface, b.interface),
      )
      .slice(0, 3);
    return { warehouse_id: wh, hints };
  });
}

const ALL_WH = [A, B, C, D, E, 'F-OLD'];
const names = (r: SyncLagHintsResponse, wh: string) =>
  r.warehouses.find((w) => w.warehouse_id === wh)!.hints.map((h) => `${h.source_system}>${h.target_system}>${h.interface ?? 'null'}`);

async function read(opts: { from?: number; to?: number; requested?: string[]; scope?: string[] | null } = {}) {
  const r = await bothWays(() => syncLagHints({ warehouses: opts.scope ?? null }, { from: opts.from ?? FROM, to: opts.to ?? TO, requested: opts.requested ?? [] }));
  expect(r.rollup).toEqual(r.raw);
  return syncLagHintsResponse.parse(r.rollup);
}

beforeAll(async () => {
  const lines = events.map((value, i) => ({ line: i + 1, raw: '', value }));
  await ingestLines(lines, LATER);
  // The same events again in a later batch (duplicates must not count), then the rollup is built.
  await ingestLines(lines.slice(0, 60), LATER);
  expect(await refreshSyncRollupFully(SLO_S * 1000, LATER)).toBeGreaterThan(0);
}, 120_000);

describe('sync-lag hints (metrics.md §10)', { timeout: 120_000 }, () => {
  it('every warehouse in scope is listed, and the hints match the reference computed from the fixture', async () => {
    const r = await read();
    expect(r.from).toBe(iso(FROM));
    expect(r.to).toBe(iso(TO));
    expect(r.warehouses).toEqual(expected([...ALL_WH].sort()));
  });

  it('ties: equal shares rank by names in UTF-16 order, a null interface last; at most 3', async () => {
    const r = await read();
    expect(names(r, A)).toEqual(['ERP>EDI>😀iface', 'ERP>EDI>ｉface', 'ERP>EDI>null']);
    for (const h of r.warehouses.find((w) => w.warehouse_id === A)!.hints) expect(h.share_over_slo).toBe(0.25);
    expect(names(r, E)).toEqual(['WMS>ERP>i0', 'WMS>ERP>i1', 'WMS>ERP>i2']);
  });

  it('25 % qualifies; an equal share ranks by failure rate; exactly 2 × the previous rate does not', async () => {
    const b = (await read()).warehouses.find((w) => w.warehouse_id === B)!;
    expect(b.hints).toEqual([
      { source_system: 'WMS', target_system: 'ERP', interface: 'pick_events', share_over_slo: 3 / 8, failure_rate: 0, previous_failure_rate: 0 },
      { source_system: 'ECOM', target_system: 'ERP', interface: 'order_api', share_over_slo: 2 / 8, failure_rate: 1 / 4, previous_failure_rate: 0 },
      { source_system: 'WMS', target_system: 'ERP', interface: 'receipt_api', share_over_slo: 2 / 8, failure_rate: 0, previous_failure_rate: 0 },
    ]);
  });

  it('no over-SLO message: share 0 everywhere; the failure-rate rule alone names groups', async () => {
    const c = (await read()).warehouses.find((w) => w.warehouse_id === C)!;
    expect(c.hints).toEqual([
      { source_system: 'WMS', target_system: 'ERP', interface: 'f30', share_over_slo: 0, failure_rate: 3 / 10, previous_failure_rate: 1 / 10 },
      { source_system: 'WMS', target_system: 'ERP', interface: 'dl', share_over_slo: 0, failure_rate: 1 / 4, previous_failure_rate: 1 / 10 },
      { source_system: 'WMS', target_system: 'ERP', interface: 'f5', share_over_slo: 0, failure_rate: 1 / 20, previous_failure_rate: 0 },
    ]);
  });

  it('both windows are half-open', async () => {
    const d = (await read()).warehouses.find((w) => w.warehouse_id === D)!;
    expect(d.hints).toEqual([
      { source_system: 'WMS', target_system: 'ERP', interface: 'in', share_over_slo: 1, failure_rate: 0, previous_failure_rate: 0 },
      { source_system: 'WMS', target_system: 'ERP', interface: 'prev', share_over_slo: 0, failure_rate: 1, previous_failure_rate: 1 / 3 },
    ]);
    // A window whose `from` is the old `to`: the message at `to` is now in, the previous window is the old one.
    const next = await read({ from: TO, to: TO + DAY, requested: [D] });
    expect(next.warehouses).toEqual(expected([D], TO, TO + DAY));
    expect(names(next, D)).toEqual(['WMS>ERP>out']);
  });

  it('windows off whole hours read raw around the rollup and agree with the reference', async () => {
    for (const [from, to] of [[FROM + 1234, TO - 777], [FROM + 30 * 60_000, FROM + 5 * H + 1]] as const) {
      expect((await read({ from, to })).warehouses).toEqual(expected([...ALL_WH].sort(), from, to));
    }
  });

  it('requested warehouses are listed exactly (hints [] without data); scope narrows the list', async () => {
    const r = await read({ requested: [C, 'NO-DATA'], scope: [C, 'NO-DATA'] });
    expect(r.warehouses).toEqual(expected(['NO-DATA', C].sort()));
    expect(r.warehouses.find((w) => w.warehouse_id === 'NO-DATA')!.hints).toEqual([]);
    const scoped = await read({ scope: [A, 'F-OLD'] });
    expect(scoped.warehouses).toEqual(expected([A, 'F-OLD']));
  });

  it('the endpoint: 200 with the same answer, 400 for bad parameters, 401/403', async () => {
    const call = async (qs: string, headers?: Record<string, string>) => {
      const res = await GET(get(`/api/v1/kpi/sync-lag/hints?${qs}`, headers), ctx());
      return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
    };
    const ok = await call(`from=${iso(FROM)}&to=${iso(TO)}&warehouse=${encodeURIComponent(B)}`);
    expect(ok.status).toBe(200);
    expect(syncLagHintsResponse.parse(ok.body).warehouses).toEqual(expected([B]));
    for (const [qs, field] of [
      ['from=yesterday', 'from'],
      ['from=2026-10-15&to=2026-10-14', 'from'],
      ['to=2026-10-14T00:00:00', 'to'],
      ['from=2026-10-14&from=2026-10-13', 'from'],
      ['from=1900-01-01&to=1900-01-02', 'from'], // the previous window would start before 1900
      ['warehouse=', 'warehouse'],
    ] as const) {
      const r = await call(qs);
      expect(r.status, qs).toBe(400);
      expect(r.body.error?.code).toBe('bad_request');
      expect(r.body.error?.message.startsWith(`${field}:`), r.body.error?.message).toBe(true);
    }
    expect((await call('', {})).status).toBe(401);
    expect((await call('', INGEST)).status).toBe(403);
  });
});
