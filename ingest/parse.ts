import { AppError } from '@/lib/errors';

/** A line longer than this is rejected as a line (api.md), before any JSON parsing. */
export const MAX_LINE_BYTES = 1024 * 1024;
/** Raw text kept for a rejected line: enough to debug, bounded so one line cannot bloat the store. */
export const MAX_RAW_KEPT = 64 * 1024;

export type ParseFailure = 'invalid_utf8' | 'line_too_long' | 'invalid_json';

export type ParsedLine =
  | { line: number; raw: string; value: unknown }
  | { line: number; raw: string; failure: ParseFailure; reason: string };

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

/**
 * A body is a JSON array when it starts with `[` (after a BOM and white space) and parses as one;
 * anything else is NDJSON. An `application/json` body that is not a JSON array is a 400.
 */
export function parseBody(body: Buffer, contentType: string | null): ParsedLine[] {
  const buf = stripBom(body);
  const isJson = (contentType ?? '').toLowerCase().includes('application/json');
  if (firstSignificantByte(buf) === 0x5b) {
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
      return [...parseNdjson(buf)];
    }
    if (!Array.isArray(value)) throw new AppError('bad_request', 'body: not a valid JSON array');
    return value.map((v, i) => ({ line: i + 1, raw: JSON.stringify(v) ?? 'null', value: v as unknown }));
  }
  if (isJson && firstSignificantByte(buf) === 0x7b) {
    // A single JSON object (pretty-printed or not) sent as application/json: one event at position 1.
    try {
      const value = JSON.parse(utf8.decode(buf)) as unknown;
      return [{ line: 1, raw: JSON.stringify(value), value }];
    } catch {
      return [...parseNdjson(buf)];
    }
  }
  return [...parseNdjson(buf)];
}
