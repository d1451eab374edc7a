/**
 * The fake bot's in-memory state. Tests may read and mutate it directly (`fake.state.botState =
 * 'stopped'`, push a lock, edit a trade); every response is computed from it on each request.
 */
import type { JsonValue } from './json-value.js';
import { decimalsPerCoin, defaultWhitelist, usdPrice } from './markets.js';
import { formatDt } from './time-format.js';

export type FakeBotState = 'running' | 'stopped' | 'paused';
/** `dry_run` / `live` serve the trading routes; `webserver` serves strategies, pair_history, ... instead. */
export type FakeRunmode = 'dry_run' | 'live' | 'webserver';

/** One exchange order of a trade. The fake fills orders at once, so `status` is normally `closed`. */
export interface FakeOrder {
  orderId: string;
  /** `buy` / `sell`: an entry of a long trade is a buy, of a short trade a sell. */
  side: 'buy' | 'sell';
  isEntry: boolean;
  orderType: 'limit' | 'market';
  status: 'open' | 'closed' | 'canceled';
  amount: number;
  filled: number;
  price: number;
  createdAtMs: number;
  filledAtMs: number | null;
  tag: string | null;
}

/** One custom-data entry a strategy stored for a trade. */
export interface FakeCustomData {
  key: string;
  value: JsonValue;
  createdAtMs: number;
  updatedAtMs: number | null;
}

export interface FakeTrade {
  id: number;
  pair: string;
  isShort: boolean;
  isOpen: boolean;
  /** Position size in base currency; shrinks after a partial exit. */
  amount: number;
  amountRequested: number;
  /** Stake of the open position, in stake currency (open_rate × amount / leverage). */
  stakeAmount: number;
  maxStakeAmount: number;
  openRate: number;
  openRateRequested: number;
  openDateMs: number;
  leverage: number;
  /** Fee ratios, e.g. 0.001 for 0.1 %. */
  feeOpen: number;
  feeClose: number;
  enterTag: string | null;
  /** The strategy stop-loss as a ratio, e.g. -0.1. */
  stoplossRatio: number;
  /**
   * The stop-loss ratio at entry, when a trailing or custom stoploss has moved it since
   * (`stoplossRatio` is then the current one); unset = never moved.
   */
  initialStoplossRatio?: number;
  /** Funding fees a futures position paid (negative) or received so far, in stake currency; unset = 0. */
  fundingFees?: number;
  closeRate: number | null;
  closeDateMs: number | null;
  /** Set when the trade closes: the whole trade's profit ratio and amount. */
  closeProfit: number | null;
  closeProfitAbs: number | null;
  exitReason: string | null;
  /** Profit realized so far by partial exits; the whole profit once closed. */
  realizedProfit: number;
  minRate: number | null;
  maxRate: number | null;
  orders: FakeOrder[];
  customData: FakeCustomData[];
}

export interface FakeLock {
  id: number;
  /** A pair, or `"*"` for a global lock. */
  pair: string;
  /** `"*"`, `"long"` or `"short"`. */
  side: string;
  reason: string | null;
  lockTimeMs: number;
  lockEndTimeMs: number;
  /** Freqtrade lists a lock while `active` and its end is in the future. */
  active: boolean;
}

/** `[date "YYYY-MM-DD HH:MM:SS", epoch ms, logger, level, message]`, as `/logs` returns them. */
export type FakeLogLine = [string, number, string, string, string];

export interface FakeState {
  botState: FakeBotState;
  trades: FakeTrade[];
  locks: FakeLock[];
  whitelist: string[];
  blacklist: string[];
  /** `/version` and `show_config.version`: `"2026.3"`. */
  version: string;
  /** `show_config.api_version`: 2.47. */
  apiVersion: number;
  forceEntryEnabled: boolean;
  logs: FakeLogLine[];
  botName: string;
  stakeCurrency: string;
  /** The exit rate per pair; pairs not listed use the reference price of `markets.ts`. */
  currentRates: Record<string, number>;
  /**
   * Pairs whose pricing fails (the exchange gives no rate): their open trades show `current_rate`
   * and profits as `null`, as Freqtrade does when the rate is NaN.
   */
  unpricedPairs: string[];
  runmode: FakeRunmode;
  dryRun: boolean;
  tradingMode: 'spot' | 'futures';
  /** -1 = unlimited. */
  maxOpenTrades: number;
  /** A number, or `"unlimited"` (the free balance split over the free trade slots). */
  stakeAmount: number | 'unlimited';
  /** `dry_run_wallet`: what the simulated wallet started with, in stake currency. */
  startingCapital: number;
  /** `""` = no fiat conversion (fiat values are then 0 / null). */
  fiatDisplayCurrency: string;
  /** Fiat value of one unit of stake currency. */
  fiatRate: number;
  exchange: string;
  strategy: string;
  timeframe: string;
  botStartMs: number;
  positionAdjustmentEnabled: boolean;
}

/** Freqtrade's log buffer keeps the last 1000 records. */
const LOG_CAPACITY = 1000;

/** Appends a log line, dropping the oldest beyond the buffer's capacity. */
export function appendLog(
  state: FakeState,
  nowMs: number,
  logger: string,
  level: string,
  message: string,
): void {
  state.logs.push([formatDt(nowMs), nowMs, logger, level, message]);
  if (state.logs.length > LOG_CAPACITY) state.logs.splice(0, state.logs.length - LOG_CAPACITY);
}

/** A running dry-run bot with no trades, the default whitelist and a few startup log lines. */
export function createEmptyState(opts: { botName: string; stakeCurrency: string; nowMs: number }): FakeState {
  const stakeUsd = usdPrice(opts.stakeCurrency);
  // 1000 USD worth of stake currency, rounded the way a person would configure it.
  const startingCapital = Number((1000 / stakeUsd).toPrecision(2));
  const decimals = decimalsPerCoin(opts.stakeCurrency);
  const state: FakeState = {
    botState: 'running',
    trades: [],
    locks: [],
    whitelist: defaultWhitelist(opts.stakeCurrency),
    blacklist: [],
    version: '2026.3',
    apiVersion: 2.47,
    forceEntryEnabled: true,
    logs: [],
    botName: opts.botName,
    stakeCurrency: opts.stakeCurrency,
    currentRates: {},
    unpricedPairs: [],
    runmode: 'dry_run',
    dryRun: true,
    tradingMode: 'spot',
    maxOpenTrades: 5,
    stakeAmount: Number((startingCapital / 10).toFixed(decimals)),
    startingCapital,
    fiatDisplayCurrency: 'USD',
    fiatRate: stakeUsd,
    exchange: 'binance',
    strategy: 'SampleStrategy',
    timeframe: '5m',
    botStartMs: opts.nowMs,
    positionAdjustmentEnabled: false,
  };
  const startMs = opts.nowMs - 2000;
  appendLog(state, startMs, 'freqtrade', 'INFO', `freqtrade ${state.version}`);
  appendLog(state, startMs, 'freqtrade.worker', 'INFO', 'Starting worker 2026.3');
  appendLog(state, startMs + 400, 'freqtrade.exchange.exchange', 'INFO', 'Using Exchange "Binance"');
  appendLog(
    state,
    startMs + 900,
    'freqtrade.resolvers.iresolver',
    'INFO',
    'Using resolved strategy SampleStrategy',
  );
  appendLog(
    state,
    startMs + 1500,
    'freqtrade.rpc.api_server.webserver',
    'INFO',
    'Starting Local Rest Server.',
  );
  appendLog(state, startMs + 1900, 'freqtrade.worker', 'INFO', 'Changing state to: RUNNING');
  return state;
}
