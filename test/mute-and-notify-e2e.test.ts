import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatUtc } from '../src/format/dates.js';
import type { BackfillResult } from '../src/notify/backfill-runner.js';
import { parseConfig } from './support/config.js';
import { createSilentLogger } from '../src/logger.js';
import { startApp } from '../src/main.js';
import { exitFillFrame, tradeFrame } from './support/frames.js';
import { ADMIN, CANARY, GROUP_CHAT, type Harness, startHarness, until } from './support/harness.js';

/*
 * End to end through the real app, fake Telegram and fake Freqtrade: /mute holds warnings and
 * exits (live and back-filled) and summarises them when the mute ends; /notify shows and keeps to
 * the chat's configured bots.
 */

const CHAT = 6001;
const OTHER_CHAT = 6002;
const KEY = `telegram:${CHAT}`;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const messagesTo = (h: Harness, chat: number) =>
  h.telegram.messages.filter((m) => m.chat_id === String(chat));
const textTo = (h: Harness, chat: number) =>
  messagesTo(h, chat)
    .map((m) => m.text)
    .join('\n');

/** A private chat whose user is an admin, plus another chat that is never muted. */
async function startMuteHarness(): Promise<Harness> {
  return startHarness({
    telegram: {
      chats: [
        { chat_id: String(CHAT), topic_id: null },
        { chat_id: String(OTHER_CHAT), topic_id: null },
      ],
    },
    config: { access: { admins: [`telegram:${CHAT}`], viewers: [] } },
  });
}

const sayInChat = (h: Harness, text: string) =>
  h.say(text, { chatId: CHAT, userId: CHAT, chatType: 'private' });

async function connected(h: Harness): Promise<void> {
  await until(() => h.app.streams.every((stream) => stream.state() === 'open'), 5000, 'websocket open');
  await until(
    () => h.freqtrade.wsConsumers().some((c) => c.subscribed.includes('exit_fill')),
    5000,
    'subscribed',
  );
}

describe('/mute and what a muted chat is told afterwards', () => {
  it('mutes for 1 h by default, holds warnings and exits (live and back-filled) and summarises them on /unmute', async () => {
    harness = await startMuteHarness();
    const backfills: BackfillResult[] = [];
    harness.app.backfills[0]?.on('finished', (result) => backfills.push(result));
    const held = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 100 });
    await connected(harness);
    await until(
      () => harness!.app.store.seenTrades('main').open_trade_ids.includes(held),
      5000,
      'seen trades',
    );

    const [muted] = await sayInChat(harness, '/mute');
    const untilMs = harness.app.store.chat(KEY).muted_until_ms ?? 0;
    expect(untilMs - Date.now()).toBeGreaterThan(3_600_000 - 60_000);
    expect(untilMs - Date.now()).toBeLessThanOrEqual(3_600_000);
    expect(muted?.text).toContain(`🔕 Muted until ${formatUtc(untilMs)} (1h); /unmute to hear again.`);
    expect(muted?.text).toMatch(/Muted until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);

    // Live, while muted: a warning and an exit are held; an entry and a strategy message are not.
    harness.freqtrade.emit({ type: 'warning', status: 'Still running with open trades.' });
    harness.freqtrade.emit(tradeFrame('entry', 31, 'XRP/USDT'));
    harness.freqtrade.emit(exitFillFrame(12, 'ADA/USDT', 'stop_loss', -0.05));
    harness.freqtrade.emit({ type: 'strategy_msg', msg: 'marker while muted' });
    await until(() => textTo(harness!, OTHER_CHAT).includes('marker while muted'), 5000, 'the other chat');
    // An outage during which the held trade closed: its exit is back-filled, and held too.
    const reported = backfills.length;
    harness.freqtrade.dropWebsockets();
    harness.freqtrade.closeTrade(held, { closeRate: 103, exitReason: 'roi' });
    await until(() => backfills.length > reported, 8000, 'the back-fill');
    expect(backfills.at(-1)).toMatchObject({ ok: true, exited: [held] });
    await until(() => textTo(harness!, OTHER_CHAT).includes('filled while disconnected'), 5000, 'other chat');

    expect(harness.app.store.chat(KEY).held_notifications.map((h) => [h.type, h.backfilled])).toEqual([
      ['warning', false],
      ['exit_fill', false],
      ['exit_fill', true],
    ]);
    await harness.app.notifier.drain();
    // Nothing but the /mute reply reached the muted chat.
    expect(messagesTo(harness, CHAT)).toHaveLength(1);

    const [unmuted] = await sayInChat(harness, '/unmute');
    const text = unmuted?.text ?? '';
    expect(text).toContain('Notifications are on again.');
    expect(text).toContain('🔔 Mute ended: 3 notifications held while muted');
    expect(text).toMatch(/Warning: 1/);
    expect(text).toMatch(/Exits filled: 2/);
    expect(text).toContain('⚠️ Exited Long ADA/USDT (#12) -5.00% (-5.00 USDT) · stop_loss');
    expect(text).toMatch(
      new RegExp(
        `✳️ Exited Long BTC/USDT \\(#${held}\\) \\+2\\.\\d\\d% \\(\\+2\\.\\d\\d USDT\\) · roi · while disconnected`,
      ),
    );
    expect(text).toContain('Still running with open trades.');
    expect(text).not.toContain('XRP/USDT');
    expect(text).not.toContain('marker while muted');
    const state = harness.app.store.chat(KEY);
    expect(state.muted_until_ms).toBeNull();
    expect(state.held_notifications).toEqual([]);

    // Heard again, live.
    harness.freqtrade.emit({ type: 'warning', status: 'after the mute' });
    await until(() => textTo(harness!, CHAT).includes('after the mute'), 5000, 'live again');
  }, 30_000);

  it('sends the summary by itself when the mute runs out, before the next notification', async () => {
    harness = await startMuteHarness();
    // The app's clock, moved forward by the test past the end of the mute.
    let offsetMs = 0;
    await harness.app.stop();
    harness.app = await startApp({
      config: harness.config,
      logger: createSilentLogger(),
      now: () => Date.now() + offsetMs,
      streamBackoff: { initialMs: 20, maxMs: 200 },
    });
    await connected(harness);

    const [muted] = await sayInChat(harness, '/mute 30m');
    expect(muted?.text).toMatch(/Muted until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC \(30m\)/);
    harness.freqtrade.emit({ type: 'exception', status: 'OperationalException: exchange said no' });
    await until(() => harness!.app.store.chat(KEY).held_notifications.length === 1, 5000, 'held');

    offsetMs = 31 * 60_000;
    harness.freqtrade.emit({ type: 'status', status: 'running' });
    await until(() => messagesTo(harness!, CHAT).length >= 3, 8000, 'summary and status');
    const [, summary, status] = messagesTo(harness, CHAT);
    expect(summary?.text).toContain('🔔 Mute ended: 1 notification held while muted');
    expect(summary?.text).toContain('🛑 OperationalException: exchange said no');
    expect(status?.text).toContain('running');
    expect(harness.app.store.chat(KEY).held_notifications).toEqual([]);
  }, 30_000);
});

describe('/notify in a chat configured with a bots list', () => {
  it("shows the chat's configured bots, narrows them on request and refuses a bot outside them", async () => {
    harness = await startHarness();
    const fake = harness.freqtrade;
    await harness.app.stop();
    // Three bots (all on the one fake Freqtrade); the group is configured for two of them.
    const config = parseConfig({
      bots: ['main', 'beta', 'gamma'].map((name) => ({
        name,
        api_url: fake.url,
        username: 'freqtrader',
        password: CANARY.password,
        ws_token: CANARY.wsToken,
        timeout_ms: 3000,
      })),
      telegram: {
        enabled: true,
        token: harness.telegram.token,
        api_root: harness.telegram.apiRoot,
        chats: [
          { chat_id: String(GROUP_CHAT), topic_id: null, bots: ['main', 'beta'] },
          { chat_id: String(OTHER_CHAT), topic_id: null },
        ],
        polling_timeout_s: 1,
      },
      access: { admins: [`telegram:${ADMIN}`], viewers: [] },
      store: { path: join(harness.dir, 'bots-state.json') },
    });
    harness.app = await startApp({
      config,
      logger: createSilentLogger(),
      streamBackoff: { initialMs: 20, maxMs: 200 },
    });
    await until(() => harness!.app.streams.every((s) => s.state() === 'open'), 5000, 'three streams');
    await until(
      () => fake.wsConsumers().filter((c) => c.subscribed.length > 0).length === 3,
      5000,
      'subscribed',
    );

    const [shown] = await harness.say('/notify');
    expect(shown?.text).toContain('Bots: main, beta (configured for this chat).');
    expect(shown?.text).not.toContain('Bots: all');

    const [refused] = await harness.say('/notify bots gamma');
    expect(refused?.text).toContain(
      '"gamma" is not configured for this chat. This chat\'s bots: main, beta.',
    );
    expect(harness.app.store.chat(`telegram:${GROUP_CHAT}`).bots).toBeNull();

    const [chosen] = await harness.say('/notify bots beta');
    expect(chosen?.text).toContain('This chat now hears from beta.');
    const [narrowed] = await harness.say('/notify');
    expect(narrowed?.text).toContain('Bots: beta (chosen here; configured for this chat: main, beta).');

    // One message from each bot: the group hears only beta's, the other chat all three.
    const before = messagesTo(harness, GROUP_CHAT).length;
    fake.emit({ type: 'strategy_msg', msg: 'hello from every bot' });
    await until(
      () => ['[main]', '[beta]', '[gamma]'].every((bot) => textTo(harness!, OTHER_CHAT).includes(bot)),
      8000,
      'all three bots in the other chat',
    );
    await harness.app.notifier.drain();
    const heard = messagesTo(harness, GROUP_CHAT)
      .slice(before)
      .map((m) => m.text)
      .join('\n');
    expect(heard).toContain('[beta]');
    expect(heard).not.toContain('[main]');
    expect(heard).not.toContain('[gamma]');

    const [all] = await harness.say('/notify bots all');
    expect(all?.text).toContain('This chat now hears from main, beta.');
  }, 30_000);
});
