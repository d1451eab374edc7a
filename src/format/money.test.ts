import { describe, expect, it } from 'vitest';
import { formatAmount, formatMoney, formatSignedAmount, formatSignedMoney, withCurrency } from './money.js';

describe('money', () => {
  it('formats signed money with its currency, 2 decimals for stable coins and more for small amounts', () => {
    expect(formatSignedMoney(2.41, 'USDT')).toBe('+2.41 USDT');
    expect(formatSignedMoney(-1.2, 'USDT')).toBe('-1.20 USDT');
    expect(formatSignedMoney(1234.5678, 'USDT')).toBe('+1234.57 USDT');
    expect(formatSignedMoney(-0.000123, 'USDT')).toBe('-0.000123 USDT');
    expect(formatSignedMoney(0.01465333, 'BTC')).toBe('+0.01465333 BTC');
    expect(formatSignedMoney(1.5, 'BTC')).toBe('+1.50 BTC');
    expect(formatSignedMoney(-0.05746268, 'ETH')).toBe('-0.05746 ETH');
  });

  it('prints money that rounds to zero without a sign, and n/a for non-finite amounts', () => {
    expect(formatSignedMoney(0, 'USDT')).toBe('0.00 USDT');
    expect(formatSignedMoney(-0, 'USDT')).toBe('0.00 USDT');
    expect(formatSignedMoney(-0.001, 'USDT')).toBe('-0.001 USDT');
    expect(formatSignedMoney(Number.NaN, 'USDT')).toBe('n/a USDT');
    expect(formatMoney(Number.NaN, '')).toBe('n/a');
  });

  it('shows only a minus on unsigned money', () => {
    expect(formatMoney(100, 'USDT')).toBe('100.00 USDT');
    expect(formatMoney(-3, 'USDT')).toBe('-3.00 USDT');
    expect(formatMoney(5.685, 'USDT')).toBe('5.69 USDT');
  });

  it('leaves the currency out of table cells but keeps its decimals', () => {
    expect(formatSignedAmount(0.01465333, 'BTC')).toBe('+0.01465333');
    expect(formatAmount(2, 'USDT')).toBe('2.00');
    expect(formatAmount(2, '')).toBe('2.00');
  });

  it('names the currency in a header only when it is known', () => {
    expect(withCurrency('Profit', 'USDT')).toBe('Profit USDT');
    expect(withCurrency('Profit', '')).toBe('Profit');
  });
});
