import crypto from 'node:crypto';
import { getClient, storeMode, type Session } from './client';

/**
 * The embedded engine can hand a session's next statement the leftover output of a statement that
 * failed: after a query hit TIMEOUT_EXCEEDED, the following query received the failed query's rows
 * (reproduced in isolation: about 1 in 20 guard timeouts). So statements of one embedded session run
 * one at a time through this queue, and after any failure the session is drained — a nonce query,
 * repeated until it answers with its own nonce — before the next statement may start. This costs no
 * concurrency: chDB runs one statement at a time per session, and all bound queries of the process
 * one at a time, anyway. A ClickHouse server answers each HTTP request on its own and needs neither.
 */
// Shared through globalThis: route bundles may each load a copy of this module, but there is one engine.
const KEY = Symbol.for('sync-control-tower.store-queues');
const g = globalThis as typeof globalThis & { [KEY]?: Record<Session, Promise<unknown>> };
const tails = (g[KEY] ??= { read: Promise.resolve(), write: Promise.resolve() });
const DRAIN_ATTEMPTS = 5;

async function drain(session: Session): Promise<void> {
  for (let i = 0; i < DRAIN_ATTEMPTS; i++) {
    const n = crypto.randomUUID();
    try {
      const rs = await getClient(session).query({ query: 'SELECT {n:String} AS n', query_params: { n }, format: 'JSONEachRow' });
      const rows = await rs.json<{ n?: unknown }>();
      if (rows.length === 1 && rows[0]?.n === n) return;
    } catch (err) {
      // The store itself is failing (gone, disk full): nothing is left over to drain.
      if (i === DRAIN_ATTEMPTS - 1) throw err;
    }
  }
}

export function onSession<T>(session: Session, fn: () => Promise<T>): Promise<T> {
  if (storeMode() !== 'embedded') return fn();
  const run = tails[session].then(async () => {
    try {
      return await fn();
    } catch (err) {
      // The statement's own error is the one to report; a drain that fails means the store is down.
      await drain(session).catch(() => undefined);
      throw err;
    }
  });
  tails[session] = run.catch(() => undefined);
  return run;
}
