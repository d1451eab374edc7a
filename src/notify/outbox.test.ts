import { describe, expect, it } from 'vitest';
import { renderPlainText, type Reply } from '../chat/reply.js';
import { createSilentLogger } from '../logger.js';
import { openNotificationJournal } from '../store/notification-journal.js';
import { createOutbox, mergeReplies, type OutboxTarget } from './outbox.js';
import { DeliveryError } from '../errors.js';

const note = (text: string, silent = false): Reply => ({
  title: text,
  blocks: [{ kind: 'text', text }],
  silent,
});

function recordingTarget(key: string, minIntervalMs = 0, behaviour?: (call: number) => Error | undefined) {
  const delivered: Reply[] = [];
  const times: number[] = [];
  let calls = 0;
  const target: OutboxTarget = {
    key,
    minIntervalMs,
    async send(reply) {
      calls += 1;
      const failure = behaviour?.(calls);
      if (failure) throw failure;
      delivered.push(reply);
      times.push(Date.now());
    },
  };
  return { target, delivered, times, calls: () => calls };
}

describe('outbox', () => {
  it('delivers in order per chat and merges a backlog into fewer messages', async () => {
    const outbox = createOutbox({ logger: createSilentLogger(), globalPerSecond: 1000, mergeThreshold: 3 });
    const chat = recordingTarget('a', 20);
    for (let i = 0; i < 30; i += 1) outbox.enqueue(chat.target, note(`event ${i}`));
    await outbox.drain();
    const text = chat.delivered.map((reply) => renderPlainText(reply)).join('\n');
    const order = [...text.matchAll(/event (\d+)/g)].map((match) => Number(match[1]));
    expect([...new Set(order)]).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(chat.delivered.length).toBeLessThan(30);
    expect(outbox.stats().delivered + outbox.stats().merged).toBe(30);
  });

  it('waits out a 429 retry_after and then delivers everything', async () => {
    const outbox = createOutbox({ logger: createSilentLogger(), globalPerSecond: 1000, mergeThreshold: 100 });
    const limited = new DeliveryError('Too Many Requests', { permanent: false, retryAfterMs: 200 });
    const chat = recordingTarget('a', 0, (call) => (call === 2 ? limited : undefined));
    const started = Date.now();
    for (let i = 0; i < 3; i += 1) outbox.enqueue(chat.target, note(`m${i}`));
    await outbox.drain();
    expect(chat.delivered.map((reply) => reply.title)).toEqual(['m0', 'm1', 'm2']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(outbox.stats().retried).toBe(1);
  });

  it('retries network failures with backoff and loses nothing', async () => {
    const outbox = createOutbox({ logger: createSilentLogger(), globalPerSecond: 1000, retryInitialMs: 10 });
    const chat = recordingTarget('a', 0, (call) => (call <= 3 ? new Error('ECONNRESET') : undefined));
    outbox.enqueue(chat.target, note('only'));
    await outbox.drain();
    expect(chat.delivered.map((reply) => reply.title)).toEqual(['only']);
    expect(chat.calls()).toBe(4);
  });

  it('marks a chat that refuses for good and stops retrying it', async () => {
    const failures: string[] = [];
    const outbox = createOutbox({
      logger: createSilentLogger(),
      globalPerSecond: 1000,
      onPermanentFailure: (key) => failures.push(key),
    });
    const kicked = new DeliveryError('Forbidden: bot was kicked from the group chat', { permanent: true });
    const gone = recordingTarget('gone', 0, () => kicked);
    const fine = recordingTarget('fine');
    outbox.enqueue(gone.target, note('x'));
    outbox.enqueue(gone.target, note('y'));
    outbox.enqueue(fine.target, note('z'));
    await outbox.drain();
    outbox.enqueue(gone.target, note('later'));
    await outbox.drain();
    expect(failures).toEqual(['gone']);
    expect(gone.calls()).toBe(1);
    expect(fine.delivered).toHaveLength(1);
  });

  it('drops a message the platform refuses as malformed and delivers the ones behind it', async () => {
    const outbox = createOutbox({ logger: createSilentLogger(), globalPerSecond: 1000, mergeThreshold: 100 });
    const refused = new DeliveryError("Bad Request: can't parse entities", {
      permanent: false,
      dropMessage: true,
    });
    const chat = recordingTarget('a', 0, (call) => (call === 1 ? refused : undefined));
    for (let i = 0; i < 3; i += 1) outbox.enqueue(chat.target, note(`m${i}`));
    await outbox.drain();
    expect(chat.delivered.map((reply) => reply.title)).toEqual(['m1', 'm2']);
    expect(outbox.stats().dropped).toBe(1);
    expect(chat.calls()).toBe(3);
  });

  it('tries a chat that refused for good again after the revive delay', async () => {
    let clock = 1_000_000;
    const outbox = createOutbox({
      logger: createSilentLogger(),
      globalPerSecond: 1000,
      reviveAfterMs: 60_000,
      now: () => clock,
    });
    const kicked = new DeliveryError('Forbidden: bot was kicked', { permanent: true });
    let refuse = true;
    const chat = recordingTarget('c', 0, () => (refuse ? kicked : undefined));
    outbox.enqueue(chat.target, note('lost'));
    await outbox.drain();
    outbox.enqueue(chat.target, note('still refused'));
    expect(chat.calls()).toBe(1);
    refuse = false;
    clock += 61_000;
    outbox.enqueue(chat.target, note('back'));
    await outbox.drain();
    expect(chat.delivered.map((reply) => reply.title)).toEqual(['back']);
  });

  it('retries with the very same message, so a sender can resume a half-sent one', async () => {
    const outbox = createOutbox({ logger: createSilentLogger(), globalPerSecond: 1000, retryInitialMs: 5 });
    const seen: Reply[] = [];
    let calls = 0;
    const target: OutboxTarget = {
      key: 'a',
      minIntervalMs: 0,
      async send(reply) {
        seen.push(reply);
        calls += 1;
        if (calls === 1) throw new Error('ECONNRESET');
      },
    };
    for (let i = 0; i < 4; i += 1) outbox.enqueue(target, note(`m${i}`));
    await outbox.drain();
    expect(seen[1]).toBe(seen[0]);
  });

  it('keeps the per-chat interval counted from the end of the previous delivery', async () => {
    const outbox = createOutbox({ logger: createSilentLogger(), globalPerSecond: 1000, mergeThreshold: 100 });
    const chat = recordingTarget('a', 50);
    for (let i = 0; i < 4; i += 1) outbox.enqueue(chat.target, note(`m${i}`));
    await outbox.drain();
    const gaps = chat.times.slice(1).map((time, i) => time - (chat.times[i] as number));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(45);
  });

  it('never starts more deliveries in a second than the global budget', async () => {
    const outbox = createOutbox({ logger: createSilentLogger(), globalPerSecond: 5, mergeThreshold: 100 });
    const chats = Array.from({ length: 8 }, (_, i) => recordingTarget(`c${i}`));
    for (const chat of chats) outbox.enqueue(chat.target, note('hello'));
    await outbox.drain();
    const times = chats.flatMap((chat) => chat.times).sort((a, b) => a - b);
    expect(times).toHaveLength(8);
    expect((times[5] as number) - (times[0] as number)).toBeGreaterThanOrEqual(950);
  });
});

describe('mergeReplies', () => {
  it('keeps every title and is silent only when all parts are', () => {
    const merged = mergeReplies([note('a', true), note('b', false)]);
    expect(renderPlainText(merged)).toMatch(/a[\s\S]*b/);
    expect(merged.silent).toBe(false);
    expect(mergeReplies([note('a', true), note('b', true)]).silent).toBe(true);
  });
});

describe('outbox with a queue store (durable)', () => {
  const journal = () => openNotificationJournal(null, createSilentLogger());

  it('stores each notification when queued and forgets it only after the platform accepted it', async () => {
    const store = journal();
    const outbox = createOutbox({ logger: createSilentLogger(), globalPerSecond: 1000, queueStore: store });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const delivered: Reply[] = [];
    const target: OutboxTarget = {
      key: 'telegram:1',
      minIntervalMs: 0,
      async send(reply) {
        await held;
        delivered.push(reply);
      },
    };
    outbox.enqueue(target, note('a'));
    outbox.enqueue(target, note('b'));
    expect(
      store.queuedNotifications().map((queued) => [queued.chat_key, (queued.reply as Reply).title]),
    ).toEqual([
      ['telegram:1', 'a'],
      ['telegram:1', 'b'],
    ]);
    release();
    await outbox.drain();
    expect(delivered.map((reply) => reply.title)).toEqual(['a', 'b']);
    expect(store.queuedNotifications()).toEqual([]);
  });

  it('keeps what was not delivered at stop, and a new outbox restores it in order without storing it twice', async () => {
    const store = journal();
    const first = createOutbox({ logger: createSilentLogger(), globalPerSecond: 1000, queueStore: store });
    const stuck: OutboxTarget = { key: 'telegram:1', minIntervalMs: 0, send: () => new Promise(() => {}) };
    for (const title of ['a', 'b', 'c']) first.enqueue(stuck, note(title));
    first.stop();
    const kept = store.queuedNotifications();
    expect(kept.map((queued) => (queued.reply as Reply).title)).toEqual(['a', 'b', 'c']);

    const second = createOutbox({
      logger: createSilentLogger(),
      globalPerSecond: 1000,
      queueStore: store,
      mergeThreshold: 100,
    });
    const chat = recordingTarget('telegram:1');
    for (const queued of kept) second.restore(chat.target, queued);
    expect(store.queuedNotifications()).toHaveLength(3);
    await second.drain();
    expect(chat.delivered.map((reply) => reply.title)).toEqual(['a', 'b', 'c']);
    expect(store.queuedNotifications()).toEqual([]);
  });

  it('a merged message forgets every notification it carried', async () => {
    const store = journal();
    const outbox = createOutbox({
      logger: createSilentLogger(),
      globalPerSecond: 1000,
      queueStore: store,
      mergeThreshold: 2,
    });
    const chat = recordingTarget('telegram:1', 30);
    for (let i = 0; i < 6; i++) outbox.enqueue(chat.target, note(`m${i}`));
    await outbox.drain();
    expect(chat.delivered.length).toBeLessThan(6);
    expect(store.queuedNotifications()).toEqual([]);
  });

  it('a reply waiting for its final form holds its chat in order, is stored again when complete, and falls back on failure', async () => {
    const store = journal();
    const outbox = createOutbox({
      logger: createSilentLogger(),
      globalPerSecond: 1000,
      queueStore: store,
      mergeThreshold: 100,
    });
    const chat = recordingTarget('telegram:1');
    let complete: (reply: Reply) => void = () => {};
    const ready = new Promise<Reply>((resolve) => {
      complete = resolve;
    });
    outbox.enqueue(chat.target, note('entry'), { ready });
    outbox.enqueue(chat.target, note('exit'));
    outbox.enqueue(chat.target, note('other'), { ready: Promise.reject(new Error('no candle')) });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(chat.delivered).toEqual([]);
    complete(note('entry with candle'));
    await outbox.drain();
    expect(chat.delivered.map((reply) => reply.title)).toEqual(['entry with candle', 'exit', 'other']);
    expect(store.queuedNotifications()).toEqual([]);
  });

  it('drops a stored notification whose reply is unreadable, and says so', () => {
    const store = journal();
    store.queueNotification({ id: 'x', chat_key: 'telegram:1', at_ms: 1, reply: 'not a reply' });
    const outbox = createOutbox({ logger: createSilentLogger(), globalPerSecond: 1000, queueStore: store });
    outbox.restore(recordingTarget('telegram:1').target, store.queuedNotifications()[0] as never);
    expect(store.queuedNotifications()).toEqual([]);
  });

  it('a chat that refuses for good takes its stored notifications with it', async () => {
    const store = journal();
    const outbox = createOutbox({ logger: createSilentLogger(), globalPerSecond: 1000, queueStore: store });
    const kicked = new DeliveryError('Forbidden: bot was kicked from the group chat', { permanent: true });
    const gone = recordingTarget('telegram:1', 0, () => kicked);
    outbox.enqueue(gone.target, note('x'));
    outbox.enqueue(gone.target, note('y'));
    await outbox.drain();
    expect(store.queuedNotifications()).toEqual([]);
  });
});
