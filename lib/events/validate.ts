import type { z } from 'zod';
import { attributeRank } from './attributes';
import { type CanonicalEvent, ENVELOPE_FIELDS, FEED_POLICY, type IngestPolicy, createCanonicalEventSchema } from './schema';
import { fastCanonical } from './fast';
import { truncateCodePoints } from './text';

export type ValidationResult =
  | { ok: true; event: CanonicalEvent }
  | { ok: false; reason: string; event_id: string | null };

// Parsing is synchronous, so pinning the ingest time and policy in module variables for the duration
// of one safeParse is race-free, and one compiled schema serves every call.
let ingestNowMs = 0;
let ingestPolicy: IngestPolicy = FEED_POLICY;
const schema = createCanonicalEventSchema(() => ingestNowMs, () => ingestPolicy);

const FIELD_RANK: ReadonlyMap<PropertyKey, number> = new Map(ENVELOPE_FIELDS.map((f, i) => [f, i]));
const ATTRIBUTES_RANK = ENVELOPE_FIELDS.indexOf('attributes');

/**
 * Report order: envelope fields in table order, then unknown top-level fields, then attributes
 * (named ones in table order, then the rest in input order). Ties keep zod's order, which puts a
 * field's own type error before any cross-field rule about it.
 */
function rank(issue: z.core.$ZodIssue): [number, number] {
  const [head, sub] = issue.path;
  if (head === undefined) return issue.code === 'unrecognized_keys' ? [ATTRIBUTES_RANK - 0.5, 0] : [-1, 0];
  const field = FIELD_RANK.get(head) ?? ATTRIBUTES_RANK - 0.5;
  return [field, field === ATTRIBUTES_RANK && sub !== undefined ? attributeRank(sub) + 1 : 0];
}

function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue | undefined {
  let best: z.core.$ZodIssue | undefined;
  let bestRank: [number, number] = [Infinity, Infinity];
  for (const issue of issues) {
    const r = rank(issue);
    if (r[0] < bestRank[0] || (r[0] === bestRank[0] && r[1] < bestRank[1])) {
      best = issue;
      bestRank = r;
    }
  }
  return best;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `attributes.status`, or `attributes["odd key"]` for keys that would be ambiguous or unreadable. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && IDENTIFIER.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(truncateCodePoints(String(seg), 64))}]`;
  }
  return out;
}

function reasonOf(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'event: invalid';
  // Root issues (not an object, unknown field) carry a complete sentence already.
  return issue.path.length === 0 ? issue.message : `${formatPath(issue.path)}: ${issue.message}`;
}

function eventIdOf(input: unknown): string | null {
  if (typeof input !== 'object' || input === null || !Object.hasOwn(input, 'event_id')) return null;
  const id: unknown = (input as { event_id?: unknown }).event_id;
  return typeof id === 'string' ? truncateCodePoints(id, 128) : null;
}

/**
 * Validates one producer event against events.md at ingest time `nowMs` (epoch ms). Never throws on
 * bad input: the reason is one sentence naming the first offending field. `policy` defaults to a feed's
 * (TOWER_SOURCE reserved, any warehouse).
 */
export function validateEvent(input: unknown, nowMs: number, policy: IngestPolicy = FEED_POLICY): ValidationResult {
  if (!Number.isFinite(nowMs)) throw new TypeError('validateEvent: nowMs must be a finite epoch ms');
  ingestNowMs = Math.floor(nowMs);
  ingestPolicy = policy;
  // The common well-formed event skips the schema; anything the fast path is unsure of goes through it.
  const fast = fastCanonical(input, ingestNowMs, policy);
  if (fast) return { ok: true, event: fast };
  const r = schema.safeParse(input);
  if (r.success) return { ok: true, event: r.data };
  return { ok: false, reason: reasonOf(firstIssue(r.error.issues)), event_id: eventIdOf(input) };
}
