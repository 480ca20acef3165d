import { AppError } from '@/lib/errors';

/**
 * The write path is serialized per process: "is this event_id stored?" and "store it" must not
 * interleave with another batch doing the same, or two copies of one event_id could both pass.
 * The queue in front of it is bounded by rows, so overload is a 429, never an unbounded buffer.
 */
interface WriteGate {
  tail: Promise<unknown>;
  queuedRows: number;
}

const KEY = Symbol.for('sync-control-tower.write-gate');
const g = globalThis as typeof globalThis & { [KEY]?: WriteGate };
const gate = (): WriteGate => (g[KEY] ??= { tail: Promise.resolve(), queuedRows: 0 });

export const MAX_QUEUED_ROWS = Number(process.env.CT_MAX_QUEUED_ROWS ?? 400_000);

export function queuedRows(): number {
  return gate().queuedRows;
}

export async function withWriteLock<T>(rows: number, fn: () => Promise<T>): Promise<T> {
  const s = gate();
  if (s.queuedRows > 0 && s.queuedRows + rows > MAX_QUEUED_ROWS) {
    throw new AppError('overloaded', 'ingest queue is full; retry after the indicated delay', { retryAfter: 2 });
  }
  s.queuedRows += rows;
  const run = s.tail.then(fn, fn);
  s.tail = run.catch(() => undefined);
  try {
    return await run;
  } finally {
    s.queuedRows -= rows;
  }
}
