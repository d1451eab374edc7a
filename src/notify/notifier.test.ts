import { afterEach, describe, expect, it } from 'vitest';
import { type Reply, renderPlainText } from '../chat/reply.js';
import { type BotEvent, parseFrame } from '../freqtrade/event-schemas.js';
import { ConfigError } from '../errors.js';
import { createSilentLogger } from '../logger.js';
import { openStore, type Store } from '../store/store.js';
import { createNotifier, type NotificationTarget, type Notifier } from './notifier.js';
import { createOutbox, type Outbox } from './outbox.js';

/*
 * The notifier with its real collaborators (an in-memory store, a real outbox) and a chat that
 * records what it is sent: how a muted chat's warnings and exits are held and summarised.
 */

const KEY = 'console:chat';

function event(frame: Record<string, unknown>): BotEvent {
  const result = parseFrame(JSON.stringify(frame));
  if (!result.ok) throw new Error(result.error);
  return { ...result.message, bot: 'main' };
}

const EXIT_FILL = {
  type: 'exit_fill',
  trade_id: 7,
  exchange: 'Binance',
  pair: 'SOL/USDT',
  base_currency: 'SOL',
  quote_currency: 'USDT',
  leverage: 1.0,
  direction: 'Long',
  order_rate: 150,
  open_rate: 145,
  order_type: 'limit',
  stake_amount: 100.0,
  stake_currency: 'USDT',
  amount: 0.69,
  open_date: '2026-11-22T09:00:01+00:00',
  sub_trade: false,
  gain: 'profit',
  close_rate: 150,
  profit_amount: 3.45,
  profit_ratio: 0.0345,
  exit_reason: 'roi',
  close_date: '2026-11-22T13:47:10+00:00',
  cumulative_profit: 3.45,
  final_profit_ratio: 0.0345,
  is_final_exit: true,
};

interface Rig {
  notifier: Notifier;
  outbox: Outbox;
  store: Store;
  sent: Reply[];
  /** Moves the notifier's clock forward. */
  advance(ms: number): void;
}

const notifiers: Notifier[] = [];
afterEach(() => {
  for (const notifier of notifiers.splice(0)) notifier.stop();
});

async function rig(store?: Store): Promise<Rig> {
  const logger = createSilentLogger();
  const db = store ?? (await openStore({ path: null, logger, auditMaxEntries: 10 }));
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;
  const sent: Reply[] = [];
  const target: NotificationTarget = {
    key: KEY,
    platform: 'console',
    minIntervalMs: 0,
    async send(reply) {
      sent.push(reply);
    },
  };
  const outbox = createOutbox({ logger, globalPerSecond: 1000, now });
  const notifier = createNotifier({
    targets: [target],
    outboxes: { console: outbox },
    store: db,
    logger,
    showBotName: false,
    now,
  });
  notifiers.push(notifier);
  return { notifier, outbox, store: db, sent, advance: (ms) => (offsetMs += ms) };
}

const textOf = (replies: Reply[]) => replies.map((reply) => renderPlainText(reply)).join('\n');

async function waitForSent(r: Rig, count: number, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (r.sent.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${r.sent.length} of ${count} messages sent`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('notifier: a muted chat', () => {
  it('holds warnings and exits, drops entries, and sends one summary when the mute runs out (timer)', async () => {
    const r = await rig();
    r.store.updateChat(KEY, (chat) => {
      chat.muted_until_ms = Date.now() + 300;
    });
    r.notifier.handle(event({ type: 'warning', status: 'Dry run is enabled.' }));
    r.notifier.handle(event({ ...EXIT_FILL, type: 'entry', current_rate: 145 }));
    r.notifier.handle(event(EXIT_FILL));
    await r.notifier.drain();
    expect(r.sent).toEqual([]);
    expect(r.store.chat(KEY).held_notifications.map((held) => held.type)).toEqual(['warning', 'exit_fill']);

    await waitForSent(r, 1);
    const [summary] = r.sent;
    expect(summary?.title).toBe('🔔 Mute ended: 2 notifications held while muted');
    const text = textOf(r.sent);
    expect(text).toContain('Exited Long SOL/USDT (#7) +3.45% (+3.45 USDT)');
    expect(text).toContain('Dry run is enabled.');
    expect(text).not.toContain('Entering');
    expect(r.store.chat(KEY).held_notifications).toEqual([]);
  });

  it('sends the summary before the first event after the mute ended, when that comes first', async () => {
    const r = await rig();
    r.store.updateChat(KEY, (chat) => {
      chat.muted_until_ms = Date.now() + 3_600_000;
    });
    r.notifier.handle(event(EXIT_FILL));
    expect(r.store.chat(KEY).held_notifications).toHaveLength(1);

    r.advance(3_600_001);
    r.notifier.handle(event({ type: 'status', status: 'running' }));
    await waitForSent(r, 2);
    expect(r.sent[0]?.title).toBe('🔔 Mute ended: 1 notification held while muted');
    expect(r.sent[1]?.title).toBe('Status');
    expect(r.store.chat(KEY).held_notifications).toEqual([]);
  });

  it('sends what was held before a restart once the mute is over', async () => {
    const first = await rig();
    first.store.updateChat(KEY, (chat) => {
      chat.muted_until_ms = Date.now() + 3_600_000;
    });
    first.notifier.handle(event({ type: 'warning', status: 'Still running with open trades.' }));
    first.notifier.stop();
    first.store.updateChat(KEY, (chat) => {
      chat.muted_until_ms = Date.now() - 1;
    });

    const restarted = await rig(first.store);
    await waitForSent(restarted, 1);
    expect(textOf(restarted.sent)).toContain('Still running with open trades.');
  });

  it('keeps a mute extended meanwhile: the summary waits for the new end', async () => {
    const r = await rig();
    r.store.updateChat(KEY, (chat) => {
      chat.muted_until_ms = Date.now() + 100;
    });
    r.notifier.handle(event({ type: 'warning', status: 'first' }));
    // /mute again before the first end: the check at the old end finds the chat still muted.
    r.store.updateChat(KEY, (chat) => {
      chat.muted_until_ms = Date.now() + 600;
    });
    const extendedAt = Date.now();
    await waitForSent(r, 1);
    expect(Date.now() - extendedAt).toBeGreaterThanOrEqual(550);
    expect(textOf(r.sent)).toContain('first');
  });
});

describe('notifier: start', () => {
  it('refuses a target whose platform has no outbox, naming the target and the outboxes there are', async () => {
    const logger = createSilentLogger();
    const store = await openStore({ path: null, logger, auditMaxEntries: 10 });
    const target: NotificationTarget = {
      key: 'pager:ops',
      platform: 'pager',
      minIntervalMs: 0,
      send: async () => {},
    };
    const outbox = createOutbox({ logger, globalPerSecond: 1000 });
    expect(() =>
      createNotifier({
        targets: [target],
        outboxes: { console: outbox },
        store,
        logger,
        showBotName: false,
        now: Date.now,
      }),
    ).toThrow(
      new ConfigError('notification targets have no outbox for their platform:', [
        'pager:ops: platform "pager" (outboxes: console)',
      ]),
    );
    outbox.stop();
  });
});

describe('notifier: the signal candle and fiat', () => {
  it('adds the candle for chats with show_candle on, keeps each chat in event order, and fiat for all', async () => {
    const logger = createSilentLogger();
    const store = await openStore({ path: null, logger, auditMaxEntries: 10 });
    const sent: Record<string, Reply[]> = { candle: [], plain: [] };
    const target = (key: string, notifications: NotificationTarget['notifications']): NotificationTarget => ({
      key,
      platform: 'console',
      minIntervalMs: 0,
      notifications,
      async send(reply) {
        sent[key]?.push(reply);
      },
    });
    const candleReads: string[] = [];
    const notifier = createNotifier({
      targets: [target('candle', { show_candle: 'ohlc' }), target('plain', {})],
      outboxes: { console: createOutbox({ logger, globalPerSecond: 1000, now: Date.now }) },
      store,
      logger,
      showBotName: false,
      now: Date.now,
      fiatRateOf: () => ({ currency: 'USD', stakeCurrency: 'USDT', rate: 2 }),
      async lastCandleOf(_bot, pair) {
        candleReads.push(pair);
        await new Promise((resolve) => setTimeout(resolve, 50));
        return { open: 1, high: 2, low: 0.5, close: 1.5 };
      },
    });
    notifiers.push(notifier);
    notifier.handle(event({ ...EXIT_FILL, fiat_currency: 'USD' }));
    // A later event of the same bot waits for the candle of the earlier one.
    notifier.handle(event({ type: 'status', status: 'running' }));
    await notifier.drain();
    expect(candleReads).toEqual(['SOL/USDT']);
    const withCandle = textOf(sent['candle'] ?? []);
    expect(withCandle).toContain('Candle OHLC: 1, 2, 0.5, 1.5');
    expect(withCandle).toContain('Profit: +3.45% (+3.45 USDT / +6.90 USD)');
    expect(withCandle.indexOf('Candle OHLC')).toBeLessThan(withCandle.indexOf('Status'));
    const plain = textOf(sent['plain'] ?? []);
    expect(plain).not.toContain('Candle OHLC');
    expect(plain).toContain('+6.90 USD');
    expect(plain).toContain('Status');
  });
});
