import { z } from 'zod';
import { command, p, query, sql, withLane } from '@/lib/store';
import { histCell, LAG_MS, staleSyncHours } from '@/lib/store/rollups';
import { withSpan } from '@/lib/telemetry/span';
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
  return total;
}

/**
 * The background refresher of the server process (a globalThis singleton): every `intervalMs` it
 * recomputes a bounded number of stale hours (sync lag, then pipeline health); a cycle still running skips the tick.
 */
interface Refresher {
  timer: NodeJS.Timeout | null;
  busy: boolean;
}
const KEY = Symbol.for('sync-control-tower.rollup-refresher');
const g = globalThis as typeof globalThis & { [KEY]?: Refresher };

export function startRollupRefresher(sloMs: () => number, intervalMs = 2000): void {
  const r = (g[KEY] ??= { timer: null, busy: false });
  if (r.timer) return;
  const tick = () => {
    if (r.busy) return;
    r.busy = true;
    refreshSyncRollup(sloMs())
      .then(() => refreshPipelineRollup())
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
