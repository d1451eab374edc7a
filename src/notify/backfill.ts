/*
 * Back-fill: what happened to a bot's trades while its message websocket was down. Freqtrade
 * never replays missed messages (shared/freqtrade-api.md, "Message websocket"), so after each
 * reconnect the back-fill runner (backfill-runner.ts) compares `/status` and the newest page of
 * `/trades` with what the store last saw, and announces the difference once. Everything here is
 * pure: the caller passes the REST answers and the clock.
 */
import type { BotEventOf, FreqtradeMessage } from '../freqtrade/event-schemas.js';
import type { OpenTrade, Trade } from '../freqtrade/schemas.js';
import type { SeenTrades } from '../store/schema.js';

/** Closed trade ids remembered per bot: well above the page of recent closed trades fetched (50). */
export const MAX_CLOSED_TRADE_IDS = 500;

export interface TradeDiff {
  /** Open now, never seen open (nor closed) before: their entry was missed. */
  entered: OpenTrade[];
  /** Closed now, not announced as closed, and open when last seen or opened since: their exit was missed. */
  exited: Trade[];
  /** What to store as seen from now on. */
  next: SeenTrades;
}

/**
 * Compares what was last seen with the bot's open trades and its most recent closed trades.
 * Edge case: a bot never seen before (`updated_at_ms` 0) announces nothing; its current state is
 * only recorded, so connecting to a bot with a long history does not flood the chats.
 */
export function diffTrades(
  seen: SeenTrades,
  open: readonly OpenTrade[],
  recentClosed: readonly Trade[],
  nowMs: number,
): TradeDiff {
  const firstSight = seen.updated_at_ms === 0;
  const seenOpen = new Set(seen.open_trade_ids);
  const seenClosed = new Set(seen.closed_trade_ids);
  // Trade ids grow with time: a closed trade above every id ever seen was opened after we last looked.
  const highestKnownId = Math.max(-1, ...seen.open_trade_ids, ...seen.closed_trade_ids);
  const closedNow = recentClosed.filter((trade) => !trade.is_open);

  const entered = firstSight
    ? []
    : open.filter((trade) => !seenOpen.has(trade.trade_id) && !seenClosed.has(trade.trade_id));
  const exited = firstSight
    ? []
    : closedNow.filter(
        (trade) =>
          !seenClosed.has(trade.trade_id) &&
          (seenOpen.has(trade.trade_id) ||
            trade.trade_id > highestKnownId ||
            trade.open_timestamp > seen.updated_at_ms),
      );

  const closedIds = boundedIds([...seen.closed_trade_ids, ...closedNow.map((trade) => trade.trade_id)]);
  const closedSet = new Set(closedIds);
  const openIds = uniqueSorted(open.map((trade) => trade.trade_id).filter((id) => !closedSet.has(id)));
  return {
    entered,
    exited,
    next: { ...seen, open_trade_ids: openIds, closed_trade_ids: closedIds, updated_at_ms: nowMs },
  };
}

/**
 * The seen state after a live message: an entry (or entry fill) marks its trade open, a final
 * exit fill marks it closed. Returns null when the message changes nothing (other types, a
 * trade already known in that state, a partial exit).
 */
export function applyLiveMessage(seen: SeenTrades, message: FreqtradeMessage): SeenTrades | null {
  if (message.type === 'entry' || message.type === 'entry_fill') {
    const id = message.trade_id;
    if (seen.open_trade_ids.includes(id) || seen.closed_trade_ids.includes(id)) return null;
    return { ...seen, open_trade_ids: uniqueSorted([...seen.open_trade_ids, id]) };
  }
  if (message.type === 'exit_fill' && isFinalExit(message)) {
    const id = message.trade_id;
    if (seen.closed_trade_ids.includes(id) && !seen.open_trade_ids.includes(id)) return null;
    return {
      ...seen,
      open_trade_ids: seen.open_trade_ids.filter((openId) => openId !== id),
      closed_trade_ids: boundedIds([...seen.closed_trade_ids, id]),
    };
  }
  return null;
}

/** Whether an exit fill closed its trade; servers without `is_final_exit` fall back to "not a partial exit". */
export function isFinalExit(message: {
  is_final_exit?: boolean | null;
  sub_trade?: boolean | null;
}): boolean {
  return message.is_final_exit ?? message.sub_trade !== true;
}

/**
 * Whether an open trade's entry has (at least partly) filled: one of its entry-side orders filled
 * some amount. Freqtrade lists only open or filled orders, so a trade without any entry order
 * listed counts as filled.
 */
export function isEntryFilled(trade: OpenTrade): boolean {
  const entryOrders = trade.orders.filter((order) => order.ft_order_side === entrySide(trade));
  if (entryOrders.length === 0) return true;
  return entryOrders.some((order) => (order.filled ?? 0) > 0);
}

/**
 * The event rebuilt from an open trade, marked `backfilled`: `entry_fill` once the entry filled
 * (the chat reads "Entered"), else `entry` (the order is still open: "Entering"). `type` forces one.
 * Freqtrade's own message has the same fields (`freqtradebot._notify_enter`); the order rate is
 * the trade's open rate, and the fiat currency is unknown (null).
 */
export function entryEventFromTrade(
  bot: string,
  trade: OpenTrade,
  type: 'entry' | 'entry_fill' = isEntryFilled(trade) ? 'entry_fill' : 'entry',
): BotEventOf<'entry'> | BotEventOf<'entry_fill'> {
  const entryOrder = trade.orders.find((order) => order.ft_order_side === entrySide(trade));
  const fields = {
    bot,
    backfilled: true,
    ...commonTradeFields(trade),
    order_type: entryOrder?.order_type ?? null,
    limit: trade.open_rate,
    order_rate: trade.open_rate,
    current_rate: trade.current_rate,
    sub_trade: false,
  };
  return type === 'entry' ? { type: 'entry', ...fields } : { type: 'entry_fill', ...fields };
}

/**
 * An `exit_fill` event rebuilt from a closed trade, marked `backfilled`, with the whole trade's
 * profit (`freqtradebot._notify_exit(fill=True)`): gain is "profit" only above zero, as in Freqtrade.
 * It describes the whole, completed trade: a final exit whose cumulative profit is its own, so it
 * never reads as a partial exit or as one still in progress.
 */
export function exitFillEventFromTrade(bot: string, trade: Trade): BotEventOf<'exit_fill'> {
  const exitOrder = trade.orders.findLast((order) => order.ft_order_side !== entrySide(trade));
  const profitRatio = trade.profit_ratio ?? trade.close_profit ?? 0;
  const profitAmount = trade.profit_abs ?? trade.close_profit_abs ?? trade.realized_profit;
  const closeRate = trade.close_rate ?? exitOrder?.safe_price ?? null;
  return {
    type: 'exit_fill',
    bot,
    backfilled: true,
    ...commonTradeFields(trade),
    order_type: exitOrder?.order_type ?? null,
    limit: closeRate,
    order_rate: closeRate,
    current_rate: null,
    sub_trade: false,
    gain: profitRatio > 0 ? 'profit' : 'loss',
    close_rate: closeRate,
    profit_amount: profitAmount,
    profit_ratio: profitRatio,
    exit_reason: trade.exit_reason,
    close_date: isoDate(trade.close_timestamp, trade.close_date ?? trade.open_date),
    cumulative_profit: profitAmount,
    final_profit_ratio: trade.close_profit ?? profitRatio,
    is_final_exit: true,
  };
}

/** The fields entry and exit messages share, from a trade. */
function commonTradeFields(trade: Trade) {
  return {
    trade_id: trade.trade_id,
    exchange: capitalize(trade.exchange),
    pair: trade.pair,
    base_currency: trade.base_currency,
    quote_currency: trade.quote_currency,
    // Freqtrade sends null for a falsy leverage (spot).
    leverage: trade.leverage || null,
    direction: trade.is_short ? ('Short' as const) : ('Long' as const),
    buy_tag: trade.enter_tag,
    enter_tag: trade.enter_tag,
    open_rate: trade.open_rate,
    stake_amount: trade.stake_amount,
    // Trades carry no stake currency; it is the quote (settle) currency of the pair.
    stake_currency: trade.quote_currency,
    fiat_currency: null,
    amount: trade.amount,
    open_date: isoDate(trade.open_timestamp, trade.open_date),
  };
}

/** The side of a trade's entry orders: a long buys, a short sells. */
function entrySide(trade: Trade): 'buy' | 'sell' {
  return trade.is_short ? 'sell' : 'buy';
}

/**
 * RFC 3339 with a `+00:00` offset, as Freqtrade's websocket sends dates; from epoch ms, else from
 * Freqtrade's "YYYY-MM-DD HH:MM:SS" (UTC); the text unchanged when neither can be read.
 */
export function isoDate(timestampMs: number | null | undefined, text: string): string {
  let date = typeof timestampMs === 'number' ? new Date(timestampMs) : new Date(`${text.replace(' ', 'T')}Z`);
  if (Number.isNaN(date.getTime())) date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString().replace(/Z$/, '+00:00');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function uniqueSorted(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** Unique ids in ascending order, keeping only the newest `MAX_CLOSED_TRADE_IDS`. */
function boundedIds(ids: readonly number[]): number[] {
  return uniqueSorted(ids).slice(-MAX_CLOSED_TRADE_IDS);
}
