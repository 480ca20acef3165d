import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../helpers/free-port';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    dataDir: string;
    demoPassword: string;
    apiToken: string;
    ingestToken: string;
    slo: typeof SLO;
  }
}

/** Non-default SLOs (metrics.md: 300 s and 48 h), so the browser test can tell the page follows CT_CONFIG_FILE. */
const SLO = { sync_lag_seconds: 240, posting_seconds: 36 * 3600 };

let server: ChildProcess | undefined;
let dataDir = '';

export async function setup(project: TestProject): Promise<void> {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-e2e-'));
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const configFile = path.join(dataDir, 'slo.json');
  fs.writeFileSync(configFile, JSON.stringify({ slo: SLO }));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    CT_DATA_DIR: dataDir,
    CT_DEMO: '1',
    CT_API_TOKEN: 'e2e-api-token',
    CT_INGEST_TOKEN: 'e2e-ingest-token',
    CT_ALERT_INTERVAL_S: '5',
    CT_CONFIG_FILE: configFile,
  };
  for (const k of ['CT_USERS_FILE', 'CLICKHOUSE_URL', 'NEXTAUTH_SECRET', 'NEXTAUTH_URL'] as const) delete env[k];
  const log = fs.createWriteStream(path.join(dataDir, 'server.log'));
  server = spawn(process.execPath, ['scripts/start.mjs'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  server.stdout?.pipe(log);
  server.stderr?.pipe(log);
  const deadline = Date.now() + 14 * 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`server exited early; see ${path.join(dataDir, 'server.log')}\n${fs.readFileSync(path.join(dataDir, 'server.log'), 'utf8').slice(-3000)}`);
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not become ready');
    await new Promise((r) => setTimeout(r, 1000));
  }
  project.provide('baseUrl', baseUrl);
  project.provide('dataDir', dataDir);
  project.provide('demoPassword', fs.readFileSync(path.join(dataDir, 'demo-password'), 'utf8').trim());
  project.provide('apiToken', 'e2e-api-token');
  project.provide('ingestToken', 'e2e-ingest-token');
  project.provide('slo', SLO);
}

export async function teardown(): Promise<void> {
  if (server?.pid) {
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 1500));
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // exited on SIGTERM
    }
  }
  if (process.env.CT_E2E_KEEP !== '1') fs.rmSync(dataDir, { recursive: true, force: true });
}
