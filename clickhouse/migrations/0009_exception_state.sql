-- One row per exception (after merges; a few before) holding everything its state at ANY point in time
-- needs (metrics.md §2, §5, the lists and the detail; lib/kpi/exceptions-state.ts reads it), so those
-- reads merge one row per exception instead of grouping every raw exception.* event:
--   first_opened        the earliest exception.opened by (occurred_at, event_id), packed so that a plain
--                       min() of the text picks it (as invoice_postings.first_shipment does; a generic
--                       argMin state is several times slower to merge): 15-digit epoch ms, event_id, NUL,
--                       warehouse_id, NUL, correlation_id, NUL, workflow, NUL, category, NUL, severity, NUL,
--                       owner ('' = NULL, else '=' and the value). Text fields cannot contain control
--                       characters, so NUL ends each; lib/store/rollups.ts builds and reads the same layout;
--   assignments         every exception.assigned as (occurred_at, event_id, owner): the owner at as_of is
--                       the one of the latest (occurred_at, event_id) at or before it;
--   acks                every exception.acknowledged time: the acknowledgement at as_of is the latest one
--                       at or before it;
--   resolved_at         the first exception.resolved.
-- Every state is idempotent (min, sets of per-event tuples): a row seen twice — a block replayed after a
-- crash, the startup repair re-adding the recent tail (ingest/recovery.ts), a duplicate that slipped into
-- `events` — cannot change it, and a late event only adds to a set or lowers a minimum. So the rollup is exactly the raw answer without a refresher
-- (test/integration/rollups.exceptions.test.ts).
CREATE TABLE IF NOT EXISTS exception_state{{local}} {{on_cluster}}
(
    exception_id String,
    first_opened SimpleAggregateFunction(min, Nullable(String)),
    assignments  SimpleAggregateFunction(groupUniqArrayArray, Array(Tuple(DateTime64(3, 'UTC'), String, Nullable(String)))),
    acks         SimpleAggregateFunction(groupUniqArrayArray, Array(DateTime64(3, 'UTC'))),
    resolved_at  SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC')))
)
ENGINE = {{engine:AggregatingMergeTree}}
ORDER BY exception_id;
-- @distributed exception_state cityHash64(exception_id)

CREATE MATERIALIZED VIEW IF NOT EXISTS exception_state_mv{{local}} {{on_cluster}} TO exception_state{{local}}
AS SELECT
    exception_id,
    minIf(toNullable(concat(leftPad(toString(toUnixTimestamp64Milli(occurred_at)), 15, '0'), event_id,
        '\0', toString(warehouse_id), '\0', correlation_id, '\0', toString(workflow), '\0', toString(category),
        '\0', toString(severity), '\0', if(isNull(owner), '', concat('=', assumeNotNull(owner))))), type = 'exception.opened') AS first_opened,
    groupUniqArrayIf(tuple(occurred_at, event_id, owner), type = 'exception.assigned') AS assignments,
    groupUniqArrayIf(occurred_at, type = 'exception.acknowledged') AS acks,
    minIf(toNullable(occurred_at), type = 'exception.resolved') AS resolved_at
FROM events{{local}}
WHERE type IN ('exception.opened', 'exception.acknowledged', 'exception.assigned', 'exception.resolved') AND exception_id != ''
GROUP BY exception_id;

-- Existing stores: backfill once from events (a no-op on a new store; rows the view also wrote while
-- this ran are harmless, see above). Plain names: on a cluster this reads every shard and writes
-- through the Distributed table.
INSERT INTO exception_state (exception_id, first_opened, assignments, acks, resolved_at)
SELECT
    exception_id,
    minIf(toNullable(concat(leftPad(toString(toUnixTimestamp64Milli(occurred_at)), 15, '0'), event_id,
        '\0', toString(warehouse_id), '\0', correlation_id, '\0', toString(workflow), '\0', toString(category),
        '\0', toString(severity), '\0', if(isNull(owner), '', concat('=', assumeNotNull(owner))))), type = 'exception.opened'),
    groupUniqArrayIf(tuple(occurred_at, event_id, owner), type = 'exception.assigned'),
    groupUniqArrayIf(occurred_at, type = 'exception.acknowledged'),
    minIf(toNullable(occurred_at), type = 'exception.resolved')
FROM events
WHERE type IN ('exception.opened', 'exception.acknowledged', 'exception.assigned', 'exception.resolved') AND exception_id != ''
GROUP BY exception_id;
