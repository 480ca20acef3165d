import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dashboardUrl } from '@/lib/alerts/model';
import { loadAlertRules, parseAlertRules, parseWebhooks, type Rule } from '@/lib/alerts/rules';

const HOOKS = parseWebhooks(JSON.stringify({ ops: { url: 'https://hooks.example/ops', secret: 's' }, chat: { url: 'http://127.0.0.1:9/x' } }));
const LAG = { id: 'lag-p95', kind: 'threshold', metric: 'sync_lag_p95', op: '>', value: 300, window_s: 900, severity: 'high' };
const FRESH = { id: 'edi-silent', kind: 'freshness', event_type: 'sync.message', max_silence_s: 1800, severity: 'critical' };
const parse = (rules: unknown) => parseAlertRules(JSON.stringify(rules), HOOKS);
const fails = (rules: unknown) => {
  try {
    parse(rules);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a validation error');
};

const ENV_KEYS = ['CT_ALERTS_FILE', 'CT_WEBHOOKS', 'CT_CONFIG_FILE', 'CT_DASHBOARD_URL', 'NEXTAUTH_URL'] as const;
const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('alert rules file', () => {
  it('accepts both spec examples and fills the defaults', () => {
    const [lag, fresh] = parse([
      { ...LAG, for_s: 0, group_by: ['warehouse_id'], match: { source_system: ['WMS'] }, notify: ['ops'] },
      { ...FRESH, group_by: ['warehouse_id', 'source_system'], notify: ['ops'] },
    ]);
    expect(lag).toMatchObject({ group_by: ['warehouse_id'], match: { source_system: ['WMS'] }, notify: ['ops'], for_s: 0 });
    expect(fresh).toMatchObject({ kind: 'freshness', group_by: ['warehouse_id', 'source_system'], match: {}, for_s: 0 });
    expect(parse([LAG])[0]).toMatchObject({ group_by: [], match: {}, notify: [], for_s: 0 });
    // Point-in-time metrics need no window.
    expect(parse([{ ...LAG, metric: 'open_exceptions', window_s: undefined }])[0]).toMatchObject({ metric: 'open_exceptions' });
  });

  it('names the rule (id and index) and the field in every error', () => {
    expect(fails([{ ...LAG, window_s: undefined }])).toBe('CT_ALERTS_FILE: rule "lag-p95" (index 0): window_s: required for metric sync_lag_p95');
    expect(fails([FRESH, { ...LAG, colour: 'red' }])).toBe('CT_ALERTS_FILE: rule "lag-p95" (index 1): colour: unknown field');
    expect(fails([{ ...LAG, match: { region: ['x'] } }])).toBe('CT_ALERTS_FILE: rule "lag-p95" (index 0): match.region: unknown field');
    expect(fails([{ ...LAG, metric: 'lag' }])).toMatch(/^CT_ALERTS_FILE: rule "lag-p95" \(index 0\): metric: /);
    expect(fails([{ ...LAG, op: '=' }])).toMatch(/^CT_ALERTS_FILE: rule "lag-p95" \(index 0\): op: /);
    expect(fails([{ ...LAG, value: undefined }])).toBe('CT_ALERTS_FILE: rule "lag-p95" (index 0): value: required');
    expect(fails([{ ...LAG, id: 'Lag P95' }])).toMatch(/^CT_ALERTS_FILE: rule "Lag P95" \(index 0\): id: must match \[a-z0-9-\]\+/);
    expect(fails([LAG, LAG])).toBe('CT_ALERTS_FILE: rule "lag-p95" (index 1): id: duplicate of the rule at index 0');
    expect(fails([{ ...LAG, notify: ['pager'] }])).toMatch(/^CT_ALERTS_FILE: rule "lag-p95" \(index 0\): notify\.0: unknown webhook "pager"/);
    expect(fails([{ ...LAG, group_by: ['warehouse_id', 'warehouse_id'] }])).toMatch(/group_by: /);
    expect(fails([{ ...LAG, group_by: ['region'] }])).toMatch(/rule "lag-p95" \(index 0\): group_by\.0: /);
    expect(fails([{ ...LAG, kind: 'anomaly' }])).toBe('CT_ALERTS_FILE: rule "lag-p95" (index 0): kind: must be "threshold" or "freshness"');
    expect(fails([{ ...FRESH, event_type: 'sync.msg' }])).toMatch(/rule "edi-silent" \(index 0\): event_type: /);
    expect(fails([{ ...FRESH, max_silence_s: -1 }])).toMatch(/rule "edi-silent" \(index 0\): max_silence_s: /);
    expect(fails([{ ...LAG, id: undefined }])).toMatch(/^CT_ALERTS_FILE: rule at index 0: id: required/);
    expect(fails(['x'])).toBe('CT_ALERTS_FILE: rule at index 0: must be an object');
    expect(fails({ rules: [] })).toBe('CT_ALERTS_FILE: must be a JSON array of rules');
    expect(() => parseAlertRules('[{', HOOKS)).toThrow('CT_ALERTS_FILE: not valid JSON');
  });

  it('validates CT_WEBHOOKS', () => {
    expect(() => parseWebhooks('{"ops":{"url":"ftp://x"}}')).toThrow(/^CT_WEBHOOKS: ops\.url: /);
    expect(() => parseWebhooks('{"ops":{"url":"https://x","token":"t"}}')).toThrow('CT_WEBHOOKS: ops.token: unknown field');
    expect(() => parseWebhooks('[')).toThrow('CT_WEBHOOKS: not valid JSON');
    expect(parseWebhooks(undefined)).toEqual({});
  });

  it('loadAlertRules: a bad file throws naming rule and field (the start refuses); no file gives the SLO defaults', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-rules-'));
    const file = path.join(dir, 'rules.json');
    fs.writeFileSync(file, JSON.stringify([{ ...LAG, window_s: undefined }]));
    process.env.CT_ALERTS_FILE = file;
    process.env.CT_WEBHOOKS = JSON.stringify({ ops: { url: 'https://hooks.example/ops' } });
    expect(() => loadAlertRules()).toThrow('CT_ALERTS_FILE: rule "lag-p95" (index 0): window_s: required for metric sync_lag_p95');
    process.env.CT_ALERTS_FILE = path.join(dir, 'missing.json');
    expect(() => loadAlertRules()).toThrow(/^CT_ALERTS_FILE: cannot read .*missing\.json \(ENOENT\)$/);

    delete process.env.CT_ALERTS_FILE;
    fs.writeFileSync(path.join(dir, 'slo.json'), JSON.stringify({ slo: { sync_lag_seconds: 120, posting_seconds: 3600 } }));
    process.env.CT_CONFIG_FILE = path.join(dir, 'slo.json');
    const { rules } = loadAlertRules();
    expect(rules).toEqual([
      { kind: 'threshold', id: 'default-sync-lag-p95', metric: 'sync_lag_p95', op: '>', value: 120, window_s: 900, for_s: 0, group_by: ['warehouse_id'], match: {}, severity: 'high', notify: ['ops'] },
      { kind: 'threshold', id: 'default-invoice-latency-p95', metric: 'invoice_latency_p95', op: '>', value: 3600, window_s: 86_400, for_s: 0, group_by: ['warehouse_id'], match: {}, severity: 'high', notify: ['ops'] },
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('dashboard_url', () => {
  const rule = (over: Record<string, unknown>): Rule => parse([{ ...LAG, ...over }])[0]!;
  it('opens the page of the metric filtered to the group, URL-encoded, on CT_DASHBOARD_URL else NEXTAUTH_URL', () => {
    process.env.CT_DASHBOARD_URL = 'https://tower.example/';
    expect(dashboardUrl(rule({ group_by: ['warehouse_id'] }), { warehouse_id: 'DC "Køln"/1' })).toBe(
      'https://tower.example/sync?warehouse=DC+%22K%C3%B8ln%22%2F1',
    );
    expect(dashboardUrl(rule({ metric: 'open_exceptions_critical' }), {})).toBe('https://tower.example/exceptions?severity=critical');
    expect(dashboardUrl(rule({ metric: 'unposted_count', group_by: ['warehouse_id'] }), { warehouse_id: 'A' })).toBe('https://tower.example/invoices?warehouse=A');
    delete process.env.CT_DASHBOARD_URL;
    process.env.NEXTAUTH_URL = 'http://tower.local:3000';
    expect(dashboardUrl(rule({ metric: 'drift_value', group_by: ['warehouse_id', 'interface'] }), { warehouse_id: 'A', interface: null })).toBe(
      'http://tower.local:3000/drift?warehouse=A',
    );
  });
});
