-- Flow (metrics.md §8) as a materialized per-transaction state plus a delta of recent changes, so that a
-- read costs ∝ waiting transactions instead of a group-by over every transaction (ingest/flow-snapshot.ts
-- builds it, lib/kpi/flow-relation.ts reads it). A transaction's stage at as_of depends only on its stage
-- times ≤ as_of: at any as_of ≥ its last stage or amount time (last_ms) its state is fixed.
--
-- flow_touches: which correlations received business events since a time (ingested_at = when the view ran).
-- The startup repair (ingest/recovery.ts) replays it for the tail it repairs, with ingested_at = now.
CREATE TABLE IF NOT EXISTS flow_touches{{local}} {{on_cluster}}
(
    ingested_at    DateTime64(3, 'UTC'),
    correlation_id String
)
ENGINE = {{engine:MergeTree}}
ORDER BY ingested_at
TTL toDateTime(ingested_at) + INTERVAL 7 DAY;
-- @distributed flow_touches cityHash64(correlation_id)

CREATE MATERIALIZED VIEW IF NOT EXISTS flow_touches_mv{{local}} {{on_cluster}} TO flow_touches{{local}}
AS SELECT now64(3) AS ingested_at, correlation_id
FROM events{{local}}
WHERE type NOT IN ('sync.message', 'inventory.snapshot') AND NOT startsWith(type, 'exception.')
GROUP BY correlation_id;

-- flow_state: one partition per snapshot. Its rows, evaluated from ALL of a transaction's business events
-- as for an as_of ≥ last_ms: every transaction that then waits somewhere, every transaction with business
-- events in more than one warehouse (multi = 1, whatever its state: a limited scope sees only a part of
-- it), and every transaction whose last_ms ≥ the snapshot's horizon (an as_of before its last_ms needs it).
-- stage '' = waits nowhere. amount: of the earliest event with one (at amount_ms). stage_names/stage_times:
-- its workflow's expected stages in order and the earliest time of each (ms; NULL: not reached), merged over
-- its warehouses, so a read evaluates a row whose last_ms is after its as_of without flow_transactions.
CREATE TABLE IF NOT EXISTS flow_state{{local}} {{on_cluster}}
(
    snapshot_id    UInt64,
    correlation_id String,
    multi          UInt8,
    warehouses     Array(LowCardinality(String)),
    workflow       LowCardinality(String),
    warehouse_id   LowCardinality(String),
    document_ref   Nullable(String),
    stage          LowCardinality(String),
    reached_ms     Int64,
    amount         Nullable(Decimal128(6)),
    amount_ms      Nullable(Int64),
    last_ms        Int64,
    stage_names    Array(LowCardinality(String)),
    stage_times    Array(Nullable(Int64))
)
ENGINE = {{engine:MergeTree}}
PARTITION BY snapshot_id
-- By last_ms: a read evaluates the rows with last_ms > as_of (the most recent ones) from their stage times,
-- and the key confines that to the last granules instead of every row's ten time columns.
ORDER BY (snapshot_id, last_ms);
-- @distributed flow_state cityHash64(correlation_id)

-- One row per COMPLETE snapshot, written after all its flow_state rows: a build that crashed has none, so
-- no read uses its partition (the next build drops it). covers_before = started_at − the safety margin:
-- reads re-evaluate every correlation touched at or after it. horizon_ms: reads at an as_of before it
-- take the full path (a transaction that is not in the snapshot has last_ms < horizon_ms).
CREATE TABLE IF NOT EXISTS flow_snapshots{{local}} {{on_cluster}}
(
    snapshot_id   UInt64,
    started_at    DateTime64(3, 'UTC'),
    covers_before DateTime64(3, 'UTC'),
    horizon_ms    Int64,
    max_last_ms   Int64,
    rows          UInt64,
    computed_at   DateTime64(3, 'UTC')
)
ENGINE = {{engine:MergeTree}}
ORDER BY snapshot_id
TTL toDateTime(computed_at) + INTERVAL 7 DAY;
-- @distributed flow_snapshots rand()
