import { describe, expect, it } from 'vitest';
import { type Reply, renderPlainText } from '../chat/reply.js';
import { type BotEvent, parseFrame } from '../freqtrade/event-schemas.js';
import { type HeldNotification, heldNotificationSchema } from '../store/schema.js';
import { appendHeld, formatHeldSummary, heldNotificationFrom, MAX_HELD_PER_CHAT } from './held.js';

const AT = Date.parse('2026-12-02T18:00:00Z');

const TRADE = {
  exchange: 'Binance',
  base_currency: 'ETH',
  quote_currency: 'USDT',
  leverage: 1.0,
  direction: 'Long',
  order_rate: 3050.5,
  open_rate: 3050.5,
  order_type: 'limit',
  stake_amount: 100.0,
  stake_currency: 'USDT',
  amount: 0.03278,
  open_date: '2026-11-22T09:00:01.120000+00:00',
  sub_trade: false,
};

/** A parsed event, as the event stream hands it on. */
function event(frame: Record<string, unknown>, backfilled = false, bot = 'main'): BotEvent {
  const result = parseFrame(JSON.stringify(frame));
  if (!result.ok) throw new Error(result.error);
  return { ...result.message, bot, ...(backfilled ? { backfilled: true } : {}) };
}

function exitFill(
  tradeId: number,
  pair: string,
  ratio: number,
  extra: Record<string, unknown> = {},
): BotEvent {
  return event({
    ...TRADE,
    type: 'exit_fill',
    trade_id: tradeId,
    pair,
    gain: ratio > 0 ? 'profit' : 'loss',
    close_rate: 3100,
    profit_amount: 100 * ratio,
    profit_ratio: ratio,
    exit_reason: 'roi',
    close_date: '2026-11-22T13:47:10.400000+00:00',
    cumulative_profit: 100 * ratio,
    final_profit_ratio: ratio,
    is_final_exit: true,
    ...extra,
  });
}

/** A held record of `event`, or a failure when the event is not kept. */
function held(e: BotEvent, atMs = AT): HeldNotification {
  const record = heldNotificationFrom(e, atMs);
  if (!record) throw new Error(`${e.type} not held`);
  return record;
}

function summaryText(reply: Reply | null): string {
  if (!reply) throw new Error('no summary');
  return renderPlainText(reply);
}

describe('heldNotificationFrom', () => {
  it('keeps what the summary needs of an exit: pair, trade, profit, reason, whether back-filled', () => {
    const record = held({ ...exitFill(7, 'SOL/USDT', 0.0241), backfilled: true });
    expect(record).toEqual({
      at_ms: AT,
      bot: 'main',
      type: 'exit_fill',
      backfilled: true,
      pair: 'SOL/USDT',
      trade_id: 7,
      direction: 'Long',
      profit_ratio: 0.0241,
      profit_amount: 2.41,
      currency: 'USDT',
      exit_reason: 'roi',
      text: null,
    });
    // What is kept is what the store accepts back.
    expect(heldNotificationSchema.parse(JSON.parse(JSON.stringify(record)))).toEqual(record);
  });

  it('keeps the whole trade profit of a final exit after partial exits', () => {
    const record = held(
      exitFill(7, 'SOL/USDT', 0.01, { cumulative_profit: 3.5, final_profit_ratio: 0.035, profit_amount: 1 }),
    );
    expect(record).toMatchObject({ profit_ratio: 0.035, profit_amount: 3.5 });
  });

  it("keeps a warning's and a worker error's first line without Telegram marks", () => {
    expect(held(event({ type: 'warning', status: '*Dry run* is enabled.\nsecond line' })).text).toBe(
      'Dry run is enabled.',
    );
    const error = held(event({ type: 'exception', status: '*OperationalException:*\n```\nTraceback```' }));
    expect(error).toMatchObject({ type: 'exception', text: 'OperationalException:' });
    const long = held(event({ type: 'warning', status: 'x'.repeat(500) })).text ?? '';
    expect(long.length).toBeLessThanOrEqual(160);
    expect(long.endsWith('…')).toBe(true);
  });

  it('keeps an exit cancel with its reason', () => {
    const record = held(
      event({
        ...TRADE,
        type: 'exit_cancel',
        trade_id: 9,
        pair: 'ADA/USDT',
        reason: 'Cancelled on exchange',
      }),
    );
    expect(record).toMatchObject({
      type: 'exit_cancel',
      pair: 'ADA/USDT',
      trade_id: 9,
      text: 'Cancelled on exchange',
    });
  });

  it('keeps nothing of entries, status or the websocket’s own exception replies', () => {
    expect(
      heldNotificationFrom(event({ ...TRADE, type: 'entry', trade_id: 1, pair: 'ETH/USDT' }), AT),
    ).toBeNull();
    expect(heldNotificationFrom(event({ type: 'status', status: 'running' }), AT)).toBeNull();
    expect(
      heldNotificationFrom(event({ type: 'exception', data: 'Error processing request' }), AT),
    ).toBeNull();
  });
});

describe('appendHeld', () => {
  it(`keeps the newest ${MAX_HELD_PER_CHAT} and counts the ones let go`, () => {
    const record = held(event({ type: 'warning', status: 'w' }));
    let state = { held: [] as HeldNotification[], dropped: 0 };
    for (let i = 0; i < MAX_HELD_PER_CHAT + 5; i += 1) {
      state = appendHeld(state.held, state.dropped, { ...record, at_ms: i });
    }
    expect(state.held).toHaveLength(MAX_HELD_PER_CHAT);
    expect(state.dropped).toBe(5);
    expect(state.held[0]?.at_ms).toBe(5);
    expect(state.held.at(-1)?.at_ms).toBe(MAX_HELD_PER_CHAT + 4);
  });
});

describe('formatHeldSummary', () => {
  it('is null when nothing was held', () => {
    expect(formatHeldSummary([], { showBotName: false, dropped: 0 })).toBeNull();
  });

  it('counts each type and lists each exit with pair and profit, back-filled ones marked', () => {
    const records = [
      held(event({ type: 'warning', status: 'Dry run is enabled.' })),
      held(exitFill(3, 'SOL/USDT', 0.0241)),
      held(event({ type: 'exception', status: 'OperationalException: exchange said no' })),
      held({ ...exitFill(4, 'ADA/USDT', -0.05, { exit_reason: 'stop_loss' }), backfilled: true }),
      held(event({ type: 'warning', status: 'Still running with open trades.' })),
    ];
    const reply = formatHeldSummary(records, { showBotName: false, dropped: 0 });
    expect(reply?.title).toBe('🔔 Mute ended: 5 notifications held while muted');
    expect(reply?.tone).toBe('warning');
    const fields = reply?.blocks.flatMap((block) => (block.kind === 'fields' ? block.fields : []));
    expect(fields?.map((field) => [field.label, field.value])).toEqual([
      ['Warnings', '2'],
      ['Error', '1'],
      ['Exits filled', '2'],
    ]);
    const text = summaryText(reply);
    expect(text).toContain('✳️ Exited Long SOL/USDT (#3) +2.41% (+2.41 USDT) · roi');
    expect(text).toContain(
      '⚠️ Exited Long ADA/USDT (#4) -5.00% (-5.00 USDT) · stop_loss · while disconnected',
    );
    expect(text).toContain('⚠️ Dry run is enabled.');
    expect(text).toContain('🛑 OperationalException: exchange said no');
  });

  it('shows each trade once, at its latest state, and names the bot when there are several', () => {
    const order = held(
      event({
        ...TRADE,
        type: 'exit',
        trade_id: 5,
        pair: 'BTC/USDT',
        gain: 'profit',
        profit_amount: 1.2,
        profit_ratio: 0.012,
        exit_reason: 'exit_signal',
        current_rate: 3080,
        close_date: '2026-11-22T13:47:10.400000+00:00',
      }),
    );
    const fill = held(exitFill(5, 'BTC/USDT', 0.013));
    const otherBot = held({ ...exitFill(5, 'BTC/USDT', 0.02), bot: 'beta' });
    const text = summaryText(formatHeldSummary([order, fill, otherBot], { showBotName: true, dropped: 0 }));
    expect(text.match(/\[main\][^\n]*BTC\/USDT/g)).toEqual(['[main] Exited Long BTC/USDT']);
    expect(text).toContain('[beta] Exited Long BTC/USDT (#5) +2.00%');
    expect(text).toMatch(/Exit order placed: 1/);

    const onlyOrder = summaryText(formatHeldSummary([order], { showBotName: false, dropped: 0 }));
    expect(onlyOrder).toContain(
      'Exit order placed Long BTC/USDT (#5) +1.20% (+1.20 USDT) · unrealized · exit_signal',
    );
  });

  it('says how many older notifications were not kept', () => {
    const record = held(event({ type: 'warning', status: 'w' }));
    const reply = formatHeldSummary([record], { showBotName: false, dropped: 12 });
    expect(reply?.title).toBe('🔔 Mute ended: 13 notifications held while muted');
    expect(summaryText(reply)).toContain(
      `12 older notifications were not kept (at most ${MAX_HELD_PER_CHAT} are held).`,
    );
  });

  it('lists at most 20 exits and 5 warnings, the newest, saying how many more there were', () => {
    const exits = Array.from({ length: 25 }, (_, i) => held(exitFill(100 + i, 'ETH/USDT', 0.01)));
    const warnings = Array.from({ length: 8 }, (_, i) =>
      held(event({ type: 'warning', status: `warning #${i}` })),
    );
    const text = summaryText(formatHeldSummary([...exits, ...warnings], { showBotName: false, dropped: 0 }));
    expect(text).toContain('… 5 earlier not shown');
    expect(text).not.toContain('(#104)');
    expect(text).toContain('(#105)');
    expect(text).toContain('(#124)');
    expect(text).toContain('… 3 earlier not shown');
    expect(text).not.toContain('warning #2');
    expect(text).toContain('warning #3');
    expect(text).toContain('warning #7');
  });
});
