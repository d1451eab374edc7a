import { describe, expect, it } from 'vitest';
import type { OpenTrade, Order, Trade } from '../freqtrade/schemas.js';
import { drawdownOf, expectancyOf, profitWindowStartMs, tradeStatistics } from './trade-statistics.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The window's start: 2026-12-01 00:00 UTC. */
const S = Date.UTC(2026, 11, 1);

function order(side: 'buy' | 'sell', cost: number, filledAtMs: number | null): Order {
  return {
    pair: 'X/USDT',
    order_id: `${side}-${filledAtMs}`,
    status: filledAtMs === null ? 'open' : 'closed',
    remaining: filledAtMs === null ? 1 : 0,
    amount: 1,
    safe_price: cost,
    cost,
    filled: filledAtMs === null ? 0 : 1,
    ft_order_side: side,
    order_type: 'limit',
    is_open: filledAtMs === null,
    order_timestamp: filledAtMs,
    order_filled_timestamp: filledAtMs,
  };
}

/** A closed long trade with an entry of 100 USDT at the open and an exit of 100 + profit at the close. */
function closed(spec: {
  id: number;
  pair: string;
  openMs: number;
  closeMs: number;
  abs: number | null;
  ratio: number | null;
}): Trade {
  return {
    trade_id: spec.id,
    pair: spec.pair,
    base_currency: spec.pair.split('/')[0] ?? '',
    quote_currency: 'USDT',
    is_open: false,
    is_short: false,
    exchange: 'binance',
    amount: 1,
    amount_requested: 1,
    stake_amount: 100,
    strategy: 'S',
    enter_tag: null,
    timeframe: 5,
    open_date: new Date(spec.openMs).toISOString(),
    open_timestamp: spec.openMs,
    open_rate: 100,
    open_trade_value: 100,
    close_date: new Date(spec.closeMs).toISOString(),
    close_timestamp: spec.closeMs,
    close_rate: 100,
    close_profit: spec.ratio,
    close_profit_pct: spec.ratio === null ? null : spec.ratio * 100,
    close_profit_abs: spec.abs,
    profit_ratio: spec.ratio,
    profit_pct: null,
    profit_abs: spec.abs,
    realized_profit: spec.abs ?? 0,
    exit_reason: 'roi',
    stop_loss_abs: null,
    stop_loss_ratio: null,
    stop_loss_pct: null,
    min_rate: null,
    max_rate: null,
    nr_of_successful_entries: 1,
    nr_of_successful_exits: 1,
    has_open_orders: false,
    orders: [order('buy', 100, spec.openMs), order('sell', 100 + (spec.abs ?? 0), spec.closeMs)],
    leverage: 1,
  };
}

/** An open trade as /status shows it. */
function open(spec: {
  id: number;
  openMs: number;
  totalAbs: number | null;
  ratio: number | null;
  filledEntries?: number | null;
}): OpenTrade {
  const filled = spec.filledEntries ?? 1;
  return {
    ...closed({ id: spec.id, pair: 'SOL/USDT', openMs: spec.openMs, closeMs: 0, abs: null, ratio: null }),
    is_open: true,
    close_date: null,
    close_timestamp: null,
    close_rate: null,
    close_profit: null,
    close_profit_abs: null,
    profit_ratio: spec.ratio,
    realized_profit: 0,
    nr_of_successful_entries: spec.filledEntries === undefined ? 1 : spec.filledEntries,
    nr_of_successful_exits: 0,
    orders: [order('buy', 100, filled > 0 ? spec.openMs : null)],
    current_rate: spec.totalAbs === null ? null : 100,
    total_profit_abs: spec.totalAbs,
    total_profit_ratio: spec.ratio,
  };
}

// t1 closed before the window; t2 opened before it and closed in it; t4 breaks even (a "tie").
const T1 = closed({ id: 1, pair: 'BTC/USDT', openMs: S - 3 * HOUR, closeMs: S - HOUR, abs: 50, ratio: 0.05 });
const T2 = closed({ id: 2, pair: 'ETH/USDT', openMs: S - 2 * HOUR, closeMs: S + HOUR, abs: 10, ratio: 0.1 });
const T3 = closed({
  id: 3,
  pair: 'ETH/USDT',
  openMs: S + 2 * HOUR,
  closeMs: S + 3 * HOUR,
  abs: -4,
  ratio: -0.04,
});
const T4 = closed({ id: 4, pair: 'XRP/USDT', openMs: S + 4 * HOUR, closeMs: S + 6 * HOUR, abs: 0, ratio: 0 });
const T5 = closed({
  id: 5,
  pair: 'BTC/USDT',
  openMs: S + 5 * HOUR,
  closeMs: S + 5.5 * HOUR,
  abs: 8,
  ratio: 0.04,
});
// Open since before the window (it counts all the same), and one whose entry has not filled yet.
const O6 = open({ id: 6, openMs: S - 3 * DAY, totalAbs: -3, ratio: -0.02 });
const O7 = open({ id: 7, openMs: S + 7 * HOUR, totalAbs: 0, ratio: 0, filledEntries: 0 });

describe('profitWindowStartMs', () => {
  it("is midnight UTC today for 1 day, and n - 1 days earlier for n (Freqtrade's /profit n)", () => {
    const now = Date.UTC(2026, 11, 3, 3, 39);
    expect(profitWindowStartMs(1, now)).toBe(Date.UTC(2026, 11, 3));
    expect(profitWindowStartMs(3, now)).toBe(Date.UTC(2026, 11, 1));
    expect(profitWindowStartMs(3, Date.UTC(2026, 11, 3))).toBe(Date.UTC(2026, 11, 1));
  });
});

describe('tradeStatistics', () => {
  const stats = tradeStatistics({
    // Unsorted, as pages come: the order must not matter.
    closedTrades: [T5, T1, T3, T2, T4],
    openTrades: [O7, O6],
    startMs: S,
    startingBalance: 1000,
    fiatPerStake: 2,
  });

  it('sums the closed trades of the window only: 10 - 4 + 0 + 8 = 14', () => {
    expect(stats.closed_trade_count).toBe(4);
    expect(stats.profit_closed_coin).toBe(14);
    expect(stats.profit_closed_ratio_mean).toBeCloseTo(0.1 / 4, 12);
    expect(stats.profit_closed_ratio).toBeCloseTo(0.014, 12);
    expect(stats.profit_closed_fiat).toBe(28);
  });

  it('adds every open trade with a filled entry to the "all" figures: 14 - 3 = 11', () => {
    expect(stats.trade_count).toBe(6);
    expect(stats.profit_all_coin).toBe(11);
    // (0.1 - 0.04 + 0 + 0.04 - 0.02) / 5; the unfilled trade 7 is skipped.
    expect(stats.profit_all_ratio_mean).toBeCloseTo(0.016, 12);
    expect(stats.profit_all_ratio).toBeCloseTo(0.011, 12);
    expect(stats.profit_all_fiat).toBe(22);
  });

  it('counts a zero profit as a win, the profit factor as won / lost', () => {
    expect(stats.winning_trades).toBe(3);
    expect(stats.losing_trades).toBe(1);
    expect(stats.winrate).toBe(0.75);
    expect(stats.profit_factor).toBe(18 / 4);
  });

  it('leaves the zero profit out of the expectancy: 0.5 × 9 - 0.25 × 4', () => {
    expect(stats.expectancy).toBeCloseTo(3.5, 12);
    // (1 + 9 / 4) × 0.5 - 1
    expect(stats.expectancy_ratio).toBeCloseTo(0.625, 12);
  });

  it('averages the durations of the closed trades: (3 h + 1 h + 2 h + 30 min) / 4', () => {
    expect(stats.avg_duration_s).toBe(5850);
  });

  it('names the best pair by summed profit, and the first and latest trade by id', () => {
    expect(stats.best_pair).toBe('BTC/USDT');
    expect(stats.best_pair_profit_abs).toBe(8);
    expect(stats.best_pair_profit_ratio).toBe(0.04);
    // Trade 2 (lowest id), though trade 6 opened earlier: Freqtrade takes them in id order.
    expect(stats.first_trade_timestamp).toBe(S - 2 * HOUR);
    expect(stats.latest_trade_timestamp).toBe(S + 7 * HOUR);
  });

  it('finds the drawdown in close order: from +10 (trade 2) down to +6 (trade 3)', () => {
    expect(stats.max_drawdown_abs).toBe(4);
    expect(stats.max_drawdown).toBeCloseTo(4 / 1010, 12);
    expect(stats.max_drawdown_start_timestamp).toBe(S + HOUR);
    expect(stats.max_drawdown_end_timestamp).toBe(S + 3 * HOUR);
    // A new high of +14 after trade 5: no current drawdown.
    expect(stats.current_drawdown_abs).toBe(0);
    expect(stats.current_drawdown).toBe(0);
    expect(stats.current_drawdown_high).toBe(14);
    expect(stats.current_drawdown_start_timestamp).toBe(S + 5.5 * HOUR);
  });

  it('sums the cost of the orders filled since the start as the trading volume', () => {
    // t2's exit 110; t3 100 + 96; t4 100 + 100; t5 100 + 108. t1, t6's entry are older; t7's is unfilled.
    expect(stats.trading_volume).toBe(714);
  });

  it('has no profit factor (Infinity) and an expectancy ratio of 100 without a losing trade', () => {
    const wins = tradeStatistics({
      closedTrades: [T2, T5],
      openTrades: [],
      startMs: S,
      startingBalance: 1000,
      fiatPerStake: null,
    });
    expect(wins.profit_factor).toBeNull();
    expect(wins.losing_trades).toBe(0);
    expect(wins.winrate).toBe(1);
    expect(wins.expectancy).toBe(9);
    expect(wins.expectancy_ratio).toBe(100);
    expect(wins.max_drawdown_abs).toBe(0);
    expect(wins.max_drawdown).toBe(0);
    expect(wins.profit_closed_fiat).toBeNull();
  });

  it("gives Freqtrade's zeros for an empty window", () => {
    const none = tradeStatistics({
      closedTrades: [T1],
      openTrades: [],
      startMs: S,
      startingBalance: 1000,
      fiatPerStake: 2,
    });
    expect(none).toMatchObject({
      trade_count: 0,
      closed_trade_count: 0,
      profit_closed_coin: 0,
      profit_all_coin: 0,
      winrate: 0,
      profit_factor: null,
      expectancy: 0,
      expectancy_ratio: 100,
      max_drawdown: 0,
      max_drawdown_abs: 0,
      first_trade_timestamp: 0,
      best_pair: '',
      avg_duration_s: 0,
      trading_volume: 0,
    });
  });

  it('says n/a (null) for what needs an unknown starting capital or an unpriced open trade', () => {
    const unknown = tradeStatistics({
      closedTrades: [T2, T3],
      openTrades: [open({ id: 8, openMs: S, totalAbs: null, ratio: null })],
      startMs: S,
      startingBalance: null,
      fiatPerStake: null,
    });
    expect(unknown.profit_closed_coin).toBe(6);
    expect(unknown.profit_closed_ratio).toBeNull();
    expect(unknown.max_drawdown_abs).toBe(4);
    expect(unknown.max_drawdown).toBeNull();
    expect(unknown.current_drawdown).toBeNull();
    expect(unknown.profit_all_coin).toBeNull();
    expect(unknown.profit_all_ratio_mean).toBeNull();
    expect(unknown.profit_all_ratio).toBeNull();
  });
});

describe('expectancyOf and drawdownOf', () => {
  it('computes the expectancy of wins and losses', () => {
    expect(expectancyOf([])).toEqual([0, 100]);
    expect(expectancyOf([2, -1, -1])).toEqual([0, 0]);
  });

  it('measures the deepest fall, and the current one below the last peak', () => {
    const dd = drawdownOf(
      [
        { closeMs: 1, profitAbs: 5 },
        { closeMs: 2, profitAbs: -8 },
        { closeMs: 3, profitAbs: 2 },
        { closeMs: 4, profitAbs: 4 },
        { closeMs: 5, profitAbs: -1 },
      ],
      100,
    );
    // Cumulated: 5, -3, -1, 3, 2; peak 5 until the end.
    expect(dd).toEqual({
      abs: 8,
      relative: 8 / 105,
      highMs: 1,
      lowMs: 2,
      currentAbs: 3,
      currentRelative: 3 / 105,
      currentHigh: 5,
      currentHighMs: 1,
    });
  });

  it('falls from the starting balance when the first trade loses', () => {
    const dd = drawdownOf([{ closeMs: 7, profitAbs: -10 }], 100);
    expect(dd).toMatchObject({ abs: 10, relative: 0.1, highMs: 7, lowMs: 7 });
  });
});
