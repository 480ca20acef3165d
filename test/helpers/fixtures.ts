import fs from 'node:fs';
import path from 'node:path';

/** The project's worked example (docs/metrics.md): one valid event of every common type. */
const EXAMPLES_FILE = path.join(import.meta.dirname, '..', 'fixtures', 'examples.ndjson');

/** The example file's non-blank lines, as written. */
export function exampleLines(): string[] {
  return fs
    .readFileSync(EXAMPLES_FILE, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
}

/** The example events, parsed (a fresh copy per call, so callers may mutate them). */
export function exampleEvents(): Record<string, unknown>[] {
  return exampleLines().map((l) => JSON.parse(l) as Record<string, unknown>);
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
