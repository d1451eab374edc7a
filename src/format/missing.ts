/*
 * What a value that is not there prints as, in one place: `n/a` for a value Freqtrade did not send
 * (or sent as 0 / null for "none"), `unknown` for one it could not price. Pure.
 */

/** What a missing value prints as. */
export const NOT_AVAILABLE = 'n/a';

/** What a value Freqtrade could not work out (a trade without a current rate) prints as. */
export const UNKNOWN = 'unknown';

/** True for a finite number; false for null, undefined, NaN and ±Infinity. */
export function isPresent(value: number | null | undefined): value is number {
  return value !== null && value !== undefined && Number.isFinite(value);
}

/** `format(value)`, or `n/a` when the value is null, undefined or not finite. */
export function orNa(value: number | null | undefined, format: (value: number) => string): string {
  return isPresent(value) ? format(value) : NOT_AVAILABLE;
}

/** `format(value)`, or `""` when the value is null, undefined or not finite: for optional parts of a line. */
export function orEmpty(value: number | null | undefined, format: (value: number) => string): string {
  return isPresent(value) ? format(value) : '';
}
