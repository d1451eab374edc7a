/*
 * Money: an amount in a currency, with the decimals Freqtrade gives that currency. Pure and never
 * throwing; a non-finite amount prints as `n/a USDT`.
 */
import { NOT_AVAILABLE } from './missing.js';
import { signOf, toFixedHalfUp, trimTrailingZeros } from './numbers.js';

/** Significant digits a money value below 1 keeps at least (0.05746 ETH, 0.0012 USDT). */
const MONEY_SIGNIFICANT_DIGITS = 4;
const MONEY_MIN_DECIMALS = 2;
const MONEY_MAX_DECIMALS = 8;
/** Freqtrade's `DECIMALS_PER_COIN` (`constants.py`): coins whose units are worth more get more decimals. */
const DECIMALS_PER_CURRENCY: Readonly<Record<string, number>> = { BTC: 8, ETH: 5 };

/** Decimals for a money value: the currency's own (2 unless BTC/ETH), more below 1 so 4 significant digits show, at most 8. */
function moneyDecimals(absAmount: number, currency: string): number {
  const base = DECIMALS_PER_CURRENCY[currency.toUpperCase()] ?? MONEY_MIN_DECIMALS;
  if (absAmount === 0 || absAmount >= 1) return base;
  const magnitude = Math.floor(Math.log10(absAmount));
  return Math.min(MONEY_MAX_DECIMALS, Math.max(base, MONEY_SIGNIFICANT_DIGITS - 1 - magnitude));
}

/** The digits of `|amount|` with the decimals `moneyDecimals` picks, trailing zeros trimmed to 2. */
function moneyDigits(absAmount: number, currency: string): string {
  return trimTrailingZeros(toFixedHalfUp(absAmount, moneyDecimals(absAmount, currency)), MONEY_MIN_DECIMALS);
}

/** `'100.00 USDT'`, `'0.01465333 BTC'`, `'-0.05746 ETH'`; a minus only (no plus); an amount that rounds to zero prints unsigned. */
export function formatMoney(amount: number, currency: string): string {
  if (!Number.isFinite(amount)) return `${NOT_AVAILABLE} ${currency}`.trim();
  const digits = moneyDigits(Math.abs(amount), currency);
  const sign = amount < 0 && Number(digits) !== 0 ? '-' : '';
  return `${sign}${digits} ${currency}`.trim();
}

/** `'+2.41 USDT'` / `'-1.20 USDT'`; an amount that rounds to zero prints without a sign (`'0.00 USDT'`). */
export function formatSignedMoney(amount: number, currency: string): string {
  if (!Number.isFinite(amount)) return `${NOT_AVAILABLE} ${currency}`.trim();
  const digits = moneyDigits(Math.abs(amount), currency);
  return `${signOf(amount, digits)}${digits} ${currency}`.trim();
}

/** `formatSignedMoney` without the currency suffix, for table cells whose header names the currency (decimals still follow it: 8 for BTC). */
export function formatSignedAmount(amount: number, currency: string): string {
  return stripCurrency(formatSignedMoney(amount, currency), currency);
}

/** `formatMoney` without the currency suffix, like `formatSignedAmount`. */
export function formatAmount(amount: number, currency: string): string {
  return stripCurrency(formatMoney(amount, currency), currency);
}

function stripCurrency(text: string, currency: string): string {
  return currency && text.endsWith(` ${currency}`) ? text.slice(0, -currency.length - 1) : text;
}

/** `'Profit USDT'` for a table header, or `'Profit'` when the currency is not known (`''`). */
export function withCurrency(label: string, currency: string): string {
  return currency ? `${label} ${currency}` : label;
}
