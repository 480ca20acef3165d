import fs from 'node:fs';
import path from 'node:path';
import { migrate } from '@/clickhouse/migrate';
import { repairLookups } from '@/ingest/recovery';
import { startRollupRefresher } from '@/ingest/rollups';
import { seedDemo, storeIsEmpty } from '@/ingest/demo/seed';
import { loadAlertRules, startAlertScheduler } from '@/lib/alerts';
import { oidcConfig } from '@/lib/auth/oidc';
import { dataDir, env } from '@/lib/config/env';
import { loadConfig } from '@/lib/config/slo';
import { isAppError } from '@/lib/errors';
import { acquireStore, embeddedPath, storeMode } from '@/lib/store';
import { storeOwner } from '@/lib/store/owner.mjs';
import { serverState } from './state';

export const SERVER_FILE = 'server.json';

/** The URL of a running server that owns the embedded store, if any: then other processes must go through its API. */
export function runningServer(): string | undefined {
  if (storeMode() !== 'embedded' || storeOwner(embeddedPath()) !== 'owned') return undefined;
  try {
    return (JSON.parse(fs.readFileSync(path.join(dataDir(), SERVER_FILE), 'utf8')) as { url: string }).url;
  } catch {
    throw new Error(`another process (not a server: no ${SERVER_FILE}) is using ${dataDir()}; wait for it, or pass --url`);
  }
}

/**
 * Runs once per server process, before it reports ready: validate the alert rules, open the embedded store
 * for the process's life (its lock is what tells `npm start` and `npm run ingest` that a server owns it),
 * migrate, seed an empty demo store, publish where this server listens (server.json: information for
 * `npm run ingest`, never proof of ownership), then start evaluating alerts.
 */
export function startup(): Promise<void> {
  const state = serverState();
  state.startup ??= (async () => {
    const e = env();
    // A half-configured single sign-on (issuer without client, …) stops the start too.
    oidcConfig();
    // First, before the store is touched: a bad CT_ALERTS_FILE stops the start naming rule and field.
    const alerts = loadAlertRules();
    // Likewise a bad CT_CONFIG_FILE (an SLO, a threshold, a flow_slo_seconds stage SLA) names its field.
    loadConfig();
    await acquireStore();
    const applied = await migrate();
    if (applied > 0) console.log(`[tower] applied ${applied} migration(s)`);
    await repairLookups();
    if (storeMode() === 'embedded') {
      fs.mkdirSync(dataDir(), { recursive: true });
      fs.writeFileSync(
        path.join(dataDir(), SERVER_FILE),
        JSON.stringify({ pid: process.pid, url: `http://127.0.0.1:${e.PORT}` }) + '\n',
      );
    }
    if (e.CT_DEMO && (await storeIsEmpty())) {
      const started = Date.now();
      console.log('[tower] seeding demo data (a month for 8 warehouses)…');
      const r = await seedDemo();
      console.log(`[tower] demo data: ${r.accepted} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    // After the seed, so the first evaluation sees the demo month rather than an empty store.
    startAlertScheduler();
    // Builds the sync-lag rollup behind the reads; until an hour is built, reads answer it from raw events.
    if (e.CT_ROLLUP_REFRESH_S > 0) startRollupRefresher(() => loadConfig().slo.sync_lag_seconds * 1000, e.CT_ROLLUP_REFRESH_S * 1000);
    console.log(`[tower] alerts: ${alerts.rules.length} rule(s) every ${e.CT_ALERT_INTERVAL_S} s, ${Object.keys(alerts.webhooks).length} webhook(s)`);
    state.ready = true;
  })();
  return state.startup;
}

/**
 * A ClickHouse server that is down when the tower starts is an outage to ride out, not a
 * configuration error: the process keeps serving (503 with Retry-After, see route()) and retries the
 * startup until the store answers. The embedded store never waits: its failures are local and final.
 */
export function waitsForStore(err: unknown): boolean {
  return isAppError(err) && err.code === 'store_unavailable' && storeMode() === 'server';
}

export function retryStartupUntilReady(delayMs = 5000): void {
  const state = serverState();
  const attempt = () => {
    state.startup = undefined;
    startup().then(
      () => console.log('[tower] the store answers again; startup complete'),
      (err: unknown) => {
        if (!waitsForStore(err)) {
          console.error(`[tower] startup failed: ${err instanceof Error ? err.message : String(err)}`);
          process.exit(1);
        }
        setTimeout(attempt, delayMs).unref();
      },
    );
  };
  setTimeout(attempt, delayMs).unref();
}
