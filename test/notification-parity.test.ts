import { afterEach, describe, expect, it } from 'vitest';
import type { SentMessage } from './fakes/fake-telegram.js';
import { basicAuth, callApi, type FakeFreqtrade, startFakeFreqtrade } from './fakes/fake-freqtrade.js';
import { CANARY, type Harness, startHarness, until } from './support/harness.js';

/*
 * Notification content as Freqtrade's own Telegram bot shows it (issue 17 §2): the exchange and the
 * dry marker, fiat values at the rate the bot itself reports, the lock side of protections and the
 * signal candle for chats that ask for it. The trade messages are the fake's own websocket
 * payloads (built like Freqtrade's RPC messages), sent when a trade is entered and exited over REST.
 */

const CANDLE_CHAT = 6001;
const PLAIN_CHAT = 6002;

let harness: Harness | undefined;
const extraFakes: FakeFreqtrade[] = [];
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await Promise.all(extraFakes.splice(0).map((fake) => fake.close()));
});

const messagesTo = (h: Harness, chat: number): SentMessage[] =>
  h.telegram.messages.filter((m) => m.chat_id === String(chat));

/** The notifications a chat got, one text each: the outbox joins queued ones in one message with a rule between. */
const notificationsTo = (h: Harness, chat: number): string[] =>
  messagesTo(h, chat).flatMap((m) => m.text.split(/\n*────────\n*/));

/** A bot entry for the app's config, pointing at a fake started with the default credentials. */
const botEntry = (name: string, fake: FakeFreqtrade) => ({
  name,
  api_url: fake.url,
  username: 'freqtrader',
  password: 'secret-pass',
  ws_token: 'ws-secret-token',
  timeout_ms: 3000,
});

/** The harness with chats that hear every trade message; `more` bots beside `main`. */
async function startParityHarness(
  more: Record<string, FakeFreqtrade> = {},
  candleChatSettings: Record<string, unknown> = { show_candle: 'ohlc' },
): Promise<Harness> {
  const started = await startHarness({
    extraBots: Object.entries(more).map(([name, fake]) => botEntry(name, fake)),
    config: { access: { admins: [`telegram:${CANDLE_CHAT}`], viewers: [] } },
    telegram: {
      chats: [
        {
          chat_id: String(CANDLE_CHAT),
          topic_id: null,
          notifications: { entry_fill: 'on', ...candleChatSettings },
        },
        { chat_id: String(PLAIN_CHAT), topic_id: null, notifications: { entry_fill: 'on' } },
      ],
    },
  });
  const fakes = [started.freqtrade, ...Object.values(more)];
  await until(
    () => started.app.streams.every((stream) => stream.state() === 'open'),
    5000,
    'websockets open',
  );
  await until(
    () => fakes.every((fake) => fake.wsConsumers().some((c) => c.subscribed.includes('exit_fill'))),
    5000,
    'subscriptions',
  );
  return started;
}

/** Enters and exits one trade on `fake` over REST; the fake sends entry, entry_fill, exit, exit_fill. */
async function tradeRoundTrip(fake: FakeFreqtrade, pair: string, auth = basicAuth()): Promise<void> {
  const entered = await callApi(fake, '/forceenter', { method: 'POST', json: { pair }, auth });
  expect(entered.status).toBe(200);
  const tradeId = (entered.body as { trade_id: number }).trade_id;
  const exited = await callApi(fake, '/forceexit', {
    method: 'POST',
    json: { tradeid: String(tradeId) },
    auth,
  });
  expect(exited.status).toBe(200);
}

/** The four messages of one bot's round trip in a chat, found by the bot's name in the title. */
async function roundTripMessages(h: Harness, chat: number, bot: string, pair: string) {
  const of = (pattern: RegExp) =>
    notificationsTo(h, chat).find(
      (text) => text.includes(`[${bot}]`) && text.includes(pair) && pattern.test(text),
    );
  await until(() => of(/Exited/) !== undefined, 8000, `${bot}'s exit fill in chat ${chat}`);
  return {
    entry: of(/Entering/) ?? '',
    entryFill: of(/Entered/) ?? '',
    exit: of(/Exiting/) ?? '',
    exitFill: of(/Exited/) ?? '',
  };
}

const MAIN_AUTH = basicAuth('freqtrader', CANARY.password);

describe('notification content matches Freqtrade', () => {
  it('shows the exchange, the dry marker and fiat values on entries, exits and fills; none for a bot without fiat', async () => {
    const live = await startFakeFreqtrade();
    const noFiat = await startFakeFreqtrade();
    extraFakes.push(live, noFiat);
    live.setDryRun(false);
    live.state.fiatRate = 1.25;
    noFiat.state.fiatDisplayCurrency = '';
    harness = await startParityHarness({ live, nofiat: noFiat });
    harness.freqtrade.state.fiatRate = 1.012;
    // Read again now that the main fake's rate is set (the first read may have raced the change).
    await Promise.all(['main', 'live', 'nofiat'].map((bot) => harness!.app.botFacts.refresh(bot)));
    expect(harness.app.botFacts.fiatRate('main')).toEqual({
      currency: 'USD',
      stakeCurrency: 'USDT',
      rate: 1.012,
    });
    expect(harness.app.botFacts.fiatRate('live')?.rate).toBeCloseTo(1.25, 10);
    expect(harness.app.botFacts.fiatRate('nofiat')).toBeUndefined();

    const pair = harness.freqtrade.state.whitelist[0] ?? 'BTC/USDT';
    await tradeRoundTrip(harness.freqtrade, pair, MAIN_AUTH);
    await tradeRoundTrip(live, pair);
    await tradeRoundTrip(noFiat, pair);

    const dry = await roundTripMessages(harness, PLAIN_CHAT, 'main', pair);
    for (const text of Object.values(dry)) expect(text).toContain('Exchange: Binance (dry)');
    // Freqtrade: "*Total:* `{stake} {quote} / {fiat} {FIAT}`" on entries, the profit in fiat on exits.
    expect(dry.entry).toMatch(/Stake: [\d.]+ USDT \/ [\d.]+ USD/);
    expect(dry.entryFill).toMatch(/Stake: [\d.]+ USDT \/ [\d.]+ USD/);
    expect(dry.exit).toMatch(/Unrealized profit: [-+][\d.]+% \([-+]?[\d.]+ USDT \/ [-+]?[\d.]+ USD\)/);
    expect(dry.exitFill).toMatch(/Profit: [-+][\d.]+% \([-+]?[\d.]+ USDT \/ [-+]?[\d.]+ USD\)/);
    const stake = Number(/Stake: ([\d.]+) USDT/.exec(dry.entry)?.[1]);
    const stakeFiat = Number(/Stake: [\d.]+ USDT \/ ([\d.]+) USD/.exec(dry.entry)?.[1]);
    expect(stakeFiat).toBeCloseTo(stake * 1.012, 1);

    const liveMessages = await roundTripMessages(harness, PLAIN_CHAT, 'live', pair);
    for (const text of Object.values(liveMessages)) {
      expect(text).toContain('Exchange: Binance');
      expect(text).not.toContain('(dry)');
    }
    expect(liveMessages.entry).toMatch(/Stake: [\d.]+ USDT \/ [\d.]+ USD/);
    expect(liveMessages.exitFill).toMatch(/Profit: [-+][\d.]+% \([-+]?[\d.]+ USDT \/ [-+]?[\d.]+ USD\)/);

    const withoutFiat = await roundTripMessages(harness, PLAIN_CHAT, 'nofiat', pair);
    for (const text of Object.values(withoutFiat)) {
      expect(text).toContain('Exchange: Binance (dry)');
      expect(text).not.toMatch(/ USD\b/);
    }
    expect(withoutFiat.entry).toMatch(/Stake: [\d.]+ USDT/);
  });

  it("names the lock's side in protection messages", async () => {
    harness = await startParityHarness();
    const lock = {
      id: 1,
      base_currency: 'XRP',
      lock_time: '2026-11-22 10:00:00',
      lock_timestamp: 1763805600000,
      lock_end_time: '2026-11-22 12:00:00',
      lock_end_timestamp: 1763812800000,
      reason: 'StoplossGuard',
      active: true,
    };
    harness.freqtrade.emit({ type: 'protection_trigger', ...lock, pair: 'XRP/USDT', side: 'long' });
    harness.freqtrade.emit({ type: 'protection_trigger', ...lock, pair: 'ADA/USDT', side: 'short' });
    harness.freqtrade.emit({
      type: 'protection_trigger_global',
      ...lock,
      pair: '*',
      base_currency: '',
      side: '*',
    });
    await until(() => notificationsTo(harness!, PLAIN_CHAT).length >= 3, 5000, 'three protection messages');
    const texts = notificationsTo(harness, PLAIN_CHAT);
    expect(texts.find((t) => t.includes('XRP/USDT locked'))).toContain('Side: long');
    expect(texts.find((t) => t.includes('ADA/USDT locked'))).toContain('Side: short');
    expect(texts.find((t) => t.includes('All pairs locked'))).toContain('Side: both sides');
  });

  it('ends trade messages with the signal candle only in chats that turned show_candle on', async () => {
    harness = await startParityHarness();
    const pair = harness.freqtrade.state.whitelist[0] ?? 'BTC/USDT';
    await tradeRoundTrip(harness.freqtrade, pair, MAIN_AUTH);
    const candleOf = (text: string) => /Candle OHLC: ([\d.]+), ([\d.]+), ([\d.]+), ([\d.]+)/.exec(text);
    const exitedIn = (chat: number) => notificationsTo(harness!, chat).some((text) => /Exited/.test(text));
    await until(() => exitedIn(CANDLE_CHAT) && exitedIn(PLAIN_CHAT), 8000, 'the exit fills');
    const withCandle = notificationsTo(harness, CANDLE_CHAT);
    expect(withCandle.map((text) => /^\S+ (\w+)/u.exec(text)?.[1])).toEqual([
      'Entering',
      'Entered',
      'Exiting',
      'Exited',
    ]);
    for (const text of withCandle) {
      const match = candleOf(text);
      expect(match, text).not.toBeNull();
      const [open, high, low, close] = (match ?? []).slice(1).map(Number) as [number, number, number, number];
      expect(high).toBeGreaterThanOrEqual(Math.max(open, close, low));
      expect(low).toBeLessThanOrEqual(Math.min(open, close, high));
    }
    // The candle is the last of the bot's analyzed dataframe, asked for with limit=1.
    const candleRequests = harness.freqtrade.requests.filter((r) => r.path === '/pair_candles');
    expect(candleRequests.length).toBeGreaterThan(0);
    expect(candleRequests[0]?.query).toMatchObject({ pair, timeframe: '5m', limit: '1' });
    // The chat with the default (off, as Freqtrade) hears the same messages without the line.
    const plain = notificationsTo(harness, PLAIN_CHAT);
    expect(plain).toHaveLength(4);
    for (const text of plain) expect(candleOf(text)).toBeNull();

    // /notify turns it off for the chat, and says so in the list.
    const [off] = await harness.say('/notify show_candle off', {
      chatId: CANDLE_CHAT,
      userId: CANDLE_CHAT,
      chatType: 'private',
    });
    expect(off?.text).toContain('no longer show the signal candle');
    const [list] = await harness.say('/notify', {
      chatId: CANDLE_CHAT,
      userId: CANDLE_CHAT,
      chatType: 'private',
    });
    expect(list?.text).toMatch(/show_candle\s+off\s+chat/);
    const trades = () => notificationsTo(harness!, CANDLE_CHAT).filter((text) => text.includes('(#'));
    const before = trades().length;
    await tradeRoundTrip(harness.freqtrade, pair, MAIN_AUTH);
    await until(() => trades().length >= before + 4, 8000, 'the second round trip');
    for (const text of trades().slice(before)) expect(candleOf(text)).toBeNull();
  });

  it('sends the message without the candle when /pair_candles fails', async () => {
    harness = await startParityHarness();
    // Both the entry's and the fill's candle reads fail (and any retry of them).
    for (let i = 0; i < 6; i += 1)
      harness.freqtrade.failNext('GET', '/pair_candles', 500, { detail: 'boom' });
    const pair = harness.freqtrade.state.whitelist[0] ?? 'BTC/USDT';
    await callApi(harness.freqtrade, '/forceenter', { method: 'POST', json: { pair }, auth: MAIN_AUTH });
    await until(() => notificationsTo(harness!, CANDLE_CHAT).length >= 2, 8000, 'entry and fill');
    for (const text of notificationsTo(harness, CANDLE_CHAT)) expect(text).not.toContain('Candle OHLC');
  });
});
