/**
 * The read-only commands against a scripted HTTP server that answers with Freqtrade's own example
 * payloads (freqtrade-api-reference.md §4, taken from Freqtrade's tests): exact numbers, nulls,
 * odd pairs, and the REST calls each command makes. The end-to-end runs against the fake bot are
 * in commands-read.test.ts.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { bindArguments } from '../src/chat/arguments.js';
import {
  healthCommand,
  locksCommand,
  logsCommand,
  showConfigCommand,
  sysinfoCommand,
  versionCommand,
  whitelistCommand,
} from '../src/chat/commands/info.js';
import {
  balanceCommand,
  dailyCommand,
  monthlyCommand,
  profitCommand,
  statsCommand,
  weeklyCommand,
} from '../src/chat/commands/profit.js';
import { loadCommands } from '../src/chat/commands/index.js';
import {
  countCommand,
  entriesCommand,
  exitsCommand,
  mixTagsCommand,
  performanceCommand,
  statusCommand,
  tradesCommand,
} from '../src/chat/commands/trades.js';
import { type Reply, renderPlainText } from '../src/chat/reply.js';
import { createCommandRouter } from '../src/chat/router.js';
import type { CommandContext, CommandServices, CommandSpec } from '../src/chat/types.js';
import { parseConfig } from './support/config.js';
import type { BotConfig } from '../src/config/schema.js';
import { ApiError, UserInputError } from '../src/errors.js';
import { createFreqtradeClient } from '../src/freqtrade/client.js';
import { createFleet } from '../src/freqtrade/fleet.js';
import { createSilentLogger } from '../src/logger.js';
import { openStore } from '../src/store/store.js';

/** The read-only commands: viewers may run them, they change nothing and talk to a Freqtrade bot. */
const readCommands = (await loadCommands()).filter(
  (command) =>
    command.role === 'viewer' &&
    !command.mutates &&
    !command.audited &&
    command.needsBot !== false &&
    command.requires === undefined,
);

// ------------------------------------------------------------------ Freqtrade's example payloads

const STATUS = [
  {
    trade_id: 1,
    pair: 'ETH/BTC',
    base_currency: 'ETH',
    quote_currency: 'BTC',
    is_open: true,
    is_short: false,
    exchange: 'binance',
    amount: 91.07468123,
    amount_requested: 91.07468124,
    stake_amount: 0.001,
    max_stake_amount: 0.001,
    strategy: 'StrategyTestV3',
    enter_tag: null,
    timeframe: 5,
    fee_open: 0.0025,
    fee_open_cost: null,
    fee_open_currency: null,
    fee_close: 0.0025,
    fee_close_cost: null,
    fee_close_currency: null,
    open_date: '2024-05-10 11:10:00',
    open_timestamp: 1715339400000,
    open_fill_date: '2024-05-10 11:10:05',
    open_fill_timestamp: 1715339405000,
    open_rate: 1.098e-5,
    open_rate_requested: 1.098e-5,
    open_trade_value: 0.0010025,
    close_date: null,
    close_timestamp: null,
    close_rate: null,
    close_rate_requested: null,
    close_profit: null,
    close_profit_pct: null,
    close_profit_abs: null,
    profit_ratio: -0.00408133,
    profit_pct: -0.41,
    profit_abs: -4.09e-6,
    profit_fiat: -0.05045,
    realized_profit: 0.0,
    realized_profit_ratio: null,
    exit_reason: null,
    exit_order_status: null,
    stop_loss_abs: 9.89e-6,
    stop_loss_ratio: -0.1,
    stop_loss_pct: -10.0,
    stoploss_last_update: '2024-05-10 11:10:05',
    stoploss_last_update_timestamp: 1715339405000,
    initial_stop_loss_abs: 9.89e-6,
    initial_stop_loss_ratio: -0.1,
    initial_stop_loss_pct: -10.0,
    min_rate: 1.098e-5,
    max_rate: 1.099e-5,
    nr_of_successful_entries: 1,
    nr_of_successful_exits: 0,
    has_open_orders: false,
    orders: [
      {
        pair: 'ETH/BTC',
        order_id: 'dry_run_buy_ETH/BTC_1715339400.123456',
        status: 'closed',
        remaining: 0.0,
        amount: 91.07468123,
        safe_price: 1.098e-5,
        cost: 0.0009999999999054,
        filled: 91.07468123,
        ft_order_side: 'buy',
        order_type: 'limit',
        is_open: false,
        order_timestamp: 1715339400000,
        order_filled_timestamp: 1715339405000,
        ft_fee_base: null,
        ft_order_tag: null,
      },
    ],
    leverage: 1.0,
    interest_rate: 0.0,
    liquidation_price: null,
    funding_fees: 0.0,
    trading_mode: 'spot',
    amount_precision: 8.0,
    price_precision: 8.0,
    precision_mode: 2,
    stoploss_current_dist: -1.1e-6,
    stoploss_current_dist_pct: -10.01,
    stoploss_current_dist_ratio: -0.10009099,
    stoploss_entry_dist: -0.00010402,
    stoploss_entry_dist_ratio: -0.10376381,
    current_rate: 1.099e-5,
    total_profit_abs: -4.09e-6,
    total_profit_fiat: -0.05045,
    total_profit_ratio: -0.00408133,
  },
];

const PROFIT = {
  profit_closed_coin: -0.00542913,
  profit_closed_percent_mean: 0.25,
  profit_closed_ratio_mean: 0.0025,
  profit_closed_percent_sum: 0.5,
  profit_closed_ratio_sum: 0.005,
  profit_closed_percent: -0.0,
  profit_closed_ratio: -5.429078808526421e-6,
  profit_closed_fiat: -67.02260985,
  profit_all_coin: -14.87167525,
  profit_all_percent_mean: 0.13,
  profit_all_ratio_mean: 0.0012538324,
  profit_all_percent_sum: 0.5,
  profit_all_ratio_sum: 0.005015329,
  profit_all_percent: -1.49,
  profit_all_ratio: -0.014871535,
  profit_all_fiat: -183590.83096125,
  trade_count: 6,
  closed_trade_count: 2,
  first_trade_date: '2024-05-10 10:58:00',
  first_trade_humanized: '17 minutes ago',
  first_trade_timestamp: 1715338680000,
  latest_trade_date: '2024-05-10 11:10:00',
  latest_trade_humanized: '5 minutes ago',
  latest_trade_timestamp: 1715339400000,
  avg_duration: '0:19:00',
  best_pair: 'XRP/BTC',
  best_rate: 0.0,
  best_pair_profit_ratio: 2.5203252e-5,
  best_pair_profit_abs: 0.000155,
  winning_trades: 1,
  losing_trades: 1,
  profit_factor: 0.02775724835771106,
  winrate: 0.5,
  expectancy: -0.0027145635000000003,
  expectancy_ratio: -0.48612137582114445,
  sharpe: -36.14602907243071,
  sortino: -100.0,
  sqn: -0.946,
  calmar: -1857.4671689202785,
  cagr: -0.0019796559404918757,
  max_drawdown: 5.585e-6,
  max_drawdown_abs: 0.005584127,
  max_drawdown_start: '2024-05-10 11:13:00',
  max_drawdown_start_timestamp: 1715339580000,
  max_drawdown_end: '2024-05-10 11:15:00',
  max_drawdown_end_timestamp: 1715339700000,
  current_drawdown: 5.585e-6,
  current_drawdown_abs: 0.005584127,
  current_drawdown_high: 0.000584127,
  current_drawdown_start: '2024-05-10 11:13:00',
  current_drawdown_start_timestamp: 1715339580000,
  trading_volume: 75.945,
  bot_start_timestamp: 0,
  bot_start_date: '',
};

const BALANCE = {
  currencies: [
    {
      currency: 'BTC',
      free: 0.01,
      balance: 0.012,
      used: 0.002,
      bot_owned: 0.0,
      est_stake: 86.4872,
      est_stake_bot: 0.0,
      stake: 'USDT',
      side: 'long',
      is_position: false,
      position: 0.0,
      is_bot_managed: false,
    },
    {
      currency: 'ETH',
      free: 1.0,
      balance: 5.0,
      used: 4.0,
      bot_owned: 0.0,
      est_stake: 530.21,
      est_stake_bot: 0.0,
      stake: 'USDT',
      side: 'long',
      is_position: false,
      position: 0.0,
      is_bot_managed: false,
    },
    {
      currency: 'NotACoin',
      free: 0.0,
      balance: 2.0,
      used: 0.0,
      bot_owned: 0.0,
      est_stake: 0.0,
      est_stake_bot: 0.0,
      stake: 'USDT',
      side: 'long',
      is_position: false,
      position: 0.0,
      is_bot_managed: false,
    },
    {
      currency: 'USDT',
      free: 50.0,
      balance: 100.0,
      used: 5.0,
      bot_owned: 49.5,
      est_stake: 50.0,
      est_stake_bot: 49.5,
      stake: 'USDT',
      side: 'long',
      is_position: false,
      position: 0.0,
      is_bot_managed: true,
    },
    {
      currency: 'ADA/USDT:USDT',
      free: 0.0,
      balance: 0.0,
      used: 0.0,
      bot_owned: null,
      est_stake: 54.5008,
      est_stake_bot: 54.5008,
      stake: 'USDT',
      side: 'long',
      is_position: true,
      position: 0.48,
      is_bot_managed: true,
    },
  ],
  total: 721.198,
  total_bot: 104.0008,
  symbol: 'USD',
  value: 865.4376,
  value_bot: 124.80096,
  stake: 'USDT',
  note: '',
  starting_capital: 49.5,
  starting_capital_ratio: 1.101026,
  starting_capital_pct: 110.1,
  starting_capital_fiat: 59.4,
  starting_capital_fiat_ratio: 1.101026,
  starting_capital_fiat_pct: 110.1,
};

const LOCKS = {
  lock_count: 2,
  locks: [
    {
      id: 1,
      active: true,
      lock_end_time: '2024-05-10 11:20:00',
      lock_end_timestamp: 1715340000000,
      lock_time: '2024-05-10 11:15:03',
      lock_timestamp: 1715339703000,
      pair: 'ETH/BTC',
      side: '*',
      reason: 'randreason',
    },
    {
      id: 2,
      active: true,
      lock_end_time: '2024-05-10 11:40:00',
      lock_end_timestamp: 1715341200000,
      lock_time: '2024-05-10 11:15:03',
      lock_timestamp: 1715339703000,
      pair: 'XRP/BTC',
      side: '*',
      reason: 'deadbeef',
    },
  ],
};

const DAILY = {
  data: [
    {
      date: '2022-06-11',
      abs_profit: 13.8299999,
      rel_profit: 0.0131044,
      starting_balance: 1055.37,
      fiat_value: 0.0,
      trade_count: 2,
    },
    {
      date: '2022-06-10',
      abs_profit: 6.83,
      rel_profit: 0.00642902,
      starting_balance: 1062.37,
      fiat_value: 0.0,
      trade_count: 1,
    },
    {
      date: '2022-06-09',
      abs_profit: -4.09,
      rel_profit: -0.00383512,
      starting_balance: 1066.46,
      fiat_value: 0.0,
      trade_count: 1,
    },
    {
      date: '2022-06-08',
      abs_profit: 0.0,
      rel_profit: 0.0,
      starting_balance: 1066.46,
      fiat_value: 0.0,
      trade_count: 0,
    },
  ],
  fiat_display_currency: 'USD',
  stake_currency: 'USDT',
};

const TRADES = {
  trades: [
    {
      trade_id: 2,
      pair: 'ETC/BTC',
      base_currency: 'ETC',
      quote_currency: 'BTC',
      is_open: false,
      exchange: 'binance',
      amount: 123.0,
      amount_requested: 123.0,
      stake_amount: 0.001,
      max_stake_amount: null,
      strategy: 'StrategyTestV3',
      enter_tag: 'TEST1',
      timeframe: 5,
      fee_open: 0.0025,
      fee_open_cost: null,
      fee_open_currency: null,
      fee_close: 0.0025,
      fee_close_cost: null,
      fee_close_currency: null,
      open_date: '2024-05-10 10:55:00',
      open_timestamp: 1715338500000,
      open_fill_date: '2024-05-10 10:55:00',
      open_fill_timestamp: 1715338500000,
      open_rate: 0.123,
      open_rate_requested: null,
      open_trade_value: 15.1668225,
      close_date: '2024-05-10 11:13:00',
      close_timestamp: 1715339580000,
      realized_profit: 0.0,
      realized_profit_ratio: 0.005,
      close_rate: 0.128,
      close_rate_requested: null,
      close_profit: 0.005,
      close_profit_pct: 0.5,
      close_profit_abs: 0.000584127,
      trade_duration_s: 1080,
      trade_duration: 18,
      profit_ratio: 0.005,
      profit_pct: 0.5,
      profit_abs: 0.000584127,
      exit_reason: 'sell_signal',
      exit_order_status: null,
      stop_loss_abs: 0.0,
      stop_loss_ratio: null,
      stop_loss_pct: null,
      stoploss_last_update: null,
      stoploss_last_update_timestamp: null,
      initial_stop_loss_abs: 0.0,
      initial_stop_loss_ratio: null,
      initial_stop_loss_pct: null,
      min_rate: null,
      max_rate: null,
      leverage: 1.0,
      interest_rate: 0.0,
      liquidation_price: null,
      is_short: false,
      trading_mode: 'spot',
      funding_fees: null,
      amount_precision: null,
      price_precision: null,
      precision_mode: null,
      precision_mode_price: null,
      contract_size: null,
      nr_of_successful_entries: 1,
      nr_of_successful_exits: 1,
      has_open_orders: false,
      orders: [
        {
          amount: 123.0,
          safe_price: 0.123,
          ft_order_side: 'buy',
          order_filled_timestamp: 1715338500000,
          ft_is_entry: true,
          ft_order_tag: null,
          cost: 15.129,
          pair: 'ETC/BTC',
          order_id: '1235_long',
          status: 'closed',
          average: 0,
          filled: 123.0,
          is_open: false,
          order_date: '2024-05-10 10:55:00',
          order_timestamp: 1715338500000,
          order_filled_date: '2024-05-10 10:55:00',
          order_type: 'limit',
          price: 0.123,
          remaining: 0.0,
          ft_fee_base: null,
          funding_fee: null,
        },
        {
          amount: 123.0,
          safe_price: 0.128,
          ft_order_side: 'sell',
          order_filled_timestamp: 1715339580000,
          ft_is_entry: false,
          ft_order_tag: null,
          cost: 15.129,
          pair: 'ETC/BTC',
          order_id: '12366_long',
          status: 'closed',
          average: 0,
          filled: 123.0,
          is_open: false,
          order_date: '2024-05-10 11:13:00',
          order_timestamp: 1715339580000,
          order_filled_date: '2024-05-10 11:13:00',
          order_type: 'limit',
          price: 0.128,
          remaining: 0.0,
          ft_fee_base: null,
          funding_fee: null,
        },
      ],
    },
  ],
  trades_count: 1,
  offset: 0,
  total_trades: 2,
};

/** A /show_config answer of a 2026.3 dry-run bot. */
const SHOW_CONFIG = {
  version: '2026.3',
  strategy_version: '1.2',
  api_version: 2.47,
  dry_run: true,
  trading_mode: 'spot',
  margin_mode: '',
  short_allowed: false,
  stake_currency: 'BTC',
  stake_amount: '0.001',
  available_capital: null,
  stake_currency_decimals: 8,
  max_open_trades: 3,
  minimal_roi: { '40': 0.0, '0': 0.04, '20': 0.02 },
  stoploss: -0.1,
  stoploss_on_exchange: false,
  trailing_stop: true,
  trailing_stop_positive: 0.01,
  trailing_stop_positive_offset: 0.02,
  trailing_only_offset_is_reached: true,
  unfilledtimeout: { entry: 10, exit: 10, unit: 'minutes', exit_timeout_count: 0 },
  order_types: null,
  use_custom_stoploss: false,
  timeframe: '5m',
  timeframe_ms: 300000,
  timeframe_min: 5,
  exchange: 'binance',
  strategy: 'SampleStrategy',
  force_entry_enable: true,
  exit_pricing: {},
  entry_pricing: {},
  bot_name: 'freqtrade',
  state: 'running',
  runmode: 'dry_run',
  position_adjustment_enable: false,
  max_entry_position_adjustment: -1,
};

/** "Now" for every test: 2024-05-10 11:15:00 UTC, the moment the example payloads describe. */
const NOW_MS = Date.UTC(2024, 4, 10, 11, 15, 0);

// ------------------------------------------------------------------ scripted server

interface Seen {
  method: string;
  /** Without /api/v1. */
  path: string;
  query: URLSearchParams;
}
type Answer = { status: number; body: unknown };
type Route = unknown | ((query: URLSearchParams) => Answer);

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

function isAnswerFunction(route: Route): route is (query: URLSearchParams) => Answer {
  return typeof route === 'function';
}

/**
 * A server answering `"GET /path"` keys with the given JSON (200) or a function's answer; anything
 * else is a 404 `{"detail":"Not Found"}`, including /token/login, so the client uses Basic auth.
 */
async function startCanned(routes: Record<string, Route>): Promise<{ url: string; requests: Seen[] }> {
  const requests: Seen[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://canned');
    const path = url.pathname.replace(/^\/api\/v1/, '');
    const method = req.method ?? 'GET';
    if (path !== '/token/login') requests.push({ method, path, query: url.searchParams });
    const key = `${method} ${path}`;
    const route = routes[key];
    const answer: Answer =
      route === undefined
        ? { status: 404, body: { detail: 'Not Found' } }
        : isAnswerFunction(route)
          ? route(url.searchParams)
          : { status: 200, body: route };
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${address.port}`, requests };
}

interface Harness {
  requests: Seen[];
  services: CommandServices;
  /** Runs a command as a viewer with chat words, like the router does. */
  run<S extends z.ZodObject>(
    command: CommandSpec<S>,
    words?: string[],
  ): Promise<{ reply: Reply; text: string }>;
}

async function harness(routes: Record<string, Route>): Promise<Harness> {
  const server = await startCanned(routes);
  const bot: BotConfig = {
    name: 'main',
    api_url: server.url,
    username: 'freqtrader',
    password: 'secret-pass',
    ws_token: null,
    timeout_ms: 5000,
    read_only: false,
  };
  const config = parseConfig({ bots: [bot], access: { viewers: ['console:1'] } });
  const logger = createSilentLogger();
  const client = createFreqtradeClient({ bot, retry: { limit: 0, backoffMs: 0 } });
  const services: CommandServices = {
    config,
    fleet: createFleet(config.bots),
    store: await openStore({ path: null, logger, auditMaxEntries: 100 }),
    logger,
    now: () => NOW_MS,
    commands: () => [],
  };
  return {
    requests: server.requests,
    services,
    async run(command, words = []) {
      const args = bindArguments(command.args, words, {}, command.usage);
      const reply = await command.run({
        ctx: { platform: 'console', chatId: '1', userId: '1', threadId: null, isPrivate: true },
        role: 'viewer',
        args,
        bot: client,
        showBotName: false,
        services,
        chatKey: 'test:1',
      });
      return { reply, text: renderPlainText(reply) };
    },
  };
}

/** The GET paths a harness saw, with their query, e.g. `"/daily?timescale=3"`. */
function calls(h: Harness): string[] {
  return h.requests.map((r) => `${r.method} ${r.path}${r.query.size > 0 ? `?${r.query.toString()}` : ''}`);
}

/** Binds words as the router would, returning the UserInputError it throws. */
function bindError<S extends z.ZodObject>(command: CommandSpec<S>, words: string[]): UserInputError {
  try {
    bindArguments(command.args, words, {}, command.usage);
  } catch (error) {
    if (error instanceof UserInputError) return error;
    throw error;
  }
  throw new Error(`/${command.name} ${words.join(' ')} was accepted`);
}

const tradeWith = (changes: Record<string, unknown>) => ({ ...STATUS[0], ...changes });

// ------------------------------------------------------------------ tests

describe('the read commands', () => {
  it('are the viewer commands that change nothing, each with a short description and a usage line', () => {
    expect(readCommands.map((command) => command.name)).toContain('status');
    for (const command of readCommands) {
      expect(command.description.length).toBeLessThanOrEqual(100);
      expect(command.usage.startsWith(`/${command.name}`)).toBe(true);
      expect(command.name).toMatch(/^[a-z0-9_]{1,32}$/);
    }
  });
});

describe('/status', () => {
  it('shows an open trade with rates, signed profit, age, stoploss distance', async () => {
    const h = await harness({ 'GET /status': STATUS });
    const { reply, text } = await h.run(statusCommand);
    expect(calls(h)).toEqual(['GET /status']);
    expect(reply.title).toBe('📊 Open trades (1)');
    expect(reply.tone).toBe('loss');
    expect(text).toContain('❌ #1 ETH/BTC · Long');
    expect(text).toContain('Amount: 91.074681 ETH');
    expect(text).toContain('Stake: 0.001 BTC');
    expect(text).toContain('Open rate: 0.00001098 BTC');
    expect(text).toContain('Current rate: 0.00001099 BTC');
    expect(text).toContain('Current profit: ❌ -0.41% (-0.00000409 BTC)');
    expect(text).toContain('Opened: 2024-05-10 11:10 UTC (5m ago)');
    expect(text).toContain('Stoploss: 0.00000989 BTC (-10.00%)');
    expect(text).toContain('Stoploss distance: -10.01% (-0.0000011 BTC)');
    expect(text).not.toContain('Enter tag');
    expect(text).not.toContain('Open orders');
    expect(text).not.toContain('Realized profit');
  });

  it('shows n/a, not an error, when Freqtrade could not price a trade', async () => {
    const unpriced = tradeWith({
      current_rate: null,
      profit_ratio: null,
      profit_pct: null,
      profit_abs: null,
      stoploss_current_dist: null,
      stoploss_current_dist_pct: null,
      stoploss_current_dist_ratio: null,
      total_profit_abs: null,
      total_profit_fiat: null,
      total_profit_ratio: null,
    });
    const h = await harness({ 'GET /status': [unpriced] });
    const { reply, text } = await h.run(statusCommand);
    expect(text).toContain('#1 ETH/BTC · Long');
    expect(text).toContain('Current rate: n/a');
    expect(text).toContain('Current profit: n/a');
    expect(text).not.toContain('Stoploss distance');
    expect(reply.tone).toBe('neutral');
  });

  it('shows a leveraged short with enter tag, realized profit, liquidation price and open orders', async () => {
    const short = tradeWith({
      trade_id: 4,
      pair: 'ADA/USDT:USDT',
      base_currency: 'ADA',
      quote_currency: 'USDT',
      is_short: true,
      leverage: 3,
      enter_tag: 'breakout <b>',
      amount: 100,
      stake_amount: 16.67,
      open_rate: 0.5,
      current_rate: 0.45,
      profit_ratio: 0.2991,
      profit_abs: 4.99,
      realized_profit: 1.5,
      realized_profit_ratio: 0.09,
      total_profit_abs: 6.49,
      total_profit_ratio: 0.389,
      liquidation_price: 0.66,
      has_open_orders: true,
      orders: [
        { ...STATUS[0]?.orders[0], pair: 'ADA/USDT:USDT' },
        {
          pair: 'ADA/USDT:USDT',
          order_id: 'x2',
          status: 'open',
          remaining: 20,
          amount: 50,
          safe_price: 0.44,
          cost: 22,
          filled: 30,
          ft_order_side: 'buy',
          order_type: 'limit',
          is_open: true,
          order_timestamp: 1715339600000,
          order_filled_timestamp: null,
          ft_fee_base: null,
          ft_order_tag: null,
        },
      ],
    });
    const h = await harness({ 'GET /status': [short] });
    const { reply, text } = await h.run(statusCommand);
    expect(reply.tone).toBe('profit');
    expect(text).toContain('🚀 #4 ADA/USDT:USDT · Short (3x)');
    expect(text).toContain('Current profit: 🚀 +29.91% (+4.99 USDT)');
    expect(text).toContain('Realized profit: +9.00% (+1.50 USDT)');
    expect(text).toContain('Total profit: +38.90% (+6.49 USDT)');
    expect(text).toContain('Enter tag: breakout <b>');
    expect(text).toContain('Liquidation price: 0.66 USDT');
    expect(text).toContain('Open orders: limit buy 50 @ 0.44 (20 left)');
  });

  it('lists several trades by id order', async () => {
    const h = await harness({
      'GET /status': [
        tradeWith({ trade_id: 9, pair: 'XRP/BTC' }),
        tradeWith({ trade_id: 2, pair: 'LTC/BTC' }),
      ],
    });
    const { text } = await h.run(statusCommand);
    expect(text.indexOf('#2 LTC/BTC')).toBeGreaterThan(-1);
    expect(text.indexOf('#2 LTC/BTC')).toBeLessThan(text.indexOf('#9 XRP/BTC'));
  });

  it('says no open trades are listed because the bot is stopped, when it is', async () => {
    const h = await harness({ 'GET /status': [], 'GET /show_config': { ...SHOW_CONFIG, state: 'stopped' } });
    const { reply, text } = await h.run(statusCommand);
    expect(calls(h)).toEqual(['GET /status', 'GET /show_config']);
    expect(text).toBe(
      '📊 Status\n\nNo open trades listed.\nThe bot is stopped: Freqtrade lists no trades while stopped and opens none until /start.',
    );
    expect(reply.tone).toBe('neutral');
  });

  it('says a paused bot opens no new trades', async () => {
    const h = await harness({ 'GET /status': [], 'GET /show_config': { ...SHOW_CONFIG, state: 'paused' } });
    expect((await h.run(statusCommand)).text).toBe(
      '📊 Status\n\nNo open trades.\nThe bot is paused: it opens no new trades until /start.',
    );
  });

  it('says only "No open trades" for a running bot, and when /show_config fails', async () => {
    const running = await harness({ 'GET /status': [], 'GET /show_config': SHOW_CONFIG });
    expect((await running.run(statusCommand)).text).toBe('📊 Status\n\nNo open trades.');
    const failing = await harness({
      'GET /status': [],
      'GET /show_config': () => ({ status: 503, body: { detail: 'Bot is not in the correct state.' } }),
    });
    expect((await failing.run(statusCommand)).text).toBe('📊 Status\n\nNo open trades.');
  });

  it('looks trades up by id; an unknown id is one line, not a failed reply', async () => {
    const h = await harness({
      'GET /trade/1': STATUS[0],
      'GET /trade/7': () => ({ status: 404, body: { detail: 'Trade not found.' } }),
    });
    const { reply, text } = await h.run(statusCommand, ['1', '7', '1']);
    expect(calls(h).sort()).toEqual(['GET /trade/1', 'GET /trade/7']);
    expect(reply.title).toBe('📊 Trades #1, #7');
    expect(text).toContain('#1 ETH/BTC · Long');
    expect(text).toContain('Trade 7 not found.');
  });

  it('shows a closed trade looked up by id with its close rate, exit reason and holding time', async () => {
    const closed = tradeWith({
      trade_id: 3,
      is_open: false,
      close_rate: 1.2e-5,
      close_date: '2024-05-10 11:14:00',
      close_timestamp: Date.UTC(2024, 4, 10, 11, 14),
      current_rate: 1.2e-5,
      profit_ratio: 0.09,
      profit_abs: 0.00009,
      exit_reason: 'roi',
    });
    const h = await harness({ 'GET /trade/3': closed });
    const { reply, text } = await h.run(statusCommand, ['3']);
    expect(reply.title).toBe('📊 Trade #3');
    expect(text).toContain('#3 ETH/BTC · Long (closed)');
    expect(text).toContain('Close rate: 0.000012 BTC');
    expect(text).toContain('Profit: 🚀 +9.00% (+0.00009 BTC)');
    expect(text).toContain('Closed: 2024-05-10 11:14 UTC (held 4m)');
    expect(text).toContain('Exit reason: roi');
    expect(text).not.toContain('Current rate');
  });

  it('fails the whole reply when the bot answers something other than 404 for an id', async () => {
    const h = await harness({ 'GET /trade/5': () => ({ status: 500, body: { detail: 'boom' } }) });
    await expect(h.run(statusCommand, ['5'])).rejects.toBeInstanceOf(ApiError);
  });

  it('shows a compact table with id, side, pair, age and profit, plus the total', async () => {
    const h = await harness({
      'GET /status': [
        STATUS[0],
        tradeWith({
          trade_id: 2,
          pair: 'XRP/BTC',
          is_short: true,
          profit_ratio: 0.0123,
          profit_abs: 0.0000123,
          open_timestamp: NOW_MS - 3 * 3_600_000,
        }),
      ],
    });
    const { reply, text } = await h.run(statusCommand, ['table']);
    expect(reply.title).toBe('📊 Open trades (2)');
    const table = reply.blocks[0];
    expect(table).toEqual({
      kind: 'table',
      headers: ['ID', 'Pair', 'Since', 'Profit', 'BTC'],
      rows: [
        ['1 L', 'ETH/BTC', '5m', '-0.41%', '-0.00000409'],
        ['2 S', 'XRP/BTC', '3h', '+1.23%', '+0.0000123'],
      ],
      align: ['left', 'left', 'right', 'right', 'right'],
    });
    expect(text).toContain('Total: +0.00000821 BTC');
  });

  it('accepts TABLE in any case, and refuses other words with the usage line', async () => {
    const h = await harness({ 'GET /status': STATUS });
    expect((await h.run(statusCommand, ['TABLE'])).reply.blocks[0]?.kind).toBe('table');
    await expect(h.run(statusCommand, ['1', 'table'])).rejects.toThrow(
      '"table" is not a trade id; give trade ids, or "table" alone.',
    );
    await expect(h.run(statusCommand, ['99999999999999999999'])).rejects.toThrow('is not a trade id');
    const error = await h.run(statusCommand, ['abc']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserInputError);
    expect(error).toMatchObject({ usage: '/status [trade_id…|table]' });
  });

  it('refuses more than 20 ids', async () => {
    const h = await harness({});
    const ids = Array.from({ length: 21 }, (_, i) => String(i + 1));
    await expect(h.run(statusCommand, ids)).rejects.toThrow('At most 20 trade ids at a time.');
    expect(h.requests).toEqual([]);
  });
});

describe('/trades', () => {
  it('shows the closed trades with signed profit and the close time in UTC', async () => {
    const h = await harness({ 'GET /trades': TRADES });
    const { reply, text } = await h.run(tradesCommand);
    expect(calls(h)).toEqual(['GET /trades?limit=10']);
    expect(reply.title).toBe('🧾 Last 1 closed trade');
    expect(reply.blocks[0]).toMatchObject({
      headers: ['ID L/S', 'Pair', 'Profit %', 'Profit BTC', 'Closed (UTC)'],
      rows: [['2 L', 'ETC/BTC', '+0.50%', '+0.00058413', '2024-05-10 11:13']],
    });
    expect(text).toContain('1 of 2 closed trades, newest first.');
  });

  it('fetches the last page when there are more closed trades than asked for', async () => {
    const trade = (id: number) =>
      tradeWith({
        trade_id: id,
        is_open: false,
        close_timestamp: NOW_MS - (30 - id) * 60_000,
        profit_ratio: id / 1000,
      });
    const all = Array.from({ length: 30 }, (_, i) => trade(i + 1));
    const h = await harness({
      'GET /trades': (query: URLSearchParams) => {
        const limit = Number(query.get('limit'));
        const offset = Number(query.get('offset') ?? 0);
        const page = all.slice(offset, offset + limit);
        return {
          status: 200,
          body: { trades: page, trades_count: page.length, offset, total_trades: all.length },
        };
      },
    });
    const { reply } = await h.run(tradesCommand, ['5']);
    expect(calls(h)).toEqual(['GET /trades?limit=5', 'GET /trades?limit=5&offset=25']);
    const table = reply.blocks[0];
    expect(table?.kind === 'table' && table.rows.map((row) => row[0])).toEqual([
      '30 L',
      '29 L',
      '28 L',
      '27 L',
      '26 L',
    ]);
  });

  it('says so when no trade has closed yet', async () => {
    const h = await harness({ 'GET /trades': { trades: [], trades_count: 0, offset: 0, total_trades: 0 } });
    expect((await h.run(tradesCommand)).text).toBe('🧾 Closed trades\n\nNo closed trades yet.');
  });

  it('refuses 0 and 51 with the usage line', () => {
    expect(bindError(tradesCommand, ['0'])).toMatchObject({
      message: 'Bad n "0": must be at least 1.',
      usage: '/trades [n]',
    });
    expect(bindError(tradesCommand, ['51']).message).toBe('Bad n "51": must be at most 50.');
    expect(bindError(tradesCommand, ['ten']).message).toBe('Bad n "ten": expected a whole number.');
  });
});

describe('/count', () => {
  it('shows current / max, the stake in the stake currency, and free slots', async () => {
    const h = await harness({
      'GET /count': { current: 4, max: 5, total_stake: 21.579 },
      'GET /show_config': SHOW_CONFIG,
    });
    const { text } = await h.run(countCommand);
    expect(calls(h).sort()).toEqual(['GET /count', 'GET /show_config']);
    expect(text).toBe('🔢 Trade count\n\nOpen trades: 4 / 5\nTotal stake: 21.579 BTC\nFree slots: 1');
  });

  it('shows an unlimited max as ∞ and still answers without /show_config', async () => {
    const h = await harness({ 'GET /count': { current: 2, max: -1, total_stake: 200 } });
    const { text } = await h.run(countCommand);
    expect(text).toBe('🔢 Trade count\n\nOpen trades: 2 / ∞\nTotal stake: 200.00');
  });
});

describe('/performance and tag statistics', () => {
  const performance = [
    {
      pair: '1000PEPE/USDT:USDT',
      profit: 12.5,
      profit_ratio: 0.125,
      profit_pct: 12.5,
      profit_abs: 31.2,
      count: 4,
    },
    { pair: 'BTC_OLD/USDT', profit: 0, profit_ratio: 0, profit_pct: 0, profit_abs: 0, count: 1 },
    { pair: 'ÆTH/USDT', profit: -3.1, profit_ratio: -0.031, profit_pct: -3.1, profit_abs: -7.75, count: 2 },
  ];

  it("keeps Freqtrade's order and shows odd pair names as they are", async () => {
    const h = await harness({
      'GET /performance': performance,
      'GET /show_config': { ...SHOW_CONFIG, stake_currency: 'USDT' },
    });
    const { reply } = await h.run(performanceCommand);
    expect(reply.title).toBe('🏆 Performance');
    expect(reply.blocks[0]).toEqual({
      kind: 'table',
      headers: ['#', 'Pair', 'Profit %', 'Profit USDT', 'Trades'],
      rows: [
        ['1', '1000PEPE/USDT:USDT', '+12.50%', '+31.20', '4'],
        ['2', 'BTC_OLD/USDT', '0.00%', '0.00', '1'],
        ['3', 'ÆTH/USDT', '-3.10%', '-7.75', '2'],
      ],
      align: ['right', 'left', 'right', 'right', 'right'],
    });
  });

  it('caps a long table at 100 rows and says how many are left out', async () => {
    const many = Array.from({ length: 110 }, (_, i) => ({ ...performance[0], pair: `P${i}/USDT` }));
    const h = await harness({ 'GET /performance': many });
    const { reply, text } = await h.run(performanceCommand);
    const table = reply.blocks[0];
    expect(table?.kind === 'table' && table.rows.length).toBe(100);
    expect(text).toContain('… and 10 more not shown.');
  });

  it('says so when nothing has closed yet', async () => {
    const h = await harness({ 'GET /performance': [] });
    expect((await h.run(performanceCommand)).text).toBe('🏆 Performance\n\nNo closed trades yet.');
  });

  it('/entries passes the pair upper-cased and labels rows by enter tag', async () => {
    const h = await harness({
      'GET /entries': [{ enter_tag: 'Other', profit_ratio: 0.02, profit_pct: 2, profit_abs: 5, count: 3 }],
    });
    const { reply } = await h.run(entriesCommand, ['1000pepe/usdt:usdt']);
    expect(h.requests.find((r) => r.path === '/entries')?.query.get('pair')).toBe('1000PEPE/USDT:USDT');
    expect(reply.title).toBe('🏷️ Entry tags · 1000PEPE/USDT:USDT');
    expect(reply.blocks[0]).toMatchObject({
      headers: ['#', 'Enter tag', 'Profit %', 'Profit', 'Trades'],
      rows: [['1', 'Other', '+2.00%', '+5.00', '3']],
    });
  });

  it('/exits and /mix_tags label rows by exit reason and tag pair; an empty pair result says which pair', async () => {
    const h = await harness({
      'GET /exits': [
        { exit_reason: 'stop_loss', profit_ratio: -0.1, profit_pct: -10, profit_abs: -9.5, count: 1 },
      ],
      'GET /mix_tags': [],
    });
    const exits = await h.run(exitsCommand);
    expect(exits.reply.blocks[0]).toMatchObject({ rows: [['1', 'stop_loss', '-10.00%', '-9.50', '1']] });
    expect(h.requests.find((r) => r.path === '/exits')?.query.has('pair')).toBe(false);
    const mix = await h.run(mixTagsCommand, ['ETH/BTC']);
    expect(mix.text).toBe('🔀 Enter tag + exit reason · ETH/BTC\n\nNo closed trades for ETH/BTC yet.');
  });

  it('refuses a word that is not a pair', () => {
    expect(bindError(entriesCommand, ['bitcoin'])).toMatchObject({
      message:
        'Bad pair "bitcoin": expected a pair like BTC/USDT, or BTC/USDT:USDT for futures (letters and digits, at most 40 characters).',
      usage: '/entries [pair]',
    });
  });
});

describe('/profit', () => {
  const DAILY_BTC = { ...DAILY, stake_currency: 'BTC' };

  it('shows ROI, counts, dates, best pair, win/loss, expectancy, profit factor and drawdown', async () => {
    const h = await harness({ 'GET /profit': PROFIT, 'GET /daily': DAILY_BTC });
    const { reply, text } = await h.run(profitCommand);
    expect(calls(h).sort()).toEqual(['GET /daily?timescale=1', 'GET /profit']);
    expect(reply.title).toBe('📈 Profit');
    expect(reply.tone).toBe('loss');
    expect(text).toContain('ROI closed trades: 0.00% (-0.00542913 BTC) ≈ -67.02 USD');
    expect(text).toContain('ROI all trades: -1.49% (-14.87167525 BTC) ≈ -183590.83 USD');
    expect(text).toContain('Mean profit per trade: +0.25% closed, +0.13% all');
    expect(text).toContain('Trades: 6 (2 closed, 4 open)');
    expect(text).toContain('First trade opened: 2024-05-10 10:58 UTC (17m ago)');
    expect(text).toContain('Latest trade opened: 2024-05-10 11:10 UTC (5m ago)');
    expect(text).toContain('Avg. duration: 19m');
    expect(text).toContain('Best pair: XRP/BTC 0.00% (+0.000155 BTC)');
    expect(text).toContain('Win / loss: 1 / 1');
    expect(text).toContain('Winrate: 50.00%');
    expect(text).toContain('Expectancy: -0.00271456 BTC (ratio -0.49)');
    expect(text).toContain('Profit factor: 0.03');
    expect(text).toContain('Max drawdown: 0.00% (0.00558413 BTC)');
    expect(text).toContain('Drawdown period: 2024-05-10 11:13 UTC → 2024-05-10 11:15 UTC');
    expect(text).toContain('Trading volume: 75.945 BTC');
    expect(text).not.toContain('Bot started');
  });

  it('shows n/a for a null profit factor (no losing trade) and for null all-trades values', async () => {
    const h = await harness({
      'GET /profit': {
        ...PROFIT,
        losing_trades: 0,
        winning_trades: 2,
        profit_factor: null,
        winrate: 1,
        profit_all_coin: null,
        profit_all_ratio: null,
        profit_all_ratio_mean: null,
        profit_all_fiat: null,
        expectancy: null,
        expectancy_ratio: null,
      },
      'GET /daily': DAILY_BTC,
    });
    const { reply, text } = await h.run(profitCommand);
    expect(text).toContain('Profit factor: n/a (no losing trade)');
    expect(text).toContain('Winrate: 100.00%');
    expect(text).toContain('ROI all trades: n/a');
    expect(text).toContain('Mean profit per trade: +0.25% closed, n/a all');
    expect(text).toContain('Expectancy: n/a');
    expect(reply.tone).toBe('loss');
  });

  it('copes with a 2024.10 answer that lacks the newer fields', async () => {
    const {
      best_pair_profit_abs: _a,
      sharpe: _b,
      sortino: _c,
      sqn: _d,
      calmar: _e,
      cagr: _f,
      current_drawdown: _g,
      current_drawdown_abs: _h,
      current_drawdown_high: _i,
      current_drawdown_start: _j,
      current_drawdown_start_timestamp: _k,
      ...old
    } = PROFIT;
    const h = await harness({ 'GET /profit': old });
    const { text } = await h.run(profitCommand);
    expect(text).toContain('Best pair: XRP/BTC 0.00%');
    expect(text).not.toContain('Current drawdown');
    // No /daily answer: money is shown without a currency rather than failing.
    expect(text).toContain('ROI all trades: -1.49% (-14.87)');
  });

  it('says "No trades yet" with the bot start when there are none', async () => {
    const none = {
      ...PROFIT,
      trade_count: 0,
      closed_trade_count: 0,
      first_trade_date: '',
      first_trade_timestamp: 0,
      latest_trade_date: '',
      latest_trade_timestamp: 0,
      bot_start_timestamp: NOW_MS - 2 * 86_400_000,
      bot_start_date: '2024-05-08 11:15:00',
    };
    const h = await harness({ 'GET /profit': none, 'GET /daily': DAILY });
    const { text } = await h.run(profitCommand);
    expect(text).toBe('📈 Profit\n\nNo trades yet.\n\nBot started: 2024-05-08 11:15 UTC (2d ago)');
  });

  it('with days, computes every figure from /trades, /status and /balance over those days', async () => {
    // Freqtrade's example page says total_trades 2 for its one trade; one here, so one page.
    const h = await harness({
      'GET /trades': () => ({ status: 200, body: { ...TRADES, total_trades: 1 } }),
      'GET /status': STATUS,
      'GET /balance': BALANCE,
    });
    const { reply, text } = await h.run(profitCommand, ['4']);
    expect(calls(h).sort()).toEqual([
      'GET /balance',
      'GET /status',
      'GET /trades?limit=500&offset=0&order_by_id=false',
    ]);
    expect(reply.title).toBe('📈 Profit (last 4 days)');
    // 2024-05-10 11:15 minus 3 days, from midnight.
    expect(text).toContain('Last 4 days: the trades closed since 2024-05-07 00:00 UTC, and the open trades.');
    // The closed ETC/BTC trade and the open ETH/BTC one; ratios against the 49.5 starting capital.
    expect(text).toContain('Trades: 2 (1 closed, 1 open)');
    expect(text).toContain('Win / loss: 1 / 0');
    expect(text).toContain('Profit factor: n/a (no losing trade)');
    expect(text).toContain('Best pair: ETC/BTC +0.50%');
    expect(text).not.toContain('Bot started');
    // (0.005 - 0.00408133) / 2 over both; 10:55 → 11:13; fills of both trades: 15.129 × 2 + 0.001.
    expect(text).toContain('Mean profit per trade: +0.50% closed, +0.05% all');
    expect(text).toContain('Avg. duration: 18m');
    expect(text).toContain('Trading volume: 30.26 USDT');
    // 0.000584127 USDT, and in USD at the 59.4 / 49.5 rate of the starting capital.
    expect(text).toContain('ROI closed trades: 0.00% (+0.0005841 USDT) ≈ +0.000701 USD');
  });

  it('refuses 0 and 366 days with the usage line', () => {
    expect(bindError(profitCommand, ['0'])).toMatchObject({
      message: 'Bad days "0": must be at least 1.',
      usage: '/profit [days|long|short]',
    });
    expect(bindError(profitCommand, ['366']).message).toBe('Bad days "366": must be at most 365.');
  });
});

describe('/daily, /weekly, /monthly', () => {
  it('/daily shows a table with signed money, percent, fiat and trades, and the total', async () => {
    const h = await harness({ 'GET /daily': DAILY });
    const { reply, text } = await h.run(dailyCommand);
    expect(calls(h)).toEqual(['GET /daily?timescale=7']);
    expect(reply.title).toBe('📅 Daily profit (last 7 days)');
    expect(reply.tone).toBe('profit');
    expect(reply.blocks[0]).toEqual({
      kind: 'table',
      headers: ['Day (UTC)', 'Profit USDT', 'Profit %', 'Profit USD', 'Trades'],
      rows: [
        ['2022-06-11', '+13.83', '+1.31%', '0.00', '2'],
        ['2022-06-10', '+6.83', '+0.64%', '0.00', '1'],
        ['2022-06-09', '-4.09', '-0.38%', '0.00', '1'],
        ['2022-06-08', '0.00', '0.00%', '0.00', '0'],
      ],
      align: ['left', 'right', 'right', 'right', 'right'],
    });
    expect(text).toContain('Total: +16.57 USDT ≈ 0.00 USD over 4 trades.');
  });

  it('drops the fiat column when no fiat currency is configured', async () => {
    const h = await harness({ 'GET /weekly': { ...DAILY, fiat_display_currency: '' } });
    const { reply, text } = await h.run(weeklyCommand, ['2']);
    expect(calls(h)).toEqual(['GET /weekly?timescale=2']);
    expect(reply.title).toBe('📅 Weekly profit (last 2 weeks)');
    expect(reply.blocks[0]).toMatchObject({ headers: ['Week from', 'Profit USDT', 'Profit %', 'Trades'] });
    expect(text).toContain('Total: +16.57 USDT over 4 trades.');
  });

  it('/weekly and /monthly default to 8 and 6; /monthly labels months', async () => {
    const h = await harness({ 'GET /weekly': DAILY, 'GET /monthly': DAILY });
    await h.run(weeklyCommand);
    const { reply } = await h.run(monthlyCommand);
    expect(calls(h)).toEqual(['GET /weekly?timescale=8', 'GET /monthly?timescale=6']);
    expect(reply.blocks[0]).toMatchObject({
      headers: ['Month', 'Profit USDT', 'Profit %', 'Profit USD', 'Trades'],
    });
    const table = reply.blocks[0];
    expect(table?.kind === 'table' && table.rows[0]?.[0]).toBe('2022-06');
  });

  it('refuses counts out of bounds with the usage line', () => {
    expect(bindError(dailyCommand, ['366'])).toMatchObject({
      message: 'Bad n "366": must be at most 365.',
      usage: '/daily [n]',
    });
    expect(bindError(weeklyCommand, ['53']).message).toBe('Bad n "53": must be at most 52.');
    expect(bindError(monthlyCommand, ['25'])).toMatchObject({
      message: 'Bad n "25": must be at most 24.',
      usage: '/monthly [n]',
    });
    expect(bindError(monthlyCommand, ['0']).message).toBe('Bad n "0": must be at least 1.');
    expect(bindError(dailyCommand, ['-1']).message).toBe('Bad n "-1": expected a whole number.');
  });
});

describe('/stats', () => {
  it('tables exit reasons by number of exits and shows mean durations, n/a when null', async () => {
    const h = await harness({
      'GET /stats': {
        exit_reasons: {
          stop_loss: { wins: 0, losses: 2, draws: 0 },
          roi: { wins: 3, losses: 0, draws: 1 },
        },
        durations: { wins: 3720, draws: null, losses: 125.4 },
      },
    });
    const { reply, text } = await h.run(statsCommand);
    expect(reply.blocks[0]).toMatchObject({
      headers: ['Exit reason', 'Exits', 'Wins', 'Losses', 'Draws'],
      rows: [
        ['roi', '4', '3', '0', '1'],
        ['stop_loss', '2', '0', '2', '0'],
      ],
    });
    expect(text).toContain('Avg. duration of wins: 1h 2m');
    expect(text).toContain('Avg. duration of draws: n/a');
    expect(text).toContain('Avg. duration of losses: 2m 5s');
  });

  it('says so when nothing has closed yet', async () => {
    const h = await harness({
      'GET /stats': { exit_reasons: {}, durations: { wins: null, draws: null, losses: null } },
    });
    expect((await h.run(statsCommand)).text).toBe('📊 Stats\n\nNo closed trades yet.');
  });
});

describe('/balance', () => {
  it('shows bot-managed currencies and positions, hides the rest, totals with fiat', async () => {
    const h = await harness({ 'GET /balance': BALANCE });
    const { reply, text } = await h.run(balanceCommand);
    expect(calls(h)).toEqual(['GET /balance']);
    expect(reply.title).toBe('💰 Balance');
    expect(reply.blocks[0]).toEqual({
      kind: 'table',
      headers: ['Currency', 'Free', 'Used', 'Balance', 'Est. USDT'],
      rows: [
        ['USDT', '50', '5', '100', '49.50'],
        ['ADA/USDT:USDT', '', '', 'long 0.48', '54.50'],
      ],
      align: ['left', 'right', 'right', 'right', 'right'],
    });
    expect(text).toContain(
      '3 other currencies hidden (below 0.0001 USDT or not managed by the bot): /balance full shows them.',
    );
    expect(text).toContain('Total (bot-managed): 104.00 USDT ≈ 124.80 USD');
    expect(text).toContain('Starting capital: 49.50 USDT ≈ 59.40 USD (now +110.10%)');
  });

  it('with full, shows every currency and the whole total', async () => {
    const h = await harness({ 'GET /balance': BALANCE });
    const { reply, text } = await h.run(balanceCommand, ['FULL']);
    expect(reply.title).toBe('💰 Balance (full)');
    const table = reply.blocks[0];
    expect(table?.kind === 'table' && table.rows.map((row) => row[0])).toEqual([
      'BTC',
      'ETH',
      'NotACoin',
      'USDT',
      'ADA/USDT:USDT',
    ]);
    expect(table?.kind === 'table' && table.rows[3]).toEqual(['USDT', '50', '5', '100', '50.00']);
    expect(text).not.toContain('hidden');
    expect(text).toContain('Total: 721.20 USDT ≈ 865.44 USD');
  });

  it('hides bot-managed dust below 0.0001 stake unless full, and shows the dry-run note', async () => {
    const dust = {
      ...BALANCE.currencies[3],
      currency: 'SHIB',
      free: 3,
      balance: 3,
      used: 0,
      est_stake: 0.00005,
      est_stake_bot: 0.00005,
    };
    const h = await harness({
      'GET /balance': { ...BALANCE, note: 'Simulated balances', currencies: [BALANCE.currencies[3], dust] },
    });
    const normal = await h.run(balanceCommand);
    expect(normal.text).toContain('Simulated balances.');
    expect(normal.text).not.toContain('SHIB');
    expect(normal.text).toContain('1 other currency hidden');
    const full = await h.run(balanceCommand, ['full']);
    expect(full.text).toContain('SHIB');
  });

  it('refuses anything but "full" or "total"', () => {
    expect(bindError(balanceCommand, ['all'])).toMatchObject({
      message: 'Bad mode "all": expected one of: full, total.',
      usage: '/balance [mode=full|total]',
    });
  });
});

describe('/locks and /whitelist', () => {
  it('tables active locks with the end time in UTC', async () => {
    const h = await harness({
      'GET /locks': {
        lock_count: 3,
        locks: [...LOCKS.locks, { ...LOCKS.locks[0], id: 3, pair: '*', side: 'long', reason: null }],
      },
    });
    const { reply } = await h.run(locksCommand);
    expect(reply.title).toBe('🔒 Locks (3)');
    expect(reply.blocks[0]).toEqual({
      kind: 'table',
      headers: ['ID', 'Pair', 'Side', 'Until (UTC)', 'Reason'],
      rows: [
        ['1', 'ETH/BTC', 'both', '2024-05-10 11:20', 'randreason'],
        ['2', 'XRP/BTC', 'both', '2024-05-10 11:40', 'deadbeef'],
        ['3', '* (all)', 'long', '2024-05-10 11:20', ''],
      ],
      align: ['right', 'left', 'left', 'left', 'left'],
    });
  });

  it('says "No active locks"', async () => {
    const h = await harness({ 'GET /locks': { lock_count: 0, locks: [] } });
    expect((await h.run(locksCommand)).text).toBe('🔒 Locks\n\nNo active locks.');
  });

  it('names the pairlist method and lists the pairs', async () => {
    const h = await harness({
      'GET /whitelist': {
        whitelist: ['ETH/BTC', 'LTC/BTC', 'XRP/BTC', 'NEO/BTC'],
        length: 4,
        method: ['StaticPairList'],
      },
    });
    expect((await h.run(whitelistCommand)).text).toBe(
      '📋 Whitelist\n\nUsing whitelist StaticPairList with 4 pairs.\n\nETH/BTC, LTC/BTC, XRP/BTC, NEO/BTC',
    );
  });
});

describe('/show_config, /version, /health, /logs, /sysinfo', () => {
  it('/show_config shows mode, exchange, strategy, stake, limits, stoploss, trailing, ROI and state', async () => {
    const h = await harness({ 'GET /show_config': SHOW_CONFIG });
    const { text } = await h.run(showConfigCommand);
    expect(text).toBe(
      [
        '⚙️ Configuration',
        '',
        'Bot name: freqtrade',
        'State: running',
        'Mode: dry-run',
        'Exchange: binance',
        'Market: spot',
        'Strategy: SampleStrategy (version 1.2)',
        'Timeframe: 5m',
        'Stake per trade: 0.001 BTC',
        'Max open trades: 3',
        'Stoploss: -10.00%',
        'Stoploss on exchange: no',
        'Trailing stop: on, +1.00% after +2.00% profit, only once the offset is reached',
        'Minimal ROI: 0 min: +4.00%, 20 min: +2.00%, 40 min: 0.00%',
        'Position adjustment: off',
        'Force entry: enabled',
        'Freqtrade version: 2026.3',
      ].join('\n'),
    );
  });

  it('/show_config copes with live futures, unlimited stake and trades, no stoploss, no trailing', async () => {
    const h = await harness({
      'GET /show_config': {
        ...SHOW_CONFIG,
        dry_run: false,
        runmode: 'live',
        trading_mode: 'futures',
        margin_mode: 'isolated',
        stake_amount: 'unlimited',
        max_open_trades: -1,
        stoploss: null,
        trailing_stop: false,
        strategy_version: null,
        minimal_roi: {},
      },
    });
    const { text } = await h.run(showConfigCommand);
    expect(text).toContain('Mode: live');
    expect(text).toContain('Market: futures (isolated)');
    expect(text).toContain('Stake per trade: unlimited (BTC)');
    expect(text).toContain('Max open trades: ∞');
    expect(text).toContain('Stoploss: n/a');
    expect(text).toContain('Trailing stop: off');
    expect(text).toContain('Strategy: SampleStrategy\n');
    expect(text).toContain('Minimal ROI: n/a');
  });

  it('/version shows Freqtrade, strategy and API versions', async () => {
    const h = await harness({ 'GET /version': { version: '2026.3' }, 'GET /show_config': SHOW_CONFIG });
    expect((await h.run(versionCommand)).text).toBe(
      'ℹ️ Version\n\nFreqtrade: 2026.3\nStrategy: SampleStrategy\nStrategy version: 1.2\nAPI: 2.47',
    );
  });

  it('/health shows the last process time in UTC with its age', async () => {
    const h = await harness({
      'GET /health': {
        last_process: '2024-05-10T11:14:48+00:00',
        last_process_ts: NOW_MS / 1000 - 12,
        bot_start: '2024-05-09T08:00:00+00:00',
        bot_start_ts: null,
        bot_startup: null,
        bot_startup_ts: null,
      },
    });
    const { reply, text } = await h.run(healthCommand);
    expect(reply.tone).toBe('info');
    expect(text).toBe(
      '🩺 Health\n\nLast process: 2024-05-10 11:14 UTC (12s ago)\nBot start: 2024-05-09 08:00 UTC\nLast restart: n/a',
    );
  });

  it('/health warns when the loop has not run, or not for over 5 minutes', async () => {
    const never = await harness({ 'GET /health': { last_process: null, last_process_ts: null } });
    const first = await never.run(healthCommand);
    expect(first.reply.tone).toBe('warning');
    expect(first.text).toContain('Last process: never (the bot has not run its loop yet)');
    const stale = await harness({
      'GET /health': { last_process: '2024-05-10 11:00:00', last_process_ts: null },
    });
    const second = await stale.run(healthCommand);
    expect(second.text).toContain('Last process: 2024-05-10 11:00 UTC (15m ago)');
    expect(second.text).toContain('⚠️ No loop run in the last 5m: the bot may be stopped or stuck.');
  });

  it('/logs asks for n lines and shows them as code, times in UTC from the timestamp', async () => {
    const h = await harness({
      'GET /logs': {
        log_count: 2,
        logs: [
          ['2020-08-27 13:35:01', 1598520901097.9397, 'freqtrade.worker', 'INFO', 'Starting worker develop'],
          ['2020-08-27 13:35:02', 1598520902000, 'freqtrade.rpc', 'WARNING', 'Telegram <b>down</b>'],
        ],
      },
    });
    const { reply } = await h.run(logsCommand, ['2']);
    expect(calls(h)).toEqual(['GET /logs?limit=2']);
    expect(reply.title).toBe('📜 Logs (last 2 lines)');
    expect(reply.blocks[0]).toEqual({
      kind: 'code',
      text: '2020-08-27 09:35:01 INFO freqtrade.worker: Starting worker develop\n2020-08-27 09:35:02 WARNING freqtrade.rpc: Telegram <b>down</b>',
    });
  });

  it('/logs defaults to 10, keeps the newest lines when they are too long together, and refuses 101', async () => {
    const line = (i: number) => [
      '2024-05-10 11:00:00',
      NOW_MS - (200 - i) * 1000,
      'freqtrade',
      'INFO',
      `line ${i} ${'x'.repeat(700)}`,
    ];
    const h = await harness({
      'GET /logs': { log_count: 100, logs: Array.from({ length: 100 }, (_, i) => line(i)) },
    });
    await h.run(logsCommand);
    expect(calls(h)).toEqual(['GET /logs?limit=10']);
    const { reply, text } = await h.run(logsCommand, ['100']);
    const code = reply.blocks[0];
    const shown = code?.kind === 'code' ? code.text.split('\n') : [];
    expect(shown.length).toBeLessThan(100);
    expect(shown.at(-1)).toContain('line 99 ');
    // Each 700-character message is cut at 600 characters.
    expect(shown.at(-1)).toMatch(/ INFO freqtrade: line 99 x+…$/);
    expect(shown.at(-1)?.length).toBeLessThan(650);
    expect(text).toContain(`${100 - shown.length} older lines left out to keep the reply short.`);
    expect(bindError(logsCommand, ['101'])).toMatchObject({
      message: 'Bad n "101": must be at most 100.',
      usage: '/logs [n]',
    });
  });

  it('/logs says so when there are none', async () => {
    const h = await harness({ 'GET /logs': { log_count: 0, logs: [] } });
    expect((await h.run(logsCommand)).text).toBe('📜 Logs\n\nNo log lines.');
  });

  it('/sysinfo shows CPU and RAM, for 2026.3 and for 2024.10 answers', async () => {
    const h = await harness({
      'GET /sysinfo': {
        cpu_pct: [10, 30],
        cpu_load: [
          { cpu: 0, pct: 10 },
          { cpu: 1, pct: 30 },
        ],
        cpu_load_avg: { '1m': 0.5, '5m': 0.25, '15m': 0.125 },
        cpu_count: 2,
        cpu_avg: 20,
        ram_pct: 47.34,
      },
    });
    expect((await h.run(sysinfoCommand)).text).toBe(
      '🖥️ System\n\nCPU: 20.0% average over 2 cores\nPer core: 10.0%, 30.0%\nLoad average: 1m 0.50, 5m 0.25, 15m 0.13\nRAM: 47.3%',
    );
    const old = await harness({ 'GET /sysinfo': { cpu_pct: [12.5], ram_pct: 60 } });
    expect((await old.run(sysinfoCommand)).text).toBe(
      '🖥️ System\n\nCPU: 12.5% average over 1 core\nRAM: 60.0%',
    );
  });
});

describe('through the command router', () => {
  const ctx: CommandContext = {
    platform: 'console',
    chatId: '1',
    userId: '1',
    threadId: null,
    isPrivate: true,
  };
  const routerOf = (h: Harness) =>
    createCommandRouter({
      services: h.services,
      commands: readCommands,
      policy: { access: h.services.config.access, chats: [] },
    });

  it('a Refresh button re-runs /status with the same trade ids', async () => {
    const h = await harness({
      'GET /trade/1': STATUS[0],
      'GET /trade/7': () => ({ status: 404, body: { detail: 'Trade not found.' } }),
    });
    const router = routerOf(h);
    const reply = await router.handleText(ctx, '/status 1 7');
    const refresh = reply?.buttons?.flat().find((button) => button.label.includes('Refresh'));
    expect(refresh).toBeDefined();
    const outcome = await router.handleButton(ctx, refresh?.action ?? '');
    expect(outcome.mode).toBe('edit');
    expect(renderPlainText(outcome.reply ?? { blocks: [] })).toContain('Trade 7 not found.');
    expect(calls(h).filter((call) => call === 'GET /trade/1')).toHaveLength(2);
    expect(calls(h).filter((call) => call === 'GET /trade/7')).toHaveLength(2);
  });

  it('answers an out-of-bounds count with the reason and the usage line, calling nothing', async () => {
    const h = await harness({});
    const reply = await routerOf(h).handleText(ctx, '/daily 400');
    expect(reply && renderPlainText(reply)).toBe('Bad n "400": must be at most 365.\n\nUsage: /daily [n]');
    expect(reply?.tone).toBe('warning');
    expect(h.requests).toEqual([]);
  });

  it('answers a Freqtrade refusal with its message (/count on a stopped bot)', async () => {
    const h = await harness({
      'GET /count': () => ({
        status: 502,
        body: { error: 'Error querying /api/v1/count: trader is not running' },
      }),
    });
    const reply = await routerOf(h).handleText(ctx, '/count');
    expect(reply && renderPlainText(reply)).toBe('main refused /count: trader is not running');
  });

  it('finds /show_conf, /buys and /sells by their Freqtrade aliases', async () => {
    const h = await harness({ 'GET /show_config': SHOW_CONFIG, 'GET /entries': [], 'GET /exits': [] });
    const router = routerOf(h);
    expect((await router.handleText(ctx, '/show_conf'))?.title).toBe('⚙️ Configuration');
    expect((await router.handleText(ctx, '/buys'))?.title).toBe('🏷️ Entry tags');
    expect((await router.handleText(ctx, '/sells'))?.title).toBe('🚪 Exit reasons');
  });
});
