import { migrate } from '@/clickhouse/migrate';
import { seedDemo, storedDemoEvents } from '@/ingest/demo/seed';
import { dataDir } from '@/lib/config/env';
import { runningServer } from '@/lib/server/startup';
import { closeStore, embeddedPath, storeMode } from '@/lib/store';

/**
 * `npm run seed`: the demo month into the store, once. A month is generated relative to now, so a
 * second month on top of the first would not line up with it: a store that holds demo events is
 * left as it is.
 */
async function main(): Promise<number> {
  const server = runningServer();
  if (server) {
    console.error(`seed: a server at ${server} owns the store in ${dataDir()}; stop it first (npm start seeds an empty store itself), or point CT_DATA_DIR elsewhere`);
    return 1;
  }
  const applied = await migrate();
  const where = storeMode() === 'embedded' ? embeddedPath() : 'ClickHouse server';
  if (applied > 0) console.log(`migrations: ${applied} applied (${where})`);
  const stored = await storedDemoEvents();
  if (stored > 0) {
    console.log(`seed: the demo month is already loaded (${stored} demo events in ${where}); nothing to do`);
    return 0;
  }
  const started = Date.now();
  console.log(`seed: loading the demo month into ${where}…`);
  const r = await seedDemo();
  console.log(`seed: ${r.accepted} events stored, ${r.duplicates} duplicates, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`seed failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
} finally {
  await closeStore();
}
