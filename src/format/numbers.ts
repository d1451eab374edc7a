/*
 * Plain numbers: rates, amounts, percentages, limits. Pure and never throwing; a non-finite input
 * (NaN, ±Infinity) prints as `n/a`. Money with a currency is in money.ts.
 */
import { NOT_AVAILABLE } from './missing.js';

/** Significant digits kept for rates and amounts: enough for 0.00001234 and for 65432.12. */
const RATE_SIGNIFICANT_DIGITS = 8;

/**
 * `value.toFixed(decimals)` rounding half up on the decimal digits as printed (5.685 → `'5.69'`,
 * where toFixed alone gives `'5.68'` because the double is 5.68499…); for finite non-negative values.
 */
export function toFixedHalfUp(value: number, decimals: number): string {
  const [mantissa = '0', exponent = '0'] = String(value).split('e');
  const shifted = Math.round(Number(`${mantissa}e${Number(exponent) + decimals}`));
  const [shiftedMantissa = '0', shiftedExponent = '0'] = String(shifted).split('e');
  return Number(`${shiftedMantissa}e${Number(shiftedExponent) - decimals}`).toFixed(decimals);
}

/** Removes trailing zeros after the decimal point, keeping at least `minDecimals` (`'1.5000'` → `'1.50'` for 2). */
export function trimTrailingZeros(text: string, minDecimals: number): string {
  const dot = text.indexOf('.');
  if (dot < 0) return text;
  let end = text.length;
  while (end > dot + 1 + minDecimals && text[end - 1] === '0') end--;
  if (end === dot + 1) end = dot;
  return text.slice(0, end);
}

/** `'+'`, `'-'` or `''` for a value whose printed digits are `digits`: no sign when they round to zero. */
export function signOf(value: number, digits: string): string {
  if (Number(digits) === 0) return '';
  return value > 0 ? '+' : '-';
}

/** A ratio as a signed percent with 2 decimals (0.0125 → `'+1.25%'`); one that rounds to zero prints `'0.00%'`. */
export function formatSignedPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return NOT_AVAILABLE;
  const digits = toFixedHalfUp(Math.abs(ratio * 100), 2);
  return `${signOf(ratio, digits)}${digits}%`;
}

/** A ratio as a percent without a plus sign, for rates that are never negative (winrate 0.5 → `'50.00%'`). */
export function formatPercent(ratio: number): string {
  return formatSignedPercent(ratio).replace(/^\+/, '');
}

/** A value that is a percent already (CPU 12.5 → `'12.5%'`), one decimal; `n/a` when not finite. */
export function formatPlainPercent(percent: number): string {
  return Number.isFinite(percent) ? `${percent.toFixed(1)}%` : NOT_AVAILABLE;
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

/** A count limit such as max_open_trades, with Freqtrade's -1 ("unlimited") as `'∞'`. */
export function formatLimit(value: number): string {
  return value < 0 ? '∞' : String(value);
}
