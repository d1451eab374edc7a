import { afterEach, describe, expect, it } from 'vitest';
import type { BackfillResult } from '../src/notify/backfill-runner.js';
import { createSilentLogger } from '../src/logger.js';
import { startApp } from '../src/main.js';
import { startFakeFreqtrade } from './fakes/fake-freqtrade.js';
import { tradeFrame } from './support/frames.js';
import { CANARY, type Harness, startHarness, until } from './support/harness.js';

const LOUD_CHAT = 5001;
const QUIET_CHAT = 5002;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const entryFrame = (tradeId: number, pair: string) => tradeFrame('entry', tradeId, pair);

/** Two private chats: one with the defaults, one with its own levels. */
async function startNotifyHarness(extra: Parameters<typeof startHarness>[0] = {}) {
  return startHarness({
    ...extra,
    telegram: {
      chats: [
        { chat_id: String(LOUD_CHAT), topic_id: null },
        {
          chat_id: String(QUIET_CHAT),
          topic_id: null,
          notifications: { entry: 'silent', exit_fill: { roi: 'off', '*': 'on' }, whitelist: 'off' },
        },
      ],
      ...extra.telegram,
    },
  });
}

const messagesTo = (h: Harness, chat: number) =>
  h.telegram.messages.filter((m) => m.chat_id === String(chat));

async function connected(h: Harness) {
  await until(() => h.app.streams.every((stream) => stream.state() === 'open'), 5000, 'websocket open');
  await until(
    () => h.freqtrade.wsConsumers().some((c) => c.subscribed.includes('entry')),
    5000,
    'subscription',
  );
}

describe('notifications end to end', () => {
  // Routing each event to the chats that want it, at their level, is in test/contract/notifications.contract.ts.
  it("passes Freqtrade's worker exceptions on at each chat's warning level", async () => {
    harness = await startNotifyHarness({
      telegram: {
        chats: [
          { chat_id: String(LOUD_CHAT), topic_id: null },
          { chat_id: String(QUIET_CHAT), topic_id: null, notifications: { warning: 'off' } },
        ],
      },
    });
    await connected(harness);
    await until(
      () => harness!.freqtrade.wsConsumers().some((c) => c.subscribed.includes('exception')),
      5000,
      'exception',
    );
    harness.freqtrade.emit({ type: 'exception', status: 'OperationalException: exchange said no' });
    harness.freqtrade.emit({ type: 'strategy_msg', msg: 'marker' });
    await until(
      () => messagesTo(harness!, QUIET_CHAT).some((m) => m.text.includes('marker')),
      5000,
      'marker',
    );
    await until(
      () => messagesTo(harness!, LOUD_CHAT).some((m) => m.text.includes('exchange said no')),
      5000,
      'loud',
    );
    expect(messagesTo(harness, QUIET_CHAT).some((m) => m.text.includes('exchange said no'))).toBe(false);
  });

  it('skips a malformed frame and delivers the next one', async () => {
    harness = await startNotifyHarness();
    await connected(harness);
    harness.freqtrade.emitRaw('{"type": "entry", "trade_id": ');
    harness.freqtrade.emitRaw('{"type": "no_such_type"}');
    harness.freqtrade.emit(entryFrame(21, 'DOT/USDT'));
    await until(() => messagesTo(harness!, LOUD_CHAT).some((m) => m.text.includes('DOT/USDT')));
    expect(harness.app.streams[0]?.state()).toBe('open');
  });

  it('names the exchange and marks a dry-run bot "(dry)", as Freqtrade does, from its /show_config', async () => {
    harness = await startNotifyHarness();
    await connected(harness);
    // The marker comes from /show_config, read when the websocket connects.
    const bot = harness.app.fleet.names[0] ?? '';
    await until(() => harness!.app.botFacts.dryRun(bot) !== undefined);
    expect(harness.app.botFacts.dryRun(bot)).toBe(true);
    harness.freqtrade.emit(entryFrame(23, 'ADA/USDT'));
    await until(() => messagesTo(harness!, LOUD_CHAT).some((m) => m.text.includes('ADA/USDT')));
    const entry = messagesTo(harness, LOUD_CHAT).find((m) => m.text.includes('ADA/USDT'));
    expect(entry?.text).toContain('Exchange: Binance (dry)');
  });

  it('honours /notify and /mute from the chat, persisted in the store', async () => {
    harness = await startNotifyHarness({
      config: { access: { admins: [`telegram:${LOUD_CHAT}`], viewers: [] } },
    });
    await connected(harness);
    const [set] = await harness.say('/notify entry off', {
      chatId: LOUD_CHAT,
      userId: LOUD_CHAT,
      chatType: 'private',
    });
    expect(set?.text).toContain('entry notifications are now off');
    harness.freqtrade.emit(entryFrame(31, 'XRP/USDT'));
    harness.freqtrade.emit({ type: 'strategy_msg', msg: 'marker after entry' });
    await until(() => messagesTo(harness!, LOUD_CHAT).some((m) => m.text.includes('marker after entry')));
    expect(messagesTo(harness, LOUD_CHAT).some((m) => m.text.includes('XRP/USDT'))).toBe(false);
    expect(harness.app.store.chat(`telegram:${LOUD_CHAT}`).notifications.entry).toBe('off');

    await harness.say('/mute 1h', { chatId: LOUD_CHAT, userId: LOUD_CHAT, chatType: 'private' });
    harness.freqtrade.emit({ type: 'strategy_msg', msg: 'while muted' });
    harness.freqtrade.emit({ type: 'warning', status: 'quiet chat still hears this' });
    await until(() =>
      messagesTo(harness!, QUIET_CHAT).some((m) => m.text.includes('quiet chat still hears this')),
    );
    await harness.app.notifier.drain();
    expect(messagesTo(harness, LOUD_CHAT).some((m) => m.text.includes('while muted'))).toBe(false);
  });

  it('marks a chat that removed the bot, logs it, and stops sending there while others still hear', async () => {
    harness = await startNotifyHarness();
    await connected(harness);
    harness.telegram.failNext('sendMessage', 1, 403, 'Forbidden: bot was kicked from the group chat');
    harness.freqtrade.emit({ type: 'strategy_msg', msg: 'first' });
    await until(
      () =>
        harness!.app.store.hasChat(`telegram:${LOUD_CHAT}`) ||
        harness!.app.store.hasChat(`telegram:${QUIET_CHAT}`),
      5000,
      'a chat marked',
    );
    const marked = [LOUD_CHAT, QUIET_CHAT].filter(
      (chat) => harness!.app.store.chat(`telegram:${chat}`).delivery_failed,
    );
    expect(marked).toHaveLength(1);
    const [gone] = marked;
    const other = gone === LOUD_CHAT ? QUIET_CHAT : LOUD_CHAT;
    expect(harness.app.store.chat(`telegram:${gone}`).delivery_failed?.reason).toContain('kicked');
    expect(harness.logs.join('')).toMatch(/refuses notifications for good/);
    const attemptsBefore = harness.telegram.calls.filter(
      (c) => c.method === 'sendMessage' && String(c.body.chat_id) === String(gone),
    ).length;
    harness.freqtrade.emit({ type: 'strategy_msg', msg: 'second' });
    await until(
      () => messagesTo(harness!, other).some((m) => m.text.includes('second')),
      5000,
      'the other chat',
    );
    await harness.app.notifier.drain();
    const attemptsAfter = harness.telegram.calls.filter(
      (c) => c.method === 'sendMessage' && String(c.body.chat_id) === String(gone),
    ).length;
    expect(attemptsAfter).toBe(attemptsBefore);
  });

  it('reconnects after Freqtrade restarts, resubscribes and back-fills missed trades exactly once', async () => {
    harness = await startNotifyHarness();
    const backfills: BackfillResult[] = [];
    harness.app.backfills[0]?.on('finished', (result) => backfills.push(result));
    const firstTrade = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 100 });
    await connected(harness);
    // Let the first back-fill record what is open now.
    await until(
      () => harness!.app.store.seenTrades('main').open_trade_ids.includes(firstTrade),
      5000,
      'seen trades',
    );
    const port = harness.freqtrade.port;
    await harness.freqtrade.close();
    await until(() => harness!.app.streams[0]?.state() !== 'open', 5000, 'disconnect noticed');

    // While we were away: trade 1 closed at a profit, trade 2 opened.
    const restarted = await startFakeFreqtrade({ port, password: CANARY.password, wsToken: CANARY.wsToken });
    harness.freqtrade = restarted;
    const again = restarted.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 100 });
    expect(again).toBe(firstTrade);
    restarted.closeTrade(again, { closeRate: 103, exitReason: 'roi' });
    const entered = restarted.addTrade({ pair: 'ETH/USDT', openRate: 2000, currentRate: 2000 });

    await until(
      () => restarted.wsConsumers().some((c) => c.subscribed.includes('exit_fill')),
      8000,
      'resubscribe',
    );
    await until(
      () => messagesTo(harness!, LOUD_CHAT).filter((m) => /disconnected/.test(m.text)).length >= 2,
      10_000,
      'back-filled notifications',
    );
    await harness.app.notifier.drain();
    const backfilled = messagesTo(harness, LOUD_CHAT)
      .map((m) => m.text)
      .join('\n');
    // Both already happened: the entry filled and the exit completed while we were away, and the
    // chat reads them as done, not as orders in progress.
    expect(backfilled).toContain(`Entered Long ETH/USDT (#${entered}) (filled while disconnected)`);
    expect(backfilled).toMatch(
      new RegExp(`Exited Long BTC/USDT \\(#${firstTrade}\\) \\+2\\.\\d\\d% \\(filled while disconnected\\)`),
    );
    expect(backfilled).not.toMatch(/Entering|Exiting/);
    // The quiet chat hears entries silently: the back-filled fill reaches it too (entry_fill is off).
    await until(
      () => messagesTo(harness!, QUIET_CHAT).some((m) => m.text.includes('ETH/USDT')),
      8000,
      'quiet',
    );

    // Another drop and reconnect must not announce them again.
    const count = messagesTo(harness, LOUD_CHAT).length;
    const reported = backfills.length;
    restarted.dropWebsockets();
    await until(() => backfills.length > reported, 8000, 'the back-fill after the second reconnect');
    expect(backfills.at(-1)).toEqual({ ok: true, entered: [], exited: [], firstSight: false });
    await harness.app.notifier.drain();
    expect(messagesTo(harness, LOUD_CHAT)).toHaveLength(count);
  }, 30_000);

  it('reconnects within 2 s after each of five websocket drops, and keeps delivering', async () => {
    harness = await startNotifyHarness();
    // The production reconnect backoff (the harness's is short enough to hide a growing one).
    await harness.app.stop();
    harness.app = await startApp({ config: harness.config, logger: createSilentLogger() });
    await connected(harness);
    const fake = harness.freqtrade;
    const reconnectMs: number[] = [];
    for (let drop = 1; drop <= 5; drop += 1) {
      // Each connection is healthy for a while before Freqtrade drops it.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const connections = fake.counts.wsConnections;
      const droppedAtMs = fake.now();
      fake.dropWebsockets();
      await until(
        () =>
          fake.counts.wsConnections > connections && fake.wsConsumers().some((c) => c.subscribed.length > 0),
        5000,
        `reconnect #${drop}`,
      );
      reconnectMs.push(fake.now() - droppedAtMs);
    }
    for (const ms of reconnectMs) expect(ms).toBeLessThan(2_000);
    fake.emit({ type: 'strategy_msg', msg: 'after five drops' });
    await until(() => messagesTo(harness!, LOUD_CHAT).some((m) => m.text.includes('after five drops')));
  }, 30_000);

  it('reports a wrong ws_token once, clearly, and shows it in /bots', async () => {
    harness = await startNotifyHarness({
      config: {
        access: { admins: [`telegram:${LOUD_CHAT}`], viewers: [] },
      },
    });
    // Restart the app with a wrong token for the websocket.
    await harness.app.stop();
    const { startApp } = await import('../src/main.js');
    const { createLogger } = await import('../src/logger.js');
    const lines: string[] = [];
    const { Writable } = await import('node:stream');
    const destination = new Writable({
      write(chunk, _e, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const bots = harness.config.bots.map((bot) => ({ ...bot, ws_token: 'wrong-token-123' }));
    harness.app = await startApp({
      config: { ...harness.config, bots },
      logger: createLogger({ level: 'debug', destination }),
      streamBackoff: { initialMs: 20, maxMs: 100 },
    });
    await until(() => harness!.app.streams[0]?.state() === 'unauthorized', 5000, 'unauthorized');
    const [bots2] = await harness.say('/bots', { chatId: LOUD_CHAT, userId: LOUD_CHAT, chatType: 'private' });
    expect(bots2?.text).toContain('unauthorized');
    // By the time /bots has answered: one refused attempt (the next waits minutes, no hot loop)
    // and one error line for it.
    expect(harness.freqtrade.counts.wsRejections).toBe(1);
    const errors = lines.filter((line) => line.includes('"level":50'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/ws_token/);
    expect(lines.join('')).not.toContain('wrong-token-123');
  });
});

describe('notifications under Telegram rate limits', () => {
  it('loses nothing and keeps per-chat order under a burst of 500 events', async () => {
    harness = await startNotifyHarness({ rateLimits: true });
    await connected(harness);
    for (let i = 0; i < 500; i += 1) harness.freqtrade.emit({ type: 'strategy_msg', msg: `burst #${i}` });
    for (const chat of [LOUD_CHAT, QUIET_CHAT]) {
      await until(
        () =>
          messagesTo(harness!, chat)
            .map((m) => m.text)
            .join('\n')
            .includes('burst #499'),
        60_000,
        `all events in chat ${chat}`,
      );
      const seen = [
        ...messagesTo(harness, chat)
          .map((m) => m.text)
          .join('\n')
          .matchAll(/burst #(\d+)/g),
      ].map((m) => Number(m[1]));
      expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => i));
    }
    expect(harness.telegram.count429).toBe(0);
  }, 90_000);
});
