'use client';
import { hintsFor, LagHints, useLagHints } from '@/components/sync/LagHints';
import type { ActiveAlert, AlertRule } from './types';

const SYNC_METRICS = new Set(['sync_lag_p95', 'sync_failure_rate']);

/**
 * Next to a firing sync_lag_p95 / sync_failure_rate alert of one warehouse: the lag hints (metrics.md §10)
 * over the rule's own window ending now, narrowed to the alert's route and interface when it groups by
 * them. Only the page shows them; webhook bodies stay as alerts.md defines them.
 */
export function AlertHints({ alert, rule, now }: { alert: ActiveAlert; rule: AlertRule | undefined; now: number }) {
  const wh = alert.group.warehouse_id;
  const windowS = rule?.kind === 'threshold' ? rule.window_s : undefined;
  const wanted = SYNC_METRICS.has(alert.metric) && typeof wh === 'string' && windowS !== undefined;
  const hints = useLagHints(wanted ? { from: new Date(now - windowS * 1000).toISOString(), to: new Date(now).toISOString(), warehouse: [wh] } : null);
  if (!wanted) return <span className="text-slate-400">—</span>;
  const g = alert.group;
  const shown = hintsFor(hints.data, wh).filter(
    (h) =>
      (!('source_system' in g) || g.source_system === h.source_system) &&
      (!('target_system' in g) || g.target_system === h.target_system) &&
      (!('interface' in g) || g.interface === h.interface),
  );
  if (hints.data === undefined) return <span className="text-slate-400">…</span>;
  if (shown.length === 0) return <span className="text-slate-400">no single route stands out</span>;
  return <LagHints hints={shown} warehouse={wh} />;
}
