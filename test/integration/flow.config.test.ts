import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/v1/kpi/flow/route';
import { parseConfig } from '@/lib/config/slo';
import { flowResponse } from '@/lib/kpi/flow';
import { ctx, get } from '../helpers/http';
import { useTestStore } from '../helpers/store';

/** `flow_slo_seconds` in CT_CONFIG_FILE: validated with the field named, used by the Flow KPI, checked at start. */
useTestStore();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-flow-config-'));
const before = process.env.CT_CONFIG_FILE;
afterEach(() => {
  if (before === undefined) delete process.env.CT_CONFIG_FILE;
  else process.env.CT_CONFIG_FILE = before;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('flow_slo_seconds', () => {
  it('refuses unknown workflows and stages, final stages and non-positive values, naming the field', () => {
    const bad = (flow: unknown) => () => parseConfig(JSON.stringify({ flow_slo_seconds: flow }));
    expect(bad({ shipping: {} })).toThrow('CT_CONFIG_FILE: flow_slo_seconds: Unrecognized key: "shipping"');
    expect(bad({ order_to_cash: { 'payment.received': 10 } })).toThrow('flow_slo_seconds.order_to_cash: Unrecognized key: "payment.received"');
    expect(bad({ inventory: { 'transfer.shipped': 0 } })).toThrow('flow_slo_seconds.inventory.transfer.shipped:');
    expect(bad({ return_to_credit: { 'return.received': '7d' } })).toThrow('flow_slo_seconds.return_to_credit.return.received:');
  });

  it('shipment.confirmed follows the posting SLO unless set; the rest keep their defaults', () => {
    const c = parseConfig(JSON.stringify({ slo: { posting_seconds: 36 * 3600 }, flow_slo_seconds: { inventory: { 'transfer.shipped': 3600 } } }));
    expect(c.flow_slo_seconds.order_to_cash['shipment.confirmed']).toBe(36 * 3600);
    expect(c.flow_slo_seconds.inventory['transfer.shipped']).toBe(3600);
    expect(c.flow_slo_seconds.procure_to_pay['invoice.posted']).toBe(45 * 86_400);
    const set = parseConfig(JSON.stringify({ slo: { posting_seconds: 36 * 3600 }, flow_slo_seconds: { order_to_cash: { 'shipment.confirmed': 60 } } }));
    expect(set.flow_slo_seconds.order_to_cash['shipment.confirmed']).toBe(60);
  });

  it('the Flow KPI answers with the configured SLAs', async () => {
    const file = path.join(dir, 'flow.json');
    fs.writeFileSync(file, JSON.stringify({ flow_slo_seconds: { order_to_cash: { 'order.created': 7200 } } }));
    process.env.CT_CONFIG_FILE = file;
    const res = await GET(get('/api/v1/kpi/flow?workflow=order_to_cash'), ctx());
    const body = flowResponse.parse(await res.json());
    expect(body.workflows[0]!.stages.map((s) => [s.stage, s.next_stage, s.slo_seconds])).toEqual([
      ['order.created', 'pick.confirmed', 7200],
      ['pick.confirmed', 'shipment.confirmed', 86_400],
      ['shipment.confirmed', 'invoice.posted', 172_800],
      ['invoice.posted', 'payment.received', 45 * 86_400],
    ]);
  });

  it('a bad value stops the server start (exit 1) naming the field, before the store is touched', async () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ flow_slo_seconds: { order_to_cash: { 'pick.confirmed': -1 } } }));
    const dataDir = path.join(dir, 'never-created');
    const run = promisify(execFile);
    const r = await run(process.execPath, ['node_modules/.bin/tsx', '-e', "import('./lib/server/register-node.ts').then((m) => m.registerNode())"], {
      env: { ...process.env, CT_DATA_DIR: dataDir, CT_CONFIG_FILE: file, CT_DEMO: '0', CT_WEBHOOKS: '', CT_ALERTS_FILE: '' },
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[tower] startup failed: CT_CONFIG_FILE: flow_slo_seconds.order_to_cash.pick.confirmed:');
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});
