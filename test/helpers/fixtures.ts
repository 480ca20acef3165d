import fs from 'node:fs';
import path from 'node:path';

/**
 * The spec's own examples: one valid event of every common type (../shared/spec/examples.ndjson), as a
 * feed sends them. Its triage examples speak as `control-tower`, which ingest refuses from a feed (only
 * lib/triage writes it), so here they come from a service desk feed instead; nothing else changes.
 */
export function specExamples(): Record<string, unknown>[] {
  const file = path.resolve(process.cwd(), '..', 'shared', 'spec', 'examples.ndjson');
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .map((e) => (e.source_system === 'control-tower' ? { ...e, source_system: 'SERVICEDESK' } : e));
}

let n = 0;
/** A valid sync.message with overrides; ids are unique per call unless given. */
export function syncMessage(over: Record<string, unknown> = {}, attrs: Record<string, unknown> = {}): Record<string, unknown> {
  n++;
  return {
    event_id: `sm-${n}`,
    type: 'sync.message',
    occurred_at: '2026-10-14T09:00:00.000Z',
    observed_at: '2026-10-14T09:00:10.000Z',
    source_system: 'WMS',
    target_system: 'ERP',
    warehouse_id: 'DC-ATL',
    correlation_id: `C-${n}`,
    ...over,
    attributes: { status: 'delivered', interface: 'pick_events', ...attrs },
  };
}

export function businessEvent(type: string, over: Record<string, unknown> = {}, attrs: Record<string, unknown> = {}): Record<string, unknown> {
  n++;
  return {
    event_id: `be-${n}`,
    type,
    occurred_at: '2026-10-14T09:00:00.000Z',
    source_system: 'ERP',
    warehouse_id: 'DC-ATL',
    correlation_id: `C-${n}`,
    workflow: 'order_to_cash',
    ...over,
    attributes: { ...attrs },
  };
}
