import { z } from 'zod';
import { command, p, query, sql, withLane } from '@/lib/store';
import { hoursNotFromPipeline } from '@/lib/store/rollups';
import { histCell, INGEST_DELAY_MS } from '@/lib/store/rollups';
import { withSpan } from '@/lib/telemetry/span';

/**
 * Keeps pipeline health's rollup (0008_pipeline_rollup.sql) answering every settled ingest hour. In normal
 * operation the pipeline's own per-batch rows already do, and this finds nothing. An hour whose rows do not
 * add up to its activity (a crash between an events insert and the counters, a half-written batch, a
 * replayed block, the startup repair counting the tail again, a store that predates the rollup) and has
 * no current recomputation is recomputed here from deduplicated raw events, under a new gen; readers
 * switch to it once its state row says which gen is current. Until then they read that hour raw.
 */
const HOUR_MS = 3_600_000;
const SETTLE_MS = 60_000;
const HOURS_PER_STATEMENT = 24;

const dirtyRow = z.object({ hour_s: z.number(), rows: z.number(), current: z.number() });
type DirtyHour = z.infer<typeof dirtyRow>;

/**
 * Background ticks look at the recent hours only (where crashes, replays and the startup repair land) and at
 * the whole history every FULL_SCAN_MS (a store that predates the rollup, a replay of an old block).
 */
const RECENT_MS = 48 * HOUR_MS;
const FULL_SCAN_MS = 5 * 60_000;
let lastFullScan = 0;

let lastGen = 0;
/**
 * A gen no other recomputation used: the clock in µs plus a random tail, strictly increasing within the
 * process, so two servers of a cluster recomputing the same hour never add up each other's rows.
 */
const nextGen = (): number => (lastGen = Math.max(lastGen + 1, Date.now() * 1000 + Math.floor(Math.random() * 1000)));

async function recompute(hours: DirtyHour[]): Promise<void> {
  const gen = nextGen();
  const starts = hours.map((h) => h.hour_s);
  const lo = Math.min(...starts) * 1000;
  const hi = Math.max(...starts) * 1000 + HOUR_MS;
  await command(sql`
    INSERT INTO pipeline_hourly (hour, gen, warehouse_id, source_system, type, accepted, hist, hist_min, hist_max)
    SELECT hour, ${p.u64(gen)}, warehouse_id, source_system, type, count(), sumMap(k, c), minMap(k, mn), maxMap(k, mx)
    FROM (
      SELECT toStartOfHour(ingested_at) AS hour, toString(warehouse_id) AS warehouse_id,
             toString(source_system) AS source_system, toString(type) AS type, ${INGEST_DELAY_MS} AS lag_ms, ${histCell(sql`1`)}
      FROM events
      WHERE ingested_at >= ${p.time(lo)} AND ingested_at < ${p.time(hi)}
        AND toInt64(toUnixTimestamp(toStartOfHour(ingested_at))) IN ${p.i64s(starts)}
      LIMIT 1 BY event_id
    )
    GROUP BY hour, warehouse_id, source_system, type`);
  // Only now is the gen current, with the activity count read before the scan above.
  await command(sql`
    INSERT INTO pipeline_hour_state (hour, gen, activity_seen, computed_at)
    SELECT toDateTime(h.1, 'UTC'), ${p.u64(gen)}, h.2, now64(6)
    FROM (SELECT arrayJoin(arrayZip(${p.i64s(starts)}, ${p.i64s(hours.map((h) => h.rows))})) AS h)`);
}

/**
 * Recomputes up to `maxHours` settled hours that need it, most recent first; returns how many. `full`:
 * every hour of the store; by default the last RECENT_MS, and all of them every FULL_SCAN_MS.
 */
export async function refreshPipelineRollup(now = Date.now(), maxHours = 96, full?: boolean): Promise<number> {
  return withLane('bulk', () => withSpan('rollup.pipeline_refresh', {}, async (span) => {
    const settled = Math.floor((now - SETTLE_MS) / HOUR_MS) * HOUR_MS;
    const all = full ?? Date.now() - lastFullScan >= FULL_SCAN_MS;
    if (all) lastFullScan = Date.now();
    const since = all ? 0 : settled - RECENT_MS;
    const hours = sql`hour >= toDateTime(${p.i64(Math.floor(since / 1000))}, 'UTC') AND hour < toDateTime(${p.i64(Math.floor(settled / 1000))}, 'UTC')`;
    const stale = await query(
      sql`SELECT hour_s, rows, current FROM (${hoursNotFromPipeline(hours)})
          WHERE current = 0 ORDER BY hour_s DESC LIMIT ${p.u32(maxHours)}`,
      dirtyRow,
      { name: 'rollup.pipeline_stale' },
    );
    for (let i = 0; i < stale.length; i += HOURS_PER_STATEMENT) await recompute(stale.slice(i, i + HOURS_PER_STATEMENT));
    if (all && stale.length >= maxHours) lastFullScan = 0; // a backlog: the next tick scans everything again
    span.setAttribute('hours', stale.length);
    return stale.length;
  }));
}

/** Refreshes until every settled hour is answered by the rollup (CLI ingest, tests); bounded by `maxRounds`. */
export async function refreshPipelineRollupFully(now = Date.now(), maxRounds = 10_000): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxRounds; i++) {
    const n = await refreshPipelineRollup(now, 480, true);
    total += n;
    if (n === 0) break;
  }
  return total;
}
