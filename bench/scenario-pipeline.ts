/**
 * Scenario (a): pipeline overhead, a websocket frame in → the Bot API call out.
 *
 * The fake Freqtrade emits `exit` frames at a fixed rate, each with its sequence number as trade id;
 * the send time is taken with performance.now() right before `emit`. The instant Bot API server
 * takes performance.now() when the sendMessage body has arrived and reads the sequence number(s)
 * back from the text. Both run in this process, so one clock covers both ends.
 */
import { performance } from 'node:perf_hooks';
import { type App, startApp } from '../src/main.js';
import { type FakeFreqtrade, startFakeFreqtrade } from '../test/fakes/fake-freqtrade.js';
import { startPipeline } from './compose.js';
import { type InstantTelegram, startInstantTelegram } from './instant-telegram.js';
import {
  benchConfig,
  createSinkLogger,
  exitFrame,
  type LoadReport,
  type Percentiles,
  percentiles,
  privateChatIds,
  seqsIn,
  sleep,
  startLoadMeter,
  until,
} from './support.js';

export interface LatencyResult {
  ratePerS: number;
  chats: number;
  /** Events sent in the measured window (after warm-up). */
  events: number;
  /** Of those, how many reached the API server. */
  received: number;
  /** API messages that carried more than one notification (merged backlog). */
  mergedMessages: number;
  /** Frame emitted → sendMessage received. */
  total: Percentiles;
  /** Per stage, when the pipeline was probed (composed in bench/, not startApp). */
  stages?: {
    /** emit → event handed to the notifier: ws transport, frame parse (zod), event stream. */
    stream: Percentiles;
    /** notifier → outbox calls send: route over every chat, format, enqueue, pump. */
    notify: Percentiles;
    /** send → request body received: render HTML, grammY + auto-retry, node-fetch, loopback HTTP. */
    send: Percentiles;
  };
  load: LoadReport;
  warnings: number;
}

interface DriveOptions {
  ratePerS: number;
  warmupMs: number;
  measureMs: number;
  chats: number;
}

/** Per sequence number: when the event reached the notifier and when the outbox sent it. */
class Stamps {
  readonly event: Float64Array;
  readonly send: Float64Array;
  constructor(size: number) {
    this.event = new Float64Array(size + 1).fill(Number.NaN);
    this.send = new Float64Array(size + 1).fill(Number.NaN);
  }
  mark(array: Float64Array, seq: number): void {
    if (seq >= 1 && seq < array.length && Number.isNaN(array[seq] as number)) array[seq] = performance.now();
  }
}

const totalEvents = (options: DriveOptions): number =>
  Math.ceil((options.ratePerS * (options.warmupMs + options.measureMs)) / 1000);

/** Emits frames at `ratePerS` (catching up every ≥1 ms tick) and matches them with the API calls. */
async function drive(
  freqtrade: FakeFreqtrade,
  telegram: InstantTelegram,
  options: DriveOptions,
  stamps?: Stamps,
): Promise<Omit<LatencyResult, 'warnings'>> {
  const total = totalEvents(options);
  const sentAt = new Float64Array(total + 1).fill(Number.NaN);
  const receivedAt = new Float64Array(total + 1).fill(Number.NaN);
  let received = 0;
  let mergedMessages = 0;
  telegram.onSend = ({ at, text }) => {
    const seqs = seqsIn(text);
    if (seqs.length > 1) mergedMessages += 1;
    for (const seq of seqs) {
      if (seq >= 1 && seq <= total && Number.isNaN(receivedAt[seq] as number)) {
        receivedAt[seq] = at;
        received += 1;
      }
    }
  };

  const start = performance.now();
  let stopMeter: (() => LoadReport) | undefined;
  await new Promise<void>((resolve) => {
    let emitted = 0;
    const tick = (): void => {
      if (!stopMeter && performance.now() - start >= options.warmupMs) stopMeter = startLoadMeter();
      const due = Math.min(total, Math.floor(((performance.now() - start) * options.ratePerS) / 1000) + 1);
      while (emitted < due) {
        emitted += 1;
        const seq = emitted;
        sentAt[seq] = performance.now();
        freqtrade.emit(exitFrame(seq, (seq - 1) % options.chats));
      }
      if (emitted < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await until(() => received >= total, 5_000, 'every event to reach the API').catch(() => undefined);
  const load = (stopMeter ?? startLoadMeter())();
  telegram.onSend = undefined;

  const measuredFrom = start + options.warmupMs;
  const seqs: number[] = [];
  for (let seq = 1; seq <= total; seq += 1) if ((sentAt[seq] as number) >= measuredFrom) seqs.push(seq);
  const diff = (to: Float64Array, from: Float64Array) =>
    seqs.map((seq) => (to[seq] as number) - (from[seq] as number));
  const totalLatency = percentiles(diff(receivedAt, sentAt));
  return {
    ratePerS: options.ratePerS,
    chats: options.chats,
    events: seqs.length,
    received: totalLatency.n,
    mergedMessages,
    total: totalLatency,
    ...(stamps
      ? {
          stages: {
            stream: percentiles(diff(stamps.event, sentAt)),
            notify: percentiles(diff(stamps.send, stamps.event)),
            send: percentiles(diff(receivedAt, stamps.send)),
          },
        }
      : {}),
    load,
  };
}

async function connected(
  freqtrade: FakeFreqtrade,
  streams: Array<{ state(): string }>,
  timeoutMs = 10_000,
): Promise<void> {
  await until(() => streams.every((stream) => stream.state() === 'open'), timeoutMs, 'websocket open');
  await until(
    () => freqtrade.wsConsumers().some((consumer) => consumer.subscribed.includes('exit')),
    timeoutMs,
    'subscription',
  );
  // Let the first back-fill (REST /status, /trades) finish so it does not overlap the measurement.
  await sleep(300);
}

/**
 * The pipeline at full load: the real stream, notifier, outbox, Telegram adapter and grammY,
 * composed as in startApp but with the outbox's pacing off (no 30/s budget, no per-chat interval),
 * probed between the stages.
 */
export async function pipelineUnpaced(
  options: DriveOptions & {
    storePath: string;
  },
): Promise<LatencyResult> {
  const freqtrade = await startFakeFreqtrade();
  const telegram = await startInstantTelegram();
  const sink = createSinkLogger();
  const config = benchConfig({
    bots: [{ name: 'main', url: freqtrade.url }],
    telegram: { token: telegram.token, apiRoot: telegram.apiRoot },
    chatIds: privateChatIds(options.chats),
    storePath: options.storePath,
  });
  const stamps = new Stamps(totalEvents(options));
  const pipeline = await startPipeline({
    config,
    logger: sink.logger,
    globalPerSecond: 1e9,
    privateChatIntervalMs: 0,
    mergeThreshold: 3,
    botInfo: { id: 424242, username: 'chatops_bench_bot', first_name: 'Bench' },
    probe: {
      event: (event) => {
        if (event.type === 'exit') stamps.mark(stamps.event, event.trade_id);
      },
      send: (reply) => {
        for (const seq of seqsIn(reply.title ?? '')) stamps.mark(stamps.send, seq);
      },
    },
  });
  try {
    await connected(freqtrade, pipeline.streams);
    const result = await drive(freqtrade, telegram, options, stamps);
    return { ...result, warnings: sink.warnings };
  } finally {
    await pipeline.stop();
    await telegram.close();
    await freqtrade.close();
  }
}

/**
 * The app exactly as shipped (startApp, TELEGRAM_LIMITS), at a rate under Telegram's 30/s budget
 * and one event per chat, so no pacing applies: the same path, measured end to end.
 * `storedChats`: give every chat a store entry first, as `/use <bot>` (or /notify, /mute) would.
 */
export async function pipelineShippedLowRate(options: {
  storePath: string;
  ratePerS: number;
  measureMs: number;
  chats: number;
  storedChats: boolean;
}): Promise<LatencyResult> {
  const freqtrade = await startFakeFreqtrade();
  const telegram = await startInstantTelegram();
  const sink = createSinkLogger();
  const config = benchConfig({
    bots: [{ name: 'main', url: freqtrade.url }],
    telegram: { token: telegram.token, apiRoot: telegram.apiRoot },
    chatIds: privateChatIds(options.chats),
    storePath: options.storePath,
  });
  const app: App = await startApp({ config, logger: sink.logger, storePath: null });
  try {
    if (options.storedChats) {
      for (const id of privateChatIds(options.chats)) {
        app.store.updateChat(`telegram:${id}`, (chat) => {
          chat.current_bot = 'main';
        });
      }
    }
    await connected(freqtrade, app.streams);
    const result = await drive(freqtrade, telegram, { ...options, warmupMs: 0 });
    return { ...result, warnings: sink.warnings };
  } finally {
    await app.stop();
    await telegram.close();
    await freqtrade.close();
  }
}
