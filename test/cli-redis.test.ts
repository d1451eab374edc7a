/*
 * `check-config` with the Redis store: it reaches the private redis-server and says so, reports an
 * unreachable Redis or a foreign key layout as a failure, and never prints the URL's password.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { type FakeFreqtrade, startFakeFreqtrade } from './fakes/fake-freqtrade.js';
import { closedPort } from './support/harness.js';
import { describeWithRedis, type RedisServer, startRedisServer } from './support/redis-server.js';

function io(env: NodeJS.ProcessEnv = {}) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  out.on('data', (chunk) => {
    stdout += String(chunk);
  });
  err.resume();
  return {
    io: { out, err, env, chartsAvailable: async () => ({ ok: true as const }) },
    stdout: () => stdout,
  };
}

describeWithRedis('check-config with the Redis store', () => {
  let redis: RedisServer;
  let fake: FakeFreqtrade;
  let dir: string;
  beforeAll(async () => {
    [redis, fake] = await Promise.all([startRedisServer(), startFakeFreqtrade({ password: 'pw' })]);
    dir = await mkdtemp(join(tmpdir(), 'ftc-cli-redis-'));
  });
  afterAll(async () => {
    await Promise.all([redis.dispose(), fake.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  const configWith = async (url: string) => {
    const path = join(dir, 'config.json');
    await writeFile(
      path,
      JSON.stringify({
        bots: [{ name: 'up', api_url: fake.url, username: 'freqtrader', password: 'pw' }],
        store: { type: 'redis', url, key_prefix: 'cli:' },
        ha: { enabled: true, lease_ms: 5000, instance_id: 'host-a' },
      }),
    );
    return path;
  };

  it('says the store is reachable', async () => {
    const run = io();
    expect(await runCli(['check-config', await configWith(redis.url)], run.io)).toBe(0);
    expect(run.stdout()).toContain(
      '✔ store: Redis reachable, empty (claimed at first start), ha on (lease 5000 ms)',
    );
  });

  it('reports an unreachable Redis and a foreign key layout as failures', async () => {
    const down = io();
    expect(
      await runCli(['check-config', await configWith(`redis://127.0.0.1:${await closedPort()}/0`)], down.io),
    ).toBe(1);
    expect(down.stdout()).toMatch(/✘ store: Redis: .*(ECONNREFUSED|connect)/);
    const admin = new Redis(redis.url);
    await admin.hset('cli:meta', 'layout', '2');
    admin.disconnect();
    const newer = io();
    expect(await runCli(['check-config', await configWith(redis.url)], newer.io)).toBe(1);
    expect(newer.stdout()).toContain('it holds key layout 2 under "cli:", this version reads layout 1');
  });
});
