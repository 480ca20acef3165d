import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * 250k lines through `npm run ingest` in direct mode (no server): every line lands once, the bad
 * ones are reported with their line numbers, and peak memory stays bounded whatever the file size.
 */
const LINES = 250_000;
const BAD_EVERY = 50_000;

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // exited between polls
  }
}

describe('npm run ingest (direct mode)', () => {
  it('streams 250k lines with bounded memory and reports rejected lines', { timeout: 300_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-cli-'));
    const file = path.join(dir, 'big.ndjson');
    const out = fs.createWriteStream(file);
    let bad = 0;
    for (let i = 1; i <= LINES; i++) {
      if (i % BAD_EVERY === 0) {
        bad++;
        out.write('{"event_id": "broken"\n');
        continue;
      }
      const t = Date.UTC(2026, 9, 1) + i * 1000;
      const line = `{"event_id":"cli-${i}","type":"sync.message","occurred_at":"${new Date(t).toISOString()}","observed_at":"${new Date(t + 1500).toISOString()}","source_system":"WMS","target_system":"ERP","warehouse_id":"DC-${i % 8}","correlation_id":"C-${i % 50_000}","attributes":{"status":"delivered","interface":"pick_events"}}\n`;
      if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r) => out.end(r));
    const sizeMb = fs.statSync(file).size / 1e6;

    const child = spawn(process.execPath, ['--import', 'tsx', 'ingest/cli.ts', file], {
      env: { ...process.env, CT_DATA_DIR: path.join(dir, 'store'), CT_DEMO: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let peakKb = 0;
    const poll = setInterval(() => (peakKb = Math.max(peakKb, rssKb(child.pid!))), 100);
    const started = Date.now();
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    clearInterval(poll);
    const secs = (Date.now() - started) / 1000;
    console.log(`cli: ${LINES} lines (${sizeMb.toFixed(0)} MB) in ${secs.toFixed(1)} s = ${Math.round(LINES / secs)} lines/s, peak RSS ${(peakKb / 1024).toFixed(0)} MB`);

    expect(code, stderr.slice(-2000)).toBe(1); // some lines were rejected
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ accepted: LINES - bad, duplicates: 0, rejected: bad });
    for (let k = 1; k <= bad; k++) expect(stderr).toContain(`${file}:${k * BAD_EVERY}: `);
    // The file is ~70 MB; memory must not grow with it (engine + one 10k-line chunk in flight).
    expect(peakKb / 1024).toBeLessThan(900);

    // A second run of the same file: everything is a duplicate, nothing new is stored.
    const again = spawn(process.execPath, ['--import', 'tsx', 'ingest/cli.ts', file], {
      env: { ...process.env, CT_DATA_DIR: path.join(dir, 'store'), CT_DEMO: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out2 = '';
    again.stdout.on('data', (d: Buffer) => (out2 += d.toString()));
    await new Promise((r) => again.on('exit', r));
    expect(JSON.parse(out2.trim().split('\n').pop()!)).toEqual({ accepted: 0, duplicates: LINES - bad, rejected: bad });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses control-tower events: the tower\'s own voice is not a feed\'s, reported with line and field', { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-cli-'));
    const file = path.join(dir, 'forged.ndjson');
    const ev = (id: string, type: string, source: string, attrs: Record<string, string>) =>
      JSON.stringify({ event_id: id, type, occurred_at: '2026-10-14T12:00:00Z', source_system: source, warehouse_id: 'DC-ATL', correlation_id: 'SO-1', attributes: { exception_id: 'EXC-1', ...attrs } });
    fs.writeFileSync(file, [
      ev('o-1', 'exception.opened', 'MIDDLEWARE', { category: 'sync_failure', severity: 'low' }),
      ev('r-1', 'exception.resolved', 'control-tower', { actor: 'admin@bars.test' }),
    ].join('\n') + '\n');
    const child = spawn(process.execPath, ['--import', 'tsx', 'ingest/cli.ts', file], {
      env: { ...process.env, CT_DATA_DIR: path.join(dir, 'store'), CT_DEMO: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code, stderr.slice(-2000)).toBe(1);
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ accepted: 1, duplicates: 0, rejected: 1 });
    expect(stderr).toContain(`${file}:2: source_system: "control-tower" is reserved for the tower's own triage events`);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
