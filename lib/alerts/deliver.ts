import crypto from 'node:crypto';
import { env } from '@/lib/config/env';
import { alertConfig, type Webhook } from './rules';
import { appendLog, type LogRow } from './state';

/**
 * Webhook delivery (alerts.md "Notifications"): one queue per (webhook, rule, group), so a group's
 * notifications reach each receiver in order while other groups and receivers are not held up.
 * 1 attempt + up to 5 retries, backoff `CT_WEBHOOK_BACKOFF_MS` (default 1000) doubling.
 */
export interface Delivery {
  /** Shared by every webhook copy of one notification; the outcome rows carry it too. */
  id: string;
  at: number;
  webhook: string;
  rule_id: string;
  group_key: string;
  warehouse_id: string | null;
  status: 'firing' | 'resolved';
  body: string;
}

const MAX_ATTEMPTS = 6;
const ATTEMPT_TIMEOUT_MS = 10_000;


/** `sha256=<hex>` over the exact body bytes that are sent. */
export function signature(secret: string, body: Buffer | string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function attempt(hook: Webhook, bytes: Buffer): Promise<string | null> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'sync-control-tower-alerts/1' };
  if (hook.secret) headers['x-tower-signature'] = signature(hook.secret, bytes);
  try {
    const res = await fetch(hook.url, {
      method: 'POST',
      headers,
      body: new Uint8Array(bytes),
      redirect: 'manual',
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    // The answer's body is of no interest; reading it frees the connection. The status already
    // decided the outcome, so a body cut short changes nothing.
    await res.arrayBuffer().catch(() => null);
    return res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}`;
  } catch (err) {
    return err instanceof Error ? `${err.name}: ${(err.cause as { code?: string } | undefined)?.code ?? err.message}`.slice(0, 200) : 'network error';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function deliver(d: Delivery): Promise<void> {
  const hook = alertConfig().webhooks[d.webhook];
  let error = hook ? '' : 'webhook no longer configured';
  let attempts = 0;
  if (hook) {
    const bytes = Buffer.from(d.body, 'utf8');
    const base = env().CT_WEBHOOK_BACKOFF_MS;
    for (attempts = 1; attempts <= MAX_ATTEMPTS; attempts++) {
      const failure = await attempt(hook, bytes);
      if (failure === null) {
        error = '';
        break;
      }
      error = failure;
      if (attempts < MAX_ATTEMPTS) await sleep(base * 2 ** (attempts - 1));
    }
    attempts = Math.min(attempts, MAX_ATTEMPTS);
  }
  if (error) console.error(`[alerts] webhook ${d.webhook}: ${d.status} ${d.rule_id} ${d.group_key} not delivered after ${attempts} attempt(s): ${error}`);
  const outcome: LogRow = {
    at: d.at,
    id: d.id,
    kind: error ? 'failed' : 'delivered',
    rule_id: d.rule_id,
    group_key: d.group_key,
    warehouse_id: d.warehouse_id,
    status: d.status,
    webhook: d.webhook,
    attempts,
    error,
    body: '',
  };
  try {
    await appendLog([outcome]);
  } catch (err) {
    // Without the outcome row a restart redelivers once: better than losing the record of a send.
    console.error(`[alerts] could not record a delivery outcome: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const KEY = Symbol.for('sync-control-tower.alert-queues');
const g = globalThis as typeof globalThis & { [KEY]?: Map<string, Promise<void>> };
const queues = (): Map<string, Promise<void>> => (g[KEY] ??= new Map());

export function enqueue(d: Delivery): void {
  const q = queues();
  const key = JSON.stringify([d.webhook, d.rule_id, d.group_key]);
  const next = (q.get(key) ?? Promise.resolve())
    .then(() => deliver(d))
    .catch((err: unknown) => {
      // One broken delivery must not block the queue behind it; it is logged, the next one runs.
      console.error(`[alerts] webhook ${d.webhook}: delivery failed: ${err instanceof Error ? err.message : String(err)}`);
    });
  q.set(key, next);
  void next.then(() => {
    if (q.get(key) === next) q.delete(key);
  });
}

/** Resolves when every queued notification has been delivered or given up on (tests, shutdown). */
export async function deliveriesIdle(): Promise<void> {
  const q = queues();
  while (q.size > 0) await Promise.all([...q.values()]);
}
