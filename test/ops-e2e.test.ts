import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { parseConfig } from './support/config.js';
import { createLogger } from '../src/logger.js';
import { type App, startApp } from '../src/main.js';
import { METRIC_NAMES } from '../src/ops/metrics.js';
import type { ReadinessReport } from '../src/ops/readiness.js';
import { startFakeFreqtrade } from './fakes/fake-freqtrade.js';
import { type FakeTelegram, startFakeTelegram } from './fakes/fake-telegram.js';
import { tradeFrame } from './support/frames.js';
import {
  ADMIN,
  CANARY,
  closedPort,
  GROUP_CHAT,
  type Harness,
  QUIET,
  STRANGER,
  startHarness,
  until,
} from './support/harness.js';
import { sampleValue } from './support/prometheus.js';
import { waitFor } from './support/wait-for.js';

const LOUD_CHAT = 5001;

let harness: Harness | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A harness whose app serves the operations endpoint on a free loopback port. */
async function startOpsHarness(telegram: Record<string, unknown> = {}) {
  const port = await closedPort();
  harness = await startHarness({ config: { http: { enabled: true, port } }, telegram });
  const address = harness.app.ops?.address;
  if (!address) throw new Error('the operations endpoint is not running');
  return { h: harness, url: `http://${address.host}:${address.port}` };
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** Every secret the harness configures must stay out of every answer. */
function expectNoSecrets(text: string, telegram: FakeTelegram) {
  expect(text).not.toContain(CANARY.password);
  expect(text).not.toContain(CANARY.wsToken);
  expect(text).not.toContain(telegram.token);
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}/);
}

describe('operations endpoint end to end', () => {
  it('answers /readyz 503 while Telegram is starting and 200 once it has; /healthz 200 throughout', async () => {
    const freqtrade = await startFakeFreqtrade({ password: CANARY.password, wsToken: CANARY.wsToken });
    cleanups.push(() => freqtrade.close());
    const telegram = await startFakeTelegram();
    cleanups.push(() => telegram.close());
    const dir = await mkdtemp(join(tmpdir(), 'ftc-ops-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const port = await closedPort();
    const config = parseConfig({
      bots: [
        {
          name: 'main',
          api_url: freqtrade.url,
          username: 'freqtrader',
          password: CANARY.password,
          ws_token: CANARY.wsToken,
        },
      ],
      telegram: {
        enabled: true,
        token: telegram.token,
        api_root: telegram.apiRoot,
        chats: [{ chat_id: String(GROUP_CHAT), notifications: QUIET }],
        polling_timeout_s: 1,
      },
      access: { admins: [`telegram:${ADMIN}`] },
      store: { path: join(dir, 'state.json') },
      http: { enabled: true, port },
    });
    const release = telegram.holdNext('getMe');
    const starting = startApp({ config, logger: createLogger({ level: 'silent' }) });
    let app: App | undefined;
    cleanups.push(async () => {
      release();
      await (app ?? (await starting.catch(() => undefined)))?.stop();
    });
    const url = `http://127.0.0.1:${port}`;

    await until(() => telegram.calls.some((call) => call.method === 'getMe'), 5000, 'getMe to be held');
    const waiting = await waitFor(() => fetch(`${url}/readyz`), 5000, 'the endpoint to listen');
    expect(waiting.status).toBe(503);
    const body = (await waiting.json()) as ReadinessReport;
    expect(body).toMatchObject({ ready: false, platforms: { telegram: 'starting' } });
    expect(body.bots).toEqual([expect.objectContaining({ name: 'main', last_rest_error: null })]);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    release();
    app = await starting;
    expect(app.ops?.address).toEqual({ host: '127.0.0.1', port });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, platforms: { telegram: 'started' } });
  });

  it("counts an admin's /status once, with its duration and its Freqtrade call, and leaks no secret", async () => {
    const { h, url } = await startOpsHarness();
    const before = await scrape(url);
    const [reply] = await h.say('/status');
    expect(reply?.text).toBeTruthy();
    const after = await scrape(url);

    const commands = (text: string) =>
      sampleValue(text, METRIC_NAMES.commands, { command: 'status', outcome: 'ok' }) ?? 0;
    const timed = (text: string) =>
      sampleValue(text, `${METRIC_NAMES.commandDuration}_count`, { command: 'status' }) ?? 0;
    const restOk = (text: string) =>
      sampleValue(text, METRIC_NAMES.freqtradeRequests, { bot: 'main', outcome: 'ok' }) ?? 0;
    expect(commands(after) - commands(before)).toBe(1);
    expect(timed(after) - timed(before)).toBe(1);
    expect(restOk(after)).toBeGreaterThan(restOk(before));

    const answers = [after];
    for (const path of ['/healthz', '/readyz', '/nope'])
      answers.push(await (await fetch(`${url}${path}`)).text());
    answers.push(await (await fetch(`${url}/metrics`, { method: 'POST' })).text());
    for (const text of answers) expectNoSecrets(text, h.telegram);
  });

  it('labels commands and button presses by how they ended', async () => {
    const { h, url } = await startOpsHarness();
    const id = h.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
    const [prompt] = await h.say(`/forceexit ${id}`);
    await h.press(prompt!, 'Confirm');
    await h.say('/pause', { userId: STRANGER });
    await h.say('/forceexit abc');
    await h.say('/frobnicate');
    h.freqtrade.failNext('GET', '/status', 502, {
      error: 'Error querying /api/v1/status: trader is not running',
    });
    await h.say('/status');
    const text = await scrape(url);
    const count = (command: string, outcome: string) =>
      sampleValue(text, METRIC_NAMES.commands, { command, outcome });
    expect(count('forceexit', 'confirm_requested')).toBe(1);
    expect(count('forceexit', 'ok')).toBe(1);
    expect(count('pause', 'denied')).toBe(1);
    expect(count('forceexit', 'refused')).toBe(1);
    expect(count('unknown', 'refused')).toBe(1);
    expect(count('status', 'failed')).toBe(1);
    expect(sampleValue(text, METRIC_NAMES.freqtradeRequests, { bot: 'main', outcome: 'http_error' })).toBe(1);
    expect(sampleValue(text, `${METRIC_NAMES.commandDuration}_count`, { command: 'forceexit' })).toBe(3);
  });

  it('counts the notifications Telegram accepted and the 429s it answered', async () => {
    const { h, url } = await startOpsHarness({ chats: [{ chat_id: String(LOUD_CHAT), topic_id: null }] });
    await until(
      () => h.freqtrade.wsConsumers().some((consumer) => consumer.subscribed.includes('entry')),
      5000,
      'subscription',
    );
    const sent = (text: string) =>
      sampleValue(text, METRIC_NAMES.notificationsSent, { platform: 'telegram' }) ?? 0;
    const limited = (text: string) =>
      sampleValue(text, METRIC_NAMES.rateLimited, { platform: 'telegram' }) ?? 0;
    const toLoudChat = () => h.telegram.messages.filter((m) => m.chat_id === String(LOUD_CHAT)).length;

    const before = await scrape(url);
    const messagesBefore = toLoudChat();
    for (const [id, pair] of [
      [11, 'SOL/USDT'],
      [12, 'ADA/USDT'],
      [13, 'DOT/USDT'],
    ] as const) {
      h.freqtrade.emit(tradeFrame('entry', id, pair));
    }
    await until(() => h.telegram.messages.some((m) => m.text.includes('DOT/USDT')), 8000, 'the last entry');
    await h.app.notifier.drain();
    const afterEntries = await scrape(url);
    const accepted = toLoudChat() - messagesBefore;
    expect(accepted).toBeGreaterThan(0);
    expect(sent(afterEntries) - sent(before)).toBe(accepted);
    expect(sampleValue(afterEntries, METRIC_NAMES.notificationsPending, { platform: 'telegram' })).toBe(0);

    const refusedBefore = h.telegram.count429;
    h.telegram.fail429('sendMessage', 2, 1);
    h.freqtrade.emit(tradeFrame('entry', 14, 'XRP/USDT'));
    // While the outbox waits out the 429s, the entry is pending.
    const waiting = await waitFor(
      async () => {
        const text = await scrape(url);
        return limited(text) > limited(afterEntries) ? text : undefined;
      },
      5000,
      'the first 429 to be counted',
    );
    expect(sampleValue(waiting, METRIC_NAMES.notificationsPending, { platform: 'telegram' })).toBe(1);
    await until(
      () => h.telegram.messages.some((m) => m.text.includes('XRP/USDT')),
      8000,
      'the entry after 429s',
    );
    await h.app.notifier.drain();
    const afterLimits = await scrape(url);
    expect(limited(afterLimits) - limited(afterEntries)).toBe(h.telegram.count429 - refusedBefore);
    expect(h.telegram.count429 - refusedBefore).toBe(2);
    expect(sent(afterLimits) - sent(afterEntries)).toBe(1);
  }, 20_000);

  it('shows the stream gauge go 1 → 0 → 1 across a Freqtrade outage, and the REST error in /readyz', async () => {
    const { h, url } = await startOpsHarness();
    const connected = async (expected: number, what: string) =>
      waitFor(
        async () => {
          const text = await scrape(url);
          return sampleValue(text, METRIC_NAMES.freqtradeStreamConnected, { bot: 'main' }) === expected
            ? text
            : undefined;
        },
        8000,
        what,
      );
    await connected(1, 'the stream to connect');
    const readyBefore = (await (await fetch(`${url}/readyz`)).json()) as ReadinessReport;
    expect(readyBefore.bots).toEqual([{ name: 'main', websocket: 'open', last_rest_error: null }]);

    // The first back-fill's REST calls are done, so the outage's failures below are the command's alone.
    await until(() => h.app.store.seenTrades('main').updated_at_ms > 0, 5000, 'the first back-fill');
    // ... and the fiat rate's /balance, read on connect for notifications.
    await until(() => h.app.botFacts.fiatRate('main') !== undefined, 5000, 'the fiat rate');
    const port = h.freqtrade.port;
    await h.freqtrade.close();
    await connected(0, 'the gauge to show the outage');
    const failedBefore = sampleValue(await scrape(url), METRIC_NAMES.freqtradeRequests, {
      bot: 'main',
      outcome: 'network_error',
    });
    // A command during the outage fails without an answer from Freqtrade.
    await h.say('/status');
    const during = await fetch(`${url}/readyz`);
    expect(during.status).toBe(200);
    const duringText = await during.text();
    expectNoSecrets(duringText, h.telegram);
    const [bot] = (JSON.parse(duringText) as ReadinessReport).bots;
    expect(bot?.websocket).not.toBe('open');
    expect(bot?.last_rest_error).toEqual({
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      error: 'NetworkError',
      method: 'GET',
      path: '/api/v1/status',
      reason: 'connection refused',
    });
    const failedAfter = sampleValue(await scrape(url), METRIC_NAMES.freqtradeRequests, {
      bot: 'main',
      outcome: 'network_error',
    });
    expect((failedAfter ?? 0) - (failedBefore ?? 0)).toBe(1);

    h.freqtrade = await startFakeFreqtrade({ port, password: CANARY.password, wsToken: CANARY.wsToken });
    await connected(1, 'the stream to reconnect');
  }, 30_000);

  it('listens nowhere when http is disabled', async () => {
    const port = await closedPort();
    harness = await startHarness({ config: { http: { enabled: false, port } } });
    expect(harness.app.ops).toBeUndefined();
    await harness.say('/status');
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('exits 2 naming the address when the http port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const address = blocker.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const dir = await mkdtemp(join(tmpdir(), 'ftc-ops-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'config.json');
    await writeFile(
      path,
      JSON.stringify({
        bots: [
          {
            name: 'main',
            api_url: `http://127.0.0.1:${await closedPort()}`,
            username: 'u',
            password: 'p4ss',
          },
        ],
        telegram: { enabled: true, token: '123456:TEST-token-abcdef', api_root: 'http://127.0.0.1:9' },
        store: { path: join(dir, 'state.json') },
        log_level: 'silent',
        http: { enabled: true, host: '127.0.0.1', port: address.port },
      }),
    );
    let out = '';
    let err = '';
    const sink = (write: (text: string) => void) =>
      new Writable({
        write(chunk, _encoding, callback) {
          write(String(chunk));
          callback();
        },
      });
    const status = await runCli(['--config', path], {
      out: sink((text) => {
        out += text;
      }),
      err: sink((text) => {
        err += text;
      }),
      env: {},
    });
    expect(status).toBe(2);
    expect(err).toContain(`127.0.0.1:${address.port} is already in use`);
    expect(out).toBe('');
  });
});
