import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('npm start', () => {
  it('refuses CT_DEMO=0 without NEXTAUTH_SECRET, before creating the data directory or building', () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-start-'));
    const dataDir = path.join(parent, 'data');
    const env: NodeJS.ProcessEnv = { ...process.env, CT_DEMO: '0', CT_DATA_DIR: dataDir, PORT: '1' };
    delete env.NEXTAUTH_SECRET;
    const started = Date.now();
    const r = spawnSync(process.execPath, ['scripts/start.mjs'], { cwd: path.resolve(__dirname, '../..'), env, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).not.toBe(0);
    expect(r.status).not.toBeNull();
    expect(r.stderr).toContain('NEXTAUTH_SECRET is required when CT_DEMO=0');
    expect(r.stdout).not.toContain('building');
    expect(fs.existsSync(dataDir)).toBe(false);
    expect(Date.now() - started).toBeLessThan(15_000);
    fs.rmSync(parent, { recursive: true, force: true });
  });
});
