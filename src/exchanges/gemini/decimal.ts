/*
 * Exact arithmetic on decimal strings ("1154.62034001", "-0.3"), as BigInt integers scaled by a
 * power of ten. Money from Gemini arrives as decimal strings and stays exact here: no float ever
 * touches an amount, so 0.1 + 0.2 is 0.3 and a difference of one satoshi is one satoshi.
 */
import { toPlainDecimal } from './schemas.js';

/** A decimal as `units × 10^-scale`. */
interface Scaled {
  units: bigint;
  scale: number;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Decimals kept when a Freqtrade float becomes a decimal string. Freqtrade (Python) writes floats
 * in their shortest round-trip form and `String(number)` gives that same form back, so the digits
 * are Freqtrade's own; rounding at 10 decimals, beyond any exchange's 8-decimal precision, then
 * removes float noise from Freqtrade's own sums (0.1 + 0.2 = 0.30000000000000004 becomes 0.3).
 */
export const FLOAT_DECIMALS = 10;

/** Returns true when `text` is a plain or exponent decimal literal such as "-1.5" or "1.5e-7". */
export function isDecimalString(text: string): boolean {
  return DECIMAL.test(toPlainDecimal(text.trim()));
}

/** Returns the scaled form of a decimal literal; throws RangeError on anything else (e.g. "NaN", ""). */
function parse(text: string): Scaled {
  const match = DECIMAL.exec(toPlainDecimal(text.trim()));
  if (!match) throw new RangeError(`"${text}" is not a decimal number`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  const magnitude = BigInt(whole + fraction);
  return { units: sign === '-' ? -magnitude : magnitude, scale: fraction.length };
}

/** Returns both values brought to the larger scale, so their units compare and add directly. */
function align(a: Scaled, b: Scaled): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.units * 10n ** BigInt(scale - a.scale), b.units * 10n ** BigInt(scale - b.scale), scale];
}

/** Returns the shortest decimal text of a scaled value: no trailing fraction zeros, "0" never signed. */
function format(value: Scaled): string {
  const negative = value.units < 0n;
  const digits = (negative ? -value.units : value.units).toString().padStart(value.scale + 1, '0');
  const whole = value.scale === 0 ? digits : digits.slice(0, -value.scale);
  const fraction = value.scale === 0 ? '' : digits.slice(-value.scale).replace(/0+$/, '');
  const text = fraction === '' ? whole : `${whole}.${fraction}`;
  return negative && value.units !== 0n ? `-${text}` : text;
}

/** Returns `text` in shortest form ("1.50" → "1.5", "-0.00" → "0", "1e-3" → "0.001"); throws RangeError on a non-decimal. */
export function normalizeDecimal(text: string): string {
  return format(parse(text));
}

/** Returns the exact sum a + b as a shortest decimal string ("0.1" + "0.2" → "0.3"). */
export function addDecimals(a: string, b: string): string {
  const [x, y, scale] = align(parse(a), parse(b));
  return format({ units: x + y, scale });
}

/** Returns the exact difference a − b as a shortest decimal string, signed ("1" − "1.5" → "-0.5"). */
export function subtractDecimals(a: string, b: string): string {
  const [x, y, scale] = align(parse(a), parse(b));
  return format({ units: x - y, scale });
}

/** Returns the exact product a × b as a shortest decimal string ("0.001" × "1154.6" → "1.1546"). */
export function multiplyDecimals(a: string, b: string): string {
  const x = parse(a);
  const y = parse(b);
  return format({ units: x.units * y.units, scale: x.scale + y.scale });
}

/** Returns -1, 0 or 1 as a is less than, equal to or greater than b; "1.0" equals "1". */
export function compareDecimals(a: string, b: string): -1 | 0 | 1 {
  const [x, y] = align(parse(a), parse(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Returns |a| in shortest form ("-0.5" → "0.5"). */
export function absDecimal(a: string): string {
  const value = parse(a);
  return format({ units: value.units < 0n ? -value.units : value.units, scale: value.scale });
}

/** Returns true when the decimal is zero, whatever its form ("0", "-0.000", "0e5"). */
export function isZeroDecimal(a: string): boolean {
  return parse(a).units === 0n;
}

/**
 * Returns a float as a decimal string: its shortest round-trip digits (what Freqtrade's JSON
 * said) rounded half away from zero to `decimals` (default `FLOAT_DECIMALS`), in shortest form.
 * Throws RangeError on NaN or ±Infinity.
 */
export function decimalFromNumber(value: number, decimals: number = FLOAT_DECIMALS): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} is not a finite number`);
  const exact = parse(String(value));
  if (exact.scale <= decimals) return format(exact);
  const divisor = 10n ** BigInt(exact.scale - decimals);
  const magnitude = exact.units < 0n ? -exact.units : exact.units;
  const rounded = (magnitude + divisor / 2n) / divisor;
  return format({ units: exact.units < 0n ? -rounded : rounded, scale: decimals });
}
