/**
 * Every endpoint of the Freqtrade client against the fake Freqtrade: the HTTP verb, path,
 * query and body it sends (as the fake recorded them) and a field of the parsed answer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BotConfig } from '../src/config/schema.js';
import { ApiError } from '../src/errors.js';
import { createFreqtradeClient, type FreqtradeClient } from '../src/freqtrade/client.js';
import { type FakeFreqtrade, startFakeFreqtrade } from './fakes/fake-freqtrade.js';

let fake: FakeFreqtrade;
let client: FreqtradeClient;

beforeEach(async () => {
  fake = await startFakeFreqtrade({ seed: 'empty' });
  const bot: BotConfig = {
    name: 'alpha',
    api_url: fake.url,
    username: 'freqtrader',
    password: 'secret-pass',
    ws_token: null,
    timeout_ms: 5_000,
    read_only: false,
  };
  client = createFreqtradeClient({ bot, now: () => fake.now(), retry: { limit: 2, backoffMs: 5 } });
});

afterEach(async () => {
  await fake.close();
});

type RecordedRequest = FakeFreqtrade['requests'][number];

/** The one request the fake saw for `method path` (excluding login/refresh); fails on zero or several. */
function onlyCall(method: string, path: string): RecordedRequest {
  const calls = fake.requests.filter((r) => r.method === method && r.path === path);
  expect(calls, `${method} ${path} calls`).toHaveLength(1);
  const [call] = calls;
  if (!call) throw new Error('unreachable');
  expect(call.auth).toBe(path === '/ping' ? 'none' : 'bearer');
  return call;
}

/** Query values as plain strings (lists kept as lists). */
function queryOf(call: RecordedRequest): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(call.query ?? {}));
}

/** Two closed trades (BTC won by ROI, ETH lost by stop-loss) and one open SOL trade with custom data. */
function seedTrades(): { btc: number; eth: number; sol: number } {
  const btc = fake.addTrade({ pair: 'BTC/USDT', openRate: 60_000, amount: 0.002, enterTag: 'breakout' });
  fake.closeTrade(btc, { closeRate: 63_000, exitReason: 'roi' });
  const eth = fake.addTrade({ pair: 'ETH/USDT', openRate: 3_000, amount: 0.05 });
  fake.closeTrade(eth, { closeRate: 2_850, exitReason: 'stop_loss' });
  const sol = fake.addTrade({ pair: 'SOL/USDT', openRate: 150, amount: 1 });
  const trade = fake.state.trades.find((t) => t.id === sol);
  trade?.customData.push(
    { key: 'level', value: 3, createdAtMs: fake.now(), updatedAtMs: null },
    { key: 'note', value: 'watch', createdAtMs: fake.now(), updatedAtMs: null },
  );
  return { btc, eth, sol };
}

describe('Freqtrade client: info endpoints', () => {
  it('ping() sends GET /ping without credentials and returns {status: "pong"}', async () => {
    await expect(client.ping()).resolves.toEqual({ status: 'pong' });
    onlyCall('GET', '/ping');
    expect(fake.counts.logins).toBe(0);
  });

  it('version() sends GET /version and returns the version', async () => {
    expect((await client.version()).version).toBe('2026.3');
    onlyCall('GET', '/version');
  });

  it('showConfig() sends GET /show_config and returns state, stake currency and api version', async () => {
    fake.state.botState = 'paused';
    const config = await client.showConfig();
    onlyCall('GET', '/show_config');
    expect(config.state).toBe('paused');
    expect(config.stake_currency).toBe(fake.state.stakeCurrency);
    expect(config.api_version).toBe(2.47);
    expect(config.max_open_trades).toBe(fake.state.maxOpenTrades);
  });

  it('logs(2) sends GET /logs?limit=2 and returns the last two lines', async () => {
    const logs = await client.logs(2);
    expect(queryOf(onlyCall('GET', '/logs'))).toEqual({ limit: '2' });
    expect(logs.logs).toHaveLength(2);
    expect(logs.logs.at(-1)?.[4]).toBe(fake.state.logs.at(-1)?.[4]);
  });

  it('logs() without a limit sends no query', async () => {
    await client.logs();
    expect(queryOf(onlyCall('GET', '/logs'))).toEqual({});
  });

  it('sysinfo() sends GET /sysinfo and returns the RAM use', async () => {
    const info = await client.sysinfo();
    onlyCall('GET', '/sysinfo');
    expect(typeof info.ram_pct).toBe('number');
    expect(Array.isArray(info.cpu_pct)).toBe(true);
  });

  it('health() sends GET /health and returns the bot start time', async () => {
    const health = await client.health();
    onlyCall('GET', '/health');
    expect(health.bot_start_ts).toBe(Math.floor(fake.state.botStartMs / 1000));
  });
});

describe('Freqtrade client: trading info endpoints', () => {
  it('balance() sends GET /balance and returns the stake currency and currencies', async () => {
    const balance = await client.balance();
    onlyCall('GET', '/balance');
    expect(balance.stake).toBe(fake.state.stakeCurrency);
    expect(balance.currencies.some((c) => c.currency === fake.state.stakeCurrency)).toBe(true);
  });

  it('count() sends GET /count and counts open trades', async () => {
    seedTrades();
    const count = await client.count();
    onlyCall('GET', '/count');
    expect(count).toMatchObject({ current: 1, max: fake.state.maxOpenTrades });
  });

  it('entries(pair) sends GET /entries?pair= and returns enter-tag stats', async () => {
    seedTrades();
    const entries = await client.entries('BTC/USDT');
    expect(queryOf(onlyCall('GET', '/entries'))).toEqual({ pair: 'BTC/USDT' });
    expect(entries).toEqual([expect.objectContaining({ enter_tag: 'breakout', count: 1 })]);
  });

  it('exits() sends GET /exits without a pair and returns one row per exit reason', async () => {
    seedTrades();
    const exits = await client.exits();
    expect(queryOf(onlyCall('GET', '/exits'))).toEqual({});
    expect(exits.map((e) => e.exit_reason).sort()).toEqual(['roi', 'stop_loss']);
  });

  it('mixTags(pair) sends GET /mix_tags?pair= and returns "<tag> <reason>" rows', async () => {
    seedTrades();
    const mix = await client.mixTags('BTC/USDT');
    expect(queryOf(onlyCall('GET', '/mix_tags'))).toEqual({ pair: 'BTC/USDT' });
    expect(mix[0]?.mix_tag).toBe('breakout roi');
  });

  it('performance() sends GET /performance and returns pairs sorted by profit', async () => {
    seedTrades();
    const performance = await client.performance();
    onlyCall('GET', '/performance');
    expect(performance[0]?.pair).toBe('BTC/USDT');
    expect(performance[0]?.profit_abs).toBeGreaterThan(0);
  });

  it('profit() sends GET /profit and returns trade counts', async () => {
    seedTrades();
    const profit = await client.profit();
    onlyCall('GET', '/profit');
    expect(profit).toMatchObject({
      trade_count: 3,
      closed_trade_count: 2,
      winning_trades: 1,
      losing_trades: 1,
    });
  });

  it('profitAll() sends GET /profit_all and returns the "all" profit', async () => {
    seedTrades();
    const profit = await client.profitAll();
    onlyCall('GET', '/profit_all');
    expect(profit.all.closed_trade_count).toBe(2);
  });

  it('stats() sends GET /stats and returns wins/losses per exit reason', async () => {
    seedTrades();
    const stats = await client.stats();
    onlyCall('GET', '/stats');
    expect(stats.exit_reasons['roi']).toMatchObject({ wins: 1, losses: 0 });
    expect(stats.exit_reasons['stop_loss']).toMatchObject({ wins: 0, losses: 1 });
  });

  it.each([
    ['daily', '/daily', 3],
    ['weekly', '/weekly', 2],
    ['monthly', '/monthly', 1],
  ] as const)('%s(n) sends GET %s?timescale=n and returns n rows', async (method, path, n) => {
    const result = await client[method](n);
    expect(queryOf(onlyCall('GET', path))).toEqual({ timescale: String(n) });
    expect(result.data).toHaveLength(n);
    expect(result.stake_currency).toBe(fake.state.stakeCurrency);
  });

  it('daily() without a timescale leaves the server default (7 days)', async () => {
    const result = await client.daily();
    expect(queryOf(onlyCall('GET', '/daily'))).toEqual({});
    expect(result.data).toHaveLength(7);
  });
});

describe('Freqtrade client: trades', () => {
  it('status() sends GET /status and returns the open trades with their current rate', async () => {
    const { sol } = seedTrades();
    const status = await client.status();
    onlyCall('GET', '/status');
    expect(status.map((t) => t.trade_id)).toEqual([sol]);
    expect(typeof status[0]?.current_rate).toBe('number');
  });

  it('trades({limit, offset}) sends GET /trades?limit=&offset= and returns closed trades', async () => {
    const { eth } = seedTrades();
    const trades = await client.trades({ limit: 1, offset: 1 });
    expect(queryOf(onlyCall('GET', '/trades'))).toEqual({ limit: '1', offset: '1' });
    expect(trades).toMatchObject({ trades_count: 1, offset: 1, total_trades: 2 });
    expect(trades.trades[0]?.trade_id).toBe(eth);
  });

  it('trade(id) sends GET /trade/{id} and returns that trade', async () => {
    const { btc } = seedTrades();
    const trade = await client.trade(btc);
    onlyCall('GET', `/trade/${btc}`);
    expect(trade).toMatchObject({ trade_id: btc, pair: 'BTC/USDT', is_open: false, exit_reason: 'roi' });
  });

  it('deleteTrade(id) sends DELETE /trades/{id} and the trade is gone', async () => {
    const { sol } = seedTrades();
    const result = await client.deleteTrade(sol);
    onlyCall('DELETE', `/trades/${sol}`);
    expect(result).toMatchObject({ result: 'success', trade_id: sol });
    expect(fake.state.trades.some((t) => t.id === sol)).toBe(false);
  });

  it('cancelOpenOrder(id) sends DELETE /trades/{id}/open-order and reports Freqtrade refusing when none is open', async () => {
    const { sol } = seedTrades();
    const error = await client.cancelOpenOrder(sol).catch((e: unknown) => e);
    onlyCall('DELETE', `/trades/${sol}/open-order`);
    expect(error).toBeInstanceOf(ApiError);
    expect(String(error)).toContain(`alpha: DELETE /api/v1/trades/${sol}/open-order failed with 502: `);
  });

  it('cancelOpenOrder(id) returns the trade when an open order was cancelled', async () => {
    const { sol } = seedTrades();
    const trade = fake.state.trades.find((t) => t.id === sol);
    trade?.orders.push({
      orderId: 'dry_run_sell_SOL/USDT_1',
      side: 'sell',
      isEntry: false,
      orderType: 'limit',
      status: 'open',
      amount: 1,
      filled: 0,
      price: 170,
      createdAtMs: fake.now(),
      filledAtMs: null,
      tag: 'exit_signal',
    });
    const result = await client.cancelOpenOrder(sol);
    onlyCall('DELETE', `/trades/${sol}/open-order`);
    expect(result).toMatchObject({ trade_id: sol, has_open_orders: false });
  });

  it('reloadTrade(id) sends POST /trades/{id}/reload and returns the trade', async () => {
    const { sol } = seedTrades();
    const trade = await client.reloadTrade(sol);
    onlyCall('POST', `/trades/${sol}/reload`);
    expect(trade.trade_id).toBe(sol);
  });

  it('openTradesCustomData({key, limit, offset}) sends GET /trades/open/custom-data with that query', async () => {
    const { sol } = seedTrades();
    const data = await client.openTradesCustomData({ key: 'level', limit: 10, offset: 0 });
    expect(queryOf(onlyCall('GET', '/trades/open/custom-data'))).toEqual({
      key: 'level',
      limit: '10',
      offset: '0',
    });
    expect(data).toEqual([expect.objectContaining({ trade_id: sol })]);
    expect(data[0]?.custom_data.map((d) => [d.key, d.value])).toEqual([['level', 3]]);
  });

  it('tradeCustomData(id) sends GET /trades/{id}/custom-data and returns every key', async () => {
    const { sol } = seedTrades();
    const data = await client.tradeCustomData(sol);
    expect(queryOf(onlyCall('GET', `/trades/${sol}/custom-data`))).toEqual({});
    expect(data[0]?.custom_data.map((d) => d.key)).toEqual(['level', 'note']);
  });

  it('tradeCustomData(id, key) sends the key as a query parameter', async () => {
    const { sol } = seedTrades();
    const data = await client.tradeCustomData(sol, 'note');
    expect(queryOf(onlyCall('GET', `/trades/${sol}/custom-data`))).toEqual({ key: 'note' });
    expect(data[0]?.custom_data[0]?.value).toBe('watch');
  });

  it('forceEnter(body) sends POST /forceenter with only the given fields and returns the new trade', async () => {
    const trade = await client.forceEnter({
      pair: 'ETH/USDT',
      side: 'long',
      ordertype: 'market',
      stakeamount: 50,
    });
    expect(onlyCall('POST', '/forceenter').body).toEqual({
      pair: 'ETH/USDT',
      side: 'long',
      ordertype: 'market',
      stakeamount: 50,
    });
    expect(trade).toMatchObject({ pair: 'ETH/USDT', is_open: true });
    expect(fake.state.trades.some((t) => t.id === trade.trade_id && t.isOpen)).toBe(true);
  });

  it('forceExit(body) sends POST /forceexit and returns the result message', async () => {
    const { sol } = seedTrades();
    const result = await client.forceExit({ tradeid: sol, ordertype: 'market' });
    expect(onlyCall('POST', '/forceexit').body).toEqual({ tradeid: sol, ordertype: 'market' });
    expect(result.result).toBe(`Created exit order for trade ${sol}.`);
    expect(fake.state.trades.find((t) => t.id === sol)?.isOpen).toBe(false);
  });

  it('forceExit({tradeid: "all"}) exits every open trade', async () => {
    seedTrades();
    const result = await client.forceExit({ tradeid: 'all' });
    expect(onlyCall('POST', '/forceexit').body).toEqual({ tradeid: 'all' });
    expect(result.result).toBe('Created exit orders for all open trades.');
  });

  it('forceExit of an unknown trade is the ApiError of a 502 refusal, tried once', async () => {
    const error = await client.forceExit({ tradeid: 42 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(String(error)).toBe('ApiError: alpha: POST /api/v1/forceexit failed with 502: invalid argument');
    onlyCall('POST', '/forceexit');
  });
});

describe('Freqtrade client: pairlists and locks', () => {
  it('blacklist() sends GET /blacklist and returns the list', async () => {
    fake.state.blacklist.push('DOGE/USDT');
    const result = await client.blacklist();
    onlyCall('GET', '/blacklist');
    expect(result.blacklist).toEqual(['DOGE/USDT']);
  });

  it('addBlacklist(pairs) sends POST /blacklist {blacklist: pairs}', async () => {
    const result = await client.addBlacklist(['DOGE/USDT', 'SHIB/USDT']);
    expect(onlyCall('POST', '/blacklist').body).toEqual({ blacklist: ['DOGE/USDT', 'SHIB/USDT'] });
    expect(result.blacklist).toEqual(['DOGE/USDT', 'SHIB/USDT']);
  });

  it('deleteBlacklist(pairs) sends DELETE /blacklist with repeated pairs_to_delete', async () => {
    fake.state.blacklist.push('DOGE/USDT', 'SHIB/USDT', 'PEPE/USDT');
    const result = await client.deleteBlacklist(['DOGE/USDT', 'SHIB/USDT']);
    expect(queryOf(onlyCall('DELETE', '/blacklist'))).toEqual({
      pairs_to_delete: ['DOGE/USDT', 'SHIB/USDT'],
    });
    expect(result.blacklist).toEqual(['PEPE/USDT']);
  });

  it('whitelist() sends GET /whitelist and returns the pairs', async () => {
    const result = await client.whitelist();
    onlyCall('GET', '/whitelist');
    expect(result.whitelist).toEqual(fake.state.whitelist);
    expect(result.length).toBe(fake.state.whitelist.length);
  });

  it('addLocks(locks) sends POST /locks with a list whose until is ISO UTC with Z', async () => {
    const until = new Date(fake.now() + 3_600_000);
    const result = await client.addLocks([
      { pair: 'XRP/USDT', until, reason: 'manual' },
      { pair: 'ADA/USDT', until: until.toISOString(), side: 'long' },
    ]);
    expect(onlyCall('POST', '/locks').body).toEqual([
      { pair: 'XRP/USDT', until: until.toISOString(), reason: 'manual' },
      { pair: 'ADA/USDT', until: until.toISOString(), side: 'long' },
    ]);
    expect(until.toISOString()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(result.lock_count).toBe(2);
    expect(result.locks.map((l) => [l.pair, l.side, l.reason])).toEqual([
      ['XRP/USDT', '*', 'manual'],
      ['ADA/USDT', 'long', null],
    ]);
  });

  it('locks() sends GET /locks and returns the active locks', async () => {
    await client.addLocks([{ pair: 'XRP/USDT', until: new Date(fake.now() + 3_600_000) }]);
    const result = await client.locks();
    onlyCall('GET', '/locks');
    expect(result.locks.map((l) => l.pair)).toEqual(['XRP/USDT']);
  });

  it('deleteLock(id) sends DELETE /locks/{id} and the lock is no longer listed', async () => {
    const added = await client.addLocks([{ pair: 'XRP/USDT', until: new Date(fake.now() + 3_600_000) }]);
    const id = added.locks[0]?.id ?? -1;
    const result = await client.deleteLock(id);
    onlyCall('DELETE', `/locks/${id}`);
    expect(result.lock_count).toBe(0);
  });

  it('deleteLocksBy({pair}) sends POST /locks/delete {pair}', async () => {
    await client.addLocks([
      { pair: 'XRP/USDT', until: new Date(fake.now() + 3_600_000) },
      { pair: 'ADA/USDT', until: new Date(fake.now() + 3_600_000) },
    ]);
    const result = await client.deleteLocksBy({ pair: 'XRP/USDT' });
    expect(onlyCall('POST', '/locks/delete').body).toEqual({ pair: 'XRP/USDT' });
    expect(result.locks.map((l) => l.pair)).toEqual(['ADA/USDT']);
  });
});

describe('Freqtrade client: bot control', () => {
  it('stop() sends POST /stop and the bot stops', async () => {
    const result = await client.stop();
    onlyCall('POST', '/stop');
    expect(result.status).toBe('stopping trader ...');
    expect(fake.state.botState).toBe('stopped');
  });

  it('start() sends POST /start and the bot runs', async () => {
    fake.state.botState = 'stopped';
    const result = await client.start();
    onlyCall('POST', '/start');
    expect(result.status).toBe('starting trader ...');
    expect(fake.state.botState).toBe('running');
  });

  it('pause() sends POST /pause and the bot pauses', async () => {
    const result = await client.pause();
    onlyCall('POST', '/pause');
    expect(result.status).toBe('paused, no more entries will occur from now. Run /start to enable entries.');
    expect(fake.state.botState).toBe('paused');
  });

  it('reloadConfig() sends POST /reload_config', async () => {
    const result = await client.reloadConfig();
    onlyCall('POST', '/reload_config');
    expect(result.status).toBe('Reloading config ...');
  });
});

describe('Freqtrade client: data and strategies', () => {
  it('pairCandles(q) sends GET /pair_candles?pair=&timeframe=&limit= and returns candles', async () => {
    const candles = await client.pairCandles({ pair: 'BTC/USDT', timeframe: '5m', limit: 3 });
    expect(queryOf(onlyCall('GET', '/pair_candles'))).toEqual({
      pair: 'BTC/USDT',
      timeframe: '5m',
      limit: '3',
    });
    expect(candles.pair).toBe('BTC/USDT');
    expect(candles.columns).toContain('close');
  });

  it('pairCandlesColumns(body) sends POST /pair_candles with pair, timeframe, limit and columns', async () => {
    const candles = await client.pairCandlesColumns({
      pair: 'BTC/USDT',
      timeframe: '5m',
      limit: 2,
      columns: ['close'],
    });
    expect(onlyCall('POST', '/pair_candles').body).toEqual({
      pair: 'BTC/USDT',
      timeframe: '5m',
      limit: 2,
      columns: ['close'],
    });
    expect(candles.pair).toBe('BTC/USDT');
  });

  it('pairHistory(q) sends GET /pair_history with pair, timeframe, timerange and strategy (webserver mode)', async () => {
    fake.state.runmode = 'webserver';
    const q = {
      pair: 'BTC/USDT',
      timeframe: '5m',
      timerange: '20260101-20260102',
      strategy: 'SampleStrategy',
    };
    const history = await client.pairHistory(q);
    expect(queryOf(onlyCall('GET', '/pair_history'))).toEqual(q);
    expect(history.timeframe).toBe('5m');
  });

  it('plotConfig() sends GET /plot_config and returns the strategy plot config', async () => {
    const plot = await client.plotConfig();
    onlyCall('GET', '/plot_config');
    expect(plot).toHaveProperty('subplots');
  });

  it('strategies() sends GET /strategies and returns the names (webserver mode)', async () => {
    fake.state.runmode = 'webserver';
    const result = await client.strategies();
    onlyCall('GET', '/strategies');
    expect(result.strategies).toContain('SampleStrategy');
  });

  it('strategy(name) sends GET /strategy/{name} and returns its code', async () => {
    const result = await client.strategy('SampleStrategy');
    onlyCall('GET', '/strategy/SampleStrategy');
    expect(result.strategy).toBe('SampleStrategy');
    expect(result.code).toContain('class SampleStrategy');
  });

  it('availablePairs(q) sends GET /available_pairs?timeframe=&stake_currency= (webserver mode)', async () => {
    fake.state.runmode = 'webserver';
    const result = await client.availablePairs({ timeframe: '5m', stake_currency: 'USDT' });
    expect(queryOf(onlyCall('GET', '/available_pairs'))).toEqual({ timeframe: '5m', stake_currency: 'USDT' });
    expect(result.length).toBe(result.pairs.length);
  });

  it('markets(q) sends GET /markets?base=&quote= and returns the markets', async () => {
    const result = await client.markets({ base: 'BTC', quote: 'USDT' });
    expect(queryOf(onlyCall('GET', '/markets'))).toEqual({ base: 'BTC', quote: 'USDT' });
    expect(result).toHaveProperty(['markets', 'BTC/USDT']);
  });

  it('says the Freqtrade is too old when /profit_all answers 404 "Not Found"', async () => {
    fake.failNext('GET', '/profit_all', 404, { detail: 'Not Found' });
    const error = await client.profitAll().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(String(error)).toBe(
      'ApiError: alpha: GET /api/v1/profit_all failed with 404: Not Found (this Freqtrade is too old for /api/v1/profit_all)',
    );
  });
});

describe('Freqtrade client: the demo bot', () => {
  it('parses every read endpoint of a bot with open and closed trades, locks and custom data', async () => {
    const demo = await startFakeFreqtrade({ seed: 'demo' });
    try {
      const bot: BotConfig = {
        name: 'demo',
        api_url: demo.url,
        username: 'freqtrader',
        password: 'secret-pass',
        ws_token: null,
        timeout_ms: 5_000,
        read_only: false,
      };
      const c = createFreqtradeClient({ bot, now: () => demo.now(), retry: { limit: 0, backoffMs: 5 } });
      const open = await c.status();
      expect(open.length).toBeGreaterThan(0);
      const closed = await c.trades();
      expect(closed.trades.length).toBeGreaterThan(0);
      const firstOpen = open[0];
      if (!firstOpen) throw new Error('the demo seed has no open trade');
      await c.trade(firstOpen.trade_id);
      await Promise.all([
        c.version(),
        c.showConfig(),
        c.logs(),
        c.sysinfo(),
        c.health(),
        c.balance(),
        c.count(),
        c.entries(),
        c.exits(),
        c.mixTags(),
        c.performance(),
        c.profit(),
        c.profitAll(),
        c.stats(),
        c.daily(),
        c.weekly(),
        c.monthly(),
        c.openTradesCustomData(),
        c.blacklist(),
        c.whitelist(),
        c.locks(),
        c.pairCandles({ pair: firstOpen.pair, timeframe: '5m', limit: 5 }),
        c.plotConfig(),
        c.markets(),
      ]);
      const profit = await c.profit();
      expect(profit.trade_count).toBe(demo.state.trades.length);
    } finally {
      await demo.close();
    }
  });
});
