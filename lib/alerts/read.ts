import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { parseTimeParam } from '@/lib/http/params';
import type { QueryScope, Scope } from '@/lib/scope';
import { withSpan } from '@/lib/telemetry/span';
import { bodyOf } from './engine';
import { alertBody, groupKey, groupSchema, iso, type Group } from './model';
import { alertConfig, ruleSchema, SEVERITY_RANK } from './rules';
import { loadResolved, loadSilences, loadStates, saveSilence } from './state';
import { invalidateReads } from '@/lib/server/shared-reads';

/** GET /api/v1/alerts and the silence action (alerts.md "API"). */
export const silenceItem = z.object({
  rule_id: z.string(),
  group: groupSchema,
  until: z.string(),
  created_at: z.string(),
  created_by: z.string(),
});
export type SilenceItem = z.infer<typeof silenceItem>;

/** The silence action's answer says what it did: an `until` already past lifts the group's silence. */
export const silenceResult = silenceItem.extend({ action: z.enum(['silenced', 'lifted']) });
export type SilenceResult = z.infer<typeof silenceResult>;

/** Items carry the webhook body's fields; extensions: when it was last evaluated, and its silence. */
export const activeItem = alertBody.extend({ evaluated_at: z.string(), silenced_until: z.string().nullable() });
export type ActiveItem = z.infer<typeof activeItem>;

export const alertsResponse = z.object({
  now: z.string(),
  active: z.array(activeItem),
  history: z.array(alertBody),
  silences: z.array(silenceItem),
  rules: z.array(ruleSchema),
});
export type AlertsResponse = z.infer<typeof alertsResponse>;

const HISTORY_MS = 7 * 86_400_000;
const HISTORY_LIMIT = 1000;

/** Groups without a warehouse belong to everyone's data: only callers who see every warehouse see them. */
function visible(scope: QueryScope, group: Group): boolean {
  if (scope.warehouses === null) return true;
  const wh = group.warehouse_id;
  return typeof wh === 'string' && scope.warehouses.includes(wh);
}

export async function alertsOverview(scope: QueryScope, now: number): Promise<AlertsResponse> {
  return withSpan('alerts.overview', {}, async () => {
    const { rules } = alertConfig();
    const byId = new Map(rules.map((r) => [r.id, r]));
    const [firing, silences, resolved] = await Promise.all([
      loadStates(rules.map((r) => r.id), { status: 'firing' }),
      loadSilences(now),
      loadResolved(now - HISTORY_MS, HISTORY_LIMIT),
    ]);
    const silenceOf = new Map(silences.map((s) => [`${s.rule_id}\u0000${s.group_key}`, s.until]));
    const active: ActiveItem[] = [];
    for (const s of firing) {
      const rule = byId.get(s.rule_id);
      if (!rule || !visible(scope, s.group)) continue;
      const until = silenceOf.get(`${s.rule_id}\u0000${s.group_key}`);
      active.push({ ...bodyOf(rule, s, 'firing', now), evaluated_at: iso(s.evaluated_at), silenced_until: until === undefined ? null : iso(until) });
    }
    active.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.started_at.localeCompare(b.started_at) || a.rule_id.localeCompare(b.rule_id));
    const history = resolved.flatMap((n) => {
      const parsed = alertBody.safeParse(JSON.parse(n.body));
      return parsed.success && visible(scope, parsed.data.group) ? [parsed.data] : [];
    });
    return {
      now: iso(now),
      active,
      history,
      silences: silences
        .filter((s) => visible(scope, s.group))
        .map((s) => ({ rule_id: s.rule_id, group: s.group, until: iso(s.until), created_at: iso(s.created_at), created_by: s.created_by })),
      rules,
    };
  });
}

const silenceBody = z
  .object({
    group: z.record(z.string(), z.string().max(256).nullable(), { error: 'must be an object of group field values' }),
    until: z.string({ error: 'required, an RFC 3339 time' }),
  })
  .strict();

const MAX_SILENCE_MS = 366 * 86_400_000;

function badBody(issue: z.core.$ZodIssue): AppError {
  if (issue.code === 'unrecognized_keys') return new AppError('bad_request', `${issue.keys[0] ?? 'body'}: unknown field`);
  const where = issue.path.map(String).join('.') || 'body';
  return new AppError('bad_request', `${where}: ${issue.message}`);
}

/**
 * Silences one group of one rule until `until` (a time in the past lifts a silence). The group must
 * name exactly the rule's group_by fields; its warehouse must be in the caller's scope.
 */
export async function silenceGroup(args: { ruleId: string; body: string; scope: Scope; actor: string; now: number }): Promise<SilenceResult> {
  const rule = alertConfig().rules.find((r) => r.id === args.ruleId);
  if (!rule) throw new AppError('not_found', `rule_id: no alert rule "${args.ruleId.slice(0, 128)}"`);
  let json: unknown;
  try {
    json = JSON.parse(args.body);
  } catch {
    throw new AppError('bad_request', 'body: not valid JSON; send {"group": {…}, "until": "<RFC 3339>"}');
  }
  const parsed = silenceBody.safeParse(json);
  if (!parsed.success) throw badBody(parsed.error.issues[0]!);
  const { group: given, until: rawUntil } = parsed.data;
  const fields = rule.group_by.length ? rule.group_by.join(', ') : 'nothing';
  for (const k of Object.keys(given)) {
    if (!(rule.group_by as readonly string[]).includes(k)) {
      throw new AppError('bad_request', `group.${k.slice(0, 64)}: not a group field of rule "${rule.id}" (it groups by ${fields})`);
    }
  }
  const group: Group = {};
  for (const f of rule.group_by) {
    if (!Object.hasOwn(given, f)) throw new AppError('bad_request', `group.${f}: required (rule "${rule.id}" groups by ${fields})`);
    group[f] = given[f] ?? null;
  }
  const until = parseTimeParam('until', rawUntil);
  if (until - args.now > MAX_SILENCE_MS) throw new AppError('bad_request', 'until: at most 366 days ahead');
  if (!args.scope.all) {
    const wh = group.warehouse_id;
    if (typeof wh !== 'string') throw new AppError('forbidden', 'group: groups without a warehouse_id need access to every warehouse');
    if (!args.scope.warehouses.includes(wh)) throw new AppError('forbidden', 'group.warehouse_id: outside your scope');
  }
  const createdBy = args.actor;
  await saveSilence({ rule_id: rule.id, group_key: groupKey(group), group, until, created_at: args.now, created_by: createdBy }, args.now);
  invalidateReads(); // every read that starts after this answer sees the silence
  const action = until <= args.now ? 'lifted' : 'silenced';
  return { rule_id: rule.id, group, until: iso(until), created_at: iso(args.now), created_by: createdBy, action };
}
