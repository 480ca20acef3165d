import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { idleSeconds } from '@/lib/auth/session';
import { env } from '@/lib/config/env';
import { fromRollup } from '@/lib/kpi/tables';
import { readGuards } from '@/lib/store/guards';

/** Every setting goes through lib/config/env.ts: defaults there, and a bad value names its variable. */
const KEYS = [
  'CT_MAX_QUEUED_ROWS',
  'CT_MAX_INFLIGHT_BYTES',
  'CT_QUERY_MAX_SECONDS',
  'CT_QUERY_MAX_MEMORY_BYTES',
  'CT_FORCE_RAW',
  'CT_SESSION_IDLE_S',
  'CT_OIDC_ISSUER',
  'CT_OIDC_CLIENT_ID',
  'CT_OIDC_CLIENT_SECRET',
];
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('settings through env()', () => {
  it('defaults when unset (or empty)', () => {
    for (const k of KEYS) delete process.env[k];
    process.env.CT_FORCE_RAW = '';
    const e = env();
    expect(e.CT_MAX_QUEUED_ROWS).toBe(400_000);
    expect(e.CT_MAX_INFLIGHT_BYTES).toBe(64 * 1024 * 1024);
    expect(e.CT_SESSION_IDLE_S).toBe(8 * 3600);
    expect(e.CT_FORCE_RAW).toBe(false);
    expect(e.CT_OIDC_ROLE_CLAIM).toBe('role');
    expect(idleSeconds()).toBe(8 * 3600);
    expect(fromRollup('first_postings')).toBe(true);
    expect(readGuards()).toMatchObject({ max_execution_time: 20, max_memory_usage: '2000000000' });
  });

  it('reads set values where they are used', () => {
    Object.assign(process.env, { CT_QUERY_MAX_SECONDS: '0.5', CT_QUERY_MAX_MEMORY_BYTES: '8000000', CT_FORCE_RAW: '1', CT_SESSION_IDLE_S: '600' });
    expect(readGuards()).toMatchObject({ max_execution_time: 0.5, max_memory_usage: '8000000' });
    expect(fromRollup('first_postings')).toBe(false);
    expect(idleSeconds()).toBe(600);
    process.env.CT_SESSION_IDLE_S = String(48 * 3600);
    expect(idleSeconds()).toBe(12 * 3600); // never past the absolute lifetime
  });

  it.each([
    ['CT_MAX_QUEUED_ROWS', 'lots'],
    ['CT_MAX_INFLIGHT_BYTES', '-1'],
    ['CT_QUERY_MAX_SECONDS', '0'],
    ['CT_QUERY_MAX_MEMORY_BYTES', '1.5'],
    ['CT_FORCE_RAW', 'yes'],
    ['CT_SESSION_IDLE_S', '8h'],
    ['CT_OIDC_ISSUER', 'idp.example.com'],
  ])('%s=%s is refused naming the variable', (key, value) => {
    process.env[key] = value;
    expect(() => env()).toThrow(new RegExp(`^configuration: ${key}: `));
  });
});

describe('server start', () => {
  const run = promisify(execFile);
  const start = (extra: Record<string, string>, dataDir: string) =>
    run(process.execPath, ['node_modules/.bin/tsx', '-e', "import('./lib/server/register-node.ts').then((m) => m.registerNode())"], {
      env: { ...process.env, CT_DATA_DIR: dataDir, CT_DEMO: '0', ...extra },
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );

  it('a bad setting or half a single sign-on stops it (exit 1) naming the variable, before the store is touched', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-env-start-'));
    try {
      const [bad, sso] = await Promise.all([
        start({ CT_MAX_QUEUED_ROWS: 'lots' }, path.join(dir, 'a')),
        start({ CT_OIDC_ISSUER: 'https://idp.example.com', CT_OIDC_CLIENT_ID: 'id' }, path.join(dir, 'b')),
      ]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('[tower] startup failed: configuration: CT_MAX_QUEUED_ROWS: ');
      expect(sso.code).toBe(1);
      expect(sso.stderr).toContain('[tower] startup failed: configuration: CT_OIDC_CLIENT_SECRET required for single sign-on');
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
