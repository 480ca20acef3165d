'use client';
import { type FormEvent, useState } from 'react';
import type { ActionInput } from './actions';

const btn = 'rounded px-2 py-1 text-xs font-medium disabled:cursor-not-allowed disabled:opacity-50';
const input = 'w-36 rounded border border-slate-300 bg-white px-2 py-1 text-xs dark:border-slate-700 dark:bg-slate-900';

interface Props {
  /** Label suffix for screen readers, e.g. "EXC-31" or "3 selected". */
  target: string;
  canAcknowledge: boolean;
  canAssign: boolean;
  canResolve: boolean;
  busy: boolean;
  onAction: (a: ActionInput) => void;
}

/** Acknowledge / assign (owner) / resolve (resolution), shared by the detail panel and the bulk bar. */
export function ActionForms({ target, canAcknowledge, canAssign, canResolve, busy, onAction }: Props) {
  const [owner, setOwner] = useState('');
  const [resolution, setResolution] = useState('');
  const assign = (e: FormEvent) => {
    e.preventDefault();
    if (owner.trim()) onAction({ kind: 'assign', owner: owner.trim() });
  };
  const resolve = (e: FormEvent) => {
    e.preventDefault();
    if (resolution.trim()) onAction({ kind: 'resolve', resolution: resolution.trim() });
  };
  return (
    <div className="flex flex-wrap items-center gap-2">
      <button
        type="button"
        disabled={busy || !canAcknowledge}
        onClick={() => onAction({ kind: 'acknowledge' })}
        aria-label={`Acknowledge ${target}`}
        className={`${btn} bg-amber-500 text-white hover:bg-amber-600`}
      >
        Acknowledge
      </button>
      <form onSubmit={assign} className="flex items-center gap-1">
        <input aria-label={`Owner for ${target}`} placeholder="owner" value={owner} onChange={(e) => setOwner(e.target.value)} disabled={!canAssign} className={input} />
        <button type="submit" disabled={busy || !canAssign || !owner.trim()} aria-label={`Assign ${target}`} className={`${btn} bg-sky-600 text-white hover:bg-sky-700`}>
          Assign
        </button>
      </form>
      <form onSubmit={resolve} className="flex items-center gap-1">
        <input aria-label={`Resolution for ${target}`} placeholder="resolution" value={resolution} onChange={(e) => setResolution(e.target.value)} disabled={!canResolve} className={input} />
        <button type="submit" disabled={busy || !canResolve || !resolution.trim()} aria-label={`Resolve ${target}`} className={`${btn} bg-emerald-600 text-white hover:bg-emerald-700`}>
          Resolve
        </button>
      </form>
    </div>
  );
}
