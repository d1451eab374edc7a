/**
 * Scenario (f): the stores behind the durable outbox (issue 16).
 *
 * (f1) Per-message store cost of the durable outbox, for the file journal (src/store/store.ts +
 * notification-journal.ts) and for Redis (src/store/redis-store.ts on a private redis-server):
 * with the queue already holding 0 … 10,000 notifications, each further message is queued
 * (`queueNotification`) and delivered (`dropQueuedNotifications`), so the queue stays at its level.
 * The journal's appends are synchronous: each message is timed alone. Redis writes are sent on
 * the connection: a batch is timed until `flush()` resolves and divided by the batch; one message
 * at a time, awaited, gives the per-message round trip. Every level runs more messages than it
 * holds, so the journal's compaction (rewriting the live entries) is inside the measured time.
 *
 * (f2) Notification latency with each store through the composed pipeline (bench/compose.ts):
 * the outbox's queue and the seen-trades writes go to the store under test.
 *
 * The message is a realistic one: an `exit` frame parsed by the real schema and formatted by the
 * real formatter, queued with its `about`, as the outbox stores it.
 */
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { parseFrame } from '../src/freqtrade/event-schemas.js';
import type { Logger } from '../src/logger.js';
import { formatEvent } from '../src/notify/format.js';
import type { QueuedNotification } from '../src/store/notification-journal.js';
import { openRedisStore } from '../src/store/redis-store.js';
import { openStore, type Store } from '../src/store/store.js';
import { type RedisServer, redisServerVersion, startRedisServer } from '../test/support/redis-server.js';
import { type LatencyResult, pipelineUnpaced } from './scenario-pipeline.js';
import { createSinkLogger, exitFrame, type Percentiles, percentiles } from './support.js';

export type StoreBackend = 'file' | 'redis';

/** A private redis-server for the bench, or why there is none. */
export type RedisAvailability = { server: RedisServer; version: string } | { missing: string };

/** Starts a private redis-server (its own port and temp dir); never throws. */
export async function startBenchRedis(): Promise<RedisAvailability> {
  const version = redisServerVersion();
  if (!version) return { missing: 'redis-server is not installed (or not on PATH)' };
  try {
    return { server: await startRedisServer(), version };
  } catch (error) {
    return {
      missing: `redis-server did not start: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** A store under test and how to let it go. */
interface OpenedStore {
  store: Store;
  /** The journal file (file store), for its size. */
  journalPath?: string;
  dispose(): Promise<void>;
}

async function openFileStore(dir: string, name: string, logger: Logger): Promise<OpenedStore> {
  const path = join(dir, `${name}.json`);
  const store = await openStore({ path, logger, auditMaxEntries: 1_000 });
  return {
    store,
    journalPath: join(dir, `${name}.outbox.jsonl`),
    dispose: () => store.close(),
  };
}

async function openBenchRedisStore(url: string, keyPrefix: string, logger: Logger): Promise<OpenedStore> {
  // As src/ha/shared-state.ts opens the store's connection.
  const client = new Redis(url, { maxRetriesPerRequest: null });
  try {
    const store = await openRedisStore({
      redis: client,
      keyPrefix,
      logger,
      auditMaxEntries: 1_000,
      writtenBy: 'bench',
    });
    return {
      store,
      async dispose() {
        await store.close();
        client.disconnect();
      },
    };
  } catch (error) {
    client.disconnect();
    throw error;
  }
}

/** A queued exit notification, as the outbox stores it (the Reply of a real `exit` frame). */
export function queuedExit(seq: number): QueuedNotification {
  const parsed = parseFrame(JSON.stringify(exitFrame(seq, seq % 1_000)));
  if (!parsed.ok) throw new Error(`bench: the exit frame does not parse: ${parsed.error}`);
  const event = { ...parsed.message, bot: 'main' };
  const reply = formatEvent(event as Parameters<typeof formatEvent>[0], { showBotName: false });
  if (!reply) throw new Error('bench: the exit frame formats to nothing');
  return {
    id: `bench-${seq}`,
    chat_key: `telegram:${100_000 + (seq % 1_000)}`,
    at_ms: Date.now(),
    reply,
    about: { bot: 'main', type: 'exit', trade_id: seq, is_final_exit: true },
  };
}

export interface StoreCostLevel {
  /** Notifications already queued while the messages were measured. */
  queued: number;
  /** Queue + drop per message, ms: each one timed (file) or each awaited (Redis, one at a time). */
  perMessage: Percentiles;
  /** Redis only: batch time until `flush()` resolved, divided by the batch, ms (one value per batch). */
  perMessageBatched?: Percentiles;
  /** File only: the journal's size after the fill, its largest while measuring, and at the end. */
  journal?: {
    startBytes: number;
    peakBytes: number;
    endBytes: number;
    compactions: number;
    boundBytes: number;
  };
}

export interface StoreCostResult {
  backend: StoreBackend;
  batch: number;
  batches: number;
  /** Bytes of one queued entry as JSON (the Reply and its envelope). */
  entryBytes: number;
  levels: StoreCostLevel[];
}

interface StoreCostOptions {
  levels: number[];
  batch: number;
  /** Measured batches per level (one more runs first as a warm-up). */
  batches: number;
  /** Redis: messages queued and awaited one at a time per level. */
  oneByOne: number;
}

const fileSize = (path: string | undefined): number => {
  if (!path) return 0;
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/** Queues `count` notifications from `from` on, without delivering them. */
async function fill(store: Store, from: number, count: number): Promise<void> {
  for (let seq = from; seq < from + count; seq += 1) store.queueNotification(queuedExit(seq));
  await store.flush();
}

async function measureFileLevel(
  opened: OpenedStore,
  queued: number,
  options: StoreCostOptions,
): Promise<StoreCostLevel> {
  const { store, journalPath } = opened;
  await fill(store, 1, queued);
  const startBytes = fileSize(journalPath);
  let peakBytes = startBytes;
  let lastBytes = startBytes;
  let compactions = 0;
  const samples: number[] = [];
  let seq = 1_000_000;
  for (let batch = 0; batch <= options.batches; batch += 1) {
    const entries = Array.from({ length: options.batch }, () => queuedExit(seq++));
    for (const [index, entry] of entries.entries()) {
      const began = performance.now();
      store.queueNotification(entry);
      store.dropQueuedNotifications([entry.id]);
      const took = performance.now() - began;
      if (batch > 0) samples.push(took);
      if (index % 50 === 49) {
        const bytes = fileSize(journalPath);
        if (bytes < lastBytes) compactions += 1;
        peakBytes = Math.max(peakBytes, bytes);
        lastBytes = bytes;
      }
    }
  }
  const endBytes = fileSize(journalPath);
  if (endBytes < lastBytes) compactions += 1;
  // What compaction promises: the live entries plus at most max(1,000, live) delivered ones
  // (their `add` and `drop` lines) before the file is rewritten.
  const sample = queuedExit(2_000_000);
  const addLine = JSON.stringify({ op: 'add', entry: sample }).length + 1;
  const dropLine = JSON.stringify({ op: 'drop', ids: [sample.id] }).length + 1;
  const boundBytes = queued * addLine + (Math.max(1_000, queued) + 51) * (addLine + dropLine);
  return {
    queued,
    perMessage: percentiles(samples),
    journal: { startBytes, peakBytes: Math.max(peakBytes, endBytes), endBytes, compactions, boundBytes },
  };
}

async function measureRedisLevel(
  opened: OpenedStore,
  queued: number,
  options: StoreCostOptions,
): Promise<StoreCostLevel> {
  const { store } = opened;
  await fill(store, 1, queued);
  let seq = 1_000_000;
  const batched: number[] = [];
  for (let batch = 0; batch <= options.batches; batch += 1) {
    const entries = Array.from({ length: options.batch }, () => queuedExit(seq++));
    const began = performance.now();
    for (const entry of entries) {
      store.queueNotification(entry);
      store.dropQueuedNotifications([entry.id]);
    }
    await store.flush();
    if (batch > 0) batched.push((performance.now() - began) / options.batch);
  }
  const single: number[] = [];
  const entries = Array.from({ length: options.oneByOne }, () => queuedExit(seq++));
  for (const entry of entries) {
    const began = performance.now();
    store.queueNotification(entry);
    store.dropQueuedNotifications([entry.id]);
    await store.flush();
    single.push(performance.now() - began);
  }
  return { queued, perMessage: percentiles(single), perMessageBatched: percentiles(batched) };
}

/** (f1) for one backend: a fresh store (file, or key prefix) per level. */
export async function outboxStoreCost(
  input: { backend: 'file'; tempDir: string } | { backend: 'redis'; url: string },
  options: StoreCostOptions,
): Promise<StoreCostResult> {
  const sink = createSinkLogger();
  const dir = input.backend === 'file' ? await mkdtemp(join(input.tempDir, 'store-cost-')) : undefined;
  const levels: StoreCostLevel[] = [];
  try {
    for (const queued of options.levels) {
      const opened =
        input.backend === 'file'
          ? await openFileStore(dir as string, `state-${queued}`, sink.logger)
          : await openBenchRedisStore(input.url, `bench:cost:${queued}:`, sink.logger);
      try {
        levels.push(
          input.backend === 'file'
            ? await measureFileLevel(opened, queued, options)
            : await measureRedisLevel(opened, queued, options),
        );
      } finally {
        await opened.dispose();
      }
    }
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
  if (sink.warnings > 0) {
    throw new Error(
      `store cost (${input.backend}): ${sink.warnings} warnings, last: ${sink.lastLines.at(-1)}`,
    );
  }
  return {
    backend: input.backend,
    batch: options.batch,
    batches: options.batches,
    entryBytes: JSON.stringify(queuedExit(1)).length,
    levels,
  };
}

export type StoreLatencyKind = 'memory' | StoreBackend;

/** (f2) the composed pipeline (pacing off, as (a)) with its state and outbox queue in one store. */
export async function pipelineWithStore(
  input: { kind: 'memory' } | { kind: 'file' } | { kind: 'redis'; url: string },
  drive: { ratePerS: number; warmupMs: number; measureMs: number; chats: number; tempDir: string },
): Promise<LatencyResult> {
  const sink = createSinkLogger();
  const { tempDir, ...rate } = drive;
  const dir = await mkdtemp(join(tempDir, 'store-latency-'));
  try {
    const opened =
      input.kind === 'file'
        ? await openFileStore(dir as string, 'state', sink.logger)
        : input.kind === 'redis'
          ? await openBenchRedisStore(input.url, 'bench:latency:', sink.logger)
          : undefined;
    try {
      return await pipelineUnpaced({
        ...rate,
        // The config's store path; the pipeline uses `store` instead (or memory), never this file.
        storePath: join(dir, 'config-store.json'),
        ...(opened ? { store: opened.store } : {}),
      });
    } finally {
      await opened?.dispose();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
