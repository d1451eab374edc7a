/*
 * Opens where state lives, as the config says: the JSON file (the embedded default), or Redis,
 * and with `ha.enabled` the leader lease beside it (issue 16). ioredis is loaded only for Redis,
 * so a user who configures nothing never loads it.
 *
 * Redis unreachable at start: the bot says so once and keeps trying (ioredis reconnects with
 * backoff); the store opens when Redis answers. A stop asked for meanwhile ends the wait.
 */
import { hostname } from 'node:os';
import type { Config } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { openRedisStore, type RedisStore } from '../store/redis-store.js';
import { openStore, type Store } from '../store/store.js';
import { createLeaderLease, type LeaderLease } from './leader-lease.js';

export interface SharedState {
  store: Store;
  /** Reloads the store from Redis (a standby taking over); a no-op for the file store. */
  reload(): Promise<void>;
  /** The leader lease, when `ha.enabled`. */
  lease: LeaderLease | undefined;
  /** This instance's name (`ha.instance_id`, else the host name). */
  instanceId: string;
  /** Closes the Redis connections (after the store's own close). */
  disconnect(): Promise<void>;
}

export interface SharedStateOptions {
  config: Config;
  logger: Logger;
  /** File store path override; null = in memory (demo, tests). */
  storePath: string | null;
  /** Recorded in the Redis store as `written_by`. */
  writtenBy: string;
  /** Resolves when the app should stop: ends a wait for Redis. */
  stopRequested?: Promise<unknown>;
}

/** Thrown when a stop was asked for while waiting for Redis at start. */
export class StoppedWhileStarting extends Error {
  override name = 'StoppedWhileStarting';
}

/** "connect ECONNREFUSED 127.0.0.1:6379": ioredis's reasons name host and port, never the password. */
function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function openSharedState(options: SharedStateOptions): Promise<SharedState> {
  const { config, logger } = options;
  const instanceId = config.ha.instance_id ?? hostname();
  if (config.store.type === 'file') {
    const store = await openStore({
      path: options.storePath,
      logger,
      auditMaxEntries: config.store.audit_max_entries,
    });
    return { store, reload: async () => {}, lease: undefined, instanceId, disconnect: async () => {} };
  }

  const url = config.store.url as string;
  const { Redis } = await import('ioredis');
  const log = logger.child({ store: 'redis' });
  // The store's connection queues writes while Redis is away and sends them, in order, when it
  // returns; the lease's connection fails at once instead, so a leader notices in time.
  const storeClient = new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(200 * times, 2_000),
  });
  const leaseClient = config.ha.enabled
    ? new Redis(url, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy: (times) => Math.min(100 * times, 1_000),
      })
    : undefined;
  let lastProblem: string | undefined;
  storeClient.on('error', (error: unknown) => {
    const reason = reasonOf(error);
    if (reason !== lastProblem) log.warn({ reason }, 'Redis is unreachable; retrying');
    lastProblem = reason;
  });
  storeClient.on('ready', () => {
    if (lastProblem !== undefined) log.info('Redis is reachable again');
    lastProblem = undefined;
  });
  leaseClient?.on('error', () => {
    // Reported by the store connection and by the lease itself; one line per problem is enough.
  });
  const disconnect = async () => {
    storeClient.disconnect();
    leaseClient?.disconnect();
  };

  let store: RedisStore;
  try {
    const opening = openRedisStore({
      redis: storeClient,
      keyPrefix: config.store.key_prefix,
      logger,
      auditMaxEntries: config.store.audit_max_entries,
      writtenBy: options.writtenBy,
      ...(config.ha.enabled ? { fence: { leaseKey: `${config.store.key_prefix}leader`, instanceId } } : {}),
    });
    const stopped = options.stopRequested?.then(() => {
      throw new StoppedWhileStarting('stopped while waiting for Redis');
    });
    stopped?.catch(() => undefined);
    store = await (stopped ? Promise.race([opening, stopped]) : opening);
  } catch (error) {
    await disconnect();
    throw error;
  }
  log.info({ key_prefix: config.store.key_prefix, ha: config.ha.enabled }, 'state is kept in Redis');

  const lease = leaseClient
    ? createLeaderLease({
        redis: leaseClient,
        key: `${config.store.key_prefix}leader`,
        instanceId,
        leaseMs: config.ha.lease_ms,
        logger,
      })
    : undefined;
  return { store, reload: () => store.reload(), lease, instanceId, disconnect };
}
