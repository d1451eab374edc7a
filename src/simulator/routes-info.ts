/** Routes that describe the bot: ping, login, version, config, logs, system, strategy, markets. */
import { z } from 'zod';
import { parseAuthorization } from './auth.js';
import { pairHistoryJson, synthCandles } from './candles.js';
import type { JsonObject } from './json-value.js';
import { decimalsPerCoin, listedMarkets, splitPair } from './markets.js';
import { pyBool, pyInt, pyList, pyModel, pyStr } from './pydantic-errors.js';
import { DetailError, defineRoute, plainRoute, type Route, type RouteContext, RpcError } from './routing.js';
import type { FakeState } from './state.js';
import { formatIsoZ, timeframeToMs } from './time-format.js';
import { currentRateOf } from './trade-math.js';

/** Strategies the fake's `user_data/strategies` holds (webserver mode lists them). */
const STRATEGIES = ['FreqaiExampleStrategy', 'SampleShortStrategy', 'SampleStrategy'];

const PLOT_CONFIG: JsonObject = {
  main_plot: { tema: {}, sar: { color: 'white' } },
  subplots: {
    MACD: { macd: { color: 'blue' }, macdsignal: { color: 'orange' } },
    RSI: { rsi: { color: 'red' } },
  },
};

const STRATEGY_CODE = `# pragma pylint: disable=missing-docstring, invalid-name, pointless-string-statement
from freqtrade.strategy import IStrategy, IntParameter


class SampleStrategy(IStrategy):
    INTERFACE_VERSION = 3
    can_short = False
    minimal_roi = {"60": 0.01, "30": 0.02, "0": 0.04}
    stoploss = -0.10
    timeframe = "5m"
    buy_rsi = IntParameter(low=1, high=50, default=30, space="buy", optimize=True, load=True)
    sell_rsi = IntParameter(low=50, high=100, default=70, space="sell", optimize=True, load=True)
`;

/**
 * Whether the fake plays Freqtrade 2024.10 (API 2.40) or older: `ShowConfig` has no `margin_mode`
 * and `/sysinfo` only `cpu_pct` and `ram_pct` (freqtrade-api-reference.md §6).
 */
function isApi2024_10(state: FakeState): boolean {
  return state.apiVersion <= 2.4;
}

/** `ShowConfig` of the fake bot; `state` is `""` in webserver mode. */
export function showConfigJson(state: FakeState): JsonObject {
  const timeframeMs = timeframeToMs(state.timeframe) ?? 0;
  const webserver = state.runmode === 'webserver';
  const config: JsonObject = {
    version: state.version,
    strategy_version: null,
    api_version: state.apiVersion,
    dry_run: state.dryRun,
    trading_mode: state.tradingMode,
    margin_mode: state.tradingMode === 'spot' ? '' : 'isolated',
    short_allowed: state.tradingMode !== 'spot',
    stake_currency: state.stakeCurrency,
    stake_amount: String(state.stakeAmount),
    available_capital: null,
    stake_currency_decimals: decimalsPerCoin(state.stakeCurrency),
    max_open_trades: state.maxOpenTrades,
    minimal_roi: { '60': 0.01, '30': 0.02, '0': 0.04 },
    stoploss: -0.1,
    stoploss_on_exchange: false,
    trailing_stop: false,
    trailing_stop_positive: null,
    trailing_stop_positive_offset: 0,
    trailing_only_offset_is_reached: false,
    unfilledtimeout: { entry: 10, exit: 10, unit: 'minutes', exit_timeout_count: 0 },
    order_types: {
      entry: 'limit',
      exit: 'limit',
      emergency_exit: 'market',
      force_exit: 'market',
      force_entry: 'market',
      stoploss: 'market',
      stoploss_on_exchange: false,
      stoploss_on_exchange_interval: 60,
    },
    use_custom_stoploss: false,
    timeframe: state.timeframe,
    timeframe_ms: timeframeMs,
    timeframe_min: Math.round(timeframeMs / 60_000),
    exchange: state.exchange,
    strategy: state.strategy,
    force_entry_enable: state.forceEntryEnabled,
    exit_pricing: { price_side: 'same', use_order_book: true, order_book_top: 1, price_last_balance: 0 },
    entry_pricing: {
      price_side: 'same',
      use_order_book: true,
      order_book_top: 1,
      price_last_balance: 0,
      check_depth_of_market: { enabled: false, bids_to_ask_delta: 1 },
    },
    bot_name: state.botName,
    state: webserver ? '' : state.botState,
    runmode: state.runmode,
    position_adjustment_enable: state.positionAdjustmentEnabled,
    max_entry_position_adjustment: -1,
  };
  if (isApi2024_10(state)) delete config['margin_mode'];
  return config;
}

/** `/sysinfo` of a 2-core machine; 2024.10 sends only `cpu_pct` and `ram_pct`. */
function sysinfoJson(state: FakeState): JsonObject {
  const basic: JsonObject = { cpu_pct: [12.4, 7.9], ram_pct: 41.7 };
  if (isApi2024_10(state)) return basic;
  return {
    ...basic,
    cpu_load: [
      { cpu: 0, pct: 12.4 },
      { cpu: 1, pct: 7.9 },
    ],
    cpu_load_avg: { '1m': 0.34, '5m': 0.29, '15m': 0.25 },
    cpu_count: 2,
    cpu_avg: 10.15,
  };
}

/** Pairs the fake exchange lists for this bot: the market list plus whitelist and traded pairs. */
export function marketPairs(state: FakeState): string[] {
  return listedMarkets(state.stakeCurrency, [...state.whitelist, ...state.trades.map((t) => t.pair)]);
}

const loginRoute = plainRoute('POST', '/token/login', 'login', (ctx) => {
  const auth = parseAuthorization(ctx.authorization);
  if (auth.scheme === 'basic-invalid') {
    throw new DetailError(401, 'Invalid authentication credentials', { 'WWW-Authenticate': 'Basic' });
  }
  if (auth.scheme !== 'basic')
    throw new DetailError(401, 'Not authenticated', { 'WWW-Authenticate': 'Basic' });
  const tokens = ctx.tokens.login(auth.username, auth.password);
  if (!tokens) throw new DetailError(401, 'Incorrect username or password');
  return { body: tokens };
});

const refreshRoute = plainRoute('POST', '/token/refresh', 'login', (ctx) => {
  const auth = parseAuthorization(ctx.authorization);
  const token = ctx.tokens.refresh(auth.scheme === 'bearer' ? auth.token : undefined);
  if (!token) throw new DetailError(401, 'Could not validate credentials', { 'WWW-Authenticate': 'Bearer' });
  return { body: token };
});

const logsInput = z.object({ query: z.object({ limit: pyInt().nullish() }) });

const marketsInput = z.object({
  query: z.object({
    base: pyStr().nullish(),
    quote: pyStr().nullish(),
    exchange: pyStr().nullish(),
    trading_mode: z.enum(['spot', 'margin', 'futures']).nullish(),
    margin_mode: z.enum(['cross', 'isolated', '']).nullish(),
  }),
});

const strategyInput = z.object({ path: z.object({ strategy: pyStr() }) });

const plotConfigInput = z.object({ query: z.object({ strategy: pyStr().nullish() }) });

function healthJson(ctx: RouteContext): JsonObject {
  if (ctx.state.runmode === 'webserver') throw new RpcError('Bot is not in the correct state');
  // The worker processes every few seconds: pretend the last pass finished 3 s ago.
  const lastProcess = Math.max(ctx.state.botStartMs, ctx.now() - 3000);
  const seconds = (ms: number): number => Math.floor(ms / 1000);
  return {
    last_process: formatIsoZ(lastProcess),
    last_process_ts: seconds(lastProcess),
    bot_start: formatIsoZ(ctx.state.botStartMs),
    bot_start_ts: seconds(ctx.state.botStartMs),
    bot_startup: formatIsoZ(ctx.state.botStartMs),
    bot_startup_ts: seconds(ctx.state.botStartMs),
  };
}

const availablePairsInput = z.object({
  query: z.object({
    timeframe: pyStr().nullish(),
    stake_currency: pyStr().nullish(),
    candletype: pyStr().nullish(),
  }),
});

/** `"20240101-20240201"`, `"20240101-"` or `"-20240201"` → `[startMs, stopMs]`; `undefined` if malformed. */
function parseTimerange(timerange: string, nowMs: number): [number, number] | undefined {
  const match = /^(\d{8})?-(\d{8})?$/.exec(timerange);
  if (!match) return undefined;
  const day = (text: string | undefined): number | undefined =>
    text === undefined
      ? undefined
      : Date.UTC(Number(text.slice(0, 4)), Number(text.slice(4, 6)) - 1, Number(text.slice(6, 8)));
  return [day(match[1]) ?? nowMs - 30 * 86_400_000, day(match[2]) ?? nowMs];
}

/** Most candles one `/pair_history` answer carries in the fake. */
const MAX_HISTORY_CANDLES = 5000;

function pairHistory(
  ctx: RouteContext,
  req: {
    pair: string;
    timeframe: string;
    timerange: string;
    strategy?: string | null | undefined;
    columns?: string[] | null | undefined;
  },
): JsonObject {
  if (req.strategy?.includes(':')) throw new DetailError(422, 'base64 encoded strategies are not allowed.');
  const timeframeMs = timeframeToMs(req.timeframe);
  const range = parseTimerange(req.timerange, ctx.now());
  const known = marketPairs(ctx.state).includes(req.pair);
  const noData = `No data for ${req.pair}, ${req.timeframe} in ${req.timerange} found.`;
  if (!timeframeMs || !range || !known) throw new DetailError(502, noData);
  const [startMs, stopMs] = range;
  const endMs = Math.min(stopMs, ctx.now());
  const count = Math.min(MAX_HISTORY_CANDLES, Math.floor((endMs - startMs) / timeframeMs));
  if (count <= 0) throw new DetailError(502, noData);
  const candles = synthCandles({
    pair: req.pair,
    timeframeMs,
    nowMs: ctx.now(),
    lastRate: currentRateOf(ctx.state, req.pair),
    count,
    endMs,
  });
  return pairHistoryJson({
    strategy: req.strategy ?? '',
    pair: req.pair,
    timeframe: req.timeframe,
    timeframeMs,
    candles,
    columns: req.columns,
    analyzedAtMs: ctx.now(),
    apiVersion: ctx.state.apiVersion,
  });
}

const pairHistoryGetInput = z.object({
  query: z.object({
    pair: pyStr(),
    timeframe: pyStr(),
    timerange: pyStr(),
    strategy: pyStr(),
    freqaimodel: pyStr().nullish(),
  }),
});

const pairHistoryPostInput = z.object({
  body: pyModel('PairHistoryRequest', {
    pair: pyStr(),
    timeframe: pyStr(),
    limit: pyInt().nullish(),
    columns: pyList(pyStr()).nullish(),
    timerange: pyStr(),
    strategy: pyStr().nullish(),
    freqaimodel: pyStr().nullish(),
    live_mode: pyBool().default(false),
  }),
});

export const infoRoutes: Route[] = [
  plainRoute(['GET', 'HEAD'], '/ping', 'public', () => ({ body: { status: 'pong' } })),
  loginRoute,
  refreshRoute,
  plainRoute('GET', '/version', 'info', (ctx) => ({ body: { version: ctx.state.version } })),
  plainRoute('GET', '/show_config', 'info', (ctx) => ({ body: showConfigJson(ctx.state) })),
  defineRoute({
    method: 'GET',
    path: '/logs',
    group: 'info',
    input: logsInput,
    handle: ({ query }, ctx) => {
      const limit = query.limit;
      const logs =
        limit === null || limit === undefined
          ? ctx.state.logs
          : limit <= 0
            ? []
            : ctx.state.logs.slice(-limit);
      return { body: { log_count: logs.length, logs: logs.map((line) => [...line]) } };
    },
  }),
  plainRoute('GET', '/sysinfo', 'info', (ctx) => ({ body: sysinfoJson(ctx.state) })),
  plainRoute('GET', '/health', 'info', (ctx) => ({ body: healthJson(ctx) })),
  defineRoute({
    method: 'GET',
    path: '/plot_config',
    group: 'info',
    input: plotConfigInput,
    handle: ({ query }, ctx) => {
      const name = query.strategy;
      if (name && !STRATEGIES.includes(name) && name !== ctx.state.strategy) {
        throw new DetailError(
          502,
          `Impossible to load Strategy '${name}'. This class does not exist or contains Python code errors.`,
        );
      }
      return { body: PLOT_CONFIG };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/markets',
    group: 'info',
    input: marketsInput,
    handle: ({ query }, ctx) => {
      const markets: JsonObject = {};
      for (const symbol of marketPairs(ctx.state)) {
        const { base, quote } = splitPair(symbol);
        if (query.base && base !== query.base) continue;
        if (query.quote && quote !== query.quote) continue;
        markets[symbol] = { symbol, base, quote, spot: true, swap: false };
      }
      return { body: { markets, exchange_id: ctx.state.exchange } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/strategy/{strategy}',
    group: 'info',
    input: strategyInput,
    handle: ({ path }, ctx) => {
      const name = path.strategy;
      if (name.includes(':')) throw new DetailError(422, 'base64 encoded strategies are not allowed.');
      if (ctx.state.runmode !== 'webserver' && name !== ctx.state.strategy) {
        throw new DetailError(404, 'Only the currently active strategy is available in trade mode');
      }
      if (ctx.state.runmode === 'webserver' && !STRATEGIES.includes(name)) {
        throw new DetailError(404, 'Strategy not found');
      }
      return {
        body: {
          strategy: name,
          timeframe: ctx.state.timeframe,
          params: [
            {
              param_type: 'IntParameter',
              name: 'buy_rsi',
              space: 'buy',
              load: true,
              optimize: true,
              value: 30,
              low: 1,
              high: 50,
            },
            {
              param_type: 'IntParameter',
              name: 'sell_rsi',
              space: 'sell',
              load: true,
              optimize: true,
              value: 70,
              low: 50,
              high: 100,
            },
          ],
          code: STRATEGY_CODE,
        },
      };
    },
  }),
  plainRoute('GET', '/strategies', 'webserver', () => ({ body: { strategies: [...STRATEGIES] } })),
  defineRoute({
    method: 'GET',
    path: '/available_pairs',
    group: 'webserver',
    input: availablePairsInput,
    handle: ({ query }, ctx) => {
      const candleType = query.candletype ?? (ctx.state.tradingMode === 'spot' ? 'spot' : 'futures');
      const intervals: Array<[string, string, string]> = [];
      for (const pair of [...ctx.state.whitelist].sort()) {
        for (const timeframe of ['5m', '1h']) intervals.push([pair, timeframe, candleType]);
      }
      const filtered = intervals.filter(
        ([pair, timeframe]) =>
          (!query.timeframe || timeframe === query.timeframe) &&
          (!query.stake_currency || splitPair(pair).quote === query.stake_currency),
      );
      const pairs = [...new Set(filtered.map(([pair]) => pair))].sort();
      return { body: { length: pairs.length, pairs, pair_interval: filtered } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/pair_history',
    group: 'webserver',
    input: pairHistoryGetInput,
    handle: ({ query }, ctx) => ({ body: pairHistory(ctx, query) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/pair_history',
    group: 'webserver',
    takesBody: true,
    input: pairHistoryPostInput,
    handle: ({ body }, ctx) => ({ body: pairHistory(ctx, body) }),
  }),
];
