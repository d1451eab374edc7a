/**
 * Freqtrade's profit arithmetic for one trade (spot and futures without funding or interest):
 * open value includes the entry fee, close value deducts the exit fee, ratios are per stake
 * (so leverage multiplies them), and amounts are rounded to 8 decimals as `calc_profit` does.
 */
import { round } from './json-value.js';
import { defaultRate } from './markets.js';
import type { FakeState, FakeTrade } from './state.js';

/** Value of `amount` at the open rate, entry fee included (added for long, deducted for short). */
export function openTradeValue(trade: FakeTrade, amount: number = trade.amount): number {
  const value = amount * trade.openRate;
  const fee = value * trade.feeOpen;
  return trade.isShort ? value - fee : value + fee;
}

/** Value of `amount` closed at `rate`, exit fee included. */
export function closeTradeValue(trade: FakeTrade, rate: number, amount: number = trade.amount): number {
  const value = amount * rate;
  const fee = value * trade.feeClose;
  return trade.isShort ? value + fee : value - fee;
}

export interface ProfitAt {
  /** In stake currency, rounded to 8 decimals. */
  abs: number;
  /** Per stake (leverage included), rounded to 8 decimals: 0.0125 = 1.25 %. */
  ratio: number;
}

/** Profit of closing `amount` of `trade` at `rate`; zero for a zero-value position. */
export function profitAt(trade: FakeTrade, rate: number, amount: number = trade.amount): ProfitAt {
  const open = openTradeValue(trade, amount);
  const close = closeTradeValue(trade, rate, amount);
  if (open === 0) return { abs: 0, ratio: 0 };
  const abs = trade.isShort ? open - close : close - open;
  const ratio = (trade.isShort ? 1 - close / open : close / open - 1) * trade.leverage;
  return { abs: round(abs, 8), ratio: round(ratio, 8) };
}

/** The largest stake the trade ever had, entry fee included: the base of whole-trade ratios. */
export function maxStakeWithFee(trade: FakeTrade): number {
  const fee = trade.maxStakeAmount * trade.feeOpen;
  return trade.isShort ? trade.maxStakeAmount - fee : trade.maxStakeAmount + fee;
}

/** Whole-trade profit ratio of `profitAbs` (realized + unrealized); 0 for a zero stake. */
export function totalProfitRatio(trade: FakeTrade, profitAbs: number): number {
  const base = maxStakeWithFee(trade);
  return base === 0 ? 0 : round(profitAbs / base, 8);
}

/** The stop-loss rate: `stoplossRatio` away from the open rate, scaled down by leverage. */
export function stopLossRate(trade: FakeTrade): number {
  const distance = Math.abs(trade.stoplossRatio) / trade.leverage;
  return Number((trade.openRate * (trade.isShort ? 1 + distance : 1 - distance)).toPrecision(8));
}

/** The pair's current exit rate: the one a test set, else the reference price. */
export function currentRateOf(state: FakeState, pair: string): number {
  return state.currentRates[pair] ?? defaultRate(pair);
}

/** What a trade ties up in the wallet: its stake plus the entry fee. */
function committedStake(trade: FakeTrade): number {
  return trade.stakeAmount + trade.amount * trade.openRate * trade.feeOpen;
}

/** Stake currency the simulated wallet has free: start + realized profits − stakes of open trades. */
export function freeStake(state: FakeState): number {
  let free = state.startingCapital;
  for (const trade of state.trades) {
    free += trade.isOpen ? trade.realizedProfit - committedStake(trade) : (trade.closeProfitAbs ?? 0);
  }
  return free;
}

/** Tick sizes the fake exchange uses for a price level: BTC-like coins trade in 0.00001 units. */
export function precisionFor(rate: number): { amount: number; price: number } {
  if (rate >= 1000) return { amount: 0.00001, price: 0.01 };
  if (rate >= 10) return { amount: 0.001, price: 0.01 };
  if (rate >= 0.1) return { amount: 0.1, price: 0.0001 };
  return { amount: 1, price: 0.000001 };
}
