import fs from 'node:fs';
import path from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
// Importing only loads the addon; the engine opens on the first createChdbConnection call.
import { createChdbConnection } from 'chdb/connection';
import { dataDir, env } from '@/lib/config/env';
import { AppError, isAppError } from '@/lib/errors';
import { readGuards, WRITE_GUARDS } from './guards';
import { STORE_LOCK_WAIT_MS, storeOwner } from './owner.mjs';

/** Settings every session gets: the embedded engine does not quote 64-bit ints, a server does. */
const FORMAT_SETTINGS = {
  output_format_json_quote_64bit_integers: 0,
  date_time_output_format: 'simple',
} as const;

/**
 * Which session a statement runs on. An embedded engine runs one statement at a time per session,
 * so the write path (dedup lookups, inserts, repairs, migrations) has a session of its own: a slow
 * dashboard query, or a runaway one waiting for its time limit, never delays an acknowledgement.
 * Bulk statements that write (rollup maintenance) get a third one, so they never hold the write
 * session for their whole run either.
 */
export type Session = 'read' | 'write' | 'maintenance';

/** The embedded connection's raw insert: bytes in a declared format, parsed by the engine itself (chdb rawInsert). */
export type RawInsert = (params: { table: string; values: Buffer; format: RawFormat; columns?: readonly string[] }) => Promise<unknown>;
export type RawFormat = 'JSONEachRow' | 'JSONCompactEachRow';

interface Holder {
  client: ClickHouseClient;
  /** Opened on first use; its guards are the write path's own (WRITE_GUARDS). */
  writer?: ClickHouseClient;
  /** Opened on first use, with the write path's guards. */
  maintenance?: ClickHouseClient;
  mode: 'embedded' | 'server';
}

// The raw insert of each embedded client, by client: clients are created per session in one place (makeClient).
const rawInserts = new WeakMap<ClickHouseClient, RawInsert>();

// One engine per process: `next build` workers and the route bundles all share this slot, and
// nothing opens the engine at import time.
const KEY = Symbol.for('sync-control-tower.store');
type G = typeof globalThis & { [KEY]?: Holder };
const g = globalThis as G;

export function storeMode(): 'embedded' | 'server' {
  return env().CLICKHOUSE_URL ? 'server' : 'embedded';
}

export function embeddedPath(): string {
  return path.join(dataDir(), 'chdb');
}

type Settings = NonNullable<Parameters<typeof createClient>[0]>['clickhouse_settings'];

function open(): Holder {
  return { mode: storeMode(), client: makeClient({ ...FORMAT_SETTINGS, ...readGuards() }) };
}

function makeClient(settings: Settings): ClickHouseClient {
  const url = env().CLICKHOUSE_URL;
  if (!url) return embeddedClient(settings);
  return createClient({ url, clickhouse_settings: settings, request_timeout: 30_000, compression: { request: false, response: true } });
}

function embeddedClient(settings: Settings): ClickHouseClient {
  const dir = embeddedPath();
  fs.mkdirSync(dir, { recursive: true });
  let connection: unknown;
  try {
    connection = createChdbConnection({ path: dir });
  } catch (err) {
    // chDB says only "Failed to create connection"; the engine's lock on the directory tells whether another
    // process holds it. The message reaches HTTP clients, so it names no path; the cause (logged) does.
    const msg = err instanceof Error ? err.message : String(err);
    if (storeOwner(dir) === 'owned' || /lock|already running|only one active data directory/i.test(msg)) {
      throw new AppError('store_unavailable', 'the embedded store is in use by another process (is the server running?)', {
        retryAfter: 5,
        cause: err,
      });
    }
    throw err;
  }
  // chdb's Connection type comes from its own copy of client-common; the shapes match at run time.
  const client = createClient({
    connection: connection as unknown as NonNullable<Parameters<typeof createClient>[0]>['connection'],
    clickhouse_settings: settings,
  });
  const ext = (connection as { chdb?: { rawInsert?: RawInsert } }).chdb;
  if (ext?.rawInsert) rawInserts.set(client, (params) => ext.rawInsert!(params));
  return client;
}

/** The session's raw insert on the embedded engine; undefined on a server (or a chdb without it). */
export function rawInsertOf(session: Session): RawInsert | undefined {
  return rawInserts.get(getClient(session));
}

export function getClient(session: Session = 'read'): ClickHouseClient {
  const holder = (g[KEY] ??= open());
  if (session === 'read') return holder.client;
  // Embedded: more sessions on the same data directory share the engine (and its data) in-process.
  if (session === 'maintenance') return (holder.maintenance ??= makeClient({ ...FORMAT_SETTINGS, ...WRITE_GUARDS }));
  holder.writer ??= makeClient({ ...FORMAT_SETTINGS, ...WRITE_GUARDS });
  return holder.writer;
}

/**
 * Opens the embedded store for the rest of the process's life (the server's startup). A process killed -9 a
 * moment ago may still hold the engine's lock while the kernel tears it down: wait for it, up to `waitMs`.
 */
export async function acquireStore(waitMs = STORE_LOCK_WAIT_MS): Promise<void> {
  if (storeMode() !== 'embedded') return;
  const deadline = Date.now() + waitMs;
  let said = false;
  for (let attempt = 0; ; attempt++) {
    try {
      getClient('read');
      getClient('write');
      return;
    } catch (err) {
      // The lock can be gone by the time the failure is classified: one more try before a failure is final.
      const busy = isAppError(err) && err.code === 'store_unavailable';
      if ((!busy && attempt > 0) || Date.now() >= deadline) throw err;
      if (busy && !said) console.log(`[tower] ${embeddedPath()} is held by another process; waiting up to ${Math.round(waitMs / 1000)} s for it to exit`);
      said ||= busy;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export function isStoreOpen(): boolean {
  return g[KEY] !== undefined;
}

/** Closes the engine so the process (or a test) can reopen it, possibly elsewhere. */
export async function closeStore(): Promise<void> {
  const holder = g[KEY];
  if (!holder) return;
  delete g[KEY];
  await holder.maintenance?.close();
  await holder.writer?.close();
  await holder.client.close();
}
