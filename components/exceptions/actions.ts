'use client';
import { useCallback } from 'react';
import { useSWRConfig } from 'swr';
import { type ApiError, postJson } from '@/components/data/fetcher';
import type { ExceptionItem } from '@/components/data/types';

export type ActionKind = 'acknowledge' | 'assign' | 'resolve';

export interface ActionInput {
  kind: ActionKind;
  owner?: string;
  resolution?: string;
}

export interface ActionOutcome {
  ok: string[];
  failed: { id: string; message: string }[];
}

const body = (a: ActionInput) => (a.kind === 'assign' ? { owner: a.owner ?? '' } : a.kind === 'resolve' ? { resolution: a.resolution ?? '' } : {});

/** What each action needs from the current state; the API still has the last word (409 on double resolve). */
export function allowed(kind: ActionKind, item: Pick<ExceptionItem, 'status'>): boolean {
  if (item.status === 'resolved') return false;
  return kind !== 'acknowledge' || item.status === 'open';
}

export const exceptionPath = (id: string) => `/api/v1/exceptions/${encodeURIComponent(id)}`;

/**
 * Runs one action over one or many exceptions (a few at a time, so a bulk of 200 does not flood the
 * server), then revalidates everything an action can change: the queue, the detail, and every KPI.
 */
export function useExceptionActions(revalidateList: () => Promise<unknown>) {
  const { mutate } = useSWRConfig();
  return useCallback(
    async (ids: readonly string[], action: ActionInput): Promise<ActionOutcome> => {
      const out: ActionOutcome = { ok: [], failed: [] };
      const queue = [...ids];
      const worker = async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          try {
            await postJson(`${exceptionPath(id)}/${action.kind}`, body(action));
            out.ok.push(id);
          } catch (e) {
            out.failed.push({ id, message: (e as ApiError).message });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
      await Promise.all([
        revalidateList(),
        mutate((key) => typeof key === 'string' && (key.startsWith('/api/v1/kpi/') || key.startsWith('/api/v1/exceptions/'))),
      ]);
      return out;
    },
    [mutate, revalidateList],
  );
}

export function describeOutcome(kind: ActionKind, o: ActionOutcome): string {
  const verb = kind === 'acknowledge' ? 'Acknowledged' : kind === 'assign' ? 'Assigned' : 'Resolved';
  const done = o.ok.length ? `${verb} ${o.ok.length === 1 ? o.ok[0] : `${o.ok.length} exceptions`}.` : '';
  const bad = o.failed.map((f) => `${f.id}: ${f.message}`).join('; ');
  return [done, bad ? `Failed — ${bad}` : ''].filter(Boolean).join(' ');
}
