'use client';
import { useLive } from './live';

export function RefreshToggle() {
  const { paused, setPaused } = useLive();
  return (
    <button
      type="button"
      onClick={() => setPaused(!paused)}
      aria-pressed={paused}
      aria-label={paused ? 'Resume auto refresh' : 'Pause auto refresh'}
      title={paused ? 'Auto refresh paused' : 'Refreshing every 30 s'}
      className={`inline-flex items-center gap-1 rounded border px-2 py-1 text-xs font-medium ${
        paused
          ? 'border-amber-400 bg-amber-50 text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200'
          : 'border-slate-300 text-slate-700 hover:bg-slate-100 dark:border-slate-700 dark:text-slate-300 dark:hover:bg-slate-800'
      }`}
    >
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${paused ? 'bg-amber-500' : 'animate-pulse bg-emerald-500'}`} />
      {paused ? 'Paused' : 'Live 30 s'}
    </button>
  );
}
