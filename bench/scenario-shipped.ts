/**
 * Scenarios (c) and (d): the shipped program, as an operator runs it.
 *
 * (c) `node <flags> dist/cli.js --config <file>` (as `npm start` runs it) with 10 Freqtrade bots and 1,000 Telegram chats: the RSS
 *     of that one process (read from /proc, so nothing in the program is instrumented) once it has
 *     started with every websocket open, and its peak while a burst of 1,000 notifications (one per
 *     chat) is routed and queued, and again once all of them were delivered. Beside it, a baseline:
 *     a bare node process that has loaded grammY, its runner and auto-retry and created a bot.
 * (d) `node dist/cli.js` with no config: spawn to the demo's banner on stdout, five runs.
 *
 * The fakes (10 Freqtrades, 1 Telegram without limits) run in the bench process. The program runs
 * from dist/, which `npm ci` builds (`prepare`); run `npm run build` after editing src/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type FakeFreqtrade, startFakeFreqtrade } from '../test/fakes/fake-freqtrade.js';
import { startFakeTelegram } from '../test/fakes/fake-telegram.js';
import { nodeFlagsOfStart } from '../test/support/compiled.js';
import { exitFrame, privateChatIds, rawBenchConfig, until } from './support.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');

export interface ShippedMemoryResult {
  bots: number;
  chats: number;
  notifications: number;
  /** Node processes the program ran as (the spawned one and any children it made). */
  processes: number;
  idleRssBytes: number;
  burstPeakRssBytes: number;
  deliveredRssBytes: number;
  deliveredMessages: number;
  deliverySeconds: number;
  baselineRssBytes: number;
}

export interface BannerResult {
  runs: number[];
  medianMs: number;
}

/** Resident set size of a process, from /proc (Linux). */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

/** Child processes of `pid` (Linux /proc/<pid>/task/<pid>/children). */
function childrenOf(pid: number): number[] {
  const path = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

function assertDistBuilt(): void {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` (npm ci does it too)');
}

/** Collects a child's stdout+stderr and resolves when `pattern` appears. */
function whenOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: not seen within ${timeoutMs} ms; output so far: ${seen.slice(-400)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      if (pattern.test(seen)) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${what}: the program exited (${code}) first; output: ${seen.slice(-400)}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 6_000);
  await exited;
  clearTimeout(timer);
}

/** A bare node process with grammY, the runner and auto-retry loaded and a bot created: the floor. */
async function baselineRss(apiRoot: string, token: string): Promise<number> {
  const script = `
    const { Bot } = await import('grammy');
    const { autoRetry } = await import('@grammyjs/auto-retry');
    await import('@grammyjs/runner');
    const bot = new Bot(${JSON.stringify(token)}, { client: { apiRoot: ${JSON.stringify(apiRoot)} } });
    bot.api.config.use(autoRetry());
    await bot.init();
    console.log('ready');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await whenOutput(child, /ready/, 15_000, 'grammY baseline');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return rssOf(child.pid ?? -1);
  } finally {
    await stopChild(child);
  }
}

export async function shippedMemory(options: {
  tempDir: string;
  bots: number;
  chats: number;
}): Promise<ShippedMemoryResult> {
  assertDistBuilt();
  const freqtrades: FakeFreqtrade[] = [];
  for (let i = 0; i < options.bots; i += 1) freqtrades.push(await startFakeFreqtrade({ botName: `bot${i}` }));
  const telegram = await startFakeTelegram({ rateLimits: false });
  const configPath = join(options.tempDir, 'shipped-config.json');
  const config = rawBenchConfig({
    bots: freqtrades.map((fake, i) => ({ name: `bot${i}`, url: fake.url })),
    telegram: { token: telegram.token, apiRoot: telegram.apiRoot },
    chatIds: privateChatIds(options.chats),
    storePath: join(options.tempDir, 'shipped-state.json'),
  });
  await writeFile(configPath, JSON.stringify({ ...config, log_level: 'info' }));
  // Exactly as `npm start` runs it: node, the start script's flags, dist/cli.js.
  const child = spawn(process.execPath, [...(await nodeFlagsOfStart()), CLI, '--config', configPath], {
    cwd: options.tempDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const pid = child.pid ?? -1;
  try {
    await whenOutput(child, /freqtrade-chatops started/, 30_000, 'the program to start');
    await until(
      () =>
        freqtrades.every((fake) =>
          fake.wsConsumers().some((consumer) => consumer.subscribed.includes('exit')),
        ),
      15_000,
      'every bot to have a subscriber',
    );
    // Let start-up garbage settle the way it would on a quiet service.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const processes = 1 + childrenOf(pid).length;
    const idleRssBytes = rssOf(pid);

    const before = telegram.messages.length;
    const started = performance.now();
    let peak = idleRssBytes;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssOf(pid));
    }, 50);
    let seq = 0;
    for (let chat = 0; chat < options.chats; chat += 1) {
      seq += 1;
      freqtrades[chat % options.bots]?.emit(exitFrame(seq, chat));
      if (chat % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    // Telegram's 30 messages a second overall: 1,000 notifications take about 34 s.
    await until(
      () => telegram.messages.length - before >= options.chats,
      Math.ceil(options.chats / 30) * 1_000 + 30_000,
      'every notification to be delivered',
    );
    const deliverySeconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const deliveredRssBytes = rssOf(pid);
    peak = Math.max(peak, deliveredRssBytes);
    const baselineRssBytes = await baselineRss(telegram.apiRoot, telegram.token);
    return {
      bots: options.bots,
      chats: options.chats,
      notifications: seq,
      processes,
      idleRssBytes,
      burstPeakRssBytes: peak,
      deliveredRssBytes,
      deliveredMessages: telegram.messages.length - before,
      deliverySeconds,
      baselineRssBytes,
    };
  } finally {
    await stopChild(child);
    await telegram.close();
    for (const fake of freqtrades) await fake.close();
  }
}

/** Spawn to banner of `node dist/cli.js` with no config (the demo), `runs` times. */
export async function demoBanner(options: { tempDir: string; runs: number }): Promise<BannerResult> {
  assertDistBuilt();
  const runs: number[] = [];
  for (let i = 0; i < options.runs; i += 1) {
    const env = { ...process.env };
    delete env.FTCHATOPS_CONFIG;
    const started = performance.now();
    const child = spawn(process.execPath, [...(await nodeFlagsOfStart()), CLI], {
      cwd: options.tempDir,
      stdio: ['pipe', 'pipe', 'pipe'],
      env,
    });
    try {
      await whenOutput(child, /Ctrl-D/, 15_000, 'the demo banner');
      runs.push(performance.now() - started);
    } finally {
      child.stdin?.end();
      await stopChild(child);
    }
  }
  const sorted = [...runs].sort((a, b) => a - b);
  return { runs, medianMs: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN };
}
