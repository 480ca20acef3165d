/**
 * GET /api/v1/alerts as the server's zod schema defines it (lib/alerts/read.ts). Type-only imports: erased
 * at build time, so no server code reaches the browser bundle.
 */
import type { AlertsResponse, SilenceResult } from '@/lib/alerts/read';

export type { AlertsResponse };
export type { GroupField } from '@/lib/alerts/rules';
export type { Group as AlertGroup } from '@/lib/alerts/model';
export type AlertItem = AlertsResponse['history'][number];
export type ActiveAlert = AlertsResponse['active'][number];
export type AlertSilence = AlertsResponse['silences'][number];
export type AlertRule = AlertsResponse['rules'][number];
/** POST …/silence: the silence and what it did (an `until` already past lifts it). */
export type AlertSilenceResult = SilenceResult;

export const ALERTS_PATH = '/api/v1/alerts';
