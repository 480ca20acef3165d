-- Pipeline health (metrics.md §6): the accepted count per warehouse and the ingest-delay histogram per
-- ingest hour × warehouse × source system × type, so a read merges a few rows per hour instead of
-- de-duplicating every event ingested in the window. Counters of duplicates and rejections stay where they
-- are (ingest_stats, rejected_events).
--
-- Two kinds of rows (`gen`):
--   gen = 0  written by the ingest pipeline itself, once per batch, after the batch's events are stored
--            (through pipeline_delay_input below): what the pipeline accepted;
--   gen > 0  a recomputation of a whole hour from deduplicated raw events (ingest/rollups-pipeline.ts),
--            identified by its gen in pipeline_hour_state.
-- No materialized view on `events` feeds them: a replayed events block would count twice.
--
-- Which rows answer an hour: `pipeline_hour_activity` counts rows inserted into `events` per ingest hour
-- (a sum that only grows; the startup repair counts the recent tail again). When the pipeline's own
-- rows for an hour add up to exactly that count, every stored event of the hour was counted once by the
-- batch that stored it (a crash between an events insert and its counters, a half-written batch, or a
-- replayed block all leave the count higher). Otherwise the hour is answered by its current
-- recomputation (activity_seen >= the count), and failing that from raw events (lib/kpi/pipeline-cells.ts).
CREATE TABLE IF NOT EXISTS pipeline_hour_activity{{local}} {{on_cluster}}
(
    hour DateTime('UTC'),
    rows SimpleAggregateFunction(sum, UInt64)
)
ENGINE = {{engine:AggregatingMergeTree}}
ORDER BY hour;
-- @distributed pipeline_hour_activity rand()

CREATE MATERIALIZED VIEW IF NOT EXISTS pipeline_hour_activity_mv{{local}} {{on_cluster}} TO pipeline_hour_activity{{local}}
AS SELECT
    toStartOfHour(ingested_at) AS hour,
    count() AS rows
FROM events{{local}}
GROUP BY hour;

-- hist*: the log-bucket histogram of ingest delays in ms (ingested_at − occurred_at), the same buckets as
-- the sync-lag rollup (lib/store/rollups.ts lagBucket), with each bucket's count, min and max.
CREATE TABLE IF NOT EXISTS pipeline_hourly{{local}} {{on_cluster}}
(
    hour          DateTime('UTC'),
    gen           UInt64,
    warehouse_id  String,
    source_system String,
    type          String,
    accepted      SimpleAggregateFunction(sum, UInt64),
    hist          SimpleAggregateFunction(sumMap, Tuple(Array(Int16), Array(UInt64))),
    hist_min      SimpleAggregateFunction(minMap, Tuple(Array(Int16), Array(Int64))),
    hist_max      SimpleAggregateFunction(maxMap, Tuple(Array(Int16), Array(Int64)))
)
ENGINE = {{engine:AggregatingMergeTree}}
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, gen, warehouse_id, source_system, type);
-- @distributed pipeline_hourly cityHash64(hour)

-- The pipeline inserts one row per batch × warehouse × source × type: the distinct occurred_at of its accepted
-- events, each with its count (arrays, so a batch is a few rows to parse, not one per event). Nothing is
-- stored here; the view buckets the delays with the very expressions the raw read path uses (the text of
-- lagBucket and INGEST_DELAY_MS in lib/store/rollups.ts) on the very values stored in `events`. A node-local
-- table: its view writes to the local part of pipeline_hourly on whichever node the writer talks to.
CREATE TABLE IF NOT EXISTS pipeline_delay_input {{on_cluster}}
(
    ingested_at   DateTime64(3, 'UTC'),
    warehouse_id  String,
    source_system String,
    type          String,
    occurred      Array(DateTime64(3, 'UTC')),
    counts        Array(UInt64)
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS pipeline_delay_input_mv {{on_cluster}} TO pipeline_hourly{{local}}
AS SELECT
    toStartOfHour(ingested_at) AS hour,
    toUInt64(0) AS gen,
    warehouse_id,
    source_system,
    type,
    sum(n) AS accepted,
    sumMap([b], [n]) AS hist,
    minMap([b], [d]) AS hist_min,
    maxMap([b], [d]) AS hist_max
FROM (
    SELECT ingested_at, warehouse_id, source_system, type, n,
           toInt64(dateDiff('millisecond', occurred_at, ingested_at)) AS d,
           toInt16(if(d = 0, 0, sign(d) * (floor(log(abs(d)) / log(1.01)) + 1))) AS b
    FROM pipeline_delay_input
    ARRAY JOIN occurred AS occurred_at, counts AS n
)
GROUP BY hour, warehouse_id, source_system, type;

-- Written after an hour's recomputed rows: which gen holds them and the activity count read BEFORE the
-- raw scan. FINAL keeps the latest.
CREATE TABLE IF NOT EXISTS pipeline_hour_state{{local}} {{on_cluster}}
(
    hour          DateTime('UTC'),
    gen           UInt64,
    activity_seen UInt64,
    computed_at   DateTime64(6, 'UTC')
)
ENGINE = {{engine:ReplacingMergeTree(computed_at)}}
ORDER BY hour;
-- @distributed pipeline_hour_state cityHash64(hour)

-- Existing stores: count what is already there (a no-op on a new store). Those hours have no pipeline
-- rows, so they read raw until the refresher has recomputed them.
INSERT INTO pipeline_hour_activity (hour, rows)
SELECT toStartOfHour(ingested_at), count()
FROM events
GROUP BY toStartOfHour(ingested_at);
