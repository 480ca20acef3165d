import fs from 'node:fs';
import path from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
// Importing only loads the addon; the engine opens on the first createChdbConnection call.
import { createChdbConnection } from 'chdb/connection';
import { dataDir, env } from '@/lib/config/env';
import { AppError } from '@/lib/errors';
import { QUERY_GUARDS } from './guards';

/** Settings every session gets: the embedded engine does not quote 64-bit ints, a server does. */
const BASE_SETTINGS = {
  output_format_json_quote_64bit_integers: 0,
  date_time_output_format: 'simple',
  ...QUERY_GUARDS,
} as const;

interface Holder {
  client: ClickHouseClient;
  mode: 'embedded' | 'server';
}

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

function open(): Holder {
  const url = env().CLICKHOUSE_URL;
  if (url) {
    return {
      mode: 'server',
      client: createClient({
        url,
        clickhouse_settings: BASE_SETTINGS,
        request_timeout: 30_000,
        compression: { request: false, response: true },
      }),
    };
  }
  const dir = embeddedPath();
  fs.mkdirSync(dir, { recursive: true });
  let connection: unknown;
  try {
    connection = createChdbConnection({ path: dir });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/lock|already running|only one active data directory/i.test(msg)) {
      throw new AppError(
        'store_unavailable',
        `the embedded store at ${dir} is owned by another process (is the server running?)`,
        { retryAfter: 5, cause: err },
      );
    }
    throw err;
  }
  // chdb's Connection type comes from its own copy of client-common; the shapes match at run time.
  const client = createClient({
    connection: connection as unknown as NonNullable<Parameters<typeof createClient>[0]>['connection'],
    clickhouse_settings: BASE_SETTINGS,
  });
  return { mode: 'embedded', client };
}

export function getClient(): ClickHouseClient {
  if (!g[KEY]) g[KEY] = open();
  return g[KEY].client;
}

export function isStoreOpen(): boolean {
  return g[KEY] !== undefined;
}

/** Closes the engine so the process (or a test) can reopen it, possibly elsewhere. */
export async function closeStore(): Promise<void> {
  const holder = g[KEY];
  if (!holder) return;
  delete g[KEY];
  await holder.client.close();
}
