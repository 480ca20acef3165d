import { AppError } from '@/lib/errors';

/** A line longer than this is rejected as a line (api.md), before any JSON parsing. */
export const MAX_LINE_BYTES = 1024 * 1024;
/** Raw text kept for a rejected line: enough to debug, bounded so one line cannot bloat the store. */
export const MAX_RAW_KEPT = 64 * 1024;

export type ParseFailure = 'invalid_utf8' | 'line_too_long' | 'invalid_json';

export type ParsedLine =
  | { line: number; raw: string; value: unknown }
  | { line: number; raw: string; failure: ParseFailure; reason: string };

/**
 * Cooperative yielding for long loops on the request path: after `sliceMs` of work it lets the
 * event loop serve other requests (dashboard reads, health checks) before going on, so a 16 MiB
 * batch costs other callers a few milliseconds at a time instead of one long stall.
 */
export class Breather {
  private last = performance.now();
  private n = 0;
  constructor(private readonly sliceMs = 8) {}
  /** Call once per item; awaits only when the slice is used up (checked every 64 items). */
  async step(): Promise<void> {
    if (++this.n % 64 !== 0) return;
    if (performance.now() - this.last < this.sliceMs) return;
    await new Promise<void>((r) => setImmediate(r));
    this.last = performance.now();
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function parseText(line: number, text: string): ParsedLine {
  try {
    return { line, raw: text, value: JSON.parse(text) as unknown };
  } catch {
    return { line, raw: text, failure: 'invalid_json', reason: 'line: not valid JSON' };
  }
}

function decodeLine(line: number, bytes: Buffer): ParsedLine | null {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0d) end--;
  const body = bytes.subarray(0, end);
  if (body.length > MAX_LINE_BYTES) {
    return { line, raw: lossy.decode(body.subarray(0, MAX_RAW_KEPT)), failure: 'line_too_long', reason: `line: longer than ${MAX_LINE_BYTES} bytes` };
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { line, raw: lossy.decode(body.subarray(0, MAX_RAW_KEPT)), failure: 'invalid_utf8', reason: 'line: not valid UTF-8' };
  }
  if (text.trim() === '') return null;
  return parseText(line, text);
}

/**
 * The text kept for an element of a JSON array body. A value nested deeper than the stack allows
 * cannot be re-serialized; it is still a line (rejected by validation), with a placeholder as its text.
 */
function rawText(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return '[not shown: nested too deeply to serialize]';
  }
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function stripBom(buf: Buffer): Buffer {
  return buf.subarray(0, 3).equals(BOM) ? buf.subarray(3) : buf;
}

/** NDJSON lines, numbered from `firstLine` (1-based physical lines; blank lines are skipped, not counted as events). */
export function* parseNdjson(body: Buffer, firstLine = 1): Generator<ParsedLine> {
  const buf = firstLine === 1 ? stripBom(body) : body;
  let start = 0;
  let line = firstLine;
  while (start <= buf.length) {
    let nl = buf.indexOf(0x0a, start);
    if (nl === -1) nl = buf.length;
    const parsed = decodeLine(line, buf.subarray(start, nl));
    if (parsed) yield parsed;
    start = nl + 1;
    line++;
  }
}

function firstSignificantByte(buf: Buffer): number | undefined {
  for (const b of buf) if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b;
  return undefined;
}

type Shape = { kind: 'array'; values: unknown[] } | { kind: 'object'; value: unknown } | { kind: 'ndjson'; buf: Buffer };

/**
 * A body is a JSON array when it starts with `[` (after a BOM and white space) and parses as one;
 * anything else is NDJSON. An `application/json` body that is not a JSON array is a 400.
 */
function shapeOf(body: Buffer, contentType: string | null): Shape {
  const buf = stripBom(body);
  const isJson = (contentType ?? '').toLowerCase().includes('application/json');
  const first = firstSignificantByte(buf);
  if (first === 0x5b) {
    let text: string;
    try {
      text = utf8.decode(buf);
    } catch {
      throw new AppError('bad_request', 'body: a JSON array body must be valid UTF-8');
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      if (isJson) throw new AppError('bad_request', 'body: not a valid JSON array');
      return { kind: 'ndjson', buf };
    }
    if (!Array.isArray(value)) throw new AppError('bad_request', 'body: not a valid JSON array');
    return { kind: 'array', values: value };
  }
  if (isJson && first === 0x7b) {
    // A single JSON object (pretty-printed or not) sent as application/json: one event at position 1.
    try {
      return { kind: 'object', value: JSON.parse(utf8.decode(buf)) as unknown };
    } catch {
      return { kind: 'ndjson', buf };
    }
  }
  return { kind: 'ndjson', buf };
}

export function parseBody(body: Buffer, contentType: string | null): ParsedLine[] {
  const shape = shapeOf(body, contentType);
  if (shape.kind === 'array') return shape.values.map((v, i) => ({ line: i + 1, raw: rawText(v), value: v }));
  if (shape.kind === 'object') return [{ line: 1, raw: rawText(shape.value), value: shape.value }];
  return [...parseNdjson(shape.buf)];
}

/** parseBody for the request path: the same result, produced in slices (see Breather). */
export async function parseBodyAsync(body: Buffer, contentType: string | null): Promise<ParsedLine[]> {
  const shape = shapeOf(body, contentType);
  if (shape.kind === 'object') return [{ line: 1, raw: rawText(shape.value), value: shape.value }];
  const out: ParsedLine[] = [];
  const b = new Breather();
  if (shape.kind === 'array') {
    for (let i = 0; i < shape.values.length; i++) {
      const v = shape.values[i];
      out.push({ line: i + 1, raw: rawText(v), value: v });
      await b.step();
    }
    return out;
  }
  for (const l of parseNdjson(shape.buf)) {
    out.push(l);
    await b.step();
  }
  return out;
}
