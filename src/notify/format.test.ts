import { describe, expect, it } from 'vitest';
import { type Reply, type ReplyField, renderPlainText } from '../chat/reply.js';
import { type BotEvent, type BotEventOf, parseFrame } from '../freqtrade/event-schemas.js';
import {
  BACKFILLED_FILL_SUFFIX,
  BACKFILLED_NOTICE,
  BACKFILLED_ORDER_SUFFIX,
  type FormatOptions,
  formatEntryEvent,
  formatEvent,
  formatExitFillEvent,
  formatWhitelistEvent,
} from './format.js';

// Reference frames (shared/freqtrade-api-reference.md §4, freqtrade-api.md "Example frames").
const ENTRY_FILL = {
  type: 'entry_fill',
  trade_id: 42,
  buy_tag: 'breakout',
  enter_tag: 'breakout',
  exchange: 'Binance',
  pair: 'ETH/USDT',
  base_currency: 'ETH',
  quote_currency: 'USDT',
  leverage: 1.0,
  direction: 'Long',
  limit: 3050.5,
  order_rate: 3050.5,
  open_rate: 3050.5,
  order_type: 'limit',
  stake_amount: 100.0,
  stake_currency: 'USDT',
  fiat_currency: 'USD',
  amount: 0.03278,
  open_date: '2026-11-22T09:00:01.120000+00:00',
  current_rate: 3051.2,
  sub_trade: false,
};
const EXIT_FILL_PROFIT = {
  ...ENTRY_FILL,
  type: 'exit_fill',
  current_rate: null,
  cumulative_profit: 2.41,
  gain: 'profit',
  close_rate: 3124.0,
  profit_amount: 2.41,
  profit_ratio: 0.0241,
  exit_reason: 'roi',
  close_date: '2026-11-22T13:47:10.400000+00:00',
  final_profit_ratio: 0.0241,
  is_final_exit: true,
};
const ENTRY = {
  trade_id: 1,
  type: 'entry',
  buy_tag: 'long_signal_01',
  enter_tag: 'long_signal_01',
  exchange: 'Binance',
  pair: 'ETH/BTC',
  leverage: 1.0,
  direction: 'Long',
  limit: 1.099e-5,
  order_rate: 1.099e-5,
  open_rate: 1.099e-5,
  order_type: 'limit',
  stake_amount: 0.01465333,
  stake_currency: 'BTC',
  base_currency: 'ETH',
  quote_currency: 'BTC',
  fiat_currency: 'USD',
  amount: 1333.3333333333335,
  open_date: '2022-09-01T04:00:00+00:00',
  current_rate: 1.099e-5,
  sub_trade: false,
};
const EXIT_FILL_STOP_LOSS = {
  type: 'exit_fill',
  trade_id: 1,
  exchange: 'Binance',
  pair: 'KEY/ETH',
  leverage: 1.0,
  direction: 'Long',
  gain: 'loss',
  limit: 0.0003201,
  order_rate: 0.0003201,
  order_type: 'market',
  amount: 1333.3333333333335,
  open_rate: 0.00075,
  close_rate: 0.0003201,
  current_rate: null,
  profit_amount: -0.05746268,
  profit_ratio: -0.57405275,
  buy_tag: 'long_signal_01',
  enter_tag: 'long_signal_01',
  exit_reason: 'stop_loss',
  open_date: '2022-08-31T02:30:00+00:00',
  close_date: '2022-09-01T05:00:00+00:00',
  stake_amount: 1.0,
  stake_currency: 'ETH',
  base_currency: 'KEY',
  quote_currency: 'ETH',
  fiat_currency: null,
  sub_trade: false,
  cumulative_profit: -0.05746268,
  final_profit_ratio: -0.57405275,
  is_final_exit: true,
};
const EXIT_ROI = {
  ...ENTRY_FILL,
  type: 'exit',
  pair: 'ETH/USDT',
  gain: 'profit',
  limit: 2.2,
  order_rate: 2.2,
  open_rate: 2.0,
  close_rate: 2.2,
  current_rate: 2.3,
  amount: 30,
  profit_amount: 5.685,
  profit_ratio: 0.09451372,
  exit_reason: 'roi',
  open_date: '2026-11-22T08:00:00+00:00',
  close_date: '2026-11-22T10:30:00+00:00',
  stake_amount: 60,
  cumulative_profit: 0.0,
  is_final_exit: false,
  final_profit_ratio: null,
};

const ONE_BOT: FormatOptions = { showBotName: false };
const MANY_BOTS: FormatOptions = { showBotName: true };

/** Parses a frame through the real schema and tags it, as the event stream does. */
function event(frame: Record<string, unknown>, extra: { bot?: string; backfilled?: boolean } = {}): BotEvent {
  const result = parseFrame(JSON.stringify(frame));
  if (!result.ok) throw new Error(result.error);
  return { ...result.message, bot: extra.bot ?? 'main', ...(extra.backfilled ? { backfilled: true } : {}) };
}

function eventOf<T extends BotEvent['type']>(type: T, frame: Record<string, unknown>, backfilled = false) {
  const parsed = event(frame, { backfilled });
  if (parsed.type !== type) throw new Error(`expected ${type}, got ${parsed.type}`);
  return parsed as BotEventOf<T>;
}

function fields(reply: Reply | null): Record<string, string> {
  const all: ReplyField[] = (reply?.blocks ?? []).flatMap((block) =>
    block.kind === 'fields' ? block.fields : [],
  );
  return Object.fromEntries(all.map((field) => [field.label, field.value]));
}

function texts(reply: Reply | null): string[] {
  return (reply?.blocks ?? []).flatMap((block) => (block.kind === 'text' ? [block.text] : []));
}

function mustFormat(frame: Record<string, unknown>, options: FormatOptions = ONE_BOT): Reply {
  const reply = formatEvent(event(frame), options);
  if (!reply) throw new Error('expected a reply');
  return reply;
}

describe('formatEntryEvent / formatEntryFillEvent', () => {
  it('shows direction, rate, stake, amount and tag of a new trade', () => {
    const reply = formatEntryEvent(eventOf('entry', ENTRY), ONE_BOT);
    expect(reply.title).toBe('🔵 Entering Long ETH/BTC (#1)');
    expect(reply.tone).toBe('entry');
    expect(fields(reply)).toEqual({
      Direction: 'Long',
      'Open rate': '0.00001099 BTC',
      'Current rate': '0.00001099 BTC',
      Stake: '0.01465333 BTC',
      Amount: '1333.3333 ETH',
      Exchange: 'Binance',
      'Enter tag': 'long_signal_01',
    });
  });

  it('marks a filled entry with ✔️ and omits the current rate', () => {
    const reply = mustFormat(ENTRY_FILL);
    expect(reply.title).toBe('✔️ Entered Long ETH/USDT (#42)');
    expect(fields(reply)).toEqual({
      Direction: 'Long',
      'Open rate': '3050.5 USDT',
      Stake: '100.00 USDT',
      Amount: '0.03278 ETH',
      Exchange: 'Binance',
      'Enter tag': 'breakout',
    });
  });

  it('shows a short with its leverage', () => {
    const reply = mustFormat({ ...ENTRY_FILL, type: 'entry', direction: 'Short', leverage: 3.0 });
    expect(reply.title).toBe('🔵 Entering Short ETH/USDT (#42)');
    expect(fields(reply).Direction).toBe('Short (3x)');
  });

  it('words a position increase as such', () => {
    const reply = mustFormat({ ...ENTRY_FILL, sub_trade: true });
    expect(reply.title).toBe('✔️ Increased Long ETH/USDT (#42)');
    expect(fields(reply)['New total stake']).toBe('100.00 USDT');
  });

  it('falls back to buy_tag and leaves out a missing tag', () => {
    expect(fields(mustFormat({ ...ENTRY_FILL, enter_tag: null }))['Enter tag']).toBe('breakout');
    expect(fields(mustFormat({ ...ENTRY_FILL, enter_tag: null, buy_tag: null }))).not.toHaveProperty(
      'Enter tag',
    );
  });
});

describe('bot name', () => {
  it('starts the title with the bot name only when several bots are configured', () => {
    const fill = eventOf('entry_fill', ENTRY_FILL);
    expect(formatEvent({ ...fill, bot: 'alpha' }, MANY_BOTS)?.title).toBe(
      '✔️ [alpha] Entered Long ETH/USDT (#42)',
    );
    expect(formatEvent({ ...fill, bot: 'alpha' }, ONE_BOT)?.title).toBe('✔️ Entered Long ETH/USDT (#42)');
    expect(formatEvent(event({ type: 'status', status: 'running' }, { bot: 'beta' }), MANY_BOTS)?.title).toBe(
      '[beta] Status',
    );
    expect(formatEvent(event({ type: 'status', status: 'running' }, { bot: 'beta' }), ONE_BOT)?.title).toBe(
      'Status',
    );
  });
});

describe('formatExitEvent / formatExitFillEvent', () => {
  it('shows a profitable fill with signed profit, percent, reason and duration', () => {
    const reply = formatExitFillEvent(eventOf('exit_fill', EXIT_FILL_PROFIT), ONE_BOT);
    expect(reply.title).toBe('✳️ Exited Long ETH/USDT (#42) +2.41%');
    expect(reply.tone).toBe('profit');
    expect(fields(reply)).toEqual({
      Profit: '+2.41% (+2.41 USDT)',
      'Exit reason': 'roi',
      Duration: '4h 47m',
      Direction: 'Long',
      'Open rate': '3050.5 USDT',
      'Exit rate': '3124 USDT',
      Amount: '0.03278 ETH',
      Exchange: 'Binance',
      'Enter tag': 'breakout',
    });
  });

  it('renders the key facts first in plain text', () => {
    const text = renderPlainText(mustFormat(EXIT_FILL_PROFIT, MANY_BOTS));
    expect(text.split('\n').slice(0, 5)).toEqual([
      '✳️ [main] Exited Long ETH/USDT (#42) +2.41%',
      '',
      'Profit: +2.41% (+2.41 USDT)',
      'Exit reason: roi',
      'Duration: 4h 47m',
    ]);
  });

  it('shows a loss with a minus sign, the loss tone and ⚠️ for a stop loss', () => {
    const reply = mustFormat(EXIT_FILL_STOP_LOSS);
    expect(reply.title).toBe('⚠️ Exited Long KEY/ETH (#1) -57.41%');
    expect(reply.tone).toBe('loss');
    expect(fields(reply)).toMatchObject({
      Profit: '-57.41% (-0.05746 ETH)',
      'Exit reason': 'stop_loss',
      Duration: '1d 2h',
      'Open rate': '0.00075 ETH',
      'Exit rate': '0.0003201 ETH',
      Amount: '1333.3333 KEY',
    });
  });

  it('uses ❌ for a loss with another exit reason', () => {
    const reply = mustFormat({
      ...EXIT_FILL_STOP_LOSS,
      exit_reason: 'exit_signal',
      profit_amount: -1.2,
      profit_ratio: -0.008,
      cumulative_profit: -1.2,
      final_profit_ratio: -0.008,
    });
    expect(reply.title).toBe('❌ Exited Long KEY/ETH (#1) -0.80%');
    expect(fields(reply).Profit).toBe('-0.80% (-1.20 ETH)');
  });

  it('shows a pending exit with 🚀 at ≥ 5 %, unrealized profit and the current rate', () => {
    const reply = mustFormat(EXIT_ROI);
    expect(reply.title).toBe('🚀 Exiting Long ETH/USDT (#42) +9.45%');
    expect(fields(reply)).toMatchObject({
      'Unrealized profit': '+9.45% (+5.69 USDT)',
      'Exit order rate': '2.2 USDT',
      'Current rate': '2.3 USDT',
      Duration: '2h 30m',
    });
  });

  it('shows a short exit', () => {
    const reply = mustFormat({ ...EXIT_FILL_PROFIT, direction: 'Short', leverage: 2 });
    expect(reply.title).toBe('✳️ Exited Short ETH/USDT (#42) +2.41%');
    expect(fields(reply).Direction).toBe('Short (2x)');
  });

  it('words a partial exit and shows the cumulative profit and remaining stake', () => {
    const reply = mustFormat({
      ...EXIT_FILL_PROFIT,
      sub_trade: true,
      is_final_exit: false,
      final_profit_ratio: null,
      profit_amount: 1.2,
      profit_ratio: 0.024,
      cumulative_profit: 1.2,
      stake_amount: 50,
    });
    expect(reply.title).toBe('✳️ Partially exited Long ETH/USDT (#42) +2.40%');
    expect(fields(reply)).toMatchObject({
      'Partial profit': '+2.40% (+1.20 USDT)',
      'Cumulative profit': '+1.20 USDT',
      'Remaining stake': '50.00 USDT',
    });
  });

  it("shows the whole trade's profit when the final exit follows partial exits", () => {
    const reply = mustFormat({
      ...EXIT_FILL_PROFIT,
      sub_trade: true,
      is_final_exit: true,
      profit_amount: -0.5,
      profit_ratio: -0.01,
      cumulative_profit: 3.1,
      final_profit_ratio: 0.031,
    });
    expect(reply.title).toBe('✳️ Exited Long ETH/USDT (#42) +3.10%');
    expect(reply.tone).toBe('profit');
    expect(fields(reply)).toMatchObject({
      'Partial profit': '-1.00% (-0.50 USDT)',
      'Final profit': '+3.10% (+3.10 USDT)',
    });
  });
});

describe('cancel events', () => {
  it('shows a cancelled entry with ⚠️ and its reason first', () => {
    const reply = mustFormat({ ...ENTRY_FILL, type: 'entry_cancel', reason: 'cancelled due to timeout' });
    expect(reply.title).toBe('⚠️ Entry cancelled ETH/USDT (#42)');
    expect(reply.tone).toBe('warning');
    expect(Object.entries(fields(reply))[0]).toEqual(['Reason', 'cancelled due to timeout']);
  });

  it('shows a cancelled exit; a missing close date counts until now', () => {
    const frame = {
      ...EXIT_FILL_PROFIT,
      type: 'exit_cancel',
      reason: 'cancelled on exchange',
      close_date: null,
      open_date: '2026-11-22 09:00:00',
    };
    const reply = formatEvent(event(frame), { showBotName: false, now: new Date('2026-11-22T10:15:00Z') });
    expect(reply?.title).toBe('⚠️ Exit cancelled ETH/USDT (#42)');
    expect(fields(reply)).toMatchObject({
      Reason: 'cancelled on exchange',
      'Exit reason': 'roi',
      'Unrealized profit': '+2.41% (+2.41 USDT)',
      Duration: '1h 15m',
    });
  });
});

describe('backfilled events', () => {
  it('marks an event that happened while disconnected, first', () => {
    const reply = formatEvent(event(EXIT_FILL_PROFIT, { backfilled: true }), ONE_BOT);
    const first = reply?.blocks[0];
    expect(first).toEqual({ kind: 'text', text: `⏪ ${BACKFILLED_NOTICE}`, style: 'italic' });
    expect(BACKFILLED_NOTICE).toMatch(/^Happened while the bot was disconnected/);
  });

  it('adds no marker to a live event', () => {
    expect(texts(mustFormat(EXIT_FILL_PROFIT))).toEqual([]);
  });

  it('reads a back-filled entry that already filled as done: "Entered (filled while disconnected)"', () => {
    const reply = formatEvent(event(ENTRY_FILL, { backfilled: true }), ONE_BOT);
    expect(reply?.title).toBe(`✔️ Entered Long ETH/USDT (#42) ${BACKFILLED_FILL_SUFFIX}`);
    expect(BACKFILLED_FILL_SUFFIX).toBe('(filled while disconnected)');
    expect(reply?.title).not.toMatch(/Entering/);
    // The live fill reads the same without the suffix.
    expect(mustFormat(ENTRY_FILL).title).toBe('✔️ Entered Long ETH/USDT (#42)');
  });

  it('reads a back-filled entry whose order is still open as in progress, saying so', () => {
    const reply = formatEvent(event({ ...ENTRY_FILL, type: 'entry' }, { backfilled: true }), MANY_BOTS);
    expect(reply?.title).toBe(`🔵 [main] Entering Long ETH/USDT (#42) ${BACKFILLED_ORDER_SUFFIX}`);
  });

  it('reads a back-filled exit as completed, with its profit, never as in progress', () => {
    const reply = formatEvent(event(EXIT_FILL_PROFIT, { backfilled: true }), ONE_BOT);
    expect(reply?.title).toBe('✳️ Exited Long ETH/USDT (#42) +2.41% (filled while disconnected)');
    expect(reply?.title).not.toMatch(/Exiting|Partially/);
    expect(fields(reply)).toMatchObject({ Profit: '+2.41% (+2.41 USDT)', 'Exit rate': '3124 USDT' });
    expect(fields(reply)).not.toHaveProperty('Unrealized profit');
    expect(fields(reply)).not.toHaveProperty('Current rate');
  });

  it('says an exit order found open after an outage was placed while disconnected', () => {
    const reply = formatEvent(event(EXIT_ROI, { backfilled: true }), ONE_BOT);
    expect(reply?.title).toBe(`🚀 Exiting Long ETH/USDT (#42) +9.45% ${BACKFILLED_ORDER_SUFFIX}`);
  });
});

describe('other event types', () => {
  it('shows status, warning and startup texts without Telegram markdown marks', () => {
    const status = mustFormat({ type: 'status', status: 'running' });
    expect(status).toMatchObject({ title: 'Status', tone: 'info' });
    expect(texts(status)).toEqual(['running']);
    expect(mustFormat({ type: 'status', status: 'process died' }).tone).toBe('warning');

    const warning = mustFormat({ type: 'warning', status: 'Dry run is enabled. All trades are simulated.' });
    expect(warning).toMatchObject({ title: '⚠️ Warning', tone: 'warning' });

    const startup = mustFormat({
      type: 'startup',
      status: '*Exchange:* `binance`\n*Stake per trade:* `100 USDT`',
    });
    expect(texts(startup)).toEqual(['Exchange: binance\nStake per trade: 100 USDT']);
  });

  it('shows a worker exception with its traceback as code', () => {
    const reply = mustFormat({
      type: 'exception',
      status: '*OperationalException:*\n```\nTraceback (most recent call last):\n  boom```\n Issue `/start`.',
    });
    expect(reply).toMatchObject({ title: '🛑 Error', tone: 'error' });
    expect(reply.blocks[0]).toEqual({ kind: 'text', text: 'OperationalException:', style: 'bold' });
    expect(reply.blocks[1]).toMatchObject({ kind: 'code' });
    expect(reply.blocks[1]?.kind === 'code' && reply.blocks[1].text).toContain('boom');
  });

  it('shows a protection lock for one pair and for all pairs', () => {
    const pair = mustFormat({
      type: 'protection_trigger',
      id: 3,
      pair: 'XRP/USDT',
      base_currency: 'XRP',
      lock_time: '2026-11-22 10:00:00',
      lock_timestamp: 1763805600000,
      lock_end_time: '2026-11-22 12:00:00',
      lock_end_timestamp: 1763812800000,
      reason: 'StoplossGuard',
      side: '*',
      active: true,
    });
    expect(pair.title).toBe('🔒 Protection triggered: XRP/USDT locked');
    expect(pair.tone).toBe('warning');
    expect(texts(pair)).toEqual([
      'Protection triggered due to StoplossGuard. XRP/USDT will be locked until 2026-11-22 12:00:00 UTC.',
    ]);
    expect(fields(pair)).toEqual({ Side: 'both sides', 'Lock length': '2h' });
    const global = mustFormat({
      type: 'protection_trigger_global',
      pair: '*',
      lock_end_time: '2026-11-22 11:00:00',
      lock_end_timestamp: 1763809200000,
      reason: 'MaxDrawdown',
      side: 'long',
    });
    expect(global.title).toBe('🔒 Protection triggered: All pairs locked');
    expect(texts(global)).toEqual([
      'Protection triggered due to MaxDrawdown. All pairs will be locked until 2026-11-22 11:00:00 UTC.',
    ]);
    expect(fields(global)).toEqual({ Side: 'long' });
    const noFields = mustFormat({
      type: 'protection_trigger',
      pair: 'BTC/USDT',
      lock_end_time: '2026-11-22 11:00:00',
      lock_end_timestamp: 1763809200000,
      reason: null,
    });
    expect(noFields.blocks).toEqual([
      {
        kind: 'text',
        text: 'Protection triggered. BTC/USDT will be locked until 2026-11-22 11:00:00 UTC.',
      },
    ]);
  });

  it('shows a strategy message as plain text', () => {
    const reply = mustFormat({ type: 'strategy_msg', msg: 'RSI crossed 70 on *BTC/USDT*' });
    expect(reply).toMatchObject({ title: 'Strategy message', tone: 'info' });
    expect(texts(reply)).toEqual(['RSI crossed 70 on *BTC/USDT*']);
  });

  it('returns null for candle and dataframe messages', () => {
    expect(formatEvent(event({ type: 'new_candle', data: ['NEO/BTC', '5m', 'spot'] }), ONE_BOT)).toBeNull();
    const df = { type: 'analyzed_df', data: { key: ['NEO/BTC', '5m', 'spot'], df: {}, la: null } };
    expect(formatEvent(event(df), ONE_BOT)).toBeNull();
  });
});

describe('formatWhitelistEvent', () => {
  const whitelist = (data: string[]) => eventOf('whitelist', { type: 'whitelist', data });

  it('without a previous list shows the count and the pairs', () => {
    const reply = formatWhitelistEvent(whitelist(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']), ONE_BOT);
    expect(reply?.title).toBe('Whitelist: 3 pairs');
    expect(texts(reply)).toEqual(['BTC/USDT, ETH/USDT, SOL/USDT']);
  });

  it('shows the pairs added and removed against the previous list', () => {
    const reply = formatWhitelistEvent(whitelist(['BTC/USDT', 'ETH/USDT', 'ADA/USDT', 'DOT/USDT']), {
      showBotName: true,
      previousWhitelist: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'],
    });
    expect(reply?.title).toBe('[main] Whitelist changed');
    expect(texts(reply)).toEqual(['Added (2): ADA/USDT, DOT/USDT\nRemoved (1): SOL/USDT\nNow 4 pairs.']);
  });

  it('returns null when the set of pairs did not change (order ignored)', () => {
    const options = { showBotName: false, previousWhitelist: ['ETH/USDT', 'BTC/USDT'] };
    expect(formatWhitelistEvent(whitelist(['BTC/USDT', 'ETH/USDT']), options)).toBeNull();
    expect(formatEvent(whitelist(['ETH/USDT', 'BTC/USDT']), options)).toBeNull();
  });

  it('caps a long list and says how many more', () => {
    const pairs = Array.from({ length: 55 }, (_, i) => `C${i}/USDT`);
    const text = texts(formatWhitelistEvent(whitelist(pairs), ONE_BOT))[0] ?? '';
    expect(text).toMatch(/C39\/USDT … and 15 more$/);
    expect(text).not.toContain('C40/USDT');
  });

  it('says when the whitelist became empty', () => {
    expect(texts(formatWhitelistEvent(whitelist([]), ONE_BOT))).toEqual(['The whitelist is empty.']);
    const reply = formatWhitelistEvent(whitelist([]), {
      showBotName: false,
      previousWhitelist: ['BTC/USDT'],
    });
    expect(texts(reply)).toEqual(['Removed (1): BTC/USDT\nNow 0 pairs.']);
  });
});

describe('the exchange and the dry-run marker (as Freqtrade shows them)', () => {
  it('names the exchange, with "(dry)" for a dry-run bot, on entries, exits and cancels', () => {
    const dry = { ...ONE_BOT, dryRun: true };
    expect(fields(formatEntryEvent(eventOf('entry', ENTRY), dry))['Exchange']).toBe('Binance (dry)');
    expect(fields(mustFormat(EXIT_FILL_PROFIT, dry))['Exchange']).toBe('Binance (dry)');
    expect(fields(formatEntryEvent(eventOf('entry', ENTRY), { ...ONE_BOT, dryRun: false }))['Exchange']).toBe(
      'Binance',
    );
  });
});

describe('fiat values and the signal candle (as Freqtrade shows them)', () => {
  const USD = { currency: 'USD', stakeCurrency: 'USDT', rate: 1.012 };

  it('adds the fiat value of the stake to entries and fills, for the same fiat and stake currency', () => {
    const withFiat = { ...ONE_BOT, fiat: USD };
    expect(fields(mustFormat(ENTRY_FILL, withFiat))['Stake']).toBe('100.00 USDT / 101.20 USD');
    expect(fields(mustFormat({ ...ENTRY_FILL, type: 'entry' }, withFiat))['Stake']).toBe(
      '100.00 USDT / 101.20 USD',
    );
    // No fiat named in the payload, another fiat, another stake currency, or no rate: no fiat.
    expect(fields(mustFormat({ ...ENTRY_FILL, fiat_currency: null }, withFiat))['Stake']).toBe('100.00 USDT');
    expect(fields(mustFormat({ ...ENTRY_FILL, fiat_currency: 'EUR' }, withFiat))['Stake']).toBe(
      '100.00 USDT',
    );
    expect(fields(mustFormat(ENTRY, withFiat))['Stake']).toBe('0.01465333 BTC');
    expect(fields(mustFormat(ENTRY_FILL))['Stake']).toBe('100.00 USDT');
  });

  it('adds the fiat value of the profit to exits and exit fills', () => {
    const withFiat = { ...ONE_BOT, fiat: USD };
    expect(fields(mustFormat(EXIT_FILL_PROFIT, withFiat))['Profit']).toBe('+2.41% (+2.41 USDT / +2.44 USD)');
    const exit = { ...EXIT_FILL_PROFIT, type: 'exit', current_rate: 3124.5 };
    expect(fields(mustFormat(exit, withFiat))['Unrealized profit']).toBe('+2.41% (+2.41 USDT / +2.44 USD)');
    expect(fields(mustFormat(EXIT_FILL_PROFIT))['Profit']).toBe('+2.41% (+2.41 USDT)');
  });

  it('ends trade messages with the signal candle when one is given', () => {
    const candle = { open: 3050.5, high: 3060, low: 3040.25, close: 3055 };
    expect(fields(mustFormat(ENTRY_FILL, { ...ONE_BOT, candle }))['Candle OHLC']).toBe(
      '3050.5, 3060, 3040.25, 3055',
    );
    expect(fields(mustFormat(EXIT_FILL_PROFIT, { ...ONE_BOT, candle }))['Candle OHLC']).toBe(
      '3050.5, 3060, 3040.25, 3055',
    );
    expect(fields(mustFormat(ENTRY_FILL))['Candle OHLC']).toBeUndefined();
  });
});
