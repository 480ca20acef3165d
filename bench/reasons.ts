/**
 * Why a target is missed: analysis, not measurement. Hand-maintained, keyed by target id (and, for the
 * per-endpoint KPI targets, by `kpi-p95:<endpoint>`); the report prints the entry beside every MISS.
 * Seeded from README.md "## Performance"; revise after each run that changes the picture.
 */

export const REASONS_AS_OF = '2026-12-03';

const SYNC_LAG =
  'a computed sync-lag read pays a fixed cost (stale hour/day check, warehouse list, HTTP, auth, response validation) larger than ' +
  'the whole raw query at 1M; the hourly histograms are sparse at this density (about one bucket per message), so the rollup wins ' +
  'only where raw grows; partial hours at both ends are read raw and de-duplicated by event_id';
const PER_TRANSACTION = 'still reads one row per transaction (invoice_postings), which grows with the data; next: a bucket-keyed invoice-latency rollup with stale tracking';

export const REASONS: Record<string, string> = {
  'kpi-p95:/kpi/sync-lag': SYNC_LAG,
  'kpi-p95:/kpi/sync-lag/series': `${SYNC_LAG}; 30-day series merge per-bucket histograms for every point`,
  'kpi-p95:/kpi/sync-lag/breakdown': SYNC_LAG,
  'kpi-p95:/kpi/sync-lag/hints': `${SYNC_LAG}; hints compare two windows, so they pay it twice`,
  'kpi-p95:/kpi/exception-aging': 'one row per exception (exception_state) plus the fixed per-request cost; just over the line at 1M',
  'kpi-p95:/kpi/invoice-latency': PER_TRANSACTION,
  'kpi-p95:/kpi/invoice-latency/unposted': PER_TRANSACTION,
  'kpi-p95:/kpi/close-readiness': `close readiness ${PER_TRANSACTION.replace('still reads', 'reads')}, plus open finance exceptions and drift`,
  'kpi-p95:/kpi/drift': 'inventory_latest is one row per key, but p95 catches the fixed per-request cost and occasional engine stalls (p50 is within target)',
  'kpi-p95:/kpi/drift/skus': 'as /kpi/drift: one row per key plus the fixed per-request cost',
  'kpi-p95:/kpi/drift/causes': 'scans the last 7 days of movements and their sync messages on raw events; next: a latest-message-per-key table',
  'kpi-p95:/kpi/flow': 'reads every open transaction of each workflow from raw events; next: an open-transactions table',
  'kpi-p95:/kpi/flow/waiting': 'as /kpi/flow: open transactions from raw events; next: an open-transactions table',
  'drilldown-p95': 'correlation_index narrows the scan to one time range and its warehouses, but the events themselves are read raw; p95 catches the fixed per-request cost',
  'pipeline-p95':
    'pipeline_hourly answers whole ingest hours, but the bench ingests everything within the window, so the current (unsettled) hour is recomputed from deduplicated events',
  'summary-p95':
    'the summary composes every KPI family over two windows (17 statements, run one after another in the embedded engine); it inherits the sync-lag, invoice-latency, close and flow costs above; next: compose it from the rollups in a few statements',
  growth:
    'the families that read one row per transaction (invoice latency, unposted, close readiness), flow and drift causes grow with the data; sync lag grows where windows are read raw',
  'server-rss': 'the embedded engine (chDB) lives in the server process: its mark cache, uncompressed cache and merge buffers count in the server RSS and grow with the store',
  'mixed-read-p95': 'each user request that is not shared is computed in full; the slowest families (summary, flow, sync-lag 30 d) queue behind one another in the embedded engine (one statement at a time per session)',
  'mixed-read-p99': 'the tail is the summary and 30-day reads computed while ingest inserts and the rollup refresher run on the same 2 cores',
  'mixed-errors': 'see the mixed-load notes (first errors) in the report',
  'mixed-ack-p99': 'a batch waits for the write lane behind the statement the engine is running, and for the rollup maintenance of the hours it touches',
  'page-loads': 'a page waits for its slowest API call; the pages that compose the summary, flow or 30-day sync-lag inherit those reads (see the KPI rows)',
  'ingest-cli':
    'JavaScript per event on one thread: JSON.parse of every line, the validation fast path, building and encoding rows, GC; the main thread waits on the engine about 35 % of the time; next: parse and validate in a worker thread',
  'ingest-http-1': 'as the CLI, plus no overlap of parsing and inserting inside one large request (one client sends one body at a time)',
  'ingest-http-4': 'as the CLI: the JavaScript per event runs on the one server thread, so more clients queue on it instead of adding throughput',
  'steady-cli': 'later blocks pay more background merges and a larger dedup lookup',
  'steady-http-1': 'later blocks pay more background merges and a larger dedup lookup',
  'steady-http-4': 'later blocks pay more background merges and a larger dedup lookup',
  'rss-load-cli': 'the engine runs in the CLI process: insert buffers of 50k-row blocks with overlap, plus merges, count in its RSS',
  'rss-load-server': 'the engine runs in the server process: insert buffers of large request bodies (8 MiB NDJSON each, several in flight) plus merges',
};

export const reasonFor = (id: string): string => REASONS[id] ?? 'no analysis on record yet';
