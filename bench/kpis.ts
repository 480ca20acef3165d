/**
 * The KPI probes: which endpoint, with which parameters, and which figure of the answer is compared
 * with the raw-SQL baseline's answer (a cheap check that both sides computed the same thing).
 * Windows end at the data's end (not at "now"), so 24 h and 30 d mean the last 24 h / 30 d of data.
 */

export type RawKind =
  | 'sync_lag'
  | 'sync_lag_series'
  | 'exception_aging'
  | 'invoice_latency'
  | 'drift'
  | 'close_readiness'
  | 'summary'
  | 'correlation'
  | 'sync_breakdown'
  | 'sync_hints'
  | 'drift_skus'
  | 'unposted_list'
  | 'pipeline'
  | 'drift_causes'
  | 'flow'
  | 'flow_waiting';

export interface Probe {
  /** Stable key for the report, e.g. `sync-lag@24h`. */
  key: string;
  endpoint: string;
  window: '24h' | '30d' | 'as_of' | 'one id' | 'ingest';
  path: string;
  raw: RawKind;
  from: number;
  to: number;
  asOf: number;
  correlationId: string;
  /** The figure both sides must agree on (null: not compared). */
  figure: ((body: unknown) => number | null) | null;
  figureName: string;
}

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Reads `a.b.c` from a JSON value without trusting its shape. */
function pick(body: unknown, path: string): number | null {
  let cur: unknown = body;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return null;
    cur = (cur as Record<string, unknown>)[part];
  }
  return num(cur);
}

function count(body: unknown, key: string): number | null {
  if (body === null || typeof body !== 'object') return null;
  const v = (body as Record<string, unknown>)[key];
  return Array.isArray(v) ? v.length : null;
}

function sumOf(body: unknown, key: string, field: string): number | null {
  if (body === null || typeof body !== 'object') return null;
  const v = (body as Record<string, unknown>)[key];
  return Array.isArray(v) ? v.reduce<number>((s, x) => s + (pick(x, field) ?? 0), 0) : null;
}

/** Buckets with any message: the endpoint zero-fills, plain SQL returns only the non-empty ones. */
function nonEmptyBuckets(body: unknown): number | null {
  if (body === null || typeof body !== 'object') return null;
  const total = (body as Record<string, unknown>).total;
  return Array.isArray(total) ? total.filter((pt) => pick(pt, 'messages') !== 0).length : null;
}

/** Σ of every stage's total overdue count (metrics.md §8). */
function flowOverdue(body: unknown): number | null {
  if (body === null || typeof body !== 'object') return null;
  const wfs = (body as { workflows?: unknown }).workflows;
  if (!Array.isArray(wfs)) return null;
  return wfs.reduce<number>((s, wf) => s + sumOf(wf, 'stages', 'total.overdue')!, 0);
}

export function buildProbes(endMs: number, correlationId: string): Probe[] {
  const out: Probe[] = [];
  const base = { asOf: endMs, correlationId };
  for (const w of ['24h', '30d'] as const) {
    const from = endMs - (w === '24h' ? DAY : 30 * DAY);
    const q = `from=${iso(from)}&to=${iso(endMs)}`;
    const win = { ...base, window: w, from, to: endMs };
    out.push(
      { ...win, key: `sync-lag@${w}`, endpoint: '/kpi/sync-lag', path: `/api/v1/kpi/sync-lag?${q}`, raw: 'sync_lag',
        figure: (b) => pick(b, 'total.messages'), figureName: 'total.messages' },
      { ...win, key: `sync-lag/series@${w}`, endpoint: '/kpi/sync-lag/series', path: `/api/v1/kpi/sync-lag/series?${q}`, raw: 'sync_lag_series',
        figure: (b) => nonEmptyBuckets(b), figureName: 'non-empty buckets' },
      { ...win, key: `sync-lag/breakdown@${w}`, endpoint: '/kpi/sync-lag/breakdown', path: `/api/v1/kpi/sync-lag/breakdown?${q}`,
        raw: 'sync_breakdown', figure: (b) => count(b, 'interfaces'), figureName: 'interfaces' },
      { ...win, key: `sync-lag/hints@${w}`, endpoint: '/kpi/sync-lag/hints', path: `/api/v1/kpi/sync-lag/hints?${q}`,
        raw: 'sync_hints', figure: null, figureName: '' },
      { ...win, key: `exception-aging@${w}`, endpoint: '/kpi/exception-aging', path: `/api/v1/kpi/exception-aging?${q}&as_of=${iso(endMs)}`,
        raw: 'exception_aging', figure: (b) => pick(b, 'total.open'), figureName: 'total.open' },
      { ...win, key: `invoice-latency@${w}`, endpoint: '/kpi/invoice-latency', path: `/api/v1/kpi/invoice-latency?${q}&as_of=${iso(endMs)}`,
        raw: 'invoice_latency', figure: (b) => pick(b, 'total.invoices'), figureName: 'total.invoices' },
      { ...win, key: `summary@${w}`, endpoint: '/kpi/summary', path: `/api/v1/kpi/summary?${q}`, raw: 'summary',
        figure: null, figureName: '' },
    );
  }
  const at = { ...base, window: 'as_of' as const, from: endMs - DAY, to: endMs };
  out.push(
    { ...at, key: 'drift@as_of', endpoint: '/kpi/drift', path: `/api/v1/kpi/drift?as_of=${iso(endMs)}`, raw: 'drift',
      figure: (b) => pick(b, 'total.skus_compared'), figureName: 'total.skus_compared' },
    { ...at, key: 'drift/skus@as_of', endpoint: '/kpi/drift/skus', path: `/api/v1/kpi/drift/skus?as_of=${iso(endMs)}&limit=100`, raw: 'drift_skus',
      figure: (b) => count(b, 'items'), figureName: 'items' },
    { ...at, key: 'drift/causes@as_of', endpoint: '/kpi/drift/causes', path: `/api/v1/kpi/drift/causes?as_of=${iso(endMs)}`, raw: 'drift_causes',
      figure: (b) => sumOf(b, 'skus', 'unsynced_movements'), figureName: 'Σ unsynced_movements' },
    { ...at, key: 'flow@as_of', endpoint: '/kpi/flow', path: `/api/v1/kpi/flow?as_of=${iso(endMs)}`, raw: 'flow',
      figure: (b) => flowOverdue(b), figureName: 'Σ overdue' },
    { ...at, key: 'flow/waiting@as_of', endpoint: '/kpi/flow/waiting',
      path: `/api/v1/kpi/flow/waiting?workflow=order_to_cash&stage=shipment.confirmed&as_of=${iso(endMs)}&limit=100`, raw: 'flow_waiting',
      figure: (b) => count(b, 'items'), figureName: 'items' },
    { ...at, key: 'invoice-latency/unposted@as_of', endpoint: '/kpi/invoice-latency/unposted', path: `/api/v1/kpi/invoice-latency/unposted?as_of=${iso(endMs)}&limit=100`,
      raw: 'unposted_list', figure: (b) => count(b, 'items'), figureName: 'items' },
    { ...at, key: 'close-readiness@as_of', endpoint: '/kpi/close-readiness', path: `/api/v1/kpi/close-readiness?as_of=${iso(endMs)}`,
      raw: 'close_readiness', figure: (b) => pick(b, 'total.unposted_count'), figureName: 'total.unposted_count' },
    { ...base, window: 'one id', from: endMs - DAY, to: endMs, key: 'correlations/{id}', endpoint: '/correlations/{id}',
      path: `/api/v1/correlations/${encodeURIComponent(correlationId)}`, raw: 'correlation',
      figure: (b) => count(b, 'events'), figureName: 'events' },
    // Pipeline health windows are by ingest time, which is when the bench runs: after the data's end.
    { ...base, window: 'ingest', from: endMs - DAY, to: endMs + DAY, key: 'pipeline/health@ingest', endpoint: '/pipeline/health',
      path: `/api/v1/pipeline/health?from=${iso(endMs - DAY)}&to=${iso(endMs + DAY)}`, raw: 'pipeline',
      figure: (b) => sumOf(b, 'rows', 'accepted'), figureName: 'Σ accepted' },
  );
  // Summary first would warm every KPI's code path; measure the single KPIs cold first instead.
  return [...out.filter((p) => p.raw !== 'summary'), ...out.filter((p) => p.raw === 'summary')];
}

/** The UTC calendar month containing `ms`, as close readiness defaults it. */
export function monthOf(ms: number): { start: number; end: number } {
  const d = new Date(ms);
  return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}

export const CALLS_WARM = 20;
