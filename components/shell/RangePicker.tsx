'use client';
import { type FormEvent, useState } from 'react';
import { formatDateTime, PRESET_LABELS, PRESETS, type Preset, utcToZonedWall, zonedWallToUtc } from '@/lib/format/time';
import { browserTimeZone, useQueryState, useRange } from './url-state';

const ZONES = ['UTC', 'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'Europe/London', 'Europe/Berlin', 'Asia/Singapore'];
const btn = 'px-2 py-1 text-xs font-medium border-slate-300 dark:border-slate-700';

/** Presets and a custom from/to (entered in the display time zone); all of it lives in the URL. */
export function RangePicker() {
  const range = useRange();
  const { set } = useQueryState();
  const [custom, setCustom] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const pick = (p: Preset) => {
    setCustom(false);
    set({ preset: p, from: null, to: null });
  };

  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    const from = zonedWallToUtc(String(fd.get('from') ?? ''), range.tz);
    const to = zonedWallToUtc(String(fd.get('to') ?? ''), range.tz);
    if (from === null || to === null) return setError('Enter both times.');
    if (from >= to) return setError('"From" must be before "to".');
    setError(null);
    setCustom(false);
    set({ preset: null, from: new Date(from).toISOString(), to: new Date(to).toISOString() });
  };

  return (
    <div className="relative flex flex-wrap items-center gap-2">
      <div role="group" aria-label="Time range" className="inline-flex overflow-hidden rounded border border-slate-300 dark:border-slate-700">
        {(Object.keys(PRESETS) as Preset[]).map((p) => (
          <button
            key={p}
            type="button"
            aria-pressed={range.preset === p}
            onClick={() => pick(p)}
            className={`${btn} border-r ${range.preset === p ? 'bg-sky-600 text-white' : 'hover:bg-slate-100 dark:hover:bg-slate-800'}`}
          >
            {PRESET_LABELS[p]}
          </button>
        ))}
        <button
          type="button"
          aria-pressed={range.preset === null}
          aria-expanded={custom}
          onClick={() => setCustom((v) => !v)}
          className={`${btn} ${range.preset === null ? 'bg-sky-600 text-white' : 'hover:bg-slate-100 dark:hover:bg-slate-800'}`}
        >
          Custom
        </button>
      </div>
      <span className="text-xs text-slate-500 tabular-nums dark:text-slate-400" aria-live="polite">
        {formatDateTime(range.from, range.tz)} – {formatDateTime(range.to, range.tz)}
      </span>
      <label className="text-xs">
        <span className="sr-only">Time zone</span>
        <select
          aria-label="Time zone"
          value={range.tz}
          onChange={(e) => set({ tz: e.target.value })}
          className="rounded border border-slate-300 bg-white px-1 py-1 text-xs dark:border-slate-700 dark:bg-slate-900"
        >
          {[...new Set([browserTimeZone(), range.tz, ...ZONES])].map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </label>
      {custom ? (
        <form onSubmit={apply} aria-label="Custom time range" className="absolute left-0 top-full z-30 mt-1 flex flex-wrap items-end gap-2 rounded-md border border-slate-200 bg-white p-3 shadow-lg dark:border-slate-700 dark:bg-slate-900">
          <label className="flex flex-col text-xs">
            From ({range.tz})
            <input name="from" type="datetime-local" required defaultValue={utcToZonedWall(range.from, range.tz)} className="mt-1 rounded border border-slate-300 px-1 py-1 dark:border-slate-700 dark:bg-slate-800" />
          </label>
          <label className="flex flex-col text-xs">
            To ({range.tz})
            <input name="to" type="datetime-local" required defaultValue={utcToZonedWall(range.to, range.tz)} className="mt-1 rounded border border-slate-300 px-1 py-1 dark:border-slate-700 dark:bg-slate-800" />
          </label>
          <button type="submit" className="rounded bg-sky-600 px-3 py-1 text-xs font-medium text-white hover:bg-sky-700">
            Apply
          </button>
          {error ? (
            <p role="alert" className="w-full text-xs text-red-700 dark:text-red-400">
              {error}
            </p>
          ) : null}
        </form>
      ) : null}
    </div>
  );
}
