/**
 * Scenario (b): fan-out under Telegram's limits. 1,000 notifications, 10 for each of 100 private
 * chats, emitted as one burst of websocket frames, against the fake Telegram that enforces the
 * flood limits with 429s (1 msg/s per chat with a burst of 3, 30/s overall).
 */
import { startApp } from '../src/main.js';
import { TELEGRAM_LIMITS } from '../src/telegram/config.js';
import type { Notifier } from '../src/notify/notifier.js';
import { type FakeFreqtrade, startFakeFreqtrade } from '../test/fakes/fake-freqtrade.js';
import { type FakeTelegram, startFakeTelegram } from '../test/fakes/fake-telegram.js';
import { startPipeline } from './compose.js';
import { benchConfig, createSinkLogger, exitFrame, privateChatIds, seqsIn, sleep, until } from './support.js';

export interface FanoutResult {
  mode: 'shipped' | 'no-merge';
  notifications: number;
  chats: number;
  /** Notifications that reached Telegram (distinct sequence numbers). */
  delivered: number;
  lost: number;
  duplicates: number;
  /** Accepted sendMessage calls that carried them. */
  apiMessages: number;
  /** First emit → last accepted message, ms. */
  totalMs: number;
  /** apiMessages / total seconds. */
  messagesPerS: number;
  /** messagesPerS / 30. */
  fractionOfAllowed: number;
  count429: number;
  /** 429s the outbox itself was told about (its "rate limited" warning); the rest were retried inside grammY. */
  outbox429: number;
  /** sendMessage calls, accepted or refused. */
  attempts: number;
  timedOut: boolean;
}

const FAKE_BOT_USER = { id: 999000, username: 'chatops_test_bot', first_name: 'ChatOps' };

export async function fanout(options: {
  mode: 'shipped' | 'no-merge';
  storePath: string;
  chats: number;
  perChat: number;
  timeoutMs: number;
}): Promise<FanoutResult> {
  const freqtrade: FakeFreqtrade = await startFakeFreqtrade();
  const telegram: FakeTelegram = await startFakeTelegram({ rateLimits: true });
  const sink = createSinkLogger();
  const config = benchConfig({
    bots: [{ name: 'main', url: freqtrade.url }],
    telegram: { token: telegram.token, apiRoot: telegram.apiRoot },
    chatIds: privateChatIds(options.chats),
    storePath: options.storePath,
  });
  let notifier: Notifier;
  let streams: Array<{ state(): string }>;
  let stop: () => Promise<void>;
  if (options.mode === 'shipped') {
    const app = await startApp({ config, logger: sink.logger, storePath: null });
    ({ notifier, streams } = app);
    stop = () => app.stop();
  } else {
    // startApp has no option for the merge threshold: same modules, createOutbox({mergeThreshold: ∞}).
    const pipeline = await startPipeline({
      config,
      logger: sink.logger,
      globalPerSecond: TELEGRAM_LIMITS.globalPerSecond,
      privateChatIntervalMs: TELEGRAM_LIMITS.privateChatIntervalMs,
      mergeThreshold: Number.POSITIVE_INFINITY,
      botInfo: FAKE_BOT_USER,
    });
    ({ notifier, streams } = pipeline);
    stop = () => pipeline.stop();
  }

  const total = options.chats * options.perChat;
  const seen = new Uint8Array(total + 1);
  let delivered = 0;
  let duplicates = 0;
  let scanned = 0;
  const scan = (): void => {
    const messages = telegram.messages;
    for (; scanned < messages.length; scanned += 1) {
      const message = messages[scanned];
      if (message?.method !== 'sendMessage') continue;
      for (const seq of seqsIn(message.text)) {
        if (seq < 1 || seq > total) continue;
        if (seen[seq]) duplicates += 1;
        else {
          seen[seq] = 1;
          delivered += 1;
        }
      }
    }
  };

  try {
    await until(() => streams.every((stream) => stream.state() === 'open'), 10_000, 'websocket open');
    await until(
      () => freqtrade.wsConsumers().some((consumer) => consumer.subscribed.includes('exit')),
      10_000,
      'subscription',
    );
    await sleep(300);
    const messagesBefore = telegram.messages.length;
    const callsBefore = telegram.calls.length;
    const count429Before = telegram.count429;

    const startMs = Date.now();
    for (let seq = 1; seq <= total; seq += 1) freqtrade.emit(exitFrame(seq, (seq - 1) % options.chats));
    let timedOut = false;
    await until(
      () => {
        scan();
        return delivered >= total;
      },
      options.timeoutMs,
      'every notification to be delivered',
      20,
    ).catch(() => {
      timedOut = true;
    });
    if (!timedOut) await notifier.drain();
    scan();

    const accepted = telegram.messages.slice(messagesBefore).filter((m) => m.method === 'sendMessage');
    const attempts = telegram.calls.slice(callsBefore).filter((call) => call.method === 'sendMessage').length;
    const lastAt = accepted.reduce((latest, message) => Math.max(latest, message.at), startMs);
    const totalMs = lastAt - startMs;
    const messagesPerS = totalMs > 0 ? accepted.length / (totalMs / 1000) : Number.NaN;
    return {
      mode: options.mode,
      notifications: total,
      chats: options.chats,
      delivered,
      lost: total - delivered,
      duplicates,
      apiMessages: accepted.length,
      totalMs,
      messagesPerS,
      fractionOfAllowed: messagesPerS / TELEGRAM_LIMITS.globalPerSecond,
      count429: telegram.count429 - count429Before,
      outbox429: sink.byMessage.get('rate limited; waiting before the next message') ?? 0,
      attempts,
      timedOut,
    };
  } finally {
    await stop();
    await telegram.close();
    await freqtrade.close();
  }
}
