/**
 * Stopping the compiled program (`node dist/cli.js`, what the bin, systemd and the container run)
 * the way service managers do: SIGTERM twice, SIGTERM to every process of its group at once, and
 * SIGTERM while the chat platform stops answering. Each must end with status 0 within 5 s and
 * the state file flushed.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS, type FakeFreqtrade, startFakeFreqtrade } from './fakes/fake-freqtrade.js';
import { type FakeTelegram, startFakeTelegram } from './fakes/fake-telegram.js';
import { DIST_CLI, ensureDistBuilt, processGroupMembers } from './support/compiled.js';
import { until } from './support/harness.js';

/** What the issue promises a service manager: exit within this long after the first SIGTERM. */
const EXIT_LIMIT_MS = 5_000;

interface RunningBot {
  child: ChildProcessByStdio<null, Readable, Readable>;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

let dir: string;
let telegram: FakeTelegram;
let freqtrade: FakeFreqtrade;
let storePath: string;
let bot: RunningBot | undefined;

beforeAll(ensureDistBuilt, 60_000);
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftc-signals-'));
  storePath = join(dir, 'state.json');
  [telegram, freqtrade] = await Promise.all([startFakeTelegram(), startFakeFreqtrade({ port: 0 })]);
});
afterEach(async () => {
  if (bot && bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
  bot = undefined;
  await Promise.all([telegram.close(), freqtrade.close()]);
  await rm(dir, { recursive: true, force: true });
});

/** Writes the config and spawns the compiled bot in its own process group. */
async function spawnBot(env: NodeJS.ProcessEnv = {}): Promise<RunningBot> {
  const path = join(dir, 'config.json');
  await writeFile(
    path,
    JSON.stringify({
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
        chats: [{ chat_id: '-42', topic_id: null }],
        polling_timeout_s: 1,
      },
      access: { admins: ['telegram:7'], viewers: [] },
      store: { path: storePath },
    }),
  );
  // detached: its own process group, as a service manager starts it.
  const child = spawn(process.execPath, [DIST_CLI, '--config', path], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production', ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  child.stdout.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return { child, stderr: () => stderr, exited };
}

/** Starts the compiled bot, waits until it polls Telegram, has its websocket and has muted a chat. */
async function startBot(env: NodeJS.ProcessEnv = {}): Promise<RunningBot> {
  const running = await spawnBot(env);
  await until(() => telegram.calls.some((call) => call.method === 'getUpdates'), 15_000, 'polling');
  await until(() => freqtrade.counts.wsConnections > 0, 10_000, 'the message websocket');
  telegram.sendText({ chatId: -42, userId: 7, text: '/mute 2h', chatType: 'supergroup' });
  await telegram.waitForMessages(1, 10_000);
  return running;
}

/** The mute made before the signal is in the state file. */
async function expectStoreFlushed(): Promise<void> {
  const state = JSON.parse(await readFile(storePath, 'utf8')) as {
    chats: Record<string, { muted_until_ms: number }>;
  };
  expect(state.chats['telegram:-42']?.muted_until_ms).toBeGreaterThan(Date.now());
}

describe.skipIf(process.platform === 'win32')('stopping the compiled bot', () => {
  it('is one node process in its process group, with no loader and without discord.js', async () => {
    // NODE_DEBUG=module: node names every CommonJS module it loads on stderr.
    bot = await startBot({ NODE_DEBUG: 'module' });
    const pid = bot.child.pid ?? 0;
    const members = await processGroupMembers(pid);
    expect(members.map((member) => member.pid)).toEqual([pid]);
    expect(members[0]?.executable).toMatch(/^node/);
    expect(members[0]?.commandLine.slice(1)).toEqual([DIST_CLI, '--config', join(dir, 'config.json')]);
    expect(bot.stderr()).toContain('node_modules/grammy/');
    expect(bot.stderr()).not.toContain('discord.js');
    bot.child.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
  }, 30_000);

  it('exits 0 with the store flushed when SIGTERM comes twice, 100 ms apart', async () => {
    bot = await startBot();
    const signalledAt = Date.now();
    bot.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    bot.child.kill('SIGTERM');
    const { code, signal, at } = await bot.exited;
    expect({ code, signal }, bot.stderr()).toEqual({ code: 0, signal: null });
    expect(at - signalledAt).toBeLessThan(EXIT_LIMIT_MS);
    await expectStoreFlushed();
    expect(bot.stderr()).toContain('freqtrade-chatops stopped');
    expect(bot.stderr()).not.toContain(FAKE_CREDENTIALS.wsToken);
    expect(bot.stderr()).not.toContain(FAKE_CREDENTIALS.password);
  }, 30_000);

  it('exits 0 with the store flushed when every process of its group gets SIGTERM, over and over until it is gone', async () => {
    bot = await startBot();
    const groupId = bot.child.pid ?? 0;
    const signalledAt = Date.now();
    // As systemd's KillMode=control-group does, and then again while node tears down: a signal
    // that found no listener then would end the process with 143.
    let sent = 0;
    const repeat = setInterval(() => {
      try {
        process.kill(-groupId, 'SIGTERM');
        sent += 1;
      } catch {
        clearInterval(repeat); // the group is gone
      }
    }, 20);
    process.kill(-groupId, 'SIGTERM');
    const { code, signal, at } = await bot.exited.finally(() => clearInterval(repeat));
    expect({ code, signal }, bot.stderr()).toEqual({ code: 0, signal: null });
    expect(at - signalledAt).toBeLessThan(EXIT_LIMIT_MS);
    expect(sent).toBeGreaterThan(0);
    await expectStoreFlushed();
    expect(bot.stderr()).toContain('freqtrade-chatops stopped');
  }, 30_000);

  it('exits 0 within 5 s with the store flushed when Telegram stops answering right after SIGTERM', async () => {
    bot = await startBot();
    const callsBefore = telegram.calls.length;
    const signalledAt = Date.now();
    bot.child.kill('SIGTERM');
    telegram.stopAnswering();
    const { code, signal, at } = await bot.exited;
    expect({ code, signal }, bot.stderr()).toEqual({ code: 0, signal: null });
    expect(at - signalledAt).toBeLessThan(EXIT_LIMIT_MS);
    await expectStoreFlushed();
    // Whatever Telegram was asked after the signal went unanswered, and the stop did not wait
    // for it (the runner aborts its long poll instead of making a last getUpdates).
    const afterSignal = telegram.calls.slice(callsBefore);
    expect(afterSignal.filter((call) => call.status !== 0 && call.method !== 'getUpdates')).toEqual([]);
    expect(bot.stderr()).toContain('freqtrade-chatops stopped');
  }, 30_000);

  it('exits 0 within 5 s with the store flushed when Telegram refuses connections right after SIGTERM', async () => {
    bot = await startBot();
    const signalledAt = Date.now();
    bot.child.kill('SIGTERM');
    await telegram.close();
    const { code, signal, at } = await bot.exited;
    expect({ code, signal }, bot.stderr()).toEqual({ code: 0, signal: null });
    expect(at - signalledAt).toBeLessThan(EXIT_LIMIT_MS);
    await expectStoreFlushed();
    expect(bot.stderr()).toContain('freqtrade-chatops stopped');
  }, 30_000);

  it('exits 0 within 5 s when SIGTERM comes while Telegram does not answer at start', async () => {
    telegram.stopAnswering();
    const starting = await spawnBot();
    bot = starting;
    await until(() => telegram.calls.some((call) => call.method === 'getMe'), 15_000, 'getMe');
    const signalledAt = Date.now();
    starting.child.kill('SIGTERM');
    const { code, signal, at } = await starting.exited;
    expect({ code, signal }, starting.stderr()).toEqual({ code: 0, signal: null });
    expect(at - signalledAt).toBeLessThan(EXIT_LIMIT_MS);
  }, 30_000);
});
