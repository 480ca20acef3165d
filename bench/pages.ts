import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import type { Page } from 'playwright-core';
import { launch, signIn } from '../test/e2e/browser';
import { percentile } from './stats';

/**
 * Issue 15: every dashboard page shows its data within 1 s of navigation. Debian's Chromium (never a
 * downloaded browser) signs in with a password user the bench created (users file in the scratch
 * directory), then loads each page of app/(dashboard) once cold (first visit of the page in this
 * browser) and 3 times warm. Time = from navigation start (the new document's time origin) until the
 * page's data signal is visible and no loading skeleton is left in <main>; the signal alone is reported too.
 */

export const PAGE_TARGET_MS = 1000;
const WARM = 3;
const EMAIL = 'bench-admin@tower.local';

export interface PageLoad {
  page: string;
  path: string;
  signal: string;
  cold_ms: number | null;
  warm_ms: number[];
  /** Median over the loads of the time until the data signal alone was visible (some panels may still load). */
  signal_median_ms: number | null;
  median_ms: number | null;
  max_ms: number | null;
  error: string | null;
}

/** A bench-local admin, written to the scratch directory; returns the env the server needs. */
export function benchUsers(dir: string): { env: Record<string, string>; email: string; password: string } {
  const password = crypto.randomBytes(12).toString('base64url');
  const file = path.join(dir, 'users.json');
  const entry = { email: EMAIL, name: 'Bench Admin', role: 'admin', warehouses: ['*'], password_hash: bcrypt.hashSync(password, 10) };
  fs.writeFileSync(file, JSON.stringify([entry]), { mode: 0o600 });
  return { env: { CT_USERS_FILE: file }, email: EMAIL, password };
}

/** The pages of app/(dashboard) and the element that shows each one's data (not just the shell). */
export function dashboardPages(warehouse: string, correlationId: string): { page: string; path: string; signal: string }[] {
  return [
    { page: 'overview (summary)', path: '/', signal: '[data-testid="kpi-value"]' },
    { page: 'sync', path: '/sync', signal: '#lag-chart .recharts-surface' },
    { page: 'exceptions', path: '/exceptions', signal: '[data-exception-id]' },
    { page: 'invoices', path: '/invoices', signal: 'main table tbody tr' },
    { page: 'drift', path: '/drift', signal: 'main table tbody tr' },
    { page: 'close', path: '/close', signal: 'main table tbody tr' },
    { page: 'flow', path: '/flow', signal: '[data-testid="flow-heat"] button' },
    { page: 'alerts', path: '/alerts', signal: '#alerts-rules li' },
    { page: `warehouse (${warehouse})`, path: `/w/${encodeURIComponent(warehouse)}`, signal: '[data-testid="kpi-value"]' },
    { page: 'correlation drill-down', path: `/c/${encodeURIComponent(correlationId)}`, signal: '#stages li' },
  ];
}

/**
 * ms from navigation start until `signal` is visible (`signal`) and until, besides, no skeleton is busy in
 * <main> (`complete`: every panel shows its data; the target is judged on this one).
 */
async function loadOnce(page: Page, url: string, signal: string): Promise<{ signal: number; complete: number }> {
  await page.goto(url, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(
    (sel) => {
      const w = window as unknown as { __benchSignal?: number };
      const el = document.querySelector(sel) as HTMLElement | null;
      if (el && el.getClientRects().length > 0) w.__benchSignal ??= performance.now();
      const busy = document.querySelector('main [aria-busy="true"]');
      return w.__benchSignal !== undefined && !busy ? { signal: w.__benchSignal, complete: performance.now() } : null;
    },
    signal,
    { polling: 'raf', timeout: 60_000 },
  );
  return (await handle.jsonValue()) as { signal: number; complete: number };
}

export async function pageLoads(base: string, user: { email: string; password: string }, pages: ReturnType<typeof dashboardPages>, log: (s: string) => void): Promise<PageLoad[]> {
  const browser = await launch();
  const out: PageLoad[] = [];
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await signIn(page, base, user.email, user.password);
    for (const p of pages) {
      const row: PageLoad = { ...p, cold_ms: null, warm_ms: [], signal_median_ms: null, median_ms: null, max_ms: null, error: null };
      const signals: number[] = [];
      try {
        const cold = await loadOnce(page, base + p.path, p.signal);
        row.cold_ms = cold.complete;
        signals.push(cold.signal);
        for (let i = 0; i < WARM; i++) {
          const warm = await loadOnce(page, base + p.path, p.signal);
          row.warm_ms.push(warm.complete);
          signals.push(warm.signal);
        }
      } catch (err) {
        row.error = err instanceof Error ? err.message.split('\n')[0]!.slice(0, 200) : String(err);
      }
      const all = [...(row.cold_ms === null ? [] : [row.cold_ms]), ...row.warm_ms];
      row.median_ms = percentile(all, 0.5);
      row.signal_median_ms = percentile(signals, 0.5);
      row.max_ms = all.length ? Math.max(...all) : null;
      log(`  ${p.page}: cold ${row.cold_ms?.toFixed(0) ?? '–'} ms, warm ${row.warm_ms.map((x) => x.toFixed(0)).join(' / ')} ms${row.error ? ` (${row.error})` : ''}`);
      out.push(row);
    }
    await ctx.close();
  } finally {
    await browser.close();
  }
  return out;
}
