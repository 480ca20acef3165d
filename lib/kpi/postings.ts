import { p, sql, type Sql } from '@/lib/store';
import { fromRollup } from './tables';

/**
 * Per correlation, the earliest shipment.confirmed (S, with its warehouse, amount, currency and document)
 * and the earliest invoice.posted (I): the two relations metrics.md §3 and §5 are built on. Each comes
 * from raw `events` or from the `invoice_postings` rollup (migration 0005), as lib/kpi/tables.ts decides;
 * both give the same rows (test/integration/rollups.test.ts).
 *
 * The rollup holds several partial rows per correlation until merges fold them, so every read groups by
 * correlation_id with min(), the merge function of each column. `first_shipment` is the packed record
 * described in 0005_postings.sql and built by FIRST_SHIPMENT (lib/store/rollups.ts); the readers below
 * unpack it.
 */
const unpack = (col: Sql) => sql`splitByChar('\\0', assumeNotNull(${col}))`;

/**
 * Unposted at `asOf`: correlations whose earliest shipment is at or before asOf and that have no invoice
 * at or before asOf. Columns: correlation_id, s, shipped_warehouse, amount, currency, document_ref.
 * Not scoped: callers filter on `shipped_warehouse`.
 */
export function unpostedRelation(asOf: number): Sql {
  const at = p.time(asOf);
  if (!fromRollup('first_postings')) {
    // Only shipments ≤ as_of are read: when the earliest shipment is ≤ as_of it is also the earliest of
    // those, and when it is not, the correlation is not unposted at as_of anyway.
    // The tuple keeps a NULL amount from being skipped the way argMin skips NULL arguments.
    return sql`
      SELECT correlation_id, s, first.1 AS shipped_warehouse, first.2 AS amount, first.3 AS currency, first.4 AS document_ref
      FROM (
        SELECT
          correlation_id,
          min(occurred_at) AS s,
          argMin(tuple(toString(warehouse_id), amount, toString(currency), document_ref), tuple(occurred_at, event_id)) AS first
        FROM events
        WHERE type = 'shipment.confirmed' AND occurred_at <= ${at}
        GROUP BY correlation_id
      )
      WHERE correlation_id NOT IN (
        SELECT correlation_id FROM events WHERE type = 'invoice.posted' AND occurred_at <= ${at}
      )`;
  }
  // A partial row with an invoice ≤ as_of means the correlation's earliest invoice is ≤ as_of: such
  // correlations are dropped before grouping, so only the (few) unposted ones are merged and unpacked.
  return sql`
    SELECT correlation_id, s, rec[2] AS shipped_warehouse, toDecimal128OrNull(rec[3], 6) AS amount, rec[4] AS currency,
           if(rec[5] = '', NULL, substring(rec[5], 2)) AS document_ref
    FROM (
      SELECT correlation_id, assumeNotNull(min(shipped_at)) AS s, ${unpack(sql`min(first_shipment)`)} AS rec
      FROM invoice_postings
      WHERE correlation_id NOT IN (SELECT correlation_id FROM invoice_postings WHERE invoiced_at <= ${at})
      GROUP BY correlation_id
      HAVING min(shipped_at) <= ${at}
    )`;
}

/**
 * Correlations whose earliest invoice I is in [from, to) and that have a shipment: columns
 * shipped_warehouse (of the earliest shipment S) and lat_ms = I − S in ms (S over all time: it may follow I).
 */
export function invoicedRelation(from: number, to: number): Sql {
  const lo = p.time(from);
  const hi = p.time(to);
  if (!fromRollup('first_postings')) {
    // I in [from, to) ⇔ the earliest invoice before `to` is at or after `from`. Shipments are read only
    // for correlations that have an invoice in the window.
    return sql`
      SELECT sh.shipped_warehouse AS shipped_warehouse, toInt64(dateDiff('millisecond', sh.s, inv.i)) AS lat_ms
      FROM (
        SELECT correlation_id, min(occurred_at) AS i
        FROM events
        WHERE type = 'invoice.posted' AND occurred_at < ${hi}
        GROUP BY correlation_id
        HAVING i >= ${lo}
      ) AS inv
      INNER JOIN (
        SELECT
          correlation_id,
          min(occurred_at) AS s,
          argMin(toString(warehouse_id), tuple(occurred_at, event_id)) AS shipped_warehouse
        FROM events
        WHERE type = 'shipment.confirmed' AND correlation_id IN (
          SELECT correlation_id FROM events
          WHERE type = 'invoice.posted' AND occurred_at >= ${lo} AND occurred_at < ${hi}
        )
        GROUP BY correlation_id
      ) AS sh ON sh.correlation_id = inv.correlation_id`;
  }
  // Any partial row with an invoice in the window makes the correlation a candidate; the HAVING then
  // checks the earliest invoice over all of its rows.
  return sql`
    SELECT ${unpack(sql`min(first_shipment)`)}[2] AS shipped_warehouse,
           toInt64(dateDiff('millisecond', assumeNotNull(min(shipped_at)), assumeNotNull(min(invoiced_at)))) AS lat_ms
    FROM invoice_postings
    WHERE correlation_id IN (SELECT correlation_id FROM invoice_postings WHERE invoiced_at >= ${lo} AND invoiced_at < ${hi})
    GROUP BY correlation_id
    HAVING min(invoiced_at) >= ${lo} AND min(invoiced_at) < ${hi} AND min(shipped_at) IS NOT NULL`;
}
