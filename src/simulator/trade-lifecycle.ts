/**
 * Opening and closing trades in the fake's state. Orders fill at once (a dry-run market order);
 * nothing here emits websocket messages: callers decide that.
 */
import { round } from './json-value.js';
import type { FakeOrder, FakeState, FakeTrade } from './state.js';
import { currentRateOf, precisionFor, profitAt, totalProfitRatio } from './trade-math.js';

/** Fee of the fake exchange (Binance spot taker): 0.1 %. */
export const EXCHANGE_FEE = 0.001;
/** The strategy's stop-loss (SampleStrategy): -10 %. */
export const STRATEGY_STOPLOSS = -0.1;

export interface OpenTradeInput {
  pair: string;
  isShort?: boolean | undefined;
  openRate?: number | undefined;
  /** Base-currency amount; wins over `stakeAmount`. */
  amount?: number | undefined;
  stakeAmount?: number | undefined;
  leverage?: number | undefined;
  enterTag?: string | null | undefined;
  orderType?: 'limit' | 'market' | undefined;
  openedAtMs: number;
}

function decimalsOf(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step)));
}

/** `amount` rounded down to the exchange's step for this price (unless that would make it 0). */
function toAmountPrecision(amount: number, rate: number): number {
  const decimals = decimalsOf(precisionFor(rate).amount);
  const factor = 10 ** decimals;
  const floored = Math.floor(amount * factor + 1e-9) / factor;
  return floored > 0 ? floored : amount;
}

function nextTradeId(state: FakeState): number {
  return state.trades.reduce((max, trade) => Math.max(max, trade.id), 0) + 1;
}

function orderId(side: 'buy' | 'sell', pair: string, atMs: number): string {
  return `dry_run_${side}_${pair}_${(atMs / 1000).toFixed(6)}`;
}

function filledOrder(opts: {
  pair: string;
  side: 'buy' | 'sell';
  isEntry: boolean;
  orderType: 'limit' | 'market';
  amount: number;
  price: number;
  atMs: number;
  tag: string | null;
}): FakeOrder {
  return {
    orderId: orderId(opts.side, opts.pair, opts.atMs),
    side: opts.side,
    isEntry: opts.isEntry,
    orderType: opts.orderType,
    status: 'closed',
    amount: opts.amount,
    filled: opts.amount,
    price: opts.price,
    createdAtMs: opts.atMs,
    filledAtMs: opts.atMs,
    tag: opts.tag,
  };
}

/** The stake a new trade gets by default: the configured stake, or for "unlimited" the free balance split over free slots. */
export function defaultStake(state: FakeState, free: number): number {
  if (state.stakeAmount !== 'unlimited') return state.stakeAmount;
  const open = state.trades.filter((t) => t.isOpen).length;
  const slots = state.maxOpenTrades < 0 ? 1 : Math.max(1, state.maxOpenTrades - open);
  return free / slots;
}

/** Adds a filled open trade to the state and returns it. */
export function openTrade(state: FakeState, input: OpenTradeInput, fallbackStake: number): FakeTrade {
  const rate = input.openRate ?? currentRateOf(state, input.pair);
  const leverage = input.leverage ?? 1;
  const isShort = input.isShort ?? false;
  const amount =
    input.amount ?? toAmountPrecision(((input.stakeAmount ?? fallbackStake) * leverage) / rate, rate);
  const stake = round((amount * rate) / leverage, 8);
  const tag = input.enterTag === undefined ? null : input.enterTag;
  const trade: FakeTrade = {
    id: nextTradeId(state),
    pair: input.pair,
    isShort,
    isOpen: true,
    amount,
    amountRequested: amount,
    stakeAmount: stake,
    maxStakeAmount: stake,
    openRate: rate,
    openRateRequested: rate,
    openDateMs: input.openedAtMs,
    leverage,
    feeOpen: EXCHANGE_FEE,
    feeClose: EXCHANGE_FEE,
    enterTag: tag,
    stoplossRatio: STRATEGY_STOPLOSS,
    closeRate: null,
    closeDateMs: null,
    closeProfit: null,
    closeProfitAbs: null,
    exitReason: null,
    realizedProfit: 0,
    minRate: rate,
    maxRate: rate,
    orders: [
      filledOrder({
        pair: input.pair,
        side: isShort ? 'sell' : 'buy',
        isEntry: true,
        orderType: input.orderType ?? 'limit',
        amount,
        price: rate,
        atMs: input.openedAtMs,
        tag,
      }),
    ],
    customData: [],
  };
  state.trades.push(trade);
  return trade;
}

export interface ExitOutcome {
  trade: FakeTrade;
  rate: number;
  /** The amount this exit sold (or bought back). */
  amount: number;
  /** Profit of this exit alone. */
  profit: { abs: number; ratio: number };
  /** True when part of the position stays open. */
  subTrade: boolean;
  orderType: 'limit' | 'market';
  exitReason: string;
  closeDateMs: number;
  /** `trade.realized_profit` before this exit filled. */
  realizedBefore: number;
}

/** Tracks the lowest and highest rate seen by an open trade. */
export function observeRate(trade: FakeTrade, rate: number): void {
  trade.minRate = trade.minRate === null ? rate : Math.min(trade.minRate, rate);
  trade.maxRate = trade.maxRate === null ? rate : Math.max(trade.maxRate, rate);
}

/**
 * Exits `amount` of an open trade at `rate` (all of it when `amount` is absent or not smaller
 * than the position) and returns what happened; the caller checks that the trade is open.
 */
export function exitTrade(
  trade: FakeTrade,
  opts: {
    rate: number;
    amount?: number | undefined;
    exitReason: string;
    orderType: 'limit' | 'market';
    atMs: number;
  },
): ExitOutcome {
  const partial = opts.amount !== undefined && opts.amount > 0 && opts.amount < trade.amount;
  const amount = partial && opts.amount !== undefined ? opts.amount : trade.amount;
  const profit = profitAt(trade, opts.rate, amount);
  const realizedBefore = trade.realizedProfit;
  observeRate(trade, opts.rate);
  trade.orders.push(
    filledOrder({
      pair: trade.pair,
      side: trade.isShort ? 'buy' : 'sell',
      isEntry: false,
      orderType: opts.orderType,
      amount,
      price: opts.rate,
      atMs: opts.atMs,
      tag: opts.exitReason,
    }),
  );
  trade.realizedProfit = round(trade.realizedProfit + profit.abs, 8);
  if (partial) {
    trade.amount = round(trade.amount - amount, 10);
    trade.stakeAmount = round((trade.amount * trade.openRate) / trade.leverage, 8);
  } else {
    trade.isOpen = false;
    trade.closeRate = opts.rate;
    trade.closeDateMs = opts.atMs;
    trade.exitReason = opts.exitReason;
    trade.closeProfitAbs = trade.realizedProfit;
    trade.closeProfit = totalProfitRatio(trade, trade.realizedProfit);
  }
  return {
    trade,
    rate: opts.rate,
    amount,
    profit,
    subTrade: partial,
    orderType: opts.orderType,
    exitReason: opts.exitReason,
    closeDateMs: opts.atMs,
    realizedBefore,
  };
}

/** Adds a filled entry order to an open trade (position adjustment) and re-averages the open rate. */
export function addEntry(
  trade: FakeTrade,
  opts: { rate: number; stake: number; orderType: 'limit' | 'market'; atMs: number; tag: string | null },
): FakeOrder {
  const added = toAmountPrecision((opts.stake * trade.leverage) / opts.rate, opts.rate);
  const amount = round(trade.amount + added, 10);
  trade.openRate = Number(((trade.amount * trade.openRate + added * opts.rate) / amount).toPrecision(10));
  trade.amount = amount;
  trade.amountRequested = amount;
  trade.stakeAmount = round((amount * trade.openRate) / trade.leverage, 8);
  trade.maxStakeAmount = Math.max(trade.maxStakeAmount, trade.stakeAmount);
  observeRate(trade, opts.rate);
  const order = filledOrder({
    pair: trade.pair,
    side: trade.isShort ? 'sell' : 'buy',
    isEntry: true,
    orderType: opts.orderType,
    amount: added,
    price: opts.rate,
    atMs: opts.atMs,
    tag: opts.tag,
  });
  trade.orders.push(order);
  return order;
}
