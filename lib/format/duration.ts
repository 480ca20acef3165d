/** Humanized durations ("2 h 14 m"): two units at most, because a glance needs magnitude, not precision. */
const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

const NONE = '—';

function trimDecimal(v: number): string {
  return v.toFixed(1).replace(/\.0$/, '');
}

function pair(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small > 0 ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`;
}

/** Seconds → "250 ms", "28.8 s", "4 m 30 s", "2 h 14 m", "3 d 4 h". Null/NaN → "—". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return NONE;
  const sign = seconds < 0 ? '−' : '';
  const s = Math.abs(seconds);
  if (s === 0) return '0 s';
  if (s < 1) return `${sign}${Math.max(1, Math.round(s * 1000))} ms`;
  if (s < MINUTE) {
    const shown = trimDecimal(s);
    // 59.96 s rounds to "60 s": say "1 m" instead.
    if (shown !== '60') return `${sign}${shown} s`;
  }
  // Round to whole seconds first so the carry between units is exact.
  const total = Math.round(s);
  if (total < HOUR) return sign + pair(Math.floor(total / MINUTE), 'm', total % MINUTE, 's');
  const mins = Math.round(total / MINUTE);
  if (mins < 24 * 60) return sign + pair(Math.floor(mins / 60), 'h', mins % 60, 'm');
  const hours = Math.round(total / HOUR);
  return sign + pair(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

/** A change between two durations: "+2 h 14 m", "−45 s", "±0 s". */
export function formatDurationChange(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return NONE;
  if (seconds === 0) return '±0 s';
  return seconds > 0 ? `+${formatDuration(seconds)}` : formatDuration(seconds);
}

/** Short axis tick: one unit only ("15 m", "2 h", "3 d"). */
export function formatDurationTick(seconds: number): string {
  if (!Number.isFinite(seconds)) return '';
  const s = Math.abs(seconds);
  const sign = seconds < 0 ? '−' : '';
  if (s < MINUTE) return `${sign}${Math.round(s)} s`;
  if (s < HOUR) return `${sign}${trimDecimal(s / MINUTE)} m`;
  if (s < DAY) return `${sign}${trimDecimal(s / HOUR)} h`;
  return `${sign}${trimDecimal(s / DAY)} d`;
}
