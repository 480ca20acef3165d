import { env } from '@/lib/config/env';
import { AppError } from '@/lib/errors';
import type { Principal } from '@/lib/auth/roles';
import type { ParsedLine } from './parse';
import { ingestLines } from './pipeline';
import type { IngestResult } from './types';

/**
 * Per-request limits of the ingest transports (POST /api/v1/ingest, /v1/traces), on top of the body
 * limit: a line count per request (CT_MAX_LINES_PER_REQUEST) and a token bucket of events per second
 * per caller (CT_INGEST_RATE_EVENTS_PER_S). The CLI in direct mode and triage do not pass through here:
 * the CLI sends 10,000-line chunks of a file the operator chose, and triage writes one event at a time.
 */

/** The bucket holds this many seconds of the rate: a feed catching up after a pause is not throttled at once. */
export const RATE_BURST_SECONDS = 5;

interface Bucket {
  rate: number;
  tokens: number;
  at: number;
}

// In-process, like the rest of ingest's admission state: one process owns the store.
const KEY = Symbol.for('sync-control-tower.ingest-rate');
const g = globalThis as typeof globalThis & { [KEY]?: Map<string, Bucket> };
const buckets = (): Map<string, Bucket> => (g[KEY] ??= new Map());

const callerKey = (p: Principal): string => (p.kind === 'user' ? `user:${p.email}` : p.kind);

/** The caller's bucket, refilled up to now; null when the rate limit is off (0). */
function bucketOf(p: Principal, nowMs: number): Bucket | null {
  const rate = env().CT_INGEST_RATE_EVENTS_PER_S;
  if (rate === 0) return null;
  const map = buckets();
  const key = callerKey(p);
  let b = map.get(key);
  // A changed setting starts a full bucket at the new rate.
  if (!b || b.rate !== rate) {
    b = { rate, tokens: rate * RATE_BURST_SECONDS, at: nowMs };
    map.set(key, b);
  }
  b.tokens = Math.min(rate * RATE_BURST_SECONDS, b.tokens + (Math.max(0, nowMs - b.at) / 1000) * rate);
  b.at = nowMs;
  return b;
}

/**
 * Before the body is read: a caller whose bucket is in debt gets 429 `rate_limited` with Retry-After =
 * the seconds until the debt is repaid. A batch's events are known only
 * after parsing and are charged once the pipeline has taken them (chargeIngest), so a batch refused
 * for another reason (413, 429 `overloaded`, 503) costs its retry nothing; a charge may take the
 * bucket below zero, and the next request waits for that debt to be repaid.
 */
export function admitIngest(p: Principal, nowMs = Date.now()): void {
  const b = bucketOf(p, nowMs);
  if (!b || b.tokens >= 0) return;
  const retryAfter = Math.max(1, Math.ceil(-b.tokens / b.rate));
  throw new AppError('rate_limited', `ingest rate limit: ${b.rate} events/s per token (CT_INGEST_RATE_EVENTS_PER_S); retry in ${retryAfter} s`, {
    retryAfter,
  });
}

function chargeIngest(p: Principal, events: number, nowMs = Date.now()): void {
  const b = bucketOf(p, nowMs);
  if (b) b.tokens -= events;
}

/** After parsing, before anything is stored: over CT_MAX_LINES_PER_REQUEST lines is 413, nothing stored. */
export function checkLineCount(lines: number): void {
  const max = env().CT_MAX_LINES_PER_REQUEST;
  if (lines > max) {
    throw new AppError('payload_too_large', `body: ${lines} lines is over the limit of ${max} lines per request (CT_MAX_LINES_PER_REQUEST); split the batch`);
  }
}

/** A transport's way into the pipeline (always as a feed): line limit, pipeline, then the rate charge. */
export async function ingestAsCaller(caller: Principal, lines: ParsedLine[]): Promise<IngestResult> {
  checkLineCount(lines.length);
  const result = await ingestLines(lines);
  chargeIngest(caller, lines.length);
  return result;
}
