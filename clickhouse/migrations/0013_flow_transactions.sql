-- Flow (metrics.md §8): per (correlation, warehouse), over business events (every type but sync.message,
-- exception.* and inventory.snapshot), the earliest business event (workflow, warehouse, document), the
-- earliest event with an amount, and the earliest event of each stage type. Every "earliest" in §8 is
-- independent of as_of (a stage is reached at as_of iff its earliest time is ≤ as_of), so one row set
-- answers any as_of; a read merges a scope's warehouses per correlation with min() again.
-- Every column is a min(): replays (the startup repair) and duplicate rows in `events` cannot change it,
-- and the answer is exactly the raw answer (test/integration/rollups.flow.test.ts).
--
-- first_business packs 15-digit epoch ms, event_id, NUL, workflow, NUL, warehouse_id, NUL, document_ref
-- ('' = NULL, else '=' and the value); first_amount packs ms, event_id, NUL, amount. Event ids hold no
-- control characters, so min() of the text is argMin by (occurred_at, event_id).
-- lib/store/flow-rollup.ts builds the same layout and lib/kpi/flow-relation.ts unpacks it.
CREATE TABLE IF NOT EXISTS flow_transactions{{local}} {{on_cluster}}
(
    correlation_id        String,
    warehouse_id          String,
    first_business        SimpleAggregateFunction(min, String),
    first_amount          SimpleAggregateFunction(min, Nullable(String)),
    order_created_at      SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    pick_confirmed_at     SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    shipment_confirmed_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    invoice_posted_at     SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    payment_received_at   SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    receipt_posted_at     SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    return_received_at    SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    credit_issued_at      SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    transfer_shipped_at   SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    transfer_received_at  SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC')))
)
ENGINE = {{engine:AggregatingMergeTree}}
ORDER BY (correlation_id, warehouse_id);
-- @distributed flow_transactions cityHash64(correlation_id)

CREATE MATERIALIZED VIEW IF NOT EXISTS flow_transactions_mv{{local}} {{on_cluster}} TO flow_transactions{{local}}
AS SELECT
    correlation_id,
    toString(warehouse_id) AS warehouse_id,
    min(concat(leftPad(toString(toUnixTimestamp64Milli(occurred_at)), 15, '0'), event_id,
        '\0', toString(workflow), '\0', toString(warehouse_id), '\0',
        if(isNull(document_ref), '', concat('=', assumeNotNull(document_ref))))) AS first_business,
    minIf(toNullable(concat(leftPad(toString(toUnixTimestamp64Milli(occurred_at)), 15, '0'), event_id, '\0', toString(amount))),
        isNotNull(amount)) AS first_amount,
    minIf(toNullable(occurred_at), type = 'order.created') AS order_created_at,
    minIf(toNullable(occurred_at), type = 'pick.confirmed') AS pick_confirmed_at,
    minIf(toNullable(occurred_at), type = 'shipment.confirmed') AS shipment_confirmed_at,
    minIf(toNullable(occurred_at), type = 'invoice.posted') AS invoice_posted_at,
    minIf(toNullable(occurred_at), type = 'payment.received') AS payment_received_at,
    minIf(toNullable(occurred_at), type = 'receipt.posted') AS receipt_posted_at,
    minIf(toNullable(occurred_at), type = 'return.received') AS return_received_at,
    minIf(toNullable(occurred_at), type = 'credit.issued') AS credit_issued_at,
    minIf(toNullable(occurred_at), type = 'transfer.shipped') AS transfer_shipped_at,
    minIf(toNullable(occurred_at), type = 'transfer.received') AS transfer_received_at
FROM events{{local}}
WHERE type NOT IN ('sync.message', 'inventory.snapshot') AND NOT startsWith(type, 'exception.')
GROUP BY correlation_id, warehouse_id;

-- Existing stores: backfill once from events (a no-op on a new store).
INSERT INTO flow_transactions
SELECT
    correlation_id,
    toString(warehouse_id),
    min(concat(leftPad(toString(toUnixTimestamp64Milli(occurred_at)), 15, '0'), event_id,
        '\0', toString(workflow), '\0', toString(warehouse_id), '\0',
        if(isNull(document_ref), '', concat('=', assumeNotNull(document_ref))))),
    minIf(toNullable(concat(leftPad(toString(toUnixTimestamp64Milli(occurred_at)), 15, '0'), event_id, '\0', toString(amount))),
        isNotNull(amount)),
    minIf(toNullable(occurred_at), type = 'order.created'),
    minIf(toNullable(occurred_at), type = 'pick.confirmed'),
    minIf(toNullable(occurred_at), type = 'shipment.confirmed'),
    minIf(toNullable(occurred_at), type = 'invoice.posted'),
    minIf(toNullable(occurred_at), type = 'payment.received'),
    minIf(toNullable(occurred_at), type = 'receipt.posted'),
    minIf(toNullable(occurred_at), type = 'return.received'),
    minIf(toNullable(occurred_at), type = 'credit.issued'),
    minIf(toNullable(occurred_at), type = 'transfer.shipped'),
    minIf(toNullable(occurred_at), type = 'transfer.received')
FROM events
WHERE type NOT IN ('sync.message', 'inventory.snapshot') AND NOT startsWith(type, 'exception.')
GROUP BY correlation_id, warehouse_id;
