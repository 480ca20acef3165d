/**
 * Why a target is missed: analysis, not measurement. Hand-maintained, keyed by target id (and, for the
 * per-endpoint KPI targets, by `kpi-p95:<endpoint>`); the report prints the entry beside every MISS.
 * Revise after each run that changes the picture, then `npx tsx bench/render.ts` re-renders the report.
 *
 * As of the 10M runs of 2026-12-03 and 2026-12-04 (figures in bench/report.md) (and the 1M run of 2026-12-03), with per-statement timings
 * taken in-process on 1M and 10M stores (PERF_SQL-style logging, chDB session, `node --cpu-prof` for ingest).
 */

export const REASONS_AS_OF = '2026-12-04';

const FIXED =
  'every computed read pays about 15 ms of HTTP/Next.js/auth/response validation, plus for sync lag a stale-hour check (~20 ms) before its main statement';
const SYNC_LAG =
  `${FIXED}; the main statement (~60 ms at 1M and 10M) merges the hourly histograms of the window's whole hours (sparse: ~1 bucket per message at 1M) and reads ` +
  'the partial hours at both ends raw, where the observed_at min-max index skips only whole granules (a granule of one warehouse\'s messages spans days). ' +
  'flat from 1M to 10M, but above 100 ms';
const ROUTE_HOURS =
  'reads sync_lag_hourly per warehouse × route × interface × hour: only the warehouse-level KPI has a daily table (sync_lag_daily), so a 30-day ' +
  'breakdown, hint or series merges ~720 hours of per-route histograms that stay sparse and grow with the data; ' +
  'next: a daily table per route and interface, and coarser buckets (γ = 1.02 keeps the error under 1 %)';
const PER_TRANSACTION =
  'reads invoice_postings, one row per transaction (earliest shipment, earliest invoice), because a late shipment or invoice changes a ' +
  'transaction\'s latency or its unposted state; grows with transactions; next: a rollup ' +
  'of latency buckets per warehouse × invoice hour recomputed for stale hours (as the sync-lag rollup is), and an open-shipments table for unposted';
const FLOW =
  'since the flow snapshot (0015) and its hourly counts (0017) a read costs about the waiting transactions (waiting list, a limited scope, ' +
  'or a read after a touch) or a few thousand count rows (fleet-wide Flow): ~40–50 ms in-process at 10M. A miss means the snapshot did not ' +
  'answer: an as_of before its horizon, a snapshot over two days old, or many transactions touched since the build (each is re-evaluated ' +
  'from flow_transactions)';

export const REASONS: Record<string, string> = {
  'kpi-p95:/kpi/sync-lag': SYNC_LAG,
  'kpi-p95:/kpi/sync-lag/series': `${ROUTE_HOURS.replace('breakdown, hint or series', 'series')}; the 24-hour series pays the sync-lag costs above per bucket`,
  'kpi-p95:/kpi/sync-lag/breakdown': ROUTE_HOURS,
  'kpi-p95:/kpi/sync-lag/hints':
    'three statements: the stale-hour check (~12 ms), the warehouse list (~4 ms) and one read of both windows cut at from (counts only: the ' +
    'hourly rollup for whole hours, sync_messages for the partial hours and the hour holding from; 30–45 ms at 10M in-process with a compacted ' +
    'rollup), plus the fixed per-request cost; 60 days of per-route hours still grow with the data (next: a daily per-route table); ' +
    'the p95 of 20 calls on 2 shared cores is one slow call',
  'kpi-p95:/kpi/exception-aging':
    `one row per exception (exception_state) read whole, plus ${FIXED.replace('every computed read pays ', '')}`,
  'kpi-p95:/kpi/invoice-latency': PER_TRANSACTION,
  'kpi-p95:/kpi/invoice-latency/unposted': PER_TRANSACTION,
  'kpi-p95:/kpi/close-readiness': `close readiness ${PER_TRANSACTION.replace(/^reads/, 'reads')}; plus the open finance exceptions and drift`,
  'kpi-p95:/kpi/drift':
    'inventory_latest is one row per key; p95 is the fixed per-request cost plus occasional engine stalls',
  'kpi-p95:/kpi/drift/skus': 'as /kpi/drift: one row per key plus the fixed per-request cost',
  'kpi-p95:/kpi/drift/causes':
    'since 0014: two statements, the mismatched pairs (as /kpi/drift) and one key read of their 7-day movements in stock_movements and the ' +
    'movements\' latest messages in sync_latest (~70 ms in-process at 10M); a movement whose message changed after as_of is read from raw events',
  'kpi-p95:/kpi/flow': FLOW,
  'kpi-p95:/kpi/flow/waiting': FLOW,
  'drilldown-p95':
    'correlation_index narrows the scan to one time range and its warehouses; the events are still read from raw granules, plus the fixed per-request cost',
  'pipeline-p95':
    'pipeline_hourly answers whole ingest hours, but the bench ingests everything within the last hours, so those hours are recomputed from deduplicated events until settled',
  'summary-p95':
    'the summary composes every KPI family over two windows (about 19 statements, one at a time in the embedded engine) and inherits the costs above: flow ' +
    'and the invoice family alone cost over a second together at 10M; next: compose it from per-family rollups in a few statements',
  growth:
    'the families that read one row per transaction (invoice latency, unposted, close readiness, flow) and the per-route sync-lag reads over 30 days ' +
    '(breakdown, hints, series) grow with the data; the warehouse-level sync lag, drift, exceptions, drill-down and pipeline health stay flat',
  'server-rss': 'the embedded engine (chDB) lives in the server process: its mark cache, uncompressed cache and merge buffers count in the server RSS and grow with the store',
  'mixed-read-p95':
    'capacity: 25 users make ~8 requests/s, and a computed request costs the engine 100–1,500 ms (summary, flow, invoice and 30-day reads at the top), ' +
    'so the engine is busy more than 100 % of the time and requests queue; shared reads help only for identical requests within 2 s, and each ingest ' +
    'acknowledgement (one a second here) ends the reuse of finished answers',
  'mixed-read-p99': 'the same queue: the tail is the summary and 30-day reads computed while ingest and the rollup refresher run on the same 2 cores',
  'mixed-errors': 'see the mixed-load notes (first errors) in the report',
  'mixed-ack-p99':
    'the insert and the dedup probe run on their own session beside the reads (they do not wait in the read queue), but on the same 2 cores: a batch\'s ' +
    'parsing, validation and insert (with ten materialized views) slow down while the reads keep both cores busy',
  'page-loads':
    'a page waits for its slowest API call, and the pages call the summary, flow, invoice and sync-lag reads above (several at once, which then queue one ' +
    'behind the other in the engine)',
  'ingest-cli':
    'both halves are saturated on 2 cores: JavaScript per event (~50 µs: JSON.parse of every line, the validation fast path, building and encoding rows, GC) ' +
    'and the engine\'s insert (~20 µs a row of engine CPU: sorting by the events key, five skip indexes, ten materialized views); overlapped, they reach ' +
    '~23k events/s; 150k/s would need both to shrink several-fold (a worker thread for parsing competes with the engine for the same 2 cores)',
  'ingest-http-1': 'as the CLI, plus no overlap of parsing and inserting inside one large request (one client sends one body at a time)',
  'ingest-http-4': 'as the CLI: the JavaScript per event runs on the one server thread, so more clients queue on it instead of adding throughput',
  'steady-cli': 'later blocks pay more background merges and a larger dedup lookup',
  'steady-http-1': 'later blocks pay more background merges and a larger dedup lookup',
  'steady-http-4': 'later blocks pay more background merges and a larger dedup lookup',
  'rss-load-cli': 'the engine runs in the CLI process: insert buffers of 50k-row blocks with overlap, plus merges of a 10M-row table, count in its RSS',
  'rss-load-server':
    'the engine runs in the server process: insert buffers of large request bodies (8 MiB NDJSON each, up to four in flight) plus merges, ' +
    'plus the flow snapshot builds during the ingest: one build over every transaction raised the peak by ~1 GiB at 10M (1,824–2,001 MiB ' +
    'in the runs of 2026-12-04 before, 1,276 before the snapshot existed); since the build runs in hash slices of 250k transactions, ' +
    '1,353–1,422 MiB; next: smaller insert blocks for large bodies, or a cap on the engine\'s caches',
};

export const reasonFor = (id: string): string => REASONS[id] ?? 'no analysis on record yet';
