/*
 * The store on Redis, for operators who run a standby instance on a second machine (issue 16).
 * Reads are served from an in-memory copy loaded at open (and again by `reload()` when a standby
 * takes over); each mutation writes its one key, in order, on one connection, so a crash loses at
 * most a suffix of the writes and never reorders them. With a fence (HA), every write first checks
 * in the same Lua script that this instance still holds the leader lease: a deposed leader's late
 * writes are refused by Redis itself.
 *
 * Key layout (version 1), under `key_prefix`:
 *   meta              hash   layout, written_by
 *   chats             hash   chat key → ChatState JSON
 *   audit:actions     list   AuditEntry JSON, oldest first, capped at audit_max_entries
 *   audit:refusals    list   AuditEntry JSON, oldest first, capped at 500
 *   nonces            hash   nonce key → last nonce; only ever raised (an atomic max)
 *   seen              hash   bot → SeenTrades JSON
 *   confirmations     hash   button id → a confirmation prompt not yet answered (JSON)
 *   cursors           hash   platform → last update taken in (and when)
 *   outbox:order      zset   queued notification id, scored by the time it was queued
 *   outbox:entries    hash   queued notification id → QueuedNotification JSON
 *   corrupt           hash   values that did not parse at load, kept aside with the time
 */
import type { Logger } from '../logger.js';
import { StoreLayoutError } from '../errors.js';
import {
  type AuditEntry,
  auditEntrySchema,
  chatStateSchema,
  emptyStoreData,
  pendingConfirmationSchema,
  type StoreData,
  seenTradesSchema,
} from './schema.js';
import { type QueuedNotification, queuedNotificationSchema } from './notification-journal.js';
import { createStoreOperations, type StoreChange } from './state-operations.js';
import type { Store } from './store.js';

/** The key layout this version reads and writes. A store with a higher layout is refused. */
export const REDIS_LAYOUT_VERSION = 1;

/** The subset of an ioredis client the store uses. */
export interface StoreRedisClient {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  hgetall(key: string): Promise<Record<string, string>>;
  zrange(key: string, start: number, stop: number): Promise<string[]>;
  lrange(key: string, start: number, stop: number): Promise<string[]>;
}

export interface RedisStoreOptions {
  redis: StoreRedisClient;
  /** Every key starts with this, e.g. `ftchatops:`. */
  keyPrefix: string;
  logger: Logger;
  auditMaxEntries: number;
  /** This program's version, recorded as `written_by`. */
  writtenBy: string;
  /** When set, writes land only while `instanceId` holds the lease at `leaseKey`. */
  fence?: { leaseKey: string; instanceId: string };
}

export interface RedisStore extends Store {
  /** Loads the state from Redis again (a standby that takes over reads what the old leader wrote). */
  reload(): Promise<void>;
}

/** Refuses the write when a fence is set and this instance no longer holds the lease. */
const FENCE_CHECK = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('FENCED this instance no longer holds the leader lease')
end
`;

const HSET_SCRIPT = `${FENCE_CHECK}
return redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])`;

const AUDIT_SCRIPT = `${FENCE_CHECK}
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
return 1`;

const HDEL_SCRIPT = `${FENCE_CHECK}
return redis.call('HDEL', KEYS[2], ARGV[2])`;

/** Nonces only ever rise, whichever instance writes: an atomic max. */
const NONCE_SCRIPT = `${FENCE_CHECK}
local current = tonumber(redis.call('HGET', KEYS[2], ARGV[2]))
if current == nil or tonumber(ARGV[3]) > current then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
end
return 1`;

/** Queues a notification: its body and its place in the order, together. */
const QUEUE_SCRIPT = `${FENCE_CHECK}
redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return 1`;

/** Forgets delivered notifications (ids in ARGV[2..]). */
const DROP_SCRIPT = `${FENCE_CHECK}
for i = 2, #ARGV do
  redis.call('ZREM', KEYS[2], ARGV[i])
  redis.call('HDEL', KEYS[3], ARGV[i])
end
return 1`;

/** Claims an empty prefix for this layout, or reports the layout found. */
const CLAIM_LAYOUT_SCRIPT = `
local layout = redis.call('HGET', KEYS[1], 'layout')
if not layout then
  redis.call('HSET', KEYS[1], 'layout', ARGV[1], 'written_by', ARGV[2])
  return ARGV[1]
end
return layout`;

/** Merges the two audit lists (each oldest first) into one, by time; actions first on a tie. */
function mergeAudit(actions: AuditEntry[], refusals: AuditEntry[]): AuditEntry[] {
  const merged: AuditEntry[] = [];
  let a = 0;
  let r = 0;
  while (a < actions.length || r < refusals.length) {
    const action = actions[a];
    const refusal = refusals[r];
    if (action && (!refusal || action.at <= refusal.at)) {
      merged.push(action);
      a += 1;
    } else if (refusal) {
      merged.push(refusal);
      r += 1;
    }
  }
  return merged;
}

export async function openRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  const { redis, keyPrefix: prefix, logger } = options;
  const key = (name: string) => `${prefix}${name}`;
  const fenceKey = options.fence?.leaseKey ?? key('leader');
  const fenceOwner = options.fence?.instanceId ?? '';

  const layout = String(
    await redis.eval(CLAIM_LAYOUT_SCRIPT, 1, key('meta'), REDIS_LAYOUT_VERSION, options.writtenBy),
  );
  if (Number(layout) !== REDIS_LAYOUT_VERSION) {
    throw new StoreLayoutError(
      `the Redis store under "${prefix}" has key layout ${layout}, but this version reads layout ${REDIS_LAYOUT_VERSION} ` +
        '(written by a different version of freqtrade-chatops); refusing to touch it. Upgrade, or use another key_prefix.',
    );
  }

  const data: StoreData = emptyStoreData();
  const queued = new Map<string, QueuedNotification>();
  let pending: Promise<void> = Promise.resolve();
  let closed = false;

  const keepAside = (field: string, raw: string, why: string) => {
    logger.warn(
      { key: key(field.split(':')[0] ?? field), field, reason: why },
      'a stored value did not parse; kept it aside and started that entry fresh',
    );
    write(HSET_SCRIPT, key('corrupt'), `${field}@${new Date().toISOString()}`, raw);
  };

  const parseJson = (raw: string): unknown => {
    try {
      return JSON.parse(raw);
    } catch {
      return undefined;
    }
  };

  const load = async () => {
    const [chats, actions, refusals, nonces, seen, queueOrder, queueEntries, confirmations, cursors] =
      await Promise.all([
        redis.hgetall(key('chats')),
        redis.lrange(key('audit:actions'), 0, -1),
        redis.lrange(key('audit:refusals'), 0, -1),
        redis.hgetall(key('nonces')),
        redis.hgetall(key('seen')),
        redis.zrange(key('outbox:order'), 0, -1),
        redis.hgetall(key('outbox:entries')),
        redis.hgetall(key('confirmations')),
        redis.hgetall(key('cursors')),
      ]);
    queued.clear();
    for (const id of queueOrder) {
      const raw = queueEntries[id];
      if (raw === undefined) continue;
      const parsed = queuedNotificationSchema.safeParse(parseJson(raw));
      if (parsed.success) queued.set(id, parsed.data);
      else {
        keepAside(`outbox:${id}`, raw, parsed.error.issues[0]?.message ?? 'not JSON');
        writeKeys(DROP_SCRIPT, [key('outbox:order'), key('outbox:entries')], id);
      }
    }
    const fresh = emptyStoreData();
    for (const [chatKey, raw] of Object.entries(chats)) {
      const parsed = chatStateSchema.safeParse(parseJson(raw));
      if (parsed.success) fresh.chats[chatKey] = parsed.data;
      else keepAside(`chats:${chatKey}`, raw, parsed.error.issues[0]?.message ?? 'not JSON');
    }
    const auditOf = (raws: string[], list: string) =>
      raws.flatMap((raw, index) => {
        const parsed = auditEntrySchema.safeParse(parseJson(raw));
        if (parsed.success) return [parsed.data];
        keepAside(`${list}:${index}`, raw, parsed.error.issues[0]?.message ?? 'not JSON');
        return [];
      });
    fresh.audit = mergeAudit(auditOf(actions, 'audit:actions'), auditOf(refusals, 'audit:refusals'));
    for (const [nonceKey, raw] of Object.entries(nonces)) {
      const nonce = Number(raw);
      if (Number.isFinite(nonce)) fresh.nonces[nonceKey] = nonce;
      else keepAside(`nonces:${nonceKey}`, raw, 'not a number');
    }
    for (const [bot, raw] of Object.entries(seen)) {
      const parsed = seenTradesSchema.safeParse(parseJson(raw));
      if (parsed.success) fresh.seen_trades[bot] = parsed.data;
      else keepAside(`seen:${bot}`, raw, parsed.error.issues[0]?.message ?? 'not JSON');
    }
    for (const [id, raw] of Object.entries(confirmations)) {
      const parsed = pendingConfirmationSchema.safeParse(parseJson(raw));
      if (parsed.success) fresh.pending_confirmations[id] = parsed.data;
      else keepAside(`confirmations:${id}`, raw, parsed.error.issues[0]?.message ?? 'not JSON');
    }
    for (const [name, raw] of Object.entries(cursors)) {
      const value = Number(raw);
      if (Number.isFinite(value)) fresh.cursors[name] = value;
      else keepAside(`cursors:${name}`, raw, 'not a number');
    }
    // Replace the contents, not the object: the operations hold `data`.
    Object.assign(data, fresh);
  };

  function write(script: string, target: string, ...args: Array<string | number>): void {
    writeKeys(script, [target], ...args);
  }

  function writeKeys(script: string, targets: string[], ...args: Array<string | number>): void {
    if (closed) return;
    const target = targets.join(' ');
    // Sent now, in order, on the one connection: Redis applies the writes in the order made.
    const sent = redis.eval(script, 1 + targets.length, fenceKey, ...targets, fenceOwner, ...args);
    // Only the newest write is held: Redis answers in order on one connection, so when it has
    // answered, every earlier one has too.
    pending = sent.then(
      () => undefined,
      (error: unknown) => reportWriteError(error, target),
    );
  }

  const reportWriteError = (error: unknown, target: string) => {
    const message = error instanceof Error ? error.message : String(error);
    if (message.includes('FENCED')) {
      logger.warn({ key: target }, 'a write was refused: this instance no longer leads');
    } else {
      logger.error({ key: target, reason: message }, 'could not write to the Redis store');
    }
  };

  const persist = (change: StoreChange) => {
    switch (change.kind) {
      case 'chat':
        write(HSET_SCRIPT, key('chats'), change.key, JSON.stringify(data.chats[change.key]));
        return;
      case 'audit':
        write(
          AUDIT_SCRIPT,
          key(change.refusal ? 'audit:refusals' : 'audit:actions'),
          JSON.stringify(change.entry),
          change.cap,
        );
        return;
      case 'nonce':
        write(NONCE_SCRIPT, key('nonces'), change.key, change.nonce);
        return;
      case 'seen':
        write(HSET_SCRIPT, key('seen'), change.bot, JSON.stringify(data.seen_trades[change.bot]));
        return;
      case 'confirmation':
        if (change.dropped) write(HDEL_SCRIPT, key('confirmations'), change.id);
        else
          write(
            HSET_SCRIPT,
            key('confirmations'),
            change.id,
            JSON.stringify(data.pending_confirmations[change.id]),
          );
        return;
      case 'cursor':
        write(HSET_SCRIPT, key('cursors'), change.name, change.value);
        return;
    }
  };

  await load();

  return {
    ...createStoreOperations(data, options.auditMaxEntries, persist),
    queueNotification(entry) {
      queued.set(entry.id, entry);
      writeKeys(
        QUEUE_SCRIPT,
        [key('outbox:order'), key('outbox:entries')],
        entry.id,
        entry.at_ms,
        JSON.stringify(entry),
      );
    },
    dropQueuedNotifications(ids) {
      const known = ids.filter((id) => queued.delete(id));
      if (known.length === 0) return;
      writeKeys(DROP_SCRIPT, [key('outbox:order'), key('outbox:entries')], ...known);
    },
    queuedNotifications() {
      return [...queued.values()];
    },
    async reload() {
      await pending;
      await load();
    },
    async flush() {
      await pending;
    },
    async close() {
      closed = true;
      await pending;
    },
  };
}
