/**
 * GET /api/v1/alerts as the page reads it (shared/spec/alerts.md). Plain TS on purpose: pages may not
 * import the server-side zod modules.
 */
import type { Severity } from '@/components/data/types';

export type GroupField = 'warehouse_id' | 'source_system' | 'target_system' | 'interface';
export type AlertGroup = Partial<Record<GroupField, string | null>>;

export interface AlertItem {
  status: 'firing' | 'resolved';
  rule_id: string;
  severity: Severity;
  group: AlertGroup;
  metric: string;
  value: number | null;
  threshold: number;
  started_at: string;
  ended_at: string | null;
  dashboard_url: string;
}

export interface ActiveAlert extends AlertItem {
  evaluated_at: string;
  silenced_until: string | null;
}

export interface AlertSilence {
  rule_id: string;
  group: AlertGroup;
  until: string;
  created_at: string;
  created_by: string;
}

/** POST …/silence answers the silence and what it did (an `until` already past lifts it). */
export interface AlertSilenceResult extends AlertSilence {
  action: 'silenced' | 'lifted';
}

export interface AlertRule {
  id: string;
  kind: 'threshold' | 'freshness';
  severity: Severity;
  group_by: GroupField[];
  match: Partial<Record<GroupField, string[]>>;
  notify: string[];
  for_s: number;
  repeat_s?: number;
  metric?: string;
  op?: '>' | '>=' | '<' | '<=';
  value?: number;
  window_s?: number;
  event_type?: string;
  max_silence_s?: number;
}

export interface AlertsResponse {
  now: string;
  active: ActiveAlert[];
  history: AlertItem[];
  silences: AlertSilence[];
  rules: AlertRule[];
}

export const ALERTS_PATH = '/api/v1/alerts';
