import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { migrate } from '@/clickhouse/migrate';
import { closeStore, command, unsafeRaw } from '@/lib/store';

/** A fresh embedded store (real chDB) for one test file, migrated by the real runner. */
export function useTestStore(): { dir: () => string } {
  let dir = '';
  beforeAll(async () => {
    await closeStore();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-test-'));
    process.env.CT_DATA_DIR = dir;
    await migrate();
  });
  afterAll(async () => {
    await closeStore();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir: () => dir };
}

const TABLES = ['events', 'event_ids', 'correlation_index', 'warehouse_activity', 'rejected_events', 'ingest_stats', 'pipeline_hourly', 'pipeline_hour_activity', 'pipeline_hour_state', 'exception_state', 'flow_transactions', 'stock_movements', 'sync_latest', 'sync_messages', 'flow_touches', 'flow_state', 'flow_snapshots', 'flow_counts'] as const;

/** Empties the data tables between tests that need a clean slate. */
export async function resetStore(): Promise<void> {
  for (const t of TABLES) await command(unsafeRaw(`TRUNCATE TABLE IF EXISTS ${t}`));
}
