-- Sync lag per warehouse × UTC day (metrics.md §1), for the whole days of a window: a 30-day KPI merges
-- 30 rows per warehouse instead of 720 hours × routes × interfaces. No route or interface: the route
-- breakdown, the lag hints and route-grouped alerts keep reading the hourly rollup.
--
-- Derived from `sync_lag_hourly` (0007), never from a view: the refresher (ingest/rollups.ts) builds a
-- (warehouse, day) only when every hour of it with activity is current, and records the activity those
-- hours had seen and the SLO. Readers use a day while `activity_seen` still equals the day's activity and the
-- SLO is unchanged (lib/kpi/sync-cells.ts); any other day reads hourly rows and raw events as before, so
-- the answer is exact at all times. One row per (warehouse, day) and build; FINAL keeps the latest.
CREATE TABLE IF NOT EXISTS sync_lag_daily{{local}} {{on_cluster}}
(
    warehouse_id  String,
    day           Date,
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
    activity_seen UInt64,
    slo_ms        Int64,
    computed_at   DateTime64(6, 'UTC')
)
ENGINE = {{engine:ReplacingMergeTree(computed_at)}}
PARTITION BY toYYYYMM(day)
ORDER BY (warehouse_id, day);
-- @distributed sync_lag_daily cityHash64(warehouse_id)
