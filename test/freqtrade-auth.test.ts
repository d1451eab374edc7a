/**
 * Authentication of the Freqtrade client against the fake Freqtrade: login, Bearer tokens,
 * refresh before expiry (on the fake's clock), renewal after a 401, the Basic fallback, and the
 * promise that no secret reaches an error message or a log line.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { BotConfig } from '../src/config/schema.js';
import { ApiError, ConfigError, describeError, NetworkError } from '../src/errors.js';
import { createFreqtradeClient, type FreqtradeClientDeps } from '../src/freqtrade/client.js';
import { createFleet } from '../src/freqtrade/fleet.js';
import { createLogger } from '../src/logger.js';
import { type FakeFreqtrade, startFakeFreqtrade } from './fakes/fake-freqtrade.js';

const ACCESS_TTL_MS = 15 * 60_000;

const fakes: FakeFreqtrade[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function startFake(opts: Parameters<typeof startFakeFreqtrade>[0] = {}): Promise<FakeFreqtrade> {
  const fake = await startFakeFreqtrade(opts);
  fakes.push(fake);
  return fake;
}

function botFor(fake: FakeFreqtrade, overrides: Partial<BotConfig> = {}): BotConfig {
  return {
    name: 'alpha',
    api_url: fake.url,
    username: 'freqtrader',
    password: 'secret-pass',
    ws_token: null,
    timeout_ms: 5_000,
    read_only: false,
    ...overrides,
  };
}

function clientFor(
  fake: FakeFreqtrade,
  overrides: Partial<BotConfig> = {},
  deps: Partial<FreqtradeClientDeps> = {},
) {
  return createFreqtradeClient({
    bot: botFor(fake, overrides),
    now: () => fake.now(),
    retry: { limit: 2, backoffMs: 5 },
    ...deps,
  });
}

/** [method, path, auth] of every request the fake saw, in order. */
const trail = (fake: FakeFreqtrade) => fake.requests.map((r) => [r.method, r.path, r.auth]);

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected the call to fail, but it succeeded');
}

function jwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

describe('Freqtrade client authentication', () => {
  it('logs in once with Basic auth, then sends the Bearer access token on every call', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    await client.version();
    await client.count();
    await client.status();
    expect(fake.counts.logins).toBe(1);
    expect(trail(fake)).toEqual([
      ['POST', '/token/login', 'basic'],
      ['GET', '/version', 'bearer'],
      ['GET', '/count', 'bearer'],
      ['GET', '/status', 'bearer'],
    ]);
  });

  it('shares one login between concurrent first calls', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    await Promise.all(Array.from({ length: 10 }, () => client.version()));
    expect(fake.counts.logins).toBe(1);
    expect(fake.requests.filter((r) => r.path === '/token/login')).toHaveLength(1);
  });

  it('does not refresh while the access token has more than 30 s left', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    await client.version();
    fake.advanceTime(ACCESS_TTL_MS - 60_000);
    await client.version();
    expect(fake.counts.refreshes).toBe(0);
    expect(fake.counts.logins).toBe(1);
  });

  it('refreshes the access token with the refresh token shortly before it expires, without a 401', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    await client.version();
    fake.advanceTime(ACCESS_TTL_MS - 20_000);
    await client.count();
    expect(fake.counts.refreshes).toBe(1);
    expect(fake.counts.logins).toBe(1);
    expect(trail(fake)).toEqual([
      ['POST', '/token/login', 'basic'],
      ['GET', '/version', 'bearer'],
      ['POST', '/token/refresh', 'bearer'],
      ['GET', '/count', 'bearer'],
    ]);
  });

  it('shares exactly one refresh between 20 concurrent calls across an expiry', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    await client.version();
    fake.advanceTime(ACCESS_TTL_MS + 1_000);
    const results = await Promise.all(Array.from({ length: 20 }, () => client.count()));
    expect(results).toHaveLength(20);
    expect(fake.counts.refreshes).toBe(1);
    expect(fake.counts.logins).toBe(1);
    expect(fake.requests.filter((r) => r.path === '/count' && r.auth === 'bearer')).toHaveLength(20);
  });

  it('refreshes once and retries the same POST once when it gets 401 "Could not validate credentials"', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    await client.version();
    fake.failNext('POST', '/stop', 401, { detail: 'Could not validate credentials' });
    const answer = await client.stop();
    expect(answer.status).toBe('stopping trader ...');
    expect(fake.counts.refreshes).toBe(1);
    expect(fake.requests.filter((r) => r.path === '/stop')).toHaveLength(2);
    expect(fake.state.botState).toBe('stopped');
  });

  it('logs in again once when the refresh token is refused', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    await client.version();
    fake.advanceTime(ACCESS_TTL_MS);
    fake.failNext('POST', '/token/refresh', 401, { detail: 'Could not validate credentials' });
    await client.count();
    expect(fake.counts.logins).toBe(2);
    expect(trail(fake)).toEqual([
      ['POST', '/token/login', 'basic'],
      ['GET', '/version', 'bearer'],
      ['POST', '/token/refresh', 'bearer'],
      ['POST', '/token/login', 'basic'],
      ['GET', '/count', 'bearer'],
    ]);
  });

  it('logs in again instead of refreshing once the refresh token itself has expired', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    await client.version();
    fake.advanceTime(31 * 24 * 3_600_000);
    await client.count();
    expect(fake.counts.logins).toBe(2);
    expect(fake.counts.refreshes).toBe(0);
  });

  it('falls back to Basic auth on every request, for good, when the server issues no tokens', async () => {
    const fake = await startFake({ issueTokens: false });
    const client = clientFor(fake);
    await client.version();
    await client.count();
    fake.advanceTime(ACCESS_TTL_MS * 2);
    await client.status();
    expect(trail(fake).slice(1)).toEqual([
      ['GET', '/version', 'basic'],
      ['GET', '/count', 'basic'],
      ['GET', '/status', 'basic'],
    ]);
    expect(fake.requests.filter((r) => r.path === '/token/login')).toHaveLength(1);
  });

  it('reports wrong credentials as an ApiError naming the bot and bots[i], never the password', async () => {
    const fake = await startFake();
    const fleet = createFleet(
      [botFor(fake, { name: 'zero' }), botFor(fake, { name: 'one', password: 'Wr0ng-Pa55word' })],
      { retry: { limit: 0, backoffMs: 5 } },
    );
    const error = await rejectionOf(fleet.get('one').count());
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe(
      'one: POST /api/v1/token/login failed with 401: Wrong username or password: check bots[1].username / password (Freqtrade said: Incorrect username or password)',
    );
    expect(error).toMatchObject({
      service: 'one',
      status: 401,
      detail: 'Wrong username or password: check bots[1].username / password',
    });
    expect(error.message).not.toContain('Wr0ng-Pa55word');
    expect(fake.requests.filter((r) => r.path === '/count')).toHaveLength(0);
  });

  it('reports wrong credentials on a server without tokens with the same hint', async () => {
    const fake = await startFake({ issueTokens: false });
    const client = clientFor(fake, { password: 'Wr0ng-Pa55word' }, { configIndex: 0 });
    const error = await rejectionOf(client.count());
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe(
      'alpha: GET /api/v1/count failed with 401: Wrong username or password: check bots[0].username / password (Freqtrade said: Unauthorized)',
    );
  });

  it('recovers when Freqtrade restarts on the same port with a new JWT secret: refresh refused, one new login', async () => {
    const first = await startFake();
    let current = first;
    const client = createFreqtradeClient({
      bot: botFor(first),
      now: () => current.now(),
      retry: { limit: 1, backoffMs: 5 },
    });
    await client.version();
    await first.close();
    fakes.splice(fakes.indexOf(first), 1);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const down = await rejectionOf(client.count());
    expect(down).toBeInstanceOf(NetworkError);
    expect(down.message).toBe(`alpha is unreachable (connection refused at ${first.url}/api/v1/count)`);

    const restarted = await startFake({ port: first.port });
    current = restarted;
    const count = await client.count();
    expect(count.current).toBe(0);
    expect(trail(restarted)).toEqual([
      ['GET', '/count', 'bearer'],
      ['POST', '/token/refresh', 'bearer'],
      ['POST', '/token/login', 'basic'],
      ['GET', '/count', 'bearer'],
    ]);
    expect(restarted.counts.logins).toBe(1);
  });

  it('fails with an ApiError after one retry when the renewed token is refused too', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    await client.version();
    fake.failNext('GET', '/count', 401, { detail: 'Could not validate credentials' });
    fake.failNext('GET', '/count', 401, { detail: 'Could not validate credentials' });
    const error = await rejectionOf(client.count());
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe('alpha: GET /api/v1/count failed with 401: Could not validate credentials');
    expect(fake.requests.filter((r) => r.path === '/count')).toHaveLength(2);
    expect(fake.counts.refreshes).toBe(1);
  });
});

describe('Freqtrade websocket URL', () => {
  it('uses the configured ws_token without calling the server', async () => {
    const fake = await startFake({ wsToken: 'ws-token-abc' });
    const client = clientFor(fake, { ws_token: 'ws-token-abc' });
    const url = await client.websocketUrl();
    expect(url).toBe(`${fake.url.replace('http://', 'ws://')}/api/v1/message/ws?token=ws-token-abc`);
    expect(fake.requests).toHaveLength(0);
  });

  it('uses a fresh access JWT when no ws_token is configured, and the fake accepts it', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    const first = await client.websocketUrl();
    const token = new URL(first).searchParams.get('token') ?? '';
    expect(jwtPayload(token)).toMatchObject({ type: 'access' });
    fake.advanceTime(ACCESS_TTL_MS);
    const second = await client.websocketUrl();
    expect(second).not.toBe(first);
    expect(fake.counts.refreshes).toBe(1);

    const socket = new WebSocket(second);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
    });
    socket.close();
    expect(fake.counts.wsConnections).toBe(1);
  });

  it('asks for a ws_token when the server issues no tokens and none is configured', async () => {
    const fake = await startFake({ issueTokens: false });
    const client = clientFor(fake, {}, { configIndex: 2 });
    const error = await rejectionOf(client.websocketUrl());
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      'Bot "alpha" has no ws_token and its Freqtrade issues no access tokens: set bots[2].ws_token to one of api_server.ws_token.',
    );
  });
});

describe('Freqtrade client secrets', () => {
  it('never puts the password, Basic credentials, ws_token or a JWT into an error message or a log line', async () => {
    const password = 'Canary-P4ssw0rd-91f3';
    const wsToken = 'Canary-WsT0ken-77ab';
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    const logger = createLogger({ level: 'trace', destination });
    const fake = await startFake({ password, wsToken });
    const deps = { logger, now: () => fake.now(), retry: { limit: 1, backoffMs: 5 } };
    const client = createFreqtradeClient({ ...deps, bot: botFor(fake, { password, ws_token: wsToken }) });
    const messages: string[] = [];
    const collect = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (error) {
        messages.push(
          describeError(error),
          JSON.stringify(error),
          error instanceof Error ? String(error.stack) : '',
        );
      }
    };

    // Successful calls: login, Bearer, a refresh and a renewal after a 401.
    await client.version();
    await client.websocketUrl();
    fake.advanceTime(ACCESS_TTL_MS);
    await client.count();
    fake.failNext('GET', '/count', 401, { detail: 'Could not validate credentials' });
    await client.count();
    // Failures of every kind.
    await collect(client.trade(9_999));
    await collect(client.forceExit({ tradeid: 9_999 }));
    fake.failNext('GET', '/whitelist', 500, { detail: 'boom' });
    fake.failNext('GET', '/whitelist', 500, { detail: 'boom' });
    await collect(client.whitelist());
    const wrong = createFreqtradeClient({
      ...deps,
      bot: botFor(fake, { password: `${password}-x`, ws_token: wsToken }),
    });
    await collect(wrong.count());
    const noTokens = await startFake({ password, issueTokens: false });
    const basicClient = createFreqtradeClient({
      ...deps,
      bot: botFor(noTokens, { password: `${password}-x` }),
    });
    await collect(basicClient.count());
    await noTokens.close();
    await collect(basicClient.count());
    expect(messages.length).toBeGreaterThanOrEqual(5 * 3);
    expect(messages.some((m) => m.includes('NetworkError') || m.includes('unreachable'))).toBe(true);

    const everything = [...messages, ...lines].join('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [
      password,
      wsToken,
      Buffer.from(`freqtrader:${password}`).toString('base64'),
      Buffer.from(`freqtrader:${password}-x`).toString('base64'),
      encodeURIComponent(password),
    ]) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}/);
    expect(everything).not.toMatch(/(?:Bearer|Basic) [A-Za-z0-9+/=._-]{8,}/);
    // Nothing was even handed to the redactor: it had no secret to hide.
    expect(lines.join('\n')).not.toContain('[REDACTED]');
  });

  it('keeps the ws_token out of NetworkError messages when the server is gone', async () => {
    const fake = await startFake();
    const client = clientFor(fake, { ws_token: 'Canary-WsT0ken-5521' });
    await fake.close();
    fakes.splice(fakes.indexOf(fake), 1);
    const error = await rejectionOf(client.version());
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toBe(`alpha is unreachable (connection refused at ${fake.url}/api/v1/token/login)`);
  });
});
