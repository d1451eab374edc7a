import { describe, expect, it } from 'vitest';
import {
  formatLimit,
  formatPercent,
  formatPlainPercent,
  formatRate,
  formatSignedPercent,
  toFixedHalfUp,
  trimTrailingZeros,
} from './numbers.js';

describe('percentages', () => {
  it('formats a ratio as a signed percent with 2 decimals', () => {
    expect(formatSignedPercent(0.0125)).toBe('+1.25%');
    expect(formatSignedPercent(-0.008)).toBe('-0.80%');
    expect(formatSignedPercent(0.0241)).toBe('+2.41%');
  });

  it('prints a percent that rounds to zero without a sign, and n/a when not finite', () => {
    expect(formatSignedPercent(0)).toBe('0.00%');
    expect(formatSignedPercent(-0.00001)).toBe('0.00%');
    expect(formatSignedPercent(Number.POSITIVE_INFINITY)).toBe('n/a');
  });

  it('drops the plus sign for rates that are never negative', () => {
    expect(formatPercent(0.5)).toBe('50.00%');
    expect(formatPercent(-0.5)).toBe('-50.00%');
  });

  it('prints a value that is a percent already with one decimal', () => {
    expect(formatPlainPercent(12.54)).toBe('12.5%');
    expect(formatPlainPercent(Number.NaN)).toBe('n/a');
  });
});

describe('formatRate', () => {
  it('keeps the meaningful digits of a rate without exponent notation', () => {
    expect(formatRate(0.00001234)).toBe('0.00001234');
    expect(formatRate(1.099e-5)).toBe('0.00001099');
    expect(formatRate(3050.5)).toBe('3050.5');
    expect(formatRate(3124)).toBe('3124');
    expect(formatRate(65432.123456)).toBe('65432.123');
    expect(formatRate(1333.3333333333335)).toBe('1333.3333');
  });

  it('prints zero as 0, a negative zero as 0, and n/a when not finite', () => {
    expect(formatRate(0)).toBe('0');
    expect(formatRate(-1e-30)).toBe('0');
    expect(formatRate(Number.NaN)).toBe('n/a');
  });
});

describe('helpers', () => {
  it('rounds half up on the printed digits where toFixed rounds down', () => {
    expect((5.685).toFixed(2)).toBe('5.68');
    expect(toFixedHalfUp(5.685, 2)).toBe('5.69');
    expect(toFixedHalfUp(1e-7, 8)).toBe('0.00000010');
  });

  it('trims trailing zeros down to a minimum number of decimals', () => {
    expect(trimTrailingZeros('1.5000', 2)).toBe('1.50');
    expect(trimTrailingZeros('1.000', 0)).toBe('1');
    expect(trimTrailingZeros('100', 2)).toBe('100');
  });

  it("prints Freqtrade's -1 limit as infinity", () => {
    expect(formatLimit(-1)).toBe('∞');
    expect(formatLimit(3)).toBe('3');
  });
});
