import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildFlowSnapshot, flowSnapshotDue } from '@/ingest/flow-snapshot';
import { ingestLines } from '@/ingest/pipeline';
import { FLOW_WORKFLOWS, waitingStages } from '@/lib/events/stages';
import { flow } from '@/lib/kpi/flow';
import { flowWaiting, type FlowWaitingParams } from '@/lib/queries/flow-waiting';
import type { QueryScope } from '@/lib/scope';
import { command, p, query, sql, unsafeRaw } from '@/lib/store';
import { bothWays, H, iso, T0, useRollupTestStore, WH, withStatements } from '../helpers/rollups';

/**
 * The flow snapshot (0015: flow_state, flow_touches, flow_snapshots) plus its delta gives exactly the raw
 * answer (CT_FORCE_RAW=1) for the Flow KPI and its waiting lists: right after a build; after later events
 * touch transactions (a payment that closes one, a new stage, a stage earlier than the one it had, a second
 * warehouse); at an as_of before some transactions' last event; in limited scopes with a transaction spread
 * over warehouses in and out of scope; with duplicate rows; and with the partition of a build that crashed
 * before its flow_snapshots row. Hand-built transactions are also checked against figures derived here.
 */
useRollupTestStore();
const SLOW = 240_000;
const D = 24 * H;
const ALL: QueryScope = { warehouses: null };
const SCOPES: QueryScope[] = [ALL, { warehouses: [WH[0]] }, { warehouses: [WH[1]] }, { warehouses: [WH[0], WH[2]] }];
const HORIZON = T0 + 30 * D;
/** Before the horizon (the full path), after it with transactions whose last event is later, after everything. */
const AS_OFS = [T0 + 20 * D, T0 + 36 * D + 7 * H, T0 + 80 * D];
const WF = ['order_to_cash', 'procure_to_pay', 'return_to_credit', 'inventory', 'shipping'] as const;
const TYPES = ['order.created', 'pick.confirmed', 'shipment.confirmed', 'invoice.posted', 'payment.received', 'receipt.posted',
  'return.received', 'credit.issued', 'transfer.shipped', 'transfer.received', 'inventory.adjusted'] as const;

type Ev = Record<string, unknown> & { event_id: string; attributes: Record<string, unknown> };
let seed = 11;
const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
let seq = 0;
const id = () => `s-${String(++seq).padStart(5, '0')}`;

/** Random transactions over 45 days; one in six spread over two warehouses. */
function tx(i: number): Ev[] {
  const wf = WF[rnd(WF.length)]!;
  const wh = WH[rnd(3)]!;
  const spread = rnd(6) === 0;
  const base = T0 + rnd(45) * D;
  return Array.from({ length: 1 + rnd(5) }, (_, k) => ({
    event_id: id(), type: TYPES[rnd(TYPES.length)]!, occurred_at: iso(base + rnd(6) * 12 * H), source_system: 'ERP',
    warehouse_id: spread && k > 0 && rnd(2) === 0 ? WH[(WH.indexOf(wh) + 1) % 3]! : wh, correlation_id: `R-${i}`, workflow: wf,
    ...(rnd(3) === 0 ? { document_ref: `DOC-${i}-${k}` } : {}), attributes: rnd(3) === 0 ? {} : { amount: rnd(100000) / 100 },
  }));
}

const ev = (corr: string, type: string, wh: string, at: number, over: Record<string, unknown> = {}): Ev => ({
  event_id: id(), type, occurred_at: iso(at), source_system: 'ERP', warehouse_id: wh, correlation_id: corr, workflow: 'order_to_cash',
  attributes: {}, ...over,
});

/** Hand-built order-to-cash transactions whose states are derived below from metrics.md §8. */
const HAND: Ev[] = [
  ev('H-PICK', 'order.created', WH[0], T0 + D, { attributes: { amount: 40 } }),
  ev('H-PICK', 'pick.confirmed', WH[0], T0 + 2 * D),
  ev('H-SPREAD', 'order.created', WH[0], T0 + D, { attributes: { amount: 7.5 } }),
  ev('H-SPREAD', 'shipment.confirmed', WH[1], T0 + 3 * D),
  ev('H-INV', 'order.created', WH[2], T0 + 2 * D),
  ev('H-INV', 'invoice.posted', WH[2], T0 + 4 * D, { attributes: { amount: 99 } }),
  ev('H-NONE', 'inventory.adjusted', WH[1], T0 + 2 * D, { workflow: 'inventory' }), // reached no expected stage
  ev('H-LATE', 'order.created', WH[1], T0 + 33 * D),
  ev('H-LATE', 'shipment.confirmed', WH[1], T0 + 40 * D), // after the middle as_of: waits at order.created there
];
/**
 * Orders in the one hour (T0 + 50 d, + 1 h) that holds as_of − SLA (24 h for order.created) at AS_OF_CUT: the
 * fleet-wide read after everything uses the snapshot's hourly counts (0017), and that hour is split per order.
 * Random transactions' stages fall on 12 h marks, so only these are in it.
 */
const CUT = T0 + 50 * D + 30 * 60_000;
const AS_OF_CUT = CUT + 24 * H;
const BOUNDARY: Ev[] = [
  ev('B-OVER', 'order.created', WH[0], CUT - 20 * 60_000, { attributes: { amount: 12.34 } }), // waits 24 h 20 min: overdue
  ev('B-EXACT', 'order.created', WH[0], CUT, { attributes: { amount: 1.01 } }), // waits exactly 24 h: not overdue (wait > SLA)
  ev('B-UNDER', 'order.created', WH[1], CUT + 20 * 60_000, { attributes: { amount: 5 } }), // not overdue
];

async function ingest(events: Ev[]) {
  for (let i = 0; i < events.length; i += 40) {
    const r = await ingestLines(events.slice(i, i + 40).map((value, j) => ({ line: j + 1, raw: '', value })), Date.now());
    expect(r.rejected).toBe(0);
  }
}

const waitingParams = (asOf: number, workflow: FlowWaitingParams['workflow'], stage: string): FlowWaitingParams =>
  ({ asOf, workflow, stage, overdueOnly: false, cursor: null, limit: 1000 });
/** Every item of a waiting list (pages of 25, so the keyset cursor is exercised too). */
async function allPages(scope: QueryScope, params: FlowWaitingParams) {
  const items = [];
  let cursor: string | null = null;
  do {
    const r = await flowWaiting(scope, { ...params, cursor, limit: 25 });
    items.push(...r.items);
    cursor = r.next_cursor;
  } while (cursor !== null);
  return items;
}

/** One read both ways: equal, and when `fromSnapshot`, the served read used flow_state. */
async function same<T>(read: () => Promise<T>, fromSnapshot: boolean): Promise<T> {
  const r = await bothWays(() => withStatements(read));
  expect(r.rollup.value).toEqual(r.raw.value);
  expect(r.rollup.statements.some((s) => /\bflow_state\b/.test(s))).toBe(fromSnapshot);
  expect(r.raw.statements.some((s) => /\bflow_(state|transactions|touches)\b/.test(s))).toBe(false);
  return r.rollup.value;
}

async function expectSnapshotEqualsRaw() {
  let waiting = 0;
  for (const asOf of AS_OFS) {
    for (const scope of SCOPES) {
      const r = await same(() => flow(scope, { asOf, workflow: null, requested: [] }), asOf >= HORIZON);
      waiting += r.workflows.flatMap((w) => w.stages).reduce((s, x) => s + x.total.waiting, 0);
    }
    for (const w of FLOW_WORKFLOWS) {
      for (const stage of waitingStages(w)) {
        for (const scope of [ALL, SCOPES[1]!]) await same(() => allPages(scope, waitingParams(asOf, w, stage)), asOf >= HORIZON);
      }
    }
  }
  await same(() => flowWaiting(SCOPES[2]!, { ...waitingParams(AS_OFS[1]!, 'order_to_cash', 'order.created'), overdueOnly: true }), true);
  expect(waiting).toBeGreaterThan(100); // real populations
  for (const scope of SCOPES) await same(() => flow(scope, { asOf: AS_OF_CUT, workflow: null, requested: [] }), true);
}

const waitsAt = async (scope: QueryScope, asOf: number, stage: string) =>
  (await flowWaiting(scope, waitingParams(asOf, 'order_to_cash', stage))).items.filter((x) => x.correlation_id.startsWith('H-'));
const n = z.object({ n: z.number() });
const count = async (q: ReturnType<typeof sql>) => (await query(sql`SELECT count() AS n FROM (${q})`, n, { name: 't' }))[0]!.n;

describe('flow snapshot + delta = raw', () => {
  it('builds only when due, and equals raw right after a build', async () => {
    expect(await flowSnapshotDue()).toBe('none');
    await ingest([...Array.from({ length: 320 }, (_, i) => tx(i)).flat(), ...HAND, ...BOUNDARY]);
    const b = await buildFlowSnapshot({ marginMs: 0, horizonMs: HORIZON });
    expect(b.rows).toBeGreaterThan(50);
    // Spread, waiting and recent transactions are in it; H-NONE (no expected stage, one warehouse, old) is not.
    const has = async (c: string) => count(sql`SELECT 1 FROM flow_state WHERE snapshot_id = ${p.u64(b.snapshotId)} AND correlation_id = ${p.str(c)}`);
    expect([await has('H-SPREAD'), await has('H-PICK'), await has('H-LATE'), await has('H-NONE')]).toEqual([1, 1, 1, 0]);
    expect(await flowSnapshotDue()).toBeNull(); // nothing touched since
    await expectSnapshotEqualsRaw();
    // Nothing touched and as_of after everything: the fleet-wide read is the hourly counts (0017). Every other
    // waiting order is days older than the cut, so all but B-EXACT and B-UNDER are overdue.
    const r = await withStatements(() => flow(ALL, { asOf: AS_OF_CUT, workflow: 'order_to_cash', requested: [] }));
    expect(r.statements.some((s) => /\bflow_counts\b/.test(s))).toBe(true);
    const created = r.value.workflows[0]!.stages.find((s) => s.stage === 'order.created')!.total;
    expect(created.waiting).toBeGreaterThan(3); // the three B- orders and older ones
    expect(created.overdue).toBe(created.waiting - 2);
    const limited = await withStatements(() => flow(SCOPES[1]!, { asOf: AS_OF_CUT, workflow: 'order_to_cash', requested: [] }));
    expect(limited.statements.some((s) => /\bflow_counts\b/.test(s))).toBe(false); // a limited scope reads per transaction
  }, SLOW);

  it('matches the hand-built transactions (metrics.md §8) in every scope', async () => {
    const mid = AS_OFS[1]!;
    const at = (xs: Awaited<ReturnType<typeof waitsAt>>) => xs.map((x) => [x.correlation_id, x.warehouse_id, x.reached_at, x.amount]);
    expect(at(await waitsAt(ALL, mid, 'pick.confirmed'))).toEqual([['H-PICK', WH[0], iso(T0 + 2 * D), 40]]);
    expect(at(await waitsAt(ALL, mid, 'shipment.confirmed'))).toEqual([['H-SPREAD', WH[0], iso(T0 + 3 * D), 7.5]]);
    expect(at(await waitsAt(ALL, mid, 'invoice.posted'))).toEqual([['H-INV', WH[2], iso(T0 + 4 * D), 99]]);
    expect(at(await waitsAt(ALL, mid, 'order.created'))).toEqual([['H-LATE', WH[1], iso(T0 + 33 * D), null]]);
    expect(at(await waitsAt(ALL, AS_OFS[2]!, 'shipment.confirmed'))).toEqual([['H-SPREAD', WH[0], iso(T0 + 3 * D), 7.5], ['H-LATE', WH[1], iso(T0 + 40 * D), null]]);
    // In scope WH[0], H-SPREAD is its order only; in WH[1], its shipment only (workflow and warehouse from it).
    expect(at(await waitsAt({ warehouses: [WH[0]] }, mid, 'order.created'))).toEqual([['H-SPREAD', WH[0], iso(T0 + D), 7.5]]);
    expect(at(await waitsAt({ warehouses: [WH[1]] }, mid, 'shipment.confirmed'))).toEqual([['H-SPREAD', WH[1], iso(T0 + 3 * D), null]]);
    expect(at(await waitsAt({ warehouses: [WH[1]] }, mid, 'order.created'))).toEqual([['H-LATE', WH[1], iso(T0 + 33 * D), null]]);
  }, SLOW);

  it('after later events touch transactions, before and after the next build', async () => {
    const mid = AS_OFS[1]!;
    await ingest([
      ev('H-INV', 'payment.received', WH[2], T0 + 5 * D), // closes it
      ev('H-PICK', 'shipment.confirmed', WH[0], T0 + 6 * D), // a new stage
      ev('H-LATE', 'pick.confirmed', WH[1], T0 + 32 * D), // earlier than its order: out of order
      ev('H-NONE', 'order.created', WH[0], T0 + D, { workflow: 'order_to_cash' }), // a second warehouse, earlier than its first event
      ...Array.from({ length: 30 }, (_, i) => tx(i * 7)).flat(),
    ]);
    expect(await waitsAt(ALL, mid, 'invoice.posted')).toEqual([]);
    expect((await waitsAt(ALL, mid, 'shipment.confirmed')).map((x) => x.correlation_id).sort()).toEqual(['H-PICK', 'H-SPREAD']);
    expect((await waitsAt(ALL, mid, 'pick.confirmed')).map((x) => [x.correlation_id, x.reached_at])).toEqual([['H-LATE', iso(T0 + 32 * D)]]);
    // H-NONE's earliest business event is now its order in WH[0]: it waits there, as order_to_cash.
    expect((await waitsAt(ALL, mid, 'order.created')).map((x) => [x.correlation_id, x.warehouse_id])).toEqual([['H-NONE', WH[0]]]);
    expect(await flowSnapshotDue()).toBeNull(); // touched, but the snapshot is seconds old and ingest is not quiet
    expect(await flowSnapshotDue(Date.now() + 80_000)).toBe('quiet'); // no touch for longer than margin + 15 s
    expect(await flowSnapshotDue(Date.now() + 130_000)).toBe('age'); // pending, and the snapshot is 2 min old
    expect(await flowSnapshotDue(Date.now() + 2 * D)).toBe('old');
    expect(await flowSnapshotDue(Date.now() + 130_000, 20_000)).toBeNull(); // a 20 s build: the next waits 200 s
    await expectSnapshotEqualsRaw();
    await buildFlowSnapshot({ marginMs: 0, horizonMs: HORIZON });
    await expectSnapshotEqualsRaw();
  }, SLOW);

  it('with duplicate rows in events, and the partition of a build that crashed before its flow_snapshots row', async () => {
    await command(sql`INSERT INTO events SELECT * FROM events WHERE event_id IN (SELECT event_id FROM events WHERE cityHash64(event_id) % 4 = 0)`);
    expect(await count(sql`SELECT event_id FROM events GROUP BY event_id HAVING count() > 1`)).toBeGreaterThan(50);
    await expectSnapshotEqualsRaw();
    const { snapshotId } = await buildFlowSnapshot({ marginMs: 0, horizonMs: HORIZON });
    // What a crash mid-build leaves: a newer partition, with wrong states, and no flow_snapshots row.
    const crashed = snapshotId + 1000;
    await command(sql`INSERT INTO flow_state SELECT * REPLACE (${p.u64(crashed)} AS snapshot_id, 'order.created' AS stage, toInt64(0) AS last_ms)
                      FROM (SELECT * FROM flow_state WHERE snapshot_id = ${p.u64(snapshotId)})`);
    expect(await count(sql`SELECT 1 FROM flow_state WHERE snapshot_id = ${p.u64(crashed)}`)).toBeGreaterThan(50);
    await expectSnapshotEqualsRaw();
    const next = await buildFlowSnapshot({ marginMs: 0, horizonMs: HORIZON });
    expect(next.snapshotId).toBeGreaterThan(snapshotId);
    const ids = (await query(sql`SELECT DISTINCT snapshot_id AS n FROM flow_state ORDER BY n`, n, { name: 't' })).map((r) => r.n);
    expect(ids).toEqual([snapshotId, next.snapshotId]); // the crashed partition dropped; the two latest complete kept
    await expectSnapshotEqualsRaw();
  }, SLOW);

  it('a build in chunks (as on a large store) stores exactly the rows and counts of a build in one insert', async () => {
    const row = z.record(z.string(), z.unknown());
    const rowsOf = async (table: 'flow_state' | 'flow_counts', id: number) =>
      query(sql`SELECT * EXCEPT snapshot_id FROM ${unsafeRaw(table)} WHERE snapshot_id = ${p.u64(id)} ORDER BY ALL`, row, { name: 't' });
    const one = await buildFlowSnapshot({ marginMs: 0, horizonMs: HORIZON, chunks: 1 });
    const three = await buildFlowSnapshot({ marginMs: 0, horizonMs: HORIZON, chunks: 3 });
    expect(one.rows).toBeGreaterThan(50);
    expect(three.rows).toBe(one.rows);
    expect(await rowsOf('flow_state', three.snapshotId)).toEqual(await rowsOf('flow_state', one.snapshotId));
    expect(await rowsOf('flow_counts', three.snapshotId)).toEqual(await rowsOf('flow_counts', one.snapshotId));
    // The slices' parts are merged into one, as one insert leaves them (reads rely on last_ms order within a part).
    const parts = sql`SELECT 1 FROM system.parts WHERE database = currentDatabase() AND table = 'flow_state' AND active AND partition = ${p.str(String(three.snapshotId))}`;
    expect(await count(parts)).toBe(1);
    await expectSnapshotEqualsRaw();
  }, SLOW);
});
