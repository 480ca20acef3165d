-- Flow (metrics.md §8): the waiting transactions of a flow snapshot (0015) counted per workflow × stage ×
-- warehouse × hour of the stage reached, with the earliest reached time and the summed amount. Written by the
-- snapshot build (ingest/flow-snapshot.ts) after its flow_state rows and before its flow_snapshots row, from
-- the single-warehouse waiting rows of that snapshot, so a complete snapshot always has its counts.
--
-- A fleet-wide Flow KPI whose as_of is at or after everything the snapshot saw, with nothing touched since,
-- reads these (a few thousand rows) instead of every waiting transaction: an hour that ended before
-- as_of − SLA is overdue whole, one that starts at or after it is not; the one hour that holds as_of − SLA is
-- read per transaction from flow_state (lib/kpi/flow-counts.ts). Partitioned like flow_state and dropped with it.
CREATE TABLE IF NOT EXISTS flow_counts{{local}} {{on_cluster}}
(
    snapshot_id  UInt64,
    workflow     LowCardinality(String),
    stage        LowCardinality(String),
    warehouse_id LowCardinality(String),
    hour_ms      Int64,
    n            UInt64,
    min_reached  Int64,
    amount       Decimal128(6)
)
ENGINE = {{engine:MergeTree}}
PARTITION BY snapshot_id
ORDER BY (snapshot_id, workflow, stage, warehouse_id, hour_ms);
-- @distributed flow_counts cityHash64(warehouse_id)

-- Existing stores: the counts of the snapshots already built (a no-op on a new store), so a complete snapshot
-- always has its counts.
INSERT INTO flow_counts (snapshot_id, workflow, stage, warehouse_id, hour_ms, n, min_reached, amount)
SELECT snapshot_id, workflow, stage, warehouse_id, reached_ms - positiveModulo(reached_ms, 3600000) AS hour_ms,
       count(), min(reached_ms), sum(ifNull(amount, toDecimal128(0, 6)))
FROM flow_state
WHERE multi = 0 AND stage != ''
GROUP BY snapshot_id, workflow, stage, warehouse_id, hour_ms;
