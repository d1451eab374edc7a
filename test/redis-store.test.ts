/*
 * The Redis store against a real redis-server: state outlives the process, the audit caps hold,
 * nonces only rise whoever writes, a deposed leader's writes are refused by Redis, a corrupt value
 * is kept aside, and a store written with another key layout is refused untouched.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { StoreLayoutError } from '../src/errors.js';
import { createSilentLogger } from '../src/logger.js';
import { openRedisStore, type RedisStoreOptions } from '../src/store/redis-store.js';
import { REFUSALS_KEPT } from '../src/store/store.js';
import { describeWithRedis, type RedisServer, startRedisServer } from './support/redis-server.js';

const PREFIX = 'ftchatops-test:';

describeWithRedis('Redis store on a real Redis', () => {
  let server: RedisServer;
  const clients: Redis[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server.dispose();
  });
  afterEach(async () => {
    const admin = new Redis(server.url);
    await admin.flushall();
    admin.disconnect();
    for (const client of clients.splice(0)) client.disconnect();
  });

  const client = () => {
    const made = new Redis(server.url);
    clients.push(made);
    return made;
  };

  const open = (extra: Partial<RedisStoreOptions> = {}) =>
    openRedisStore({
      redis: client(),
      keyPrefix: PREFIX,
      logger: createSilentLogger(),
      auditMaxEntries: 10,
      writtenBy: 'test',
      ...extra,
    });

  it('what one instance writes, the next one reads', async () => {
    const first = await open();
    first.updateChat('telegram:1', (chat) => {
      chat.current_bot = 'alpha';
      chat.muted_until_ms = 123;
    });
    first.saveSeenTrades('alpha', {
      open_trade_ids: [3, 4],
      closed_trade_ids: [1, 2],
      updated_at_ms: 99,
      whitelist: ['BTC/USDT'],
    });
    first.saveNonce('gemini:abc', 1_000);
    first.appendAudit({
      platform: 'telegram',
      user_id: '1',
      chat_id: '1',
      bot: 'alpha',
      command: 'forceexit',
      args: '3',
      outcome: 'ok',
      at: '2026-12-03T00:00:00.000Z',
    });
    await first.close();

    const second = await open();
    expect(second.chat('telegram:1').current_bot).toBe('alpha');
    expect(second.chat('telegram:1').muted_until_ms).toBe(123);
    expect(second.seenTrades('alpha').open_trade_ids).toEqual([3, 4]);
    expect(second.lastNonce('gemini:abc')).toBe(1_000);
    expect(second.recentAudit(5)).toMatchObject([{ command: 'forceexit', outcome: 'ok' }]);
  });

  it('caps refusals apart from actions, and keeps their order across both lists', async () => {
    const store = await open();
    const at = (second: number) => `2026-12-03T00:00:${String(second).padStart(2, '0')}.000Z`;
    const entry = (second: number, outcome: 'ok' | 'denied') => ({
      platform: 'telegram',
      user_id: String(second),
      chat_id: '1',
      bot: null,
      command: outcome === 'ok' ? 'stop' : 'status',
      args: '',
      outcome,
      at: at(second),
    });
    store.appendAudit(entry(1, 'ok'));
    for (let i = 0; i < REFUSALS_KEPT + 20; i++)
      store.appendAudit({ ...entry(2, 'denied'), user_id: `s${i}` });
    store.appendAudit(entry(3, 'ok'));
    await store.flush();
    const reread = await open();
    expect(reread.refusalCount()).toBe(REFUSALS_KEPT);
    expect(reread.recentAudit(2, 'actions').map((e) => e.user_id)).toEqual(['3', '1']);
    expect(reread.recentAudit(1, 'all')[0]?.user_id).toBe('3');
    expect(reread.recentAudit(REFUSALS_KEPT + 2, 'all').at(-1)?.user_id).toBe('1');
  });

  it('a nonce never goes down, even when an older instance writes a lower one later', async () => {
    const a = await open();
    const b = await open();
    a.saveNonce('gemini:key', 500);
    await a.flush();
    b.saveNonce('gemini:key', 400); // b's memory was loaded before a's write
    await b.flush();
    expect((await open()).lastNonce('gemini:key')).toBe(500);
  });

  it('with a fence, writes land only while this instance holds the lease', async () => {
    const admin = client();
    const leaseKey = `${PREFIX}leader`;
    await admin.set(leaseKey, 'host-a');
    const store = await open({ fence: { leaseKey, instanceId: 'host-a' } });
    store.updateChat('telegram:1', (chat) => {
      chat.current_bot = 'alpha';
    });
    await store.flush();
    await admin.set(leaseKey, 'host-b');
    store.updateChat('telegram:1', (chat) => {
      chat.current_bot = 'beta';
    });
    await store.flush();
    expect((await open()).chat('telegram:1').current_bot).toBe('alpha');
  });

  it('reload() reads what another instance wrote meanwhile (a takeover)', async () => {
    const standby = await open();
    const leader = await open();
    leader.updateChat('discord:9', (chat) => {
      chat.bots = ['alpha'];
    });
    await leader.flush();
    expect(standby.hasChat('discord:9')).toBe(false);
    await standby.reload();
    expect(standby.chat('discord:9').bots).toEqual(['alpha']);
  });

  it('a value that does not parse is kept aside and that entry starts fresh', async () => {
    const admin = client();
    await (await open()).close();
    await admin.hset(
      `${PREFIX}chats`,
      'telegram:5',
      '{not json',
      'telegram:6',
      JSON.stringify({ current_bot: 'x' }),
    );
    const store = await open();
    await store.flush();
    expect(store.hasChat('telegram:5')).toBe(false);
    expect(store.chat('telegram:6').current_bot).toBe('x');
    const corrupt = await admin.hgetall(`${PREFIX}corrupt`);
    expect(Object.values(corrupt)).toEqual(['{not json']);
    expect(Object.keys(corrupt)[0]).toMatch(/^chats:telegram:5@/);
  });

  it('a store with another key layout is refused and left untouched', async () => {
    const admin = client();
    await admin.hset(`${PREFIX}meta`, 'layout', '2', 'written_by', '9.9.9');
    await admin.hset(`${PREFIX}chats`, 'telegram:1', '{"future":true}');
    await expect(open()).rejects.toThrow(StoreLayoutError);
    await expect(open()).rejects.toThrow(/layout 2.*reads layout 1/);
    expect(await admin.hget(`${PREFIX}meta`, 'layout')).toBe('2');
    expect(await admin.hget(`${PREFIX}chats`, 'telegram:1')).toBe('{"future":true}');
  });

  it('queued notifications survive in order until dropped, and a takeover resumes them', async () => {
    const leader = await open();
    for (let n = 1; n <= 4; n++) {
      leader.queueNotification({
        id: `q-${n}`,
        chat_key: 'telegram:1',
        at_ms: 5_000,
        reply: { title: `#${n}`, blocks: [] },
      });
    }
    leader.dropQueuedNotifications(['q-2']);
    await leader.flush();
    const standby = await open();
    expect(standby.queuedNotifications().map((queued) => queued.id)).toEqual(['q-1', 'q-3', 'q-4']);
    expect(standby.queuedNotifications()[0]?.reply).toEqual({ title: '#1', blocks: [] });
    standby.dropQueuedNotifications(['q-1', 'q-3', 'q-4']);
    await standby.flush();
    expect((await open()).queuedNotifications()).toEqual([]);
  });

  it('a confirmation asked of one instance is answered once by the next; cursors carry over', async () => {
    const leader = await open();
    const confirmation = {
      kind: 'confirm' as const,
      command: 'forceexit',
      args: { trade_id: 'all' },
      bot: 'main',
      platform: 'telegram',
      chatId: '-1',
      threadId: null,
      ownerUserId: '7',
      expiresAtMs: Date.now() + 60_000,
      edit: true,
      snapshot: '1,2',
    };
    leader.savePendingConfirmation('abcdefghijklmnop', confirmation);
    leader.saveCursor('telegram', 4_242);
    await leader.flush();
    const next = await open();
    expect(next.pendingConfirmation('abcdefghijklmnop')).toEqual(confirmation);
    expect(next.cursor('telegram')).toBe(4_242);
    next.dropPendingConfirmation('abcdefghijklmnop');
    await next.flush();
    expect((await open()).pendingConfirmation('abcdefghijklmnop')).toBeUndefined();
  });
});
