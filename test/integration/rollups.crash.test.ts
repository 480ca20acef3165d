import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ingestLines } from '@/ingest/pipeline';
import { buildFlowSnapshot } from '@/ingest/flow-snapshot';
import { repairLookups } from '@/ingest/recovery';
import { refreshSyncRollupFully } from '@/ingest/rollups';
import { refreshPipelineRollupFully } from '@/ingest/rollups-pipeline';
import { closeReadiness } from '@/lib/kpi/close-readiness';
import { listWarehouses } from '@/lib/kpi/common';
import { drift } from '@/lib/kpi/drift';
import { driftCauses } from '@/lib/kpi/drift-causes';
import { driftSkus } from '@/lib/kpi/drift-skus';
import { exceptionAging } from '@/lib/kpi/exception-aging';
import { flow } from '@/lib/kpi/flow';
import { invoiceLatency } from '@/lib/kpi/invoice-latency';
import { summary } from '@/lib/kpi/summary';
import { syncLag } from '@/lib/kpi/sync-lag';
import { syncLagHints } from '@/lib/kpi/sync-lag-hints';
import { syncLagBreakdown, syncLagSeries } from '@/lib/kpi/sync-lag-series';
import { unpostedList } from '@/lib/kpi/unposted';
import { listExceptions } from '@/lib/queries/exceptions';
import { flowWaiting } from '@/lib/queries/flow-waiting';
import { pipelineHealth } from '@/lib/queries/pipeline-health';
import type { QueryScope } from '@/lib/scope';
import { command, p, query, sql, unsafeRaw, type Sql } from '@/lib/store';
import { hoursNotFromPipeline, staleSyncDays, staleSyncHours } from '@/lib/store/rollups';
import { bothWays, H, iso, T0, useRollupTestStore, WH, withStatements, writeEventsOnly } from '../helpers/rollups';

/**
 * Exactly-once for every rollup family (issue 15, §2), on one fixture that feeds them all: part of it is
 * ingested and the rollups built; then a kill -9 leaves one batch in `events` with none of its view parts
 * or counters, and another half-written; the startup repair runs; the client resends both batches and a
 * block slips into `events` twice (as with several processes on one server); the refresher runs. After
 * the crash and after the replay, every KPI read answered from rollups equals its CT_FORCE_RAW answer,
 * and at the end the reads provably came from the rollups and match figures computed here.
 */
useRollupTestStore();

type Ev = { event_id: string; type: string; occurred_at: string; warehouse_id: string; attributes: Record<string, unknown> } & Record<string, unknown>;
const D = 24 * H;
const END = T0 + 5 * D; // as_of after every event
const SLO_MS = 300_000;
const STATUS = ['delivered', 'delivered', 'failed', 'delivered', 'retried', 'dead_lettered'] as const;
const SEV = ['critical', 'high', 'medium', 'low'] as const;
const SLA: Record<string, number> = { 'order.created': D, 'pick.confirmed': D, 'shipment.confirmed': 2 * D, 'invoice.posted': 45 * D };
const O2C = ['order.created', 'pick.confirmed', 'shipment.confirmed', 'invoice.posted', 'payment.received'];
const driftOf = (w: number, s: number) => (((w + s) % 3) - 1) * (s + 1); // WMS − ERP of the latest snapshots

function fixture(): Ev[] {
  const out: Ev[] = [];
  const add = (id: string, type: string, wh: string, at: number, attributes: Record<string, unknown>, over: Record<string, unknown> = {}) =>
    out.push({ event_id: id, type, occurred_at: iso(at), source_system: 'ERP', warehouse_id: wh, correlation_id: `C-${id}`, attributes, ...over });
  // Sync messages over three UTC days (so sync_lag_daily has whole days): every status, two routes, lags around the SLO.
  for (let i = 0; i < 240; i++) {
    const observed = T0 + ((i * 7_919_113) % (72 * H));
    const [src, tgt, iface] = i % 2 ? ['WMS', 'ERP', 'pick_events'] : ['ERP', 'EDI', 'edi_810'];
    add(`sm-${i}`, 'sync.message', WH[i % 3]!, observed - (i % 11 === 0 ? 0 : (i * 104_729) % 900_000), { status: STATUS[i % 6], interface: iface },
      { observed_at: iso(observed), source_system: src, target_system: tgt });
  }
  for (let i = 0; i < 30; i++) {
    const at = T0 + i * 3 * H;
    const wh = WH[i % 3]!;
    const x = { exception_id: `E-${i}` };
    const o = { correlation_id: `SO-${i}`, source_system: 'SERVICEDESK', workflow: 'order_to_cash' };
    add(`xo-${i}`, 'exception.opened', wh, at, { ...x, category: 'pricing', severity: SEV[i % 4] }, o);
    if (i % 4 === 1) add(`xa-${i}`, 'exception.assigned', wh, at + H, { ...x, owner: 'a@x' }, o);
    if (i % 5 === 2) add(`xk-${i}`, 'exception.acknowledged', wh, at + 2 * H, x, o);
    if (i % 3 === 0) add(`xr-${i}`, 'exception.resolved', wh, at + 6 * H, x, o);
  }
  // Order-to-cash transactions stopping at every stage: waiting, overdue or not, unposted or invoiced.
  for (let i = 0; i < 40; i++) {
    const at = T0 + i * 2 * H + 17;
    const wh = WH[i % 3]!;
    const o = { correlation_id: `SO-${i}`, workflow: 'order_to_cash' };
    add(`oc-${i}`, 'order.created', wh, at, { amount: 10 + i }, o);
    if (i % 4 !== 0) add(`pk-${i}`, 'pick.confirmed', wh, at + 3 * H, {}, { ...o, source_system: 'WMS' });
    if (i % 4 >= 2) add(`sh-${i}`, 'shipment.confirmed', wh, at + 20 * H, { amount: 100 + i }, { ...o, source_system: 'WMS' });
    if (i % 4 === 3 && i % 8 !== 7) add(`in-${i}`, 'invoice.posted', WH[(i + 1) % 3]!, at + 30 * H + i * 60_000, { amount: 100 + i }, o);
  }
  // Snapshots twice (the latest counts), and for each drift an unsynced WMS movement that explains it.
  for (const [w, wh] of WH.entries()) {
    for (let s = 0; s < 4; s++) {
      const inv = { correlation_id: `INV-${w}-${s}`, workflow: 'inventory' };
      for (const [k, at] of [T0 + 50 * H, T0 + 70 * H].entries()) {
        add(`erp-${w}-${s}-${k}`, 'inventory.snapshot', wh, at, { sku: `S-${s}`, quantity: 100 + k, unit_cost: 2.5 }, inv);
        add(`wms-${w}-${s}-${k}`, 'inventory.snapshot', wh, at + 60_000, { sku: `S-${s}`, quantity: 100 + k + (k ? driftOf(w, s) : 7) }, { ...inv, source_system: 'WMS' });
      }
    }
  }
  for (const [w, wh] of WH.entries()) {
    for (let s = 0; s < 4; s++) {
      if (driftOf(w, s) === 0) continue;
      const mv = { correlation_id: `MV-${w}-${s}`, workflow: 'inventory', source_system: 'WMS' };
      add(`mv-${w}-${s}`, 'inventory.adjusted', wh, T0 + 80 * H, { sku: `S-${s}`, quantity: driftOf(w, s) }, mv);
      add(`mvs-${w}-${s}`, 'sync.message', wh, T0 + 80 * H + 1000, { status: 'failed', interface: 'stock' }, { ...mv, target_system: 'ERP', observed_at: iso(T0 + 80 * H + 5000) });
    }
  }
  return out;
}

// ---- The figures, computed here from the fixture (metrics.md), never by the code under test ----
const time = (e: Ev) => Date.parse(e.occurred_at);
const byKey = (evs: Ev[], key: (e: Ev) => string) => {
  const m = new Map<string, Ev[]>();
  for (const e of evs) m.set(key(e), [...(m.get(key(e)) ?? []), e]);
  return [...m.values()];
};
function figures(evs: Ev[], wh: string | null, asOf: number) {
  const inWh = (e: Ev) => wh === null || e.warehouse_id === wh;
  const messages = evs.filter((e) => e.type === 'sync.message' && inWh(e)).length;
  const exc = byKey(evs.filter((e) => e.type.startsWith('exception.') && time(e) <= asOf), (e) => String(e.attributes.exception_id));
  const open = exc.filter((x) => x.some((e) => e.type === 'exception.opened' && inWh(e)) && !x.some((e) => e.type === 'exception.resolved')).length;
  const posts = byKey(evs.filter((e) => ['shipment.confirmed', 'invoice.posted'].includes(e.type) && time(e) <= asOf), (e) => String(e.correlation_id));
  const unposted = posts.filter((x) => x.some((e) => e.type === 'shipment.confirmed' && inWh(e)) && !x.some((e) => e.type === 'invoice.posted')).length;
  const latest = (x: Ev[], sys: string) => x.filter((e) => e.source_system === sys).sort((a, b) => time(b) - time(a))[0]!.attributes.quantity as number;
  const snaps = byKey(evs.filter((e) => e.type === 'inventory.snapshot' && inWh(e)), (e) => `${e.warehouse_id}|${String(e.attributes.sku)}`);
  const driftUnits = snaps.reduce((s, x) => s + Math.abs(latest(x, 'WMS') - latest(x, 'ERP')), 0);
  const tx = byKey(evs.filter((e) => O2C.includes(e.type) && time(e) <= asOf), (e) => String(e.correlation_id));
  const overdue = tx.filter((x) => {
    if (!inWh(x.sort((a, b) => time(a) - time(b))[0]!)) return false;
    const stage = O2C.filter((s) => x.some((e) => e.type === s)).at(-1)!;
    return stage !== O2C.at(-1) && asOf - Math.min(...x.filter((e) => e.type === stage).map(time)) > SLA[stage]!;
  }).length;
  return { messages, open, unposted, driftUnits, overdue };
}

// ---- Reads: every endpoint-level KPI function, both ways, with the rollup tables each must read ----
const ROLLUPS = ['warehouse_activity', 'invoice_postings', 'exception_state', 'inventory_latest', 'sync_lag_hourly', 'sync_lag_daily', 'pipeline_hourly', 'flow_transactions', 'flow_state', 'stock_movements', 'sync_latest', 'sync_messages', 'flow_counts'] as const;
type Rollup = (typeof ROLLUPS)[number];
const names = (statements: string[], t: string) => statements.some((s) => new RegExp(`\\b${t}\\b`).test(s));
const ALL: QueryScope = { warehouses: null };
const ONE: QueryScope = { warehouses: [WH[1]] };
const SEP = { period: '2026-09', start: T0, end: Date.parse('2026-10-01T00:00:00Z') };
const SYNC_WINDOWS: [number, number][] = [[T0, T0 + 72 * H], [T0 + 1234, T0 + 50 * H + 999]]; // whole hours; partial ones at both ends

/** One read both ways: equal; the raw side names no rollup; when `strict`, the rollup side names `uses`. */
async function same<T>(what: string, read: () => Promise<T>, uses: Rollup[], strict: boolean): Promise<T> {
  const r = await bothWays(() => withStatements(read));
  expect(r.rollup.value, what).toEqual(r.raw.value);
  for (const t of ROLLUPS) expect(names(r.raw.statements, t), `${what}: raw read ${t}`).toBe(false);
  if (strict) for (const t of uses) expect(names(r.rollup.statements, t), `${what}: from ${t}`).toBe(true);
  return r.rollup.value;
}

async function expectEveryFamilyEqualsRaw(strict: boolean) {
  const upTo = Date.now() + 2 * H; // past the current ingest hour
  for (const [k, scope] of [ALL, ONE].entries()) {
    const s = (what: string, read: () => Promise<unknown>, uses: Rollup[]) => same(`${what} [${k ? 'one warehouse' : 'fleet'}]`, read, uses, strict);
    await s('warehouse list', () => listWarehouses(scope, []), ['warehouse_activity']);
    await s('invoice latency', () => invoiceLatency(scope, { from: T0 - D, to: END, asOf: END, requested: [] }), ['invoice_postings']);
    for (const asOf of [T0 + 50 * H, END]) await s('unposted', () => unpostedList(scope, { asOf, limit: 1000 }), ['invoice_postings']);
    await s('close readiness', () => closeReadiness(scope, { period: SEP, asOf: END, requested: [] }), ['invoice_postings', 'exception_state', 'inventory_latest']);
    for (const asOf of [T0 + 30 * H, END]) await s('exception aging', () => exceptionAging(scope, { asOf, requested: [] }), ['exception_state']);
    await s('exception list', () => listExceptions(scope, { now: END, status: 'all', severity: [], category: [], owner: [], limit: 500 }), ['exception_state']);
    await s('drift', () => drift(scope, { asOf: END, requested: [] }), ['inventory_latest']);
    await s('drift skus', () => driftSkus(scope, { asOf: END, limit: 500 }), ['inventory_latest']);
    await s('drift causes', () => driftCauses(scope, { asOf: END, sku: null }), ['inventory_latest', 'stock_movements', 'sync_latest']);
    for (const [from, to] of SYNC_WINDOWS) await s(`sync lag ${iso(from)}`, () => syncLag(scope, { from, to, requested: [] }), ['sync_lag_hourly', ...(from % H ? ['sync_messages' as const] : [])]);
    await s('sync lag 30 d', () => syncLag(scope, { from: T0 - 26 * D, to: T0 + 4 * D, requested: [] }), ['sync_lag_daily', 'sync_lag_hourly']);
    await s('sync series', () => syncLagSeries(scope, { from: T0 - 6 * D, to: T0 + 4 * D, tz: 'UTC' }) /* hourly buckets */, ['sync_lag_hourly']);
    await s('sync breakdown', () => syncLagBreakdown(scope, { from: T0, to: T0 + 72 * H }), ['sync_lag_hourly']);
    await s('sync hints', () => syncLagHints(scope, { from: T0 + D, to: T0 + 4 * D, requested: [] }), ['sync_lag_hourly']);
    await s('sync hints, partial hours', () => syncLagHints(scope, { from: T0 + D + 1234, to: T0 + 3 * D + 999, requested: [] }), ['sync_lag_hourly', 'sync_messages']);
    await s('pipeline health', () => pipelineHealth(scope, { from: T0 - 30 * D, to: upTo }), ['pipeline_hourly']);
    await s('flow', () => flow(scope, { asOf: END, workflow: null, requested: [] }), ['flow_state']);
    for (const stage of ['order.created', 'pick.confirmed', 'shipment.confirmed']) {
      await s(`flow waiting ${stage}`, () => flowWaiting(scope, { asOf: END, workflow: 'order_to_cash', stage, overdueOnly: false, cursor: null, limit: 1000 }), ['flow_state']);
    }
    await s('summary', () => summary(scope, { from: T0, to: END, requested: [] }), ['warehouse_activity', 'invoice_postings', 'exception_state', 'inventory_latest', 'sync_lag_daily', 'flow_state']);
  }
}

const n = z.object({ n: z.number() });
const count = async (q: Sql) => (await query(sql`SELECT count() AS n FROM (${q})`, n, { name: 't' }))[0]!.n;
/** The table decider's per-hour and per-day choices: how much of the store the sync and pipeline rollups cannot answer. */
const staleCells = async () => ({
  syncHours: await count(staleSyncHours(SLO_MS, sql`1`)),
  syncDays: await count(staleSyncDays(SLO_MS, sql`1`, sql`1`)),
  pipelineHours: await count(sql`SELECT * FROM (${hoursNotFromPipeline(sql`hour < toDateTime(${p.i64(Math.floor((Date.now() + 2 * H) / 1000))}, 'UTC')`)}) WHERE current = 0`),
});

/** The refresher's passes, as the server runs them once the current ingest hour has ended. */
async function refresh() {
  await refreshSyncRollupFully(SLO_MS, Date.now());
  await refreshPipelineRollupFully(Date.now() + 2 * H);
  // No margin: nothing is inserted concurrently here, so every touch so far is in the snapshot (and a touch
  // lost in the crash would leave it stale: the startup repair must replay it).
  await buildFlowSnapshot({ marginMs: 0, horizonMs: T0 - D });
}

async function send(evs: Ev[], nowMs = Date.now()) {
  const r = await ingestLines(evs.map((value, j) => ({ line: j + 1, raw: '', value })), nowMs);
  expect(r.rejected).toBe(0);
  return r;
}

/** Every materialized view over `events`: a kill -9 between the events part and theirs loses them all. */
const VIEWS = ['event_ids_mv', 'correlation_index_mv', 'warehouse_activity_mv', 'invoice_postings_shipped_mv', 'invoice_postings_invoiced_mv',
  'sync_hour_activity_mv', 'pipeline_hour_activity_mv', 'exception_state_mv', 'inventory_latest_mv', 'flow_transactions_mv', 'flow_touches_mv',
  'stock_movements_mv', 'sync_latest_mv', 'sync_messages_mv'];

const all = fixture();
const acked = all.filter((_, i) => i % 5 !== 1 && i % 5 !== 2);
const killed = all.filter((_, i) => i % 5 === 1); // in events, no view part, no counter, never acknowledged
const half = all.filter((_, i) => i % 5 === 2); // a prefix in events, never acknowledged
const HALF_KEPT = Math.floor(half.length * 0.4);
const replayedBlock = acked.filter((e, i) => i % 10 === 0 || acked.findIndex((x) => x.type === e.type) === i).map((e) => e.event_id);
const FAMILY_TYPES = ['sync.message', 'exception.opened', 'exception.resolved', 'order.created', 'shipment.confirmed', 'invoice.posted', 'inventory.snapshot', 'inventory.adjusted'];

describe('every rollup family == raw through a crash, the startup repair and a replay', { timeout: 120_000 }, () => {
  it('before the crash: built by the pipeline and the refresher', async () => {
    // The crashed batches and the replayed block carry every family.
    for (const batch of [killed, half, all.filter((e) => replayedBlock.includes(e.event_id))]) expect(batch.map((e) => e.type)).toEqual(expect.arrayContaining(FAMILY_TYPES));
    for (let i = 0; i < acked.length; i += 50) await send(acked.slice(i, i + 50));
    await refresh();
    expect(await staleCells()).toEqual({ syncHours: 0, syncDays: 0, pipelineHours: 0 });
    await expectEveryFamilyEqualsRaw(true);
  });

  it('after a kill -9 mid-batch and a half-written insert, once the startup repair ran', async () => {
    for (const v of VIEWS) await command(unsafeRaw(`DETACH TABLE ${v}`));
    try {
      await writeEventsOnly(killed, Date.now());
    } finally {
      for (const v of VIEWS) await command(unsafeRaw(`ATTACH TABLE ${v}`));
    }
    await writeEventsOnly(half, Date.now(), HALF_KEPT);
    // A flow snapshot build killed before its flow_snapshots row: a newer partition, wrong states, never read.
    const [built] = await query(sql`SELECT max(snapshot_id) AS n FROM flow_snapshots`, n, { name: 't' });
    await command(sql`INSERT INTO flow_state SELECT * REPLACE (${p.u64(built!.n + 1000)} AS snapshot_id, 'order.created' AS stage, toInt64(0) AS last_ms)
                      FROM (SELECT * FROM flow_state WHERE snapshot_id = ${p.u64(built!.n)})`);
    expect(await count(sql`SELECT DISTINCT snapshot_id FROM flow_state`)).toBe(2);
    // The loss is visible before the repair (so this test exercises something) …
    const lost = await bothWays(() => listExceptions(ALL, { now: END, status: 'all', severity: [], category: [], owner: [], limit: 500 }));
    expect(lost.rollup.items.length).toBeLessThan(lost.raw.items.length);
    // … and gone after the repair the server runs at start. It counts the lost rows again, so the sync and
    // pipeline hours and days they fall in read raw until the refresher rebuilds them.
    await repairLookups(Date.now());
    const stale = await staleCells();
    expect(Math.min(stale.syncHours, stale.syncDays, stale.pipelineHours)).toBeGreaterThan(0);
    await expectEveryFamilyEqualsRaw(false);
  });

  it('after the client resends its batches, a block lands twice in events, and the refresher ran', async () => {
    expect((await send(killed)).accepted).toBe(0); // every event already stored: dropped as duplicates
    expect((await send(half)).accepted).toBe(half.length - HALF_KEPT);
    await command(sql`INSERT INTO events SELECT * FROM events WHERE event_id IN ${p.strs(replayedBlock)}`);
    expect(await count(sql`SELECT event_id FROM events GROUP BY event_id HAVING count() > 1`)).toBe(replayedBlock.length);
    await expectEveryFamilyEqualsRaw(false);
    await refresh();
    expect(await staleCells()).toEqual({ syncHours: 0, syncDays: 0, pipelineHours: 0 });
    // The killed build's partition is gone; the new snapshot and the one before it stay.
    expect(await count(sql`SELECT snapshot_id FROM flow_state GROUP BY snapshot_id HAVING snapshot_id IN (SELECT snapshot_id FROM flow_snapshots)`)).toBe(2);
    expect(await count(sql`SELECT DISTINCT snapshot_id FROM flow_state`)).toBe(2);
    await expectEveryFamilyEqualsRaw(true);

    // Headline figures from the rollups, against the fixture.
    for (const [scope, wh] of [[ALL, null], [ONE, WH[1]]] as const) {
      const want = figures(all, wh, END);
      const got = {
        messages: (await syncLag(scope, { from: T0 - 26 * D, to: T0 + 4 * D, requested: [] })).total.messages,
        open: (await exceptionAging(scope, { asOf: END, requested: [] })).total.open,
        unposted: (await unpostedList(scope, { asOf: END, limit: 1000 })).items.length,
        driftUnits: (await drift(scope, { asOf: END, requested: [] })).total.abs_drift_units,
        overdue: (await flow(scope, { asOf: END, workflow: 'order_to_cash', requested: [] })).workflows[0]!.stages.reduce((t, s) => t + s.total.overdue, 0),
      };
      expect(Math.min(...Object.values(want))).toBeGreaterThan(0);
      if (wh === null) expect(got).toEqual(want);
      // SO-19 ships from WH[1] and is invoiced from WH[2]: within WH[1], flow sees only in-scope events (api.md)
      // while unposted looks for the correlation's invoice anywhere, so those two are checked for the fleet only.
      else expect({ ...got, unposted: 0, overdue: 0 }).toEqual({ ...want, unposted: 0, overdue: 0 });
    }
    const causes = await driftCauses(ALL, { asOf: END, sku: null });
    expect(causes.skus.length).toBe(WH.flatMap((_, w) => [0, 1, 2, 3].filter((sku) => driftOf(w, sku) !== 0)).length);
    expect(causes.skus.every((c) => c.explained && c.unsynced_movements === 1)).toBe(true);
  });
});
