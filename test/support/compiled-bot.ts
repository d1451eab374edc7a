/*
 * The compiled program (`node dist/cli.js`) as tests run it beside the fakes: a config with one
 * Freqtrade bot and one Telegram chat, and the process with its combined output. For the tests of
 * what only real processes show (kill -9, two instances, a Redis that goes away).
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { FAKE_CREDENTIALS, type FakeFreqtrade } from '../fakes/fake-freqtrade.js';
import type { FakeTelegram } from '../fakes/fake-telegram.js';
import { DIST_CLI } from './compiled.js';

/** The admin of every compiled-bot config. */
export const COMPILED_BOT_ADMIN = 7;

/** A config for bot `main` on `freqtrade`, talking in `chatId` on `telegram`, plus `extra` keys. */
export function compiledBotConfig(
  freqtrade: FakeFreqtrade,
  telegram: FakeTelegram,
  chatId: number,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return {
    bots: [
      {
        name: 'main',
        api_url: freqtrade.url,
        username: FAKE_CREDENTIALS.username,
        password: FAKE_CREDENTIALS.password,
        ws_token: FAKE_CREDENTIALS.wsToken,
      },
    ],
    telegram: {
      enabled: true,
      token: telegram.token,
      api_root: telegram.apiRoot,
      chats: [{ chat_id: String(chatId), topic_id: null }],
      polling_timeout_s: 1,
    },
    access: { admins: [`telegram:${COMPILED_BOT_ADMIN}`], viewers: [] },
    ...extra,
  };
}

export interface CompiledBot {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** Everything it wrote to stdout and stderr so far. */
  log(): string;
  /** Resolves when it has exited (at once if it already has). */
  exited(): Promise<void>;
  /** kill -9, unless it is gone already. */
  kill(): void;
}

/** Writes `config` to `configPath` and starts the compiled program on it. */
export async function startCompiledBot(
  configPath: string,
  config: Record<string, unknown>,
  options: { cwd: string; env?: NodeJS.ProcessEnv; detached?: boolean },
): Promise<CompiledBot> {
  await writeFile(configPath, JSON.stringify(config));
  const child = spawn(process.execPath, [DIST_CLI, '--config', configPath], {
    cwd: options.cwd,
    detached: options.detached ?? false,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production', ...options.env },
  });
  let log = '';
  child.stdout.on('data', (chunk) => {
    log += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    log += String(chunk);
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    log: () => log,
    exited: () =>
      gone() ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve())),
    kill() {
      if (!gone()) child.kill('SIGKILL');
    },
  };
}
