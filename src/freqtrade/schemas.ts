/**
 * zod schemas for Freqtrade REST responses (`/api/v1`), checked against 2026.3 (API 2.47) and
 * 2024.10 (API 2.40); see /work/shared/freqtrade-api-reference.md §2.6.
 *
 * Conventions:
 * - Every object is `z.looseObject`: fields we do not list pass through untouched, so a newer
 *   server that adds fields still parses.
 * - Freqtrade always sends every field of a response model; an absent value is `null` (and NaN /
 *   ±Infinity arrive as `null` too), hence `.nullable()`.
 * - Fields that only newer servers send (absent on 2024.10) are `.nullish()`, as are a few
 *   peripheral fields we never read, so an older or slightly different server still parses.
 */
import { z } from 'zod';

/** A JSON number. */
const num = z.number();
/** A number Freqtrade may send as `null` (a missing value, or NaN / ±Infinity). */
const numOrNull = z.number().nullable();
/** A number that only newer servers send, possibly `null`. */
const numNewer = z.number().nullish();
const int = z.number().int();
const str = z.string();
const strOrNull = z.string().nullable();

// ---------------------------------------------------------------- small messages

export const pingSchema = z.looseObject({ status: str });
export type Ping = z.infer<typeof pingSchema>;

export const versionSchema = z.looseObject({ version: str });
export type Version = z.infer<typeof versionSchema>;

/** `{status}` from /start, /stop, /pause, /reload_config. */
export const statusMsgSchema = z.looseObject({ status: str });
export type StatusMsg = z.infer<typeof statusMsgSchema>;

/** `{result}` from /forceexit. */
export const resultMsgSchema = z.looseObject({ result: str });
export type ResultMsg = z.infer<typeof resultMsgSchema>;
/** What /forceexit answers: `{"result": "Created exit order for trade 5."}`. */
export type ForceExitResult = ResultMsg;

/** `POST /token/login`: no `token_type` field. */
export const accessAndRefreshTokenSchema = z.looseObject({
  access_token: str.min(1),
  refresh_token: str.min(1),
});
export type AccessAndRefreshToken = z.infer<typeof accessAndRefreshTokenSchema>;

/** `POST /token/refresh`: the refresh token is not rotated. */
export const accessTokenSchema = z.looseObject({ access_token: str.min(1) });
export type AccessToken = z.infer<typeof accessTokenSchema>;

/** The part of a Freqtrade JWT payload we read (decoded without verification). */
export const jwtPayloadSchema = z.looseObject({
  exp: z.number().optional(),
  iat: z.number().optional(),
  type: z.string().optional(),
});
export type JwtPayload = z.infer<typeof jwtPayloadSchema>;

// ---------------------------------------------------------------- trades

/** One order inside a trade (only filled or open orders are listed). */
export const orderSchema = z.looseObject({
  pair: str,
  order_id: str,
  /** ccxt status: open, closed, canceled, ... */
  status: str,
  remaining: numOrNull,
  amount: num,
  safe_price: num,
  cost: num,
  filled: numOrNull,
  /** "buy" | "sell" | "stoploss" */
  ft_order_side: str,
  order_type: str,
  is_open: z.boolean(),
  order_timestamp: numOrNull,
  order_filled_timestamp: numOrNull,
  ft_fee_base: numNewer,
  ft_order_tag: z.string().nullish(),
});
export type Order = z.infer<typeof orderSchema>;

const tradeShape = {
  trade_id: int,
  pair: str,
  base_currency: str,
  quote_currency: str,
  is_open: z.boolean(),
  is_short: z.boolean(),
  exchange: str,
  amount: num,
  /** The schema says float, but `to_json` can yield null. */
  amount_requested: numOrNull,
  stake_amount: num,
  max_stake_amount: numNewer,
  strategy: str,
  enter_tag: strOrNull,
  /** Minutes. */
  timeframe: num,
  fee_open: numNewer,
  fee_open_cost: numNewer,
  fee_open_currency: z.string().nullish(),
  fee_close: numNewer,
  fee_close_cost: numNewer,
  fee_close_currency: z.string().nullish(),
  /** "YYYY-MM-DD HH:MM:SS", UTC. */
  open_date: str,
  /** Epoch ms. */
  open_timestamp: num,
  open_fill_date: z.string().nullish(),
  open_fill_timestamp: numNewer,
  open_rate: num,
  open_rate_requested: numNewer,
  open_trade_value: numOrNull,
  close_date: strOrNull,
  close_timestamp: numOrNull,
  close_rate: numOrNull,
  close_rate_requested: numNewer,
  close_profit: numOrNull,
  close_profit_pct: numOrNull,
  close_profit_abs: numOrNull,
  /** Fraction: 0.0125 = 1.25 %. */
  profit_ratio: numOrNull,
  profit_pct: numOrNull,
  profit_abs: numOrNull,
  profit_fiat: numNewer,
  realized_profit: num,
  realized_profit_ratio: numNewer,
  exit_reason: strOrNull,
  exit_order_status: z.string().nullish(),
  stop_loss_abs: numOrNull,
  stop_loss_ratio: numOrNull,
  stop_loss_pct: numOrNull,
  stoploss_last_update: z.string().nullish(),
  stoploss_last_update_timestamp: numNewer,
  initial_stop_loss_abs: numNewer,
  initial_stop_loss_ratio: numNewer,
  initial_stop_loss_pct: numNewer,
  min_rate: numOrNull,
  max_rate: numOrNull,
  /** Absent on 2024.10. */
  nr_of_successful_entries: z.number().int().nullish(),
  /** Absent on 2024.10. */
  nr_of_successful_exits: z.number().int().nullish(),
  has_open_orders: z.boolean(),
  orders: z.array(orderSchema),
  leverage: numOrNull,
  interest_rate: numNewer,
  liquidation_price: numNewer,
  funding_fees: numNewer,
  /** "spot" | "margin" | "futures" */
  trading_mode: z.string().nullish(),
  amount_precision: numNewer,
  price_precision: numNewer,
  precision_mode: numNewer,
};

/** A trade as /forceenter and /trades return it (`/trades` adds raw `to_json` keys, which pass through). */
export const tradeSchema = z.looseObject(tradeShape);
export type Trade = z.infer<typeof tradeSchema>;

/** A trade as /status, /trade/{id} and the trade actions return it: Trade plus live values. */
export const openTradeSchema = z.looseObject({
  ...tradeShape,
  stoploss_current_dist: numNewer,
  stoploss_current_dist_pct: numNewer,
  stoploss_current_dist_ratio: numNewer,
  stoploss_entry_dist: numNewer,
  stoploss_entry_dist_ratio: numNewer,
  /** The cached exit rate; `null` when pricing failed (NaN). For a closed trade, the close rate. */
  current_rate: numOrNull,
  /** Realized + unrealized; `null` when pricing failed. */
  total_profit_abs: numOrNull,
  total_profit_fiat: numNewer,
  total_profit_ratio: numNewer,
});
export type OpenTrade = z.infer<typeof openTradeSchema>;

/** `/status`: the open trades, `[]` when none (or when the bot is stopped). */
export const openTradeListSchema = z.array(openTradeSchema);

/** `/trades`: closed trades only, paged. */
export const tradeListSchema = z.looseObject({
  trades: z.array(tradeSchema),
  trades_count: int,
  offset: int,
  total_trades: int,
});
export type TradeList = z.infer<typeof tradeListSchema>;

/** `/forceenter`: a Trade, or `{status: "Error entering ..."}` with HTTP 200 when no trade was made. */
export const forceEnterResponseSchema = z.union([tradeSchema, z.looseObject({ status: str })]);
export type ForceEnterResponse = z.infer<typeof forceEnterResponseSchema>;

/** `DELETE /trades/{id}`. */
export const deleteTradeResultSchema = z.looseObject({
  cancel_order_count: int,
  result: str,
  result_msg: str,
  trade_id: int,
});
export type DeleteTradeResult = z.infer<typeof deleteTradeResultSchema>;

/** One custom-data item of a trade; `value` is whatever the strategy stored. */
export const customDataItemSchema = z.looseObject({
  key: str,
  type: str,
  value: z.unknown(),
  /** ISO, usually without a zone (naive DB datetime). */
  created_at: str,
  updated_at: strOrNull,
});
export type CustomDataItem = z.infer<typeof customDataItemSchema>;

/** One trade's custom data, as listed by both custom-data routes. */
export const customDataEntrySchema = z.looseObject({
  trade_id: int,
  custom_data: z.array(customDataItemSchema),
});
export type CustomDataEntry = z.infer<typeof customDataEntrySchema>;
export const customDataListSchema = z.array(customDataEntrySchema);

// ---------------------------------------------------------------- money and statistics

/** One row of `/balance` `currencies`: a coin, or a futures position. */
export const balanceSchema = z.looseObject({
  currency: str,
  free: num,
  /** The total. */
  balance: num,
  used: num,
  /** `null` on position rows. */
  bot_owned: numNewer,
  est_stake: num,
  est_stake_bot: numNewer,
  stake: str,
  side: str,
  is_position: z.boolean(),
  position: num,
  is_bot_managed: z.boolean(),
});
export type Balance = z.infer<typeof balanceSchema>;

export const balancesSchema = z.looseObject({
  currencies: z.array(balanceSchema),
  total: num,
  total_bot: num,
  /** Fiat currency, `""` if none. */
  symbol: str,
  value: num,
  value_bot: num,
  stake: str,
  /** "Simulated balances" in dry-run, else "". */
  note: str,
  starting_capital: num,
  starting_capital_ratio: num,
  starting_capital_pct: num,
  starting_capital_fiat: num,
  starting_capital_fiat_ratio: num,
  starting_capital_fiat_pct: num,
});
export type Balances = z.infer<typeof balancesSchema>;

/** `/count`: `max` is -1 when unlimited. */
export const countSchema = z.looseObject({ current: int, max: num, total_stake: num });
export type Count = z.infer<typeof countSchema>;

const tagStatShape = { profit_ratio: num, profit_pct: num, profit_abs: num, count: int };

/** `/entries`: per enter tag ("Other" when a trade had none), closed trades only. */
export const entryStatSchema = z.looseObject({ enter_tag: str, ...tagStatShape });
export type EntryStat = z.infer<typeof entryStatSchema>;
export const entryStatListSchema = z.array(entryStatSchema);

/** `/exits`: per exit reason. */
export const exitStatSchema = z.looseObject({ exit_reason: str, ...tagStatShape });
export type ExitStat = z.infer<typeof exitStatSchema>;
export const exitStatListSchema = z.array(exitStatSchema);

/** `/mix_tags`: per "<enter_tag> <exit_reason>". */
export const mixTagStatSchema = z.looseObject({ mix_tag: str, ...tagStatShape });
export type MixTagStat = z.infer<typeof mixTagStatSchema>;
export const mixTagStatListSchema = z.array(mixTagStatSchema);

/** `/performance`: per pair, sorted by profit_abs descending. `profit` = profit_pct (deprecated). */
export const performanceEntrySchema = z.looseObject({ pair: str, profit: num, ...tagStatShape });
export type PerformanceEntry = z.infer<typeof performanceEntrySchema>;
export const performanceListSchema = z.array(performanceEntrySchema);

/** `/profit`. Ratios are fractions (0.0125 = 1.25 %); dates are `""` and timestamps 0 with no trades. */
export const profitSchema = z.looseObject({
  profit_closed_coin: num,
  profit_closed_percent_mean: num,
  profit_closed_ratio_mean: num,
  profit_closed_percent_sum: num,
  profit_closed_ratio_sum: num,
  profit_closed_percent: num,
  profit_closed_ratio: num,
  profit_closed_fiat: num,
  // "all trades" values price open trades at the current rate: NaN (null) when pricing fails.
  profit_all_coin: numOrNull,
  profit_all_percent_mean: numOrNull,
  profit_all_ratio_mean: numOrNull,
  profit_all_percent_sum: numOrNull,
  profit_all_ratio_sum: numOrNull,
  profit_all_percent: numOrNull,
  profit_all_ratio: numOrNull,
  profit_all_fiat: numOrNull,
  trade_count: int,
  closed_trade_count: int,
  first_trade_date: str,
  first_trade_humanized: str,
  first_trade_timestamp: num,
  latest_trade_date: str,
  latest_trade_humanized: str,
  latest_trade_timestamp: num,
  /** "H:MM:SS" or "N days, H:MM:SS". */
  avg_duration: str,
  best_pair: str,
  /** Percent, deprecated. */
  best_rate: num,
  best_pair_profit_ratio: num,
  winning_trades: int,
  losing_trades: int,
  /** `null` when there is no losing trade (Infinity). */
  profit_factor: numOrNull,
  winrate: numOrNull,
  expectancy: numOrNull,
  expectancy_ratio: numOrNull,
  max_drawdown: numOrNull,
  max_drawdown_abs: numOrNull,
  max_drawdown_start: str,
  max_drawdown_start_timestamp: num,
  max_drawdown_end: str,
  max_drawdown_end_timestamp: num,
  trading_volume: numNewer,
  bot_start_timestamp: num,
  bot_start_date: str,
  // Absent on 2024.10:
  best_pair_profit_abs: numNewer,
  sharpe: numNewer,
  sortino: numNewer,
  sqn: numNewer,
  calmar: numNewer,
  cagr: numNewer,
  current_drawdown: numNewer,
  current_drawdown_abs: numNewer,
  current_drawdown_high: numNewer,
  current_drawdown_start: z.string().nullish(),
  current_drawdown_start_timestamp: numNewer,
});
export type Profit = z.infer<typeof profitSchema>;

/** `/profit_all` (not on 2024.10): `long`/`short` are `null` on spot. */
export const profitAllSchema = z.looseObject({
  all: profitSchema,
  long: profitSchema.nullish(),
  short: profitSchema.nullish(),
});
export type ProfitAll = z.infer<typeof profitAllSchema>;

const winLossDraw = z.looseObject({ wins: int, losses: int, draws: int });

/** `/stats`: exit reasons with win/loss/draw counts; mean durations in seconds. */
export const statsSchema = z.looseObject({
  exit_reasons: z.record(z.string(), winLossDraw),
  durations: z.looseObject({ wins: numOrNull, draws: numOrNull, losses: numOrNull }),
});
export type Stats = z.infer<typeof statsSchema>;

/** One day, week (a Monday) or month (the 1st) of `/daily` `/weekly` `/monthly`; the first is the current one. */
export const timeUnitProfitRowSchema = z.looseObject({
  /** "YYYY-MM-DD". */
  date: str,
  abs_profit: num,
  rel_profit: num,
  starting_balance: num,
  fiat_value: num,
  trade_count: int,
});
export type TimeUnitProfitRow = z.infer<typeof timeUnitProfitRowSchema>;

export const timeUnitProfitSchema = z.looseObject({
  data: z.array(timeUnitProfitRowSchema),
  fiat_display_currency: str,
  stake_currency: str,
});
export type TimeUnitProfit = z.infer<typeof timeUnitProfitSchema>;

// ---------------------------------------------------------------- pairlists and locks

export const lockSchema = z.looseObject({
  id: int,
  active: z.boolean(),
  /** "YYYY-MM-DD HH:MM:SS", UTC. */
  lock_end_time: str,
  lock_end_timestamp: num,
  lock_time: str,
  lock_timestamp: num,
  /** "*" = every pair. */
  pair: str,
  /** "*" | "long" | "short" */
  side: str,
  reason: strOrNull,
});
export type Lock = z.infer<typeof lockSchema>;

/** `/locks`: only currently active locks. */
export const locksSchema = z.looseObject({ lock_count: int, locks: z.array(lockSchema) });
export type Locks = z.infer<typeof locksSchema>;

export const whitelistSchema = z.looseObject({ whitelist: z.array(str), length: int, method: z.array(str) });
export type Whitelist = z.infer<typeof whitelistSchema>;

/** `errors` maps a pair to `{error_msg}` when adding or removing it failed (still HTTP 200). */
export const blacklistSchema = z.looseObject({
  blacklist: z.array(str),
  blacklist_expanded: z.array(str),
  errors: z.record(z.string(), z.looseObject({ error_msg: z.string().optional() })),
  length: int,
  method: z.array(str),
});
export type Blacklist = z.infer<typeof blacklistSchema>;

// ---------------------------------------------------------------- bot info

/** `/show_config`. `state` is "running" | "paused" | "stopped" | "reload_config", or "" without a bot. */
export const showConfigSchema = z.looseObject({
  version: str,
  strategy_version: z.string().nullish(),
  api_version: num,
  dry_run: z.boolean(),
  trading_mode: str,
  /** Absent on 2024.10. */
  margin_mode: z.string().nullish(),
  short_allowed: z.boolean(),
  stake_currency: str,
  /** e.g. "0.001" or "unlimited". */
  stake_amount: str,
  available_capital: numNewer,
  stake_currency_decimals: int,
  /** -1 = unlimited. */
  max_open_trades: num,
  minimal_roi: z.record(z.string(), z.unknown()),
  stoploss: numOrNull,
  stoploss_on_exchange: z.boolean(),
  trailing_stop: z.boolean().nullish(),
  trailing_stop_positive: numNewer,
  trailing_stop_positive_offset: numNewer,
  trailing_only_offset_is_reached: z.boolean().nullish(),
  unfilledtimeout: z.record(z.string(), z.unknown()).nullish(),
  order_types: z.record(z.string(), z.unknown()).nullish(),
  use_custom_stoploss: z.boolean().nullish(),
  timeframe: strOrNull,
  timeframe_ms: num,
  timeframe_min: num,
  exchange: str,
  strategy: strOrNull,
  force_entry_enable: z.boolean(),
  exit_pricing: z.record(z.string(), z.unknown()),
  entry_pricing: z.record(z.string(), z.unknown()),
  bot_name: str,
  state: str,
  /** "dry_run" | "live" | "webserver" | ... */
  runmode: str,
  position_adjustment_enable: z.boolean(),
  /** -1 = unlimited. */
  max_entry_position_adjustment: num,
});
export type ShowConfig = z.infer<typeof showConfigSchema>;

/** One log line: [date "YYYY-MM-DD HH:MM:SS", epoch ms, logger, level, message]. */
export const logLineSchema = z.tuple([str, num, str, str, str]);
export type LogLine = z.infer<typeof logLineSchema>;

export const logsSchema = z.looseObject({ log_count: int, logs: z.array(logLineSchema) });
export type Logs = z.infer<typeof logsSchema>;

/** `/sysinfo`: 2024.10 sends only `cpu_pct` and `ram_pct`. */
export const sysInfoSchema = z.looseObject({
  /** Deprecated: one value per CPU. */
  cpu_pct: z.array(num),
  ram_pct: num,
  cpu_load: z.array(z.looseObject({ cpu: int, pct: num })).nullish(),
  cpu_load_avg: z.record(z.string(), num).nullish(),
  cpu_count: z.number().int().nullish(),
  cpu_avg: numNewer,
});
export type SysInfo = z.infer<typeof sysInfoSchema>;

/** `/health`: ISO datetimes, timestamps in **seconds**; all nullable. */
export const healthSchema = z.looseObject({
  last_process: z.string().nullish(),
  last_process_ts: numNewer,
  bot_start: z.string().nullish(),
  bot_start_ts: numNewer,
  bot_startup: z.string().nullish(),
  bot_startup_ts: numNewer,
});
export type Health = z.infer<typeof healthSchema>;

// ---------------------------------------------------------------- data and strategies

/** `/pair_candles`, `/pair_history`: one row per candle in `data`, ordered as `columns`. Loose on purpose. */
export const pairHistorySchema = z.looseObject({
  pair: str,
  timeframe: str,
  columns: z.array(str),
  data: z.array(z.array(z.unknown())),
  length: int,
  strategy: z.string().nullish(),
  timeframe_ms: numNewer,
  all_columns: z.array(str).nullish(),
  last_analyzed: z.string().nullish(),
  last_analyzed_ts: numNewer,
  data_start: z.string().nullish(),
  data_start_ts: numNewer,
  data_stop: z.string().nullish(),
  data_stop_ts: numNewer,
});
export type PairHistory = z.infer<typeof pairHistorySchema>;

export const strategyListSchema = z.looseObject({ strategies: z.array(str) });
export type StrategyList = z.infer<typeof strategyListSchema>;

/** `/strategy/{name}`; `params` is absent on 2024.10. */
export const strategyInfoSchema = z.looseObject({
  strategy: str,
  code: str,
  timeframe: strOrNull,
  params: z.array(z.looseObject({ name: str, param_type: z.string().optional() })).nullish(),
});
export type StrategyInfo = z.infer<typeof strategyInfoSchema>;

/** `/available_pairs` (webserver mode): `pair_interval` rows are [pair, timeframe, candle_type]. */
export const availablePairsSchema = z.looseObject({
  length: int,
  pairs: z.array(str),
  pair_interval: z.array(z.array(str)),
});
export type AvailablePairs = z.infer<typeof availablePairsSchema>;

/** Anything JSON: `/plot_config`, `/markets` (passed through as is). */
export const anyJsonSchema = z.unknown();
