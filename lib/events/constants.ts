/** Vocabulary of the canonical event model (docs/events.md, v1). */

export const SYNC_TYPE = 'sync.message';

/** Types that can carry money and goods; `currency` defaults to USD on these. */
export const BUSINESS_TYPES = [
  'order.created',
  'pick.confirmed',
  'shipment.confirmed',
  'invoice.posted',
  'payment.received',
  'return.received',
  'credit.issued',
  'receipt.posted',
  'transfer.shipped',
  'transfer.received',
  'inventory.adjusted',
] as const;

/** Follow-ups of an opened exception: they only need to name it. */
export const EXCEPTION_FOLLOWUP_TYPES = [
  'exception.acknowledged',
  'exception.assigned',
  'exception.resolved',
] as const;

export const EVENT_TYPES = [
  SYNC_TYPE,
  ...BUSINESS_TYPES,
  'exception.opened',
  ...EXCEPTION_FOLLOWUP_TYPES,
  'inventory.snapshot',
] as const;

export const WORKFLOWS = [
  'order_to_cash',
  'procure_to_pay',
  'return_to_credit',
  'inventory',
  'shipping',
  'other',
] as const;

export const SYNC_STATUSES = ['delivered', 'failed', 'retried', 'dead_lettered'] as const;
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

export type EventType = (typeof EVENT_TYPES)[number];
export type BusinessType = (typeof BUSINESS_TYPES)[number];
export type Workflow = (typeof WORKFLOWS)[number];
export type SyncStatus = (typeof SYNC_STATUSES)[number];
export type Severity = (typeof SEVERITIES)[number];
export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

export const DEFAULT_WORKFLOW: Workflow = 'other';

/**
 * The tower's own voice (events.md): only signed-in triage (lib/triage) writes events from it, and only
 * its `attributes.actor` names a tower user. Compared exactly, as every source system is.
 */
export const TOWER_SOURCE = 'control-tower';

/**
 * Who writes a batch: `feed` for every producer transport (HTTP, OTLP, CLI, demo seed), `triage` for
 * the tower's exception actions. Only triage may use TOWER_SOURCE.
 */
export type IngestOrigin = 'feed' | 'triage';
export const DEFAULT_CURRENCY = 'USD';

/** Ingest tolerates producer clocks running ahead by up to one day, no more. */
export const MAX_FUTURE_MS = 86_400_000;
/** 2000-01-01T00:00:00Z: anything earlier is a broken clock or a default value, not business time. */
export const MIN_TIMESTAMP_MS = Date.UTC(2000, 0, 1);

/**
 * amount / quantity / unit_cost are stored as Decimal(38, 6), i.e. 32 integer digits. Capping each
 * value below 1e20 keeps 12 digits of headroom so ClickHouse sum() over up to 10^12 rows cannot
 * overflow, and keeps Number#toFixed out of exponent notation (it switches at 1e21), which the
 * Decimal text we write relies on.
 */
export const MAX_DECIMAL_MAGNITUDE = 1e20;

const typeSet: ReadonlySet<string> = new Set(EVENT_TYPES);
const businessSet: ReadonlySet<string> = new Set(BUSINESS_TYPES);
const followupSet: ReadonlySet<string> = new Set(EXCEPTION_FOLLOWUP_TYPES);

export const isEventType = (v: unknown): v is EventType => typeof v === 'string' && typeSet.has(v);
export const isBusinessType = (t: string): t is BusinessType => businessSet.has(t);
export const isExceptionType = (t: string): boolean => t === 'exception.opened' || followupSet.has(t);
export const isExceptionFollowup = (t: string): boolean => followupSet.has(t);
