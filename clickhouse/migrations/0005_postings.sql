-- Per correlation: its earliest shipment.confirmed and its earliest invoice.posted, which is all that
-- metrics.md §3 (invoice latency, unposted) and §5 (close readiness) read, so those KPIs group one row
-- per transaction instead of joining raw shipment and invoice events.
-- Every column is a min(): replaying rows (the startup repair does) cannot change it, a late event only
-- lowers a minimum, and the answer is exactly the raw answer (test/integration/rollups.test.ts).
--
-- first_shipment packs the earliest shipment so that a plain min() of the text picks it:
--   15-digit epoch ms, event_id, NUL, warehouse_id, NUL, amount ('' = NULL), NUL, currency, NUL,
--   document_ref ('' = NULL, else '=' and the value).
-- Fixed-width time first, then the event_id (which, like every text field, cannot contain control
-- characters, so NUL ends it): the minimum is the earliest (occurred_at, event_id), as argMin orders it,
-- at the cost of one short string instead of a generic argMin state that is several times slower to merge.
-- lib/kpi/postings.ts builds and unpacks the same layout.
CREATE TABLE IF NOT EXISTS invoice_postings{{local}} {{on_cluster}}
(
    correlation_id String,
    shipped_at     SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    first_shipment SimpleAggregateFunction(min, Nullable(String)),
    invoiced_at    SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC')))
)
ENGINE = {{engine:AggregatingMergeTree}}
ORDER BY correlation_id;
-- @distributed invoice_postings cityHash64(correlation_id)

CREATE MATERIALIZED VIEW IF NOT EXISTS invoice_postings_shipped_mv{{local}} {{on_cluster}} TO invoice_postings{{local}}
AS SELECT
    correlation_id,
    min(occurred_at) AS shipped_at,
    min(concat(leftPad(toString(toUnixTimestamp64Milli(occurred_at)), 15, '0'), event_id,
        '\0', toString(warehouse_id), '\0', ifNull(toString(amount), ''), '\0', toString(currency),
        '\0', if(isNull(document_ref), '', concat('=', assumeNotNull(document_ref))))) AS first_shipment
FROM events{{local}}
WHERE type = 'shipment.confirmed'
GROUP BY correlation_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS invoice_postings_invoiced_mv{{local}} {{on_cluster}} TO invoice_postings{{local}}
AS SELECT
    correlation_id,
    min(occurred_at) AS invoiced_at
FROM events{{local}}
WHERE type = 'invoice.posted'
GROUP BY correlation_id;

-- Existing stores: backfill once from events (a no-op on a new store). Plain names: on a cluster this
-- reads every shard and writes through the Distributed table.
INSERT INTO invoice_postings (correlation_id, shipped_at, first_shipment, invoiced_at)
SELECT
    correlation_id,
    minIf(toNullable(occurred_at), type = 'shipment.confirmed'),
    minIf(toNullable(concat(leftPad(toString(toUnixTimestamp64Milli(occurred_at)), 15, '0'), event_id,
        '\0', toString(warehouse_id), '\0', ifNull(toString(amount), ''), '\0', toString(currency),
        '\0', if(isNull(document_ref), '', concat('=', assumeNotNull(document_ref))))), type = 'shipment.confirmed'),
    minIf(toNullable(occurred_at), type = 'invoice.posted')
FROM events
WHERE type IN ('shipment.confirmed', 'invoice.posted')
GROUP BY correlation_id;
