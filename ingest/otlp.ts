import { z } from 'zod';
import { AppError } from '@/lib/errors';
import type { ParsedLine } from './parse';

/**
 * OTLP/HTTP JSON traces → canonical `sync.message` objects (events.md, "OpenTelemetry mapping").
 * The objects then go through the same validation, dedup and store as every other event, so a span
 * without a correlation or a warehouse is rejected by the one event schema, not by special code here.
 */
const anyValue: z.ZodType<AnyValue> = z.lazy(() =>
  z
    .object({
      stringValue: z.string().optional(),
      boolValue: z.boolean().optional(),
      intValue: z.union([z.string(), z.number()]).optional(),
      doubleValue: z.union([z.number(), z.string()]).optional(),
      bytesValue: z.string().optional(),
      arrayValue: z.object({ values: z.array(anyValue).optional() }).optional(),
      kvlistValue: z.object({ values: z.array(keyValue).optional() }).optional(),
    })
    .passthrough(),
);
interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  bytesValue?: string;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
const keyValue: z.ZodType<KeyValue> = z.lazy(() => z.object({ key: z.string(), value: anyValue.optional() }).passthrough());

const span = z
  .object({
    traceId: z.string().optional(),
    spanId: z.string().optional(),
    name: z.string().optional(),
    startTimeUnixNano: z.union([z.string(), z.number()]).optional(),
    endTimeUnixNano: z.union([z.string(), z.number()]).optional(),
    attributes: z.array(keyValue).optional(),
    status: z.object({ code: z.union([z.number(), z.string()]).optional() }).passthrough().optional(),
  })
  .passthrough();

export const otlpRequest = z
  .object({
    resourceSpans: z
      .array(
        z
          .object({
            resource: z.object({ attributes: z.array(keyValue).optional() }).passthrough().optional(),
            scopeSpans: z.array(z.object({ spans: z.array(span).optional() }).passthrough()).optional(),
          })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();

type Scalar = string | number | boolean;

function decode(v: AnyValue | undefined): unknown {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(decode);
  if (v.kvlistValue) return Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, decode(kv.value)]));
  return null;
}

/** Arrays and maps are kept as their JSON text (events.md); scalars as they are. */
function flat(v: AnyValue | undefined): Scalar | null {
  const d = decode(v);
  if (d === null || d === undefined) return null;
  if (typeof d === 'string' || typeof d === 'number' || typeof d === 'boolean') return d;
  return JSON.stringify(d);
}

function toMap(attrs: KeyValue[] | undefined): Map<string, Scalar> {
  const m = new Map<string, Scalar>();
  for (const kv of attrs ?? []) {
    const v = flat(kv.value);
    if (v !== null) m.set(kv.key, v);
  }
  return m;
}

const MAPPED = ['ctl.correlation_id', 'ctl.warehouse_id', 'ctl.source_system', 'ctl.target_system', 'ctl.workflow', 'ctl.document_ref'];

/** Nanoseconds since the epoch → RFC 3339 UTC with milliseconds (sub-ms digits truncated). */
function nanosToIso(n: string | number | undefined): string | undefined {
  if (n === undefined || n === '') return undefined;
  try {
    const ms = BigInt(typeof n === 'number' ? Math.trunc(n) : n) / 1_000_000n;
    return new Date(Number(ms)).toISOString();
  } catch {
    return undefined; // not an integer: left out, so the event schema names the missing timestamp
  }
}

const isError = (code: number | string | undefined) => code === 2 || code === 'STATUS_CODE_ERROR' || code === '2';

export interface MappedSpans {
  lines: ParsedLine[];
}

export function parseOtlpJson(body: Buffer): MappedSpans {
  let json: unknown;
  try {
    json = JSON.parse(body.length ? body.toString('utf8') : '{}');
  } catch {
    throw new AppError('bad_request', 'body: not valid OTLP JSON');
  }
  const parsed = otlpRequest.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new AppError('bad_request', `body: not an OTLP ExportTraceServiceRequest (${i?.path.join('.') ?? ''})`);
  }
  const lines: ParsedLine[] = [];
  let n = 0;
  for (const rs of parsed.data.resourceSpans ?? []) {
    const res = toMap(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const attrs = toMap(s.attributes);
        const pick = (k: string): Scalar | undefined => attrs.get(k) ?? res.get(k);
        const str = (v: Scalar | undefined) => (v === undefined ? undefined : String(v));
        const extra: Record<string, Scalar> = {};
        for (const [k, v] of attrs) if (!MAPPED.includes(k)) extra[k] = v;
        const event: Record<string, unknown> = {
          event_id: `${s.traceId ?? ''}:${s.spanId ?? ''}`,
          type: 'sync.message',
          occurred_at: nanosToIso(s.startTimeUnixNano),
          observed_at: nanosToIso(s.endTimeUnixNano),
          source_system: str(pick('ctl.source_system') ?? res.get('service.name') ?? attrs.get('service.name')),
          target_system: str(pick('ctl.target_system') ?? pick('peer.service') ?? pick('server.address') ?? 'unknown'),
          warehouse_id: str(pick('ctl.warehouse_id')),
          correlation_id: str(pick('ctl.correlation_id') ?? pick('messaging.message.conversation_id')),
          attributes: { ...extra, status: isError(s.status?.code) ? 'failed' : 'delivered' },
        };
        const workflow = str(pick('ctl.workflow'));
        const documentRef = str(pick('ctl.document_ref'));
        if (workflow !== undefined) event.workflow = workflow;
        if (documentRef !== undefined) event.document_ref = documentRef;
        for (const k of Object.keys(event)) if (event[k] === undefined) delete event[k];
        lines.push({ line: ++n, raw: JSON.stringify(event), value: event });
      }
    }
  }
  return { lines };
}

/** OTLP partial success: 200 with the count of rejected spans and a message naming the first reasons. */
export function otlpResponse(rejected: number, reasons: string[]): Record<string, unknown> {
  if (rejected === 0) return {};
  const sample = reasons.slice(0, 3).join('; ');
  return { partialSuccess: { rejectedSpans: rejected, errorMessage: `${rejected} span(s) rejected: ${sample}` } };
}
