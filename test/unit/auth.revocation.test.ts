import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRevoked, REVOKED_FILE, revokeSession } from '@/lib/auth/revocation';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-revoked-'));
const file = path.join(dir, REVOKED_FILE);
const forgetMemory = () => delete (globalThis as Record<symbol, unknown>)[Symbol.for('control-tower.auth.revoked-sessions')];
process.env.CT_DATA_DIR = dir;
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('signed-out sessions', () => {
  it('are kept in the data directory (owner-only), survive a restart, and are forgotten once past their end', () => {
    expect(isRevoked('sid-a-0123456789')).toBe(false);
    revokeSession('sid-a-0123456789', 2_000, 1_000);
    revokeSession('sid-b-0123456789', 5_000, 1_000);
    expect(isRevoked('sid-a-0123456789')).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    forgetMemory();
    expect(isRevoked('sid-a-0123456789')).toBe(true);
    expect(isRevoked('sid-b-0123456789')).toBe(true);
    revokeSession('sid-c-0123456789', 9_000, 3_000); // sid-a ended at 2000
    expect(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')) as object).sort()).toEqual(['sid-b-0123456789', 'sid-c-0123456789']);
  });

  it('an unreadable record throws (every session is then refused) instead of reviving signed-out ones', () => {
    fs.writeFileSync(file, '{"sid": "not a number"');
    forgetMemory();
    expect(() => isRevoked('sid-b-0123456789')).toThrow(/fix or remove it/);
  });
});
