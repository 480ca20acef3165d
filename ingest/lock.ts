import { env } from '@/lib/config/env';
import { AppError } from '@/lib/errors';

/**
 * The write path is serialized per process: "is this event_id stored?" and "store it" must not
 * interleave with another batch doing the same, or two copies of one event_id could both pass.
 * The queue in front of it is bounded by rows, and every byte of ingest data the process holds
 * (bodies being read, batches being validated or waiting for the lock) counts against one memory
 * budget, so overload is a 429 with Retry-After, never an unbounded buffer.
 */
interface WriteGate {
  tail: Promise<unknown>;
  queuedRows: number;
  inflightBytes: number;
  /** A write failed part-way: `events` may hold rows whose dedup lookup rows were never written. */
  lookupBehind: boolean;
}

const KEY = Symbol.for('sync-control-tower.write-gate');
const g = globalThis as typeof globalThis & { [KEY]?: WriteGate };
const gate = (): WriteGate => {
  const s = (g[KEY] ??= { tail: Promise.resolve(), queuedRows: 0, inflightBytes: 0, lookupBehind: false });
  // A gate created by an older copy of this module (same process, other bundle) lacks the new fields.
  s.inflightBytes ??= 0;
  s.lookupBehind ??= false;
  return s;
};

/** CT_MAX_QUEUED_ROWS (default 400,000): rows waiting for the writer. */
const maxQueuedRows = (): number => env().CT_MAX_QUEUED_ROWS;
/**
 * CT_MAX_INFLIGHT_BYTES: ingest bytes (request bodies and parsed batches, counted as sent) the process
 * may hold at once. A parsed batch costs ~15× its text in memory (measured: 147 MiB of bodies in
 * flight → 2.6 GiB RSS), so the 64 MiB default keeps a burst near 1 GiB, well inside V8's 4 GiB heap,
 * while still holding five full-size (16 MiB) bodies: more than enough to keep the single writer busy.
 */
const maxInflightBytes = (): number => env().CT_MAX_INFLIGHT_BYTES;

export function queuedRows(): number {
  return gate().queuedRows;
}

export function inflightBytes(): number {
  return gate().inflightBytes;
}

/** Only under the write lock: whether the dedup lookup must be repaired before the next check. */
export function lookupBehind(): boolean {
  return gate().lookupBehind;
}

export function setLookupBehind(v: boolean): void {
  gate().lookupBehind = v;
}

const overloaded = (what: string) => new AppError('overloaded', `${what}; retry after the indicated delay`, { retryAfter: 2 });

export async function withWriteLock<T>(rows: number, fn: () => Promise<T>): Promise<T> {
  const s = gate();
  if (s.queuedRows > 0 && s.queuedRows + rows > maxQueuedRows()) throw overloaded('ingest queue is full');
  s.queuedRows += rows;
  const run = s.tail.then(fn, fn);
  s.tail = run.catch(() => undefined);
  try {
    return await run;
  } finally {
    s.queuedRows -= rows;
  }
}

/**
 * A claim on the memory budget that can grow (a body read chunk by chunk). Growing past the budget
 * throws `overloaded` unless this claim is the only one: a single batch within the body limit always
 * gets through, so a budget smaller than the body limit slows ingest down but never locks it out.
 */
export class Reservation {
  private held = 0;
  private open = true;

  grow(bytes: number): void {
    if (!this.open || bytes <= 0) return;
    const s = gate();
    const others = s.inflightBytes - this.held;
    if (others > 0 && s.inflightBytes + bytes > maxInflightBytes()) throw overloaded('ingest memory budget is exhausted');
    s.inflightBytes += bytes;
    this.held += bytes;
  }

  release(): void {
    if (!this.open) return;
    this.open = false;
    gate().inflightBytes -= this.held;
    this.held = 0;
  }
}
