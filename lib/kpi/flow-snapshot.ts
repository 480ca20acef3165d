import { z } from 'zod';
import { query, sql } from '@/lib/store';

/**
 * Which flow snapshot (0015_flow_state.sql; built by ingest/flow-snapshot.ts) a read may use. A snapshot
 * holds, per transaction, its fixed state (as at any as_of ≥ its last_ms) and its stage times, for every
 * transaction that then waits, every multi-warehouse one and every one with last_ms ≥ the horizon. At an
 * as_of ≥ the horizon, lib/kpi/flow-relation.ts reads it (its rows, their state as stored or, when last_ms >
 * as_of, evaluated from the stored times) for the correlations not touched since its covers_before whose
 * warehouses are all in scope, and evaluates the touched ones and the multi-warehouse ones partly in scope
 * from flow_transactions. Every other transaction has last_ms < horizon ≤ as_of, all its business events in
 * one warehouse and none since the build: it waits nowhere at as_of, as the snapshot found.
 */
export const snapshotRow = z.object({
  snapshot_id: z.number(),
  covers_before_ms: z.number(),
  horizon_ms: z.number(),
  started_ms: z.number(),
  /** The latest stage or amount time of any transaction when it was built: at an as_of at or after it, no row of it is "late". */
  max_last_ms: z.number(),
  /** Touches at or after covers_before when it was looked up: the correlations a read re-evaluates. */
  touched: z.number(),
});
export type FlowSnapshot = z.infer<typeof snapshotRow>;

/** A snapshot older than this is not used: flow_touches keeps 7 days, so touches since it are all still there. */
export const SNAPSHOT_MAX_AGE_MS = 2 * 86_400_000;

/** The latest complete snapshot (null: none yet). */
export async function latestSnapshot(): Promise<FlowSnapshot | null> {
  const rows = await query(
    sql`WITH (SELECT max(snapshot_id) FROM flow_snapshots) AS latest
        SELECT snapshot_id, toUnixTimestamp64Milli(covers_before) AS covers_before_ms, horizon_ms,
               toUnixTimestamp64Milli(started_at) AS started_ms, max_last_ms,
               (SELECT count() FROM flow_touches
                WHERE ingested_at >= (SELECT any(covers_before) FROM flow_snapshots WHERE snapshot_id = latest)) AS touched
        FROM flow_snapshots WHERE snapshot_id = latest LIMIT 1`,
    snapshotRow,
    { name: 'kpi.flow_snapshot' },
  );
  return rows[0] ?? null;
}

/** The latest complete snapshot if it answers `asOf` exactly (as_of ≥ its horizon, and recent enough). */
export async function usableSnapshot(asOf: number, nowMs = Date.now()): Promise<FlowSnapshot | null> {
  const snap = await latestSnapshot();
  if (snap === null || asOf < snap.horizon_ms || snap.started_ms < nowMs - SNAPSHOT_MAX_AGE_MS) return null;
  return snap;
}
