import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET } from '@/app/api/v1/rejected/route';
import { acquireStore, closeStore, query, sql } from '@/lib/store';
import { storeOwner } from '@/lib/store/owner.mjs';
import { z } from 'zod';
import { API, ctx, get } from '../helpers/http';
import { holdStore as holdOpen } from '../helpers/hold-store';

/**
 * Who owns an embedded store is the engine's own lock, held for the owner's life: a second process sees it,
 * a process killed -9 gives it up without anyone cleaning up, and a PID on file plays no part.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
let dir = '';
let holder: ChildProcess | undefined;
const holdStore = () => holdOpen(dir);

function kill9(child: ChildProcess): void {
  try {
    child.kill('SIGKILL');
  } catch {
    // already gone
  }
}

beforeAll(async () => {
  await closeStore();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-owner-'));
  process.env.CT_DATA_DIR = dir;
});
afterEach(async () => {
  if (holder) kill9(holder);
  holder = undefined;
  await closeStore();
  vi.restoreAllMocks();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('embedded store ownership', () => {
  it('is the engine lock: owned while the holder lives, free right after kill -9', async () => {
    expect(storeOwner(path.join(dir, 'chdb'))).toBe('free');
    holder = await holdStore();
    expect(storeOwner(path.join(dir, 'chdb'))).toBe('owned');
    kill9(holder);
    const killed = Date.now();
    while (storeOwner(path.join(dir, 'chdb')) === 'owned' && Date.now() - killed < 30_000) await new Promise((r) => setTimeout(r, 50));
    expect(storeOwner(path.join(dir, 'chdb'))).toBe('free');
  });

  it('a store owned by another process answers 503 with a plain message: the path goes to the log only', async () => {
    holder = await holdStore();
    const logged: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
    const res = await GET(get('/api/v1/rejected', API), ctx());
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(JSON.parse(text)).toEqual({ error: { code: 'store_unavailable', message: expect.any(String) } });
    expect(text).not.toContain(dir);
    expect(text).not.toContain(os.tmpdir());
    expect(logged.join('\n')).toContain(dir);
  });

  it('a start waits for a previous owner that dies meanwhile, then owns the store', async () => {
    holder = await holdStore();
    const h = holder;
    setTimeout(() => kill9(h), 1500);
    const started = Date.now();
    await acquireStore(30_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const [row] = await query(sql`SELECT 1 AS one`, z.object({ one: z.number() }), { name: 'test.one' });
    expect(row).toEqual({ one: 1 });
    expect(storeOwner(path.join(dir, 'chdb'))).toBe('owned');
  });

  it('a start gives up after its wait while a live owner keeps the store, naming no path', async () => {
    holder = await holdStore();
    const err = await acquireStore(1000).then(() => null, (e: unknown) => e as Error & { code?: string });
    expect(err?.code).toBe('store_unavailable');
    expect(err?.message).not.toContain(dir);
  });
});

describe('npm run ingest decides by the lock, not by a PID', () => {
  const file = () => path.join(dir, 'one.ndjson');
  const line = JSON.stringify({
    event_id: 'owner-1',
    type: 'sync.message',
    occurred_at: '2026-10-01T00:00:00.000Z',
    observed_at: '2026-10-01T00:00:01.000Z',
    source_system: 'WMS',
    target_system: 'ERP',
    warehouse_id: 'DC-1',
    correlation_id: 'C-1',
    attributes: { status: 'delivered', interface: 'pick_events' },
  });

  function runCli(): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'ingest/cli.ts', file()], {
      cwd: ROOT,
      env: { ...process.env, CT_DATA_DIR: dir, CT_DEMO: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((r) => child.on('exit', (code) => r({ code, stdout, stderr })));
  }

  it('a server.json whose PID is alive but owns nothing: ingest opens the store itself', async () => {
    fs.writeFileSync(file(), line + '\n');
    // This test process is alive; a reused PID looks just like this. Port 9 (discard) serves nothing.
    fs.writeFileSync(path.join(dir, 'server.json'), JSON.stringify({ pid: process.pid, url: 'http://127.0.0.1:9' }) + '\n');
    const r = await runCli();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("server's API");
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({ accepted: 1, duplicates: 0, rejected: 0 });
  });

  it('a store owned by a live process: ingest goes through the API that server.json names', async () => {
    fs.writeFileSync(file(), line + '\n');
    const api = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: 1, duplicates: 0, rejected: 0, errors: [] })));
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    fs.writeFileSync(path.join(dir, 'server.json'), JSON.stringify({ pid: 1, url }) + '\n');
    holder = await holdStore();
    const r = await runCli().finally(() => api.close());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`sending through the server's API at ${url}`);
  });
});
