import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger.js';
import { DeliveryError } from '../errors.js';
import { type Reply, renderPlainText } from '../chat/reply.js';
import type { NotificationQueueStore, QueuedNotification } from '../store/notification-journal.js';

/** Where an outbox delivers: one chat, with its own pacing. */
export interface OutboxTarget {
  key: string;
  /** Least time between the end of one delivery and the start of the next to this chat. */
  minIntervalMs: number;
  send(reply: Reply): Promise<void>;
}

export interface OutboxOptions {
  logger: Logger;
  /** At most this many deliveries may start in any one second, across all chats (Telegram: 30). */
  globalPerSecond: number;
  /** Merge a chat's backlog into one message once this many are waiting (default 3). */
  mergeThreshold?: number;
  /** A merged message stays under this many plain-text characters (default 3500, under Telegram's 4096). */
  maxMergedChars?: number;
  /** First retry delay after a network failure; doubles up to 60 s (default 1000). */
  retryInitialMs?: number;
  /** A chat that refused for good is tried again after this long (an admin may have fixed it). Default 1 h. */
  reviveAfterMs?: number;
  /** Told once when a chat refuses delivery for good (bot removed): the chat is marked, not retried. */
  onPermanentFailure?(key: string, error: unknown): void;
  /** Told after every successful delivery (clears a failure mark). */
  onDelivered?(key: string): void;
  /** Told for every "slow down" answer (a DeliveryError with `retryAfterMs`) before the outbox waits it out. */
  onRateLimited?(key: string): void;
  now?: () => number;
  /**
   * Where queued notifications are kept until the platform accepted them (the store's durable
   * outbox): written when queued, dropped after the platform's 200. Without it they live in memory.
   */
  queueStore?: NotificationQueueStore;
}

/** Options of one `enqueue`. */
export interface EnqueueOptions {
  /**
   * The reply's final form, when it needs a moment more (a notification waiting for its signal
   * candle): `reply` is queued (and stored) at once, and this replaces it when it resolves. The
   * chat's queue waits for it, so order is kept; a rejection keeps `reply`.
   */
  ready?: Promise<Reply>;
  /** The trade event behind it, stored with it (see `QueuedNotification.about`). */
  about?: QueuedNotification['about'];
}

export interface OutboxStats {
  delivered: number;
  merged: number;
  retried: number;
  failedPermanently: number;
  /** Notifications the platform refused as malformed; logged as errors. */
  dropped: number;
  queued: number;
}

export interface Outbox {
  /** Queues a reply for a chat (stored first, when there is a queue store); never blocks, never drops. */
  enqueue(target: OutboxTarget, reply: Reply, options?: EnqueueOptions): void;
  /**
   * Queues a notification found in the queue store at start (queued before a restart or by the
   * previous leader): delivered like any other, in the order restored, and not stored again.
   */
  restore(target: OutboxTarget, queued: QueuedNotification): void;
  /** Resolves when every queue is empty (or a chat failed for good). */
  drain(): Promise<void>;
  stats(): OutboxStats;
  /** Notifications waiting or being delivered right now (a merged batch counts each one). */
  pending(): number;
  /** Stops delivering; what is still queued stays in the queue store (or, without one, is logged as lost). */
  stop(): void;
}

/** The platform refused this one message (malformed, too long): drop it, keep the chat going. */
function isRefusedMessage(error: unknown): boolean {
  return error instanceof DeliveryError && error.dropMessage;
}

/** The chat is gone for good (bot removed, channel deleted). */
function isPermanent(error: unknown): boolean {
  return error instanceof DeliveryError && error.permanent;
}

/** Joins several notifications into one message: titles kept as bold lines, a rule between them. */
export function mergeReplies(replies: Reply[]): Reply {
  if (replies.length === 1 && replies[0]) return replies[0];
  const blocks: Reply['blocks'] = [];
  replies.forEach((reply, index) => {
    if (index > 0) blocks.push({ kind: 'text', text: '────────' });
    if (reply.title) blocks.push({ kind: 'text', text: reply.title, style: 'bold' });
    blocks.push(...reply.blocks);
  });
  const tones = new Set(replies.map((reply) => reply.tone));
  return {
    blocks,
    parts: replies,
    silent: replies.every((reply) => reply.silent === true),
    ...(tones.size === 1 && replies[0]?.tone ? { tone: replies[0].tone } : {}),
  };
}

/**
 * Ids of queued notifications: the time, a counter shared by every outbox of the process (one per
 * platform: the same event queued for two platforms in one millisecond must not share an id) and a
 * random part (another process, or this one after a restart). They sort in the order queued.
 */
let queueIdSequence = 0;
const QUEUE_ID_SEQUENCE_SPAN = 36 ** 4;
function nextQueueId(nowMs: number): string {
  const sequence = (queueIdSequence++ % QUEUE_ID_SEQUENCE_SPAN).toString(36).padStart(4, '0');
  return `${nowMs.toString(36).padStart(9, '0')}-${sequence}-${randomBytes(4).toString('hex')}`;
}

/** One queued notification: its id in the queue store, and its reply (final once `ready` is gone). */
interface QueueItem {
  id: string;
  atMs: number;
  reply: Reply;
  ready: Promise<Reply> | undefined;
  about: QueuedNotification['about'];
}

/** A stored reply read back at start: a Reply's shape, else undefined. */
function storedReply(value: unknown): Reply | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const blocks = (value as { blocks?: unknown }).blocks;
  return Array.isArray(blocks) ? (value as Reply) : undefined;
}

interface ChatQueue {
  target: OutboxTarget;
  items: QueueItem[];
  busy: boolean;
  nextAllowedAtMs: number;
  failures: number;
  dead: boolean;
  deadSinceMs: number;
  /** The message being delivered, kept as is across retries so a sender can resume where it stopped. */
  batch: { reply: Reply; count: number; ids: string[] } | undefined;
}

/**
 * Per-chat queues that pace deliveries from the platform's answers (not from when a message
 * left the queue), respect a global per-second budget, wait out 429s, retry network failures
 * with backoff, keep order within a chat, and merge a growing backlog into fewer messages.
 */
export function createOutbox(options: OutboxOptions): Outbox {
  const now = options.now ?? Date.now;
  const mergeThreshold = options.mergeThreshold ?? 3;
  const maxMergedChars = options.maxMergedChars ?? 3500;
  const retryInitialMs = options.retryInitialMs ?? 1000;
  const queues = new Map<string, ChatQueue>();
  // Global budget, counted the way the platform counts: a delivery occupies a slot from the
  // moment it starts until one second after the platform answered it (a late-arriving wave
  // must not overlap the next one in the platform's one-second window).
  let inFlight = 0;
  const recentAnswers: number[] = [];
  let globalPausedUntilMs = 0;
  let stopped = false;
  const stats = { delivered: 0, merged: 0, retried: 0, failedPermanently: 0, dropped: 0 };
  let idleWaiters: Array<() => void> = [];
  const timers = new Set<NodeJS.Timeout>();
  const queueStore = options.queueStore;
  const nextId = () => nextQueueId(now());
  /** Forgets delivered (or deliberately dropped) items in the queue store. */
  const forget = (ids: string[]) => {
    if (queueStore && ids.length > 0) queueStore.dropQueuedNotifications(ids);
  };

  const later = (fn: () => void, ms: number) => {
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        fn();
      },
      Math.max(0, ms),
    );
    timers.add(timer);
  };

  const queuedCount = () => {
    let count = 0;
    for (const queue of queues.values()) if (!queue.dead) count += queue.items.length + (queue.busy ? 1 : 0);
    return count;
  };

  const checkIdle = () => {
    if (queuedCount() > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  /** How long until the global budget lets one more delivery start (a short poll while only in-flight ones hold it). */
  const globalWaitMs = (t: number): number => {
    while (recentAnswers.length && (recentAnswers[0] as number) <= t - 1000) recentAnswers.shift();
    const pause = Math.max(0, globalPausedUntilMs - t);
    if (inFlight + recentAnswers.length < options.globalPerSecond) return pause;
    const oldestAnswer = recentAnswers[0];
    return Math.max(pause, oldestAnswer !== undefined ? oldestAnswer + 1000 - t : 20);
  };

  const answered = () => {
    inFlight -= 1;
    recentAnswers.push(now());
  };

  /**
   * Takes the next message of a chat: the head alone, or the backlog merged within the length
   * limit, never past an item still waiting for its final form.
   */
  const takeNext = (queue: ChatQueue): { reply: Reply; count: number; ids: string[] } => {
    const readyCount = queue.items.findIndex((item) => item.ready !== undefined);
    const available = readyCount === -1 ? queue.items : queue.items.slice(0, readyCount);
    const head = available[0] as QueueItem;
    if (available.length < mergeThreshold) return { reply: head.reply, count: 1, ids: [head.id] };
    const batch: QueueItem[] = [];
    let chars = 0;
    for (const item of available) {
      const length = renderPlainText(item.reply).length + 12;
      if (batch.length > 0 && chars + length > maxMergedChars) break;
      batch.push(item);
      chars += length;
    }
    return {
      reply: mergeReplies(batch.map((item) => item.reply)),
      count: batch.length,
      ids: batch.map((item) => item.id),
    };
  };

  const pump = (queue: ChatQueue) => {
    if (stopped || queue.busy || queue.dead || queue.items.length === 0) return;
    // The head waits for its final form (it pumps again when that arrives).
    if (!queue.batch && queue.items[0]?.ready !== undefined) return;
    const t = now();
    const wait = Math.max(queue.nextAllowedAtMs - t, globalWaitMs(t));
    if (wait > 0) {
      queue.busy = true;
      later(() => {
        queue.busy = false;
        pump(queue);
      }, wait);
      return;
    }
    queue.batch ??= takeNext(queue);
    const { reply, count, ids } = queue.batch;
    queue.busy = true;
    inFlight += 1;
    queue.target.send(reply).then(
      () => {
        answered();
        queue.batch = undefined;
        queue.items.splice(0, count);
        forget(ids);
        if (count > 1) stats.merged += count - 1;
        stats.delivered += 1;
        queue.failures = 0;
        queue.busy = false;
        queue.nextAllowedAtMs = now() + queue.target.minIntervalMs;
        options.onDelivered?.(queue.target.key);
        pump(queue);
        checkIdle();
      },
      (error: unknown) => {
        answered();
        queue.busy = false;
        if (isPermanent(error)) {
          queue.dead = true;
          queue.deadSinceMs = now();
          stats.failedPermanently += 1;
          options.logger.error(
            {
              chat: queue.target.key,
              dropped: queue.items.length,
              err: error instanceof Error ? error.message : String(error),
            },
            'chat refuses notifications for good; marked and no longer retried',
          );
          forget(queue.items.map((item) => item.id));
          queue.items = [];
          queue.batch = undefined;
          options.onPermanentFailure?.(queue.target.key, error);
          checkIdle();
          return;
        }
        if (isRefusedMessage(error)) {
          // Retrying the same bytes would fail forever and hold back everything queued behind them.
          queue.batch = undefined;
          queue.items.splice(0, count);
          forget(ids);
          stats.dropped += count;
          options.logger.error(
            {
              chat: queue.target.key,
              notifications: count,
              err: error instanceof Error ? error.message : String(error),
            },
            'the platform refused a notification; dropped it and kept the chat going',
          );
          pump(queue);
          checkIdle();
          return;
        }
        stats.retried += 1;
        // Each adapter turns its platform's "slow down" into DeliveryError.retryAfterMs.
        const retryAfterMs = error instanceof DeliveryError ? error.retryAfterMs : undefined;
        if (retryAfterMs !== undefined) {
          // A 429 is about our pace: hold this chat and the global budget for the time asked.
          queue.nextAllowedAtMs = now() + retryAfterMs;
          globalPausedUntilMs = Math.max(globalPausedUntilMs, now() + Math.min(retryAfterMs, 1000));
          options.onRateLimited?.(queue.target.key);
          options.logger.warn(
            { chat: queue.target.key, retryAfterMs },
            'rate limited; waiting before the next message',
          );
        } else {
          queue.failures += 1;
          const delayMs = Math.min(60_000, retryInitialMs * 2 ** Math.min(queue.failures - 1, 6));
          queue.nextAllowedAtMs = now() + delayMs;
          options.logger.warn(
            {
              chat: queue.target.key,
              attempt: queue.failures,
              retryInMs: delayMs,
              err: error instanceof Error ? error.message : String(error),
            },
            'notification delivery failed; will retry',
          );
        }
        pump(queue);
      },
    );
  };

  /** The queue of a chat, made on first use; undefined (and logged) when the chat refuses notifications. */
  const queueOf = (target: OutboxTarget): ChatQueue | undefined => {
    let queue = queues.get(target.key);
    if (!queue) {
      queue = {
        target,
        items: [],
        busy: false,
        nextAllowedAtMs: 0,
        failures: 0,
        dead: false,
        deadSinceMs: 0,
        batch: undefined,
      };
      queues.set(target.key, queue);
    }
    if (queue.dead && now() - queue.deadSinceMs >= (options.reviveAfterMs ?? 3_600_000)) {
      queue.dead = false;
      options.logger.info({ chat: target.key }, 'trying a chat again that refused notifications before');
    }
    if (queue.dead) {
      options.logger.debug({ chat: target.key }, 'notification not queued: chat marked as failed');
      return undefined;
    }
    queue.target = target;
    return queue;
  };

  /** Stores an item (again, under the same id, once its final form is known). */
  const store = (key: string, item: QueueItem) =>
    queueStore?.queueNotification({
      id: item.id,
      chat_key: key,
      at_ms: item.atMs,
      reply: item.reply,
      ...(item.about ? { about: item.about } : {}),
    });

  const whenReady = (queue: ChatQueue, item: QueueItem, ready: Promise<Reply>) => {
    ready
      .then(
        (reply) => {
          item.reply = reply;
          if (queue.items.includes(item)) store(queue.target.key, item);
        },
        (error: unknown) =>
          options.logger.warn(
            { chat: queue.target.key, err: error instanceof Error ? error.message : String(error) },
            'a notification could not be completed; sending it as first written',
          ),
      )
      .finally(() => {
        item.ready = undefined;
        pump(queue);
        checkIdle();
      });
  };

  return {
    enqueue(target, reply, enqueueOptions = {}) {
      const queue = queueOf(target);
      if (!queue) return;
      const item: QueueItem = {
        id: nextId(),
        atMs: now(),
        reply,
        ready: enqueueOptions.ready,
        about: enqueueOptions.about,
      };
      // Stored before anything else happens: from here a crash cannot lose it.
      store(target.key, item);
      queue.items.push(item);
      if (item.ready) whenReady(queue, item, item.ready);
      pump(queue);
    },
    restore(target, queued) {
      const reply = storedReply(queued.reply);
      const queue = reply ? queueOf(target) : undefined;
      if (!reply || !queue) {
        options.logger.warn(
          { chat: target.key, id: queued.id },
          'dropped a stored notification that cannot be sent',
        );
        forget([queued.id]);
        return;
      }
      queue.items.push({ id: queued.id, atMs: queued.at_ms, reply, ready: undefined, about: queued.about });
      pump(queue);
    },
    drain() {
      if (queuedCount() === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    stats() {
      return { ...stats, queued: queuedCount() };
    },
    pending() {
      let count = 0;
      for (const queue of queues.values()) if (!queue.dead) count += queue.items.length;
      return count;
    },
    stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const left = queuedCount();
      if (left > 0 && queueStore) {
        options.logger.info(
          { queued: left },
          'stopping with undelivered notifications; they are kept for the next start',
        );
      } else if (left > 0) {
        options.logger.warn({ queued: left }, 'stopping with undelivered notifications');
      }
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    },
  };
}
