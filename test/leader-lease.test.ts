/*
 * The leader lease against a real redis-server: one leader at a time, a clean stop hands over at
 * once, a vanished leader is replaced within lease + 2 s, and a leader that loses Redis steps down
 * before its key could expire. The invariant "never two leaders" is sampled every 10 ms.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createLeaderLease, type LeaderLease } from '../src/ha/leader-lease.js';
import { createSilentLogger } from '../src/logger.js';
import { describeWithRedis, type RedisServer, startRedisServer } from './support/redis-server.js';
import { waitFor } from './support/wait-for.js';

const LEASE_MS = 1_500;
const KEY = 'ftchatops-test:leader';

describeWithRedis('leader lease on a real Redis', () => {
  let redis: RedisServer;
  const clients: Redis[] = [];
  const leases: LeaderLease[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.dispose();
  });
  afterEach(async () => {
    await Promise.all(leases.splice(0).map((lease) => lease.stop()));
    for (const client of clients.splice(0)) client.disconnect();
    await redis.start();
    const admin = new Redis(redis.url);
    await admin.flushall();
    admin.disconnect();
  });

  const client = () => {
    // As production builds it: no offline queue, so a call to a vanished Redis fails at once.
    const made = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    made.on('error', () => {});
    clients.push(made);
    return made;
  };

  const lease = (instanceId: string, redisClient = client()) => {
    const made = createLeaderLease({
      redis: redisClient,
      key: KEY,
      instanceId,
      leaseMs: LEASE_MS,
      logger: createSilentLogger(),
    });
    leases.push(made);
    return made;
  };

  /** Samples who leads every 10 ms; `overlaps` counts samples where both claimed to lead. */
  const watch = (a: LeaderLease, b: LeaderLease) => {
    const seen = { overlaps: 0, samples: 0 };
    const timer = setInterval(() => {
      seen.samples += 1;
      if (a.isLeader() && b.isLeader()) seen.overlaps += 1;
    }, 10);
    return { seen, stop: () => clearInterval(timer) };
  };

  const connected = async (redisClient: Redis) => {
    if (redisClient.status !== 'ready') await new Promise((resolve) => redisClient.once('ready', resolve));
  };

  it('exactly one of two instances leads, and Redis names it', async () => {
    const a = lease('host-a');
    const b = lease('host-b');
    await Promise.all(clients.map(connected));
    const sampler = watch(a, b);
    a.start();
    b.start();
    await waitFor(() => a.isLeader() || b.isLeader(), 3_000, 'a leader');
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 1.5));
    sampler.stop();
    expect(sampler.seen.overlaps).toBe(0);
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    expect(await a.holder()).toBe(a.isLeader() ? 'host-a' : 'host-b');
  });

  it('a clean stop releases the lease and the standby leads within a second', async () => {
    const a = lease('host-a');
    await connected(clients[0] as Redis);
    a.start();
    await waitFor(() => a.isLeader(), 3_000, 'a leads');
    const b = lease('host-b');
    await connected(clients[1] as Redis);
    b.start();
    const lost: string[] = [];
    a.on('lost', ({ reason }) => lost.push(reason));
    const stoppedAt = Date.now();
    await a.stop();
    await waitFor(() => b.isLeader(), 2_000, 'b leads');
    expect(Date.now() - stoppedAt).toBeLessThan(1_500);
    expect(lost).toEqual(['stopping']);
  });

  it('a leader cut off from Redis steps down before its key expires; the standby takes over within lease + 2 s', async () => {
    const aClient = client();
    const a = lease('host-a', aClient);
    const b = lease('host-b');
    await Promise.all(clients.map(connected));
    a.start();
    await waitFor(() => a.isLeader(), 3_000, 'a leads');
    b.start();
    const sampler = watch(a, b);
    let aSteppedDownAt = 0;
    a.on('lost', () => {
      aSteppedDownAt = Date.now();
    });
    let bLeadAt = 0;
    b.on('acquired', () => {
      bLeadAt = Date.now();
    });
    // host-a's network to Redis dies (its process lives on, still believing it may lead).
    const cutAt = Date.now();
    aClient.disconnect();
    await waitFor(() => b.isLeader(), LEASE_MS + 2_000, 'b takes over');
    sampler.stop();
    expect(sampler.seen.overlaps).toBe(0);
    expect(aSteppedDownAt).toBeGreaterThan(0);
    expect(aSteppedDownAt).toBeLessThan(bLeadAt);
    expect(aSteppedDownAt - cutAt).toBeLessThanOrEqual(LEASE_MS / 2 + 400);
    expect(bLeadAt - cutAt).toBeLessThanOrEqual(LEASE_MS + 2_000);
  });

  it('Redis killed: the leader steps down and nobody crashes; Redis back: one instance leads again', async () => {
    const a = lease('host-a');
    const b = lease('host-b');
    await Promise.all(clients.map(connected));
    a.start();
    b.start();
    await waitFor(() => a.isLeader() || b.isLeader(), 3_000, 'a leader');
    const killedAt = Date.now();
    await redis.kill();
    await waitFor(() => !a.isLeader() && !b.isLeader(), LEASE_MS, 'both step down');
    expect(Date.now() - killedAt).toBeLessThanOrEqual(LEASE_MS / 2 + 500);
    await redis.start(); // empty: the old key is gone with the process
    await waitFor(() => a.isLeader() || b.isLeader(), 8_000, 'a leader again');
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS / 2));
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
  });

  it('a leader whose key was taken over steps down at its next renewal', async () => {
    const a = lease('host-a');
    await connected(clients[0] as Redis);
    a.start();
    await waitFor(() => a.isLeader(), 3_000, 'a leads');
    const reasons: string[] = [];
    a.on('lost', ({ reason }) => reasons.push(reason));
    await (clients[0] as Redis).set(KEY, 'intruder', 'PX', 60_000);
    await waitFor(() => !a.isLeader(), LEASE_MS, 'a steps down');
    expect(reasons).toEqual(['another instance holds the lease']);
  });

  it('refuses a lease too short to renew safely', () => {
    expect(() =>
      createLeaderLease({
        redis: client(),
        key: KEY,
        instanceId: 'x',
        leaseMs: 100,
        logger: createSilentLogger(),
      }),
    ).toThrow(/at least 300/);
  });
});
