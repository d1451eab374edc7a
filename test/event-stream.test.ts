import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { WebSocketServer } from 'ws';
import { createFreqtradeClient } from '../src/freqtrade/client.js';
import { type BotEvent, parseFrame } from '../src/freqtrade/event-schemas.js';
import {
  createEventStream,
  type EventStream,
  type EventStreamEvents,
} from '../src/freqtrade/event-stream.js';
import type { StreamState } from '../src/freqtrade/stream-state.js';
import { createLogger, type Logger } from '../src/logger.js';
import {
  type BackfillResult,
  type BackfillRunner,
  createBackfillRunner,
} from '../src/notify/backfill-runner.js';
import { openStore, type Store } from '../src/store/store.js';
import { type FakeFreqtrade, startFakeFreqtrade } from './fakes/fake-freqtrade.js';
import { createTypedEmitter } from '../src/typed-events.js';
import { waitFor } from './support/wait-for.js';
import { tradeFrame } from './support/frames.js';

const WS_TOKEN = 'ws-secret-token';
const TYPES = ['entry', 'entry_fill', 'exit', 'exit_fill', 'status', 'warning', 'whitelist'];

const ENTRY_FRAME = tradeFrame('entry', 42, 'ETH/USDT');

interface LogCapture {
  logger: Logger;
  lines: string[];
  records(): Array<Record<string, unknown>>;
}

/**
 * A trace-level logger whose lines are kept for assertions: the app's logger (with its redaction),
 * or with `unredacted` a bare pino logger, to prove the stream itself never hands it a secret.
 */
function captureLogs(opts: { unredacted?: boolean } = {}): LogCapture {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = opts.unredacted
    ? pino({ level: 'trace', base: undefined }, destination)
    : createLogger({ level: 'trace', destination });
  return {
    logger,
    lines,
    records: () => lines.map((line): Record<string, unknown> => JSON.parse(line)),
  };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeFreqtrade(options: Parameters<typeof startFakeFreqtrade>[0] = {}): Promise<FakeFreqtrade> {
  const fake = await startFakeFreqtrade(options);
  cleanups.push(() => fake.close());
  return fake;
}

interface Harness {
  stream: EventStream;
  backfill: BackfillRunner;
  /** What the back-fill runner passed on: live events and back-filled ones, in order. */
  events: BotEvent[];
  states: StreamState[];
  /** The stream's `connected` and `disconnected` events, in order. */
  connections: Array<
    | { kind: 'connected'; types: readonly string[] }
    | ({ kind: 'disconnected' } & EventStreamEvents['disconnected'])
  >;
  /** Every finished back-fill, in order (the runner's `finished` event). */
  backfills: BackfillResult[];
  logs: LogCapture;
  store: Store;
}

async function streamTo(
  url: string,
  opts: {
    wsToken?: string;
    store?: Store;
    logs?: LogCapture;
    types?: string[];
    unauthorizedRetryMs?: number;
    pingIntervalMs?: number;
    backfillRetryInitialMs?: number;
    /** Reconnect backoff; default a short one, `'production'` the stream's own default. */
    backoff?: { initialMs: number; maxMs: number } | 'production';
  } = {},
): Promise<Harness> {
  const logs = opts.logs ?? captureLogs();
  const client = createFreqtradeClient({
    bot: {
      name: 'main',
      api_url: url,
      username: 'freqtrader',
      password: 'secret-pass',
      ws_token: opts.wsToken ?? WS_TOKEN,
      timeout_ms: 1_000,
      read_only: false,
    },
    logger: logs.logger,
    retry: { limit: 0, backoffMs: 10 },
  });
  const store = opts.store ?? (await openStore({ path: null, logger: logs.logger, auditMaxEntries: 100 }));
  const events: BotEvent[] = [];
  const states: StreamState[] = [];
  const connections: Harness['connections'] = [];
  const stream = createEventStream({
    client,
    logger: logs.logger,
    types: opts.types ?? TYPES,
    ...(opts.backoff === 'production' ? {} : { backoff: opts.backoff ?? { initialMs: 20, maxMs: 100 } }),
    pingIntervalMs: opts.pingIntervalMs ?? 1_000,
    ...(opts.unauthorizedRetryMs === undefined ? {} : { unauthorizedRetryMs: opts.unauthorizedRetryMs }),
  });
  stream.on('state', (state) => states.push(state));
  stream.on('connected', ({ types }) => connections.push({ kind: 'connected', types }));
  stream.on('disconnected', ({ code }) => connections.push({ kind: 'disconnected', code }));
  const backfill = createBackfillRunner({
    stream,
    client,
    store,
    logger: logs.logger,
    onEvent: (event) => events.push(event),
    retryInitialMs: opts.backfillRetryInitialMs ?? 60_000,
  });
  cleanups.push(async () => {
    backfill.stop();
    await stream.stop();
    // Whatever happened in the test, the token never reached a log line.
    expect(logs.lines.join('\n')).not.toContain(opts.wsToken ?? WS_TOKEN);
  });
  const backfills: BackfillResult[] = [];
  backfill.on('finished', (result) => backfills.push(result));
  stream.start();
  return { stream, backfill, events, states, connections, backfills, logs, store };
}

/** Waits until the fake has `count` consumers in total and the newest has subscribed. */
async function subscribed(fake: FakeFreqtrade, connections = 1): Promise<string[]> {
  return waitFor(
    () => {
      const consumers = fake.wsConsumers();
      const last = consumers.at(-1);
      return fake.counts.wsConnections >= connections && last && last.subscribed.length > 0
        ? last.subscribed
        : undefined;
    },
    2_000,
    `subscription #${connections}`,
  );
}

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Lets real time pass. Only for a connection that must have been healthy for a while (the stream's
 * 1 s threshold), never to check that nothing happened: those wait for an observable event.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Freqtrade event stream: live messages', () => {
  it('subscribes to exactly the requested types once connected', async () => {
    const fake = await fakeFreqtrade();
    const { stream } = await streamTo(fake.url, { types: ['entry', 'exit_fill', 'status'] });
    expect(await subscribed(fake)).toEqual(['entry', 'exit_fill', 'status']);
    await waitFor(() => stream.state() === 'open', 1_000, 'state open');
  });

  it('drops types Freqtrade does not know, so the server does not ignore the whole subscription', async () => {
    const fake = await fakeFreqtrade();
    const { logs } = await streamTo(fake.url, { types: ['entry', 'bogus_type', 'exit_fill'] });
    expect(await subscribed(fake)).toEqual(['entry', 'exit_fill']);
    expect(logs.records().some((r) => r['level'] === 40 && JSON.stringify(r).includes('bogus_type'))).toBe(
      true,
    );
  });

  it('leaves out types an older Freqtrade lacks (new_candle, exception) when its API version is below 2.40', async () => {
    const fake = await fakeFreqtrade();
    fake.state.apiVersion = 2.3;
    const { logs } = await streamTo(fake.url, { types: ['entry', 'new_candle', 'exception', 'exit_fill'] });
    expect(await subscribed(fake)).toEqual(['entry', 'exit_fill']);
    expect(logs.records().some((r) => String(r['msg']).includes('too old for some message types'))).toBe(
      true,
    );

    const current = await fakeFreqtrade();
    await streamTo(current.url, { types: ['entry', 'new_candle'] });
    expect(await subscribed(current)).toEqual(['entry', 'new_candle']);
  });

  it('delivers every emitted event, in order, tagged with the bot name', async () => {
    const fake = await fakeFreqtrade();
    const { events } = await streamTo(fake.url);
    await subscribed(fake);
    fake.emit(ENTRY_FRAME);
    fake.emit({ type: 'status', status: 'running' });
    fake.emit({ type: 'whitelist', data: ['BTC/USDT', 'ETH/USDT'] });
    await waitFor(() => events.length === 3, 1_000, 'three events');
    expect(events.map((e) => e.type)).toEqual(['entry', 'status', 'whitelist']);
    expect(events[0]).toMatchObject({ bot: 'main', trade_id: 42, pair: 'ETH/USDT', direction: 'Long' });
    expect(events[0]?.backfilled).toBeUndefined();
  });

  it('skips malformed, unknown and invalid frames and delivers the next one', async () => {
    const fake = await fakeFreqtrade();
    const { events, logs, stream } = await streamTo(fake.url);
    await subscribed(fake);
    fake.emitRaw('{not json');
    fake.emitRaw('{"type":"no_such_type"}');
    fake.emitRaw(JSON.stringify({ ...ENTRY_FRAME, pair: undefined, open_rate: 'high' }));
    fake.emitRaw(JSON.stringify({ type: 'new_candle', data: ['BTC/USDT', '5m', 'spot'] })); // not subscribed
    fake.emit({ type: 'status', status: 'running' });
    await waitFor(() => events.length === 1, 1_000, 'the valid event');
    expect(events[0]).toMatchObject({ type: 'status', status: 'running', bot: 'main' });
    expect(stream.state()).toBe('open');
    expect(fake.counts.wsConnections).toBe(1);
    // Rate-limited: one warning for the burst of bad frames, not one per frame.
    const warnings = logs.records().filter((r) => r['msg'] === 'skipped a websocket frame');
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.['error'])).toContain('malformed JSON');
  });

  it('logs an exception frame', async () => {
    const fake = await fakeFreqtrade();
    const { logs } = await streamTo(fake.url);
    await subscribed(fake);
    fake.emitRaw(JSON.stringify({ type: 'exception', data: 'Error processing request' }));
    await waitFor(
      () => logs.records().find((r) => r['msg'] === 'Freqtrade reported an exception'),
      1_000,
      'the exception log line',
    );
  });
});

describe('Freqtrade event stream: connection lifecycle', () => {
  it('reports idle, connecting, open, closed as it connects, loses and regains the connection, and stops', async () => {
    const fake = await fakeFreqtrade();
    const { stream, states, events } = await streamTo(fake.url);
    await subscribed(fake);
    await waitFor(() => stream.state() === 'open', 1_000, 'open');
    expect(states).toEqual(['connecting', 'open']);

    fake.dropWebsockets();
    expect(await subscribed(fake, 2)).toEqual(TYPES);
    await waitFor(() => stream.state() === 'open', 1_000, 'open again');
    expect(states).toEqual(['connecting', 'open', 'closed', 'connecting', 'open']);

    fake.emit({ type: 'status', status: 'running' });
    await waitFor(() => events.length === 1, 1_000, 'event after the reconnect');

    await stream.stop();
    expect(states.at(-1)).toBe('closed');
    expect(stream.state()).toBe('closed');
    await waitFor(() => fake.wsConsumers().length === 0, 1_000, 'server saw the close');
    // stop() resolved after the socket's own close handler ran (and ignored the close) and after
    // every timer was cleared: nothing is left that could connect again, so no waiting is needed.
    expect(fake.counts.wsConnections).toBe(2);
    stream.start();
    expect(stream.state()).toBe('closed');
    expect(states.at(-1)).toBe('closed');
  });

  it('emits connected with the subscribed types on every (re)connect, and disconnected when one ends', async () => {
    const fake = await fakeFreqtrade();
    const { stream, connections } = await streamTo(fake.url, { types: ['entry', 'exit_fill'] });
    await waitFor(() => connections.length === 1, 1_000, 'connected');
    expect(connections).toEqual([{ kind: 'connected', types: ['entry', 'exit_fill'] }]);
    expect(stream.state()).toBe('open');

    fake.dropWebsockets();
    await waitFor(() => connections.length === 3, 2_000, 'disconnected, then connected again');
    expect(connections.map((c) => c.kind)).toEqual(['connected', 'disconnected', 'connected']);

    await stream.stop();
    expect(connections.map((c) => c.kind)).toEqual([
      'connected',
      'disconnected',
      'connected',
      'disconnected',
    ]);
  });

  it('keeps delivering to the other listeners when one throws, and logs it', async () => {
    const fake = await fakeFreqtrade();
    const { stream, events, logs } = await streamTo(fake.url);
    stream.on('event', () => {
      throw new Error('listener broke');
    });
    const after: BotEvent[] = [];
    stream.on('event', (event) => after.push(event));
    await subscribed(fake);
    fake.emit({ type: 'status', status: 'running' });
    await waitFor(() => after.length === 1 && events.length === 1, 1_000, 'both listeners');
    expect(logs.records().some((r) => String(r['reason']).includes('listener broke'))).toBe(true);
  });

  it('reconnects at once after each of five drops of a healthy connection: no growing backoff', async () => {
    const fake = await fakeFreqtrade();
    // The production backoff (500 ms doubling to 30 s) and ping interval: with a backoff that grew
    // per drop, the 4th and 5th reconnects would take 2-4 s and 4-8 s.
    const { stream, backfills, logs } = await streamTo(fake.url, {
      backoff: 'production',
      pingIntervalMs: 20_000,
    });
    await subscribed(fake, 1);
    const reconnectMs: number[] = [];
    for (let drop = 1; drop <= 5; drop += 1) {
      // Healthy for a while, as in the report (drops a few seconds apart); then Freqtrade drops it.
      await waitFor(() => backfills.length === drop, 2_000, `back-fill #${drop}`);
      await sleep(1_100);
      const droppedAtMs = fake.now();
      fake.dropWebsockets();
      await subscribed(fake, drop + 1);
      reconnectMs.push(fake.now() - droppedAtMs);
    }
    expect(reconnectMs).toHaveLength(5);
    for (const ms of reconnectMs) expect(ms).toBeLessThan(2_000);
    expect(stream.state()).toBe('open');
    expect(
      logs.records().filter((r) => r['msg'] === 'message websocket closed; reconnecting now'),
    ).toHaveLength(5);
  }, 20_000);

  it('still backs off, growing, while connection attempts fail (Freqtrade down)', async () => {
    const port = await freePort();
    const attemptsAtMs: number[] = [];
    const { states } = await streamTo(`http://127.0.0.1:${port}`, {
      backoff: { initialMs: 200, maxMs: 10_000 },
    });
    await waitFor(
      () => {
        // Each 'connecting' after the first follows one failed attempt's wait.
        const count = states.filter((s) => s === 'connecting').length;
        while (attemptsAtMs.length < count) attemptsAtMs.push(Date.now());
        return count >= 5;
      },
      6_000,
      'five attempts',
    );
    const gaps = attemptsAtMs.slice(1).map((at, i) => at - (attemptsAtMs[i] ?? at));
    // Equal jitter: the n-th wait lies between half and all of 200 ms × 2^n; lower bounds only,
    // which a slow machine cannot break.
    expect(gaps[1]).toBeGreaterThanOrEqual(200 - 15);
    expect(gaps[2]).toBeGreaterThanOrEqual(400 - 15);
    expect(gaps[3]).toBeGreaterThanOrEqual(800 - 15);
  });

  it('backs off from a server that drops every connection right after the subscription', async () => {
    // A flapping server must not be hammered: a drop within a second of subscribing is a failure.
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    const connectionsAtMs: number[] = [];
    wss.on('connection', (socket) => {
      connectionsAtMs.push(Date.now());
      socket.on('error', () => {});
      socket.on('message', () => socket.terminate());
    });
    const address = wss.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    await streamTo(`http://127.0.0.1:${address.port}`, { backoff: { initialMs: 200, maxMs: 10_000 } });
    await waitFor(() => connectionsAtMs.length >= 4, 6_000, 'four connections');
    const gaps = connectionsAtMs.slice(1).map((at, i) => at - (connectionsAtMs[i] ?? at));
    expect(gaps[2]).toBeGreaterThanOrEqual(400 - 15);
  });

  it('starts idle and connects only on start()', async () => {
    const fake = await fakeFreqtrade();
    const logs = captureLogs();
    const client = createFreqtradeClient({
      bot: {
        name: 'main',
        api_url: fake.url,
        username: 'freqtrader',
        password: 'secret-pass',
        ws_token: WS_TOKEN,
        timeout_ms: 1_000,
        read_only: false,
      },
    });
    const stream = createEventStream({ client, logger: logs.logger, types: TYPES });
    const states: StreamState[] = [];
    stream.on('state', (state) => states.push(state));
    cleanups.push(() => stream.stop());
    expect(stream.bot).toBe('main');
    expect(stream.state()).toBe('idle');
    expect(fake.counts.wsConnections).toBe(0);
    stream.start();
    await subscribed(fake);
    // Had creating the stream connected already, this would be its second connection.
    expect(fake.counts.wsConnections).toBe(1);
    expect(states[0]).toBe('connecting');
  });

  it('keeps retrying while Freqtrade is down at start, and connects once it is up', async () => {
    const port = await freePort();
    const { stream, states, logs } = await streamTo(`http://127.0.0.1:${port}`);
    await waitFor(() => states.filter((s) => s === 'closed').length >= 3, 2_000, 'three failed attempts');
    expect(stream.state()).not.toBe('open');
    // One warning for the outage, not one per attempt.
    const warnings = logs.records().filter((r) => r['msg'] === 'could not connect to the message websocket');
    expect(warnings.filter((r) => r['level'] === 40)).toHaveLength(1);

    const fake = await fakeFreqtrade({ port });
    await subscribed(fake);
    await waitFor(() => stream.state() === 'open', 1_000, 'open');
  });

  it('with a wrong ws_token: state unauthorized, one error naming the bot and ws_token, no hot loop', async () => {
    const fake = await fakeFreqtrade();
    const wrongToken = 'wrong-ws-token-value';
    const { stream, logs, states } = await streamTo(fake.url, {
      wsToken: wrongToken,
      unauthorizedRetryMs: 250,
    });
    await waitFor(() => stream.state() === 'unauthorized', 1_000, 'unauthorized');
    const firstRejectionAtMs = Date.now();
    await waitFor(() => fake.counts.wsRejections >= 3, 3_000, 'two more rejected attempts');
    // 1 attempt, then one every 250 ms: the third comes no sooner than 2 × 250 ms after the
    // first, nowhere near a hot loop (a lower bound only, which a slow machine cannot break).
    expect(Date.now() - firstRejectionAtMs).toBeGreaterThanOrEqual(2 * 250 - 30);
    expect(fake.counts.wsConnections).toBe(0);
    expect(states.filter((s) => s === 'open')).toEqual([]);
    const errors = logs.records().filter((r) => r['level'] === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.['msg']).toContain('ws_token');
    expect(errors[0]?.['msg']).toContain('"main"');
    expect(logs.lines.join('\n')).not.toContain(wrongToken);
  });

  it('terminates a connection whose pong does not come back, and reconnects', async () => {
    // A server that accepts and then goes silent: no pongs (Freqtrade sends no heartbeats at all).
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', autoPong: false });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    let connections = 0;
    wss.on('connection', (socket) => {
      connections += 1;
      socket.on('error', () => {});
    });
    const address = wss.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const { logs } = await streamTo(`http://127.0.0.1:${address.port}`, { pingIntervalMs: 100 });
    await waitFor(() => connections >= 2, 2_000, 'a second connection');
    expect(logs.records().some((r) => String(r['msg']).startsWith('no pong from Freqtrade'))).toBe(true);
    for (const client of wss.clients) client.terminate();
  });

  it('never logs the ws_token, even at trace level through connects, drops and failures', async () => {
    const fake = await fakeFreqtrade();
    // Without the logger's redaction: the stream must not pass the token (or the URL holding it) at all.
    const { logs, events } = await streamTo(fake.url, { logs: captureLogs({ unredacted: true }) });
    await subscribed(fake);
    fake.emit(ENTRY_FRAME);
    await waitFor(() => events.length === 1, 1_000, 'event');
    fake.dropWebsockets();
    await subscribed(fake, 2);
    await fake.close();
    await waitFor(
      () => logs.records().some((r) => r['msg'] === 'could not connect to the message websocket'),
      2_000,
      'a failed reconnect',
    );
    const text = logs.lines.join('\n');
    expect(text).toContain('/api/v1/message/ws');
    expect(text).not.toContain(WS_TOKEN);
    expect(text).not.toContain(encodeURIComponent(WS_TOKEN));
  });
});

describe('Freqtrade event stream: back-fill after an outage', () => {
  it('announces trades opened and closed while disconnected exactly once, across reconnects and restarts', async () => {
    const first = await startFakeFreqtrade();
    const port = first.port;
    let firstClosed = false;
    cleanups.push(() => (firstClosed ? undefined : first.close()));
    const logs = captureLogs();
    const { stream, events, store, backfills } = await streamTo(first.url, { logs });
    await subscribed(first);
    // First sight of the bot: its state is recorded, nothing announced.
    await waitFor(() => store.seenTrades('main').updated_at_ms > 0, 1_000, 'first snapshot');
    expect(events).toEqual([]);

    // Freqtrade goes down; while it is down (restarted on the same port) trades open and close.
    await first.close();
    firstClosed = true;
    await waitFor(() => stream.state() === 'closed', 1_000, 'closed');
    const second = await fakeFreqtrade({ port });
    const stillOpen = second.addTrade({ pair: 'BTC/USDT', openRate: 60_000, stakeAmount: 100 });
    const closedMeanwhile = second.addTrade({ pair: 'ETH/USDT', openRate: 3_000, stakeAmount: 100 });
    second.closeTrade(closedMeanwhile, { closeRate: 3_150, exitReason: 'roi' });

    await subscribed(second);
    await waitFor(() => events.length === 2, 2_000, 'two back-filled events');
    // The fake fills entries at once: the missed entry is announced as filled.
    const entry = events.find((e) => e.type === 'entry_fill');
    const exit = events.find((e) => e.type === 'exit_fill');
    expect(entry).toMatchObject({
      bot: 'main',
      backfilled: true,
      trade_id: stillOpen,
      pair: 'BTC/USDT',
      direction: 'Long',
      open_rate: 60_000,
      stake_currency: 'USDT',
    });
    expect(exit).toMatchObject({
      bot: 'main',
      backfilled: true,
      trade_id: closedMeanwhile,
      pair: 'ETH/USDT',
      close_rate: 3_150,
      exit_reason: 'roi',
      gain: 'profit',
      is_final_exit: true,
    });
    if (exit?.type !== 'exit_fill') throw new Error('no exit_fill');
    expect(exit.profit_ratio).toBeGreaterThan(0.04);
    expect(exit.profit_amount).toBeGreaterThan(4);
    expect(store.seenTrades('main')).toMatchObject({
      open_trade_ids: [stillOpen],
      closed_trade_ids: [closedMeanwhile],
    });

    await waitFor(() => backfills.length === 2, 1_000, 'the back-fill after the outage reported');
    expect(backfills[1]).toEqual({
      ok: true,
      entered: [stillOpen],
      exited: [closedMeanwhile],
      firstSight: false,
    });

    // Another reconnect: nothing new to announce.
    second.dropWebsockets();
    await subscribed(second, 2);
    await waitFor(() => backfills.length === 3, 1_000, 'the second back-fill');
    expect(backfills[2]).toEqual({ ok: true, entered: [], exited: [], firstSight: false });
    expect(store.seenTrades('main').open_trade_ids).toEqual([stillOpen]);
    expect(events).toHaveLength(2);

    // A restart of the app: a new stream over the same store announces nothing either.
    await stream.stop();
    const restarted = await streamTo(second.url, { store, logs });
    await subscribed(second, 3);
    await waitFor(() => restarted.backfills.length === 1, 1_000, 'the back-fill after the restart');
    expect(restarted.backfills[0]).toMatchObject({ ok: true, entered: [], exited: [], firstSight: false });
    expect(restarted.events).toEqual([]);
    expect(events).toHaveLength(2);
  });

  it('does not back-fill what it already heard live', async () => {
    const fake = await fakeFreqtrade();
    const { events, store, backfills } = await streamTo(fake.url);
    await subscribed(fake);
    await waitFor(() => store.seenTrades('main').updated_at_ms > 0, 1_000, 'first snapshot');

    // A trade opens and closes while connected: Freqtrade sends its messages live.
    const id = fake.addTrade({ pair: 'SOL/USDT', openRate: 150, stakeAmount: 100 });
    fake.emit({ ...ENTRY_FRAME, trade_id: id, pair: 'SOL/USDT' });
    fake.closeTrade(id, { closeRate: 140, exitReason: 'stop_loss' });
    fake.emit({
      ...ENTRY_FRAME,
      type: 'exit_fill',
      trade_id: id,
      pair: 'SOL/USDT',
      gain: 'loss',
      close_rate: 140,
      profit_amount: -6.7,
      profit_ratio: -0.067,
      exit_reason: 'stop_loss',
      close_date: '2026-11-22T10:00:00+00:00',
      is_final_exit: true,
    });
    await waitFor(() => events.length === 2, 1_000, 'live events');
    expect(store.seenTrades('main')).toMatchObject({ open_trade_ids: [], closed_trade_ids: [id] });

    fake.dropWebsockets();
    await subscribed(fake, 2);
    await waitFor(() => backfills.length === 2, 1_000, 'the back-fill after the reconnect');
    expect(backfills[1]).toMatchObject({ ok: true, entered: [], exited: [] });
    expect(events.map((e) => [e.type, e.backfilled])).toEqual([
      ['entry', undefined],
      ['exit_fill', undefined],
    ]);
  });

  it('logs a back-fill that fails and tries again at the next reconnect', async () => {
    const fake = await fakeFreqtrade();
    const { events, store, logs, backfills } = await streamTo(fake.url);
    await subscribed(fake);
    await waitFor(() => store.seenTrades('main').updated_at_ms > 0, 1_000, 'first snapshot');

    fake.failNext('GET', '/status', 500);
    fake.dropWebsockets();
    const id = fake.addTrade({ pair: 'BTC/USDT', openRate: 60_000, stakeAmount: 100 });
    await subscribed(fake, 2);
    await waitFor(
      () => logs.records().find((r) => String(r['msg']).startsWith('could not check for trades missed')),
      1_000,
      'the back-fill failure log',
    );
    await waitFor(() => backfills.length === 2, 1_000, 'the failed back-fill reported');
    expect(backfills[1]).toMatchObject({ ok: false, entered: [], exited: [] });
    expect(events).toEqual([]);

    fake.dropWebsockets();
    await subscribed(fake, 3);
    await waitFor(() => events.length === 1, 1_000, 'the back-filled entry');
    expect(events[0]).toMatchObject({ type: 'entry_fill', trade_id: id, backfilled: true });
  });
  it('retries a failed back-fill while still connected, without waiting for the next drop', async () => {
    const fake = await fakeFreqtrade();
    const { events, store } = await streamTo(fake.url, { backfillRetryInitialMs: 50 });
    await subscribed(fake);
    await waitFor(() => store.seenTrades('main').updated_at_ms > 0, 1_000, 'first snapshot');
    fake.failNext('GET', '/status', 500);
    fake.dropWebsockets();
    const id = fake.addTrade({ pair: 'BTC/USDT', openRate: 60_000, stakeAmount: 100 });
    await subscribed(fake, 2);
    await waitFor(() => events.length === 1, 2_000, 'the back-filled entry after the retry');
    expect(events[0]).toMatchObject({ type: 'entry_fill', trade_id: id, backfilled: true });
    expect(fake.counts.wsConnections).toBe(2);
  });

  it('announces an entry whose order is still open after an outage as an entry, not a fill', async () => {
    const fake = await fakeFreqtrade();
    const { events, backfills } = await streamTo(fake.url);
    await subscribed(fake);
    await waitFor(() => backfills.length === 1, 1_000, 'first snapshot');
    fake.dropWebsockets();
    const filled = fake.addTrade({ pair: 'BTC/USDT', openRate: 60_000, stakeAmount: 100 });
    const waiting = fake.addTrade({ pair: 'ETH/USDT', openRate: 3_000, stakeAmount: 100 });
    const order = fake.state.trades.find((trade) => trade.id === waiting)?.orders[0];
    if (!order) throw new Error('no entry order');
    order.status = 'open';
    order.filled = 0;
    order.filledAtMs = null;
    await subscribed(fake, 2);
    await waitFor(() => backfills.length === 2, 2_000, 'the back-fill');
    expect(backfills[1]).toMatchObject({ ok: true, entered: [filled, waiting] });
    expect(
      events.map((e) => [e.type, e.type === 'entry' || e.type === 'entry_fill' ? e.trade_id : null]),
    ).toEqual([
      ['entry_fill', filled],
      ['entry', waiting],
    ]);
  });

  it('announces a long-held trade that closed while more than a page of newer trades did too', async () => {
    const fake = await fakeFreqtrade();
    const held = fake.addTrade({ pair: 'BTC/USDT', openRate: 60_000, stakeAmount: 100 });
    const { events, store } = await streamTo(fake.url);
    await subscribed(fake);
    await waitFor(() => store.seenTrades('main').open_trade_ids.includes(held), 1_000, 'first snapshot');
    // All of this happens before the reconnect runs: the same tick as the drop.
    fake.dropWebsockets();
    for (let i = 0; i < 60; i += 1) {
      const quick = fake.addTrade({ pair: 'ETH/USDT', openRate: 3_000, stakeAmount: 10 });
      fake.closeTrade(quick, { closeRate: 3_030, exitReason: 'roi' });
    }
    fake.closeTrade(held, { closeRate: 61_000, exitReason: 'exit_signal' });
    await subscribed(fake, 2);
    await waitFor(
      () => events.some((e) => e.type === 'exit_fill' && e.trade_id === held),
      3_000,
      'the held exit',
    );
    expect(events.filter((e) => e.type === 'exit_fill' && e.trade_id === held)).toHaveLength(1);
  });
});

describe('back-fill runner over any stream', () => {
  /** A stream stand-in: the runner needs only the typed events, so a test can emit them by hand. */
  function handStream() {
    const emitter = createTypedEmitter<EventStreamEvents>((_name, error) => {
      throw error;
    });
    return { bot: 'main', on: emitter.on, emit: emitter.emit };
  }

  it('holds live events while a back-fill looks, and sends them after what it found', async () => {
    const fake = await fakeFreqtrade();
    const logs = captureLogs();
    const real = createFreqtradeClient({
      bot: {
        name: 'main',
        api_url: fake.url,
        username: 'freqtrader',
        password: 'secret-pass',
        ws_token: WS_TOKEN,
        timeout_ms: 1_000,
        read_only: false,
      },
      logger: logs.logger,
      retry: { limit: 0, backoffMs: 10 },
    });
    // /status answers only once the test opens the gate: the back-fill is held mid-look.
    let openGate: () => void = () => {};
    let gate: Promise<void> = Promise.resolve();
    let statusAsked: () => void = () => {};
    const client: Parameters<typeof createBackfillRunner>[0]['client'] = {
      status: async () => {
        statusAsked();
        await gate;
        return real.status();
      },
      trades: (query) => real.trades(query),
      trade: (id) => real.trade(id),
    };
    const store = await openStore({ path: null, logger: logs.logger, auditMaxEntries: 100 });
    const stream = handStream();
    const events: BotEvent[] = [];
    const backfill = createBackfillRunner({
      stream,
      client,
      store,
      logger: logs.logger,
      onEvent: (event) => events.push(event),
    });
    cleanups.push(() => backfill.stop());
    const finished: BackfillResult[] = [];
    backfill.on('finished', (result) => finished.push(result));

    stream.emit('connected', { types: ['entry', 'entry_fill', 'exit_fill'] });
    await waitFor(() => finished.length === 1, 1_000, 'first sight');
    expect(finished[0]).toMatchObject({ ok: true, firstSight: true });

    // While "disconnected" a trade opened; the next connect's back-fill is held at /status.
    stream.emit('disconnected', { code: 1006 });
    const id = fake.addTrade({ pair: 'BTC/USDT', openRate: 60_000, stakeAmount: 100 });
    gate = new Promise((resolve) => {
      openGate = resolve;
    });
    const asked = new Promise<void>((resolve) => {
      statusAsked = resolve;
    });
    stream.emit('connected', { types: ['entry', 'entry_fill', 'exit_fill'] });
    await asked;
    // Another trade opens now, and its live entry arrives meanwhile (validated as the stream
    // would): held, not sent yet; nor is it announced twice once /status lists it.
    const opened = fake.addTrade({ pair: 'ETH/USDT', openRate: 3_000, stakeAmount: 100 });
    const entry = parseFrame(JSON.stringify(tradeFrame('entry', opened, 'ETH/USDT')));
    if (!entry.ok) throw new Error(entry.error);
    stream.emit('event', { ...entry.message, bot: 'main' });
    expect(events).toEqual([]);

    openGate();
    await waitFor(() => finished.length === 2, 1_000, 'the back-fill after the reconnect');
    expect(finished[1]).toEqual({ ok: true, entered: [id], exited: [], firstSight: false });
    expect(events.map((e) => [e.type, e.backfilled, 'trade_id' in e ? e.trade_id : null])).toEqual([
      ['entry_fill', true, id],
      ['entry', undefined, opened],
    ]);
  });
});
