-- Sync lag (metrics.md §1, §10 and the alert metrics built on them) per warehouse × hour × route ×
-- interface, so a 30-day read merges a few thousand rows instead of scanning every message.
--
-- The rollup is not a sum kept by a materialized view: a replayed block (a crash between an events part
-- and its views, the startup repair) would count twice. Instead each (warehouse, hour) is RECOMPUTED
-- from deduplicated raw events (ingest/rollups.ts) and replaces its previous version, so replays,
-- half-written inserts and duplicates that slipped into `events` cannot make it drift from raw.
--
-- Which hours are current: `sync_hour_activity` counts rows inserted into `events` per
-- (warehouse, observed hour) — a sum that only grows, whatever merges do. A recomputation records the
-- count it saw (`sync_hour_state.activity_seen`, read BEFORE the raw scan) and the SLO it counted breaches
-- against; the hour is answered from the rollup only while activity_seen >= the current count and the SLO
-- is unchanged. Any other hour is read raw (lib/kpi/sync-cells.ts), so the answer is exact at all times.
CREATE TABLE IF NOT EXISTS sync_hour_activity{{local}} {{on_cluster}}
(
    warehouse_id String,
    hour         DateTime('UTC'),
    rows         SimpleAggregateFunction(sum, UInt64)
)
ENGINE = {{engine:AggregatingMergeTree}}
ORDER BY (warehouse_id, hour);
-- @distributed sync_hour_activity cityHash64(warehouse_id)

CREATE MATERIALIZED VIEW IF NOT EXISTS sync_hour_activity_mv{{local}} {{on_cluster}} TO sync_hour_activity{{local}}
AS SELECT
    toString(warehouse_id) AS warehouse_id,
    toStartOfHour(observed_at) AS hour,
    count() AS rows
FROM events{{local}}
WHERE type = 'sync.message'
GROUP BY warehouse_id, hour;

-- One row per (warehouse, hour, route, interface) and recomputation; FINAL keeps the latest.
-- hist_*: a log-bucket histogram of delivered lags in ms (bucket k > 0 holds [1.01^(k-1), 1.01^k),
-- negatives mirror it, 0 is its own bucket) with each bucket's count, min and max: quantiles read from it
-- are within 0.5 % of the exact nearest-rank value, and exact whenever the rank falls on a bucket edge.
CREATE TABLE IF NOT EXISTS sync_lag_hourly{{local}} {{on_cluster}}
(
    warehouse_id  String,
    hour          DateTime('UTC'),
    source_system String,
    target_system String,
    has_interface UInt8,
    interface     String,
    messages      UInt64,
    delivered     UInt64,
    failed        UInt64,
    retried       UInt64,
    dead_lettered UInt64,
    breaches      UInt64,
    lag_max       Nullable(Int64),
    hist_keys     Array(Int16),
    hist_counts   Array(UInt64),
    hist_min      Array(Int64),
    hist_max      Array(Int64),
    computed_at   DateTime64(6, 'UTC')
)
ENGINE = {{engine:ReplacingMergeTree(computed_at)}}
PARTITION BY toYYYYMM(hour)
ORDER BY (warehouse_id, hour, source_system, target_system, has_interface, interface);
-- @distributed sync_lag_hourly cityHash64(warehouse_id)

-- Written after the hour's rows: what that recomputation saw (see above). FINAL keeps the latest.
CREATE TABLE IF NOT EXISTS sync_hour_state{{local}} {{on_cluster}}
(
    warehouse_id  String,
    hour          DateTime('UTC'),
    activity_seen UInt64,
    slo_ms        Int64,
    computed_at   DateTime64(6, 'UTC')
)
ENGINE = {{engine:ReplacingMergeTree(computed_at)}}
ORDER BY (warehouse_id, hour);
-- @distributed sync_hour_state cityHash64(warehouse_id)

-- Existing stores: count what is already there (a no-op on a new store); the refresher then builds
-- the rollup in the background while reads stay on raw events for the hours not yet built.
INSERT INTO sync_hour_activity (warehouse_id, hour, rows)
SELECT toString(warehouse_id), toStartOfHour(observed_at), count()
FROM events
WHERE type = 'sync.message'
GROUP BY warehouse_id, toStartOfHour(observed_at);
