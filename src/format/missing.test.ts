import { describe, expect, it } from 'vitest';
import { isPresent, NOT_AVAILABLE, orEmpty, orNa } from './missing.js';

describe('missing values', () => {
  it('formats a finite number and prints n/a for null, undefined and non-finite values', () => {
    const twice = (value: number) => String(value * 2);
    expect(orNa(2, twice)).toBe('4');
    expect(orNa(0, twice)).toBe('0');
    expect(orNa(null, twice)).toBe(NOT_AVAILABLE);
    expect(orNa(undefined, twice)).toBe('n/a');
    expect(orNa(Number.NaN, twice)).toBe('n/a');
  });

  it('prints nothing for an optional part that is missing', () => {
    expect(orEmpty(1, (value) => ` (${value})`)).toBe(' (1)');
    expect(orEmpty(null, (value) => ` (${value})`)).toBe('');
  });

  it('counts only finite numbers as present', () => {
    expect(isPresent(0)).toBe(true);
    expect(isPresent(Number.NEGATIVE_INFINITY)).toBe(false);
    expect(isPresent(undefined)).toBe(false);
  });
});
