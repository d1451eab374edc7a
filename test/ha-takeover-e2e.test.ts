/*
 * Issue 16, end to end: two compiled bot processes share one real Redis, the fake Telegram and the
 * fake Freqtrade. Only one polls (the fake Telegram answers 409 to overlapping pollers, as Telegram
 * does: any 409 in the run is a split brain). `kill -9` of the leader while 20 entries happen in
 * the gap: the standby leads within lease + 2 s and announces all 20, each exactly once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { type FakeFreqtrade, startFakeFreqtrade } from './fakes/fake-freqtrade.js';
import { type FakeTelegram, type SentMessage, startFakeTelegram } from './fakes/fake-telegram.js';
import { ensureDistBuilt } from './support/compiled.js';
import { type CompiledBot, compiledBotConfig, startCompiledBot } from './support/compiled-bot.js';
import { tradeFrame } from './support/frames.js';
import { buttonData, until } from './support/harness.js';
import { describeWithRedis, type RedisServer, startRedisServer } from './support/redis-server.js';
import { waitFor } from './support/wait-for.js';

const CHAT = -7070;
const LEASE_MS = 4_000;
const PREFIX = 'ha-test:';
const ENTRIES = 20;

describeWithRedis('two instances on one Redis: active/standby', () => {
  let redis: RedisServer;
  let dir: string;
  let telegram: FakeTelegram;
  let freqtrade: FakeFreqtrade;
  const instances: CompiledBot[] = [];

  beforeAll(async () => {
    await ensureDistBuilt();
    redis = await startRedisServer();
  }, 90_000);
  afterAll(async () => {
    await redis.dispose();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ftc-ha-'));
    [telegram, freqtrade] = await Promise.all([startFakeTelegram(), startFakeFreqtrade({ port: 0 })]);
  });
  afterEach(async () => {
    for (const instance of instances.splice(0)) {
      if (instance.child.exitCode === null && instance.child.signalCode === null)
        instance.child.kill('SIGKILL');
    }
    await Promise.all([telegram.close(), freqtrade.close()]);
    const admin = new Redis(redis.url);
    await admin.flushall();
    admin.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  async function startInstance(id: string): Promise<CompiledBot> {
    const instance = await startCompiledBot(
      join(dir, `${id}.json`),
      compiledBotConfig(freqtrade, telegram, CHAT, {
        store: { type: 'redis', key_prefix: PREFIX },
        ha: { enabled: true, lease_ms: LEASE_MS, instance_id: id },
      }),
      // The Redis URL comes from the environment, as an operator keeps a password out of the file.
      { cwd: dir, env: { FTCHATOPS__STORE__URL: redis.url } },
    );
    instances.push(instance);
    return instance;
  }

  const leads = (instance: CompiledBot) => instance.log().includes('leading: polling, listening and sending');
  const conflicts = () => telegram.calls.filter((call) => call.status === 409);

  /** How often each trade id was named in what reached the chat. */
  function countsByTrade(): Map<number, number> {
    const counts = new Map<number, number>();
    for (const message of telegram.messages.filter((sent) => sent.chat_id === String(CHAT))) {
      for (const match of message.text.matchAll(/\(#(\d+)\)/g)) {
        const tradeId = Number(match[1]);
        counts.set(tradeId, (counts.get(tradeId) ?? 0) + 1);
      }
    }
    return counts;
  }

  it('one polls; kill -9 of the leader: the standby leads within lease + 2 s and announces the 20 entries of the gap exactly once', async () => {
    const a = await startInstance('host-a');
    await until(() => leads(a), 20_000, 'host-a leads');
    const b = await startInstance('host-b');
    await until(() => b.log().includes('standing by for the lease'), 20_000, 'host-b stands by');
    // host-a has recorded the bot's trades (its first back-fill) in the shared store.
    await firstBackfillStored(redis);
    await until(() => telegram.calls.some((call) => call.method === 'getUpdates'), 10_000, 'polling');
    // A while of normal running: host-b must never poll, host-a never get a 409.
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS));
    expect(leads(b)).toBe(false);

    // host-a asks for a confirmation; it will be answered after the takeover.
    const opened = freqtrade.addTrade({ pair: 'SOL/USDT' });
    const promptsBefore = telegram.messages.length;
    telegram.sendText({ chatId: CHAT, userId: 7, text: `/forceexit ${opened}`, chatType: 'supergroup' });
    const [prompt] = (await telegram.waitForMessages(promptsBefore + 1, 10_000)).slice(promptsBefore);
    expect(prompt?.text).toContain(`Exit trade #${opened}`);

    a.kill();
    const killedAt = Date.now();
    // A command sent in the gap: Telegram keeps it, and the new leader answers it.
    telegram.sendText({ chatId: CHAT, userId: 7, text: '/count', chatType: 'supergroup' });
    // Nobody listens now: Freqtrade never replays these, so the new leader must find them itself.
    const ids: number[] = [];
    for (let n = 0; n < ENTRIES; n++) ids.push(freqtrade.addTrade({ pair: n % 2 ? 'ETH/USDT' : 'BTC/USDT' }));

    await until(() => leads(b), LEASE_MS + 2_000 + 1_000, 'host-b takes over');
    expect(Date.now() - killedAt).toBeLessThanOrEqual(LEASE_MS + 2_000 + 500);
    await until(() => ids.every((id) => countsByTrade().has(id)), 20_000, 'all 20 entries announced');
    // A moment more, so a second announcement would have arrived.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const counts = countsByTrade();
    expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
    // The command from the gap was answered by the new leader.
    await until(
      () => telegram.messages.some((message) => message.text.includes('Trade count')),
      10_000,
      'the /count from the gap answered',
    );
    // The confirmation asked of host-a works once, on host-b.
    const exits = () => freqtrade.requests.filter((request) => request.path === '/forceexit').length;
    const confirm = buttonData(prompt as SentMessage, 'Confirm');
    telegram.pressButton({
      chatId: CHAT,
      userId: 7,
      messageId: (prompt as SentMessage).message_id,
      data: confirm,
    });
    await until(() => exits() === 1, 10_000, 'the confirmed exit');
    telegram.pressButton({
      chatId: CHAT,
      userId: 7,
      messageId: (prompt as SentMessage).message_id,
      data: confirm,
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(exits()).toBe(1);
    // /bots says who answered: the new leader.
    const before = telegram.messages.length;
    telegram.sendText({ chatId: CHAT, userId: 7, text: '/bots', chatType: 'supergroup' });
    await telegram.waitForMessages(before + 1, 10_000);
    expect(telegram.messages.at(-1)?.text).toContain('Answered by instance host-b, the leader.');
    expect(conflicts()).toEqual([]);
  }, 120_000);
});

/** One instance with ha on, beside its own fakes, sharing `redis`; `close` removes it all. */
interface SoloInstance {
  bot: CompiledBot;
  telegram: FakeTelegram;
  freqtrade: FakeFreqtrade;
  close(): Promise<void>;
}

async function startSoloInstance(redis: RedisServer, instanceId: string): Promise<SoloInstance> {
  const dir = await mkdtemp(join(tmpdir(), `ftc-ha-${instanceId}-`));
  const [telegram, freqtrade] = await Promise.all([startFakeTelegram(), startFakeFreqtrade({ port: 0 })]);
  const bot = await startCompiledBot(
    join(dir, 'config.json'),
    compiledBotConfig(freqtrade, telegram, CHAT, {
      store: { type: 'redis', url: redis.url, key_prefix: PREFIX },
      ha: { enabled: true, lease_ms: LEASE_MS, instance_id: instanceId },
    }),
    { cwd: dir },
  );
  return {
    bot,
    telegram,
    freqtrade,
    async close() {
      bot.kill();
      await Promise.all([telegram.close(), freqtrade.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once the leader's first back-fill has recorded the bot's trades in the shared store. */
async function firstBackfillStored(redis: RedisServer): Promise<void> {
  const admin = new Redis(redis.url);
  try {
    await waitFor(
      async () => (await admin.hget(`${PREFIX}seen`, 'main')) !== null,
      10_000,
      'the first back-fill',
    );
  } finally {
    admin.disconnect();
  }
}

describeWithRedis('the leader loses Redis', () => {
  let redis: RedisServer;
  let solo: SoloInstance | undefined;

  beforeAll(async () => {
    await ensureDistBuilt();
    // A Redis that keeps its data across a crash, as a production one does.
    redis = await startRedisServer({ persistent: true });
  }, 90_000);
  afterAll(async () => {
    await solo?.close();
    await redis.dispose();
  });

  it('steps down without crashing, and when Redis returns leads again and delivers what was queued', async () => {
    solo = await startSoloInstance(redis, 'solo');
    const { bot, telegram, freqtrade } = solo;
    const leadCount = () => bot.log().split('leading: polling, listening and sending').length - 1;
    await until(() => leadCount() === 1, 20_000, 'it leads');
    await until(() => freqtrade.counts.wsConnections > 0, 10_000, 'the websocket');
    await firstBackfillStored(redis);

    // Telegram holds the first notification: the rest wait in the outbox, stored in Redis.
    telegram.holdNext('sendMessage');
    const ids: number[] = [];
    for (let n = 0; n < 5; n++) {
      const id = freqtrade.addTrade({ pair: 'BTC/USDT' });
      ids.push(id);
      freqtrade.emit(tradeFrame('entry', id, 'BTC/USDT'));
    }
    await until(() => telegram.calls.some((call) => call.method === 'sendMessage'), 5_000, 'the first send');
    await new Promise((resolve) => setTimeout(resolve, 300));

    await redis.kill();
    await until(() => bot.log().includes('standing by: stopped polling'), LEASE_MS, 'it steps down');
    expect(bot.child.exitCode).toBeNull();
    expect(bot.log()).toContain('Redis is unreachable; retrying');
    expect(bot.log()).not.toContain(redis.url);

    await redis.start();
    await until(() => leadCount() === 2, 15_000, 'it leads again');
    await until(
      () => ids.every((id) => telegram.messages.some((message) => message.text.includes(`(#${id})`))),
      15_000,
      'what was queued delivered',
    );
    expect(bot.child.exitCode).toBeNull();
    expect(telegram.calls.filter((call) => call.status === 409)).toEqual([]);
  }, 120_000);
});

describeWithRedis('Redis down at start', () => {
  let redis: RedisServer;
  let solo: SoloInstance | undefined;

  beforeAll(async () => {
    await ensureDistBuilt();
    redis = await startRedisServer();
  }, 90_000);
  afterAll(async () => {
    await solo?.close();
    await redis.dispose();
  });

  it('the bot starts, says so, keeps trying, and leads once Redis is there', async () => {
    await redis.stop();
    solo = await startSoloInstance(redis, 'early');
    const { bot, telegram } = solo;
    await until(
      () => bot.log().includes('Redis is unreachable; retrying'),
      10_000,
      'it says Redis is unreachable',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(bot.child.exitCode).toBeNull();
    expect(telegram.calls.some((call) => call.method === 'getUpdates')).toBe(false);
    await redis.start();
    await until(() => bot.log().includes('leading: polling, listening and sending'), 15_000, 'it leads');
    await until(() => telegram.calls.some((call) => call.method === 'getUpdates'), 10_000, 'it polls');
  }, 60_000);
});
