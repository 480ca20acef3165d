/** Numbers, money (USD unless told) and rates, all en-US so screenshots and CSVs read the same everywhere. */
const NONE = '—';
const LOCALE = 'en-US';

const isNum = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);

const moneyFormats = new Map<string, Intl.NumberFormat>();
function moneyFormat(currency: string, compact: boolean): Intl.NumberFormat {
  const key = `${currency}:${compact ? 'c' : 'f'}`;
  let f = moneyFormats.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(LOCALE, {
        style: 'currency',
        currency,
        ...(compact ? { notation: 'compact', maximumFractionDigits: 1 } : { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
      });
    } catch {
      // An unknown currency code from the data must not break the page.
      f = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    moneyFormats.set(key, f);
  }
  return f;
}

/** 1234.5 → "$1,234.50"; compact: 1234567 → "$1.2M". */
export function formatMoney(v: number | null | undefined, currency = 'USD', opts: { compact?: boolean } = {}): string {
  if (!isNum(v)) return NONE;
  const compact = opts.compact === true && Math.abs(v) >= 10_000;
  return moneyFormat(currency, compact).format(v);
}

/** Signed money change: "+$120.00", "−$5.00", "±$0.00". */
export function formatMoneyChange(v: number | null | undefined, currency = 'USD'): string {
  if (!isNum(v)) return NONE;
  if (v === 0) return `±${formatMoney(0, currency)}`;
  const abs = formatMoney(Math.abs(v), currency, { compact: true });
  return v > 0 ? `+${abs}` : `−${abs}`;
}

const intFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const decFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 2 });

/** 12345 → "12,345"; 2.456 → "2.46". */
export function formatNumber(v: number | null | undefined): string {
  if (!isNum(v)) return NONE;
  return Number.isInteger(v) ? intFormat.format(v) : decFormat.format(v);
}

/** Signed count change: "+3", "−1", "±0". */
export function formatNumberChange(v: number | null | undefined): string {
  if (!isNum(v)) return NONE;
  if (v === 0) return '±0';
  return v > 0 ? `+${formatNumber(v)}` : `−${formatNumber(Math.abs(v))}`;
}

/** A ratio as a percentage: 0.0123 → "1.23 %"; tiny non-zero rates keep two significant digits. */
export function formatPercent(ratio: number | null | undefined): string {
  if (!isNum(ratio)) return NONE;
  const pct = ratio * 100;
  if (pct === 0) return '0 %';
  const abs = Math.abs(pct);
  const digits = abs >= 10 ? 1 : abs >= 0.01 ? 2 : 4;
  const text = Number(pct.toFixed(digits)).toString();
  return `${text} %`;
}

/** A change between two ratios, in percentage points: "+1.5 pp". */
export function formatPercentPointChange(delta: number | null | undefined): string {
  if (!isNum(delta)) return NONE;
  const pp = Number((delta * 100).toFixed(2));
  if (pp === 0) return '±0 pp';
  return pp > 0 ? `+${pp} pp` : `−${Math.abs(pp)} pp`;
}
