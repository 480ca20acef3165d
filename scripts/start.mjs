#!/usr/bin/env node
// npm start: check configuration, build when sources changed, then serve. Migrations and demo
// seeding run inside the server process (instrumentation.ts), because it alone owns the embedded store.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { STORE_LOCK_WAIT_MS, storeOwner, waitForStore } from '../lib/store/owner.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
// This launcher peeks at a few settings before Next starts; the server validates all of them (lib/config/env.ts).
const env = { ...process.env };
const demo = !['0', 'false', 'off'].includes((env.CT_DEMO ?? '1').toLowerCase());
const port = Number(env.PORT || 3000);
const dataDir = path.resolve(root, env.CT_DATA_DIR || './data');
const notes = [];

function fail(msg) {
  console.error(`\n  ✖ ${msg}\n`);
  process.exit(1);
}

if (!demo && !env.NEXTAUTH_SECRET) {
  fail('NEXTAUTH_SECRET is required when CT_DEMO=0 (generate one with: openssl rand -base64 32).');
}

fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });

/** A secret kept in the data directory, created on first start, readable by the owner only. */
function keep(file, make) {
  const p = path.join(dataDir, file);
  if (fs.existsSync(p)) return fs.readFileSync(p, 'utf8').trim();
  const v = make();
  fs.writeFileSync(p, v + '\n', { mode: 0o600 });
  return v;
}
const random = (n) => crypto.randomBytes(n).toString('base64url');

if (demo) {
  if (!env.NEXTAUTH_SECRET) {
    env.NEXTAUTH_SECRET = keep('nextauth-secret', () => random(32));
    notes.push('NEXTAUTH_SECRET: generated for this demo and kept in the data directory');
  }
  if (!env.CT_USERS_FILE) keep('demo-password', () => random(12));
  if (!env.CT_INGEST_TOKEN) {
    keep('ingest-token', () => `ing_${random(24)}`);
    notes.push(`ingest token: ${path.join(dataDir, 'ingest-token')} (npm run ingest reads it from there)`);
  }
}
env.NEXTAUTH_URL ||= `http://localhost:${port}`;
env.CT_DATA_DIR = dataDir;
env.PORT = String(port);

// One server per data directory, decided by the engine's lock on it (lib/store/owner.mjs), never by a PID:
// a start right after kill -9 waits for the dying process to let go instead of failing.
if (!env.CLICKHOUSE_URL) {
  const store = path.join(dataDir, 'chdb');
  const waitS = STORE_LOCK_WAIT_MS / 1000;
  let url = '';
  try {
    url = JSON.parse(fs.readFileSync(path.join(dataDir, 'server.json'), 'utf8')).url;
  } catch {
    // no server.json: the owner, if any, may be `npm run ingest` or `npm run migrate`
  }
  const owned = `another process owns ${dataDir}${url ? ` (the server at ${url}?)` : ''}; stop it first or set CT_DATA_DIR.`;
  // A live server answers; one killed a moment ago cannot, and is waited for.
  const answers = async () => !!url && (await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false));
  if (storeOwner(store) === 'owned' && (await answers())) fail(owned);
  const owner = await waitForStore(store, STORE_LOCK_WAIT_MS, () => console.log(`another process holds ${store}; waiting up to ${waitS} s for it to exit…`));
  if (owner === 'owned') fail(`still after ${waitS} s: ${owned}`);
}

const SOURCES = ['app', 'lib', 'ingest', 'clickhouse', 'components', 'instrumentation.ts', 'proxy.ts', 'next.config.js', 'package.json', 'postcss.config.mjs'];
function newest(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((f) => newest(path.join(p, f))));
}
const buildId = path.join(root, '.next', 'BUILD_ID');
const builtAt = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
const sourcesAt = Math.max(...SOURCES.map((s) => newest(path.join(root, s))));
const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
if (builtAt === 0 || sourcesAt > builtAt) {
  console.log('building the dashboard (first start or sources changed)…');
  const r = spawnSync(process.execPath, [nextBin, 'build'], { cwd: root, env: { ...env, NEXT_TELEMETRY_DISABLED: '1' }, stdio: 'inherit' });
  if (r.status !== 0) fail('next build failed');
}

// scripts/serve.mjs rather than `next start`: it sets the HTTP timeouts `next start` cannot.
const server = spawn(process.execPath, [path.join(root, 'scripts', 'serve.mjs')], {
  cwd: root,
  env: { ...env, NEXT_TELEMETRY_DISABLED: '1' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.kill(sig));
let ready = false;
server.on('exit', (code, signal) => {
  // A refused start (bad CT_ALERTS_FILE, unusable store, …) prints its reason above; say it stopped.
  if (!ready && code !== 0 && !signal) console.error(`\n  ✖ the server stopped during startup (exit code ${code}); the reason is printed above.\n`);
  process.exit(code ?? (signal ? 1 : 0));
});

const url = `http://localhost:${port}`;
const deadline = Date.now() + 10 * 60_000;
async function waitReady() {
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}
waitReady().then((ok) => {
  if (!ok) return console.error('server did not become ready in time');
  ready = true;
  const lines = [``, `  Sync Control Tower is ready: ${url}`];
  if (demo && !env.CT_USERS_FILE) {
    const pw = fs.readFileSync(path.join(dataDir, 'demo-password'), 'utf8').trim();
    lines.push(`  Sign in at ${url}/login with password ${pw} as:`);
    for (const [email, role] of [['exec@tower.local', 'executive'], ['support@tower.local', 'support'], ['finance@tower.local', 'finance'], ['admin@tower.local', 'admin']]) {
      lines.push(`    ${email.padEnd(22)} (${role})`);
    }
  } else lines.push(`  Sign in at ${url}/login with a user from CT_USERS_FILE.`);
  for (const n of notes) lines.push(`  ${n}`);
  console.log(lines.join('\n') + '\n');
});
