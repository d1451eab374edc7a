import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithRedis, pingOnce, type RedisServer, startRedisServer } from './support/redis-server.js';

describeWithRedis('a private redis-server per test file', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.dispose();
  });

  it('answers on its own port, dies with kill -9 and comes back on the same port', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}/0`);
    expect(await pingOnce(redis.port)).toBe(true);
    await redis.kill();
    expect(await pingOnce(redis.port)).toBe(false);
    await redis.start();
    expect(await pingOnce(redis.port)).toBe(true);
    await redis.stop();
    expect(await pingOnce(redis.port)).toBe(false);
    await redis.start();
  });

  it('two servers never share a port', async () => {
    const other = await startRedisServer();
    try {
      expect(other.port).not.toBe(redis.port);
      expect(await pingOnce(other.port)).toBe(true);
    } finally {
      await other.dispose();
    }
  });
});
