import { z } from 'zod';
import {
  type Attributes,
  type AttributeValue,
  type EventType,
  DEFAULT_CURRENCY,
  MAX_DECIMAL_MAGNITUDE,
  SEVERITIES,
  SYNC_STATUSES,
  SYNC_TYPE,
  isBusinessType,
  isExceptionFollowup,
} from './constants';
import { textProblem, textSchema } from './text';

const finiteNumber = () =>
  z.number({ error: (iss) => (typeof iss.input === 'number' ? 'must be a finite number' : 'must be a number') });

const decimal = (min?: number) => {
  const base = finiteNumber();
  return (min === undefined ? base : base.min(min, { error: `must be at least ${min}` })).refine(
    (n) => Math.abs(n) < MAX_DECIMAL_MAGNITUDE,
    // Why the cap exists: see MAX_DECIMAL_MAGNITUDE.
    { error: 'must be less than 1e20 in magnitude (stored as Decimal(38, 6))' },
  );
};

const integer = (min: number) =>
  z.int({ error: 'must be an integer' }).min(min, { error: `must be at least ${min}` });

/**
 * Every attribute events.md names, with its type. The types hold on every event type, so a report
 * reading `amount` never meets a string; which attributes are required, and which enumerations
 * apply, depends on the event type (see typeAttributeIssues). Order here is the reporting order.
 */
const NAMED = {
  status: textSchema(),
  attempt: integer(1),
  interface: textSchema(),
  error: textSchema(),
  payload_bytes: integer(0),
  amount: decimal(0),
  currency: textSchema().regex(/^[A-Z]{3}$/, { error: 'must be three capital letters (ISO 4217)' }),
  sku: textSchema(),
  quantity: decimal(),
  uom: textSchema(),
  exception_id: textSchema(),
  category: textSchema(),
  severity: textSchema(),
  summary: textSchema(),
  owner: textSchema(),
  resolution: textSchema(),
  actor: textSchema(),
  unit_cost: decimal(0),
} satisfies Record<string, z.ZodType<AttributeValue>>;

type NamedAttribute = keyof typeof NAMED;
const NAMED_ORDER: readonly string[] = Object.keys(NAMED);

const isNamed = (k: string): k is NamedAttribute => Object.hasOwn(NAMED, k);

/** Position of an attribute in reports: named attributes in table order, the rest after them. */
export const attributeRank = (key: unknown): number => {
  const i = typeof key === 'string' ? NAMED_ORDER.indexOf(key) : -1;
  return i === -1 ? NAMED_ORDER.length : i;
};

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function extraValueProblem(v: unknown): string | null {
  if (typeof v === 'string') return textProblem(v);
  if (typeof v === 'number') return Number.isFinite(v) ? null : 'must be a finite number';
  if (typeof v === 'boolean') return null;
  return 'must be a string, number or boolean';
}

/**
 * The `attributes` object: flat, well-formed, named attributes typed. Walked by hand rather than with
 * z.record/z.looseObject because those drop a `__proto__` key, and unknown keys must be kept verbatim.
 */
export const attributesSchema = z
  .custom<Record<string, unknown>>(isPlainObject, { error: 'must be an object' })
  .transform((input, ctx): Attributes => {
    const entries: Array<[string, AttributeValue]> = [];
    for (const [key, value] of Object.entries(input)) {
      const keyProblem = textProblem(key);
      if (keyProblem) {
        ctx.addIssue({ code: 'custom', path: [key], message: `attribute name ${keyProblem}`, input: key });
        continue;
      }
      if (isNamed(key)) {
        const r = NAMED[key].safeParse(value);
        if (!r.success) {
          for (const iss of r.error.issues) {
            ctx.addIssue({ code: 'custom', path: [key, ...iss.path], message: iss.message, input: value });
          }
          continue;
        }
        entries.push([key, r.data]);
        continue;
      }
      const problem = extraValueProblem(value);
      if (problem) {
        ctx.addIssue({ code: 'custom', path: [key], message: problem, input: value });
        continue;
      }
      entries.push([key, value as AttributeValue]);
    }
    // fromEntries defines properties, so a `__proto__` key stays data instead of becoming a prototype.
    return Object.fromEntries(entries);
  });

type TypeRule = { required: readonly NamedAttribute[]; oneOf?: Partial<Record<NamedAttribute, readonly string[]>> };

const EXCEPTION_OPENED: TypeRule = {
  required: ['exception_id', 'category', 'severity'],
  oneOf: { severity: SEVERITIES },
};
const EXCEPTION_FOLLOWUP: TypeRule = { required: ['exception_id'] };
const RULES: Partial<Record<EventType, TypeRule>> = {
  [SYNC_TYPE]: { required: ['status'], oneOf: { status: SYNC_STATUSES } },
  'exception.opened': EXCEPTION_OPENED,
  'inventory.snapshot': { required: ['sku', 'quantity'] },
};

/** Attributes an event type demands that are absent or outside their enumeration, in table order. */
export function typeAttributeIssues(
  type: EventType,
  attrs: Record<string, unknown>,
): Array<{ key: string; message: string }> {
  const rule = RULES[type] ?? (isExceptionFollowup(type) ? EXCEPTION_FOLLOWUP : undefined);
  if (!rule) return [];
  const out: Array<{ key: string; message: string }> = [];
  for (const key of rule.required) {
    const v = Object.hasOwn(attrs, key) ? attrs[key] : undefined;
    if (v === undefined) out.push({ key, message: `required for ${type}` });
    // A required id, category or SKU that is empty is as good as missing.
    else if (v === '') out.push({ key, message: 'must not be empty' });
  }
  for (const [key, allowed] of Object.entries(rule.oneOf ?? {})) {
    const v = Object.hasOwn(attrs, key) ? attrs[key] : undefined;
    // Wrong types were already reported by attributesSchema; only judge strings here.
    if (typeof v === 'string' && v !== '' && !allowed.includes(v)) {
      out.push({ key, message: `must be one of ${allowed.join(', ')}` });
    }
  }
  return out;
}

/** Normalized attributes of a valid event: money-carrying types get their currency default. */
export function withDefaults(type: EventType, attrs: Attributes): Attributes {
  if (!isBusinessType(type) || Object.hasOwn(attrs, 'currency')) return attrs;
  return Object.fromEntries([...Object.entries(attrs), ['currency', DEFAULT_CURRENCY]]);
}
