import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch, screenshot, signIn, watchErrors } from './browser';

const base = inject('baseUrl');
const password = inject('demoPassword');
const api = { authorization: `Bearer ${inject('apiToken')}` };
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function asUser(email: string): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await signIn(page, base, email, password);
  return { ctx, page, errors };
}

describe('sign-in lands each role on its home page', () => {
  for (const [email, home] of [
    ['exec@tower.local', '/'],
    ['support@tower.local', '/exceptions'],
    ['finance@tower.local', '/close'],
    ['admin@tower.local', '/'],
  ] as const) {
    it(`${email} → ${home}`, async () => {
      const { ctx, page } = await asUser(email);
      expect(new URL(page.url()).pathname).toBe(home);
      await ctx.close();
    });
  }

  it('a wrong password stays on /login with an error', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${base}/login`);
    await page.fill('input[name="email"]', 'exec@tower.local');
    await page.fill('input[name="password"]', 'wrong password');
    await page.click('button[type="submit"]');
    await page.waitForSelector('#login-error', { timeout: 15_000 });
    expect(new URL(page.url()).pathname).toBe('/login');
    await ctx.close();
  });
});

describe('every page renders real data, with no console errors', () => {
  let ctx: BrowserContext;
  let page: Page;
  let errors: string[];
  beforeAll(async () => {
    ({ ctx, page, errors } = await asUser('admin@tower.local'));
  });
  afterAll(async () => ctx?.close());

  const unposted = async () => {
    const r = await fetch(`${base}/api/v1/kpi/invoice-latency/unposted?limit=1`, { headers: api });
    return ((await r.json()) as { items: { correlation_id: string }[] }).items[0]!.correlation_id;
  };

  const pages: [string, () => Promise<string>, string][] = [
    ['summary', async () => '/', '[data-testid="kpi-value"]'],
    ['sync', async () => '/sync', '.recharts-surface'],
    ['exceptions', async () => '/exceptions', '[data-exception-id]'],
    ['invoices', async () => '/invoices', 'table tbody tr'],
    ['drift', async () => '/drift', 'table tbody tr'],
    ['close', async () => '/close', 'table tbody tr'],
    ['correlation', async () => `/c/${encodeURIComponent(await unposted())}`, '[data-testid="missing-stage"]'],
    ['warehouse', async () => '/w/DC-ATL', '[data-testid="kpi-value"], table tbody tr'],
  ];
  for (const [name, path, selector] of pages) {
    it(name, async () => {
      errors.length = 0;
      await page.goto(base + (await path()));
      await page.waitForSelector(selector, { timeout: 30_000 });
      await page.waitForLoadState('networkidle');
      const rows = await page.locator('table tbody tr').count();
      const charts = await page.locator('.recharts-surface').count();
      expect(rows + charts, `${name}: tables or charts`).toBeGreaterThan(0);
      if (name === 'summary') {
        const values = await page.locator('[data-testid="kpi-value"]').allInnerTexts();
        expect(values.length).toBe(8);
        expect(values.filter((v) => /\d/.test(v)).length).toBeGreaterThanOrEqual(5);
        expect(await page.locator('.recharts-surface path, .recharts-surface circle, .recharts-surface rect').count()).toBeGreaterThan(0);
      }
      await screenshot(page, name);
      expect(errors, `${name}: console errors`).toEqual([]);
    });
  }
});

describe('thresholds come from the server (CT_CONFIG_FILE in global-setup: 240 s and 36 h)', () => {
  const slo = inject('slo');

  it('the API and the Sync and Invoices pages show the configured SLOs, not the metrics.md defaults', async () => {
    const cfg = (await (await fetch(`${base}/api/v1/config`, { headers: api })).json()) as { slo: typeof slo };
    expect(cfg.slo).toEqual(slo);
    const { ctx, page, errors } = await asUser('admin@tower.local');
    await page.goto(`${base}/sync`);
    // 240 s and 36 h as the dashboard formats durations; the defaults would read "5 m" and "2 d".
    await expect.poll(() => page.getByTestId('sync-slo').innerText(), { timeout: 30_000 }).toBe('4 m');
    await page.waitForSelector('#lag-chart .recharts-surface', { timeout: 30_000 });
    // recharts portals the reference line's label into its own layer of the chart.
    await expect.poll(() => page.locator('#lag-chart .recharts-label').allTextContents(), { timeout: 30_000 }).toContain('SLO 4 m');
    await page.goto(`${base}/invoices`);
    await expect.poll(() => page.getByTestId('posting-slo').innerText(), { timeout: 30_000 }).toBe('1 d 12 h');
    expect(errors).toEqual([]);
    await ctx.close();
  });
});

describe('lag hints (metrics.md §10)', () => {
  it("the Sync page's breach banner, the summary's worst warehouses and DC-DAL's page name the demo's failing interface", async () => {
    const { ctx, page, errors } = await asUser('admin@tower.local');
    const cause = /shipment_confirm WMS → ERP: [\d.]+ % of the over-SLO messages, failure rate [\d.]+ % \(was [\d.]+ %\)/;
    await page.goto(`${base}/sync`);
    const banner = page.getByTestId('outage');
    await expect.poll(() => banner.getByLabel('Likely causes at DC-DAL').getByTestId('lag-hint').first().innerText(), { timeout: 60_000 }).toMatch(cause);
    // Filtered to DC-DAL: its rank among all eight depends on the demo month's other breaches (anchored
    // at "now"), which made a fleet-wide top 3 a time-of-day flake; the hint rendering is what is tested.
    await page.goto(`${base}/?warehouse=DC-DAL`);
    await expect.poll(() => page.locator('#worst').getByLabel('Likely causes at DC-DAL').getByTestId('lag-hint').first().innerText(), { timeout: 60_000 }).toMatch(cause);
    await page.goto(`${base}/w/DC-DAL`);
    await expect.poll(() => page.locator('#w-sync').innerText(), { timeout: 60_000 }).toMatch(cause);
    expect(errors).toEqual([]);
    await ctx.close();
  });
});

describe('flows', () => {
  it('search → drill-down', async () => {
    const { ctx, page, errors } = await asUser('support@tower.local');
    const r = await fetch(`${base}/api/v1/exceptions?status=all&limit=1`, { headers: api });
    const corr = ((await r.json()) as { items: { correlation_id: string }[] }).items[0]!.correlation_id;
    const box = page.getByLabel('Search by correlation ID, document ref or exception ID');
    await box.fill(corr);
    await box.press('Enter');
    await page.waitForURL((u) => u.pathname.startsWith('/c'), { timeout: 30_000 });
    await page.waitForSelector('text=' + corr.slice(0, 12), { timeout: 30_000 });
    await screenshot(page, 'search-drilldown');
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('triage: acknowledge → assign → resolve, and the open count drops', async () => {
    const { ctx, page, errors } = await asUser('support@tower.local');
    await page.goto(`${base}/exceptions`);
    // The demo month plays some exceptions on to acknowledged: triage starts from an open one.
    const row = page.locator('[data-exception-id][data-status="open"]').first();
    await row.waitFor({ timeout: 30_000 });
    const id = (await row.getAttribute('data-exception-id'))!;
    const openBefore = Number((await page.locator('[data-testid="aging-open"]').first().innerText()).replace(/\D/g, ''));
    await row.click();
    await page.getByRole('button', { name: `Acknowledge ${id}` }).first().click();
    await page.getByLabel(`Owner for ${id}`).first().fill('ana@example.com');
    await page.getByRole('button', { name: `Assign ${id}` }).first().click();
    await page.getByLabel(`Resolution for ${id}`).first().fill('reprocessed');
    await page.getByRole('button', { name: `Resolve ${id}` }).first().click();
    await expect
      .poll(async () => Number((await page.locator('[data-testid="aging-open"]').first().innerText()).replace(/\D/g, '')), { timeout: 30_000 })
      .toBe(openBefore - 1);
    const detail = (await (await fetch(`${base}/api/v1/exceptions/${encodeURIComponent(id)}`, { headers: api })).json()) as {
      status: string;
      owner: string;
      history: { type: string; source_system: string; attributes: { actor?: string } }[];
    };
    expect(detail.status).toBe('resolved');
    expect(detail.owner).toBe('ana@example.com');
    const ours = detail.history.filter((h) => h.source_system === 'control-tower' && h.attributes.actor === 'support@tower.local');
    expect(ours.map((h) => h.type)).toEqual(expect.arrayContaining(['exception.acknowledged', 'exception.assigned', 'exception.resolved']));
    await screenshot(page, 'triage');
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('close readiness → evidence CSV', async () => {
    const { ctx, page, errors } = await asUser('finance@tower.local');
    await page.waitForSelector('table tbody tr', { timeout: 30_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Export evidence CSV/i }).click()]);
    expect(download.suggestedFilename()).toMatch(/^close-evidence-\d{4}-\d{2}\.csv$/);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines.length).toBeGreaterThan(8);
    expect(csv).toMatch(/blocked|at_risk|ready/);
    // The demo's dead-lettered receipts behind DC-DAL's drift are evidence rows of their own (metrics.md §9).
    expect(csv).toMatch(/unsynced_movement,DC-DAL,.*PO-DRIFT-7001-A/);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('drift: a SKU opens to the unsynced movements that explain it, each linked to its transaction', async () => {
    const { ctx, page, errors } = await asUser('finance@tower.local');
    await page.goto(`${base}/drift`);
    const cause = page.getByTestId('drift-cause-toggle').filter({ hasText: 'receipts whose WMS → ERP message was dead-lettered, explained in full' });
    await cause.first().waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('h1 + p').innerText(), { timeout: 30_000 }).toMatch(/of which \$[\d,.]+ is explained by \d+ failed syncs?\./);
    await cause.first().click();
    expect(await cause.first().getAttribute('aria-expanded')).toBe('true');
    const movements = page.getByRole('table', { name: 'Unsynced movements of SKU-7001 at DC-DAL' });
    await movements.waitFor({ timeout: 10_000 });
    expect(await movements.locator('tbody tr').count()).toBe(2);
    await expect.poll(() => movements.innerText()).toMatch(/dead-lettered[\s\S]*receipt_api[\s\S]*max retries exceeded/);
    const link = movements.getByRole('link', { name: 'PO-DRIFT-7001-A' });
    expect(await link.getAttribute('href')).toBe('/c/PO-DRIFT-7001-A');
    await screenshot(page, 'drift-cause');
    await link.click();
    await page.waitForURL((u) => u.pathname === '/c/PO-DRIFT-7001-A', { timeout: 30_000 });
    await page.waitForSelector('text=PO-DRIFT-7001-A', { timeout: 30_000 });
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('flow: a heat cell lists the waiting transactions (overdue only, CSV) and one opens its drill-down', async () => {
    const { ctx, page, errors } = await asUser('admin@tower.local');
    await page.goto(`${base}/flow`);
    await page.waitForSelector('[data-testid="flow-heat"] button', { timeout: 30_000 });
    expect(await page.locator('section[id^="funnel-"]').count()).toBe(4); // one funnel per workflow
    expect(await page.locator('section[id^="funnel-"] .recharts-surface').count()).toBeGreaterThanOrEqual(4);
    // The demo month's scripted transfers in transit: some overdue at transfer.shipped.
    await page.locator('[data-testid="flow-heat"] button[aria-label^="inventory transfer.shipped, all warehouses"]').click();
    const links = page.locator('#flow-waiting table tbody tr a');
    await links.first().waitFor({ timeout: 30_000 });
    const all = await links.count();
    await page.getByLabel('Overdue only').check();
    await expect.poll(async () => page.locator('#flow-waiting table tbody tr a').count(), { timeout: 30_000 }).toBeLessThanOrEqual(all);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#flow-waiting').getByRole('button', { name: /Export CSV/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^flow-waiting-inventory-transfer\.shipped.*\.csv$/);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toContain('correlation_id,warehouse_id,document_ref');
    expect(csv).toContain('transfer.shipped');
    await screenshot(page, 'flow');
    await links.first().click();
    await page.waitForURL((u) => u.pathname.startsWith('/c'), { timeout: 30_000 });
    await page.waitForSelector('[data-testid="stage-clock"][data-state="overdue"]', { timeout: 30_000 });
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('usable at 768 px wide', async () => {
    const { ctx, page, errors } = await asUser('exec@tower.local');
    await page.setViewportSize({ width: 768, height: 1000 });
    await page.waitForSelector('[data-testid="kpi-value"]', { timeout: 30_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await screenshot(page, 'summary-768');
    expect(errors).toEqual([]);
    await ctx.close();
  });
});

describe('alerts', () => {
  const ingest = { authorization: `Bearer ${inject('ingestToken')}`, 'content-type': 'application/x-ndjson' };
  const RULE = 'default-sync-lag-p95';
  const WH = 'DC-SEA';
  type Active = { rule_id: string; group: { warehouse_id?: string }; silenced_until: string | null };
  const alerts = async () =>
    (await (await fetch(`${base}/api/v1/alerts`, { headers: api })).json()) as { active: Active[]; silences: { rule_id: string; until: string }[] };
  const ours = (a: Active) => a.rule_id === RULE && a.group.warehouse_id === WH;

  beforeAll(async () => {
    // A sync-lag breach now (the default rule: p95 over 15 min above the configured 240 s SLO), so the
    // scheduler (every 5 s in e2e) has something firing whatever the random demo month holds.
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const lines = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({
        event_id: `e2e-alert-${now}-${i}`,
        type: 'sync.message',
        occurred_at: iso(now - 3_600_000 - i * 1000),
        observed_at: iso(now - 20_000 - i * 1000),
        source_system: 'WMS',
        target_system: 'ERP',
        warehouse_id: WH,
        correlation_id: `E2E-ALERT-${i}`,
        attributes: { status: 'delivered', interface: 'pick_events' },
      }),
    );
    const res = await fetch(`${base}/api/v1/ingest`, { method: 'POST', headers: ingest, body: lines.join('\n') + '\n' });
    expect(res.status).toBe(200);
    const deadline = Date.now() + 60_000;
    while (!(await alerts()).active.some(ours)) {
      if (Date.now() > deadline) throw new Error(`${RULE} ${WH} did not start firing within 60 s`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  });

  it('lists the firing alert first with value vs threshold and its dashboard link; silence with the until-picker', async () => {
    const { ctx, page, errors } = await asUser('support@tower.local');
    await page.goto(`${base}/alerts`);
    const target = `${RULE} warehouse ${WH}`;
    const silenceButton = page.getByRole('button', { name: `Silence ${target}`, exact: true });
    await silenceButton.waitFor({ timeout: 30_000 });
    // Active alerts come before the history.
    const order = await page.evaluate(() => {
      const a = document.getElementById('alerts-active');
      const h = document.getElementById('alerts-history');
      return !!a && !!h && !!(a.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    expect(order).toBe(true);
    const active = page.locator('#alerts-active');
    expect(await active.innerText()).toContain(' vs 4 m'); // the configured 240 s SLO (global-setup)
    expect(await page.getByRole('link', { name: `Dashboard for ${target}` }).getAttribute('href')).toBe(`${base}/sync?warehouse=${WH}`);
    // The lag hint over the rule's window: the injected pick_events messages are most of DC-SEA's over-SLO ones.
    await expect.poll(() => active.getByLabel(`Likely causes at ${WH}`).innerText(), { timeout: 30_000 }).toMatch(/pick_events WMS → ERP: [\d.]+ % of the over-SLO messages/);
    const badge = page.getByTestId('firing-badge');
    expect(Number(await badge.innerText())).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'alerts');

    await silenceButton.click();
    const until = page.locator('#alerts-active input[name="until"]');
    // The picker starts one hour ahead in the display time zone; choose two hours ahead instead.
    const wall = await until.inputValue();
    const later = new Date(Date.parse(`${wall}Z`) + 3_600_000).toISOString().slice(0, 16);
    await until.fill(later);
    const chosenAt = Date.now();
    await page.getByRole('button', { name: `Silence ${target} until the chosen time` }).click();
    await page.getByRole('button', { name: `Lift the silence of ${target}` }).first().waitFor({ timeout: 30_000 });
    expect(await active.innerText()).toContain('Silenced until');
    expect(await page.locator('#alerts-silences').innerText()).toContain(WH);

    const item = (await alerts()).active.find(ours);
    expect(item?.silenced_until).toBeTruthy();
    const ahead = Date.parse(item!.silenced_until!) - chosenAt;
    expect(ahead).toBeGreaterThan(2 * 3_600_000 - 3 * 60_000);
    expect(ahead).toBeLessThan(2 * 3_600_000 + 60_000);
    await screenshot(page, 'alerts-silenced');
    expect(errors).toEqual([]);
    await ctx.close();
  });
});

describe('security (issue 14)', () => {
  const ours = new URL(base);
  const HOSTILE = ['/.//evil.example/', '/x/..//evil.example/', '//evil.example/', '/\\evil.example', '/%2F%2Fevil.example', 'http://evil.example/'];

  /** A context that never leaves our origin: requests elsewhere are recorded and aborted (there is no network anyway). */
  async function guarded(): Promise<{ ctx: BrowserContext; page: Page; foreign: string[] }> {
    const ctx = await browser.newContext();
    const foreign: string[] = [];
    await ctx.route(
      (u) => u.host !== ours.host,
      (r) => {
        foreign.push(r.request().url());
        return r.abort();
      },
    );
    return { ctx, page: await ctx.newPage(), foreign };
  }

  for (const raw of HOSTILE) {
    it(`sign-in from /login?callbackUrl=${raw} stays on our origin`, async () => {
      const { ctx, page, foreign } = await guarded();
      await page.goto(`${base}/login?callbackUrl=${encodeURIComponent(raw)}`);
      await page.fill('input[name="email"]', 'support@tower.local');
      await page.fill('input[name="password"]', password);
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 }), page.click('button[type="submit"]')]);
      await page.waitForLoadState('networkidle');
      expect(new URL(page.url()).origin).toBe(ours.origin);
      expect(new URL(page.url()).pathname).toBe('/exceptions'); // the role's home, not the hostile path
      expect(foreign).toEqual([]);
      await ctx.close();
    });
  }

  it('signed in: /login?sso=1&callbackUrl=/.//evil.example/ goes home, not away', async () => {
    const { ctx, page, foreign } = await guarded();
    await signIn(page, base, 'support@tower.local', password);
    for (const raw of ['/.//evil.example/', '/x/..//evil.example/']) {
      await page.goto(`${base}/login?sso=1&callbackUrl=${raw}`);
      await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
      await page.waitForLoadState('networkidle');
      expect(new URL(page.url()).origin, raw).toBe(ours.origin);
      expect(new URL(page.url()).pathname, raw).toBe('/exceptions');
    }
    expect(foreign).toEqual([]);
    await ctx.close();
  });

  it('after sign-out, the old session cookie replayed gets 401 (reads and actions) and pages go to /login', async () => {
    const { ctx, page } = await asUser('support@tower.local');
    const session = (await ctx.cookies()).find((c) => c.name === 'ct-session')!;
    const cookie = `ct-session=${session.value}`;
    const read = () => fetch(`${base}/api/v1/exceptions?limit=1`, { headers: { cookie } });
    const r = await fetch(`${base}/api/v1/exceptions?status=open&limit=1`, { headers: api });
    const id = ((await r.json()) as { items: { exception_id: string }[] }).items[0]!.exception_id;
    const acknowledge = () => fetch(`${base}/api/v1/exceptions/${encodeURIComponent(id)}/acknowledge`, { method: 'POST', headers: { cookie, origin: ours.origin, 'content-type': 'application/json' }, body: '{}' });
    expect((await read()).status).toBe(200);

    await page.getByRole('link', { name: 'Sign out' }).first().click();
    await Promise.all([page.waitForURL((u) => u.pathname === '/login', { timeout: 30_000 }), page.getByRole('button', { name: /sign out/i }).click()]);
    expect((await ctx.cookies()).some((c) => c.name === 'ct-session')).toBe(false);

    expect((await read()).status).toBe(401);
    expect((await acknowledge()).status).toBe(401);
    // The proxy (same server process) knows too: a page with the old cookie redirects to /login.
    const pageRes = await fetch(`${base}/exceptions`, { headers: { cookie }, redirect: 'manual' });
    expect(pageRes.status).toBe(307);
    expect(new URL(pageRes.headers.get('location')!, base).pathname).toBe('/login');
    await ctx.close();
  });
});
