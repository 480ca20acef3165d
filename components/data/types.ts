/**
 * Response shapes of the HTTP API (api.md, metrics.md) as the pages read them.
 * Plain TS types on purpose: the pages may not import the server-side zod modules.
 */
export type Status = 'ok' | 'warn' | 'breach';
export type CloseStatus = 'ready' | 'at_risk' | 'blocked';
export type Severity = 'critical' | 'high' | 'medium' | 'low';
export type Role = 'executive' | 'support' | 'finance' | 'admin';

export type SummaryKey =
  | 'sync_lag_p95'
  | 'failure_rate'
  | 'open_exceptions_critical'
  | 'invoice_latency_p95'
  | 'unposted_amount'
  | 'drift_value'
  | 'close_status';

export interface SummaryKpi {
  key: SummaryKey;
  value: number | string | null;
  previous: number | string | null;
  change: number | null;
  status: Status;
}
export interface SummaryResponse {
  from: string;
  to: string;
  previous: { from: string; to: string };
  kpis: SummaryKpi[];
  worst_warehouses: { warehouse_id: string; breaches: number; warns: number }[];
  /** Extension: warehouse × KPI statuses. */
  heat?: { warehouse_id: string; kpis: Partial<Record<SummaryKey, { value: number | string | null; status: Status }>> }[];
}

export interface LagQuantiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}
export interface SyncLagRow {
  messages: number;
  delivered: number;
  failed: number;
  retried: number;
  dead_lettered: number;
  failure_rate: number;
  slo_breach_rate: number;
  lag_seconds: LagQuantiles;
}
export interface SyncLagResponse {
  from: string;
  to: string;
  total: SyncLagRow;
  warehouses: (SyncLagRow & { warehouse_id: string })[];
}

export interface SeriesPoint {
  t: string;
  messages: number;
  delivered: number;
  failed: number;
  retried: number;
  dead_lettered: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}
export interface SyncLagSeriesResponse {
  from: string;
  to: string;
  tz: string;
  bucket_seconds: number;
  total: SeriesPoint[];
  warehouses: { warehouse_id: string; points: SeriesPoint[] }[];
}

export interface BreakdownRoute {
  source_system: string;
  target_system: string;
  messages: number;
  delivered: number;
  failed: number;
  dead_lettered: number;
  failure_rate: number;
  p95: number | null;
  max: number | null;
}
export interface SyncLagBreakdownResponse {
  from: string;
  to: string;
  routes: BreakdownRoute[];
  interfaces: (BreakdownRoute & { interface: string | null })[];
}

export type AgeBuckets = { lt_4h: number; h4_24: number; d1_3: number; d3_7: number; gt_7d: number };
export const AGE_BUCKETS: readonly (keyof AgeBuckets)[] = ['lt_4h', 'h4_24', 'd1_3', 'd3_7', 'gt_7d'];
export const AGE_BUCKET_LABELS: Record<keyof AgeBuckets, string> = {
  lt_4h: '< 4 h',
  h4_24: '4–24 h',
  d1_3: '1–3 d',
  d3_7: '3–7 d',
  gt_7d: '> 7 d',
};

export interface AgingRow {
  open: number;
  oldest_age_seconds: number | null;
  mttr_seconds: number | null;
  buckets: AgeBuckets;
  by_severity: Record<Severity, number>;
}
export interface AgingResponse {
  as_of: string;
  total: AgingRow;
  warehouses: (AgingRow & { warehouse_id: string })[];
}

export interface InvoiceRow {
  invoices: number;
  negative: number;
  latency_seconds: { p50: number | null; p95: number | null; max: number | null };
  unposted: { count: number; amount: number; buckets: AgeBuckets };
}
export interface InvoiceLatencyResponse {
  from: string;
  to: string;
  as_of: string;
  total: InvoiceRow;
  warehouses: (InvoiceRow & { warehouse_id: string })[];
}
export interface UnpostedItem {
  correlation_id: string;
  warehouse_id: string;
  shipped_at: string;
  age_seconds: number;
  amount: number | null;
  currency: string | null;
  document_ref: string | null;
}
export interface UnpostedResponse {
  as_of: string;
  items: UnpostedItem[];
}

export interface DriftRow {
  skus_compared: number;
  skus_mismatched: number;
  mismatch_rate: number;
  abs_drift_units: number;
  net_drift_units: number;
  drift_value: number;
}
export interface DriftResponse {
  as_of: string;
  total: DriftRow;
  warehouses: (DriftRow & { warehouse_id: string })[];
}
export interface DriftSku {
  warehouse_id: string;
  sku: string;
  erp_quantity: number;
  wms_quantity: number;
  drift: number;
  unit_cost: number | null;
  drift_value: number;
  erp_at: string | null;
  wms_at: string | null;
}
export interface DriftSkusResponse {
  as_of: string;
  items: DriftSku[];
}

export interface CloseRow {
  status: CloseStatus;
  unposted_count: number;
  unposted_amount: number;
  open_finance_exceptions: Record<Severity, number>;
  drift_value: number;
  /** Extension: why the status is what it is. */
  reasons?: string[];
}
export interface CloseResponse {
  period: string;
  as_of: string;
  total: CloseRow;
  warehouses: (CloseRow & { warehouse_id: string })[];
}

export interface ExceptionItem {
  exception_id: string;
  warehouse_id: string;
  correlation_id: string;
  workflow: string;
  category: string;
  severity: Severity;
  status: 'open' | 'acknowledged' | 'resolved';
  owner: string | null;
  opened_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
  age_seconds: number | null;
}
export interface ExceptionList {
  items: ExceptionItem[];
  next_cursor: string | null;
}

export interface ApiEvent {
  event_id: string;
  type: string;
  occurred_at: string;
  observed_at: string | null;
  source_system: string;
  target_system: string | null;
  warehouse_id: string;
  correlation_id: string;
  workflow: string;
  document_ref: string | null;
  attributes: Record<string, string | number | boolean>;
}
export interface ExceptionDetail extends ExceptionItem {
  /** `actor`: the tower user, only on the tower's own triage events; null on a source system's. */
  history: (ApiEvent & { actor: string | null })[];
}

export interface CorrelationResponse {
  correlation_id: string;
  events: ApiEvent[];
  exceptions: {
    exception_id: string;
    category: string;
    severity: Severity;
    status: string;
    opened_at: string;
    resolved_at: string | null;
    owner: string | null;
  }[];
  stages: { stage: string; at: string; event_id: string; since_previous_seconds: number | null }[];
  missing_stages: string[];
}

export interface SearchResult {
  kind: string;
  value: string;
  correlation_id: string;
  warehouse_id: string;
  type: string;
  occurred_at: string;
}
export interface SearchResponse {
  q: string;
  results: SearchResult[];
}

export interface SessionResponse {
  user?: { email?: string; name?: string; role?: Role; warehouses?: string[] | '*' };
}
