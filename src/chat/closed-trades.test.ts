import { describe, expect, it } from 'vitest';
import type { FreqtradeClient } from '../freqtrade/client.js';
import type { Trade, TradeList } from '../freqtrade/schemas.js';
import { closedTradesSince } from './closed-trades.js';

/** Just the fields the pager reads; the rest of a Trade does not matter here. */
const trade = (id: number, closeMs: number): Trade => ({ trade_id: id, close_timestamp: closeMs }) as Trade;

/** A `/trades` that pages `all` like Freqtrade: newest close first unless `ignoresOrder`. */
function pagedBot(all: Trade[], opts: { ignoresOrder?: boolean } = {}) {
  const calls: Array<{ limit?: number; offset?: number; orderById?: boolean }> = [];
  const bot: Pick<FreqtradeClient, 'trades'> = {
    async trades(query = {}): Promise<TradeList> {
      calls.push(query);
      const byId = [...all].sort((a, b) => a.trade_id - b.trade_id);
      const byClose = [...all].sort((a, b) => (b.close_timestamp ?? 0) - (a.close_timestamp ?? 0));
      const ordered = opts.ignoresOrder || query.orderById !== false ? byId : byClose;
      const offset = query.offset ?? 0;
      const page = ordered.slice(offset, offset + Math.min(query.limit ?? 500, 500));
      return { trades: page, trades_count: page.length, offset, total_trades: all.length };
    },
  };
  return { bot, calls };
}

// Trade i closed at i × 10 (so ids follow close times), 1..25.
const ALL = Array.from({ length: 25 }, (_, index) => trade(index + 1, (index + 1) * 10));

describe('closedTradesSince', () => {
  it('asks newest first and stops at the first page that reaches older trades', async () => {
    const { bot, calls } = pagedBot(ALL);
    const result = await closedTradesSince(bot, 175, { pageSize: 4 });
    expect(result.trades.map((t) => t.trade_id).sort((a, b) => a - b)).toEqual([
      18, 19, 20, 21, 22, 23, 24, 25,
    ]);
    expect(result.truncated).toBe(false);
    // 25-22, 21-18, 17-14 (reaches 170 < 175): three pages, not seven.
    expect(calls).toEqual([
      { limit: 4, offset: 0, orderById: false },
      { limit: 4, offset: 4, orderById: false },
      { limit: 4, offset: 8, orderById: false },
    ]);
    expect(result.pages).toBe(3);
  });

  it('reads every page from a server that ignores the order (oldest first)', async () => {
    const { bot, calls } = pagedBot(ALL, { ignoresOrder: true });
    const result = await closedTradesSince(bot, 175, { pageSize: 10 });
    expect(result.trades.map((t) => t.trade_id)).toEqual([18, 19, 20, 21, 22, 23, 24, 25]);
    expect(calls.map((call) => call.offset)).toEqual([0, 10, 20]);
  });

  it('stops at maxTrades and says so', async () => {
    const { bot, calls } = pagedBot(ALL);
    const result = await closedTradesSince(bot, 0, { pageSize: 4, maxTrades: 10 });
    expect(result.truncated).toBe(true);
    expect(result.trades).toHaveLength(10);
    expect(calls.map((call) => call.limit)).toEqual([4, 4, 2]);
  });

  it('asks once when there are no closed trades, and never for more than 500 a page', async () => {
    const { bot, calls } = pagedBot([]);
    expect(await closedTradesSince(bot, 0, { pageSize: 900 })).toEqual({
      trades: [],
      truncated: false,
      pages: 1,
    });
    expect(calls).toEqual([{ limit: 500, offset: 0, orderById: false }]);
  });
});
