/*
 * Every closed trade since a time, from `/trades` page by page (Freqtrade answers at most 500 a
 * call). Asked newest close first (`order_by_id=false`), so paging stops at the first page that
 * reaches older trades; a server that ignores the order (its pages come oldest first) is read to
 * the end instead. At most `maxTrades` are read: then `truncated` says some may be missing.
 */
import type { FreqtradeClient } from '../freqtrade/client.js';
import type { Trade } from '../freqtrade/schemas.js';

/** Freqtrade's largest `/trades` page: it answers at most 500 trades a call. */
export const TRADES_PAGE_LIMIT = 500;
/** How many closed trades one command reads at most. */
export const MAX_TRADES_READ = 10_000;

export interface ClosedTradesSince {
  /** The closed trades with a close time at or after the start, each once, in the order read. */
  trades: Trade[];
  /** True when the read stopped at `maxTrades` before the start was reached. */
  truncated: boolean;
  /** How many `/trades` calls it took. */
  pages: number;
}

/** The closed trades closed at or after `sinceMs` (epoch ms). */
export async function closedTradesSince(
  bot: Pick<FreqtradeClient, 'trades'>,
  sinceMs: number,
  opts: { pageSize?: number; maxTrades?: number } = {},
): Promise<ClosedTradesSince> {
  const pageSize = Math.min(opts.pageSize ?? TRADES_PAGE_LIMIT, TRADES_PAGE_LIMIT);
  const maxTrades = opts.maxTrades ?? MAX_TRADES_READ;
  const kept = new Map<number, Trade>();
  let offset = 0;
  let pages = 0;
  let newestFirst = true;
  let previousCloseMs = Number.POSITIVE_INFINITY;
  for (;;) {
    const limit = Math.min(pageSize, maxTrades - offset);
    if (limit <= 0) return { trades: [...kept.values()], truncated: true, pages };
    const page = await bot.trades({ limit, offset, orderById: false });
    pages += 1;
    let reachedOlder = false;
    for (const trade of page.trades) {
      const closeMs = trade.close_timestamp;
      if (closeMs === null) continue;
      if (closeMs > previousCloseMs) newestFirst = false;
      previousCloseMs = closeMs;
      if (closeMs >= sinceMs) kept.set(trade.trade_id, trade);
      else reachedOlder = true;
    }
    offset += page.trades.length;
    const done = page.trades.length === 0 || offset >= page.total_trades || (newestFirst && reachedOlder);
    if (done) return { trades: [...kept.values()], truncated: false, pages };
  }
}
