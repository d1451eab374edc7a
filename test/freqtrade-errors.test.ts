/**
 * Error mapping, retries and timeouts of the Freqtrade client against a scripted HTTP server
 * (exact bodies and statuses, a server that never answers, a server that answers garbage).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { BotConfig } from '../src/config/schema.js';
import { ApiError, NetworkError, UserInputError, ValidationError } from '../src/errors.js';
import {
  createFreqtradeClient,
  errorDetail,
  type FreqtradeClient,
  readJwt,
  toUtcIso,
} from '../src/freqtrade/client.js';

interface StubRequest {
  method: string;
  /** Without /api/v1 and without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}
interface StubAnswer {
  status: number;
  body?: unknown;
  /** Sent as is instead of JSON. */
  raw?: string;
  /** Never answer. */
  hang?: boolean;
  /** Drop the connection without an answer. */
  destroy?: boolean;
}
interface Stub {
  url: string;
  requests: StubRequest[];
  close(): Promise<void>;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => closeServer(server)));
});

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A scripted server; login answers 404 unless the handler says otherwise, so the client uses Basic auth. */
async function startStub(handler: (req: StubRequest) => StubAnswer | undefined): Promise<Stub> {
  const requests: StubRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const request: StubRequest = {
        method: req.method ?? 'GET',
        path: url.pathname.replace(/^\/api\/v1/, ''),
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const answer =
        handler(request) ??
        (request.path === '/token/login'
          ? { status: 404, body: { detail: 'Not Found' } }
          : { status: 404, body: { detail: 'Not Found' } });
      if (answer.hang) return;
      if (answer.destroy) {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.raw ?? JSON.stringify(answer.body ?? null));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('stub server has no TCP address');
  const { port } = address;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => closeServer(server) };
}

function botFor(url: string, overrides: Partial<BotConfig> = {}): BotConfig {
  return {
    name: 'alpha',
    api_url: url,
    username: 'freqtrader',
    password: 'secret-pass',
    ws_token: null,
    timeout_ms: 2_000,
    read_only: false,
    ...overrides,
  };
}

/** The calls a stub saw for one path. */
const callsTo = (stub: Stub, path: string) => stub.requests.filter((r) => r.path === path);

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected the call to fail, but it succeeded');
}

const FAST_RETRY = { limit: 2, backoffMs: 5 };

describe('Freqtrade client error mapping', () => {
  it('turns a 404 {"detail": "Trade not found."} into an ApiError with that detail and no hint', async () => {
    const stub = await startStub((req) =>
      req.path === '/trade/7' ? { status: 404, body: { detail: 'Trade not found.' } } : undefined,
    );
    const client = createFreqtradeClient({ bot: botFor(stub.url), retry: FAST_RETRY });
    const error = await rejectionOf(client.trade(7));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe('alpha: GET /api/v1/trade/7 failed with 404: Trade not found.');
    expect(error).toMatchObject({ service: 'alpha', status: 404, method: 'GET', path: '/api/v1/trade/7' });
  });

  it('says the Freqtrade is too old when a GET route answers 404 "Not Found"', async () => {
    const stub = await startStub(() => undefined);
    const client = createFreqtradeClient({ bot: botFor(stub.url), retry: FAST_RETRY });
    const error = await rejectionOf(client.profitAll());
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe(
      'alpha: GET /api/v1/profit_all failed with 404: Not Found (this Freqtrade is too old for /api/v1/profit_all)',
    );
  });

  it('says the Freqtrade is too old when a POST route answers 405 "Method Not Allowed"', async () => {
    const stub = await startStub((req) =>
      req.path === '/pause' ? { status: 405, body: { detail: 'Method Not Allowed' } } : undefined,
    );
    const client = createFreqtradeClient({ bot: botFor(stub.url), retry: FAST_RETRY });
    const error = await rejectionOf(client.pause());
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe(
      'alpha: POST /api/v1/pause failed with 405: Method Not Allowed (this Freqtrade is too old for /api/v1/pause)',
    );
    expect(callsTo(stub, '/pause')).toHaveLength(1);
  });

  it('joins a 422 validation detail list as "loc: msg" pairs', async () => {
    const stub = await startStub((req) =>
      req.path === '/pair_candles'
        ? {
            status: 422,
            body: {
              detail: [
                { type: 'missing', loc: ['query', 'pair'], msg: 'Field required', input: null },
                { type: 'missing', loc: ['query', 'timeframe'], msg: 'Field required', input: null },
              ],
            },
          }
        : undefined,
    );
    const client = createFreqtradeClient({ bot: botFor(stub.url), retry: FAST_RETRY });
    const error = await rejectionOf(client.pairCandles({ pair: '', timeframe: '' }));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe(
      'alpha: GET /api/v1/pair_candles failed with 422: query.pair: Field required; query.timeframe: Field required',
    );
  });

  it('strips the "Error querying" prefix from a 502 RPC refusal and does not retry it', async () => {
    const stub = await startStub((req) =>
      req.path === '/count'
        ? { status: 502, body: { error: 'Error querying /api/v1/count: trader is not running' } }
        : undefined,
    );
    const client = createFreqtradeClient({ bot: botFor(stub.url), retry: FAST_RETRY });
    const error = await rejectionOf(client.count());
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe('alpha: GET /api/v1/count failed with 502: trader is not running');
    expect(error).toMatchObject({ detail: 'trader is not running' });
    expect(callsTo(stub, '/count')).toHaveLength(1);
  });

  it('retries an idempotent GET on 503 and 500 with backoff, then returns the answer', async () => {
    let attempts = 0;
    const stub = await startStub((req) => {
      if (req.path !== '/version') return undefined;
      attempts += 1;
      if (attempts === 1) return { status: 503, body: { detail: 'Service Unavailable' } };
      if (attempts === 2) return { status: 500, body: { detail: 'Internal Server Error' } };
      return { status: 200, body: { version: '2026.3' } };
    });
    const client = createFreqtradeClient({ bot: botFor(stub.url), retry: FAST_RETRY });
    await expect(client.version()).resolves.toMatchObject({ version: '2026.3' });
    expect(callsTo(stub, '/version')).toHaveLength(3);
  });

  it('gives up on a GET after the retry limit and reports the last status', async () => {
    const stub = await startStub((req) =>
      req.path === '/balance' ? { status: 504, body: { detail: 'Gateway Timeout' } } : undefined,
    );
    const client = createFreqtradeClient({ bot: botFor(stub.url), retry: { limit: 1, backoffMs: 5 } });
    const error = await rejectionOf(client.balance());
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe('alpha: GET /api/v1/balance failed with 504: Gateway Timeout');
    expect(callsTo(stub, '/balance')).toHaveLength(2);
  });

  it.each([
    ['forceExit', '/forceexit', 'POST', (c: FreqtradeClient) => c.forceExit({ tradeid: 1 })],
    ['forceEnter', '/forceenter', 'POST', (c: FreqtradeClient) => c.forceEnter({ pair: 'BTC/USDT' })],
    ['deleteTrade', '/trades/1', 'DELETE', (c: FreqtradeClient) => c.deleteTrade(1)],
    [
      'addLocks',
      '/locks',
      'POST',
      (c: FreqtradeClient) => c.addLocks([{ pair: 'BTC/USDT', until: new Date('2030-01-01T00:00:00Z') }]),
    ],
    ['addBlacklist', '/blacklist', 'POST', (c: FreqtradeClient) => c.addBlacklist(['DOGE/USDT'])],
    ['deleteBlacklist', '/blacklist', 'DELETE', (c: FreqtradeClient) => c.deleteBlacklist(['DOGE/USDT'])],
    ['start', '/start', 'POST', (c: FreqtradeClient) => c.start()],
    ['stop', '/stop', 'POST', (c: FreqtradeClient) => c.stop()],
    ['pause', '/pause', 'POST', (c: FreqtradeClient) => c.pause()],
    ['reloadConfig', '/reload_config', 'POST', (c: FreqtradeClient) => c.reloadConfig()],
  ])('never retries %s (%s %s) on a 503', async (_name, path, method, run) => {
    const stub = await startStub((req) =>
      req.path === path ? { status: 503, body: { detail: 'Service Unavailable' } } : undefined,
    );
    const client = createFreqtradeClient({ bot: botFor(stub.url), retry: FAST_RETRY });
    const error = await rejectionOf(run(client));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe(`alpha: ${method} /api/v1${path} failed with 503: Service Unavailable`);
    expect(callsTo(stub, path).filter((r) => r.method === method)).toHaveLength(1);
  });

  it('reports a timeout as a NetworkError naming the bot, the URL and the timeout', async () => {
    const stub = await startStub((req) => (req.path === '/status' ? { status: 200, hang: true } : undefined));
    const client = createFreqtradeClient({ bot: botFor(stub.url, { timeout_ms: 150 }), retry: FAST_RETRY });
    const error = await rejectionOf(client.status());
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toBe(`alpha is unreachable (timed out after 150 ms at ${stub.url}/api/v1/status)`);
    expect(error).toMatchObject({ service: 'alpha', method: 'GET', reasonText: 'timed out after 150 ms' });
  });

  it('reports a refused connection as a NetworkError with the URL but not the query string', async () => {
    const stub = await startStub(() => undefined);
    const client = createFreqtradeClient({ bot: botFor(stub.url), retry: FAST_RETRY });
    await rejectionOf(client.version()); // logs in (404 → Basic auth from now on)
    await stub.close();
    // Let the client see its pooled keep-alive socket close (else a reused socket reads as a reset).
    await new Promise((resolve) => setTimeout(resolve, 50));
    const error = await rejectionOf(client.deleteBlacklist(['DOGE/USDT']));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toBe(`alpha is unreachable (connection refused at ${stub.url}/api/v1/blacklist)`);
    expect(error).toMatchObject({
      method: 'DELETE',
      url: `${stub.url}/api/v1/blacklist`,
      reasonText: 'connection refused',
    });
  });

  it('retries a GET whose connection was reset, then returns the answer', async () => {
    let attempts = 0;
    const stub = await startStub((req) => {
      if (req.path !== '/version') return undefined;
      attempts += 1;
      return attempts === 1 ? { status: 200, destroy: true } : { status: 200, body: { version: '2026.3' } };
    });
    const client = createFreqtradeClient({ bot: botFor(stub.url), retry: FAST_RETRY });
    await expect(client.version()).resolves.toMatchObject({ version: '2026.3' });
    expect(callsTo(stub, '/version')).toHaveLength(2);
  });

  it('never retries a POST whose connection was reset: a duplicate exit costs money', async () => {
    const stub = await startStub((req) =>
      req.path === '/forceexit' ? { status: 200, destroy: true } : undefined,
    );
    const client = createFreqtradeClient({ bot: botFor(stub.url), retry: FAST_RETRY });
    const error = await rejectionOf(client.forceExit({ tradeid: 3 }));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toBe(`alpha is unreachable (connection reset at ${stub.url}/api/v1/forceexit)`);
    expect(callsTo(stub, '/forceexit')).toHaveLength(1);
  });

  it('reports an unknown host as a NetworkError "host not found"', async () => {
    const client = createFreqtradeClient({
      bot: botFor('http://freqtrade.invalid:8080', { timeout_ms: 5_000 }),
      retry: { limit: 0, backoffMs: 5 },
    });
    const error = await rejectionOf(client.version());
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toMatch(
      /^alpha is unreachable \((host not found \(DNS lookup failed\)|timed out after 5000 ms) at http:\/\/freqtrade\.invalid:8080\/api\/v1\/token\/login\)$/,
    );
  });

  it('raises a ValidationError naming the bot and route when a response does not match the schema', async () => {
    const stub = await startStub((req) =>
      req.path === '/count' ? { status: 200, body: { current: 'two', max: 3 } } : undefined,
    );
    const client = createFreqtradeClient({ bot: botFor(stub.url), retry: FAST_RETRY });
    const error = await rejectionOf(client.count());
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(
      'alpha GET /api/v1/count response did not match the expected shape: ' +
        'current: Invalid input: expected number, received string; total_stake: Invalid input: expected number, received undefined',
    );
  });

  it('raises a ValidationError when a 200 body is not JSON', async () => {
    const stub = await startStub((req) =>
      req.path === '/version' ? { status: 200, raw: '<html>proxy login</html>' } : undefined,
    );
    const client = createFreqtradeClient({ bot: botFor(stub.url), retry: FAST_RETRY });
    const error = await rejectionOf(client.version());
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(
      'alpha GET /api/v1/version response did not match the expected shape: (root): the body is not JSON',
    );
  });

  it('accepts null where Freqtrade sends NaN/Infinity and missing newer fields from a 2024.10 server', async () => {
    const profit2024 = {
      profit_closed_coin: 0.1,
      profit_closed_percent_mean: 1,
      profit_closed_ratio_mean: 0.01,
      profit_closed_percent_sum: 1,
      profit_closed_ratio_sum: 0.01,
      profit_closed_percent: 1,
      profit_closed_ratio: 0.01,
      profit_closed_fiat: 0.1,
      profit_all_coin: null,
      profit_all_percent_mean: null,
      profit_all_ratio_mean: null,
      profit_all_percent_sum: null,
      profit_all_ratio_sum: null,
      profit_all_percent: null,
      profit_all_ratio: null,
      profit_all_fiat: null,
      trade_count: 1,
      closed_trade_count: 1,
      first_trade_date: '2024-05-10 10:58:00',
      first_trade_humanized: '17 minutes ago',
      first_trade_timestamp: 1715338680000,
      latest_trade_date: '2024-05-10 10:58:00',
      latest_trade_humanized: '17 minutes ago',
      latest_trade_timestamp: 1715338680000,
      avg_duration: '0:19:00',
      best_pair: 'XRP/BTC',
      best_rate: 1,
      best_pair_profit_ratio: 0.01,
      winning_trades: 1,
      losing_trades: 0,
      profit_factor: null,
      winrate: 1,
      expectancy: 0.1,
      expectancy_ratio: 1,
      max_drawdown: 0,
      max_drawdown_abs: 0,
      max_drawdown_start: '',
      max_drawdown_start_timestamp: 0,
      max_drawdown_end: '',
      max_drawdown_end_timestamp: 0,
      trading_volume: 10,
      bot_start_timestamp: 0,
      bot_start_date: '',
    };
    const stub = await startStub((req) =>
      req.path === '/profit' ? { status: 200, body: profit2024 } : undefined,
    );
    const client = createFreqtradeClient({ bot: botFor(stub.url), retry: FAST_RETRY });
    const profit = await client.profit();
    expect(profit.profit_factor).toBeNull();
    expect(profit.profit_all_coin).toBeNull();
    expect(profit.sharpe).toBeUndefined();
    expect(profit.best_pair).toBe('XRP/BTC');
  });

  it('turns a 200 {"status": "Error entering ..."} from forceenter into an ApiError', async () => {
    const stub = await startStub((req) =>
      req.path === '/forceenter'
        ? { status: 200, body: { status: 'Error entering long trade for pair BTC/USDT.' } }
        : undefined,
    );
    const client = createFreqtradeClient({ bot: botFor(stub.url), retry: FAST_RETRY });
    const error = await rejectionOf(client.forceEnter({ pair: 'BTC/USDT' }));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe(
      'alpha: POST /api/v1/forceenter failed with 200: Error entering long trade for pair BTC/USDT.',
    );
  });

  it('refuses a trade id that is not a whole number before sending anything', async () => {
    const stub = await startStub(() => undefined);
    const client = createFreqtradeClient({ bot: botFor(stub.url), retry: FAST_RETRY });
    const error = await rejectionOf(client.deleteTrade(1.5));
    expect(error).toBeInstanceOf(UserInputError);
    expect(error.message).toBe('Invalid trade id: 1.5');
    expect(stub.requests).toHaveLength(0);
  });

  it('uses Basic auth on every request when login answers 404 (a server without tokens)', async () => {
    const stub = await startStub((req) =>
      req.path === '/version' ? { status: 200, body: { version: 'x' } } : undefined,
    );
    const client = createFreqtradeClient({ bot: botFor(stub.url), retry: FAST_RETRY });
    await client.version();
    await client.version();
    const basic = `Basic ${Buffer.from('freqtrader:secret-pass').toString('base64')}`;
    expect(callsTo(stub, '/token/login')).toHaveLength(1);
    expect(callsTo(stub, '/version').map((r) => r.headers.authorization)).toEqual([basic, basic]);
  });
});

describe('Freqtrade client helpers', () => {
  it('errorDetail reads detail strings, detail lists and RPC error strings', () => {
    expect(errorDetail({ body: { detail: 'Unauthorized' }, text: '' })).toBe('Unauthorized');
    expect(
      errorDetail({ body: { detail: [{ loc: ['body', 'pair'], msg: 'Field required' }] }, text: '' }),
    ).toBe('body.pair: Field required');
    expect(
      errorDetail({ body: { error: 'Error querying /api/v1/forceexit: invalid argument' }, text: '' }),
    ).toBe('invalid argument');
    expect(errorDetail({ body: undefined, text: 'Bad Gateway' })).toBe('Bad Gateway');
    expect(errorDetail({ body: {}, text: '{}' })).toBeUndefined();
  });

  it('readJwt reads exp and lifetime from the payload without verifying, and tolerates garbage', () => {
    const payload = Buffer.from(JSON.stringify({ exp: 2_000, iat: 1_100, type: 'access' })).toString(
      'base64url',
    );
    expect(readJwt(`eyJhbGciOiJIUzI1NiJ9.${payload}.sig`)).toEqual({
      expiresAt: 2_000_000,
      lifetimeMs: 900_000,
    });
    expect(readJwt('not-a-jwt')).toEqual({ expiresAt: undefined, lifetimeMs: undefined });
    expect(readJwt('a.!!!.c')).toEqual({ expiresAt: undefined, lifetimeMs: undefined });
  });

  it('toUtcIso writes ISO UTC with Z and reads zone-less strings as UTC', () => {
    expect(toUtcIso(new Date(Date.UTC(2026, 10, 23, 10)))).toBe('2026-11-23T10:00:00.000Z');
    expect(toUtcIso('2026-11-23 10:00:00')).toBe('2026-11-23T10:00:00.000Z');
    expect(toUtcIso('2026-11-23T12:00:00+02:00')).toBe('2026-11-23T10:00:00.000Z');
    expect(toUtcIso('2026-11-23')).toBe('2026-11-23T00:00:00.000Z');
    expect(() => toUtcIso('tomorrow')).toThrow(UserInputError);
    expect(() => toUtcIso('tomorrow')).toThrow('Invalid lock end time: "tomorrow"');
  });
});
