/**
 * The aggregate endpoints, computed from the fake's trades the way Freqtrade's RPC layer does:
 * `/profit`, `/profit_all`, `/performance`, `/entries`, `/exits`, `/mix_tags`, `/stats`,
 * `/daily|weekly|monthly`, `/balance` and `/count`.
 */
import { type JsonObject, round } from './json-value.js';
import { splitPair } from './markets.js';
import {
  cagr,
  type ClosedResult,
  currentDrawdown,
  expectancy,
  maxDrawdown,
  sharpe,
  sortino,
  sqn,
} from './metrics.js';
import type { FakeState, FakeTrade } from './state.js';
import { formatDate, formatDt, formatTimedelta, humanizeSince, startOfUtcDay } from './time-format.js';
import { toFiat } from './trade-json.js';
import { currentRateOf, freeStake, profitAt, totalProfitRatio } from './trade-math.js';

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const avg = (values: readonly number[]): number => (values.length === 0 ? 0 : sum(values) / values.length);
const dtOrEmpty = (ms: number | undefined): string => (ms === undefined ? '' : formatDt(ms));
const fiatOrZero = (state: FakeState, amount: number): number => toFiat(state, amount) ?? 0;

const closedTrades = (trades: readonly FakeTrade[]): FakeTrade[] => trades.filter((t) => !t.isOpen);

/** A trade's profit as `/profit` counts it: closed → close profit; open → realized + unrealized now. */
function tradeProfit(state: FakeState, trade: FakeTrade): { abs: number; ratio: number } {
  if (!trade.isOpen) return { abs: trade.closeProfitAbs ?? 0, ratio: trade.closeProfit ?? 0 };
  const unrealized = profitAt(trade, currentRateOf(state, trade.pair));
  const abs = round(trade.realizedProfit + unrealized.abs, 8);
  return { abs, ratio: totalProfitRatio(trade, abs) };
}

/** The `Profit` model over `trades` (all trades, or one side of them for `/profit_all`). */
export function profitReport(state: FakeState, trades: readonly FakeTrade[], nowMs: number): JsonObject {
  const startingBalance = state.startingCapital;
  const byId = [...trades].sort((a, b) => a.id - b.id);
  const closed = closedTrades(byId);
  const closedAbs = closed.map((t) => t.closeProfitAbs ?? 0);
  const closedRatios = closed.map((t) => t.closeProfit ?? 0);
  const all = byId.map((t) => tradeProfit(state, t));
  const allAbs = all.map((p) => p.abs);
  const allRatios = all.map((p) => p.ratio);
  const closedCoin = round(sum(closedAbs), 8);
  const allCoin = round(sum(allAbs), 8);
  const durationsS = closed.map((t) => ((t.closeDateMs ?? t.openDateMs) - t.openDateMs) / 1000);

  let winning = 0;
  let losing = 0;
  let winningProfit = 0;
  let losingProfit = 0;
  for (const t of closed) {
    if ((t.closeProfit ?? 0) >= 0) {
      winning += 1;
      winningProfit += t.closeProfitAbs ?? 0;
    } else {
      losing += 1;
      losingProfit += t.closeProfitAbs ?? 0;
    }
  }
  const [expectancyValue, expectancyRatio] = expectancy(closedAbs);

  const results: ClosedResult[] = closed.map((t) => ({
    profitAbs: t.closeProfitAbs ?? 0,
    closeMs: t.closeDateMs ?? t.openDateMs,
  }));
  const closeTimes = results.map((r) => r.closeMs);
  const minClose = closeTimes.length > 0 ? Math.min(...closeTimes) : 0;
  const maxClose = closeTimes.length > 0 ? Math.max(...closeTimes) : 0;
  const drawdown = maxDrawdown(results, startingBalance);
  const current = currentDrawdown(results, startingBalance);
  const daysPeriod = Math.max(1, Math.floor((maxClose - minClose) / 86_400_000));
  const calmar =
    results.length === 0 || minClose === maxClose
      ? 0
      : drawdown && drawdown.relative !== 0
        ? (((closedCoin / startingBalance / daysPeriod) * 100) / drawdown.relative) * Math.sqrt(365)
        : -100;

  const best = groupClosedTrades(closed, (t) => t.pair)[0];
  const first = byId[0];
  const latest = byId.at(-1);
  const tradingVolume = byId.reduce(
    (total, t) => total + t.orders.reduce((s, o) => s + o.filled * o.price, 0),
    0,
  );

  return {
    profit_closed_coin: closedCoin,
    profit_closed_percent_mean: round(avg(closedRatios) * 100, 2),
    profit_closed_ratio_mean: avg(closedRatios),
    profit_closed_percent_sum: round(sum(closedRatios) * 100, 2),
    profit_closed_ratio_sum: sum(closedRatios),
    profit_closed_percent: round((closedCoin / startingBalance) * 100, 2),
    profit_closed_ratio: closedCoin / startingBalance,
    profit_closed_fiat: fiatOrZero(state, closedCoin),
    profit_all_coin: allCoin,
    profit_all_percent_mean: round(avg(allRatios) * 100, 2),
    profit_all_ratio_mean: avg(allRatios),
    profit_all_percent_sum: round(sum(allRatios) * 100, 2),
    profit_all_ratio_sum: sum(allRatios),
    profit_all_percent: round((allCoin / startingBalance) * 100, 2),
    profit_all_ratio: allCoin / startingBalance,
    profit_all_fiat: fiatOrZero(state, allCoin),
    trade_count: byId.length,
    closed_trade_count: closed.length,
    first_trade_date: dtOrEmpty(first?.openDateMs),
    first_trade_humanized: first ? humanizeSince(first.openDateMs, nowMs) : '',
    first_trade_timestamp: first?.openDateMs ?? 0,
    latest_trade_date: dtOrEmpty(latest?.openDateMs),
    latest_trade_humanized: latest ? humanizeSince(latest.openDateMs, nowMs) : '',
    latest_trade_timestamp: latest?.openDateMs ?? 0,
    avg_duration: formatTimedelta(sum(durationsS) / (durationsS.length || 1)),
    best_pair: best?.key ?? '',
    best_rate: best ? round(best.ratio * 100, 2) : 0,
    best_pair_profit_ratio: best?.ratio ?? 0,
    best_pair_profit_abs: best?.abs ?? 0,
    winning_trades: winning,
    losing_trades: losing,
    // Infinity without losses: orjson writes it as null.
    profit_factor: losingProfit !== 0 ? winningProfit / Math.abs(losingProfit) : null,
    winrate: closed.length > 0 ? winning / closed.length : 0,
    expectancy: expectancyValue,
    expectancy_ratio: expectancyRatio,
    sharpe: sharpe(results, minClose, maxClose, startingBalance),
    sortino: sortino(results, minClose, maxClose, startingBalance),
    sqn: sqn(results, startingBalance),
    calmar,
    cagr: results.length === 0 ? 0 : cagr(daysPeriod, startingBalance, startingBalance + closedCoin),
    max_drawdown: drawdown?.relative ?? 0,
    max_drawdown_abs: drawdown?.abs ?? 0,
    max_drawdown_start: dtOrEmpty(drawdown?.highMs),
    max_drawdown_start_timestamp: drawdown?.highMs ?? 0,
    max_drawdown_end: dtOrEmpty(drawdown?.lowMs),
    max_drawdown_end_timestamp: drawdown?.lowMs ?? 0,
    current_drawdown: current?.relative ?? 0,
    current_drawdown_abs: current?.abs ?? 0,
    current_drawdown_high: current?.high ?? 0,
    current_drawdown_start: dtOrEmpty(current && current.abs > 0 ? current.startMs : undefined),
    current_drawdown_start_timestamp: current && current.abs > 0 ? current.startMs : 0,
    trading_volume: round(tradingVolume, 8),
    bot_start_timestamp: state.botStartMs,
    bot_start_date: formatDt(state.botStartMs),
  };
}

/** `/profit_all`: `all`, plus `long` / `short` outside spot (null on spot). */
export function profitAllReport(state: FakeState, nowMs: number): JsonObject {
  const spot = state.tradingMode === 'spot';
  return {
    all: profitReport(state, state.trades, nowMs),
    long: spot
      ? null
      : profitReport(
          state,
          state.trades.filter((t) => !t.isShort),
          nowMs,
        ),
    short: spot
      ? null
      : profitReport(
          state,
          state.trades.filter((t) => t.isShort),
          nowMs,
        ),
  };
}

interface GroupStats {
  key: string;
  ratio: number;
  abs: number;
  count: number;
}

/** Closed trades grouped by `keyOf`, summed, sorted by absolute profit (best first). */
function groupClosedTrades(trades: readonly FakeTrade[], keyOf: (t: FakeTrade) => string): GroupStats[] {
  const groups = new Map<string, GroupStats>();
  for (const t of trades) {
    if (t.isOpen) continue;
    const key = keyOf(t);
    const group = groups.get(key) ?? { key, ratio: 0, abs: 0, count: 0 };
    group.ratio += t.closeProfit ?? 0;
    group.abs += t.closeProfitAbs ?? 0;
    group.count += 1;
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((g) => ({ ...g, ratio: round(g.ratio, 8), abs: round(g.abs, 8) }))
    .sort((a, b) => b.abs - a.abs);
}

/** `/performance`: per pair over closed trades; `profit` is the deprecated percent copy. */
export function performanceReport(state: FakeState): JsonObject[] {
  return groupClosedTrades(state.trades, (t) => t.pair).map((g) => ({
    pair: g.key,
    profit: round(g.ratio * 100, 2),
    profit_ratio: g.ratio,
    profit_pct: round(g.ratio * 100, 2),
    profit_abs: g.abs,
    count: g.count,
  }));
}

export type TagReportKind = 'enter_tag' | 'exit_reason' | 'mix_tag';

/** `/entries`, `/exits`, `/mix_tags`: closed trades (of `pair` when given) grouped by tag. */
export function tagReport(state: FakeState, kind: TagReportKind, pair: string | undefined): JsonObject[] {
  const trades = state.trades.filter((t) => pair === undefined || t.pair === pair);
  const enterTag = (t: FakeTrade): string => t.enterTag ?? 'Other';
  const exitReason = (t: FakeTrade): string => t.exitReason ?? 'Other';
  const keyOf =
    kind === 'enter_tag'
      ? enterTag
      : kind === 'exit_reason'
        ? exitReason
        : (t: FakeTrade) => `${enterTag(t)} ${exitReason(t)}`;
  return groupClosedTrades(trades, keyOf).map((g) => ({
    [kind]: g.key,
    profit_ratio: g.ratio,
    profit_pct: round(g.ratio * 100, 2),
    profit_abs: g.abs,
    count: g.count,
  }));
}

/** `/stats`: wins / losses / draws per exit reason, and mean durations in seconds (null when none). */
export function statsReport(state: FakeState): JsonObject {
  const exitReasons: Record<string, { wins: number; losses: number; draws: number }> = {};
  const durations = { wins: [] as number[], draws: [] as number[], losses: [] as number[] };
  for (const t of closedTrades(state.trades)) {
    const reason = t.exitReason ?? 'other';
    const entry = exitReasons[reason] ?? { wins: 0, losses: 0, draws: 0 };
    const ratio = t.closeProfit ?? 0;
    const outcome = ratio > 0 ? 'wins' : ratio < 0 ? 'losses' : 'draws';
    entry[outcome] += 1;
    exitReasons[reason] = entry;
    durations[outcome].push(((t.closeDateMs ?? t.openDateMs) - t.openDateMs) / 1000);
  }
  const meanOrNull = (values: number[]): number | null =>
    values.length === 0 ? null : round(avg(values), 2);
  return {
    exit_reasons: exitReasons,
    durations: {
      wins: meanOrNull(durations.wins),
      draws: meanOrNull(durations.draws),
      losses: meanOrNull(durations.losses),
    },
  };
}

export type TimeUnit = 'days' | 'weeks' | 'months';

function periodStart(nowMs: number, unit: TimeUnit, stepsBack: number): number {
  const today = new Date(startOfUtcDay(nowMs));
  if (unit === 'days') return today.getTime() - stepsBack * 86_400_000;
  if (unit === 'weeks') {
    const mondayOffset = (today.getUTCDay() + 6) % 7;
    return today.getTime() - (mondayOffset + stepsBack * 7) * 86_400_000;
  }
  return Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - stepsBack, 1);
}

/**
 * `/daily`, `/weekly`, `/monthly`: `timescale` periods, the current one first; each period's
 * starting balance is the wallet total minus the profits closed since.
 */
export function timeUnitReport(
  state: FakeState,
  unit: TimeUnit,
  timescale: number,
  nowMs: number,
): JsonObject {
  let stake = state.startingCapital + sum(closedTrades(state.trades).map((t) => t.closeProfitAbs ?? 0));
  const data: JsonObject[] = [];
  for (let step = 0; step < timescale; step++) {
    const start = periodStart(nowMs, unit, step);
    const end = step === 0 ? Number.POSITIVE_INFINITY : periodStart(nowMs, unit, step - 1);
    const trades = closedTrades(state.trades).filter(
      (t) => t.closeDateMs !== null && t.closeDateMs >= start && t.closeDateMs < end,
    );
    const profit = round(sum(trades.map((t) => t.closeProfitAbs ?? 0)), 8);
    stake -= profit;
    data.push({
      date: formatDate(start),
      abs_profit: profit,
      rel_profit: stake > 0 ? round(profit / stake, 8) : 0,
      starting_balance: round(stake, 8),
      fiat_value: fiatOrZero(state, profit),
      trade_count: trades.length,
    });
  }
  return { stake_currency: state.stakeCurrency, fiat_display_currency: state.fiatDisplayCurrency, data };
}

/**
 * `/balance` of the simulated (dry-run) wallet: the stake currency row, one coin row per open
 * long spot trade, one position row per short or futures trade.
 */
export function balanceReport(state: FakeState): JsonObject {
  const stake = state.stakeCurrency;
  const free = round(freeStake(state), 8);
  const currencies: JsonObject[] = [
    {
      currency: stake,
      free,
      balance: free,
      used: 0,
      bot_owned: free,
      est_stake: free,
      est_stake_bot: free,
      stake,
      side: 'long',
      is_position: false,
      position: 0,
      is_bot_managed: true,
    },
  ];
  for (const t of state.trades) {
    if (!t.isOpen) continue;
    const rate = currentRateOf(state, t.pair);
    if (!t.isShort && state.tradingMode === 'spot') {
      const value = round(t.amount * rate, 8);
      currencies.push({
        currency: splitPair(t.pair).base,
        free: t.amount,
        balance: t.amount,
        used: 0,
        bot_owned: t.amount,
        est_stake: value,
        est_stake_bot: value,
        stake,
        side: 'long',
        is_position: false,
        position: 0,
        is_bot_managed: true,
      });
    } else {
      const value = round(t.stakeAmount + profitAt(t, rate).abs, 8);
      currencies.push({
        currency: t.pair,
        free: 0,
        balance: 0,
        used: 0,
        bot_owned: null,
        est_stake: value,
        est_stake_bot: value,
        stake,
        side: t.isShort ? 'short' : 'long',
        is_position: true,
        position: t.amount,
        is_bot_managed: true,
      });
    }
  }
  // Freqtrade's total is the sum of the rows' estimated stake value (rpc.py _rpc_balance).
  const total = round(
    currencies.reduce((sum, row) => sum + (typeof row.est_stake === 'number' ? row.est_stake : 0), 0),
    8,
  );
  const starting = state.startingCapital;
  const ratio = starting > 0 ? total / starting - 1 : 0;
  const startingFiat = fiatOrZero(state, starting);
  const value = fiatOrZero(state, total);
  const fiatRatio = startingFiat > 0 ? value / startingFiat - 1 : 0;
  return {
    currencies,
    total,
    total_bot: total,
    symbol: state.fiatDisplayCurrency,
    value,
    value_bot: value,
    stake,
    note: state.dryRun ? 'Simulated balances' : '',
    starting_capital: starting,
    starting_capital_ratio: round(ratio, 8),
    starting_capital_pct: round(ratio * 100, 2),
    starting_capital_fiat: startingFiat,
    starting_capital_fiat_ratio: round(fiatRatio, 8),
    starting_capital_fiat_pct: round(fiatRatio * 100, 2),
  };
}

/** `/count`: open trades, the limit (-1 = unlimited) and the stake they tie up. */
export function countReport(state: FakeState): JsonObject {
  const open = state.trades.filter((t) => t.isOpen);
  return {
    current: open.length,
    max: state.maxOpenTrades,
    total_stake: round(sum(open.map((t) => t.stakeAmount)), 8),
  };
}
