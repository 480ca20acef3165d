/** Alerts and freshness (docs/alerts.md): rules, evaluation, webhooks, silences. */
export { loadAlertRules, alertConfig, parseAlertRules, parseWebhooks, type AlertConfig, type Rule, type Webhook } from './rules';
export { startAlertScheduler, stopAlertScheduler, evaluateOnce, resetAlertEngine, deliveriesIdle } from './scheduler';
export { alertsOverview, silenceGroup, alertsResponse, silenceItem, silenceResult, activeItem, type AlertsResponse, type SilenceItem, type SilenceResult, type ActiveItem } from './read';
export { alertBody, type AlertBody, type Group } from './model';
export { signature } from './deliver';
