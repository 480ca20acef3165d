import type { ApiEvent, CorrelationResponse } from '@/components/data/types';

export const isFailedMessage = (e: ApiEvent): boolean =>
  e.type === 'sync.message' && (e.attributes.status === 'failed' || e.attributes.status === 'dead_lettered');

/** The server decides the workflow (its earliest business event), so the page and the Flow view agree. */
export const workflowOf = (c: CorrelationResponse): string => c.workflow ?? 'no business event';

export function spanOf(c: CorrelationResponse): { first: number; last: number } | null {
  if (c.events.length === 0) return null;
  const ts = c.events.map((e) => Date.parse(e.occurred_at));
  return { first: Math.min(...ts), last: Math.max(...ts) };
}
