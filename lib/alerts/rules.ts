import fs from 'node:fs';
import { z } from 'zod';
import { env } from '@/lib/config/env';
import { loadConfig } from '@/lib/config/slo';
import { EVENT_TYPES, SEVERITIES } from '@/lib/events';

/** alerts.md, "Rules": the file format, validated strictly so a typo stops the start instead of never firing. */
export const GROUP_FIELDS = ['warehouse_id', 'source_system', 'target_system', 'interface'] as const;
export type GroupField = (typeof GROUP_FIELDS)[number];

export const METRICS = [
  'sync_lag_p95',
  'sync_failure_rate',
  'sync_messages',
  'open_exceptions',
  'open_exceptions_critical',
  'invoice_latency_p95',
  'unposted_count',
  'drift_value',
] as const;
export type Metric = (typeof METRICS)[number];
/** Metrics over `[now − window_s, now)`; the others are taken at `now`. */
export const WINDOWED: ReadonlySet<Metric> = new Set(['sync_lag_p95', 'sync_failure_rate', 'sync_messages', 'invoice_latency_p95']);

export const SEVERITY_RANK: Record<(typeof SEVERITIES)[number], number> = { critical: 0, high: 1, medium: 2, low: 3 };

export const OPS = ['>', '>=', '<', '<='] as const;
export type Op = (typeof OPS)[number];

const values = z.array(z.string().min(1)).min(1);
const matchSchema = z
  .object({ warehouse_id: values.optional(), source_system: values.optional(), target_system: values.optional(), interface: values.optional() })
  .strict();

const common = {
  id: z.string().regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+').max(128),
  severity: z.enum(SEVERITIES),
  group_by: z
    .array(z.enum(GROUP_FIELDS))
    .default([])
    .refine((g) => new Set(g).size === g.length, 'lists a field twice')
    // One canonical order, so a group's key and its JSON never depend on how the file spelled it.
    .transform((g) => GROUP_FIELDS.filter((f) => g.includes(f))),
  match: matchSchema.default({}),
  notify: z.array(z.string().min(1)).default([]).refine((n) => new Set(n).size === n.length, 'lists a webhook twice'),
  for_s: z.number().nonnegative().default(0),
  repeat_s: z.number().positive().optional(),
};

const thresholdRule = z
  .object({
    kind: z.literal('threshold'),
    metric: z.enum(METRICS),
    op: z.enum(OPS),
    value: z.number(),
    window_s: z.number().positive().optional(),
    ...common,
  })
  .strict();

const freshnessRule = z
  .object({ kind: z.literal('freshness'), event_type: z.enum(EVENT_TYPES), max_silence_s: z.number().positive(), ...common })
  .strict();

export const ruleSchema = z.discriminatedUnion('kind', [thresholdRule, freshnessRule]);
export type Rule = z.infer<typeof ruleSchema>;
export type ThresholdRule = z.infer<typeof thresholdRule>;
export type FreshnessRule = z.infer<typeof freshnessRule>;

const webhookSchema = z
  .object({ url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }), secret: z.string().min(1).optional() })
  .strict();
export type Webhook = z.infer<typeof webhookSchema>;
const webhooksSchema = z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'webhook names use letters, digits, _ . -'), webhookSchema);

export interface AlertConfig {
  rules: Rule[];
  webhooks: Record<string, Webhook>;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `${where ? `${where}.` : ''}${k}: unknown field`).join('; ');
  }
  if (issue.code === 'invalid_union') return `${where || 'kind'}: must be "threshold" or "freshness"`;
  const required = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
  return `${where || '(root)'}: ${required ? 'required' : issue.message}`;
}

export function parseWebhooks(text: string | undefined): Record<string, Webhook> {
  if (text === undefined || text.trim() === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('CT_WEBHOOKS: not valid JSON');
  }
  const r = webhooksSchema.safeParse(json);
  if (!r.success) {
    throw new Error(`CT_WEBHOOKS: ${describeIssue(r.error.issues[0]!)}`);
  }
  return r.data;
}

/** Validates a rules file's text; every message names the source, the rule (id and index) and the field. */
export function parseAlertRules(text: string, webhooks: Record<string, Webhook>, source = 'CT_ALERTS_FILE'): Rule[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${source}: not valid JSON`);
  }
  if (!Array.isArray(json)) throw new Error(`${source}: must be a JSON array of rules`);
  const rules: Rule[] = [];
  const seen = new Map<string, number>();
  json.forEach((raw: unknown, index) => {
    const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : null;
    const label = id === null ? `rule at index ${index}` : `rule ${JSON.stringify(id)} (index ${index})`;
    const fail = (msg: string): never => {
      throw new Error(`${source}: ${label}: ${msg}`);
    };
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('must be an object');
    const r = ruleSchema.safeParse(raw);
    if (!r.success) fail(describeIssue(r.error.issues[0]!));
    const rule = r.data!;
    if (rule.kind === 'threshold' && WINDOWED.has(rule.metric) && rule.window_s === undefined) {
      fail(`window_s: required for metric ${rule.metric}`);
    }
    const dup = seen.get(rule.id);
    if (dup !== undefined) fail(`id: duplicate of the rule at index ${dup}`);
    seen.set(rule.id, index);
    rule.notify.forEach((name, i) => {
      if (!Object.hasOwn(webhooks, name)) {
        const known = Object.keys(webhooks);
        fail(`notify.${i}: unknown webhook ${JSON.stringify(name)} (CT_WEBHOOKS defines ${known.length ? known.join(', ') : 'none'})`);
      }
    });
    rules.push(rule);
  });
  return rules;
}

/** alerts.md: without a file, the two SLO rules per warehouse, severity high, notifying every webhook. */
export function defaultRules(webhooks: Record<string, Webhook>): Rule[] {
  const { slo } = loadConfig();
  const notify = Object.keys(webhooks);
  const base = { kind: 'threshold', op: '>', for_s: 0, group_by: ['warehouse_id'], match: {}, severity: 'high', notify } as const;
  return [
    { ...base, group_by: [...base.group_by], notify: [...notify], id: 'default-sync-lag-p95', metric: 'sync_lag_p95', value: slo.sync_lag_seconds, window_s: 900 },
    { ...base, group_by: [...base.group_by], notify: [...notify], id: 'default-invoice-latency-p95', metric: 'invoice_latency_p95', value: slo.posting_seconds, window_s: 86_400 },
  ];
}

function readConfig(): { key: string; config: AlertConfig } {
  const e = env();
  const webhooks = parseWebhooks(e.CT_WEBHOOKS);
  const file = e.CT_ALERTS_FILE;
  if (!file) return { key: cacheKey(), config: { rules: defaultRules(webhooks), webhooks } };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'unreadable';
    throw new Error(`CT_ALERTS_FILE: cannot read ${file} (${code})`);
  }
  return { key: cacheKey(), config: { rules: parseAlertRules(text, webhooks), webhooks } };
}

const KEY = Symbol.for('sync-control-tower.alert-config');
const g = globalThis as typeof globalThis & { [KEY]?: { key: string; config: AlertConfig } };
const cacheKey = (): string => {
  const e = env();
  return [e.CT_ALERTS_FILE, e.CT_WEBHOOKS, e.CT_CONFIG_FILE].join('\u0000');
};

/**
 * Reads and validates `CT_ALERTS_FILE` (or the defaults) and `CT_WEBHOOKS`. Throws an Error whose message
 * names the rule and field; the server start calls it and refuses to start on a bad file.
 */
export function loadAlertRules(): AlertConfig {
  const loaded = readConfig();
  g[KEY] = loaded;
  return loaded.config;
}

/** The validated configuration, read once per distinct environment (the file is validated at start). */
export function alertConfig(): AlertConfig {
  const cached = g[KEY];
  if (cached && cached.key === cacheKey()) return cached.config;
  return loadAlertRules();
}

export function clearAlertConfig(): void {
  delete g[KEY];
}
