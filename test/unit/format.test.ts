import { describe, expect, it } from 'vitest';
import { buildCsv, csvCell, csvFileName } from '@/lib/format/csv';
import { formatDuration, formatDurationChange, formatDurationTick } from '@/lib/format/duration';
import {
  formatMoney,
  formatMoneyChange,
  formatNumber,
  formatNumberChange,
  formatPercent,
  formatPercentPointChange,
} from '@/lib/format/number';
import {
  formatDateTime,
  isPeriod,
  isValidTimeZone,
  parseTime,
  periodBounds,
  periodOf,
  PRESETS,
  resolveRange,
  utcToZonedWall,
  zonedWallToUtc,
  zoneOffsetMs,
} from '@/lib/format/time';

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [0.25, '250 ms'],
    [0.0001, '1 ms'],
    [5, '5 s'],
    [28.75, '28.8 s'],
    [59.96, '1 m'],
    [60, '1 m'],
    [270, '4 m 30 s'],
    [3599.6, '1 h'],
    [2 * 3600 + 14 * 60, '2 h 14 m'],
    [2 * 3600 + 14 * 60 + 29, '2 h 14 m'],
    [2 * 3600 + 14 * 60 + 31, '2 h 15 m'],
    [30256, '8 h 24 m'],
    [86_400, '1 d'],
    [3 * 86_400 + 4 * 3600, '3 d 4 h'],
    [23 * 3600 + 59 * 60 + 59, '1 d'],
  ])('%s s → %s', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });

  it('shows missing values as a dash and negatives with a minus sign', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatDuration(-90)).toBe('−1 m 30 s');
  });

  it('signs changes and gives axis ticks a single unit', () => {
    expect(formatDurationChange(8040)).toBe('+2 h 14 m');
    expect(formatDurationChange(-45)).toBe('−45 s');
    expect(formatDurationChange(0)).toBe('±0 s');
    expect(formatDurationChange(null)).toBe('—');
    expect(formatDurationTick(300)).toBe('5 m');
    expect(formatDurationTick(5400)).toBe('1.5 h');
    expect(formatDurationTick(172_800)).toBe('2 d');
    expect(formatDurationTick(12.4)).toBe('12 s');
  });
});

describe('numbers and money', () => {
  it('formats USD with cents, compact only for large values', () => {
    expect(formatMoney(220.8)).toBe('$220.80');
    expect(formatMoney(1234567.891)).toBe('$1,234,567.89');
    expect(formatMoney(1234567, 'USD', { compact: true })).toBe('$1.2M');
    expect(formatMoney(950, 'USD', { compact: true })).toBe('$950.00');
    expect(formatMoney(10, 'EUR')).toBe('€10.00');
    expect(formatMoney(null)).toBe('—');
  });

  it('does not throw on an unknown currency code', () => {
    expect(formatMoney(5, 'NOPE!')).toBe('5.00');
  });

  it('signs money and count changes', () => {
    expect(formatMoneyChange(120)).toBe('+$120.00');
    expect(formatMoneyChange(-5)).toBe('−$5.00');
    expect(formatMoneyChange(0)).toBe('±$0.00');
    expect(formatNumberChange(3)).toBe('+3');
    expect(formatNumberChange(-1200)).toBe('−1,200');
    expect(formatNumberChange(0)).toBe('±0');
  });

  it('formats counts and ratios', () => {
    expect(formatNumber(12345)).toBe('12,345');
    expect(formatNumber(2.456)).toBe('2.46');
    expect(formatNumber(undefined)).toBe('—');
    expect(formatPercent(0)).toBe('0 %');
    expect(formatPercent(0.0123)).toBe('1.23 %');
    expect(formatPercent(0.5)).toBe('50 %');
    expect(formatPercent(0.00001)).toBe('0.001 %');
    expect(formatPercentPointChange(0.015)).toBe('+1.5 pp');
    expect(formatPercentPointChange(-0.002)).toBe('−0.2 pp');
    expect(formatPercentPointChange(0)).toBe('±0 pp');
  });
});

describe('csv', () => {
  it('quotes separators, quotes and newlines; keeps numbers verbatim', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded ')).toBe('" padded "');
    expect(csvCell(-12)).toBe('-12');
    expect(csvCell(220.8)).toBe('220.8');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(true)).toBe('true');
  });

  it('defuses strings that a spreadsheet would run as formulas', () => {
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-x')).toBe("'-x");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell('=a,b')).toBe(`"'=a,b"`);
  });

  it('builds a header line and one line per row', () => {
    const rows = [
      { id: 'EXC-1', amount: 10.5, note: 'late, again' },
      { id: 'EXC-2', amount: null, note: '' },
    ];
    const csv = buildCsv(
      [
        { header: 'id', value: (r: (typeof rows)[number]) => r.id },
        { header: 'amount', value: (r: (typeof rows)[number]) => r.amount },
        { header: 'note', value: (r: (typeof rows)[number]) => r.note },
      ],
      rows,
    );
    expect(csv).toBe('id,amount,note\nEXC-1,10.5,"late, again"\nEXC-2,,\n');
    expect(buildCsv([{ header: 'x', value: () => 1 }], [])).toBe('x\n');
  });

  it('makes safe file names', () => {
    expect(csvFileName('close-evidence-2026-10')).toBe('close-evidence-2026-10.csv');
    expect(csvFileName('sync lag/DC ATL')).toBe('sync-lag-DC-ATL.csv');
    expect(csvFileName('///')).toBe('export.csv');
  });
});

describe('time', () => {
  const now = Date.parse('2026-10-15T12:00:00Z');

  it('parses RFC 3339 and dates like the API, rejects the rest', () => {
    expect(parseTime('2026-10-14')).toBe(Date.parse('2026-10-14T00:00:00Z'));
    expect(parseTime('2026-10-14T02:00:00+02:00')).toBe(Date.parse('2026-10-14T00:00:00Z'));
    expect(parseTime('yesterday')).toBeNull();
    expect(parseTime('')).toBeNull();
    expect(parseTime(null)).toBeNull();
  });

  it('resolves presets against now and keeps valid custom ranges', () => {
    expect(resolveRange({ preset: '7d' }, now)).toEqual({ from: now - PRESETS['7d'], to: now, preset: '7d' });
    expect(resolveRange({}, now)).toEqual({ from: now - 86_400_000, to: now, preset: '24h' });
    expect(resolveRange({ from: '2026-10-01', to: '2026-10-02T00:00:00Z' }, now)).toEqual({
      from: Date.parse('2026-10-01T00:00:00Z'),
      to: Date.parse('2026-10-02T00:00:00Z'),
      preset: null,
    });
    // Reversed or broken custom ranges fall back to the default preset.
    expect(resolveRange({ from: '2026-10-02', to: '2026-10-01' }, now).preset).toBe('24h');
    expect(resolveRange({ preset: 'bogus', from: 'x', to: 'y' }, now).preset).toBe('24h');
    // A preset wins over stale from/to.
    expect(resolveRange({ preset: '1h', from: '2026-10-01', to: '2026-10-02' }, now)).toEqual({ from: now - 3_600_000, to: now, preset: '1h' });
  });

  it('converts wall times in a zone to UTC and back, across DST', () => {
    expect(isValidTimeZone('America/New_York')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(zoneOffsetMs(Date.parse('2026-07-01T12:00:00Z'), 'America/New_York')).toBe(-4 * 3_600_000);
    expect(zoneOffsetMs(Date.parse('2026-01-15T12:00:00Z'), 'America/New_York')).toBe(-5 * 3_600_000);
    expect(zonedWallToUtc('2026-10-14T09:30', 'America/New_York')).toBe(Date.parse('2026-10-14T13:30:00Z'));
    expect(zonedWallToUtc('2026-12-14T09:30', 'America/New_York')).toBe(Date.parse('2026-12-14T14:30:00Z'));
    expect(zonedWallToUtc('2026-10-14T09:30', 'UTC')).toBe(Date.parse('2026-10-14T09:30:00Z'));
    expect(zonedWallToUtc('not a time', 'UTC')).toBeNull();
    expect(utcToZonedWall(Date.parse('2026-10-14T13:30:00Z'), 'America/New_York')).toBe('2026-10-14T09:30');
    expect(utcToZonedWall(Date.parse('2026-10-14T13:30:00Z'), 'Asia/Kolkata')).toBe('2026-10-14T19:00');
  });

  it('formats timestamps in the chosen zone', () => {
    expect(formatDateTime('2026-10-15T00:30:00Z', 'UTC')).toBe('Oct 15, 2026, 00:30');
    expect(formatDateTime('2026-10-15T00:30:00Z', 'America/Chicago')).toBe('Oct 14, 2026, 19:30');
    expect(formatDateTime('2026-10-15T00:30:05Z', 'UTC', { seconds: true })).toBe('Oct 15, 2026, 00:30:05');
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime('garbage')).toBe('—');
    // An invalid zone from a hand-edited URL falls back to UTC instead of throwing.
    expect(formatDateTime('2026-10-15T00:30:00Z', 'Nowhere/Land')).toBe('Oct 15, 2026, 00:30');
  });

  it('handles close periods in UTC', () => {
    expect(periodOf(Date.parse('2026-10-31T23:59:59Z'))).toBe('2026-10');
    expect(isPeriod('2026-10')).toBe(true);
    expect(isPeriod('2026-13')).toBe(false);
    expect(isPeriod('2026-1')).toBe(false);
    expect(periodBounds('2026-12')).toEqual({ start: Date.parse('2026-12-01T00:00:00Z'), end: Date.parse('2027-01-01T00:00:00Z') });
  });
});
