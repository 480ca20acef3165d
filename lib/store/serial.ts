import crypto from 'node:crypto';
import { getClient, storeMode, type Session } from './client';
import { storeScheduler, type Lane } from './scheduler';

/**
 * The embedded engine can hand a session's next statement the leftover output of a statement that
 * failed: after a query hit TIMEOUT_EXCEEDED, the following query received the failed query's rows
 * (reproduced in isolation: about 1 in 20 guard timeouts). So statements of one embedded session run
 * one at a time (the scheduler never overlaps two of a session), and after any failure the session is
 * drained — a nonce query, repeated until it answers with its own nonce — before it is released to
 * the next statement. A ClickHouse server answers each HTTP request on its own and needs neither.
 */
const DRAIN_ATTEMPTS = 5;

async function drain(session: Session): Promise<void> {
  for (let i = 0; i < DRAIN_ATTEMPTS; i++) {
    const n = crypto.randomUUID();
    try {
      // Bound like most statements (the leftover was seen by bound ones). After an unbound failure the
      // scheduler did not give this statement the binder: chDB then makes the drain wait for it itself.
      const rs = await getClient(session).query({ query: 'SELECT {n:String} AS n', query_params: { n }, format: 'JSONEachRow' });
      const rows = await rs.json<{ n?: unknown }>();
      if (rows.length === 1 && rows[0]?.n === n) return;
    } catch (err) {
      // The store itself is failing (gone, disk full): nothing is left over to drain.
      if (i === DRAIN_ATTEMPTS - 1) throw err;
    }
  }
}

export interface Statement {
  session: Session;
  lane: Lane;
  /** Has bound parameters: chDB runs those one at a time across the process. */
  bound: boolean;
}

/** Runs one statement of the embedded engine through the scheduler; a server runs it at once. */
export function onStatement<T>(st: Statement, fn: () => Promise<T>): Promise<T> {
  if (storeMode() !== 'embedded') return fn();
  return storeScheduler().run(st, async () => {
    try {
      return await fn();
    } catch (err) {
      // The statement's own error is the one to report; a drain that fails means the store is down.
      await drain(st.session).catch(() => undefined);
      throw err;
    }
  });
}
