import type { CorrelationResponse } from '@/components/data/types';
import { formatDuration } from '@/lib/format/duration';
import { formatDateTime } from '@/lib/format/time';

/** Reached stages with the time each took since the previous one, then the expected ones still missing. */
export function Stages({ c, tz }: { c: CorrelationResponse; tz: string }) {
  if (c.stages.length === 0 && c.missing_stages.length === 0) {
    return <p className="text-sm text-slate-500">This workflow has no expected stages.</p>;
  }
  return (
    <ol className="flex flex-wrap items-stretch gap-2" aria-label="Stages">
      {c.stages.map((s) => (
        <li key={s.stage} className="flex items-center gap-2">
          {s.since_previous_seconds !== null ? (
            <span className="text-xs text-slate-500 tabular-nums dark:text-slate-400" aria-label={`after ${formatDuration(s.since_previous_seconds)}`}>
              → {formatDuration(s.since_previous_seconds)} →
            </span>
          ) : null}
          <span className="rounded-md border border-emerald-400 bg-emerald-50 px-2 py-1 text-xs dark:border-emerald-700 dark:bg-emerald-950/40">
            <span className="block font-semibold">{s.stage}</span>
            <span className="block text-slate-600 dark:text-slate-400">{formatDateTime(s.at, tz)}</span>
            <ClockText clock={c.stage_clocks.find((k) => k.stage === s.stage)} />
          </span>
        </li>
      ))}
      {c.missing_stages.map((m) => (
        <li key={m} className="flex items-center gap-2">
          <span className="text-xs text-slate-400">→</span>
          <span data-testid="missing-stage" className="rounded-md border-2 border-dashed border-red-500 bg-red-50 px-2 py-1 text-xs text-red-800 dark:bg-red-950/40 dark:text-red-200">
            <span className="block font-semibold">{m}</span>
            <span className="block">missing</span>
          </span>
        </li>
      ))}
    </ol>
  );
}

type Clock = CorrelationResponse['stage_clocks'][number];
const CLOCK_TONE: Record<Clock['state'], string> = {
  in_time: 'text-emerald-700 dark:text-emerald-400',
  late: 'text-amber-700 dark:text-amber-400',
  waiting: 'text-sky-700 dark:text-sky-400',
  overdue: 'text-red-700 font-semibold dark:text-red-400',
};

/** The stage's clock against its SLA (metrics.md §8): in time, late by X, waiting, or overdue by X. */
function ClockText({ clock }: { clock: Clock | undefined }) {
  if (!clock) return null;
  const sla = formatDuration(clock.slo_seconds);
  const text =
    clock.state === 'in_time'
      ? `next stage in time (SLA ${sla})`
      : clock.state === 'late'
        ? `next stage late by ${formatDuration(clock.late_by_seconds)} (SLA ${sla})`
        : clock.state === 'waiting'
          ? `waiting ${formatDuration(clock.elapsed_seconds)} of ${sla}`
          : `waiting, overdue by ${formatDuration(clock.late_by_seconds)} (SLA ${sla})`;
  return (
    <span data-testid="stage-clock" data-state={clock.state} className={`block ${CLOCK_TONE[clock.state]}`}>
      {text}
    </span>
  );
}
