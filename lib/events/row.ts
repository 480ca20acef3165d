import { z } from 'zod';
import { isPlainObject } from './attributes';
import {
  type Attributes,
  type AttributeValue,
  EVENT_TYPES,
  MAX_DECIMAL_MAGNITUDE,
  SYNC_TYPE,
  WORKFLOWS,
  isBusinessType,
  isExceptionType,
} from './constants';
import type { CanonicalEvent } from './schema';
import { lastTextOf, parseClickHouseTime, toClickHouseTime, toIsoUtc } from './timestamp';

/**
 * Decimal(38, 6) text: at most 6 fractional digits, trailing zeros dropped, never exponent notation
 * (ClickHouse would refuse `1e-7` for a Decimal). Digits past the 6th are rounded by toFixed.
 */
export function formatDecimal(n: number): string {
  if (!Number.isFinite(n) || Math.abs(n) >= MAX_DECIMAL_MAGNITUDE) {
    throw new RangeError(`formatDecimal: ${n} does not fit Decimal(38, 6) as validated`);
  }
  // Below 1e9 a double is within 1.2e-7 of its shortest text, so when that text has at most 6 decimals
  // (and no exponent) rounding to 6 places gives it back unchanged: no toFixed, split or regex per value.
  if (Math.abs(n) < 1e9) {
    const short = String(n);
    const dot = short.indexOf('.');
    if (!short.includes('e') && (dot === -1 || short.length - dot - 1 <= 6)) return short;
  }
  const [int = '0', frac = ''] = n.toFixed(6).split('.');
  const digits = frac.replace(/0+$/, '');
  const s = digits === '' ? int : `${int}.${digits}`;
  return s === '-0' ? '0' : s;
}

const DECIMAL_TEXT = /^-?\d+(\.\d{1,6})?$/;

// ClickHouse prints Decimal as a JSON number unless output_format_json_quote_decimals is on; accept both.
const decimalColumn = z
  .union([
    z.string().regex(DECIMAL_TEXT),
    z.number().refine((n) => Math.abs(n) < MAX_DECIMAL_MAGNITUDE).transform(formatDecimal),
  ])
  .nullable();

const timeColumn = z.string().transform((s, ctx) => {
  const ms = parseClickHouseTime(s);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: 'must be a DateTime64(3) text', input: s });
    return z.NEVER;
  }
  return toClickHouseTime(ms);
});

const attributesColumn = z.string().refine((s) => {
  try {
    return isPlainObject(JSON.parse(s));
  } catch {
    return false;
  }
}, 'must be a JSON object text');

/**
 * One row of the `events` table (clickhouse/migrations/0001_events.sql) as JSONEachRow, both as
 * written by toEventRow and as read back. Extra selected columns are stripped.
 */
export const eventRowSchema = z.object({
  event_id: z.string(),
  type: z.enum(EVENT_TYPES),
  occurred_at: timeColumn,
  observed_at: timeColumn,
  ingested_at: timeColumn,
  source_system: z.string(),
  target_system: z.string(),
  warehouse_id: z.string(),
  correlation_id: z.string(),
  workflow: z.enum(WORKFLOWS),
  document_ref: z.string().nullable(),
  attributes: attributesColumn,
  status: z.string(),
  interface: z.string().nullable(),
  exception_id: z.string(),
  category: z.string(),
  severity: z.string(),
  owner: z.string().nullable(),
  amount: decimalColumn,
  currency: z.string(),
  sku: z.string(),
  quantity: decimalColumn,
  unit_cost: decimalColumn,
});

export type EventRow = z.output<typeof eventRowSchema>;

/** The `events` columns in table order, as eventRowValues lists them. */
export const EVENT_COLUMNS = Object.keys(eventRowSchema.shape) as readonly (keyof EventRow)[];

/**
 * A row as the JSONCompactEachRow line the write path sends (values in EVENT_COLUMNS order): no column
 * names to write in JavaScript or to match in the engine.
 */
export function eventRowLine(r: EventRow): string {
  return JSON.stringify([r.event_id, r.type, r.occurred_at, r.observed_at, r.ingested_at, r.source_system, r.target_system, r.warehouse_id,
    r.correlation_id, r.workflow, r.document_ref, r.attributes, r.status, r.interface, r.exception_id, r.category, r.severity, r.owner,
    r.amount, r.currency, r.sku, r.quantity, r.unit_cost]);
}

const str = (a: Attributes, k: string): string | null => {
  const v: AttributeValue | undefined = Object.hasOwn(a, k) ? a[k] : undefined;
  return typeof v === 'string' ? v : null;
};
const dec = (a: Attributes, k: string): string | null => {
  const v: AttributeValue | undefined = Object.hasOwn(a, k) ? a[k] : undefined;
  return typeof v === 'number' ? formatDecimal(v) : null;
};

/**
 * DateTime64 text of a canonical event time. The schema wrote `iso` from `ms` (toIsoUtc), so its digits are
 * the ones toClickHouseTime would print: re-punctuating them saves a Date and its ISO text per field.
 */
const chTimeOf = (iso: string, ms: number): string =>
  iso.length === 24 && iso.charCodeAt(10) === 84 && iso.charCodeAt(23) === 90 ? `${iso.slice(0, 10)} ${iso.slice(11, 23)}` : toClickHouseTime(ms);

// A batch's rows share one ingest time: its text is computed once, not once per row.
const ingestedText = lastTextOf(toClickHouseTime);

/**
 * The row for a validated event. Typed columns carry only the attributes events.md names for the
 * event's own type, so a KPI filtering on a column never picks up a stray extra key of another type;
 * `attributes` keeps everything, defaults included.
 */
export function toEventRow(ev: CanonicalEvent, ingestedAtMs: number): EventRow {
  if (!Number.isFinite(ingestedAtMs)) throw new TypeError('toEventRow: ingestedAtMs must be a finite epoch ms');
  const a = ev.attributes;
  const sync = ev.type === SYNC_TYPE;
  const business = isBusinessType(ev.type);
  const exception = isExceptionType(ev.type);
  const opened = ev.type === 'exception.opened';
  const snapshot = ev.type === 'inventory.snapshot';
  return {
    event_id: ev.event_id,
    type: ev.type,
    occurred_at: chTimeOf(ev.occurred_at, ev.occurred_at_ms),
    observed_at: chTimeOf(ev.observed_at, ev.observed_at_ms),
    ingested_at: ingestedText(Math.floor(ingestedAtMs)),
    source_system: ev.source_system,
    target_system: ev.target_system ?? '',
    warehouse_id: ev.warehouse_id,
    correlation_id: ev.correlation_id,
    workflow: ev.workflow,
    document_ref: ev.document_ref,
    attributes: JSON.stringify(a),
    status: sync ? (str(a, 'status') ?? '') : '',
    interface: sync ? str(a, 'interface') : null,
    exception_id: exception ? (str(a, 'exception_id') ?? '') : '',
    category: opened ? (str(a, 'category') ?? '') : '',
    severity: opened ? (str(a, 'severity') ?? '') : '',
    owner: exception ? str(a, 'owner') : null,
    amount: business ? dec(a, 'amount') : null,
    currency: business ? (str(a, 'currency') ?? '') : '',
    sku: business || snapshot ? (str(a, 'sku') ?? '') : '',
    quantity: business || snapshot ? dec(a, 'quantity') : null,
    unit_cost: snapshot ? dec(a, 'unit_cost') : null,
  };
}

/** The event as the API returns it: envelope fields, UTC RFC 3339 times, plus when it was ingested. */
export const apiEventSchema = z.object({
  event_id: z.string(),
  type: z.enum(EVENT_TYPES),
  occurred_at: z.string(),
  observed_at: z.string(),
  source_system: z.string(),
  target_system: z.string().nullable(),
  warehouse_id: z.string(),
  correlation_id: z.string(),
  workflow: z.enum(WORKFLOWS),
  document_ref: z.string().nullable(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  ingested_at: z.string(),
});
export type ApiEvent = z.infer<typeof apiEventSchema>;

/** The columns an API event is made of; a query selecting just these (plus any it needs itself) is served. */
export const apiEventRowSchema = eventRowSchema.pick({
  event_id: true,
  type: true,
  occurred_at: true,
  observed_at: true,
  ingested_at: true,
  source_system: true,
  target_system: true,
  warehouse_id: true,
  correlation_id: true,
  workflow: true,
  document_ref: true,
  attributes: true,
});

const chToIso = (s: string): string => toIsoUtc(parseClickHouseTime(s) as number);

/** A row read back from ClickHouse, validated, as an API event. Throws on a row that is not one. */
export function rowToApiEvent(row: unknown): ApiEvent {
  const r = apiEventRowSchema.safeParse(row);
  if (!r.success) {
    const iss = r.error.issues[0];
    throw new Error(`invalid event row: ${iss ? `${iss.path.join('.')}: ${iss.message}` : 'unknown'}`);
  }
  const v = r.data;
  return {
    event_id: v.event_id,
    type: v.type,
    occurred_at: chToIso(v.occurred_at),
    observed_at: chToIso(v.observed_at),
    source_system: v.source_system,
    target_system: v.target_system === '' ? null : v.target_system,
    warehouse_id: v.warehouse_id,
    correlation_id: v.correlation_id,
    workflow: v.workflow,
    document_ref: v.document_ref,
    attributes: JSON.parse(v.attributes) as Attributes,
    ingested_at: chToIso(v.ingested_at),
  };
}
