import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVER_FILE } from '@/lib/server/startup';
import { closeStore, query, sql } from '@/lib/store';

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
    // This test process stands in for the running server: its pid is alive.
    fs.writeFileSync(path.join(store, SERVER_FILE), JSON.stringify({ pid: process.pid, url: 'http://127.0.0.1:3999' }));
    const r = await seed(store);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`seed: a server at http://127.0.0.1:3999 owns the store in ${store}; stop it first`);
    expect(fs.existsSync(path.join(store, 'chdb'))).toBe(false);
  });
});
