import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ingestLines } from '@/ingest/pipeline';
import { repairLookups } from '@/ingest/recovery';
import { refreshPipelineRollup, refreshPipelineRollupFully } from '@/ingest/rollups-pipeline';
import { validateEvent } from '@/lib/events';
import { toEventRow } from '@/lib/events/row';
import { hoursNotFromPipeline } from '@/lib/store/rollups';
import { pipelineHealth, type PipelineHealthResponse } from '@/lib/queries/pipeline-health';
import { command, insertRows, p, query, sql, unsafeRaw } from '@/lib/store';
import { expectQuantile } from '../helpers/quantile';
import { bothWays, H, iso, T0, useRollupTestStore, WH } from '../helpers/rollups';

/**
 * Pipeline health from pipeline_hourly gives exactly the raw (CT_FORCE_RAW) answer: from the rows the
 * pipeline wrote per batch, after a replayed duplicate row in `events`, after a crash between a batch's
 * events and its counters (whole and half-written), with the activity view's part lost (until and after
 * the startup repair), and from the refresher's recomputations of the hours all that left behind.
 */
useRollupTestStore();

const FEEDS = [['ERP', 'order.created'], ['WMS', 'pick.confirmed'], ['TMS', 'shipment.confirmed'], ['ERP', 'invoice.posted']] as const;

type Ev = Record<string, unknown> & { event_id: string; occurred_at: string; warehouse_id: string; source_system: string; type: string };

/** Delays of every kind: zero, negative (up to a day ahead is allowed), seconds, days, ties. */
function events(n: number, prefix: string, nowMs: number): Ev[] {
  const out: Ev[] = [];
  for (let i = 0; i < n; i++) {
    const [src, type] = FEEDS[i % FEEDS.length]!;
    const delay = i % 11 === 0 ? 0 : i % 13 === 0 ? -((i * 37) % 80_000_000) : i % 17 === 0 ? 5 * 86_400_000 + i : i % 7 === 0 ? 60_000 : ((i * 104_729) % 3_600_000) + (i % 5);
    out.push({ event_id: `${prefix}-${i}`, type, occurred_at: iso(nowMs - delay), source_system: src, warehouse_id: WH[i % WH.length]!, correlation_id: `C-${prefix}-${i}`, attributes: {} });
  }
  return out;
}

/** Every accepted event: its batch time, for the independent quantile check. */
const stored = new Map<string, { now: number; e: Ev }>();

async function ingest(evs: Ev[], nowMs: number) {
  await ingestLines(evs.map((value, j) => ({ line: j + 1, raw: '', value })), nowMs);
  for (const e of evs) if (!stored.has(e.event_id)) stored.set(e.event_id, { now: nowMs, e });
}

/** Batches at many ingest times over three days; a few resend events already stored (duplicates). */
async function load(prefix: string, batches: number, offset = 0) {
  for (let b = 0; b < batches; b++) {
    const now = T0 + offset + ((b * 4_567_891) % (72 * H)) + b;
    const evs = events(40 + (b % 9), `${prefix}${b}`, now);
    if (b % 5 === 4) evs.push(...events(3, `${prefix}${b - 1}`, now)); // resent: dropped as duplicates
    await ingest(evs, now);
  }
}

/** What a kill -9 right after the events insert of a batch leaves: its rows (all or the first `keep`), no counters. */
async function crashAfterEvents(evs: Ev[], nowMs: number, keep = evs.length) {
  const rows = evs.slice(0, keep).map((e) => {
    const r = validateEvent(e, nowMs);
    if (!r.ok) throw new Error(r.reason);
    return toEventRow(r.event, nowMs);
  });
  await insertRows('events', rows);
  for (const e of evs.slice(0, keep)) stored.set(e.event_id, { now: nowMs, e });
}

const WINDOWS: [number, number][] = [
  [T0, T0 + 72 * H], // whole hours only
  [T0 + 1234, T0 + 50 * H + 999], // partial hours at both ends
  [T0 + 5 * H + 17, T0 + 5 * H + 3_000_000], // within one hour: raw only
  [T0 - 30 * 24 * H, T0 + 30 * 24 * H],
  [T0 - 30 * 24 * H, Date.now() + 2 * H], // includes batches ingested at the real clock
];

async function expectRollupEqualsRaw() {
  for (const [from, to] of WINDOWS) {
    for (const scope of [{ warehouses: null }, { warehouses: [WH[1]!] }, { warehouses: [WH[0]!, WH[2]!] }]) {
      const r = await bothWays(() => pipelineHealth(scope, { from, to }));
      expect(r.rollup, `${iso(from)}..${iso(to)} ${JSON.stringify(scope)}`).toEqual(r.raw);
    }
  }
}

const hourRow = z.object({ hour_s: z.number(), current: z.number() });
/** Ingest hours the rollup cannot answer (they read raw); [] when pipeline_hourly answers every hour. */
const rawHours = async (before = Date.now() + 2 * H) =>
  (await query(sql`${hoursNotFromPipeline(sql`hour < toDateTime(${p.i64(Math.floor(before / 1000))}, 'UTC')`)}`, hourRow, { name: 't' }))
    .filter((h) => h.current === 0)
    .map((h) => h.hour_s);

const REFRESH_NOW = Date.now() + 2 * H; // every ingest hour of the test has settled
/** Each scenario ingests dozens of batches and compares 30 reads both ways: minutes on a busy 2-core machine. */
const SLOW = 240_000;
/** More hours than a read answers raw hour by hour (lib/kpi/pipeline-cells.ts): the whole window reads raw. */
const MAX_RAW_HOURS_SEEN = 48;

describe('pipeline health rollup == raw', () => {
  it('from the rows the pipeline wrote per batch', async () => {
    await load('a', 60);
    expect(await rawHours()).toEqual([]); // every hour is answered by the pipeline's own rows
    const n = z.object({ n: z.number() });
    expect((await query(sql`SELECT count() AS n FROM pipeline_hourly WHERE gen = 0`, n, { name: 't' }))[0]!.n).toBeGreaterThan(0);
    await expectRollupEqualsRaw();
    expect(await refreshPipelineRollupFully(REFRESH_NOW)).toBe(0); // nothing to recompute
  }, SLOW);

  it('p95 within 1 % of the exact nearest-rank delay of the deduplicated events, per source × type', async () => {
    for (const [from, to] of [[T0, T0 + 72 * H], [T0 + 1234, T0 + 50 * H + 999]] as const) {
      const got: PipelineHealthResponse = await pipelineHealth({ warehouses: null }, { from, to });
      for (const [src, type] of FEEDS) {
        const delays = [...stored.values()]
          .filter(({ now, e }) => now >= from && now < to && e.source_system === src && e.type === type)
          .map(({ now, e }) => (now - Date.parse(e.occurred_at)) / 1000);
        const row = got.rows.find((r) => r.source_system === src && r.type === type);
        expect(row?.accepted ?? 0).toBe(delays.length);
        expectQuantile(row?.ingest_delay_p95_seconds ?? null, delays, 0.95);
      }
    }
  });

  it('a replayed duplicate row, a crash between events and counters, and a half-written batch keep it exact', async () => {
    // A block retried after a crash: the same rows twice in events.
    await command(sql`INSERT INTO events SELECT * FROM events WHERE event_id IN ${p.strs(['a3-5', 'a3-6', 'a40-1'])}`);
    expect((await rawHours()).length).toBe(2);
    await expectRollupEqualsRaw();
    // kill -9 after a batch's events were stored, before its counters; the client then resends it.
    const whole = T0 + 30 * H + 123_456;
    const lost = events(25, 'crash', whole);
    await crashAfterEvents(lost, whole);
    await expectRollupEqualsRaw();
    await ingest(lost, whole + 5000); // resent after the restart: every event a duplicate now
    await expectRollupEqualsRaw();
    // A batch whose first chunk reached events before the failure; the resend stores the rest.
    const half = T0 + 31 * H + 7;
    const partial = events(30, 'half', half);
    await crashAfterEvents(partial, half, 12);
    await ingest(partial, half + 1000);
    await expectRollupEqualsRaw();
    expect((await rawHours()).length).toBe(4);
    // The refresher recomputes those hours from deduplicated raw events; re-running it changes nothing.
    expect(await refreshPipelineRollupFully(REFRESH_NOW)).toBe(4);
    expect(await rawHours()).toEqual([]);
    await expectRollupEqualsRaw();
    expect(await refreshPipelineRollup(REFRESH_NOW)).toBe(0);
    // A late batch into a recomputed hour makes its recomputation stale: raw until recomputed again.
    await ingest(events(10, 'late', whole + 60_000), whole + 60_000);
    expect((await rawHours()).length).toBe(1);
    await expectRollupEqualsRaw();
    await refreshPipelineRollupFully(REFRESH_NOW);
    expect(await rawHours()).toEqual([]);
    await expectRollupEqualsRaw();
  }, SLOW);

  it('a crash that lost the activity view part as well: exact again once the startup repair ran', async () => {
    // The crash hits between the events part and its views, before the counters: activity and the
    // pipeline's rows are both short by the same amount, so the hour looks complete until the repair.
    const now = Date.now();
    await ingest(events(20, 'fresh', now), now);
    await command(unsafeRaw('DETACH TABLE pipeline_hour_activity_mv'));
    await crashAfterEvents(events(15, 'gone', now), now);
    await command(unsafeRaw('ATTACH TABLE pipeline_hour_activity_mv'));
    await repairLookups(Date.now());
    await expectRollupEqualsRaw();
    await refreshPipelineRollupFully(REFRESH_NOW);
    expect(await rawHours()).toEqual([]);
    await expectRollupEqualsRaw();
    // The activity view's part lost on an insert that otherwise completed: the pipeline's rows now exceed it.
    await command(unsafeRaw('DETACH TABLE pipeline_hour_activity_mv'));
    await ingest(events(9, 'novw', T0 + 40 * H), T0 + 40 * H);
    await command(unsafeRaw('ATTACH TABLE pipeline_hour_activity_mv'));
    await expectRollupEqualsRaw();
    await refreshPipelineRollupFully(REFRESH_NOW);
    expect(await rawHours()).toEqual([]);
    await expectRollupEqualsRaw();
  }, SLOW);

  it('a store that predates the rollup: raw until the refresher has recomputed every hour, then the same', async () => {
    await command(unsafeRaw('TRUNCATE TABLE pipeline_hourly'));
    await command(unsafeRaw('TRUNCATE TABLE pipeline_hour_state'));
    expect((await rawHours()).length).toBeGreaterThan(MAX_RAW_HOURS_SEEN);
    await expectRollupEqualsRaw();
    expect(await refreshPipelineRollup(REFRESH_NOW, 20, true)).toBe(20); // part built: mixed reads
    await expectRollupEqualsRaw();
    await refreshPipelineRollupFully(REFRESH_NOW);
    expect(await rawHours()).toEqual([]);
    await expectRollupEqualsRaw();
  }, SLOW);
});
