/** Canonical event model (docs/events.md): validation, normalization and the ClickHouse row. */
export {
  BUSINESS_TYPES,
  EVENT_TYPES,
  EXCEPTION_FOLLOWUP_TYPES,
  MAX_DECIMAL_MAGNITUDE,
  MAX_FUTURE_MS,
  MIN_TIMESTAMP_MS,
  SEVERITIES,
  SYNC_STATUSES,
  WORKFLOWS,
  SYNC_TYPE,
  TOWER_SOURCE,
  isBusinessType,
  isEventType,
  isExceptionType,
  type Attributes,
  type AttributeValue,
  type BusinessType,
  type EventType,
  type IngestOrigin,
  type Severity,
  type SyncStatus,
  type Workflow,
} from './constants';
export {
  ENVELOPE_FIELDS,
  canonicalEventSchema,
  createCanonicalEventSchema,
  type CanonicalEvent,
  type CanonicalEventInput,
  type CanonicalEventSchema,
  type IngestPolicy,
} from './schema';
export { validateEvent, type ValidationResult } from './validate';
export { apiEventRowSchema, apiEventSchema, eventRowSchema, formatDecimal, rowToApiEvent, toEventRow, type ApiEvent, type EventRow } from './row';
export { parseRfc3339, toClickHouseTime, toIsoUtc } from './timestamp';
export { codePointLength, truncateCodePoints } from './text';
