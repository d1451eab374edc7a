import { describe, expect, it } from 'vitest';
import { fiatRateFrom, lastCandleOf } from './bot-facts.js';

describe('fiatRateFrom: the fiat rate a bot itself reports', () => {
  const profit = { profit_all_fiat: 0, profit_all_coin: 0, profit_closed_fiat: 0, profit_closed_coin: 0 };

  it("takes /balance's fiat value against its stake total", () => {
    // shared/freqtrade-api-reference.md: USDT stake, fiat USD at 1.2.
    expect(fiatRateFrom({ symbol: 'USD', value: 1332.78, total: 1110.65, stake: 'USDT' })).toEqual({
      currency: 'USD',
      stakeCurrency: 'USDT',
      rate: 1332.78 / 1110.65,
    });
  });

  it("falls back on /profit's fiat against coin figures when the balance is empty", () => {
    const rate = fiatRateFrom(
      { symbol: 'EUR', value: 0, total: 0, stake: 'BTC' },
      { ...profit, profit_all_fiat: -183590.83, profit_all_coin: -2.5 },
    );
    expect(rate).toEqual({ currency: 'EUR', stakeCurrency: 'BTC', rate: 183590.83 / 2.5 });
  });

  it('has no rate when the bot shows no fiat', () => {
    expect(fiatRateFrom({ symbol: '', value: 0, total: 100, stake: 'USDT' })).toBeUndefined();
    expect(fiatRateFrom({ symbol: 'USD', value: 0, total: 100, stake: 'USDT' }, profit)).toBeUndefined();
  });
});

describe('lastCandleOf', () => {
  it('reads OHLC from the last row by column name', () => {
    const history = {
      columns: ['date', 'open', 'high', 'low', 'close', 'volume'],
      data: [
        ['2026-11-22 09:00:00', 1, 2, 0.5, 1.5, 10],
        ['2026-11-22 09:05:00', 1.5, 2.5, 1.25, 2, 12],
      ],
    };
    expect(lastCandleOf(history)).toEqual({ open: 1.5, high: 2.5, low: 1.25, close: 2 });
    expect(lastCandleOf({ columns: [], data: [] })).toBeUndefined();
    expect(lastCandleOf({ columns: ['open'], data: [[1]] })).toBeUndefined();
  });
});
