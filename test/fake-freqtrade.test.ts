/**
 * The fake Freqtrade itself: auth rules, error bodies, routing, computed numbers and the message
 * websocket, checked against the contract in /work/shared/freqtrade-api-reference.md.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  basicAuth,
  callApi,
  connectConsumer,
  type FakeFreqtrade,
  type FakeFreqtradeOptions,
  startFakeFreqtrade,
  type TestConsumer,
  waitUntil,
} from './fakes/fake-freqtrade.js';

const servers: FakeFreqtrade[] = [];
const consumers: TestConsumer[] = [];

async function start(options: FakeFreqtradeOptions = {}): Promise<FakeFreqtrade> {
  const fake = await startFakeFreqtrade(options);
  servers.push(fake);
  return fake;
}

async function consumer(fake: FakeFreqtrade, token?: string): Promise<TestConsumer> {
  const c = await connectConsumer(fake, token);
  consumers.push(c);
  return c;
}

afterEach(async () => {
  for (const c of consumers.splice(0)) c.socket.terminate();
  await Promise.all(servers.splice(0).map((fake) => fake.close()));
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body as an object (fails the test otherwise). */
function obj(value: unknown): Record<string, unknown> {
  if (!isRecord(value)) throw new Error(`expected a JSON object, got ${JSON.stringify(value)}`);
  return value;
}

function list(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new Error(`expected a JSON array, got ${JSON.stringify(value)}`);
  return value;
}

async function login(fake: FakeFreqtrade): Promise<{ access: string; refresh: string }> {
  const res = await callApi(fake, '/token/login', { method: 'POST' });
  expect(res.status).toBe(200);
  const body = obj(res.body);
  const access = body['access_token'];
  const refresh = body['refresh_token'];
  if (typeof access !== 'string' || typeof refresh !== 'string') throw new Error('login answered no tokens');
  return { access, refresh };
}

function jwtPayload(token: string): Record<string, unknown> {
  return obj(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')));
}

/** Opens a raw websocket and reports how the upgrade ended: 'open' or the HTTP status of the refusal. */
function upgradeOutcome(fake: FakeFreqtrade, token: string): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(
      `ws://127.0.0.1:${fake.port}/api/v1/message/ws?token=${encodeURIComponent(token)}`,
    );
    socket.once('open', () => {
      socket.terminate();
      resolve('open');
    });
    socket.once('unexpected-response', (req, res) => {
      req.destroy();
      resolve(res.statusCode ?? 0);
    });
    socket.once('error', reject);
  });
}

const MINUTE = 60_000;

describe('fake freqtrade: authentication', () => {
  it('answers /ping without credentials', async () => {
    const fake = await start();
    const res = await callApi(fake, '/ping', { auth: 'none' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'pong' });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect((await fetch(`${fake.url}/api/v1/ping`, { method: 'HEAD' })).status).toBe(200);
  });

  it('refuses a protected route without credentials with 401 Unauthorized and no WWW-Authenticate', async () => {
    const fake = await start();
    const res = await callApi(fake, '/version', { auth: 'none' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Unauthorized' });
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('accepts HTTP Basic credentials on every request and refuses wrong ones with 401 Unauthorized', async () => {
    const fake = await start({ username: 'alice', password: 'pw-1' });
    expect((await callApi(fake, '/version', { auth: basicAuth('alice', 'pw-1') })).body).toEqual({
      version: '2026.3',
    });
    expect((await callApi(fake, '/count', { auth: basicAuth('alice', 'pw-1') })).status).toBe(200);
    const wrong = await callApi(fake, '/version', { auth: basicAuth('alice', 'nope') });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ detail: 'Unauthorized' });
  });

  it('answers a Basic header that is not base64 user:pass with 401 Invalid authentication credentials', async () => {
    const fake = await start();
    const res = await callApi(fake, '/version', {
      auth: `Basic ${Buffer.from('no-colon').toString('base64')}`,
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Invalid authentication credentials' });
    expect(res.headers.get('www-authenticate')).toBe('Basic');
  });

  it('issues HS256 access and refresh tokens with Freqtrade claims on login and counts the logins', async () => {
    const fake = await start();
    const { access, refresh } = await login(fake);
    expect(JSON.parse(Buffer.from(access.split('.')[0] ?? '', 'base64url').toString())).toEqual({
      alg: 'HS256',
      typ: 'JWT',
    });
    const claims = jwtPayload(access);
    expect(claims['identity']).toEqual({ u: 'freqtrader' });
    expect(claims['type']).toBe('access');
    expect(Number(claims['exp']) - Number(claims['iat'])).toBe(900);
    const refreshClaims = jwtPayload(refresh);
    expect(refreshClaims['type']).toBe('refresh');
    expect(Number(refreshClaims['exp']) - Number(refreshClaims['iat'])).toBe(30 * 86_400);
    expect(fake.counts.logins).toBe(1);
  });

  it('refuses login with wrong credentials (401 Incorrect username or password) and without Basic (Not authenticated)', async () => {
    const fake = await start();
    const wrong = await callApi(fake, '/token/login', {
      method: 'POST',
      auth: basicAuth('freqtrader', 'bad'),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ detail: 'Incorrect username or password' });
    const none = await callApi(fake, '/token/login', { method: 'POST', auth: 'none' });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ detail: 'Not authenticated' });
    expect(none.headers.get('www-authenticate')).toBe('Basic');
    expect(fake.counts.logins).toBe(0);
  });

  it('accepts a Bearer access token and refuses a refresh token where an access token is expected', async () => {
    const fake = await start();
    const { access, refresh } = await login(fake);
    expect((await callApi(fake, '/version', { auth: `Bearer ${access}` })).status).toBe(200);
    const res = await callApi(fake, '/version', { auth: `Bearer ${refresh}` });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Could not validate credentials' });
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('refuses a malformed or foreign-signed Bearer token with 401 Could not validate credentials', async () => {
    const fake = await start();
    const other = await start();
    const { access: foreign } = await login(other);
    for (const token of ['not-a-jwt', foreign]) {
      const res = await callApi(fake, '/status', { auth: `Bearer ${token}` });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: 'Could not validate credentials' });
    }
  });

  it('rejects an access token once advanceTime passes its 15-minute lifetime', async () => {
    const fake = await start();
    const { access } = await login(fake);
    fake.advanceTime(14 * MINUTE);
    expect((await callApi(fake, '/count', { auth: `Bearer ${access}` })).status).toBe(200);
    fake.advanceTime(MINUTE);
    const res = await callApi(fake, '/count', { auth: `Bearer ${access}` });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Could not validate credentials' });
  });

  it('honours accessTokenTtlS', async () => {
    const fake = await start({ accessTokenTtlS: 60 });
    const { access } = await login(fake);
    fake.advanceTime(61_000);
    expect((await callApi(fake, '/count', { auth: `Bearer ${access}` })).status).toBe(401);
  });

  it('refreshes with a refresh token, refuses an access token at /token/refresh, and counts refreshes', async () => {
    const fake = await start();
    const { access, refresh } = await login(fake);
    fake.advanceTime(20 * MINUTE);
    const res = await callApi(fake, '/token/refresh', { method: 'POST', auth: `Bearer ${refresh}` });
    expect(res.status).toBe(200);
    const body = obj(res.body);
    expect(Object.keys(body)).toEqual(['access_token']);
    expect((await callApi(fake, '/count', { auth: `Bearer ${String(body['access_token'])}` })).status).toBe(
      200,
    );
    expect(fake.counts.refreshes).toBe(1);

    const withAccess = await callApi(fake, '/token/refresh', { method: 'POST', auth: `Bearer ${access}` });
    expect(withAccess.status).toBe(401);
    expect(withAccess.body).toEqual({ detail: 'Could not validate credentials' });
    expect(withAccess.headers.get('www-authenticate')).toBe('Bearer');
    const withBasic = await callApi(fake, '/token/refresh', { method: 'POST' });
    expect(withBasic.status).toBe(401);
    expect(fake.counts.refreshes).toBe(1);
  });

  it('expires refresh tokens after 30 days', async () => {
    const fake = await start();
    const { refresh } = await login(fake);
    fake.advanceTime(30 * 86_400_000);
    const res = await callApi(fake, '/token/refresh', { method: 'POST', auth: `Bearer ${refresh}` });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Could not validate credentials' });
  });

  it('answers /token/login with 404 when it issues no tokens, while Basic auth keeps working', async () => {
    const fake = await start({ issueTokens: false });
    const res = await callApi(fake, '/token/login', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Not Found' });
    expect((await callApi(fake, '/token/refresh', { method: 'POST' })).status).toBe(404);
    expect((await callApi(fake, '/status')).status).toBe(200);
    expect(fake.counts.logins).toBe(0);
  });

  it('comes back on the same port after close(), and a new jwt secret invalidates old tokens', async () => {
    const first = await start({ jwtSecret: 'one' });
    const { access } = await login(first);
    const port = first.port;
    await first.close();
    const sameSecret = await start({ port, jwtSecret: 'one' });
    expect(sameSecret.url).toBe(`http://127.0.0.1:${port}`);
    expect((await callApi(sameSecret, '/count', { auth: `Bearer ${access}` })).status).toBe(200);
    await sameSecret.close();
    const newSecret = await start({ port });
    expect((await callApi(newSecret, '/count', { auth: `Bearer ${access}` })).status).toBe(401);
  });

  it('records every request with method, path without /api/v1, query, body, auth scheme and fake time', async () => {
    const fake = await start();
    fake.advanceTime(5000);
    await callApi(fake, '/version', { auth: 'none' });
    await callApi(fake, '/blacklist?pairs_to_delete=A/USDT&pairs_to_delete=B/USDT', { method: 'DELETE' });
    await callApi(fake, '/forceexit', { method: 'POST', json: { tradeid: 3 }, auth: 'Bearer abc' });
    expect(fake.requests.map(({ at: _at, ...rest }) => rest)).toEqual([
      { method: 'GET', path: '/version', query: {}, body: undefined, auth: 'none' },
      {
        method: 'DELETE',
        path: '/blacklist',
        query: { pairs_to_delete: ['A/USDT', 'B/USDT'] },
        body: undefined,
        auth: 'basic',
      },
      { method: 'POST', path: '/forceexit', query: {}, body: { tradeid: 3 }, auth: 'bearer' },
    ]);
    expect(fake.requests[0]?.at).toBeGreaterThanOrEqual(fake.now() - 1000);
    expect(fake.requests[0]?.at).toBeGreaterThan(Date.now() + 4000);
  });
});

describe('fake freqtrade: routing and error bodies', () => {
  it('answers an unknown GET with 404 Not Found even without credentials', async () => {
    const fake = await start();
    const res = await callApi(fake, '/no-such-route', { auth: 'none' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Not Found' });
    // GET on a POST-only route reaches the UI catch-all too.
    expect((await callApi(fake, '/start')).status).toBe(404);
  });

  it('answers a wrong method or an unknown POST with 405 Method Not Allowed and an Allow header', async () => {
    const fake = await start();
    const wrongMethod = await callApi(fake, '/version', { method: 'POST', auth: 'none' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body).toEqual({ detail: 'Method Not Allowed' });
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    const unknownPost = await callApi(fake, '/no-such-action', { method: 'POST' });
    expect(unknownPost.status).toBe(405);
    expect(unknownPost.headers.get('allow')).toBe('GET');
  });

  it('answers a malformed JSON body with 422 json_invalid before checking credentials', async () => {
    const fake = await start();
    const res = await callApi(fake, '/forceexit', { method: 'POST', rawBody: '{"tradeid": ', auth: 'none' });
    expect(res.status).toBe(422);
    const detail = list(obj(res.body)['detail']);
    expect(obj(detail[0])).toMatchObject({ type: 'json_invalid', msg: 'JSON decode error' });
    expect(list(obj(detail[0])['loc'])[0]).toBe('body');
  });

  it('checks credentials before validating parameters', async () => {
    const fake = await start();
    expect((await callApi(fake, '/daily?timescale=0', { auth: 'none' })).status).toBe(401);
  });

  it('answers pydantic-style 422s for out-of-range queries, bad path ids, wrong types and missing fields', async () => {
    const fake = await start();
    const daily = await callApi(fake, '/daily?timescale=0');
    expect(daily.status).toBe(422);
    expect(daily.body).toEqual({
      detail: [
        {
          type: 'greater_than_equal',
          loc: ['query', 'timescale'],
          msg: 'Input should be greater than or equal to 1',
          input: '0',
          ctx: { ge: 1 },
        },
      ],
    });
    const trade = await callApi(fake, '/trade/abc');
    expect(obj(list(obj(trade.body)['detail'])[0])).toMatchObject({
      type: 'int_parsing',
      loc: ['path', 'tradeid'],
    });

    const enter = await callApi(fake, '/forceenter', {
      method: 'POST',
      json: { side: 'sideways', stakeamount: 'lots' },
    });
    expect(enter.status).toBe(422);
    const errors = list(obj(enter.body)['detail']).map(obj);
    expect(errors.map((e) => [e['type'], e['loc']])).toEqual([
      ['missing', ['body', 'pair']],
      ['enum', ['body', 'side']],
      ['float_parsing', ['body', 'stakeamount']],
    ]);
    expect(errors[1]?.['msg']).toBe("Input should be 'long' or 'short'");

    const noBody = await callApi(fake, '/forceexit', { method: 'POST' });
    expect(noBody.body).toEqual({
      detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }],
    });
  });

  it('accepts numeric strings where pydantic is lax and answers /trades with a valid page', async () => {
    const fake = await start({ seed: 'demo' });
    const res = await callApi(fake, '/trades?limit=2&offset=1&order_by_id=false');
    expect(res.status).toBe(200);
    const body = obj(res.body);
    expect(body['trades_count']).toBe(2);
    expect(body['offset']).toBe(1);
    expect(body['total_trades']).toBe(6);
  });

  it('answers an unknown trade with 404 Trade not found. and an unknown forceexit with a 502 error body', async () => {
    const fake = await start();
    const trade = await callApi(fake, '/trade/42');
    expect(trade.status).toBe(404);
    expect(trade.body).toEqual({ detail: 'Trade not found.' });
    const exit = await callApi(fake, '/forceexit', { method: 'POST', json: { tradeid: '1' } });
    expect(exit.status).toBe(502);
    expect(exit.body).toEqual({ error: 'Error querying /api/v1/forceexit: invalid argument' });
  });

  it('answers webserver-only routes with 503 in trade mode and trading routes with 503 in webserver mode', async () => {
    const fake = await start();
    const strategies = await callApi(fake, '/strategies');
    expect(strategies.status).toBe(503);
    expect(strategies.body).toEqual({ detail: 'Bot is not in the correct state.' });
    fake.state.runmode = 'webserver';
    expect((await callApi(fake, '/strategies')).status).toBe(200);
    expect((await callApi(fake, '/status')).status).toBe(503);
    expect(obj((await callApi(fake, '/show_config')).body)['state']).toBe('');
  });

  it('failNext answers the next matching request once with the given status and body', async () => {
    const fake = await start();
    fake.failNext('get', '/api/v1/count', 503, { detail: 'Bot is not in the correct state.' });
    fake.failNext('POST', '/forceexit', 502);
    const first = await callApi(fake, '/count');
    expect(first.status).toBe(503);
    expect(first.body).toEqual({ detail: 'Bot is not in the correct state.' });
    expect((await callApi(fake, '/count')).status).toBe(200);
    const exit = await callApi(fake, '/forceexit', { method: 'POST', json: { tradeid: 1 } });
    expect(exit.status).toBe(502);
    expect(exit.body).toEqual({ error: 'Error querying /api/v1/forceexit: injected failure' });
    expect(fake.requests).toHaveLength(3);
  });
});

describe('fake freqtrade: trading state and numbers', () => {
  it('values open trades at the current rate in /status, /count, /profit and /balance', async () => {
    const fake = await start();
    const id = fake.addTrade({
      pair: 'ETH/USDT',
      openRate: 2000,
      amount: 0.05,
      currentRate: 2100,
      openedMinutesAgo: 30,
    });
    const status = list((await callApi(fake, '/status')).body).map(obj);
    expect(status).toHaveLength(1);
    const trade = status[0] ?? {};
    expect(trade['trade_id']).toBe(id);
    expect(trade['stake_amount']).toBe(100);
    expect(trade['current_rate']).toBe(2100);
    // open value 100 × 1.001, close value 105 × 0.999
    expect(trade['profit_abs']).toBeCloseTo(104.895 - 100.1, 8);
    expect(trade['profit_ratio']).toBeCloseTo(104.895 / 100.1 - 1, 7);
    expect(trade['close_profit']).toBeNull();
    expect(trade['open_date']).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

    fake.setCurrentRate('ETH/USDT', 1900);
    const after = obj(list((await callApi(fake, '/status')).body)[0]);
    expect(Number(after['profit_abs'])).toBeLessThan(0);
    expect(obj((await callApi(fake, '/count')).body)).toEqual({ current: 1, max: 5, total_stake: 100 });
    const profit = obj((await callApi(fake, '/profit')).body);
    expect(profit['trade_count']).toBe(1);
    expect(profit['closed_trade_count']).toBe(0);
    expect(profit['profit_all_coin']).toBe(after['profit_abs']);
    const balance = obj((await callApi(fake, '/balance')).body);
    expect(list(balance['currencies']).map((c) => obj(c)['currency'])).toEqual(['USDT', 'ETH']);
  });

  it('answers an empty bot like Freqtrade: [] status, empty trades, zero counts and empty dates', async () => {
    const fake = await start();
    expect((await callApi(fake, '/status')).body).toEqual([]);
    expect((await callApi(fake, '/trades')).body).toEqual({
      trades: [],
      trades_count: 0,
      offset: 0,
      total_trades: 0,
    });
    expect(obj((await callApi(fake, '/count')).body)['current']).toBe(0);
    const profit = obj((await callApi(fake, '/profit')).body);
    expect(profit).toMatchObject({
      trade_count: 0,
      first_trade_date: '',
      first_trade_timestamp: 0,
      profit_factor: null,
    });
  });

  it('includes every TradeSchema field, null where absent, in /trade/{id} and the forceenter answer', async () => {
    const fake = await start();
    const id = fake.addTrade({ pair: 'BTC/USDT', stakeAmount: 50 });
    const single = obj((await callApi(fake, `/trade/${id}`)).body);
    for (const key of ['close_date', 'close_rate', 'exit_reason', 'liquidation_price', 'close_profit_abs']) {
      expect(single).toHaveProperty(key, null);
    }
    for (const key of [
      'current_rate',
      'total_profit_abs',
      'stoploss_current_dist',
      'orders',
      'has_open_orders',
    ]) {
      expect(single).toHaveProperty(key);
    }
    expect(single).not.toHaveProperty('trade_duration');
    const entered = obj(
      (await callApi(fake, '/forceenter', { method: 'POST', json: { pair: 'SOL/USDT' } })).body,
    );
    expect(entered).toHaveProperty('profit_fiat', null);
    expect(entered).not.toHaveProperty('current_rate');
    const openTradeOnly = [
      'stoploss_current_dist',
      'stoploss_current_dist_pct',
      'stoploss_current_dist_ratio',
      'stoploss_entry_dist',
      'stoploss_entry_dist_ratio',
      'current_rate',
      'total_profit_abs',
      'total_profit_fiat',
      'total_profit_ratio',
    ];
    expect(Object.keys(entered).sort()).toEqual(
      Object.keys(single)
        .filter((key) => !openTradeOnly.includes(key))
        .sort(),
    );
  });

  it('closes a trade on forceexit, emits exit then exit_fill with its profit, and lists it in /trades', async () => {
    const fake = await start();
    const id = fake.addTrade({
      pair: 'BTC/USDT',
      openRate: 50_000,
      amount: 0.002,
      currentRate: 51_000,
      enterTag: 'breakout',
    });
    const ws = await consumer(fake);
    await ws.subscribe(['exit', 'exit_fill']);
    const res = await callApi(fake, '/forceexit', {
      method: 'POST',
      json: { tradeid: String(id), ordertype: 'market' },
    });
    expect(res.body).toEqual({ result: `Created exit order for trade ${id}.` });
    const exit = obj(await ws.next());
    const fill = obj(await ws.next());
    expect(exit).toMatchObject({
      type: 'exit',
      trade_id: id,
      pair: 'BTC/USDT',
      exit_reason: 'force_exit',
      is_final_exit: false,
    });
    expect(fill).toMatchObject({
      type: 'exit_fill',
      trade_id: id,
      gain: 'profit',
      close_rate: 51_000,
      current_rate: null,
      is_final_exit: true,
      enter_tag: 'breakout',
      direction: 'Long',
      exchange: 'Binance',
      sub_trade: false,
    });
    expect(fill['open_date']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$/);
    expect(fill['profit_amount']).toBeCloseTo(0.002 * 51_000 * 0.999 - 0.002 * 50_000 * 1.001, 8);
    expect(fill['cumulative_profit']).toBe(fill['profit_amount']);
    expect(fill['final_profit_ratio']).toBe(fill['profit_ratio']);

    const trades = obj((await callApi(fake, '/trades')).body);
    expect(trades['total_trades']).toBe(1);
    const closed = obj(list(trades['trades'])[0]);
    expect(closed).toMatchObject({
      trade_id: id,
      is_open: false,
      exit_reason: 'force_exit',
      close_profit_abs: fill['profit_amount'],
    });
    expect(closed).toHaveProperty('trade_duration_s');
    expect((await callApi(fake, '/status')).body).toEqual([]);
    const perf = list((await callApi(fake, '/performance')).body).map(obj);
    expect(perf).toEqual([
      {
        pair: 'BTC/USDT',
        profit: expect.any(Number),
        profit_ratio: fill['profit_ratio'],
        profit_pct: expect.any(Number),
        profit_abs: fill['profit_amount'],
        count: 1,
      },
    ]);
  });

  it('exits every open trade on forceexit "all" and refuses while stopped', async () => {
    const fake = await start();
    fake.addTrade({ pair: 'BTC/USDT' });
    fake.addTrade({ pair: 'ETH/USDT' });
    const res = await callApi(fake, '/forceexit', { method: 'POST', json: { tradeid: 'all' } });
    expect(res.body).toEqual({ result: 'Created exit orders for all open trades.' });
    expect(fake.state.trades.every((t) => !t.isOpen)).toBe(true);
    fake.state.botState = 'stopped';
    const stopped = await callApi(fake, '/forceexit', { method: 'POST', json: { tradeid: 'all' } });
    expect(stopped.status).toBe(502);
    expect(stopped.body).toEqual({ error: 'Error querying /api/v1/forceexit: trader is not running' });
  });

  it('opens a trade on forceenter (and its /forcebuy alias), emitting entry then entry_fill', async () => {
    const fake = await start();
    const ws = await consumer(fake);
    await ws.subscribe(['entry', 'entry_fill']);
    const res = await callApi(fake, '/forceenter', {
      method: 'POST',
      json: { pair: 'ETH/USDT', price: 3000, stakeamount: 60, entry_tag: 'manual' },
    });
    expect(res.status).toBe(200);
    const trade = obj(res.body);
    expect(trade).toMatchObject({
      pair: 'ETH/USDT',
      is_open: true,
      open_rate: 3000,
      enter_tag: 'manual',
      stake_amount: 60,
    });
    expect(obj(await ws.next())).toMatchObject({
      type: 'entry',
      trade_id: trade['trade_id'],
      order_rate: 3000,
      stake_currency: 'USDT',
    });
    expect(obj(await ws.next())).toMatchObject({
      type: 'entry_fill',
      trade_id: trade['trade_id'],
      amount: 0.02,
    });

    const again = await callApi(fake, '/forcebuy', { method: 'POST', json: { pair: 'ETH/USDT' } });
    expect(again.status).toBe(502);
    expect(again.body).toEqual({
      error: `Error querying /api/v1/forcebuy: position for ETH/USDT already open - id: ${String(trade['trade_id'])}`,
    });
  });

  it('refuses forceenter like Freqtrade: disabled, wrong quote currency, unknown pair, short on spot', async () => {
    const fake = await start();
    const enter = (json: unknown) => callApi(fake, '/forceenter', { method: 'POST', json });
    expect((await enter({ pair: 'ETH/BTC' })).body).toEqual({
      error:
        'Error querying /api/v1/forceenter: Wrong pair selected. Only pairs with stake-currency USDT allowed.',
    });
    expect((await enter({ pair: 'NOPE/USDT' })).body).toEqual({
      error: 'Error querying /api/v1/forceenter: Symbol does not exist or market is not active.',
    });
    expect((await enter({ pair: 'ETH/USDT', side: 'short' })).body).toEqual({
      error: "Error querying /api/v1/forceenter: Can't go short on Spot markets.",
    });
    fake.state.forceEntryEnabled = false;
    const disabled = await enter({ pair: 'ETH/USDT' });
    expect(disabled.status).toBe(502);
    expect(disabled.body).toEqual({ error: 'Error querying /api/v1/forceenter: Force_entry not enabled.' });
  });

  it('answers start, stop and pause with Freqtrade texts, emits status changes, and /status is [] while stopped', async () => {
    const fake = await start();
    fake.addTrade({ pair: 'BTC/USDT' });
    const ws = await consumer(fake);
    await ws.subscribe(['status', 'warning']);
    const post = async (path: string) => (await callApi(fake, path, { method: 'POST' })).body;
    expect(await post('/start')).toEqual({ status: 'already running' });
    expect(await post('/stop')).toEqual({ status: 'stopping trader ...' });
    expect(obj(await ws.next())).toEqual({ type: 'status', status: 'stopped' });
    expect(obj(await ws.next())).toMatchObject({
      type: 'warning',
      status: expect.stringContaining('1 open trades active.'),
    });
    expect((await callApi(fake, '/status')).body).toEqual([]);
    expect(await post('/stop')).toEqual({ status: 'already stopped' });
    expect(await post('/stopbuy')).toEqual({
      status:
        'starting bot with trader in paused state, no entries will occur. Run /start to enable entries.',
    });
    expect(fake.state.botState).toBe('paused');
    expect(await post('/pause')).toEqual({
      status: 'paused, no more entries will occur from now. Run /start to enable entries.',
    });
    expect(await post('/start')).toEqual({ status: 'starting trader ...' });
    expect(obj((await callApi(fake, '/show_config')).body)['state']).toBe('running');
    expect(await post('/reload_config')).toEqual({ status: 'Reloading config ...' });
    const statuses = [obj(await ws.next()), obj(await ws.next()), obj(await ws.next())];
    expect(statuses.map((m) => m['status'])).toEqual(['paused', 'running', 'running after config reloaded']);
  });

  it('requires a timezone in POST /locks until, rounds the end to the next candle and lists only active locks', async () => {
    const fake = await start();
    const naive = await callApi(fake, '/locks', {
      method: 'POST',
      json: [{ pair: 'ETH/USDT', until: '2030-01-01 10:00:00' }],
    });
    expect(naive.status).toBe(422);
    expect(obj(list(obj(naive.body)['detail'])[0])).toMatchObject({
      type: 'timezone_aware',
      loc: ['body', 0, 'until'],
      msg: 'Input should have timezone info',
    });
    const notList = await callApi(fake, '/locks', {
      method: 'POST',
      json: { pair: 'ETH/USDT', until: '2030-01-01T10:00:00Z' },
    });
    expect(obj(list(obj(notList.body)['detail'])[0])).toMatchObject({ type: 'list_type', loc: ['body'] });

    const until = new Date(fake.now() + 30 * MINUTE).toISOString();
    const added = obj(
      (
        await callApi(fake, '/locks', {
          method: 'POST',
          json: [{ pair: 'ETH/USDT', until, reason: 'manual' }],
        })
      ).body,
    );
    expect(added['lock_count']).toBe(1);
    const lock = obj(list(added['locks'])[0]);
    expect(lock).toMatchObject({ id: 1, active: true, pair: 'ETH/USDT', side: '*', reason: 'manual' });
    expect(Number(lock['lock_end_timestamp']) % 300_000).toBe(0);
    expect(Number(lock['lock_end_timestamp'])).toBeGreaterThan(Date.parse(until));

    fake.advanceTime(40 * MINUTE);
    expect(obj((await callApi(fake, '/locks')).body)).toEqual({ lock_count: 0, locks: [] });
    const later = new Date(fake.now() + 60 * MINUTE).toISOString();
    await callApi(fake, '/locks', { method: 'POST', json: [{ pair: 'BTC/USDT', until: later }] });
    const deleted = obj(
      (await callApi(fake, '/locks/delete', { method: 'POST', json: { pair: 'BTC/USDT' } })).body,
    );
    expect(deleted['lock_count']).toBe(0);
  });

  it('adds and removes blacklist entries with per-pair errors', async () => {
    const fake = await start();
    const added = obj(
      (
        await callApi(fake, '/blacklist', {
          method: 'POST',
          json: { blacklist: ['DOGE/USDT', 'DOGE/USDT', '(bad'] },
        })
      ).body,
    );
    expect(added).toEqual({
      blacklist: ['DOGE/USDT'],
      blacklist_expanded: ['DOGE/USDT'],
      errors: {
        'DOGE/USDT': { error_msg: 'Pair DOGE/USDT already in pairlist.' },
        '(bad': { error_msg: 'Pair (bad is not a valid wildcard.' },
      },
      length: 1,
      method: ['StaticPairList'],
    });
    const removed = obj(
      (
        await callApi(fake, '/blacklist?pairs_to_delete=DOGE/USDT&pairs_to_delete=XRP/USDT', {
          method: 'DELETE',
        })
      ).body,
    );
    expect(removed['blacklist']).toEqual([]);
    expect(removed['errors']).toEqual({
      'XRP/USDT': { error_msg: 'Pair XRP/USDT is not in the current blacklist.' },
    });
  });

  it('seeds a demo bot whose aggregates agree with its trades', async () => {
    const fake = await start({ seed: 'demo' });
    const open = fake.state.trades.filter((t) => t.isOpen);
    const closed = fake.state.trades.filter((t) => !t.isOpen);
    expect(open.length).toBeGreaterThanOrEqual(2);
    expect(closed.length).toBeGreaterThanOrEqual(4);
    expect(list((await callApi(fake, '/status')).body)).toHaveLength(open.length);
    const profit = obj((await callApi(fake, '/profit')).body);
    expect(profit['trade_count']).toBe(fake.state.trades.length);
    expect(profit['closed_trade_count']).toBe(closed.length);
    const perf = list((await callApi(fake, '/performance')).body).map(obj);
    const perfSum = perf.reduce((sum, p) => sum + Number(p['profit_abs']), 0);
    expect(perfSum).toBeCloseTo(Number(profit['profit_closed_coin']), 6);
    const daily = obj((await callApi(fake, '/daily?timescale=8')).body);
    const days = list(daily['data']).map(obj);
    expect(days).toHaveLength(8);
    expect(days.reduce((n, d) => n + Number(d['trade_count']), 0)).toBe(closed.length);
    expect(days.reduce((s, d) => s + Number(d['abs_profit']), 0)).toBeCloseTo(
      Number(profit['profit_closed_coin']),
      6,
    );
    expect(obj((await callApi(fake, '/locks')).body)['lock_count']).toBe(1);
    expect(Number(profit['winning_trades']) + Number(profit['losing_trades'])).toBe(closed.length);
  });
});

describe('fake freqtrade: message websocket', () => {
  it('refuses the upgrade with HTTP 403 for a wrong, missing or refresh token', async () => {
    const fake = await start();
    const { access, refresh } = await login(fake);
    expect(await upgradeOutcome(fake, 'wrong-token')).toBe(403);
    expect(await upgradeOutcome(fake, '')).toBe(403);
    expect(await upgradeOutcome(fake, refresh)).toBe(403);
    expect(await upgradeOutcome(fake, access)).toBe('open');
    expect(await upgradeOutcome(fake, 'ws-secret-token')).toBe('open');
    expect(fake.counts.wsConnections).toBe(2);
    expect(fake.counts.wsRejections).toBe(3);
    fake.advanceTime(16 * MINUTE);
    expect(await upgradeOutcome(fake, access)).toBe(403);
  });

  it('sends nothing before a subscription and then only the subscribed types', async () => {
    const fake = await start();
    const ws = await consumer(fake);
    fake.emit({ type: 'entry', trade_id: 1 });
    await ws.subscribe(['exit_fill']);
    expect(fake.wsConsumers()).toEqual([{ subscribed: ['exit_fill'] }]);
    fake.emit({ type: 'entry', trade_id: 2 });
    fake.emit({ type: 'exit_fill', trade_id: 3 });
    expect(await ws.next()).toEqual({ type: 'exit_fill', trade_id: 3 });
    expect(ws.received).toHaveLength(1);
  });

  it('ignores a subscription naming an unknown type and keeps the previous one', async () => {
    const fake = await start();
    const ws = await consumer(fake);
    await ws.subscribe(['entry']);
    ws.send({ type: 'subscribe', data: ['exit', 'no_such_type'] });
    ws.send({ type: 'no_such_request' });
    ws.send({ type: 'whitelist' });
    // The whitelist answer proves the server read the frames before it.
    expect(obj(await ws.next())['type']).toBe('whitelist');
    expect(fake.wsConsumers()).toEqual([{ subscribed: ['entry'] }]);
    fake.emit({ type: 'exit', trade_id: 1 });
    fake.emit({ type: 'entry', trade_id: 2 });
    expect(await ws.next()).toEqual({ type: 'entry', trade_id: 2 });
  });

  it('answers a whitelist request with the current whitelist regardless of subscription', async () => {
    const fake = await start();
    fake.state.whitelist = ['BTC/USDT', 'ETH/USDT'];
    const ws = await consumer(fake);
    ws.send({ type: 'whitelist' });
    expect(await ws.next()).toEqual({ type: 'whitelist', data: ['BTC/USDT', 'ETH/USDT'] });
  });

  it('answers an analyzed_df request with one dataframe message per whitelisted pair', async () => {
    const fake = await start();
    fake.state.whitelist = ['BTC/USDT', 'ETH/USDT'];
    const ws = await consumer(fake);
    ws.send({ type: 'analyzed_df', data: { limit: 3, pair: null } });
    const first = obj(await ws.next());
    const second = obj(await ws.next());
    expect(obj(first['data'])['key']).toEqual(['BTC/USDT', '5m', 'spot']);
    expect(obj(second['data'])['key']).toEqual(['ETH/USDT', '5m', 'spot']);
    const df = obj(obj(first['data'])['df']);
    expect(df['__type__']).toBe('dataframe');
    expect(list(obj(JSON.parse(String(df['__value__'])))['data'])).toHaveLength(3);
  });

  it('closes the connection when the consumer sends a frame that is not JSON', async () => {
    const fake = await start();
    const ws = await consumer(fake);
    ws.socket.send('{not json');
    expect(await ws.closed()).toBe(1000);
    await waitUntil(() => fake.wsConsumers().length === 0);
  });

  it('sends raw frames with emitRaw, to every consumer whatever its subscription', async () => {
    const fake = await start();
    const a = await consumer(fake);
    const b = await consumer(fake);
    await a.subscribe(['entry']);
    fake.emitRaw('{"type": "entry", broken');
    expect(await a.next()).toBe('{"type": "entry", broken');
    expect(await b.next()).toBe('{"type": "entry", broken');
  });

  it('answers ws pings with pongs', async () => {
    const fake = await start();
    const ws = await consumer(fake);
    const pong = new Promise<string>((resolve) => ws.socket.once('pong', (data) => resolve(data.toString())));
    ws.socket.ping('hello');
    expect(await pong).toBe('hello');
  });

  it('drops websockets abruptly on dropWebsockets while HTTP stays up, and accepts new consumers', async () => {
    const fake = await start();
    const ws = await consumer(fake);
    fake.dropWebsockets();
    expect(await ws.closed()).toBe(1006);
    expect((await callApi(fake, '/ping')).status).toBe(200);
    const again = await consumer(fake);
    await again.subscribe(['status']);
    expect(fake.counts.wsConnections).toBe(2);
  });

  it('terminates open websockets on close() and frees the port', async () => {
    const fake = await start();
    const ws = await consumer(fake);
    await ws.subscribe(['entry']);
    const port = fake.port;
    await fake.close();
    expect(await ws.closed()).toBe(1006);
    await expect(fetch(`http://127.0.0.1:${port}/api/v1/ping`)).rejects.toThrow();
    const reborn = await start({ port });
    expect((await callApi(reborn, '/ping')).status).toBe(200);
  });
});
