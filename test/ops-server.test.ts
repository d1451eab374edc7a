import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { applyEnvOverrides } from '../src/config/load.js';
import { loadConfig, parseConfig } from './support/config.js';
import { ApiError, ConfigError, NetworkError, ValidationError } from '../src/errors.js';
import { createSilentLogger } from '../src/logger.js';
import { type OpsServer, startOpsServer } from '../src/ops/http-server.js';
import { createMetrics, METRIC_NAMES } from '../src/ops/metrics.js';
import { createReadiness, summarizeRestError } from '../src/ops/readiness.js';
import { sampleValue } from './support/prometheus.js';

let server: OpsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server with fresh metrics and a readiness tracker waiting for telegram. */
async function startTestServer() {
  const metrics = createMetrics({ platforms: ['telegram'], bots: ['main'] });
  const readiness = createReadiness({
    platforms: ['telegram'],
    bots: ['main'],
    streamState: () => 'open',
    now: () => Date.UTC(2026, 10, 22, 9, 0, 0),
  });
  server = await startOpsServer({
    host: '127.0.0.1',
    port: 0,
    metrics,
    readiness: () => readiness.report(),
    logger: createSilentLogger(),
  });
  const url = `http://127.0.0.1:${server.address.port}`;
  return { metrics, readiness, url };
}

describe('operations HTTP server', () => {
  it('answers /healthz with 200 and /readyz with 503 until every platform started, then 200', async () => {
    const { readiness, url } = await startTestServer();
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const before = await fetch(`${url}/readyz`);
    expect(before.status).toBe(503);
    expect(before.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await before.json()).toEqual({
      ready: false,
      platforms: { telegram: 'starting' },
      bots: [{ name: 'main', websocket: 'open', last_rest_error: null }],
    });

    readiness.platformStarted('telegram');
    const after = await fetch(`${url}/readyz`);
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ ready: true, platforms: { telegram: 'started' } });
  });

  it('serves the Prometheus text format with the process defaults and every ftchatops metric', async () => {
    const { metrics, url } = await startTestServer();
    metrics.commandFinished({ command: 'status', outcome: 'ok', durationMs: 120 });
    metrics.freqtradeRequest('main', 'network_error');
    metrics.notificationSent('telegram');
    metrics.rateLimited('telegram');
    metrics.watch({
      pendingNotifications: () => [['telegram', 4]],
      streamsConnected: () => [['main', true]],
    });
    const res = await fetch(`${url}/metrics?ignored=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    for (const name of Object.values(METRIC_NAMES)) expect(text).toContain(`# HELP ${name} `);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_total_bytes');
    expect(sampleValue(text, METRIC_NAMES.commands, { command: 'status', outcome: 'ok' })).toBe(1);
    expect(sampleValue(text, `${METRIC_NAMES.commandDuration}_count`, { command: 'status' })).toBe(1);
    expect(sampleValue(text, `${METRIC_NAMES.commandDuration}_sum`, { command: 'status' })).toBeCloseTo(0.12);
    expect(
      sampleValue(text, `${METRIC_NAMES.commandDuration}_bucket`, { command: 'status', le: '0.25' }),
    ).toBe(1);
    expect(
      sampleValue(text, `${METRIC_NAMES.commandDuration}_bucket`, { command: 'status', le: '0.1' }),
    ).toBe(0);
    expect(sampleValue(text, METRIC_NAMES.freqtradeRequests, { bot: 'main', outcome: 'network_error' })).toBe(
      1,
    );
    expect(sampleValue(text, METRIC_NAMES.freqtradeRequests, { bot: 'main', outcome: 'ok' })).toBe(0);
    expect(sampleValue(text, METRIC_NAMES.notificationsSent, { platform: 'telegram' })).toBe(1);
    expect(sampleValue(text, METRIC_NAMES.rateLimited, { platform: 'telegram' })).toBe(1);
    expect(sampleValue(text, METRIC_NAMES.notificationsPending, { platform: 'telegram' })).toBe(4);
    expect(sampleValue(text, METRIC_NAMES.freqtradeStreamConnected, { bot: 'main' })).toBe(1);
  });

  it('reads the gauges at scrape time, dropping labels their source no longer reports', async () => {
    const { metrics, url } = await startTestServer();
    let connected: Array<readonly [string, boolean]> = [
      ['a', true],
      ['b', false],
    ];
    metrics.watch({ pendingNotifications: () => [], streamsConnected: () => connected });
    const first = await (await fetch(`${url}/metrics`)).text();
    expect(sampleValue(first, METRIC_NAMES.freqtradeStreamConnected, { bot: 'a' })).toBe(1);
    expect(sampleValue(first, METRIC_NAMES.freqtradeStreamConnected, { bot: 'b' })).toBe(0);
    connected = [['a', false]];
    const second = await (await fetch(`${url}/metrics`)).text();
    expect(sampleValue(second, METRIC_NAMES.freqtradeStreamConnected, { bot: 'a' })).toBe(0);
    expect(sampleValue(second, METRIC_NAMES.freqtradeStreamConnected, { bot: 'b' })).toBeUndefined();
  });

  it('keeps the counts of two apps in one process apart (each has its own registry)', async () => {
    const first = createMetrics({ processMetrics: false });
    const second = createMetrics({ processMetrics: false });
    first.notificationSent('telegram');
    first.notificationSent('telegram');
    second.notificationSent('telegram');
    expect(sampleValue(await first.render(), METRIC_NAMES.notificationsSent, { platform: 'telegram' })).toBe(
      2,
    );
    expect(sampleValue(await second.render(), METRIC_NAMES.notificationsSent, { platform: 'telegram' })).toBe(
      1,
    );
  });

  it('answers 404 for another path and 405 with Allow for another method; HEAD gets headers only', async () => {
    const { url } = await startTestServer();
    const missing = await fetch(`${url}/status`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not found' });
    expect((await fetch(`${url}/metrics/extra`)).status).toBe(404);

    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const refused = await fetch(`${url}/metrics`, { method });
      expect(refused.status, method).toBe(405);
      expect(refused.headers.get('allow')).toBe('GET, HEAD');
      await refused.arrayBuffer();
    }

    const head = await fetch(`${url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('refuses a port in use with a ConfigError naming host and port', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    try {
      const attempt = startOpsServer({
        host: '127.0.0.1',
        port: address.port,
        metrics: createMetrics({ processMetrics: false }),
        readiness: () => ({ ready: true, platforms: {}, bots: [] }),
        logger: createSilentLogger(),
      });
      await expect(attempt).rejects.toThrow(ConfigError);
      await expect(attempt).rejects.toThrow(`http: 127.0.0.1:${address.port} is already in use`);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('stops listening on close, keep-alive connections included', async () => {
    const { url } = await startTestServer();
    const res = await fetch(`${url}/healthz`, { headers: { connection: 'keep-alive' } });
    await res.text();
    await server?.close();
    server = undefined;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

describe('summarizeRestError', () => {
  const at = Date.UTC(2026, 10, 22, 9, 30, 0);

  it('keeps the class, method, path and status of an ApiError, not the server text', () => {
    const error = new ApiError({
      service: 'main',
      status: 401,
      method: 'GET',
      path: '/api/v1/status',
      detail: 'token eyJhbGciOi.secret.part rejected',
    });
    const summary = summarizeRestError(error, at);
    expect(summary).toEqual({
      at: '2026-11-22T09:30:00.000Z',
      error: 'ApiError',
      method: 'GET',
      path: '/api/v1/status',
      status: 401,
    });
    expect(JSON.stringify(summary)).not.toContain('eyJ');
  });

  it('keeps the method, path and reason of a NetworkError and leaves its host and credentials out', () => {
    const error = new NetworkError({
      service: 'main',
      kind: 'refused',
      method: 'GET',
      url: 'http://user:pw@freqtrade.internal:8080/api/v1/status',
      reason: 'connection refused',
    });
    const summary = summarizeRestError(error, at);
    expect(summary).toEqual({
      at: '2026-11-22T09:30:00.000Z',
      error: 'NetworkError',
      method: 'GET',
      path: '/api/v1/status',
      reason: 'connection refused',
    });
  });

  it('names only the class of a ValidationError or an unexpected error', () => {
    expect(summarizeRestError(new ValidationError('main GET /api/v1/status response', ['x']), at).error).toBe(
      'ValidationError',
    );
    const odd = summarizeRestError(new TypeError('fetch failed for http://u:secret@host'), at);
    expect(odd).toEqual({ at: '2026-11-22T09:30:00.000Z', error: 'TypeError' });
  });
});

describe('http config section', () => {
  const bots = [{ name: 'main', api_url: 'http://127.0.0.1:8080', username: 'u', password: 'p4ssword' }];

  it('is off by default, on 127.0.0.1:9464', () => {
    expect(parseConfig({ bots }).http).toEqual({ enabled: false, host: '127.0.0.1', port: 9464 });
    expect(parseConfig({ bots, http: { enabled: true } }).http).toEqual({
      enabled: true,
      host: '127.0.0.1',
      port: 9464,
    });
  });

  it('names a port out of range and an unknown key', () => {
    const attempt = () => parseConfig({ bots, http: { enabled: true, port: 70_000, path: '/metrics' } });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/http\.port: .*65535/);
    expect(attempt).toThrow(/http\.path: unknown key/);
    expect(() => parseConfig({ bots, http: { port: 0 } })).toThrow(/http\.port/);
  });

  it('takes the port from the environment as a number, and the example config parses with it off', async () => {
    const config = parseConfig(
      applyEnvOverrides({ bots, http: { port: 9464 } }, { FTCHATOPS__HTTP__PORT: '9100' }),
    );
    expect(config.http.port).toBe(9100);
    const example = await loadConfig(new URL('../config.example.json', import.meta.url).pathname, {});
    expect(example.http).toEqual({ enabled: false, host: '127.0.0.1', port: 9464 });
  });
});
