import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestLines } from '@/ingest/pipeline';
import { repairLookups } from '@/ingest/recovery';
import { compactSyncRollup, refreshSyncDays, refreshSyncRollup, refreshSyncRollupFully } from '@/ingest/rollups';
import { ruleValues } from '@/lib/alerts/metrics';
import type { Rule } from '@/lib/alerts/rules';
import { syncLag } from '@/lib/kpi/sync-lag';
import { syncLagHints } from '@/lib/kpi/sync-lag-hints';
import { syncLagBreakdown, syncLagSeries } from '@/lib/kpi/sync-lag-series';
import { command, p, query, sql, unsafeRaw } from '@/lib/store';
import { z } from 'zod';
import { syncMessage } from '../helpers/fixtures';
import { expectQuantile } from '../helpers/quantile';
import { bothWays, H, iso, T0, useRollupTestStore, WH } from '../helpers/rollups';

/**
 * The sync-lag rollups (sync_lag_hourly, and sync_lag_daily for whole days) give exactly the raw answer: after a build, with hours that
 * grew since (late events), after a duplicate slipped into `events` (a block replayed after a crash),
 * after an SLO change, and after the refresher ran again over the same hours (a replay).
 */
useRollupTestStore();
afterEach(() => {
  delete process.env.CT_CONFIG_FILE;
});

const LATER = T0 + 400 * H; // "now" for the refresher: every hour of the data has settled
const ROUTES = [['WMS', 'ERP', 'pick_events'], ['ERP', 'EDI', 'edi_810'], ['ECOM', 'ERP', null]] as const;
const STATUSES = ['delivered', 'delivered', 'delivered', 'failed', 'retried', 'dead_lettered', 'delivered'] as const;

/** Three days of messages: every status, null interfaces, zero, negative and huge lags, ties. */
function messages(n: number, prefix: string, offset = 0): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const [src, tgt, iface] = ROUTES[i % ROUTES.length]!;
    const observed = T0 + offset + ((i * 7_919_113) % (72 * H)) + (i % 13);
    const lag = i % 17 === 0 ? 0 : i % 23 === 0 ? -((i * 31) % 5000) : i % 29 === 0 ? 86_400_000 + i : ((i * 104_729) % 900_000) + (i % 3) * 1000;
    out.push(
      syncMessage(
        { event_id: `${prefix}-${i}`, warehouse_id: WH[i % WH.length], source_system: src, target_system: tgt, occurred_at: iso(observed - lag), observed_at: iso(observed) },
        { status: STATUSES[i % STATUSES.length], ...(iface ? { interface: iface } : { interface: undefined }) },
      ),
    );
  }
  return out.map((e) => {
    const attrs = { ...(e.attributes as Record<string, unknown>) };
    if (attrs.interface === undefined) delete attrs.interface;
    return { ...e, attributes: attrs };
  });
}

async function ingest(events: Record<string, unknown>[]) {
  for (let i = 0; i < events.length; i += 97) {
    await ingestLines(events.slice(i, i + 97).map((value, j) => ({ line: j + 1, raw: '', value })), LATER);
  }
}

const WINDOWS: [number, number][] = [
  [T0, T0 + 72 * H], // whole hours only
  [T0 + 1234, T0 + 50 * H + 999], // partial hours at both ends
  [T0 + 5 * H + 17, T0 + 5 * H + 3_000_000], // within one hour: raw only
  [T0 - 30 * 24 * H, T0 + 30 * 24 * H],
];

async function expectRollupEqualsRaw() {
  for (const [from, to] of WINDOWS) {
    const k = await bothWays(() => syncLag({ warehouses: null }, { from, to, requested: [] }));
    expect(k.rollup).toEqual(k.raw);
    const scoped = await bothWays(() => syncLag({ warehouses: [WH[1]!] }, { from, to, requested: [] }));
    expect(scoped.rollup).toEqual(scoped.raw);
    const b = await bothWays(() => syncLagBreakdown({ warehouses: null }, { from, to }));
    expect(b.rollup).toEqual(b.raw);
    // Hints read counts only, both windows as one read cut at `from` (inside a whole hour here): the same counts as raw.
    for (const scope of [{ warehouses: null }, { warehouses: [WH[1]!] }]) {
      const h = await bothWays(() => syncLagHints(scope, { from, to, requested: [] }));
      expect(h.rollup).toEqual(h.raw);
    }
  }
  for (const tz of ['UTC', 'Europe/Berlin', 'Asia/Kolkata']) {
    const s = await bothWays(() => syncLagSeries({ warehouses: null }, { from: T0 + 1234, to: T0 + 72 * H, tz }));
    expect(s.rollup).toEqual(s.raw);
  }
  const rule = { id: 'r', kind: 'threshold', metric: 'sync_lag_p95', op: '>', value: 1, window_s: 30 * 3600, for_s: 0, group_by: ['warehouse_id', 'interface'], match: {}, severity: 'high', notify: [] } as const;
  // Alert values are a set of groups (no order).
  const byKey = async () => (await ruleValues(rule as unknown as Rule, T0 + 40 * H + 1)).sort((x, y) => (x.key < y.key ? -1 : 1));
  const a = await bothWays(byKey);
  expect(a.rollup).toEqual(a.raw);
}

const countRow = z.object({ n: z.number() });
const built = async () => (await query(sql`SELECT count() AS n FROM sync_hour_state FINAL`, countRow, { name: 't' }))[0]!.n;
const builtDays = async () => (await query(sql`SELECT count() AS n FROM sync_lag_daily FINAL`, countRow, { name: 't' }))[0]!.n;

// Many reads per check, each both ways: generous time on a loaded CI machine.
describe('sync-lag rollup == raw', { timeout: 240_000 }, () => {
  it('after a build, and per hour while hours are stale', async () => {
    await ingest(messages(1500, 'a'));
    await expectRollupEqualsRaw(); // nothing built yet: every hour stale, read raw
    expect(await refreshSyncRollup(300_000, LATER, 180)).toBe(180); // 36 of 216 hours left stale: mixed reads
    await expectRollupEqualsRaw();
    // Days whose hours are all current are built; a day with a stale hour waits: days, hours and raw mixed.
    const someDays = await refreshSyncDays(300_000, LATER);
    expect(someDays).toBeGreaterThan(0);
    expect(someDays).toBeLessThan(4 * WH.length);
    await expectRollupEqualsRaw();
    await refreshSyncRollupFully(300_000, LATER);
    expect(await built()).toBeGreaterThan(150);
    expect(await builtDays()).toBeGreaterThan(someDays);
    await expectRollupEqualsRaw();
  });

  it('quantiles stay within 1 % of the exact nearest-rank value (or its rank window)', async () => {
    const all = messages(1500, 'a').filter((e) => (e.attributes as { status: string }).status === 'delivered');
    const lags = all.map((e) => (Date.parse(e.observed_at as string) - Date.parse(e.occurred_at as string)) / 1000);
    const k = await syncLag({ warehouses: null }, { from: T0, to: T0 + 72 * H, requested: [] });
    for (const [level, got] of [[0.5, k.total.lag_seconds.p50], [0.95, k.total.lag_seconds.p95], [0.99, k.total.lag_seconds.p99]] as const) {
      expectQuantile(got, lags, level);
    }
    expect(k.total.lag_seconds.max).toBe(Math.max(...lags));
  });

  it('late events, a replayed duplicate row, a re-run refresh and an SLO change keep it exact', async () => {
    await ingest(messages(400, 'late', 3 * H)); // into hours already built
    await expectRollupEqualsRaw();
    await refreshSyncRollupFully(300_000, LATER);
    await expectRollupEqualsRaw();
    // A block retried after a crash between its events part and its views: the same rows twice in events.
    await command(sql`INSERT INTO events SELECT * FROM events WHERE event_id IN ${p.strs(['a-5', 'a-6', 'late-7'])}`);
    await expectRollupEqualsRaw();
    await refreshSyncRollupFully(300_000, LATER);
    await expectRollupEqualsRaw();
    // The refresher replaying hours it already built (every hour made stale by a forced SLO mismatch).
    await refreshSyncRollupFully(1, LATER);
    await refreshSyncRollupFully(300_000, LATER);
    await expectRollupEqualsRaw();
    // Every hour was replaced twice over; the full refresh compacted them: one row per key, FINAL or not.
    for (const t of ['sync_lag_hourly', 'sync_hour_state', 'sync_lag_daily']) {
      const rows = await query(sql`SELECT count() AS n FROM ${unsafeRaw(t)}`, countRow, { name: 't' });
      const final = await query(sql`SELECT count() AS n FROM ${unsafeRaw(t)} FINAL`, countRow, { name: 't' });
      expect(rows[0]!.n, t).toBe(final[0]!.n);
    }
    await compactSyncRollup(); // nothing left to merge: a no-op
    await expectRollupEqualsRaw();
    // A crash between an events part and the activity view's part: the hour still looks built, so the
    // startup repair must count the recent tail again (the repair runs before the server serves).
    await command(unsafeRaw('DETACH TABLE sync_hour_activity_mv'));
    const lost = messages(30, 'lost', 6 * H);
    await ingestLines(lost.map((value, j) => ({ line: j + 1, raw: '', value })), Date.now());
    await command(unsafeRaw('ATTACH TABLE sync_hour_activity_mv'));
    await repairLookups(Date.now());
    await expectRollupEqualsRaw();
    await refreshSyncRollupFully(300_000, LATER);
    await expectRollupEqualsRaw();
    // A new SLO: breaches built against the old one are not used until rebuilt.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-slo-'));
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify({ slo: { sync_lag_seconds: 120 } }));
    process.env.CT_CONFIG_FILE = path.join(dir, 'c.json');
    await expectRollupEqualsRaw();
    await refreshSyncRollupFully(120_000, LATER);
    await expectRollupEqualsRaw();
  });
});
