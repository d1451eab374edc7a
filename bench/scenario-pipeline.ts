/**
 * Scenario (a): pipeline overhead, a websocket frame in → the Bot API call out.
 *
 * The app (compose.ts for (a), startApp for (a′)/(a″)) runs in this process; the fake Freqtrade
 * and the instant Bot API server run in a child process (pipeline-child.ts), so their work does
 * not compete with the app for this event loop. The child emits `exit` frames at a fixed rate,
 * each with its sequence number as trade id, stamping each right before `emit`; it stamps each
 * sendMessage once its body has arrived and reads the sequence number(s) back from the text. Both
 * sides stamp with performance.timeOrigin + performance.now() (absolute ms, same machine), and the
 * offset between the two processes is checked with a ping-pong before the run.
 */
import { type App, startApp } from '../src/main.js';
import type { Store } from '../src/store/store.js';
import { startPipeline } from './compose.js';
import {
  absoluteNow,
  type ClockCheck,
  checkClocks,
  type FakesProcess,
  startFakesProcess,
} from './pipeline-protocol.js';
import {
  benchConfig,
  createSinkLogger,
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
  /** Frame emitted (child) → sendMessage received (child). */
  total: Percentiles;
  /** Per stage, when the pipeline was probed (composed in bench/, not startApp). */
  stages?: {
    /** emit (child) → event handed to the notifier (app): ws transport, frame parse (zod), event stream. */
    stream: Percentiles;
    /** notifier → outbox calls send (both in the app): route over every chat, format, enqueue, pump. */
    notify: Percentiles;
    /** send (app) → request body received (child): render HTML, grammY + auto-retry, node-fetch, loopback HTTP. */
    send: Percentiles;
  };
  /** The app's process over the measured window; otherCpuMs leaves out the fakes' process too. */
  load: LoadReport;
  /** The fakes' process (child) over the measured window. */
  fakesLoad: LoadReport;
  /** The offset between the two processes' clocks, as checked before the run. */
  clock: ClockCheck;
  warnings: number;
}

interface DriveOptions {
  ratePerS: number;
  warmupMs: number;
  measureMs: number;
  chats: number;
}

/** How long the child waits, after its last emit, for every event to reach the API server. */
const DRAIN_TIMEOUT_MS = 5_000;

/** Per sequence number: when the event reached the notifier and when the outbox sent it (absolute ms). */
class Stamps {
  readonly event: Float64Array;
  readonly send: Float64Array;
  constructor(size: number) {
    this.event = new Float64Array(size + 1).fill(Number.NaN);
    this.send = new Float64Array(size + 1).fill(Number.NaN);
  }
  mark(array: Float64Array, seq: number): void {
    if (seq >= 1 && seq < array.length && Number.isNaN(array[seq] as number)) array[seq] = absoluteNow();
  }
}

const totalEvents = (options: DriveOptions): number =>
  Math.ceil((options.ratePerS * (options.warmupMs + options.measureMs)) / 1000);

/**
 * Has the child emit frames at `ratePerS` and record the API calls, meters this process over the
 * measured window, and matches the child's stamps (and the probes', if any) per sequence number.
 */
async function drive(
  fakes: FakesProcess,
  options: DriveOptions,
  stamps?: Stamps,
): Promise<Omit<LatencyResult, 'warnings'>> {
  const clock = await checkClocks(fakes);
  const total = totalEvents(options);
  const runMs = options.warmupMs + options.measureMs;
  const measuring = fakes.next('measuring', runMs + DRAIN_TIMEOUT_MS + 10_000).then(() => startLoadMeter());
  measuring.catch(() => undefined);
  const driven = fakes.next('driven', runMs + DRAIN_TIMEOUT_MS + 10_000);
  fakes.send({ kind: 'drive', ...options, drainTimeoutMs: DRAIN_TIMEOUT_MS });
  const { sentAt, receivedAt, measuredFrom, mergedMessages, load: fakesLoad } = await driven;
  const ownLoad = (await measuring)();
  // The machine's CPU besides this process: take the fakes' process out as well.
  const load = { ...ownLoad, otherCpuMs: Math.max(0, ownLoad.otherCpuMs - fakesLoad.ownCpuMs) };

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
    fakesLoad,
    clock,
  };
}

async function connected(
  fakes: FakesProcess,
  streams: Array<{ state(): string }>,
  timeoutMs = 10_000,
): Promise<void> {
  await until(() => streams.every((stream) => stream.state() === 'open'), timeoutMs, 'websocket open');
  const subscribed = fakes.next('subscribed', timeoutMs + 1_000);
  fakes.send({ kind: 'await-subscribed', timeoutMs });
  await subscribed;
  // Let the first back-fill (REST /status, /trades) finish so it does not overlap the measurement.
  await sleep(300);
}

const configFor = (fakes: FakesProcess, chats: number, storePath: string) =>
  benchConfig({
    bots: [{ name: 'main', url: fakes.freqtradeUrl }],
    telegram: { token: fakes.token, apiRoot: fakes.apiRoot },
    chatIds: privateChatIds(chats),
    storePath,
  });

/**
 * The pipeline at full load: the real stream, notifier, outbox, Telegram adapter and grammY,
 * composed as in startApp but with the outbox's pacing off (no 30/s budget, no per-chat interval),
 * probed between the stages.
 */
export async function pipelineUnpaced(
  options: DriveOptions & {
    storePath: string;
    /** Where state and the outbox's queue live (see PipelineOptions.store); default in memory, no queue. */
    store?: Store;
  },
): Promise<LatencyResult> {
  const fakes = await startFakesProcess();
  try {
    const sink = createSinkLogger();
    const stamps = new Stamps(totalEvents(options));
    const pipeline = await startPipeline({
      config: configFor(fakes, options.chats, options.storePath),
      logger: sink.logger,
      globalPerSecond: 1e9,
      privateChatIntervalMs: 0,
      mergeThreshold: 3,
      ...(options.store ? { store: options.store } : {}),
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
      await connected(fakes, pipeline.streams);
      const { ratePerS, warmupMs, measureMs, chats } = options;
      // Only the drive options: they are sent to the child (a store cannot be cloned).
      const result = await drive(fakes, { ratePerS, warmupMs, measureMs, chats }, stamps);
      return { ...result, warnings: sink.warnings };
    } finally {
      await pipeline.stop();
    }
  } finally {
    await fakes.stop();
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
  const fakes = await startFakesProcess();
  try {
    const sink = createSinkLogger();
    const app: App = await startApp({
      config: configFor(fakes, options.chats, options.storePath),
      logger: sink.logger,
      storePath: null,
    });
    try {
      if (options.storedChats) {
        for (const id of privateChatIds(options.chats)) {
          app.store.updateChat(`telegram:${id}`, (chat) => {
            chat.current_bot = 'main';
          });
        }
      }
      await connected(fakes, app.streams);
      const result = await drive(fakes, { ...options, warmupMs: 0 });
      return { ...result, warnings: sink.warnings };
    } finally {
      await app.stop();
    }
  } finally {
    await fakes.stop();
  }
}
