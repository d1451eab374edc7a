/*
 * The statistics of Freqtrade's `/profit n` (rpc.py `_rpc_trade_statistics` with a `start_date`),
 * computed here from `/trades` and `/status`, because REST `/profit` has no date filter.
 *
 * Freqtrade's window holds the trades closed at or after the start, plus every open trade
 * (whenever it opened). The definitions, figure by figure:
 * - closed profit: sum of `close_profit_abs` (rounded to 8 decimals); mean and sum of
 *   `close_profit`; the sum relative to the starting capital (0 when that is 0);
 * - all profit: the closed figures plus each open trade's `total_profit_abs` and `profit_ratio`
 *   (open trades without a filled entry are skipped; a trade that cannot be priced makes them n/a);
 * - winning / losing: closed trades with `close_profit` ≥ 0 / < 0 (a zero profit wins);
 *   winrate = winning / closed; profit factor = won / |lost| (Infinity, sent as null, without a loss);
 * - expectancy (`calculate_expectancy`): over `close_profit_abs`, a zero profit is neither win nor loss;
 * - avg duration: of the closed trades; first / latest trade: opening time of the lowest / highest
 *   trade id in the window (open trades included);
 * - best pair: the pair with the largest summed `close_profit_abs` among trades closed after the start;
 * - max and current drawdown (`calculate_max_drawdown`): of the cumulated `close_profit_abs` in
 *   close order, relative to starting capital + the peak;
 * - trading volume: the cost of the orders filled since the start, of the trades we see.
 *
 * Not computed, never guessed: sharpe, sortino, sqn, calmar and cagr (the reply shows none of them,
 * and cagr needs the current balance); the bot start (not a figure of the window). Without a
 * starting capital (its call failed) the ratios against it and the relative drawdowns are null,
 * which the reply shows as n/a; so is fiat without a rate.
 */
import type { OpenTrade, Trade } from '../freqtrade/schemas.js';

const DAY_MS = 86_400_000;

/**
 * The start of Freqtrade's `/profit n` window: midnight (UTC) today, minus `n - 1` days
 * (telegram.py: `today_start - timedelta(days=n - 1)`), so `/profit 1` is today.
 */
export function profitWindowStartMs(days: number, nowMs: number): number {
  return Math.floor(nowMs / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
}

/** The figures a /profit reply shows: what REST `/profit` sends, and what `tradeStatistics` computes. */
export interface ProfitFigures {
  profit_closed_coin: number;
  profit_closed_ratio: number | null;
  profit_closed_ratio_mean: number;
  profit_closed_fiat: number | null;
  profit_all_coin: number | null;
  profit_all_ratio: number | null;
  profit_all_ratio_mean: number | null;
  profit_all_fiat: number | null;
  trade_count: number;
  closed_trade_count: number;
  /** 0 when unknown. */
  bot_start_timestamp: number;
  /** Epoch ms, 0 without trades. */
  first_trade_timestamp: number;
  latest_trade_timestamp: number;
  /** Freqtrade's "H:MM:SS" text (REST); `avg_duration_s` wins when present. */
  avg_duration?: string;
  avg_duration_s?: number | null;
  best_pair: string;
  best_pair_profit_ratio: number;
  best_pair_profit_abs?: number | null | undefined;
  winning_trades: number;
  losing_trades: number;
  /** null = Infinity (no losing trade). */
  profit_factor: number | null;
  winrate: number | null;
  expectancy: number | null;
  expectancy_ratio: number | null;
  max_drawdown: number | null;
  max_drawdown_abs: number | null;
  /** Epoch ms, 0 when none. */
  max_drawdown_start_timestamp: number;
  max_drawdown_end_timestamp: number;
  current_drawdown?: number | null | undefined;
  current_drawdown_abs?: number | null | undefined;
  trading_volume?: number | null | undefined;
}

/** What `tradeStatistics` computes: the figures plus the rest of the drawdown. */
export interface TradeStatistics extends ProfitFigures {
  avg_duration_s: number;
  best_pair_profit_abs: number;
  current_drawdown: number | null;
  current_drawdown_abs: number;
  current_drawdown_high: number;
  /** Epoch ms of the peak the current drawdown fell from; 0 without closed trades. */
  current_drawdown_start_timestamp: number;
  trading_volume: number;
}

export interface TradeStatisticsInput {
  /** Closed trades (`/trades`); those closed before `startMs` are left out here. */
  closedTrades: readonly Trade[];
  /** Open trades (`/status`): all of them count, as in Freqtrade. */
  openTrades: readonly OpenTrade[];
  /** The window's start, epoch ms. */
  startMs: number;
  /** Freqtrade's starting capital (`/balance` `starting_capital`); null when unknown. */
  startingBalance: number | null;
  /** Fiat per unit of stake currency; null without a fiat currency or rate. */
  fiatPerStake: number | null;
}

const roundTo8 = (value: number): number => Math.round(value * 1e8) / 1e8;
const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);
const mean = (values: readonly number[]): number => (values.length === 0 ? 0 : sum(values) / values.length);
const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

/** A trade has a filled entry (Freqtrade skips open trades without one in the "all" figures). */
function hasFilledEntry(trade: OpenTrade): boolean {
  if (typeof trade.nr_of_successful_entries === 'number') return trade.nr_of_successful_entries > 0;
  const entrySide = trade.is_short ? 'sell' : 'buy';
  return trade.orders.some((order) => order.ft_order_side === entrySide && (order.filled ?? 0) > 0);
}

/** `calculate_expectancy`: `[expectancy, ratio]`; `[0, 100]` without trades, ratio 100 without a loss. */
export function expectancyOf(profits: readonly number[]): [number, number] {
  if (profits.length === 0) return [0, 100];
  const wins = profits.filter((profit) => profit > 0);
  const losses = profits.filter((profit) => profit < 0);
  const averageWin = wins.length > 0 ? sum(wins) / wins.length : 0;
  const averageLoss = losses.length > 0 ? Math.abs(sum(losses)) / losses.length : 0;
  const winrate = wins.length / profits.length;
  const loserate = losses.length / profits.length;
  const expectancy = winrate * averageWin - loserate * averageLoss;
  if (averageLoss <= 0) return [expectancy, 100];
  return [expectancy, (1 + averageWin / averageLoss) * winrate - 1];
}

export interface DrawdownFigures {
  abs: number;
  /** Relative to starting capital + peak; null when the starting capital is unknown. */
  relative: number | null;
  highMs: number;
  lowMs: number;
  currentAbs: number;
  currentRelative: number | null;
  currentHigh: number;
  currentHighMs: number;
}

/**
 * `calculate_max_drawdown` over closed results (sorted by close time here): the cumulated profit
 * with a zero row in front, its running peak (never below 0), the deepest fall below the peak and
 * the fall after the last trade. Undefined without results (Freqtrade then reports zeros).
 */
export function drawdownOf(
  results: ReadonlyArray<{ closeMs: number; profitAbs: number }>,
  startingBalance: number | null,
): DrawdownFigures | undefined {
  if (results.length === 0) return undefined;
  const sorted = [...results].sort((a, b) => a.closeMs - b.closeMs);
  const relativeOf = (high: number, cumulative: number): number | null => {
    if (startingBalance === null) return null;
    // Freqtrade without a starting balance (0) divides by the peak alone.
    const peak = startingBalance ? startingBalance + high : high;
    const now = startingBalance ? startingBalance + cumulative : cumulative;
    return finiteOrNull((peak - now) / peak);
  };
  // Row 0 is Freqtrade's zero row; row i (≥ 1) is the i-th trade, `sorted[i - 1]`.
  const cumulative = [0];
  const high = [0];
  for (const result of sorted) {
    const next = (cumulative.at(-1) ?? 0) + result.profitAbs;
    cumulative.push(next);
    high.push(Math.max(high.at(-1) ?? 0, next));
  }
  const dateOf = (row: number): number => sorted[Math.max(row - 1, 0)]?.closeMs ?? 0;
  const firstIndexOfMax = (values: readonly number[], end: number): number => {
    let best = 0;
    for (let i = 1; i <= end; i += 1) if ((values[i] ?? 0) > (values[best] ?? 0)) best = i;
    return best;
  };
  let lowRow = 0;
  for (let i = 1; i < cumulative.length; i += 1) {
    const drawdown = (cumulative[i] ?? 0) - (high[i] ?? 0);
    if (drawdown < (cumulative[lowRow] ?? 0) - (high[lowRow] ?? 0)) lowRow = i;
  }
  const highRow = firstIndexOfMax(high, lowRow);
  const last = cumulative.length - 1;
  const currentHighRow = firstIndexOfMax(high, last - 1);
  const lastHigh = high[last] ?? 0;
  const lastCumulative = cumulative[last] ?? 0;
  return {
    abs: Math.abs((cumulative[lowRow] ?? 0) - (high[lowRow] ?? 0)),
    relative: relativeOf(high[lowRow] ?? 0, cumulative[lowRow] ?? 0),
    highMs: dateOf(highRow),
    lowMs: dateOf(lowRow),
    currentAbs: lastHigh - lastCumulative,
    currentRelative: relativeOf(lastHigh, lastCumulative),
    currentHigh: lastHigh,
    currentHighMs: dateOf(currentHighRow),
  };
}

/** The best pair of the closed trades: largest summed absolute profit (the first such on a tie). */
function bestPairOf(closed: readonly Trade[]): { pair: string; ratio: number; abs: number } | undefined {
  const byPair = new Map<string, { pair: string; ratio: number; abs: number }>();
  for (const trade of closed) {
    const entry = byPair.get(trade.pair) ?? { pair: trade.pair, ratio: 0, abs: 0 };
    entry.ratio += trade.close_profit ?? 0;
    entry.abs += trade.close_profit_abs ?? 0;
    byPair.set(trade.pair, entry);
  }
  let best: { pair: string; ratio: number; abs: number } | undefined;
  for (const entry of byPair.values()) if (!best || entry.abs > best.abs) best = entry;
  return best;
}

/** The cost of the orders of `trades` filled at or after `startMs` (Freqtrade's `get_trading_volume`). */
function tradingVolumeOf(trades: ReadonlyArray<Trade | OpenTrade>, startMs: number): number {
  let volume = 0;
  for (const trade of trades)
    for (const order of trade.orders)
      if (order.status === 'closed' && (order.order_filled_timestamp ?? -1) >= startMs) volume += order.cost;
  return volume;
}

/** `/profit n`'s statistics over the window starting at `input.startMs` (see the module comment). */
export function tradeStatistics(input: TradeStatisticsInput): TradeStatistics {
  const { startMs, startingBalance, fiatPerStake } = input;
  const closed = input.closedTrades
    .filter((trade) => !trade.is_open && trade.close_timestamp !== null && trade.close_timestamp >= startMs)
    .sort((a, b) => a.trade_id - b.trade_id);
  const open = input.openTrades.filter((trade) => trade.is_open);

  const closedAbs = closed.map((trade) => trade.close_profit_abs ?? 0);
  const closedRatios = closed.map((trade) => trade.close_profit ?? 0);
  const durationsS = closed.map(
    (trade) => ((trade.close_timestamp ?? trade.open_timestamp) - trade.open_timestamp) / 1000,
  );
  let winning = 0;
  let losing = 0;
  let wonAbs = 0;
  let lostAbs = 0;
  for (const trade of closed) {
    if ((trade.close_profit ?? 0) >= 0) {
      winning += 1;
      wonAbs += trade.close_profit_abs ?? 0;
    } else {
      losing += 1;
      lostAbs += trade.close_profit_abs ?? 0;
    }
  }

  const priced = open.filter(hasFilledEntry);
  const allAbs = [...closedAbs, ...priced.map((trade) => trade.total_profit_abs ?? Number.NaN)];
  const allRatios = [...closedRatios, ...priced.map((trade) => trade.profit_ratio ?? Number.NaN)];

  const closedCoin = roundTo8(sum(closedAbs));
  const allCoin = finiteOrNull(roundTo8(sum(allAbs)));
  const ofCapital = (amount: number | null): number | null =>
    amount === null || startingBalance === null ? null : startingBalance ? amount / startingBalance : 0;
  const inFiat = (amount: number | null): number | null =>
    amount === null || fiatPerStake === null ? null : amount * fiatPerStake;

  const [expectancy, expectancyRatio] = expectancyOf(
    closed.map((trade) => trade.close_profit_abs ?? Number.NaN),
  );
  const drawdown = drawdownOf(
    closed.map((trade) => ({ closeMs: trade.close_timestamp ?? 0, profitAbs: trade.close_profit_abs ?? 0 })),
    startingBalance,
  );
  const best = bestPairOf(closed.filter((trade) => (trade.close_timestamp ?? 0) > startMs));
  const byId = [...closed, ...open].sort((a, b) => a.trade_id - b.trade_id);

  return {
    profit_closed_coin: closedCoin,
    profit_closed_ratio: ofCapital(closedCoin),
    profit_closed_ratio_mean: mean(closedRatios),
    profit_closed_fiat: inFiat(closedCoin),
    profit_all_coin: allCoin,
    profit_all_ratio: ofCapital(allCoin),
    profit_all_ratio_mean: finiteOrNull(mean(allRatios)),
    profit_all_fiat: inFiat(allCoin),
    trade_count: byId.length,
    closed_trade_count: closed.length,
    bot_start_timestamp: 0,
    first_trade_timestamp: byId[0]?.open_timestamp ?? 0,
    latest_trade_timestamp: byId.at(-1)?.open_timestamp ?? 0,
    avg_duration_s: sum(durationsS) / (durationsS.length || 1),
    best_pair: best?.pair ?? '',
    best_pair_profit_ratio: best?.ratio ?? 0,
    best_pair_profit_abs: best?.abs ?? 0,
    winning_trades: winning,
    losing_trades: losing,
    profit_factor: lostAbs !== 0 ? wonAbs / Math.abs(lostAbs) : null,
    winrate: closed.length > 0 ? winning / closed.length : 0,
    expectancy,
    expectancy_ratio: expectancyRatio,
    max_drawdown: drawdown ? drawdown.relative : startingBalance === null ? null : 0,
    max_drawdown_abs: drawdown?.abs ?? 0,
    max_drawdown_start_timestamp: drawdown?.highMs ?? 0,
    max_drawdown_end_timestamp: drawdown?.lowMs ?? 0,
    current_drawdown: drawdown ? drawdown.currentRelative : startingBalance === null ? null : 0,
    current_drawdown_abs: drawdown?.currentAbs ?? 0,
    current_drawdown_high: drawdown?.currentHigh ?? 0,
    current_drawdown_start_timestamp: drawdown?.currentHighMs ?? 0,
    trading_volume: tradingVolumeOf([...closed, ...open], startMs),
  };
}
