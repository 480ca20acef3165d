import {
  type Attributes,
  type EventType,
  type Workflow,
  DEFAULT_CURRENCY,
  DEFAULT_WORKFLOW,
  EVENT_TYPES,
  MAX_DECIMAL_MAGNITUDE,
  MAX_FUTURE_MS,
  MIN_TIMESTAMP_MS,
  SEVERITIES,
  SYNC_STATUSES,
  SYNC_TYPE,
  TOWER_SOURCE,
  WORKFLOWS,
  isBusinessType,
  isExceptionFollowup,
} from './constants';
import { type CanonicalEvent, ENVELOPE_FIELDS, type IngestPolicy } from './schema';
import { lastTextOf, toIsoUtc } from './timestamp';

/**
 * The fast path of validation: a hand-written check of the common, well-formed event that returns the
 * very event the zod schema (schema.ts) would, or null when it is not sure. Null is never a verdict:
 * the caller then runs the schema, which accepts or rejects with its exact reasons. So this may refuse
 * anything unusual (surrogate pairs, `__proto__` keys, integers past 2^53, odd timestamps) and must only
 * never accept what the schema rejects; test/unit/events.fast.test.ts holds it to that over many valid
 * and invalid variants.
 */

const TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);
const WORKFLOW_SET: ReadonlySet<string> = new Set(WORKFLOWS);
const ENVELOPE: ReadonlySet<string> = new Set(ENVELOPE_FIELDS);

/** A string with no control character and no surrogate at all (so its length counts code points). */
function plainText(v: unknown, min: number, max: number): v is string {
  if (typeof v !== 'string' || v.length < min || v.length > max) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

const absent = (v: unknown): v is null | undefined => v === undefined || v === null;

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
};
const two = (s: string, i: number): number => {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
};

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Epoch ms of an RFC 3339 timestamp as parseRfc3339 reads it, inside the ingest window; NaN when the
 * text is anything else (the schema then says why). No regex, no Date.
 */
export function fastTimestamp(s: string, nowMs: number): number {
  const n = s.length;
  if (n < 20 || n > 64) return NaN;
  const y = two(s, 0) * 100 + two(s, 2);
  if (two(s, 0) < 0 || two(s, 2) < 0 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 116 && sep !== 32) return NaN;
  const mo = two(s, 5);
  const d = two(s, 8);
  const h = two(s, 11);
  const mi = two(s, 14);
  const sec = two(s, 17);
  if (mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return NaN;
  if (d > (mo === 2 && isLeap(y) ? 29 : MONTH_DAYS[mo - 1]!)) return NaN;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    i++;
    const start = i;
    while (i < n && digit(s, i) >= 0) {
      if (i - start < 3) ms = ms * 10 + digit(s, i);
      i++;
    }
    if (i === start) return NaN;
    for (let k = Math.min(i - start, 3); k < 3; k++) ms *= 10;
  }
  let offsetMin = 0;
  const o = s.charCodeAt(i);
  if ((o === 90 || o === 122) && i + 1 === n) {
    // Z
  } else if ((o === 43 || o === 45) && i + 6 === n && s.charCodeAt(i + 3) === 58) {
    const oh = two(s, i + 1);
    const om = two(s, i + 4);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return NaN;
    offsetMin = (o === 45 ? -1 : 1) * (oh * 60 + om);
  } else return NaN;
  const t = ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000 + sec * 1000 + ms - offsetMin * 60_000;
  return t < MIN_TIMESTAMP_MS || t - nowMs > MAX_FUTURE_MS ? NaN : t;
}

/** `YYYY-MM-DDTHH:MM:SS.mmmZ` is already what toIsoUtc would print for it (years 2000–9999). */
const isCanonicalIso = (s: string): boolean => s.length === 24 && s.charCodeAt(10) === 84 && s.charCodeAt(19) === 46 && s.charCodeAt(23) === 90;

type Kind = 'text' | 'int0' | 'int1' | 'dec0' | 'dec' | 'currency';
const NAMED: Readonly<Record<string, Kind>> = {
  status: 'text',
  attempt: 'int1',
  interface: 'text',
  error: 'text',
  payload_bytes: 'int0',
  amount: 'dec0',
  currency: 'currency',
  sku: 'text',
  quantity: 'dec',
  uom: 'text',
  exception_id: 'text',
  category: 'text',
  severity: 'text',
  summary: 'text',
  owner: 'text',
  resolution: 'text',
  actor: 'text',
  unit_cost: 'dec0',
};

function valueOk(kind: Kind | undefined, v: unknown): boolean {
  switch (kind) {
    case undefined:
      return typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || plainText(v, 0, Infinity);
    case 'text':
      return plainText(v, 0, Infinity);
    case 'int0':
    case 'int1':
      return typeof v === 'number' && Number.isSafeInteger(v) && v >= (kind === 'int1' ? 1 : 0);
    case 'dec0':
    case 'dec':
      return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < MAX_DECIMAL_MAGNITUDE && (kind === 'dec' || v >= 0);
    case 'currency':
      return typeof v === 'string' && v.length === 3 && /^[A-Z]{3}$/.test(v);
  }
}

const filled = (a: Record<string, unknown>, k: string): boolean => Object.hasOwn(a, k) && a[k] !== undefined && a[k] !== '';
const oneOf = (a: Record<string, unknown>, k: string, allowed: readonly string[]): boolean =>
  !Object.hasOwn(a, k) || typeof a[k] !== 'string' || a[k] === '' || allowed.includes(a[k]);

/** typeAttributeIssues(type, attrs) is empty. */
function typeRulesOk(type: EventType, a: Record<string, unknown>): boolean {
  if (type === SYNC_TYPE) return filled(a, 'status') && oneOf(a, 'status', SYNC_STATUSES);
  if (type === 'exception.opened') return filled(a, 'exception_id') && filled(a, 'category') && filled(a, 'severity') && oneOf(a, 'severity', SEVERITIES);
  if (type === 'inventory.snapshot') return filled(a, 'sku') && filled(a, 'quantity');
  if (isExceptionFollowup(type)) return filled(a, 'exception_id');
  return true;
}

function fastAttributes(type: EventType, input: unknown): Attributes | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return null;
  const a = input as Record<string, unknown>;
  const keys = Object.keys(a);
  for (const k of keys) {
    if (k === '__proto__' || !plainText(k, 0, Infinity) || !valueOk(Object.hasOwn(NAMED, k) ? NAMED[k] : undefined, a[k])) return null;
  }
  if (!typeRulesOk(type, a)) return null;
  // A fresh object with the input's own keys in their order, as the schema's Object.fromEntries builds it.
  const out: Attributes = {};
  for (const k of keys) out[k] = a[k] as Attributes[string];
  if (isBusinessType(type) && !Object.hasOwn(a, 'currency')) out.currency = DEFAULT_CURRENCY;
  return out;
}

// Events without observed_at default to the ingest time, the same for a whole batch.
const isoOf = lastTextOf(toIsoUtc);

/** The canonical event for `input` at ingest time `nowMs` under `policy`, or null (see above). */
export function fastCanonical(input: unknown, nowMs: number, policy: IngestPolicy): CanonicalEvent | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return null;
  const ev = input as Record<string, unknown>;
  for (const k in ev) if (!ENVELOPE.has(k) || !Object.hasOwn(ev, k)) return null;
  const { event_id, type, occurred_at, observed_at, source_system, target_system, warehouse_id, correlation_id, workflow, document_ref } = ev;
  if (!plainText(event_id, 1, 128) || typeof type !== 'string' || !TYPES.has(type)) return null;
  if (!plainText(source_system, 1, 64) || !plainText(warehouse_id, 1, 64) || !plainText(correlation_id, 1, 256)) return null;
  if (!absent(target_system) && !plainText(target_system, 1, 64)) return null;
  if (!absent(document_ref) && !plainText(document_ref, 0, 128)) return null;
  if (!absent(workflow) && !(typeof workflow === 'string' && WORKFLOW_SET.has(workflow))) return null;
  if (policy.origin !== 'triage' && (source_system === TOWER_SOURCE || (policy.warehouses && !policy.warehouses.has(warehouse_id)))) return null;
  if (typeof occurred_at !== 'string') return null;
  const occurredMs = fastTimestamp(occurred_at, nowMs);
  if (Number.isNaN(occurredMs)) return null;
  let observedMs = nowMs;
  let observedIso: string | null = null;
  if (!absent(observed_at)) {
    if (typeof observed_at !== 'string') return null;
    observedMs = fastTimestamp(observed_at, nowMs);
    if (Number.isNaN(observedMs)) return null;
    if (isCanonicalIso(observed_at)) observedIso = observed_at;
  }
  const t = type as EventType;
  if (t === SYNC_TYPE && (absent(observed_at) || absent(target_system))) return null;
  const attributes = absent(ev.attributes) ? fastAttributes(t, {}) : fastAttributes(t, ev.attributes);
  if (!attributes) return null;
  return {
    event_id,
    type: t,
    occurred_at: isCanonicalIso(occurred_at) ? occurred_at : toIsoUtc(occurredMs),
    occurred_at_ms: occurredMs,
    observed_at: observedIso ?? (observedMs === nowMs ? isoOf(nowMs) : toIsoUtc(observedMs)),
    observed_at_ms: observedMs,
    source_system,
    target_system: target_system ?? null,
    warehouse_id,
    correlation_id,
    workflow: (workflow ?? DEFAULT_WORKFLOW) as Workflow,
    document_ref: document_ref ?? null,
    attributes,
  };
}
