/**
 * Shared pieces of the benchmark: config building, event frames that reach exactly one chat,
 * a counting log sink, percentiles and small waits.
 */
import type { ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { parseAppConfig } from '../src/main.js';
import { type Config, NOTIFICATION_TYPES } from '../src/config/schema.js';
import { createLogger, type Logger } from '../src/logger.js';

/** Credentials of the fake Freqtrade's defaults (test/fakes/fake-freqtrade.ts FAKE_CREDENTIALS). */
const FREQTRADE_USER = { username: 'freqtrader', password: 'secret-pass', wsToken: 'ws-secret-token' };

/** The exit reason only chat number `index` listens to. */
export function reasonFor(index: number): string {
  return `bench_c${index}`;
}

/**
 * A chat's notification block that lets through only `exit` events carrying its own exit reason:
 * every other type is off, so nothing the fakes send on their own (startup, status) adds messages.
 */
export function onlyOwnExits(index: number): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const type of NOTIFICATION_TYPES) settings[type] = 'off';
  settings['exit'] = { [reasonFor(index)]: 'on', '*': 'off' };
  return settings;
}

/** A Freqtrade `exit` frame whose trade id is `seq` (shown as `(#seq)` in the title), routed to chat `index`. */
export function exitFrame(seq: number, index: number): Record<string, unknown> & { type: string } {
  return {
    type: 'exit',
    trade_id: seq,
    buy_tag: null,
    enter_tag: 'bench',
    exchange: 'Binance',
    pair: 'SOL/USDT',
    base_currency: 'SOL',
    quote_currency: 'USDT',
    leverage: 1,
    direction: 'Long',
    limit: 102,
    order_rate: 102,
    open_rate: 100,
    order_type: 'limit',
    stake_amount: 50,
    stake_currency: 'USDT',
    fiat_currency: 'USD',
    amount: 0.5,
    open_date: '2026-11-22T09:00:01.120000+00:00',
    current_rate: 102,
    sub_trade: false,
    gain: 'profit',
    close_rate: 102,
    profit_amount: 1,
    profit_ratio: 0.02,
    exit_reason: reasonFor(index),
    close_date: '2026-11-22T13:47:10.400000+00:00',
    cumulative_profit: 1,
    final_profit_ratio: 0.02,
    is_final_exit: true,
  };
}

const SEQ_PATTERN = /\(#(\d+)\)/g;

/** The sequence numbers (trade ids) named in a message text or HTML: one per notification it carries. */
export function seqsIn(text: string): number[] {
  const seqs: number[] = [];
  for (const match of text.matchAll(SEQ_PATTERN)) seqs.push(Number(match[1]));
  return seqs;
}

export interface BenchConfigInput {
  bots: Array<{ name: string; url: string }>;
  telegram: { token: string; apiRoot: string };
  /** Private chat ids (positive); chat number i hears only reasonFor(i). */
  chatIds: number[];
  storePath: string;
}

/** The raw (unparsed) config: what a user would write, also sent to the memory child as JSON. */
export function rawBenchConfig(input: BenchConfigInput): Record<string, unknown> {
  return {
    bots: input.bots.map((bot) => ({
      name: bot.name,
      api_url: bot.url,
      username: FREQTRADE_USER.username,
      password: FREQTRADE_USER.password,
      ws_token: FREQTRADE_USER.wsToken,
      timeout_ms: 5_000,
    })),
    telegram: {
      enabled: true,
      token: input.telegram.token,
      api_root: input.telegram.apiRoot,
      chats: input.chatIds.map((id, index) => ({
        chat_id: String(id),
        topic_id: null,
        notifications: onlyOwnExits(index),
      })),
      polling_timeout_s: 5,
    },
    access: { admins: ['telegram:1'], viewers: [] },
    store: { path: input.storePath },
    log_level: 'warn',
  };
}

export function benchConfig(input: BenchConfigInput): Config {
  return parseAppConfig(rawBenchConfig(input), 'bench');
}

/** n private chat ids (positive, so Telegram treats them as private chats). */
export function privateChatIds(n: number): number[] {
  return Array.from({ length: n }, (_, index) => 100_000 + index);
}

export interface LogSink {
  logger: Logger;
  /** Lines at warn or above. */
  readonly warnings: number;
  readonly lastLines: string[];
  /** How many lines carried each `msg`. */
  readonly byMessage: Map<string, number>;
}

/** A warn-level logger writing to memory: the bench prints tables, not logs. */
export function createSinkLogger(): LogSink {
  const lastLines: string[] = [];
  const byMessage = new Map<string, number>();
  let warnings = 0;
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const line = chunk.toString('utf8').trim();
      warnings += 1;
      lastLines.push(line);
      if (lastLines.length > 20) lastLines.shift();
      try {
        const parsed: unknown = JSON.parse(line);
        const msg =
          typeof parsed === 'object' && parsed !== null && 'msg' in parsed ? String(parsed.msg) : '(no msg)';
        byMessage.set(msg, (byMessage.get(msg) ?? 0) + 1);
      } catch {
        byMessage.set('(not json)', (byMessage.get('(not json)') ?? 0) + 1);
      }
      callback();
    },
  });
  return {
    logger: createLogger({ level: 'warn', destination }),
    get warnings() {
      return warnings;
    },
    lastLines,
    byMessage,
  };
}

/** The p-quantile (0..1) of ascending-sorted values, nearest-rank. */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] as number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `condition` holds (polled every `stepMs`); rejects after `timeoutMs`. */
export async function until(
  condition: () => boolean,
  timeoutMs: number,
  what: string,
  stepMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

export const mb = (bytes: number): number => bytes / (1024 * 1024);

export interface Percentiles {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Percentiles of unsorted values (NaN values are left out). */
export function percentiles(values: Iterable<number>): Percentiles {
  const sorted = [...values].filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  const sum = sorted.reduce((acc, value) => acc + value, 0);
  return {
    n: sorted.length,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

export interface LoadReport {
  wallMs: number;
  /** Share of the wall time this process's event loop spent running callbacks (0..1). */
  eventLoopUtilization: number;
  /** CPU time of this process (user + system, every thread: includes V8's GC and compiler threads). */
  ownCpuMs: number;
  /** CPU time of every other process on the machine over the same wall time. */
  otherCpuMs: number;
  cores: number;
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
}

function machineBusyMs(): number {
  let busy = 0;
  for (const cpu of cpus()) busy += cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq;
  return busy;
}

/**
 * Measures, from now until the returned function is called: this process's CPU, the rest of the
 * machine's CPU (other work competing for the cores skews latencies), and GC pauses.
 */
export function startLoadMeter(): () => LoadReport {
  const wall0 = performance.now();
  const elu0 = performance.eventLoopUtilization();
  const own0 = process.cpuUsage();
  const busy0 = machineBusyMs();
  const gc = { count: 0, total: 0, max: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count += 1;
      gc.total += entry.duration;
      gc.max = Math.max(gc.max, entry.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    const own = process.cpuUsage(own0);
    const ownCpuMs = (own.user + own.system) / 1000;
    const wallMs = performance.now() - wall0;
    return {
      wallMs,
      eventLoopUtilization: performance.eventLoopUtilization(elu0).utilization,
      ownCpuMs,
      otherCpuMs: Math.max(0, machineBusyMs() - busy0 - ownCpuMs),
      cores: cpus().length,
      gcCount: gc.count,
      gcTotalMs: gc.total,
      gcMaxMs: gc.max,
    };
  };
}

/**
 * The next IPC message of `kind` from a bench child process. A `failed` message, the child's exit
 * or the timeout rejects, naming `label`.
 */
export function nextChildMessage<M extends { kind: string }, K extends M['kind']>(
  child: ChildProcess,
  isMessage: (message: unknown) => message is M,
  label: string,
  kind: K,
  timeoutMs: number,
): Promise<Extract<M, { kind: K }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${label}: no "${kind}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: unknown): void => {
      if (!isMessage(message)) return;
      if (message.kind === 'failed') {
        cleanup();
        const reason = (message as { reason?: unknown }).reason;
        reject(new Error(`${label} failed: ${String(reason)}`));
      } else if (message.kind === kind) {
        cleanup();
        resolve(message as Extract<M, { kind: K }>);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${label} exited (${code}) before "${kind}"`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
