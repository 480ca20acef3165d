import type { CanonicalEvent } from '@/lib/events';
import type { EventRow } from '@/lib/events/row';
import type { ParseFailure } from './parse';

/** Why a line did not become a stored event. Every drop carries exactly one. */
export type DropKind = ParseFailure | 'not_an_object' | 'invalid_event' | 'duplicate_in_batch' | 'duplicate_stored';

export interface Drop {
  line: number;
  event_id: string | null;
  kind: DropKind;
  reason: string;
  raw: string;
  event?: CanonicalEvent;
}

export interface Accepted {
  line: number;
  event: CanonicalEvent;
  row: EventRow;
}

export interface IngestError {
  line: number;
  event_id: string | null;
  reason: string;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: IngestError[];
}

export const isDuplicate = (d: Drop): boolean => d.kind === 'duplicate_in_batch' || d.kind === 'duplicate_stored';

export function summarize(accepted: number, drops: readonly Drop[]): IngestResult {
  const rejected = drops.filter((d) => !isDuplicate(d));
  return {
    accepted,
    duplicates: drops.length - rejected.length,
    rejected: rejected.length,
    errors: rejected.map((d) => ({ line: d.line, event_id: d.event_id, reason: d.reason })).sort((a, b) => a.line - b.line),
  };
}
