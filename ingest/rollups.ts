import { z } from 'zod';
import { env } from '@/lib/config/env';
import { command, p, query, sql, unsafeRaw, withLane } from '@/lib/store';
import { histCell, LAG_MS, staleSyncDays, staleSyncHours } from '@/lib/store/rollups';
import { withSpan } from '@/lib/telemetry/span';
import { refreshFlowSnapshot } from './flow-snapshot';
import { refreshPipelineRollup } from './rollups-pipeline';

/**
 * Keeps the sync-lag rollup (0007_sync_rollup.sql) current: every (warehouse, hour) whose activity
 * count grew past what its last recomputation saw, or whose breaches were counted against another SLO,
 * is recomputed from deduplicated raw events and replaces its previous rows. Readers never trust a
 * stale hour (they read it raw), so this only decides how much of a read the rollup can answer.
 *
 * Only hours that ended at least SETTLE_MS ago are built: the current hour changes with every batch and
 * is the tail of every "last N hours" window anyway, which reads raw.
 */
const HOUR_MS = 3_600_000;
const SETTLE_MS = 60_000;
/** Hours recomputed per statement: bounded, so a backlog after a bulk load never blocks reads for long. */
const HOURS_PER_STATEMENT = 24;
const FULL_HOURS_PER_STATEMENT = 24 * 45;
const FULL_MAX_HOURS = 100_000;

const dirtyRow = z.object({ warehouse_id: z.string(), hour_s: z.number(), rows: z.number() });
export type DirtyHour = z.infer<typeof dirtyRow>;

async function recompute(warehouse: string, hours: DirtyHour[], sloMs: number): Promise<void> {
  const starts = hours.map((h) => h.hour_s);
  const lo = Math.min(...starts) * 1000;
  const hi = Math.max(...starts) * 1000 + HOUR_MS;
  await command(sql`
    INSERT INTO sync_lag_hourly (warehouse_id, hour, source_system, target_system, has_interface, interface,
      messages, delivered, failed, retried, dead_lettered, breaches, lag_max, hist_keys, hist_counts, hist_min, hist_max, computed_at)
    SELECT warehouse_id, hour, source_system, target_system, has_interface, iface,
      count(), countIf(status = 'delivered'), countIf(status = 'failed'), countIf(status = 'retried'),
      countIf(status = 'dead_lettered'), countIf(status = 'delivered' AND lag_ms > ${p.i64(sloMs)}),
      maxIf(toNullable(lag_ms), status = 'delivered'),
      (sumMap(k, c) AS hc).1, hc.2, minMap(k, mn).2, maxMap(k, mx).2, now64(6)
    FROM (
      SELECT toString(warehouse_id) AS warehouse_id, toStartOfHour(observed_at) AS hour,
             toString(source_system) AS source_system, toString(target_system) AS target_system,
             toUInt8(isNotNull(events.interface)) AS has_interface, toString(ifNull(events.interface, '')) AS iface,
             toString(status) AS status, ${LAG_MS} AS lag_ms,
             ${histCell(sql`status = 'delivered'`)}
      FROM events
      WHERE type = 'sync.message' AND warehouse_id = ${p.str(warehouse)}
        AND observed_at >= ${p.time(lo)} AND observed_at < ${p.time(hi)}
        AND toInt64(toUnixTimestamp(toStartOfHour(observed_at))) IN ${p.i64s(starts)}
      LIMIT 1 BY event_id
    )
    GROUP BY warehouse_id, hour, source_system, target_system, has_interface, iface`);
  // Only now does the hour count as built, with the activity count read before the scan above.
  await command(sql`
    INSERT INTO sync_hour_state (warehouse_id, hour, activity_seen, slo_ms, computed_at)
    SELECT ${p.str(warehouse)}, toDateTime(h.1, 'UTC'), h.2, ${p.i64(sloMs)}, now64(6)
    FROM (SELECT arrayJoin(arrayZip(${p.i64s(starts)}, ${p.i64s(hours.map((h) => h.rows))})) AS h)`);
}

/**
 * Recomputes up to `maxHours` stale, settled hours (most recent first: those are the ones read most).
 * Returns how many it recomputed; 0 means the rollup is current for every settled hour.
 */
export async function refreshSyncRollup(sloMs: number, now = Date.now(), maxHours = 96, hoursPerStatement = HOURS_PER_STATEMENT): Promise<number> {
  // Background work: the bulk lane, so dashboard reads and ingest statements go first.
  return withLane('bulk', () => withSpan('rollup.sync_refresh', {}, async (span) => {
    const settled = Math.floor((now - SETTLE_MS) / HOUR_MS) * HOUR_MS; // hours starting before this have ended
    const stale = await query(
      sql`${staleSyncHours(sloMs, sql`hour < toDateTime(${p.i64(Math.floor(settled / 1000))}, 'UTC')`)}
          ORDER BY hour_s DESC, warehouse_id LIMIT ${p.u32(maxHours)}`,
      dirtyRow,
      { name: 'rollup.sync_stale' },
    );
    const byWarehouse = new Map<string, DirtyHour[]>();
    for (const h of stale) byWarehouse.set(h.warehouse_id, [...(byWarehouse.get(h.warehouse_id) ?? []), h]);
    for (const [warehouse, hours] of byWarehouse) {
      for (let i = 0; i < hours.length; i += hoursPerStatement) await recompute(warehouse, hours.slice(i, i + hoursPerStatement), sloMs);
    }
    span.setAttribute('hours', stale.length);
    return stale.length;
  }));
}

const DAY_MS = 86_400_000;
const dayRow = z.object({ warehouse_id: z.string(), day_s: z.number() });
const hourKeyRow = z.object({ warehouse_id: z.string(), hour_s: z.number() });
const isoDay = (s: number) => new Date(s * 1000).toISOString().slice(0, 10);

/** Builds one warehouse's days from its current hours (0011_sync_daily.sql), with what those hours had seen. */
async function buildDays(warehouse: string, days: readonly string[], sloMs: number): Promise<void> {
  const inDays = sql`warehouse_id = ${p.str(warehouse)} AND toString(toDate(hour)) IN ${p.strs(days)}`;
  await command(sql`
    INSERT INTO sync_lag_daily (warehouse_id, day, messages, delivered, failed, retried, dead_lettered, breaches, lag_max,
      hist_keys, hist_counts, hist_min, hist_max, activity_seen, slo_ms, computed_at)
    SELECT s.warehouse_id, s.day, h.messages, h.delivered, h.failed, h.retried, h.dead_lettered, h.breaches, h.lag_max,
      h.hk, h.hc, h.hn, h.hx, s.seen, ${p.i64(sloMs)}, now64(6)
    FROM (SELECT warehouse_id, toDate(hour) AS day, sum(activity_seen) AS seen, min(slo_ms) AS slo_lo, max(slo_ms) AS slo_hi
          FROM sync_hour_state FINAL WHERE ${inDays} GROUP BY warehouse_id, day) AS s
    LEFT JOIN (
      SELECT warehouse_id, toDate(hour) AS day, sum(messages) AS messages, sum(delivered) AS delivered, sum(failed) AS failed,
             sum(retried) AS retried, sum(dead_lettered) AS dead_lettered, sum(breaches) AS breaches, max(lag_max) AS lag_max,
             (sumMap(hist_keys, hist_counts) AS m).1 AS hk, m.2 AS hc, minMap(hist_keys, hist_min).2 AS hn, maxMap(hist_keys, hist_max).2 AS hx
      FROM sync_lag_hourly FINAL WHERE ${inDays} GROUP BY warehouse_id, day) AS h
      ON s.warehouse_id = h.warehouse_id AND s.day = h.day
    WHERE s.slo_lo = ${p.i64(sloMs)} AND s.slo_hi = ${p.i64(sloMs)}`);
}

/**
 * Builds up to `maxDays` stale days whose every hour with activity is current (most recent first). A day
 * with a stale hour (one still being written, or not recomputed yet) waits for its hours. Runs after the
 * hours in the same loop, never concurrently with an hour's recomputation, so the hour rows and states it
 * reads belong together.
 */
export async function refreshSyncDays(sloMs: number, now = Date.now(), maxDays = 64): Promise<number> {
  return withLane('bulk', () => withSpan('rollup.sync_days', {}, async (span) => {
    const settled = Math.floor((now - SETTLE_MS) / HOUR_MS) * HOUR_MS;
    const before = sql`hour < toDateTime(${p.i64(Math.floor(settled / 1000))}, 'UTC')`;
    const days = await query(sql`${staleSyncDays(sloMs, before, sql`1`)} ORDER BY day_s DESC, warehouse_id LIMIT ${p.u32(maxDays)}`, dayRow, {
      name: 'rollup.sync_stale_days',
    });
    if (days.length === 0) return 0;
    const lo = Math.min(...days.map((d) => d.day_s)) * 1000;
    const hi = Math.max(...days.map((d) => d.day_s)) * 1000 + DAY_MS;
    const window = sql`hour >= toDateTime(${p.i64(lo / 1000)}, 'UTC') AND hour < toDateTime(${p.i64(hi / 1000)}, 'UTC')
      AND warehouse_id IN ${p.strs([...new Set(days.map((d) => d.warehouse_id))])}`;
    const waiting = new Set(
      (await query(staleSyncHours(sloMs, window), hourKeyRow, { name: 'rollup.sync_stale' })).map(
        (h) => `${h.warehouse_id}\u0000${Math.floor((h.hour_s * 1000) / DAY_MS)}`,
      ),
    );
    const byWarehouse = new Map<string, string[]>();
    for (const d of days) {
      if (waiting.has(`${d.warehouse_id}\u0000${Math.floor((d.day_s * 1000) / DAY_MS)}`)) continue;
      byWarehouse.set(d.warehouse_id, [...(byWarehouse.get(d.warehouse_id) ?? []), isoDay(d.day_s)]);
    }
    let built = 0;
    for (const [warehouse, ds] of byWarehouse) {
      await buildDays(warehouse, ds, sloMs);
      built += ds.length;
    }
    span.setAttribute('days', built);
    return built;
  }));
}

/**
 * Refreshes until every settled hour is current (CLI ingest, tests); bounded by `maxRounds`. Nothing else
 * waits on these statements (the CLI owns the store), so each covers up to FULL_HOURS_PER_STATEMENT hours of
 * a warehouse: after a bulk load that is one scan per warehouse instead of one per day (measured: 5,795
 * warehouse-hours in 21 s as 24-hour statements).
 */
export async function refreshSyncRollupFully(sloMs: number, now = Date.now(), maxRounds = 10_000): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxRounds; i++) {
    const n = await refreshSyncRollup(sloMs, now, FULL_MAX_HOURS, FULL_HOURS_PER_STATEMENT);
    total += n;
    if (n === 0) break;
  }
  for (let i = 0; i < maxRounds; i++) if ((await refreshSyncDays(sloMs, now, 512)) === 0) break;
  if (total > 0) await compactSyncRollup();
  return total;
}

/**
 * The tables whose rows the sync refresh replaces (ReplacingMergeTree, read with FINAL). A replaced row stays
 * until a merge drops it, and the engine may leave a handful of parts unmerged for long: after a 10M-event
 * ingest sync_lag_hourly held every hour twice in 12 parts, and FINAL over 60 days cost 34–40 ms instead of
 * 4–6 ms. Compacting merges each partition that has more than one part (optimize_skip_merged_partitions: a
 * merged partition is skipped, so a quiet store costs ~1 ms); 0.8 s once for that 10M store.
 */
const COMPACTED = ['sync_lag_hourly', 'sync_hour_state', 'sync_lag_daily'] as const;
/**
 * Compaction runs once the refresh has caught up, and either nothing was rebuilt for COMPACT_QUIET_MS (an
 * ingest has ended) or COMPACT_EVERY_MS passed since the last one (a steady ingest keeps rebuilding hours).
 */
const COMPACT_EVERY_MS = 5 * 60_000;
const COMPACT_QUIET_MS = 10_000;

export async function compactSyncRollup(): Promise<void> {
  const cluster = env().CLICKHOUSE_CLUSTER;
  await withLane('bulk', () => withSpan('rollup.sync_compact', {}, async () => {
    for (const t of COMPACTED) {
      // Table names from the closed list above; the cluster name is validated configuration.
      await command(unsafeRaw(`OPTIMIZE TABLE ${cluster ? `${t}_local ON CLUSTER ${cluster}` : t} FINAL SETTINGS optimize_skip_merged_partitions = 1`));
    }
  }));
}

/**
 * The background refresher of the server process (a globalThis singleton): every `intervalMs` it
 * recomputes a bounded number of stale hours (sync lag, its days, then pipeline health), then builds a flow
 * snapshot when one is due (ingest/flow-snapshot.ts); a cycle still running skips the tick.
 */
interface Refresher {
  timer: NodeJS.Timeout | null;
  busy: boolean;
  /**
   * Whether a day may be buildable: a day only becomes buildable when one of its hours is recomputed (an SLO
   * change makes every hour stale, so it passes here too). Set at start and after hours were rebuilt; cleared
   * after a pass that built nothing, so an idle server does not look for days every tick.
   */
  daysDirty: boolean;
  /** Rows were replaced since the last compaction; when last replaced, and when it last ran (ms). */
  replaced: boolean;
  replacedAt: number;
  compactedAt: number;
}
const KEY = Symbol.for('sync-control-tower.rollup-refresher');
const g = globalThis as typeof globalThis & { [KEY]?: Refresher };

export function startRollupRefresher(sloMs: () => number, intervalMs = 2000): void {
  const r = (g[KEY] ??= { timer: null, busy: false, daysDirty: true, replaced: true, replacedAt: 0, compactedAt: 0 });
  if (r.timer) return;
  const tick = () => {
    if (r.busy) return;
    r.busy = true;
    refreshSyncRollup(sloMs())
      .then(async (hours) => {
        const now = Date.now();
        if (hours > 0) {
          r.daysDirty = r.replaced = true;
          r.replacedAt = now;
        }
        if (r.daysDirty) r.daysDirty = (await refreshSyncDays(sloMs())) > 0;
        // Caught up (no stale hour left this pass): drop the replaced rows, so reads' FINAL has little to merge.
        if (hours === 0 && r.replaced && (now - r.replacedAt >= COMPACT_QUIET_MS || now - r.compactedAt >= COMPACT_EVERY_MS)) {
          r.compactedAt = Date.now();
          r.replaced = false;
          await compactSyncRollup();
        }
      })
      .then(() => refreshPipelineRollup())
      .then(() => refreshFlowSnapshot())
      .catch((err: unknown) => console.error(`[rollups] refresh failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        r.busy = false;
      });
  };
  r.timer = setInterval(tick, intervalMs);
  r.timer.unref();
  setImmediate(tick);
}

export function stopRollupRefresher(): void {
  const r = g[KEY];
  if (r?.timer) clearInterval(r.timer);
  if (r) r.timer = null;
}
