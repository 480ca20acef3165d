import crypto from 'node:crypto';
import { withLane } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { enqueue, type Delivery } from './deliver';
import { breaches, ruleValues, type GroupValue } from './metrics';
import { dashboardUrl, iso, metricOf, thresholdOf, type AlertBody } from './model';
import { alertConfig, type Rule } from './rules';
import { appendLog, loadSilences, loadStates, loadUndelivered, saveStates, type AlertState, type LogRow } from './state';

/**
 * One evaluation cycle. The store is the only memory: every cycle reads the persisted state, so a
 * restarted process continues exactly where the last one stopped (no second `firing` for a breach that
 * was already announced, one `resolved` for a breach that ended meanwhile).
 *
 * What receivers hear is reconciled, not derived from transitions: a group is sent its current state
 * whenever that differs from what it was last sent and it is not silenced. So a transition sends exactly
 * once, a silenced group sends nothing, and at the end of a silence the current state goes out once.
 */
export interface EvalSummary {
  rules: number;
  firing: number;
  sent: number;
  failed_rules: string[];
}

export interface EngineMemory {
  /** The outbox is replayed once per process (per engine reset in tests). */
  recovered: boolean;
}

const OUTBOX_HORIZON_MS = 24 * 3_600_000;
const keyOf = (ruleId: string, groupKey: string) => `${ruleId}\u0000${groupKey}`;

function fresh(rule: Rule, gv: GroupValue, now: number): AlertState {
  return {
    rule_id: rule.id,
    group_key: gv.key,
    group: gv.group,
    status: 'ok',
    metric: metricOf(rule),
    severity: rule.severity,
    value: null,
    threshold: thresholdOf(rule),
    pending_since: null,
    started_at: null,
    ended_at: null,
    notified: '',
    notified_at: null,
    evaluated_at: now,
    version: 0,
  };
}

/** The state machine of alerts.md: ok → (pending for `for_s`) → firing → ok. */
function advance(rule: Rule, prev: AlertState, value: number | null, now: number): { next: AlertState; transition: 'firing' | 'resolved' | null } {
  const op = rule.kind === 'threshold' ? rule.op : '>';
  const threshold = thresholdOf(rule);
  const next: AlertState = { ...prev, value, threshold, metric: metricOf(rule), severity: rule.severity, evaluated_at: now, version: prev.version + 1 };
  if (breaches(op, value, threshold)) {
    if (prev.status === 'firing') return { next, transition: null };
    const since = prev.status === 'pending' && prev.pending_since !== null ? prev.pending_since : now;
    if (now - since >= rule.for_s * 1000) {
      return { next: { ...next, status: 'firing', pending_since: null, started_at: now, ended_at: null }, transition: 'firing' };
    }
    return { next: { ...next, status: 'pending', pending_since: since }, transition: null };
  }
  if (prev.status === 'firing') return { next: { ...next, status: 'ok', pending_since: null, ended_at: now }, transition: 'resolved' };
  return { next: { ...next, status: 'ok', pending_since: null }, transition: null };
}

export function bodyOf(rule: Rule, s: AlertState, status: 'firing' | 'resolved', now: number): AlertBody {
  return {
    status,
    rule_id: rule.id,
    severity: rule.severity,
    group: s.group,
    metric: metricOf(rule),
    value: s.value,
    threshold: thresholdOf(rule),
    started_at: iso(s.started_at ?? now),
    ended_at: status === 'resolved' ? iso(s.ended_at ?? now) : null,
    dashboard_url: dashboardUrl(rule, s.group),
  };
}

interface Cycle {
  now: number;
  states: AlertState[];
  log: LogRow[];
  deliveries: Delivery[];
}

function logRow(c: Cycle, s: AlertState, kind: LogRow['kind'], status: 'firing' | 'resolved', id: string, webhook: string, body: string): LogRow {
  return { at: c.now, id, kind, rule_id: s.rule_id, group_key: s.group_key, warehouse_id: s.group.warehouse_id ?? null, status, webhook, attempts: 0, error: '', body };
}

function send(c: Cycle, rule: Rule, s: AlertState, status: 'firing' | 'resolved'): AlertState {
  const body = JSON.stringify(bodyOf(rule, s, status, c.now));
  const id = crypto.randomUUID();
  for (const webhook of rule.notify) {
    c.log.push(logRow(c, s, 'send', status, id, webhook, body));
    c.deliveries.push({ id, at: c.now, webhook, rule_id: s.rule_id, group_key: s.group_key, warehouse_id: s.group.warehouse_id ?? null, status, body });
  }
  return { ...s, notified: status, notified_at: c.now };
}

function stepGroup(c: Cycle, rule: Rule, prev: AlertState | undefined, gv: GroupValue, silenced: boolean): void {
  const base = prev ?? fresh(rule, gv, c.now);
  const { next: advanced, transition } = advance(rule, base, gv.value, c.now);
  let next = advanced;
  if (transition) {
    const body = JSON.stringify(bodyOf(rule, next, transition, c.now));
    c.log.push(logRow(c, next, 'transition', transition, crypto.randomUUID(), '', body));
  }
  if (!silenced) {
    const want = next.status === 'firing' ? 'firing' : next.notified === 'firing' ? 'resolved' : null;
    const repeatDue =
      want === 'firing' && rule.repeat_s !== undefined && next.notified_at !== null && c.now - next.notified_at >= rule.repeat_s * 1000;
    if (want !== null && (want !== next.notified || repeatDue)) next = send(c, rule, next, want);
  }
  const changed = !prev || prev.status !== next.status || prev.notified_at !== next.notified_at || next.status !== 'ok';
  if (changed) c.states.push(next);
}

async function recoverOutbox(now: number): Promise<void> {
  const hooks = alertConfig().webhooks;
  for (const n of await loadUndelivered(now - OUTBOX_HORIZON_MS)) {
    if (!Object.hasOwn(hooks, n.webhook)) continue;
    enqueue({ id: n.id, at: n.at_ms, webhook: n.webhook, rule_id: n.rule_id, group_key: n.group_key, warehouse_id: n.warehouse_id, status: n.status, body: n.body });
  }
}

export async function evaluate(now: number, memory: EngineMemory): Promise<EvalSummary> {
  return withLane('bulk', () => withSpan('alerts.evaluate', {}, async () => {
    const { rules } = alertConfig();
    if (!memory.recovered) {
      await recoverOutbox(now);
      memory.recovered = true;
    }
    const [states, silences] = await Promise.all([loadStates(rules.map((r) => r.id)), loadSilences(now)]);
    const byKey = new Map(states.map((s) => [keyOf(s.rule_id, s.group_key), s]));
    const silenced = new Set(silences.map((s) => keyOf(s.rule_id, s.group_key)));
    const c: Cycle = { now, states: [], log: [], deliveries: [] };
    const failed: string[] = [];
    for (const rule of rules) {
      let values: GroupValue[];
      try {
        values = await ruleValues(rule, now);
      } catch (err) {
        // A failed query changes nothing: an unanswered question must not read as "resolved".
        console.error(`[alerts] rule ${rule.id}: evaluation failed: ${err instanceof Error ? err.message : String(err)}`);
        failed.push(rule.id);
        continue;
      }
      const current = new Map(values.map((v) => [v.key, v]));
      // Groups known from earlier cycles but absent now have an empty population (value null), except
      // a silent feed: it stays silent past the 7-day horizon; alerts.md resolves it when an event arrives.
      for (const s of states) {
        if (s.rule_id !== rule.id || current.has(s.group_key)) continue;
        const last = s.value;
        const stillSilent = rule.kind === 'freshness' && s.status === 'firing' && last !== null;
        current.set(s.group_key, { group: s.group, key: s.group_key, value: stillSilent ? last + (now - s.evaluated_at) / 1000 : null });
      }
      for (const gv of current.values()) {
        const k = keyOf(rule.id, gv.key);
        stepGroup(c, rule, byKey.get(k), gv, silenced.has(k));
      }
    }
    // State first: should the process stop right here, it restarts knowing what it announced.
    await saveStates(c.states);
    await appendLog(c.log);
    for (const d of c.deliveries) enqueue(d);
    const firing = c.states.filter((s) => s.status === 'firing').length;
    return { rules: rules.length, firing, sent: c.deliveries.length, failed_rules: failed };
  }));
}
