import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ingestLines } from '@/ingest/pipeline';
import { repairLookups } from '@/ingest/recovery';
import { flow } from '@/lib/kpi/flow';
import { flowWaiting, type FlowWaitingParams } from '@/lib/queries/flow-waiting';
import { FLOW_WORKFLOWS, waitingStages } from '@/lib/events/stages';
import type { QueryScope } from '@/lib/scope';
import { command, p, query, sql, unsafeRaw } from '@/lib/store';
import { bothWays, H, iso, T0, useRollupTestStore, WH } from '../helpers/rollups';

/**
 * The flow_transactions rollup (0013) gives exactly the raw answer (CT_FORCE_RAW=1) for the Flow KPI and its
 * waiting lists, at many as_of values and scopes, after small batches, late events, a replayed block (the
 * same rows twice in events), a view part lost in a crash then repaired, and merges.
 */
useRollupTestStore();
const SLOW = 240_000;
const D = 24 * H;
const ALL: QueryScope = { warehouses: null };
const SCOPES: QueryScope[] = [ALL, { warehouses: [WH[1]] }, { warehouses: [WH[0], WH[2]] }];
const WF = ['order_to_cash', 'procure_to_pay', 'return_to_credit', 'inventory', 'shipping', 'other'] as const;
const TYPES = ['order.created', 'pick.confirmed', 'shipment.confirmed', 'invoice.posted', 'payment.received', 'receipt.posted',
  'return.received', 'credit.issued', 'transfer.shipped', 'transfer.received', 'inventory.adjusted'] as const;

type Ev = Record<string, unknown> & { event_id: string; attributes: Record<string, unknown> };
let seed = 7;
const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
let seq = 0;

function tx(i: number, late = false): Ev[] {
  const corr = `C-${i % 170}`; // some correlations get two batches of events
  const wf = WF[rnd(WF.length)]!;
  const out: Ev[] = [];
  const n = 1 + rnd(5);
  const base = T0 + rnd(40) * D + (late ? -3 * D : 0);
  for (let k = 0; k < n; k++) {
    const type = TYPES[rnd(TYPES.length)]!;
    const at = base + rnd(4) * 12 * H; // coarse: ties on purpose
    out.push({
      event_id: `f-${String(++seq).padStart(5, '0')}`, type, occurred_at: iso(at), source_system: 'ERP', warehouse_id: WH[rnd(3)]!,
      correlation_id: corr, workflow: rnd(5) === 0 ? WF[rnd(WF.length)]! : wf, ...(rnd(3) === 0 ? { document_ref: `DOC-${i}-${k}` } : {}),
      attributes: rnd(3) === 0 ? {} : { amount: rnd(100000) / 100 },
    });
  }
  if (rnd(4) === 0) {
    out.push({
      event_id: `f-${String(++seq).padStart(5, '0')}`, type: 'exception.opened', occurred_at: iso(base - D), source_system: 'SD', warehouse_id: WH[rnd(3)]!,
      correlation_id: corr, workflow: 'return_to_credit', attributes: { exception_id: `E-${i}`, category: 'pricing', severity: 'low' },
    });
  }
  return out;
}

const ingested: Ev[] = [];
async function ingest(events: Ev[]) {
  for (let i = 0; i < events.length; i += 40) {
    const batch = events.slice(i, i + 40);
    await ingestLines(batch.map((value, j) => ({ line: j + 1, raw: '', value })), Date.now());
    ingested.push(...batch);
  }
}

async function same<T>(read: () => Promise<T>) {
  const { rollup, raw } = await bothWays(read);
  expect(rollup).toEqual(raw);
  return rollup;
}

async function allPages(scope: QueryScope, params: Omit<FlowWaitingParams, 'cursor' | 'limit'>) {
  const items = [];
  let cursor: string | null = null;
  do {
    const r = await flowWaiting(scope, { ...params, cursor, limit: 20 });
    items.push(...r.items);
    cursor = r.next_cursor;
  } while (cursor !== null);
  return items;
}

async function expectRollupEqualsRaw() {
  let waiting = 0;
  for (const asOf of [T0 + 5 * D, T0 + 20 * D + 6 * H, T0 + 60 * D]) {
    for (const scope of SCOPES) {
      const r = await same(() => flow(scope, { asOf, workflow: null, requested: [] }));
      waiting += r.workflows.flatMap((w) => w.stages).reduce((s, x) => s + x.total.waiting, 0);
    }
  }
  const asOf = T0 + 20 * D + 6 * H;
  for (const w of FLOW_WORKFLOWS) {
    for (const stage of waitingStages(w)) await same(() => allPages(ALL, { asOf, workflow: w, stage, overdueOnly: false }));
  }
  await same(() => allPages(SCOPES[1]!, { asOf, workflow: 'order_to_cash', stage: 'order.created', overdueOnly: true }));
  expect(waiting).toBeGreaterThan(50); // the comparison covers real populations
}

const countRow = z.object({ n: z.number() });

describe('flow_transactions rollup = raw', () => {
  it('after ingest in small batches and late (earlier) events', async () => {
    await ingest(Array.from({ length: 260 }, (_, i) => tx(i)).flat());
    await expectRollupEqualsRaw();
    await ingest(Array.from({ length: 40 }, (_, i) => tx(i * 3, true)).flat());
    await expectRollupEqualsRaw();
  }, SLOW);

  it('after a replayed block (the same rows twice in events)', async () => {
    const ids = ingested.filter((_, i) => i % 5 === 0).map((e) => e.event_id);
    await command(sql`INSERT INTO events SELECT * FROM events WHERE event_id IN ${p.strs(ids)}`);
    const dup = await query(sql`SELECT count() - uniqExact(event_id) AS n FROM events`, countRow, { name: 't' });
    expect(dup[0]!.n).toBeGreaterThan(0);
    await expectRollupEqualsRaw();
  }, SLOW);

  it('after a view part lost in a crash, once the startup repair ran', async () => {
    await command(unsafeRaw('DETACH TABLE flow_transactions_mv'));
    try {
      await ingest([{
        event_id: 'f-lost', type: 'order.created', occurred_at: iso(T0 + D), source_system: 'ERP', warehouse_id: WH[0],
        correlation_id: 'C-LOST', workflow: 'order_to_cash', attributes: { amount: 12.5 },
      }]);
    } finally {
      await command(unsafeRaw('ATTACH TABLE flow_transactions_mv'));
    }
    const lost = () => flowWaiting(ALL, { asOf: T0 + 5 * D, workflow: 'order_to_cash', stage: 'order.created', overdueOnly: false, cursor: null, limit: 1000 });
    // The loss is visible before the repair (so this test exercises something) …
    expect((await lost()).items.map((x) => x.correlation_id)).not.toContain('C-LOST');
    await repairLookups(Date.now());
    expect((await lost()).items.map((x) => x.correlation_id)).toContain('C-LOST');
    await repairLookups(Date.now());
    await expectRollupEqualsRaw();
  }, SLOW);

  it('after merges collapse the rollup', async () => {
    await command(unsafeRaw('OPTIMIZE TABLE flow_transactions FINAL'));
    const rows = await query(sql`SELECT count() - uniqExact(correlation_id, warehouse_id) AS n FROM flow_transactions`, countRow, { name: 't' });
    expect(rows[0]!.n).toBe(0);
    await expectRollupEqualsRaw();
  }, SLOW);
});
