import fs from 'node:fs';
import path from 'node:path';
import { migrate } from '@/clickhouse/migrate';
import { repairLookups } from '@/ingest/recovery';
import { seedDemo, storeIsEmpty } from '@/ingest/seed';
import { dataDir, env } from '@/lib/config/env';
import { storeMode } from '@/lib/store';
import { serverState } from './state';

export const SERVER_FILE = 'server.json';

/**
 * Runs once per server process, before it reports ready: migrate, seed an empty demo store, and
 * record that this process owns the embedded store so `npm run ingest` goes through the API.
 */
export function startup(): Promise<void> {
  const state = serverState();
  state.startup ??= (async () => {
    const e = env();
    const applied = await migrate();
    if (applied > 0) console.log(`[tower] applied ${applied} migration(s)`);
    await repairLookups();
    if (storeMode() === 'embedded') {
      fs.mkdirSync(dataDir(), { recursive: true });
      fs.writeFileSync(
        path.join(dataDir(), SERVER_FILE),
        JSON.stringify({ pid: process.pid, url: `http://127.0.0.1:${e.PORT}` }) + '\n',
      );
    }
    if (e.CT_DEMO && (await storeIsEmpty())) {
      const started = Date.now();
      console.log('[tower] seeding demo data (a month for 8 warehouses)…');
      const r = await seedDemo();
      console.log(`[tower] demo data: ${r.accepted} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    state.ready = true;
  })();
  return state.startup;
}
