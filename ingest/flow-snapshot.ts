import { z } from 'zod';
import { env } from '@/lib/config/env';
import { buildCounts } from '@/lib/kpi/flow-counts';
import { lastMs, stageArrays, transactionStates } from '@/lib/kpi/flow-relation';
import { latestSnapshot } from '@/lib/kpi/flow-snapshot';
import { command, join, p, query, sql, unsafeRaw, withLane } from '@/lib/store';
import { STAGE_TYPES } from '@/lib/events/stages';
import { stageColumn } from '@/lib/store/flow-rollup';
import { withSpan } from '@/lib/telemetry/span';

/**
 * Builds the flow snapshot (0015_flow_state.sql; read by lib/kpi/flow-snapshot.ts): a new flow_state
 * partition from flow_transactions, then its flow_snapshots row (a crash before that row leaves a partition
 * no read uses, dropped by the next build), then drops all but the two latest complete snapshots (a read
 * that looked up the previous one a moment ago still finds its rows).
 *
 * MARGIN_MS: reads re-evaluate every correlation touched at or after started_at − MARGIN_MS. A touch is
 * stamped when the view runs during the insert, while the insert's rows become visible when it commits: a
 * build that started after the stamp might not see them. One minute covers any insert we accept.
 * HORIZON_MS: the snapshot also keeps every transaction whose latest time is at most this much before the
 * build (or before the newest data, when that is older), so any as_of after that is answered exactly.
 */
export const MARGIN_MS = 60_000;
const HORIZON_MS = 86_400_000;
/** When to build (flowSnapshotDue): see the README "Choices". */
const THRESHOLD = 5_000;
const MIN_GAP_MS = 30_000;
const MAX_AGE_MS = 120_000;
// 15 s past the margin: the quiet build's covers_before is then ~15 s after the last touch, so a caller that
// noted the time just after its last insert (bench/server.ts) sees a snapshot covering it.
const QUIET_MS = MARGIN_MS + 15_000;
const REBUILD_MS = 86_400_000;
/**
 * Transactions per insert of a build. The build's aggregation holds every transaction of its insert at once:
 * in one insert at 10M events (1.04M flow_transactions rows) it raised the process's peak RSS by ~1 GiB, which
 * the server pays during an ingest. Chunks by a hash of the correlation keep each transaction whole in one
 * chunk; each chunk scans the table again, but the scan is the cheap part (measured at 10M: 4 quarter
 * aggregations 1.04 s, +300 MiB each, against 0.93 s and +990 MiB whole).
 */
const CHUNK_ROWS = 250_000;
const MAX_CHUNKS = 16;

export interface FlowBuildOptions {
  /** The build's start (default: now); tests with no concurrent inserts may stamp a later one. */
  startedAt?: number;
  marginMs?: number;
  /** Overrides the horizon (tests: an as_of earlier than a day before the fixture's last event). */
  horizonMs?: number;
  /** Inserts to split the build into (default: by flow_transactions' size, CHUNK_ROWS each). */
  chunks?: number;
}

const maxRow = z.object({ m: z.number() });
const countRow = z.object({ n: z.number() });
const idRow = z.object({ snapshot_id: z.number() });

/** The newest stage or amount time in flow_transactions (≥ every transaction's last_ms). */
async function newestTime(): Promise<number> {
  const stages = STAGE_TYPES.map((s) => sql`ifNull(toUnixTimestamp64Milli(max(${stageColumn(s)})), 0)`);
  const rows = await query(
    sql`SELECT greatest(ifNull(max(toInt64OrNull(substring(first_amount, 1, 15))), 0), ${join(stages, ', ')}) AS m FROM flow_transactions`,
    maxRow,
    { name: 'rollup.flow_newest' },
  );
  return rows[0]?.m ?? 0;
}

/** How many inserts a build takes: flow_transactions' row count is the table's metadata, no scan. */
async function chunkCount(): Promise<number> {
  const rows = (await query(sql`SELECT count() AS n FROM flow_transactions`, countRow, { name: 'rollup.flow_size' }))[0]?.n ?? 0;
  return Math.min(MAX_CHUNKS, Math.max(1, Math.ceil(rows / CHUNK_ROWS)));
}

/** Drops every flow_state and flow_counts partition but those of the two latest complete snapshots (crashed builds' too). */
async function prune(): Promise<void> {
  const keep = new Set((await query(sql`SELECT snapshot_id FROM flow_snapshots ORDER BY snapshot_id DESC LIMIT 2`, idRow, { name: 'rollup.flow_keep' })).map((r) => r.snapshot_id));
  for (const name of ['flow_state', 'flow_counts'] as const) {
    const present = await query(sql`SELECT DISTINCT snapshot_id FROM ${unsafeRaw(name)}`, idRow, { name: 'rollup.flow_partitions' });
    for (const { snapshot_id: id } of present) {
      if (!keep.has(id)) await command(unsafeRaw(`ALTER TABLE ${localTable(name)} DROP PARTITION ${partitionId(name, id)}`));
    }
  }
}

type SnapshotTable = 'flow_state' | 'flow_counts';
/** The table that holds the parts (on a cluster, every shard's local table). */
function localTable(name: SnapshotTable): string {
  const cluster = env().CLICKHOUSE_CLUSTER;
  return cluster ? `${name}_local ON CLUSTER ${cluster}` : name;
}
/** A partition value cannot be a query parameter; it is an integer our own code chose (a snapshot id). */
function partitionId(name: SnapshotTable, id: number): string {
  if (!Number.isSafeInteger(id) || id < 0) throw new Error(`${name}: unexpected partition ${id}`);
  return String(id);
}

export interface FlowBuild {
  snapshotId: number;
  rows: number;
  coversBefore: number;
  horizon: number;
}

export async function buildFlowSnapshot(opts: FlowBuildOptions = {}): Promise<FlowBuild> {
  return withLane('bulk', () => withSpan('rollup.flow_snapshot', {}, async (span) => {
    const startedAt = opts.startedAt ?? Date.now();
    const coversBefore = startedAt - (opts.marginMs ?? MARGIN_MS);
    await prune();
    const latest = await latestSnapshot();
    // Ids grow: a read takes the greatest complete one.
    const sid = Math.max(startedAt, (latest?.snapshot_id ?? 0) + 1);
    const newest = await newestTime();
    const horizon = opts.horizonMs ?? Math.min(startedAt, newest) - HORIZON_MS;
    const chunks = opts.chunks ?? (await chunkCount());
    for (let k = 0; k < chunks; k++) {
      const among = chunks === 1 ? sql`1` : sql`cityHash64(correlation_id) % ${p.u64(chunks)} = ${p.u64(k)}`;
      await command(sql`
        INSERT INTO flow_state (snapshot_id, correlation_id, multi, warehouses, workflow, warehouse_id, document_ref, stage, reached_ms,
          amount, amount_ms, last_ms, stage_names, stage_times)
        SELECT ${p.u64(sid)}, correlation_id, toUInt8(length(warehouses) > 1), warehouses, workflow, warehouse_id, document_ref,
               stage, reached_ms, first_amount_value, amount_ms, last_ms, stage_names, stage_times
        FROM (SELECT *, ${lastMs()} AS last_ms, ${stageArrays()} FROM (${transactionStates({ warehouses: null }, null, among, true)}))
        WHERE stage != '' OR length(warehouses) > 1 OR last_ms >= ${p.i64(horizon)}`);
    }
    // One part, as one insert leaves it: reads take the rows they evaluate from the partition's last granules
    // (ordered by last_ms), and one part per slice cost them ~6 ms at 10M (measured in-process). The merge streams.
    if (chunks > 1) await command(unsafeRaw(`OPTIMIZE TABLE ${localTable('flow_state')} PARTITION ${partitionId('flow_state', sid)} FINAL`));
    span.setAttribute('chunks', chunks);
    const rows = (await query(sql`SELECT count() AS n FROM flow_state WHERE snapshot_id = ${p.u64(sid)}`, countRow, { name: 'rollup.flow_rows' }))[0]?.n ?? 0;
    await command(buildCounts(sid));
    // Last: only now is the snapshot complete.
    await command(sql`
      INSERT INTO flow_snapshots (snapshot_id, started_at, covers_before, horizon_ms, max_last_ms, rows, computed_at)
      VALUES (${p.u64(sid)}, ${p.time(startedAt)}, ${p.time(coversBefore)}, ${p.i64(horizon)}, ${p.i64(newest)}, ${p.u64(rows)}, now64(3))`);
    await prune();
    span.setAttribute('rows', rows);
    return { snapshotId: sid, rows, coversBefore, horizon };
  }));
}

const touchRow = z.object({ n: z.number(), last_ms: z.number() });

/**
 * Why a build is due now (null: not due). Touches pending = correlations reads re-evaluate exactly; a build
 * is due with no snapshot; a day after the last one; when touches are pending and the last one is 2 min old;
 * at 5,000 pending touches once it is 30 s old; and once ingest has been quiet for longer than the margin,
 * so that a build then leaves nothing pending (what the bench waits for before timing reads). The 2 min and
 * 30 s (and the quiet build) wait at least ten times the last build's duration.
 */
export async function flowSnapshotDue(nowMs = Date.now(), lastBuildMs = 0): Promise<string | null> {
  // Builds take at most about a tenth of the time: a slow build (a large store) spaces the next ones out.
  const spaced = (ms: number) => Math.max(ms, 10 * lastBuildMs);
  const snap = await latestSnapshot();
  if (snap === null) return 'none';
  const age = nowMs - snap.started_ms;
  if (age >= REBUILD_MS) return 'old';
  const [t] = await query(
    sql`SELECT count() AS n, toUnixTimestamp64Milli(max(ingested_at)) AS last_ms FROM flow_touches WHERE ingested_at >= ${p.time(snap.covers_before_ms)}`,
    touchRow,
    { name: 'rollup.flow_pending' },
  );
  if (!t || t.n === 0) return null;
  if (age >= spaced(MAX_AGE_MS)) return 'age';
  if (age >= spaced(MIN_GAP_MS) && t.n >= THRESHOLD) return 'touches';
  if (t.last_ms <= nowMs - QUIET_MS && age >= spaced(0)) return 'quiet';
  return null;
}

/** One refresher pass: builds when due, and says so in the log (bench/server.ts waits for that line). */
let lastBuildDuration = 0;

export async function refreshFlowSnapshot(nowMs = Date.now()): Promise<FlowBuild | null> {
  const why = await withLane('bulk', () => flowSnapshotDue(nowMs, lastBuildDuration));
  if (why === null) return null;
  const t0 = Date.now();
  const b = await buildFlowSnapshot();
  lastBuildDuration = Date.now() - t0;
  console.log(
    `[rollups] flow snapshot ${b.snapshotId}: ${b.rows} rows, covers events ingested before ${new Date(b.coversBefore).toISOString()}, ` +
      `built in ${((Date.now() - t0) / 1000).toFixed(1)} s (${why})`,
  );
  return b;
}
