import { describe, expect, it } from 'vitest';
import type { Balances } from '../../freqtrade/schemas.js';
import {
  absDecimal,
  addDecimals,
  compareDecimals,
  decimalFromNumber,
  isDecimalString,
  isZeroDecimal,
  multiplyDecimals,
  normalizeDecimal,
  subtractDecimals,
} from './decimal.js';
import { isBeyondTolerance, reconcileBalances } from './reconcile.js';
import type { GeminiBalance } from './schemas.js';

function gemini(currency: string, amount: string): GeminiBalance {
  return { type: 'exchange', currency, amount, available: amount, availableForWithdrawal: amount };
}

function freqtrade(
  currency: string,
  balance: number,
  extra: { is_position?: boolean } = {},
): Balances['currencies'][number] {
  return {
    currency,
    free: balance,
    balance,
    used: 0,
    bot_owned: balance,
    est_stake: balance,
    est_stake_bot: balance,
    stake: 'USD',
    side: 'long',
    is_position: extra.is_position ?? false,
    position: 0,
    is_bot_managed: true,
  };
}

describe('decimal strings', () => {
  it('adds 0.1 and 0.2 to exactly 0.3', () => {
    expect(addDecimals('0.1', '0.2')).toBe('0.3');
    expect(0.1 + 0.2).not.toBe(0.3);
  });

  it('subtracts exactly, keeping the sign and every digit', () => {
    expect(subtractDecimals('1154.62034001', '1154.62034000')).toBe('0.00000001');
    expect(subtractDecimals('1', '1.5')).toBe('-0.5');
    expect(subtractDecimals('98765432.123456789012', '0.000000000001')).toBe('98765432.123456789011');
    expect(subtractDecimals('0.30', '0.3')).toBe('0');
  });

  it('multiplies exactly', () => {
    expect(multiplyDecimals('0.001', '1154.6')).toBe('1.1546');
    expect(multiplyDecimals('-2', '0.5')).toBe('-1');
  });

  it('compares by value, not by text', () => {
    expect(compareDecimals('1.0', '1')).toBe(0);
    expect(compareDecimals('0.00000001', '0')).toBe(1);
    expect(compareDecimals('-0.5', '0.1')).toBe(-1);
    expect(compareDecimals('10', '9.99999999')).toBe(1);
  });

  it('normalises to the shortest form and never prints -0', () => {
    expect(normalizeDecimal('1.50')).toBe('1.5');
    expect(normalizeDecimal('-0.000')).toBe('0');
    expect(normalizeDecimal('1.5e-7')).toBe('0.00000015');
    expect(normalizeDecimal('007.10')).toBe('7.1');
    expect(absDecimal('-0.5')).toBe('0.5');
    expect(isZeroDecimal('-0.00')).toBe(true);
  });

  it('refuses text that is not a decimal with RangeError', () => {
    expect(isDecimalString('NaN')).toBe(false);
    expect(isDecimalString('1.5e-7')).toBe(true);
    expect(() => addDecimals('NaN', '1')).toThrow(RangeError);
    expect(() => normalizeDecimal('')).toThrow(RangeError);
  });

  it('turns a Freqtrade float into its decimal digits, rounding float noise away at 10 decimals', () => {
    expect(decimalFromNumber(0.1 + 0.2)).toBe('0.3');
    expect(decimalFromNumber(1154.62034001)).toBe('1154.62034001');
    expect(decimalFromNumber(1.5e-7)).toBe('0.00000015');
    expect(decimalFromNumber(-0.00000000005)).toBe('-0.0000000001');
    expect(decimalFromNumber(0.00000000004)).toBe('0');
    expect(decimalFromNumber(1e21)).toBe('1000000000000000000000');
    expect(decimalFromNumber(2.5, 0)).toBe('3');
    expect(() => decimalFromNumber(Number.NaN)).toThrow(RangeError);
  });
});

describe('isBeyondTolerance', () => {
  it('allows a difference of exactly the ratio of the larger amount, and flags one unit more', () => {
    expect(isBeyondTolerance('1000', '999', 0.001)).toBe(false);
    expect(isBeyondTolerance('999', '1000', 0.001)).toBe(false);
    expect(isBeyondTolerance('1000', '998.99999999', 0.001)).toBe(true);
  });

  it('flags any non-zero difference when one side is zero, even with a ratio of 1', () => {
    expect(isBeyondTolerance('0.00000001', '0', 0.001)).toBe(true);
    expect(isBeyondTolerance('0', '5', 1)).toBe(true);
    expect(isBeyondTolerance('0', '0', 0)).toBe(false);
  });

  it('with a ratio of 0 flags every difference and nothing else', () => {
    expect(isBeyondTolerance('1.00000001', '1', 0)).toBe(true);
    expect(isBeyondTolerance('1.0', '1', 0)).toBe(false);
  });

  it('compares magnitudes for negative amounts', () => {
    expect(isBeyondTolerance('-1000', '-999.5', 0.001)).toBe(false);
    expect(isBeyondTolerance('-1000', '-998', 0.001)).toBe(true);
  });
});

describe('reconcileBalances', () => {
  it('matches exact amounts and reports the exact, signed difference', () => {
    const rows = reconcileBalances(
      [gemini('BTC', '1154.62034001'), gemini('USD', '18722.79')],
      [freqtrade('BTC', 1154.62034001), freqtrade('USD', 18722.8)],
      0.001,
    );
    expect(rows).toEqual([
      {
        currency: 'BTC',
        exchange: '1154.62034001',
        freqtrade: '1154.62034001',
        difference: '0',
        flagged: false,
      },
      { currency: 'USD', exchange: '18722.79', freqtrade: '18722.8', difference: '-0.01', flagged: false },
    ]);
  });

  it("sums Freqtrade's float noise back to the exact amount Gemini reports", () => {
    const [row] = reconcileBalances([gemini('ETH', '0.3')], [freqtrade('ETH', 0.1 + 0.2)], 0);
    expect(row).toEqual({
      currency: 'ETH',
      exchange: '0.3',
      freqtrade: '0.3',
      difference: '0',
      flagged: false,
    });
  });

  it('matches currencies case-insensitively', () => {
    const rows = reconcileBalances([gemini('eth', '2')], [freqtrade('ETH', 2)], 0.001);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ currency: 'eth', difference: '0', flagged: false });
  });

  it('counts a currency missing on one side as 0 and flags it', () => {
    const rows = reconcileBalances([gemini('BTC', '0.5')], [freqtrade('SOL', 12.25)], 0.5);
    expect(rows).toEqual([
      { currency: 'BTC', exchange: '0.5', freqtrade: '0', difference: '0.5', flagged: true },
      { currency: 'SOL', exchange: '0', freqtrade: '12.25', difference: '-12.25', flagged: true },
    ]);
  });

  it('flags a difference beyond the tolerance ratio and passes one within it', () => {
    const rows = reconcileBalances(
      [gemini('BTC', '1'), gemini('ETH', '10')],
      [freqtrade('BTC', 0.998), freqtrade('ETH', 9.99)],
      0.001,
    );
    expect(rows.map((row) => [row.currency, row.difference, row.flagged])).toEqual([
      ['BTC', '0.002', true],
      ['ETH', '0.01', false],
    ]);
  });

  it('leaves out currencies that are zero on both sides, and futures position rows', () => {
    const rows = reconcileBalances(
      [gemini('DOGE', '0'), gemini('USD', '5')],
      [freqtrade('DOGE', 0), freqtrade('USD', 5), freqtrade('BTC/USD:USD', 3, { is_position: true })],
      0.001,
    );
    expect(rows.map((row) => row.currency)).toEqual(['USD']);
  });

  it('sums several rows of one currency exactly', () => {
    const rows = reconcileBalances([gemini('USD', '0.1'), gemini('USD', '0.2')], [freqtrade('USD', 0.3)], 0);
    expect(rows).toEqual([
      { currency: 'USD', exchange: '0.3', freqtrade: '0.3', difference: '0', flagged: false },
    ]);
  });

  it('returns nothing when neither side holds anything', () => {
    expect(reconcileBalances([], [], 0.001)).toEqual([]);
  });
});
