import { describe, expect, it } from 'vitest';
import { freqtradeMessageSchema, parseFrame } from '../freqtrade/event-schemas.js';
import { type OpenTrade, openTradeSchema, type Trade, tradeSchema } from '../freqtrade/schemas.js';
import { type SeenTrades, seenTradesSchema } from '../store/schema.js';
import {
  applyLiveMessage,
  diffTrades,
  entryEventFromTrade,
  exitFillEventFromTrade,
  isEntryFilled,
  isoDate,
  MAX_CLOSED_TRADE_IDS,
} from './backfill.js';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const NOW = T0 + 3_600_000;

function trade(id: number, overrides: Partial<Trade> = {}): Trade {
  return tradeSchema.parse({
    trade_id: id,
    pair: 'ETH/USDT',
    base_currency: 'ETH',
    quote_currency: 'USDT',
    is_open: false,
    is_short: false,
    exchange: 'binance',
    amount: 0.5,
    amount_requested: 0.5,
    stake_amount: 1500,
    strategy: 'SampleStrategy',
    enter_tag: 'breakout',
    timeframe: 5,
    open_date: '2026-11-22 09:00:00',
    open_timestamp: T0,
    open_rate: 3000,
    open_trade_value: 1501.5,
    close_date: '2026-11-22 10:00:00',
    close_timestamp: T0 + 3_600_000,
    close_rate: 3060,
    close_profit: 0.018,
    close_profit_pct: 1.8,
    close_profit_abs: 27.0,
    profit_ratio: 0.018,
    profit_pct: 1.8,
    profit_abs: 27.0,
    realized_profit: 27.0,
    exit_reason: 'roi',
    stop_loss_abs: 2700,
    stop_loss_ratio: -0.1,
    stop_loss_pct: -10,
    min_rate: 2990,
    max_rate: 3070,
    has_open_orders: false,
    orders: [
      {
        pair: 'ETH/USDT',
        order_id: `entry-${id}`,
        status: 'closed',
        remaining: 0,
        amount: 0.5,
        safe_price: 3000,
        cost: 1500,
        filled: 0.5,
        ft_order_side: 'buy',
        order_type: 'limit',
        is_open: false,
        order_timestamp: T0,
        order_filled_timestamp: T0,
      },
      {
        pair: 'ETH/USDT',
        order_id: `exit-${id}`,
        status: 'closed',
        remaining: 0,
        amount: 0.5,
        safe_price: 3060,
        cost: 1530,
        filled: 0.5,
        ft_order_side: 'sell',
        order_type: 'market',
        is_open: false,
        order_timestamp: T0 + 3_600_000,
        order_filled_timestamp: T0 + 3_600_000,
      },
    ],
    leverage: 1,
    ...overrides,
  });
}

function openTrade(id: number, overrides: Partial<OpenTrade> = {}): OpenTrade {
  const closed = trade(id);
  return openTradeSchema.parse({
    ...closed,
    is_open: true,
    close_date: null,
    close_timestamp: null,
    close_rate: null,
    close_profit: null,
    close_profit_pct: null,
    close_profit_abs: null,
    exit_reason: null,
    realized_profit: 0,
    orders: closed.orders.slice(0, 1),
    current_rate: 3010,
    total_profit_abs: 5,
    ...overrides,
  });
}

function seen(partial: Partial<SeenTrades> = {}): SeenTrades {
  return seenTradesSchema.parse(partial);
}

describe('diffTrades', () => {
  it('records the current state and announces nothing the first time a bot is seen', () => {
    const diff = diffTrades(seen(), [openTrade(3), openTrade(5)], [trade(1), trade(2)], NOW);
    expect(diff.entered).toEqual([]);
    expect(diff.exited).toEqual([]);
    expect(diff.next).toMatchObject({ open_trade_ids: [3, 5], closed_trade_ids: [1, 2], updated_at_ms: NOW });
  });

  it('announces open trades never seen as entered', () => {
    const before = seen({ open_trade_ids: [3], closed_trade_ids: [1, 2], updated_at_ms: T0 });
    const diff = diffTrades(before, [openTrade(3), openTrade(4)], [trade(1), trade(2)], NOW);
    expect(diff.entered.map((t) => t.trade_id)).toEqual([4]);
    expect(diff.exited).toEqual([]);
    expect(diff.next.open_trade_ids).toEqual([3, 4]);
  });

  it('announces trades that were open when last seen and are closed now as exited', () => {
    const before = seen({ open_trade_ids: [3, 4], closed_trade_ids: [1, 2], updated_at_ms: NOW - 1 });
    const diff = diffTrades(before, [openTrade(4)], [trade(1), trade(2), trade(3)], NOW);
    expect(diff.exited.map((t) => t.trade_id)).toEqual([3]);
    expect(diff.entered).toEqual([]);
    expect(diff.next).toMatchObject({ open_trade_ids: [4], closed_trade_ids: [1, 2, 3] });
  });

  it('announces a trade opened and closed while disconnected (newer id or opened after the last look)', () => {
    const before = seen({ open_trade_ids: [], closed_trade_ids: [1, 2], updated_at_ms: T0 - 1 });
    const diff = diffTrades(before, [], [trade(1), trade(2), trade(3)], NOW);
    expect(diff.exited.map((t) => t.trade_id)).toEqual([3]);
  });

  it('does not announce an old closed trade it never saw open, opened before the last look', () => {
    const before = seen({ open_trade_ids: [], closed_trade_ids: [5], updated_at_ms: NOW - 1 });
    const diff = diffTrades(before, [], [trade(4), trade(5)], NOW);
    expect(diff.exited).toEqual([]);
    expect(diff.next.closed_trade_ids).toEqual([4, 5]);
  });

  it('announces nothing twice: the next state compared again gives no difference', () => {
    const before = seen({ open_trade_ids: [3], closed_trade_ids: [1], updated_at_ms: T0 - 1 });
    const first = diffTrades(before, [openTrade(4)], [trade(1), trade(3)], NOW);
    expect(first.entered.map((t) => t.trade_id)).toEqual([4]);
    expect(first.exited.map((t) => t.trade_id)).toEqual([3]);
    const second = diffTrades(first.next, [openTrade(4)], [trade(1), trade(3)], NOW + 1);
    expect(second.entered).toEqual([]);
    expect(second.exited).toEqual([]);
  });

  it('forgets an open trade that vanished (deleted or cancelled) without announcing it', () => {
    const before = seen({ open_trade_ids: [7], closed_trade_ids: [], updated_at_ms: T0 });
    const diff = diffTrades(before, [], [], NOW);
    expect(diff.exited).toEqual([]);
    expect(diff.next.open_trade_ids).toEqual([]);
  });

  it('does not announce as entered a trade already known closed (closed live after /status answered)', () => {
    const before = seen({ open_trade_ids: [], closed_trade_ids: [8], updated_at_ms: T0 });
    const diff = diffTrades(before, [openTrade(8)], [], NOW);
    expect(diff.entered).toEqual([]);
    expect(diff.next.open_trade_ids).toEqual([]);
  });

  it(`keeps at most ${MAX_CLOSED_TRADE_IDS} closed trade ids, the newest`, () => {
    const many = Array.from({ length: MAX_CLOSED_TRADE_IDS }, (_, i) => i + 1);
    const before = seen({ closed_trade_ids: many, updated_at_ms: T0 });
    const diff = diffTrades(before, [], [trade(501), trade(502)], NOW);
    expect(diff.next.closed_trade_ids).toHaveLength(MAX_CLOSED_TRADE_IDS);
    expect(diff.next.closed_trade_ids[0]).toBe(3);
    expect(diff.next.closed_trade_ids.at(-1)).toBe(502);
  });

  it('keeps other stored fields (the whitelist)', () => {
    const before = seen({ updated_at_ms: T0, whitelist: ['BTC/USDT'] });
    expect(diffTrades(before, [], [], NOW).next.whitelist).toEqual(['BTC/USDT']);
  });
});

describe('applyLiveMessage', () => {
  const base = seen({ open_trade_ids: [1], closed_trade_ids: [], updated_at_ms: T0 });

  function message(frame: Record<string, unknown>) {
    const parsed = parseFrame(JSON.stringify(frame));
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.message;
  }

  it('marks the trade of an entry open', () => {
    const entry = entryEventFromTrade('main', openTrade(2));
    expect(applyLiveMessage(base, entry)?.open_trade_ids).toEqual([1, 2]);
    expect(applyLiveMessage(base, entryEventFromTrade('main', openTrade(1)))).toBeNull();
  });

  it('moves the trade of a final exit fill to the closed ids', () => {
    const next = applyLiveMessage(base, exitFillEventFromTrade('main', trade(1)));
    expect(next).toMatchObject({ open_trade_ids: [], closed_trade_ids: [1] });
  });

  it('ignores a partial exit fill and other message types', () => {
    const partial = { ...exitFillEventFromTrade('main', trade(1)), is_final_exit: false, sub_trade: true };
    expect(applyLiveMessage(base, partial)).toBeNull();
    expect(applyLiveMessage(base, message({ type: 'status', status: 'running' }))).toBeNull();
  });
});

describe('events rebuilt from trades', () => {
  it('builds an entry event that Freqtrade frames would parse to, marked backfilled', () => {
    const event = entryEventFromTrade('main', openTrade(4), 'entry');
    expect(event).toMatchObject({
      type: 'entry',
      bot: 'main',
      backfilled: true,
      trade_id: 4,
      exchange: 'Binance',
      pair: 'ETH/USDT',
      direction: 'Long',
      open_rate: 3000,
      order_rate: 3000,
      order_type: 'limit',
      stake_currency: 'USDT',
      open_date: '2026-11-22T09:00:00.000+00:00',
    });
    expect(freqtradeMessageSchema.safeParse(event).success).toBe(true);
    expect(entryEventFromTrade('main', openTrade(4), 'entry_fill').type).toBe('entry_fill');
  });

  it('announces an entry that filled while disconnected as an entry fill, one still open as an entry', () => {
    const filled = openTrade(4);
    expect(isEntryFilled(filled)).toBe(true);
    expect(entryEventFromTrade('main', filled)).toMatchObject({ type: 'entry_fill', backfilled: true });

    const [entryOrder] = filled.orders;
    if (!entryOrder) throw new Error('no entry order');
    const waiting = openTrade(5, {
      orders: [{ ...entryOrder, status: 'open', is_open: true, filled: 0, remaining: 0.5 }],
    });
    expect(isEntryFilled(waiting)).toBe(false);
    expect(entryEventFromTrade('main', waiting)).toMatchObject({ type: 'entry', backfilled: true });

    const partly = openTrade(6, { orders: [{ ...entryOrder, status: 'open', is_open: true, filled: 0.2 }] });
    expect(isEntryFilled(partly)).toBe(true);
    // A short's entry is a sell: a filled buy order (its exit side) does not count.
    const short = openTrade(7, {
      is_short: true,
      orders: [{ ...entryOrder, ft_order_side: 'sell', filled: null, status: 'open', is_open: true }],
    });
    expect(isEntryFilled(short)).toBe(false);
  });

  it('builds an exit_fill event with the profit of the closed trade', () => {
    const event = exitFillEventFromTrade('main', trade(3, { is_short: true, exit_reason: 'stop_loss' }));
    expect(event).toMatchObject({
      type: 'exit_fill',
      backfilled: true,
      direction: 'Short',
      gain: 'profit',
      close_rate: 3060,
      profit_amount: 27,
      profit_ratio: 0.018,
      exit_reason: 'stop_loss',
      close_date: '2026-11-22T10:00:00.000+00:00',
      is_final_exit: true,
    });
    expect(freqtradeMessageSchema.safeParse(event).success).toBe(true);
  });

  it('describes the whole, completed trade, so it never reads as a partial exit', () => {
    // realized_profit can differ from profit_abs by rounding; the event must not look like a final
    // exit after partial ones (cumulative ≠ this exit's profit) nor like a sub-trade.
    const event = exitFillEventFromTrade('main', trade(3, { profit_abs: 27.0, realized_profit: 26.99999 }));
    expect(event).toMatchObject({
      sub_trade: false,
      is_final_exit: true,
      profit_amount: 27,
      cumulative_profit: 27,
    });
  });

  it('calls a zero or negative profit a loss, as Freqtrade does', () => {
    const event = exitFillEventFromTrade('main', trade(3, { profit_ratio: -0.02, profit_abs: -30 }));
    expect(event).toMatchObject({ gain: 'loss', profit_amount: -30, profit_ratio: -0.02 });
    expect(exitFillEventFromTrade('main', trade(3, { profit_ratio: 0 })).gain).toBe('loss');
  });

  it('reads Freqtrade dates as UTC when no timestamp is given', () => {
    expect(isoDate(null, '2026-11-22 10:15:00')).toBe('2026-11-22T10:15:00.000+00:00');
    expect(isoDate(undefined, 'not a date')).toBe('not a date');
  });
});
