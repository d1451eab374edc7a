import type { Reply } from '../chat/reply.js';
import { type ConsoleAdapter, createConsoleAdapter } from '../console/adapter.js';
import { collectSecrets } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { describeError } from '../errors.js';
import { createLogger } from '../logger.js';
import { type App, parseAppConfig, startApp } from '../main.js';
import { type FakeFreqtrade, startFakeFreqtrade } from '../simulator/freqtrade-server.js';
import { type Market, seededRandom, startMarket } from '../simulator/market.js';

export interface DemoOptions {
  /** Also serve the simulated Freqtrade through a real Telegram bot (`--telegram`). */
  telegram: boolean;
  env: NodeJS.ProcessEnv;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** Where the console reads commands; process.stdin by default. */
  input?: NodeJS.ReadableStream;
  /**
   * Resolves when the demo should stop (the CLI's first SIGINT / SIGTERM, listened to from the
   * process's start). It may come at any moment: while the simulator or the app start, while
   * the banner prints, or while the console reads. Without it, the demo listens for SIGINT and
   * SIGTERM itself from its first line.
   */
  stopRequested?: Promise<unknown>;
}

/** The simulated Freqtrade's API credentials (the fake's defaults). */
const SIMULATOR = { username: 'freqtrader', password: 'secret-pass', wsToken: 'ws-secret-token' } as const;
/** The console chat and its user: the chat key `console:demo` receives notifications. */
const CONSOLE_ID = 'demo';
const CONSOLE_KEY = `console:${CONSOLE_ID}`;
/** At the end of piped input, notifications still on their way (the forced exit's) get this long to arrive. */
const SETTLE_QUIET_MS = 300;
const SETTLE_MAX_MS = 2000;

/** The Telegram settings `--telegram` needs, or the message saying what is missing. */
export function demoTelegramSettings(
  env: NodeJS.ProcessEnv,
):
  | { ok: true; token: string; adminId: string; apiRoot: string | undefined }
  | { ok: false; message: string } {
  const token = env.FTCHATOPS__TELEGRAM__TOKEN?.trim();
  const adminId = env.FTCHATOPS_DEMO_ADMIN?.trim();
  const missing: string[] = [];
  if (!token) missing.push('  FTCHATOPS__TELEGRAM__TOKEN=<token from @BotFather>');
  if (!adminId)
    missing.push(
      '  FTCHATOPS_DEMO_ADMIN=<your numeric Telegram user id> (send /whoami to the bot to learn it)',
    );
  if (!token || !adminId) {
    return {
      ok: false,
      message: `demo --telegram needs these environment variables:\n${missing.join('\n')}`,
    };
  }
  if (!/^\d+$/.test(adminId)) {
    return {
      ok: false,
      message: `FTCHATOPS_DEMO_ADMIN must be a numeric Telegram user id, got "${adminId}".`,
    };
  }
  const apiRoot = env.FTCHATOPS__TELEGRAM__API_ROOT?.trim() || undefined;
  return { ok: true, token, adminId, apiRoot };
}

/**
 * The demo's config, built in code: one bot named `demo` on the simulator, the console user as
 * admin, Telegram only with `--telegram`. Throws ConfigError for a malformed Telegram token.
 */
export function buildDemoConfig(opts: {
  simulatorUrl: string;
  telegram?: { token: string; adminId: string; apiRoot: string | undefined } | undefined;
}): Config {
  const { telegram } = opts;
  const config = parseAppConfig(
    {
      bots: [
        {
          name: 'demo',
          api_url: opts.simulatorUrl,
          username: SIMULATOR.username,
          password: SIMULATOR.password,
          ws_token: SIMULATOR.wsToken,
        },
      ],
      telegram: telegram
        ? {
            enabled: true,
            token: telegram.token,
            chats: [],
            ...(telegram.apiRoot ? { api_root: telegram.apiRoot } : {}),
          }
        : { enabled: false },
      access: { admins: [CONSOLE_KEY, ...(telegram ? [`telegram:${telegram.adminId}`] : [])] },
      // Never written: the demo runs with an in-memory store.
      store: { path: './data/demo-state.json' },
      log_level: 'warn',
    },
    'demo config',
  );
  return config;
}

/** The text printed before the first prompt. */
export function demoBanner(opts: { exampleTradeId: number | undefined; telegram: boolean }): string {
  const exitExample = `/forceexit ${opts.exampleTradeId ?? 1}`;
  const lines = [
    'freqtrade-chatops DEMO: you are talking to a SIMULATED Freqtrade (dry run, made-up prices).',
    'Prices move, trades open and close by themselves; notifications appear as they happen.',
    '',
    `Try: /status   /profit   ${exitExample}   /lock BTC/USDT 1h test   /help`,
    'Answer confirmations with yes or no, and choices with their number.',
  ];
  if (opts.telegram) lines.push('Telegram is on too: open a private chat with your bot and send /status.');
  lines.push(
    '',
    'To run it for real:  cp config.example.json config.json   (edit bots, telegram, access)',
    '                     npm start -- --config config.json',
    'Quit with Ctrl-C or Ctrl-D.',
    '',
  );
  return `${lines.join('\n')}\n`;
}

function isTerminal(stream: NodeJS.ReadableStream | NodeJS.WritableStream): boolean {
  return 'isTTY' in stream && stream.isTTY === true;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The first SIGINT or SIGTERM, for a demo run without the CLI's signal handling; remove() stops listening. */
function listenForStopSignals(): { first: Promise<void>; remove(): void } {
  let onSignal: () => void = () => {};
  const first = new Promise<void>((resolve) => {
    onSignal = () => resolve();
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    first,
    remove() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * Runs the demo: a simulated Freqtrade with a moving market, the chat-ops app against it, and a
 * terminal chat on `input` / `out` until input ends or SIGINT / SIGTERM. Logs (warnings and
 * worse) go to `err`; nothing is written to disk. Returns the exit status: 0; 2 when
 * `--telegram` lacks its settings; 1 when the app cannot start (e.g. Telegram refused the token).
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const { out, err, env } = options;
  const input = options.input ?? process.stdin;
  let telegram: { token: string; adminId: string; apiRoot: string | undefined } | undefined;
  if (options.telegram) {
    const settings = demoTelegramSettings(env);
    if (!settings.ok) {
      err.write(`${settings.message}\n`);
      return 2;
    }
    telegram = settings;
  }

  let fake: FakeFreqtrade | undefined;
  let market: Market | undefined;
  let app: App | undefined;
  let adapter: ConsoleAdapter | undefined;
  let stopping = false;
  const signals = options.stopRequested
    ? { first: options.stopRequested, remove: () => {} }
    : listenForStopSignals();
  const stopRequested = signals.first;
  // From here on a stop request is never lost: whatever runs then sees `stopping`, and a console
  // already reading stops reading.
  void stopRequested.then(() => {
    stopping = true;
    adapter?.stop();
  });
  try {
    fake = await startFakeFreqtrade({
      seed: 'demo',
      port: 0,
      username: SIMULATOR.username,
      password: SIMULATOR.password,
      wsToken: SIMULATOR.wsToken,
      botName: 'demo',
    });
    let config: Config;
    try {
      config = buildDemoConfig({ simulatorUrl: fake.url, telegram });
    } catch (error) {
      err.write(`${describeError(error)}\n`);
      return 2;
    }
    const logger = createLogger({
      level: 'warn',
      destination: err,
      secrets: collectSecrets(config),
      pretty: true,
    });
    const interactive = isTerminal(input);
    const color = isTerminal(out) && !env.NO_COLOR;
    let lastNotificationAt = 0;
    /** Notifications that came before the console was ready: shown right after the banner. */
    const early: Reply[] = [];
    try {
      app = await startApp({
        config,
        logger,
        storePath: null,
        extraTargets: [
          {
            key: CONSOLE_KEY,
            send: async (reply) => {
              lastNotificationAt = Date.now();
              if (adapter) await adapter.notify(reply);
              else early.push(reply);
            },
          },
        ],
        stopRequested,
      });
    } catch (error) {
      err.write(`The demo could not start: ${describeError(error)}\n`);
      return 1;
    }
    const terminal = createConsoleAdapter({
      router: app.router,
      input,
      output: out,
      interactive,
      color,
      userId: CONSOLE_ID,
      chatId: CONSOLE_ID,
    });
    adapter = terminal;
    // Asked to stop while starting: startApp came back stopped; end without reading input.
    if (stopping) return 0;
    market = startMarket(fake, { random: seededRandom('demo') });
    const exampleTradeId = fake.state.trades.find((trade) => trade.isOpen)?.id;
    out.write(demoBanner({ exampleTradeId, telegram: telegram !== undefined }));
    for (const reply of early.splice(0)) await terminal.notify(reply);
    if (stopping) return 0;
    await terminal.start();
    if (!interactive && !stopping) {
      // Piped input ended: let notifications already on their way reach the transcript.
      const endedAt = Date.now();
      while (
        Date.now() - endedAt < SETTLE_MAX_MS &&
        Date.now() - Math.max(lastNotificationAt, endedAt) < SETTLE_QUIET_MS
      ) {
        await sleep(50);
      }
    }
    return 0;
  } finally {
    signals.remove();
    adapter?.stop();
    market?.stop();
    await app?.stop();
    await fake?.close();
  }
}
