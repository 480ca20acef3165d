import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVER_FILE } from '@/lib/server/startup';
import { closeStore, query, sql } from '@/lib/store';
import { holdStore } from '../helpers/hold-store';

/** `npm run seed` loads the demo month once, and leaves a store a running server owns alone. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-seed-'));
afterAll(async () => {
  await closeStore();
  fs.rmSync(dir, { recursive: true, force: true });
});

function seed(dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], {
    env: { ...process.env, CT_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

async function storedEvents(dataDir: string): Promise<{ rows: number; distinct: number }> {
  process.env.CT_DATA_DIR = dataDir;
  const rows = await query(sql`SELECT count() AS rows, uniqExact(event_id) AS distinct FROM events`, z.object({ rows: z.coerce.number(), distinct: z.coerce.number() }), { name: 'test.seed' });
  await closeStore();
  return rows[0]!;
}

describe('npm run seed', () => {
  it('loads the demo month into an empty store, and a second run stores nothing more', { timeout: 240_000 }, async () => {
    const store = path.join(dir, 'twice');
    const first = await seed(store);
    expect(first.code, first.stderr).toBe(0);
    const m = /seed: (\d+) events stored, 0 duplicates/.exec(first.stdout);
    expect(m, first.stdout).not.toBeNull();
    const loaded = await storedEvents(store);
    expect(loaded.rows).toBeGreaterThan(60_000);
    expect(loaded).toEqual({ rows: Number(m![1]), distinct: Number(m![1]) });

    const second = await seed(store);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`the demo month is already loaded (${loaded.rows} demo events`);
    expect(await storedEvents(store)).toEqual(loaded);
  });

  it('refuses, non-zero, while a server owns the store', { timeout: 60_000 }, async () => {
    const store = path.join(dir, 'owned');
    fs.mkdirSync(store, { recursive: true });
    // Another process holds the engine's lock (what ownership is) and says where it serves.
    const holder = await holdStore(store);
    fs.writeFileSync(path.join(store, SERVER_FILE), JSON.stringify({ url: 'http://127.0.0.1:3999' }));
    let r: Awaited<ReturnType<typeof seed>>;
    try {
      r = await seed(store);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`seed: a server at http://127.0.0.1:3999 owns the store in ${store}; stop it first`);
    // Nothing was written: the store was never migrated.
    process.env.CT_DATA_DIR = store;
    const tables = await query(sql`SELECT name FROM system.tables WHERE database = currentDatabase()`, z.object({ name: z.string() }), { name: 'test.seed' });
    await closeStore();
    expect(tables.map((t) => t.name)).not.toContain('events');
  });
});
