import { z } from 'zod';
import { attributesSchema, isPlainObject, typeAttributeIssues, withDefaults } from './attributes';
import { DEFAULT_WORKFLOW, EVENT_TYPES, SYNC_TYPE, TOWER_SOURCE, WORKFLOWS, isEventType, type IngestOrigin } from './constants';
import { requiredOr, textSchema, truncateCodePoints } from './text';
import { timestampSchema, toIsoUtc } from './timestamp';

/**
 * Envelope fields in events.md table order. Validation reports follow this order, so it is part of
 * the contract, not cosmetics.
 */
export const ENVELOPE_FIELDS = [
  'event_id',
  'type',
  'occurred_at',
  'observed_at',
  'source_system',
  'target_system',
  'warehouse_id',
  'correlation_id',
  'workflow',
  'document_ref',
  'attributes',
] as const;

// Keys are shown quoted and bounded: they are producer text and end up in stored reasons.
const quoteKey = (k: string) => JSON.stringify(truncateCodePoints(k, 64));

/**
 * Who may write what, beyond the shape of an event: only triage speaks as TOWER_SOURCE, and a feed's
 * warehouse must be in the allow-list when one is configured (CT_WAREHOUSES; null = any). Triage acts
 * on exceptions already stored, so the allow-list does not apply to it.
 */
export interface IngestPolicy {
  origin: IngestOrigin;
  warehouses: ReadonlySet<string> | null;
}

export const FEED_POLICY: IngestPolicy = { origin: 'feed', warehouses: null };

function policyIssues(ev: { source_system: unknown; warehouse_id: unknown }, policy: IngestPolicy): { path: string; message: string }[] {
  if (policy.origin === 'triage') return [];
  const out: { path: string; message: string }[] = [];
  if (ev.source_system === TOWER_SOURCE) {
    out.push({ path: 'source_system', message: `"${TOWER_SOURCE}" is reserved for the tower's own triage events` });
  }
  if (policy.warehouses && typeof ev.warehouse_id === 'string' && !policy.warehouses.has(ev.warehouse_id)) {
    out.push({ path: 'warehouse_id', message: `${quoteKey(ev.warehouse_id)} is not an allowed warehouse (CT_WAREHOUSES)` });
  }
  return out;
}

/**
 * The canonical event, the single source of truth for what ingest accepts (events.md v1). Input is
 * the producer's JSON object; output is the normalized event: defaults filled, timestamps as epoch ms
 * and canonical ISO text. `clock` returns the ingest time in epoch ms; it bounds future timestamps
 * and is the default `observed_at`. `policy` says who is writing (see IngestPolicy); like `clock` it is
 * read during parse, so the schema is built once.
 */
export function createCanonicalEventSchema(clock: () => number, policy: () => IngestPolicy = () => FEED_POLICY) {
  const timestamp = timestampSchema(clock);
  // null is accepted as "absent" on optional fields: the API returns absent values as null, and an
  // event read from the API must be re-ingestible as is.
  const envelope = z.strictObject(
    {
      event_id: textSchema({ min: 1, max: 128 }),
      type: z.enum(EVENT_TYPES, { error: requiredOr('unknown event type') }),
      occurred_at: timestamp,
      observed_at: timestamp.nullish(),
      source_system: textSchema({ min: 1, max: 64 }),
      target_system: textSchema({ min: 1, max: 64 }).nullish(),
      warehouse_id: textSchema({ min: 1, max: 64 }),
      correlation_id: textSchema({ min: 1, max: 256 }),
      workflow: z.enum(WORKFLOWS, { error: `must be one of ${WORKFLOWS.join(', ')}` }).nullish(),
      document_ref: textSchema({ max: 128 }).nullish(),
      attributes: attributesSchema.nullish(),
    },
    {
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? `unknown field ${quoteKey(iss.keys[0] ?? '')}`
          : 'event: must be a JSON object',
    },
  );

  return envelope
    .superRefine(
      (ev, ctx) => {
        // Runs even when fields failed (see `when`), so that a rule of an earlier field is never
        // hidden by a later field's error; failed fields still hold their raw input here.
        for (const { path, message } of policyIssues(ev, policy())) ctx.addIssue({ code: 'custom', path: [path], message });
        const type: unknown = ev.type;
        if (!isEventType(type)) return;
        if (type === SYNC_TYPE) {
          if (ev.observed_at == null) ctx.addIssue({ code: 'custom', path: ['observed_at'], message: `required for ${SYNC_TYPE}` });
          if (ev.target_system == null) ctx.addIssue({ code: 'custom', path: ['target_system'], message: `required for ${SYNC_TYPE}` });
        }
        const attrs: unknown = ev.attributes ?? {};
        if (!isPlainObject(attrs)) return;
        for (const { key, message } of typeAttributeIssues(type, attrs)) {
          ctx.addIssue({ code: 'custom', path: ['attributes', key], message });
        }
      },
      { when: (payload) => isPlainObject(payload.value) },
    )
    .transform((ev) => {
      const observedMs = ev.observed_at ?? Math.floor(clock());
      return {
        event_id: ev.event_id,
        type: ev.type,
        occurred_at: toIsoUtc(ev.occurred_at),
        occurred_at_ms: ev.occurred_at,
        observed_at: toIsoUtc(observedMs),
        observed_at_ms: observedMs,
        source_system: ev.source_system,
        target_system: ev.target_system ?? null,
        warehouse_id: ev.warehouse_id,
        correlation_id: ev.correlation_id,
        workflow: ev.workflow ?? DEFAULT_WORKFLOW,
        document_ref: ev.document_ref ?? null,
        attributes: withDefaults(ev.type, ev.attributes ?? {}),
      };
    });
}

export type CanonicalEventSchema = ReturnType<typeof createCanonicalEventSchema>;

/** The normalized event: every envelope field present, times in UTC as epoch ms and ISO text. */
export type CanonicalEvent = z.output<CanonicalEventSchema>;

/** The raw event a producer sends. */
export type CanonicalEventInput = z.input<CanonicalEventSchema>;

/** Schema instance whose ingest time is the wall clock; validateEvent() pins it instead. */
export const canonicalEventSchema: CanonicalEventSchema = createCanonicalEventSchema(Date.now);
