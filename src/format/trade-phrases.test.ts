import { describe, expect, it } from 'vitest';
import {
  currentProfitText,
  directionOf,
  directionText,
  profitEmoji,
  profitText,
  shortProfit,
} from './trade-phrases.js';

describe('direction', () => {
  it('words a trade side as Freqtrade does', () => {
    expect(directionOf(true)).toBe('Short');
    expect(directionOf(false)).toBe('Long');
  });

  it('shows leverage other than 1 with up to 3 significant digits', () => {
    expect(directionText('Long', 1)).toBe('Long');
    expect(directionText('Long', null)).toBe('Long');
    expect(directionText('Short', 3)).toBe('Short (3x)');
    expect(directionText('Short', 2.3456)).toBe('Short (2.35x)');
  });
});

describe('profitText', () => {
  it('puts the percent first and the amount in parentheses', () => {
    expect(profitText(0.0101, 1.01, 'USDT')).toBe('+1.01% (+1.01 USDT)');
    expect(profitText(-0.008, -1.2, 'ETH')).toBe('-0.80% (-1.20 ETH)');
  });

  it('shows the part that is known, and n/a when neither is', () => {
    expect(profitText(0.0125, null, 'USDT')).toBe('+1.25%');
    expect(profitText(null, 2.41, 'USDT')).toBe('+2.41 USDT');
    expect(profitText(undefined, Number.NaN, 'USDT')).toBe('n/a');
  });
});

describe('profitEmoji', () => {
  it('picks the exit emoji as Freqtrade does', () => {
    expect(profitEmoji(0.05)).toBe('🚀');
    expect(profitEmoji(0.0499)).toBe('✳️');
    expect(profitEmoji(0)).toBe('✳️');
    expect(profitEmoji(-0.01, 'stop_loss')).toBe('⚠️');
    expect(profitEmoji(-0.01, 'roi')).toBe('❌');
    expect(profitEmoji(-0.01)).toBe('❌');
  });
});

describe('current profit of a trade', () => {
  const priced = { current_rate: 101, profit_ratio: 0.0125, profit_abs: 1.25, quote_currency: 'USDT' };

  it('shows emoji, percent and amount when the trade is priced', () => {
    expect(currentProfitText(priced)).toBe('✳️ +1.25% (+1.25 USDT)');
    expect(shortProfit(priced)).toBe('+1.25%');
  });

  it('says unknown rather than zero when there is no current rate', () => {
    const unpriced = { ...priced, current_rate: null, profit_ratio: 0, profit_abs: 0 };
    expect(currentProfitText(unpriced)).toBe('unknown (no current rate)');
    expect(shortProfit(unpriced)).toBe('?');
  });
});
