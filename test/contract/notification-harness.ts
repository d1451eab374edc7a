/**
 * What the notification contract needs from a platform under test: two notification targets,
 * `loud` (default settings) and `quiet` (its own settings), read back from the platform's fake as
 * plain text with a silent flag. Each platform has one small harness file that says how.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { collectSecrets } from '../../src/config/load.js';
import type { NotificationSettings } from '../../src/config/schema.js';
import { createLogger } from '../../src/logger.js';
import { type App, CONFIG_SECRET_KEYS, startApp } from '../../src/main.js';
import { type FakeFreqtrade, startFakeFreqtrade } from '../fakes/fake-freqtrade.js';
import { parseConfig } from '../support/config.js';
import { until } from '../support/harness.js';

export type TargetName = 'loud' | 'quiet';

/** One delivered message, as the contract compares them across platforms. */
export interface DeliveredMessage {
  /** Everything readable in it (text, embed fields, blocks), as one string. */
  text: string;
  /** Delivered without sound; undefined when the platform's message has no such notion. */
  silent: boolean | undefined;
}

/** A platform's fake and how to read it, started by its harness. */
export interface PlatformUnderTest {
  /** Config keys that turn the platform on with the two targets (merged into the app's config). */
  config(quiet: NotificationSettings): Record<string, unknown>;
  /** Access entries the platform needs, if any (commands platforms name an admin). */
  access?: { admins: string[] };
  /** The store key of a target (the router's chat key). */
  keyOf(target: TargetName): string;
  delivered(target: TargetName): DeliveredMessage[];
  /** The platform answers the next `times` deliveries to `target` with its "slow down" (429). */
  rateLimitNext(target: TargetName, times: number, retryAfterS: number): void;
  /**
   * The platform answers deliveries to `target` as gone for good (bot removed, webhook deleted).
   * Undefined when the fake cannot refuse one chat alone (that case is then tested per platform).
   */
  remove?(target: TargetName): void;
  /** Deliveries attempted to `target`, refused ones included. */
  attempts(target: TargetName): number;
  /** Secrets of the platform that must never be posted or logged (token, webhook URL). */
  secrets: string[];
  /** Every request body the platform received, as text. */
  everythingReceived(): string;
  close(): Promise<void>;
}

export interface NotificationHarnessDefinition {
  /** Shown in the suite's name, e.g. `telegram` or `webhook (discord + json)`. */
  name: string;
  /** False when the platform's fake cannot refuse one target alone (its `remove` is undefined). */
  canRemoveOneTarget?: boolean;
  startPlatform(): Promise<PlatformUnderTest>;
}

/** A running app wired to a fake Freqtrade and the platform's fake. */
export interface NotificationHarness {
  platform: PlatformUnderTest;
  freqtrade: FakeFreqtrade;
  app: App;
  logs: string[];
  /** Secrets of the bot config that must never be posted or logged. */
  botSecrets: string[];
  /** Resolves once every bot's websocket is open and subscribed. */
  connected(): Promise<void>;
  /** The text of everything delivered to `target`, joined. */
  textOf(target: TargetName): string;
  close(): Promise<void>;
}

const BOT_PASSWORD = 'contract-secret-pass';
const WS_TOKEN = 'contract-ws-secret-token';

/** The quiet target's own settings: entries silent, ROI exit fills and whitelist changes off. */
export const QUIET_SETTINGS: NotificationSettings = {
  entry: 'silent',
  exit_fill: { roi: 'off', '*': 'on' },
  whitelist: 'off',
};

/** Starts a fake Freqtrade, the platform's fake and the real app (startApp) with both targets. */
export async function startNotificationHarness(
  definition: NotificationHarnessDefinition,
): Promise<NotificationHarness> {
  const freqtrade = await startFakeFreqtrade({ password: BOT_PASSWORD, wsToken: WS_TOKEN });
  const platform = await definition.startPlatform();
  const dir = await mkdtemp(join(tmpdir(), 'ftc-contract-'));
  const logs: string[] = [];
  const config = parseConfig({
    bots: [
      {
        name: 'main',
        api_url: freqtrade.url,
        username: 'freqtrader',
        password: BOT_PASSWORD,
        ws_token: WS_TOKEN,
        timeout_ms: 3000,
      },
    ],
    ...platform.config(QUIET_SETTINGS),
    ...(platform.access ? { access: platform.access } : {}),
    store: { path: join(dir, 'state.json') },
    log_level: 'debug',
  });
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _encoding, callback) {
        logs.push(String(chunk));
        callback();
      },
    }),
    secrets: collectSecrets(config, CONFIG_SECRET_KEYS),
  });
  const app = await startApp({ config, logger, streamBackoff: { initialMs: 20, maxMs: 200 } });
  return {
    platform,
    freqtrade,
    app,
    logs,
    botSecrets: [BOT_PASSWORD, WS_TOKEN],
    async connected() {
      await until(() => app.streams.every((stream) => stream.state() === 'open'), 5000, 'websocket open');
      await until(
        () => freqtrade.wsConsumers().some((consumer) => consumer.subscribed.includes('entry')),
        5000,
        'subscription',
      );
    },
    textOf: (target) =>
      platform
        .delivered(target)
        .map((message) => message.text)
        .join('\n'),
    async close() {
      await app.stop();
      await platform.close();
      await freqtrade.close();
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}
