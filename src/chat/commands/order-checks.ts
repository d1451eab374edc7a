/*
 * Pure pieces of the order sanity checks that run before a state-changing command offers Confirm:
 * which bot and mode a prompt is about, the current price from candles, how far a limit rate is
 * from it, the free stake and open orders. How a trade's profit reads is in src/format/trade-phrases.ts.
 */
import type { Balances, OpenTrade, Order, PairHistory } from '../../freqtrade/schemas.js';
import { formatRate, formatSignedPercent } from '../../format/numbers.js';
import type { ReplyField } from '../reply.js';

/** A limit entry rate further than this from the current price (a ratio: 0.1 = 10 %) needs `force=yes`. */
export const MAX_ENTRY_RATE_DEVIATION = 0.1;

/** `Bot: main · DRY RUN (simulated)` or `Bot: main · LIVE (real money)`: which bot a prompt acts on, and whether money moves. */
export function botModeField(botName: string, dryRun: boolean): ReplyField {
  return { label: 'Bot', value: `${botName} · ${dryRun ? 'DRY RUN (simulated)' : 'LIVE (real money)'}` };
}

/** The close of the latest candle of a `/pair_candles` answer; undefined when there is no candle or no positive close. */
export function latestClose(history: Pick<PairHistory, 'columns' | 'data'>): number | undefined {
  const column = history.columns.indexOf('close');
  const last = history.data.at(-1);
  if (column < 0 || !last) return undefined;
  const close = last[column];
  return typeof close === 'number' && Number.isFinite(close) && close > 0 ? close : undefined;
}

/** How far `rate` is from `price` as a signed ratio (`rate / price - 1`: -0.2 = 20 % below). */
export function rateDeviation(rate: number, price: number): number {
  return rate / price - 1;
}

/**
 * True when a limit rate is further from the current price than `MAX_ENTRY_RATE_DEVIATION` allows;
 * exactly 10 % is allowed (compared at a millionth, so 2200 vs 2000 is not 10.000000000000009 %).
 */
export function deviatesTooFar(deviation: number): boolean {
  return Math.round(Math.abs(deviation) * 1e6) > MAX_ENTRY_RATE_DEVIATION * 1e6;
}

/** `"41.41% below"` / `"12.00% above"` the current price, for sentences. */
export function describeDeviation(deviation: number): string {
  const percent = formatSignedPercent(deviation).replace(/^[+-]/, '');
  return `${percent} ${deviation < 0 ? 'below' : 'above'}`;
}

/**
 * The stake currency the wallet has free, from `/balance`: the `free` of its stake-currency row
 * (positions are not cash); 0 when no such row is listed (Freqtrade lists no empty currencies).
 */
export function freeStakeOf(balances: Balances, stakeCurrency: string): number {
  const row = balances.currencies.find((entry) => entry.currency === stakeCurrency && !entry.is_position);
  return row?.free ?? 0;
}

/** The open orders `/cancel_open_order` would cancel: open and not a stop-loss order on the exchange. */
export function cancellableOrders(trade: Pick<OpenTrade, 'orders'>): Order[] {
  return trade.orders.filter((order) => order.is_open && order.ft_order_side !== 'stoploss');
}

/** `"sell limit 0.5 of 0.5 BTC at 101.5"` (amount still open of the order's amount, in the base currency). */
export function describeOrder(order: Order, baseCurrency: string): string {
  const amount = formatRate(order.amount);
  const open = order.remaining ?? order.amount - (order.filled ?? 0);
  const part = open === order.amount ? amount : `${formatRate(open)} of ${amount}`;
  return `${order.ft_order_side} ${order.order_type} ${part} ${baseCurrency} at ${formatRate(order.safe_price)}`;
}
