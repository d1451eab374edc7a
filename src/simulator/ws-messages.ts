/**
 * RPC messages as Freqtrade publishes them on the message websocket: flat objects with `type`,
 * datetimes as ISO 8601 with `+00:00`, the exchange name capitalized (`"Binance"`).
 */
import type { JsonObject } from './json-value.js';
import { splitPair } from './markets.js';
import type { FakeOrder, FakeState, FakeTrade } from './state.js';
import { formatIsoOffset } from './time-format.js';
import type { ExitOutcome } from './trade-lifecycle.js';
import { currentRateOf, profitAt } from './trade-math.js';

/** Every `RPCMessageType` value a 2026.3 server knows; a subscription naming anything else is ignored. */
export const RPC_MESSAGE_TYPES: readonly string[] = [
  'status',
  'warning',
  'exception',
  'startup',
  'entry',
  'entry_fill',
  'entry_cancel',
  'exit',
  'exit_fill',
  'exit_cancel',
  'protection_trigger',
  'protection_trigger_global',
  'strategy_msg',
  'whitelist',
  'analyzed_df',
  'new_candle',
];

/** A message as the hub broadcasts it. */
export type RpcMessage = JsonObject & { type: string };

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

function commonFields(state: FakeState, trade: FakeTrade): JsonObject {
  const { base, quote } = splitPair(trade.pair);
  return {
    trade_id: trade.id,
    buy_tag: trade.enterTag,
    enter_tag: trade.enterTag,
    exchange: capitalize(state.exchange),
    pair: trade.pair,
    base_currency: base,
    quote_currency: quote,
    leverage: trade.leverage || null,
    direction: trade.isShort ? 'Short' : 'Long',
    stake_currency: state.stakeCurrency,
    fiat_currency: state.fiatDisplayCurrency || null,
    open_date: formatIsoOffset(trade.openDateMs),
  };
}

/**
 * `entry` (order placed) or `entry_fill` (order filled) for `order` (default: the trade's first
 * entry order); `sub_trade` is true when the order is not the whole position (an added entry).
 */
export function entryMessage(
  state: FakeState,
  trade: FakeTrade,
  type: 'entry' | 'entry_fill',
  order: FakeOrder | undefined = trade.orders.find((o) => o.isEntry),
): RpcMessage {
  const rate = order?.price ?? trade.openRate;
  const amount = order?.amount ?? trade.amount;
  return {
    type,
    ...commonFields(state, trade),
    limit: rate,
    order_rate: rate,
    open_rate: rate,
    order_type: order?.orderType ?? 'unknown',
    stake_amount: trade.stakeAmount,
    amount,
    current_rate: currentRateOf(state, trade.pair),
    sub_trade: amount !== trade.amount,
  };
}

/** `entry_cancel` / `exit_cancel` after a user cancelled `order` (reason "user requested order cancel"). */
export function cancelMessage(
  state: FakeState,
  trade: FakeTrade,
  order: FakeOrder,
  nowMs: number,
): RpcMessage {
  const reason = 'user requested order cancel';
  if (order.isEntry) {
    return {
      type: 'entry_cancel',
      ...commonFields(state, trade),
      limit: trade.openRate,
      order_rate: trade.openRate,
      open_rate: trade.openRate,
      order_type: order.orderType,
      stake_amount: trade.stakeAmount,
      amount: trade.amount,
      current_rate: currentRateOf(state, trade.pair),
      sub_trade: order.amount !== trade.amount,
      reason,
    };
  }
  const profit = profitAt(trade, order.price);
  return {
    type: 'exit_cancel',
    ...commonFields(state, trade),
    gain: profit.abs >= 0 ? 'profit' : 'loss',
    limit: order.price,
    order_rate: order.price,
    order_type: order.orderType,
    amount: order.amount,
    open_rate: trade.openRate,
    current_rate: currentRateOf(state, trade.pair),
    profit_amount: profit.abs,
    profit_ratio: profit.ratio,
    exit_reason: trade.exitReason,
    close_date: formatIsoOffset(nowMs),
    stake_amount: trade.stakeAmount,
    sub_trade: order.amount !== trade.amount,
    reason,
  };
}

/**
 * `exit` (order placed: profit at the order rate, trade not closed yet) or `exit_fill` (filled:
 * `current_rate` null, cumulative profit includes this exit, final fields set when it closed the trade).
 */
export function exitMessage(state: FakeState, outcome: ExitOutcome, type: 'exit' | 'exit_fill'): RpcMessage {
  const { trade } = outcome;
  const fill = type === 'exit_fill';
  const isFinal = fill && !outcome.subTrade;
  return {
    type,
    ...commonFields(state, trade),
    gain: outcome.profit.abs >= 0 ? 'profit' : 'loss',
    limit: outcome.rate,
    order_rate: outcome.rate,
    order_type: outcome.orderType,
    amount: outcome.amount,
    open_rate: trade.openRate,
    close_rate: outcome.rate,
    current_rate: fill ? null : currentRateOf(state, trade.pair),
    profit_amount: outcome.profit.abs,
    profit_ratio: outcome.profit.ratio,
    exit_reason: outcome.exitReason,
    close_date: formatIsoOffset(outcome.closeDateMs),
    stake_amount: outcome.subTrade ? trade.stakeAmount : trade.maxStakeAmount,
    sub_trade: outcome.subTrade,
    cumulative_profit: fill ? trade.realizedProfit : outcome.realizedBefore,
    final_profit_ratio: isFinal ? trade.closeProfit : null,
    is_final_exit: isFinal,
  };
}
