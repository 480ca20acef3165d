/** Time ranges, time zones and timestamps as the dashboard shows them (all state is URL-shareable). */
export const PRESETS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type Preset = keyof typeof PRESETS;
export const PRESET_LABELS: Record<Preset, string> = { '1h': '1 h', '24h': '24 h', '7d': '7 d', '30d': '30 d' };
export const DEFAULT_PRESET: Preset = '24h';

export const isPreset = (v: string | null | undefined): v is Preset => v !== null && v !== undefined && v in PRESETS;

/** RFC 3339 or YYYY-MM-DD (UTC midnight), like the API; anything else is null. */
export function parseTime(v: string | null | undefined): number | null {
  if (!v) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return Date.parse(`${v}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v)) return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : null;
}

export interface ResolvedRange {
  from: number;
  to: number;
  /** null for a custom range. */
  preset: Preset | null;
}

/** URL params → a window. A broken custom range falls back to the default preset rather than erroring. */
export function resolveRange(p: { preset?: string | null; from?: string | null; to?: string | null }, now: number): ResolvedRange {
  const from = parseTime(p.from);
  const to = parseTime(p.to);
  if (!isPreset(p.preset) && from !== null && to !== null && from < to) return { from, to, preset: null };
  const preset = isPreset(p.preset) ? p.preset : DEFAULT_PRESET;
  return { from: now - PRESETS[preset], to: now, preset };
}

export function isValidTimeZone(tz: string | null | undefined): tz is string {
  if (!tz) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const safeTz = (tz: string | undefined) => (tz && isValidTimeZone(tz) ? tz : 'UTC');
const toMs = (t: string | number) => (typeof t === 'number' ? t : Date.parse(t));

/** "Oct 14, 2026, 16:05:44" in the chosen zone; "—" for missing or unparsable input. */
export function formatDateTime(t: string | number | null | undefined, tz?: string, opts: { seconds?: boolean } = {}): string {
  if (t === null || t === undefined) return '—';
  const ms = toMs(t);
  if (!Number.isFinite(ms)) return '—';
  return new Intl.DateTimeFormat('en-US', {
    timeZone: safeTz(tz),
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(opts.seconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  }).format(ms);
}

/** Axis tick: time of day for short spans, date for long ones. */
export function formatTick(ms: number, spanMs: number, tz?: string): string {
  if (!Number.isFinite(ms)) return '';
  const zone = safeTz(tz);
  if (spanMs <= 36 * 3_600_000)
    return new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
  return new Intl.DateTimeFormat('en-US', { timeZone: zone, month: 'short', day: 'numeric' }).format(ms);
}

/** Offset of `tz` from UTC at instant `ms`, in ms (positive east of Greenwich). */
export function zoneOffsetMs(ms: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: safeTz(tz),
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(ms);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? '0');
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** "2026-10-14T09:30" read as wall time in `tz` → epoch ms (null when malformed). */
export function zonedWallToUtc(wall: string, tz: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(wall);
  if (!m) return null;
  const guess = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  if (!Number.isFinite(guess)) return null;
  // Two passes settle DST edges: the offset at the guess may differ from the offset at the answer.
  let ms = guess - zoneOffsetMs(guess, tz);
  ms = guess - zoneOffsetMs(ms, tz);
  return ms;
}

/** Epoch ms → "2026-10-14T09:30" wall time in `tz`, the value a datetime-local input wants. */
export function utcToZonedWall(ms: number, tz: string): string {
  const d = new Date(ms + zoneOffsetMs(ms, tz));
  return d.toISOString().slice(0, 16);
}

/** The calendar month (UTC) containing `ms`, as YYYY-MM. */
export function periodOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

export function isPeriod(v: string | null | undefined): v is string {
  return !!v && /^\d{4}-(0[1-9]|1[0-2])$/.test(v);
}

/** [start, end) of a YYYY-MM period in UTC ms. */
export function periodBounds(period: string): { start: number; end: number } {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return { start: Date.UTC(y, m - 1, 1), end: Date.UTC(y, m, 1) };
}
