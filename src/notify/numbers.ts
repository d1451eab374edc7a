/*
 * Number formatting shared by notifications and command replies. All functions are pure and never
 * throw; a non-finite input (NaN, ±Infinity) prints as `n/a`.
 */

const NOT_AVAILABLE = 'n/a';

/** Significant digits kept for rates and amounts: enough for 0.00001234 and for 65432.12. */
const RATE_SIGNIFICANT_DIGITS = 8;
/** Significant digits a money value below 1 keeps at least (0.05746 ETH, 0.0012 USDT). */
const MONEY_SIGNIFICANT_DIGITS = 4;
const MONEY_MIN_DECIMALS = 2;
const MONEY_MAX_DECIMALS = 8;
/** Freqtrade's `DECIMALS_PER_COIN` (`constants.py`): coins whose units are worth more get more decimals. */
const DECIMALS_PER_CURRENCY: Readonly<Record<string, number>> = { BTC: 8, ETH: 5 };

/**
 * `value.toFixed(decimals)` rounding half up on the decimal digits as printed (5.685 → `'5.69'`,
 * where toFixed alone gives `'5.68'` because the double is 5.68499…); for finite non-negative values.
 */
function toFixedHalfUp(value: number, decimals: number): string {
  const [mantissa = '0', exponent = '0'] = String(value).split('e');
  const shifted = Math.round(Number(`${mantissa}e${Number(exponent) + decimals}`));
  const [shiftedMantissa = '0', shiftedExponent = '0'] = String(shifted).split('e');
  return Number(`${shiftedMantissa}e${Number(shiftedExponent) - decimals}`).toFixed(decimals);
}

/** Removes trailing zeros after the decimal point, keeping at least `minDecimals` (`'1.5000'` → `'1.50'` for 2). */
function trimTrailingZeros(text: string, minDecimals: number): string {
  const dot = text.indexOf('.');
  if (dot < 0) return text;
  let end = text.length;
  while (end > dot + 1 + minDecimals && text[end - 1] === '0') end--;
  if (end === dot + 1) end = dot;
  return text.slice(0, end);
}

/** Decimals for a money value: the currency's own (2 unless BTC/ETH), more below 1 so 4 significant digits show, at most 8. */
function moneyDecimals(absAmount: number, currency: string): number {
  const base = DECIMALS_PER_CURRENCY[currency.toUpperCase()] ?? MONEY_MIN_DECIMALS;
  if (absAmount === 0 || absAmount >= 1) return base;
  const magnitude = Math.floor(Math.log10(absAmount));
  return Math.min(MONEY_MAX_DECIMALS, Math.max(base, MONEY_SIGNIFICANT_DIGITS - 1 - magnitude));
}

/** The absolute value of `amount` with the decimals `moneyDecimals` picks, trailing zeros trimmed to 2. */
function formatMoneyDigits(absAmount: number, currency: string): string {
  return trimTrailingZeros(toFixedHalfUp(absAmount, moneyDecimals(absAmount, currency)), MONEY_MIN_DECIMALS);
}

/** `'100.00 USDT'`, `'0.01465333 BTC'`, `'-0.05746 ETH'`; a minus only (no plus); an amount that rounds to zero prints unsigned. */
export function formatMoney(amount: number, currency: string): string {
  if (!Number.isFinite(amount)) return `${NOT_AVAILABLE} ${currency}`.trim();
  const digits = formatMoneyDigits(Math.abs(amount), currency);
  const sign = amount < 0 && Number(digits) !== 0 ? '-' : '';
  return `${sign}${digits} ${currency}`.trim();
}

/** `'+2.41 USDT'` / `'-1.20 USDT'`; an amount that rounds to zero prints without a sign (`'0.00 USDT'`). */
export function formatSignedMoney(amount: number, currency: string): string {
  if (!Number.isFinite(amount)) return `${NOT_AVAILABLE} ${currency}`.trim();
  const digits = formatMoneyDigits(Math.abs(amount), currency);
  const sign = Number(digits) === 0 ? '' : amount > 0 ? '+' : '-';
  return `${sign}${digits} ${currency}`.trim();
}

/** A ratio as a signed percent with 2 decimals (0.0125 → `'+1.25%'`); one that rounds to zero prints `'0.00%'`. */
export function formatSignedPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return NOT_AVAILABLE;
  const digits = toFixedHalfUp(Math.abs(ratio * 100), 2);
  const sign = Number(digits) === 0 ? '' : ratio > 0 ? '+' : '-';
  return `${sign}${digits}%`;
}

/** A price or amount with 8 significant digits, never in exponent form, trailing zeros trimmed (1.099e-05 → `'0.00001099'`, 0 → `'0'`). */
export function formatRate(rate: number): string {
  if (!Number.isFinite(rate)) return NOT_AVAILABLE;
  if (rate === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(rate)));
  const decimals = Math.min(20, Math.max(0, RATE_SIGNIFICANT_DIGITS - 1 - magnitude));
  const text = trimTrailingZeros(rate.toFixed(decimals), 0);
  return /^-0$/.test(text) ? '0' : text;
}

/** A duration as its two largest units (`'4h 47m'`, `'2d 3h'`, `'12m 5s'`, `'45s'`), a zero second unit dropped (`'3h'`); negative or non-finite → `'0s'`. */
export function formatDuration(ms: number): string {
  const totalSeconds = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  const seconds = totalSeconds % 60;
  const pair = (major: number, majorUnit: string, minor: number, minorUnit: string) =>
    minor > 0 ? `${major}${majorUnit} ${minor}${minorUnit}` : `${major}${majorUnit}`;
  if (days > 0) return pair(days, 'd', hours, 'h');
  if (hours > 0) return pair(hours, 'h', minutes, 'm');
  if (minutes > 0) return pair(minutes, 'm', seconds, 's');
  return `${seconds}s`;
}

/**
 * The exit emoji Freqtrade's Telegram uses (`_get_exit_emoji`): 🚀 at ≥ 5 % profit, ✳️ at ≥ 0,
 * ⚠️ for a loss with exit reason `stop_loss`, ❌ for any other loss; a non-finite ratio counts as a loss.
 */
export function profitEmoji(ratio: number, exitReason?: string | null): string {
  if (ratio >= 0.05) return '🚀';
  if (ratio >= 0) return '✳️';
  if (exitReason === 'stop_loss') return '⚠️';
  return '❌';
}
