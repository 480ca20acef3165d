/**
 * Response shapes of the HTTP API, as the server defines them (its zod schemas, or the TS type it builds).
 * Type-only imports: they are erased at build time, so no server code reaches the browser bundle.
 */
import type { SessionClaims } from '@/lib/auth/session';
import type { SyncLagBreakdownResponse } from '@/lib/kpi/sync-lag-series';
import type { SummaryResponse } from '@/lib/kpi/summary';

export type { Role } from '@/lib/auth/roles';
export type { Severity, ApiEvent } from '@/lib/events';
export type { Status, SummaryKey } from '@/lib/kpi/summary-status';
export type { SummaryResponse };
export type SummaryKpi = SummaryResponse['kpis'][number];

export type { SyncLagResponse } from '@/lib/kpi/sync-lag';
export type { SeriesPoint, SyncLagSeriesResponse, SyncLagBreakdownResponse } from '@/lib/kpi/sync-lag-series';
export type BreakdownRoute = SyncLagBreakdownResponse['routes'][number];
export type { SyncLagHint, SyncLagHintsResponse } from '@/lib/kpi/sync-lag-hints';

export type { ExceptionAgingResponse as AgingResponse } from '@/lib/kpi/exception-aging';
export type { InvoiceLatencyResponse } from '@/lib/kpi/invoice-latency';
export type { UnpostedItem, UnpostedListResponse as UnpostedResponse } from '@/lib/kpi/unposted';
export type { DriftResponse } from '@/lib/kpi/drift';
export type { DriftSkuItem as DriftSku, DriftSkusResponse } from '@/lib/kpi/drift-skus';
export type { CauseMovement as DriftCauseMovement, DriftCauseSku, DriftCausesResponse } from '@/lib/kpi/drift-causes';
export type { CloseStatus, CloseReadinessResponse as CloseResponse } from '@/lib/kpi/close-readiness';
export type { FlowResponse } from '@/lib/kpi/flow';
export type { FlowWaitingItem, FlowWaitingResponse } from '@/lib/queries/flow-waiting';

export type { ExceptionItem, ExceptionListResponse as ExceptionList } from '@/lib/queries/exceptions';
export type { ExceptionDetailResponse as ExceptionDetail } from '@/lib/queries/exceptions-detail';
export type { CorrelationResponse } from '@/lib/queries/correlation';
export type { SearchResult, SearchResponse } from '@/lib/queries/search';

/** GET /api/auth/session (next-auth): `{}` when signed out, else the user the session callback builds from the claims. */
export interface SessionResponse {
  user?: Pick<SessionClaims, 'email' | 'name' | 'role' | 'warehouses'>;
}
