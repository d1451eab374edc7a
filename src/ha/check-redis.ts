/*
 * `check-config`'s look at the Redis store: can it be reached, and does it hold a key layout this
 * version reads. Never prints the URL (it may carry a password): ioredis's reasons name host and
 * port only.
 */
import { REDIS_LAYOUT_VERSION } from '../store/redis-store.js';

export type RedisStoreCheck = { ok: true; layout: number | null } | { ok: false; reason: string };

export async function checkRedisStore(
  url: string,
  keyPrefix: string,
  timeoutMs: number,
): Promise<RedisStoreCheck> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  // The connection's own error says why ("connect ECONNREFUSED 127.0.0.1:6379"); the failed call
  // only says that the connection closed.
  let connectionError: string | undefined;
  client.on('error', (error: unknown) => {
    connectionError = error instanceof Error ? error.message : String(error);
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const layout = await Promise.race([
      (async () => {
        await client.connect();
        await client.ping();
        return client.hget(`${keyPrefix}meta`, 'layout');
      })(),
      deadline,
    ]);
    if (layout !== null && Number(layout) !== REDIS_LAYOUT_VERSION) {
      return {
        ok: false,
        reason: `it holds key layout ${layout} under "${keyPrefix}", this version reads layout ${REDIS_LAYOUT_VERSION}`,
      };
    }
    return { ok: true, layout: layout === null ? null : Number(layout) };
  } catch (error) {
    return { ok: false, reason: connectionError ?? (error instanceof Error ? error.message : String(error)) };
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
