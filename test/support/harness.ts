import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseConfig } from './config.js';
import { type Config, NOTIFICATION_TYPES } from '../../src/config/schema.js';
import { createLogger } from '../../src/logger.js';
import { type App, CONFIG_SECRET_KEYS, startApp } from '../../src/main.js';
import type { TelegramAdapter } from '../../src/telegram/adapter.js';
import { isTelegramPlatform } from '../../src/telegram/platform.js';

/** The app's running Telegram adapter, if Telegram is enabled. */
export function telegramOf(app: App): TelegramAdapter | undefined {
  return app.platforms.find(isTelegramPlatform);
}
import { type FakeFreqtrade, startFakeFreqtrade } from '../fakes/fake-freqtrade.js';
import { type FakeTelegram, type SentMessage, startFakeTelegram } from '../fakes/fake-telegram.js';

/** The group chat every harness configures, and its users. */
export const GROUP_CHAT = -100123;
export const ADMIN = 1001;
export const VIEWER = 2002;
export const STRANGER = 3003;

/** Every notification type off: for chats where tests only look at command replies. */
export const QUIET = Object.fromEntries(NOTIFICATION_TYPES.map((type) => [type, 'off']));

export const CANARY = {
  password: 'CANARY-pass-7f3a9',
  wsToken: 'CANARY-ws-51be2',
};

export interface HarnessOptions {
  /** Extra top-level config keys or overrides (merged shallowly). */
  config?: Record<string, unknown>;
  /** Telegram section overrides (merged into the default one). */
  telegram?: Record<string, unknown>;
  rateLimits?: boolean;
  seed?: 'empty' | 'demo';
  /** Start without the app (tests that start it themselves). */
  noApp?: boolean;
  /** More bots after `main` (raw config entries). */
  extraBots?: Array<Record<string, unknown>>;
  /** Folders of command modules the app registers beside the built-in ones. */
  commandDirs?: URL[];
}

export interface Harness {
  freqtrade: FakeFreqtrade;
  telegram: FakeTelegram;
  app: App;
  config: Config;
  dir: string;
  logs: string[];
  /** Sends a text from a user and waits for `replies` new bot messages (0 = just wait for processing). */
  say(
    text: string,
    opts?: {
      userId?: number;
      chatId?: number;
      threadId?: number;
      replies?: number;
      chatType?: 'private' | 'supergroup';
    },
  ): Promise<SentMessage[]>;
  /** Presses a button on a bot message and waits until the press is answered. */
  press(
    message: SentMessage,
    label: string,
    opts?: { userId?: number },
  ): Promise<{ notice: string | undefined; alert: boolean }>;
  /** The REST calls that changed Freqtrade state. */
  stateChangingCalls(): Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

/** Finds a button's callback data on a sent message by its label. */
export function buttonData(message: SentMessage, label: string): string {
  const markup = message.reply_markup as
    | { inline_keyboard?: Array<Array<{ text: string; callback_data: string }>> }
    | undefined;
  for (const row of markup?.inline_keyboard ?? []) {
    for (const button of row) if (button.text.includes(label)) return button.callback_data;
  }
  throw new Error(`no button "${label}" on message ${message.message_id}: ${JSON.stringify(markup)}`);
}

/** A loopback port nothing listens on (connections are refused); fetch forbids ports like 1 outright. */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Waits for a promise (resolving at once when there is none); rejects after `timeoutMs`. */
export async function withTimeout(promise: Promise<void> | undefined, timeoutMs: number, what: string) {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Resolves when `condition` holds, polling every 10 ms; rejects after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Starts a fake Freqtrade, a fake Telegram and the real app wired to both, each on its own port and temp dir. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const freqtrade = await startFakeFreqtrade({
    seed: options.seed ?? 'empty',
    password: CANARY.password,
    wsToken: CANARY.wsToken,
  });
  const telegram = await startFakeTelegram({ rateLimits: options.rateLimits ?? false });
  const dir = await mkdtemp(join(tmpdir(), 'ftc-e2e-'));
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  const config = parseConfig({
    bots: [
      {
        name: 'main',
        api_url: freqtrade.url,
        username: 'freqtrader',
        password: CANARY.password,
        ws_token: CANARY.wsToken,
        timeout_ms: 3000,
      },
      ...(options.extraBots ?? []),
    ],
    telegram: {
      enabled: true,
      token: telegram.token,
      api_root: telegram.apiRoot,
      // Command tests read replies in order: notifications there would interleave, so they are off.
      chats: [{ chat_id: String(GROUP_CHAT), topic_id: null, notifications: QUIET }],
      polling_timeout_s: 1,
      ...options.telegram,
    },
    access: { admins: [`telegram:${ADMIN}`], viewers: [`telegram:${VIEWER}`] },
    store: { path: join(dir, 'state.json') },
    log_level: 'debug',
    ...options.config,
  });
  const { collectSecrets } = await import('../../src/config/load.js');
  const logger = createLogger({
    level: 'debug',
    destination,
    secrets: collectSecrets(config, CONFIG_SECRET_KEYS),
  });
  const app = await startApp({
    config,
    logger,
    streamBackoff: { initialMs: 20, maxMs: 200 },
    ...(options.commandDirs ? { commandDirs: options.commandDirs } : {}),
  });

  const seenAnswers = () => telegram.callbackAnswers().length;
  const harness: Harness = {
    freqtrade,
    telegram,
    app,
    config,
    dir,
    logs,
    async say(text, opts = {}) {
      const before = telegram.messages.length;
      const updateId = telegram.sendText({
        chatId: opts.chatId ?? GROUP_CHAT,
        userId: opts.userId ?? ADMIN,
        text,
        chatType: opts.chatType ?? ((opts.chatId ?? GROUP_CHAT) < 0 ? 'supergroup' : 'private'),
        ...(opts.threadId !== undefined ? { threadId: opts.threadId } : {}),
      });
      const replies = opts.replies ?? 1;
      if (replies > 0) {
        await telegram.waitForMessages(before + replies, 8_000);
        return telegram.messages.slice(before);
      }
      // No reply expected: wait until the bot has handled the update.
      await withTimeout(telegramOf(harness.app)?.whenHandled(updateId), 8_000, 'the update to be handled');
      return telegram.messages.slice(before);
    },
    async press(message, label, opts = {}) {
      const data = buttonData(message, label);
      const before = seenAnswers();
      const updateBefore = telegram.lastUpdateId;
      telegram.pressButton({
        chatId: message.chat_id,
        userId: opts.userId ?? ADMIN,
        messageId: message.message_id,
        data,
        // A button on a message in a forum topic is pressed in that topic.
        ...(message.message_thread_id !== undefined ? { threadId: message.message_thread_id } : {}),
      });
      const updateId = telegram.lastUpdateId;
      if (updateId === updateBefore) throw new Error('the press was not queued');
      await until(() => seenAnswers() > before, 8_000, 'the callback answer');
      const answer = telegram.callbackAnswers()[before];
      // The press is answered before the action runs: wait until its result has landed too.
      await withTimeout(telegramOf(harness.app)?.whenHandled(updateId), 8_000, 'the press to be handled');
      return { notice: answer?.text, alert: answer?.show_alert === true };
    },
    stateChangingCalls() {
      return freqtrade.requests
        .filter((request) => request.method !== 'GET' && !request.path.startsWith('/token/'))
        .map((request) => ({ method: request.method, path: request.path }));
    },
    async close() {
      // A test may have replaced the app (restarts): stop the one running now, and the first.
      await harness.app.stop();
      if (harness.app !== app) await app.stop();
      // The bounded stop gives up on a write that takes longer than its deadline (a loaded machine
      // after thousands of audited messages); wait for the last one before removing the folder.
      await harness.app.store.close();
      await app.store.close();
      await telegram.close();
      await freqtrade.close();
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
  return harness;
}
