/*
 * Reconciliation of Gemini's balances with what a Freqtrade bot believes it holds (`/balance`).
 * Pure: exact decimal strings in, exact decimal strings out.
 */
import type { Balances } from '../../freqtrade/schemas.js';
import {
  absDecimal,
  addDecimals,
  compareDecimals,
  decimalFromNumber,
  isZeroDecimal,
  multiplyDecimals,
  normalizeDecimal,
  subtractDecimals,
} from './decimal.js';
import type { GeminiBalance } from './schemas.js';

/** One currency compared across Gemini and Freqtrade. */
export interface ReconciledCurrency {
  /** As Gemini spells it (Freqtrade's spelling when Gemini has none), e.g. "BTC". */
  currency: string;
  /** Gemini's total (`amount`), exact, shortest form. */
  exchange: string;
  /** Freqtrade's total (`balance`), converted from its float with `decimalFromNumber`. */
  freqtrade: string;
  /** exchange − freqtrade, exact and signed ("-0.5" when Freqtrade believes it has more). */
  difference: string;
  /** The difference is beyond the tolerance (see `isBeyondTolerance`). */
  flagged: boolean;
}

type FreqtradeCurrency = Balances['currencies'][number];

/**
 * Returns true when |difference| > toleranceRatio × max(|a|, |b|); when one side is zero any
 * non-zero difference counts (whatever the ratio), and two zeros never do.
 */
export function isBeyondTolerance(a: string, b: string, toleranceRatio: number): boolean {
  const difference = absDecimal(subtractDecimals(a, b));
  if (isZeroDecimal(difference)) return false;
  if (isZeroDecimal(a) || isZeroDecimal(b)) return true;
  const larger = compareDecimals(absDecimal(a), absDecimal(b)) >= 0 ? absDecimal(a) : absDecimal(b);
  const allowed = multiplyDecimals(decimalFromNumber(toleranceRatio), larger);
  return compareDecimals(difference, allowed) > 0;
}

/**
 * Returns one row per currency held on either side (matched case-insensitively, a side without
 * the currency counting as 0), sorted by currency; currencies zero on both sides are left out.
 * Freqtrade's futures position rows (`is_position`) are not wallet balances and are skipped;
 * several rows of one currency on a side are summed exactly.
 */
export function reconcileBalances(
  exchange: GeminiBalance[],
  freqtrade: FreqtradeCurrency[],
  toleranceRatio: number,
): ReconciledCurrency[] {
  const rows = new Map<string, { currency: string; exchange: string; freqtrade: string }>();
  const rowFor = (currency: string) => {
    const key = currency.trim().toUpperCase();
    let row = rows.get(key);
    if (!row) {
      row = { currency: currency.trim(), exchange: '0', freqtrade: '0' };
      rows.set(key, row);
    }
    return row;
  };
  for (const balance of exchange) {
    const row = rowFor(balance.currency);
    row.exchange = addDecimals(row.exchange, balance.amount);
  }
  for (const balance of freqtrade) {
    if (balance.is_position) continue;
    const row = rowFor(balance.currency);
    row.freqtrade = addDecimals(row.freqtrade, decimalFromNumber(balance.balance));
  }
  return [...rows.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, row]) => row)
    .filter((row) => !(isZeroDecimal(row.exchange) && isZeroDecimal(row.freqtrade)))
    .map((row) => ({
      currency: row.currency,
      exchange: normalizeDecimal(row.exchange),
      freqtrade: normalizeDecimal(row.freqtrade),
      difference: subtractDecimals(row.exchange, row.freqtrade),
      flagged: isBeyondTolerance(row.exchange, row.freqtrade, toleranceRatio),
    }));
}
