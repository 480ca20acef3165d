'use client';
import { type FormEvent, useState } from 'react';
import type { ApiError } from '@/components/data/fetcher';
import { formatDateTime, utcToZonedWall, zonedWallToUtc } from '@/lib/format/time';
import type { AlertGroup } from './types';
import { useSilence } from './use-alerts';

const PRESETS: [string, number][] = [
  ['1 h', 3_600_000],
  ['4 h', 4 * 3_600_000],
  ['24 h', 86_400_000],
  ['7 d', 7 * 86_400_000],
];
const btn = 'rounded px-2 py-1 text-xs font-medium disabled:cursor-not-allowed disabled:opacity-50';

interface Props {
  ruleId: string;
  group: AlertGroup;
  /** Screen-reader name of the group, e.g. "lag-p95 warehouse DC-DAL". */
  target: string;
  tz: string;
  silencedUntil: string | null;
}

/**
 * Silence one group until a chosen time: quick presets or a date-time in the display time zone.
 * A silenced group can be lifted again (a silence until now).
 */
export function SilenceForm({ ruleId, group, target, tz, silencedUntil }: Props) {
  const silence = useSilence();
  const [open, setOpen] = useState(false);
  const [wall, setWall] = useState(() => utcToZonedWall(Date.now() + 3_600_000, tz));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const run = async (until: Date) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const res = await silence(ruleId, group, until);
      // A new silence shows in the row itself; a lift leaves nothing there to say it worked.
      setDone(res.action === 'lifted' ? 'Silence lifted.' : null);
      setOpen(false);
    } catch (e) {
      setError((e as ApiError).message);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const ms = zonedWallToUtc(wall, tz);
    if (ms === null) return setError('Pick a date and time.');
    if (ms <= Date.now()) return setError('"Until" must be in the future.');
    void run(new Date(ms));
  };

  return (
    <div className="min-w-48 space-y-1">
      {silencedUntil ? (
        <div className="flex flex-wrap items-center gap-2 text-xs text-slate-600 dark:text-slate-400">
          <span>Silenced until {formatDateTime(silencedUntil, tz)}</span>
          <button type="button" disabled={busy} onClick={() => void run(new Date())} aria-label={`Lift the silence of ${target}`} className={`${btn} border border-slate-300 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800`}>
            Lift
          </button>
        </div>
      ) : null}
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen((v) => !v)}
        aria-label={`${silencedUntil ? 'Change the silence of' : 'Silence'} ${target}`}
        className={`${btn} bg-slate-700 text-white hover:bg-slate-800 dark:bg-slate-200 dark:text-slate-900`}
      >
        {silencedUntil ? 'Change…' : 'Silence…'}
      </button>
      {open ? (
        <form onSubmit={submit} className="space-y-1 rounded border border-slate-200 p-2 dark:border-slate-700">
          <div role="group" aria-label={`Silence ${target} for`} className="flex flex-wrap gap-1">
            {PRESETS.map(([label, ms]) => (
              <button key={label} type="button" disabled={busy} onClick={() => void run(new Date(Date.now() + ms))} className={`${btn} border border-slate-300 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800`}>
                {label}
              </button>
            ))}
          </div>
          <label className="flex flex-wrap items-center gap-1 text-xs">
            <span>Until ({tz})</span>
            <input
              type="datetime-local"
              name="until"
              value={wall}
              onChange={(e) => setWall(e.target.value)}
              className="rounded border border-slate-300 bg-white px-1 py-0.5 text-xs dark:border-slate-700 dark:bg-slate-900"
            />
          </label>
          <button type="submit" disabled={busy} aria-label={`Silence ${target} until the chosen time`} className={`${btn} bg-sky-600 text-white hover:bg-sky-700`}>
            Silence until
          </button>
        </form>
      ) : null}
      {done && !error ? (
        <p role="status" className="text-xs text-slate-600 dark:text-slate-400">
          {done}
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="text-xs text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
    </div>
  );
}
