/**
 * A fake trade rendered the three ways Freqtrade renders trades: `Trade.to_json()` (raw, `/trades`),
 * `TradeSchema` (`/forceenter`) and `OpenTradeSchema` (`/status`, `/trade/{id}`, trade actions).
 * Schema renderings carry every field of the model, `null` when absent, and nothing else.
 */
import { finiteOrNull, type JsonObject, type JsonValue, round } from './json-value.js';
import { splitPair } from './markets.js';
import type { FakeOrder, FakeState, FakeTrade } from './state.js';
import { formatDt, timeframeToMs } from './time-format.js';
import { currentRateOf, precisionFor, profitAt, stopLossRate, totalProfitRatio } from './trade-math.js';

/** ccxt's TICK_SIZE precision mode (Binance). */
const PRECISION_MODE_TICK_SIZE = 4;
const ORDER_SCHEMA_KEYS = [
  'pair',
  'order_id',
  'status',
  'remaining',
  'amount',
  'safe_price',
  'cost',
  'filled',
  'ft_order_side',
  'order_type',
  'is_open',
  'order_timestamp',
  'order_filled_timestamp',
  'ft_fee_base',
  'ft_order_tag',
] as const;

const TRADE_SCHEMA_KEYS = [
  'trade_id',
  'pair',
  'base_currency',
  'quote_currency',
  'is_open',
  'is_short',
  'exchange',
  'amount',
  'amount_requested',
  'stake_amount',
  'max_stake_amount',
  'strategy',
  'enter_tag',
  'timeframe',
  'fee_open',
  'fee_open_cost',
  'fee_open_currency',
  'fee_close',
  'fee_close_cost',
  'fee_close_currency',
  'open_date',
  'open_timestamp',
  'open_fill_date',
  'open_fill_timestamp',
  'open_rate',
  'open_rate_requested',
  'open_trade_value',
  'close_date',
  'close_timestamp',
  'close_rate',
  'close_rate_requested',
  'close_profit',
  'close_profit_pct',
  'close_profit_abs',
  'profit_ratio',
  'profit_pct',
  'profit_abs',
  'profit_fiat',
  'realized_profit',
  'realized_profit_ratio',
  'exit_reason',
  'exit_order_status',
  'stop_loss_abs',
  'stop_loss_ratio',
  'stop_loss_pct',
  'stoploss_last_update',
  'stoploss_last_update_timestamp',
  'initial_stop_loss_abs',
  'initial_stop_loss_ratio',
  'initial_stop_loss_pct',
  'min_rate',
  'max_rate',
  'nr_of_successful_entries',
  'nr_of_successful_exits',
  'has_open_orders',
  'orders',
  'leverage',
  'interest_rate',
  'liquidation_price',
  'funding_fees',
  'trading_mode',
  'amount_precision',
  'price_precision',
  'precision_mode',
] as const;

const OPEN_TRADE_EXTRA_KEYS = [
  'stoploss_current_dist',
  'stoploss_current_dist_pct',
  'stoploss_current_dist_ratio',
  'stoploss_entry_dist',
  'stoploss_entry_dist_ratio',
  'current_rate',
  'total_profit_abs',
  'total_profit_fiat',
  'total_profit_ratio',
] as const;

/**
 * The API version whose `TradeSchema` gained `nr_of_successful_entries` / `_exits`: a fake playing
 * 2024.10 (`state.apiVersion = 2.4`) leaves them out of `/status`, `/trade/{id}` and `/forceenter`.
 * The reference only says 2024.10 (API 2.40) lacks them.
 */
const FILL_COUNTS_SINCE_API = 2.41;
const FILL_COUNT_KEYS: ReadonlySet<string> = new Set(['nr_of_successful_entries', 'nr_of_successful_exits']);

/** The `TradeSchema` keys the server's API version has. */
function tradeSchemaKeys(state: FakeState): readonly string[] {
  return state.apiVersion < FILL_COUNTS_SINCE_API
    ? TRADE_SCHEMA_KEYS.filter((key) => !FILL_COUNT_KEYS.has(key))
    : TRADE_SCHEMA_KEYS;
}

/** Every key of `keys` taken from `source`, `null` where `source` lacks it (pydantic's defaults). */
function pick(source: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) out[key] = source[key] ?? null;
  return out;
}

const dtOrNull = (ms: number | null): string | null => (ms === null ? null : formatDt(ms));

/** `Order.to_json()`. */
function rawOrder(order: FakeOrder, pair: string): JsonObject {
  const isOpen = order.status === 'open';
  return {
    amount: order.amount,
    safe_price: order.price,
    ft_order_side: order.side,
    order_filled_timestamp: order.filledAtMs,
    ft_is_entry: order.isEntry,
    ft_order_tag: order.tag,
    cost: round(order.filled * order.price, 8),
    pair,
    order_id: order.orderId,
    status: order.status,
    average: order.filled > 0 ? order.price : 0,
    filled: order.filled,
    is_open: isOpen,
    order_date: formatDt(order.createdAtMs),
    order_timestamp: order.createdAtMs,
    order_filled_date: dtOrNull(order.filledAtMs),
    order_type: order.orderType,
    price: order.price,
    remaining: round(order.amount - order.filled, 10),
    ft_fee_base: null,
    funding_fee: 0,
  };
}

/** Freqtrade lists only orders that are open or (partly) filled. */
const listedOrders = (trade: FakeTrade): FakeOrder[] =>
  trade.orders.filter((order) => order.status === 'open' || order.filled > 0);

/** `Trade.to_json()`: what `/trades` returns (no response model, so the raw extra keys stay). */
export function rawTradeJson(state: FakeState, trade: FakeTrade): JsonObject {
  const { base, quote } = splitPair(trade.pair);
  const entries = trade.orders.filter((o) => o.isEntry && o.filled > 0);
  const exits = trade.orders.filter((o) => !o.isEntry && o.filled > 0);
  const firstFillMs = entries[0]?.filledAtMs ?? null;
  const stopLoss = stopLossRate(trade);
  const slRatio = trade.stoplossRatio;
  const initialRatio = trade.initialStoplossRatio ?? slRatio;
  const initialStopLoss = stopLossRate({ ...trade, stoplossRatio: initialRatio });
  const precision = precisionFor(trade.openRate);
  const durationS =
    trade.closeDateMs === null ? null : Math.floor((trade.closeDateMs - trade.openDateMs) / 1000);
  const openValue = round(trade.amount * trade.openRate * (1 + (trade.isShort ? -1 : 1) * trade.feeOpen), 8);
  const realizedRatio = !trade.isOpen
    ? trade.closeProfit
    : trade.realizedProfit === 0
      ? null
      : totalProfitRatio(trade, trade.realizedProfit);
  const closeProfitPct = trade.closeProfit === null ? null : round(trade.closeProfit * 100, 2);
  return {
    trade_id: trade.id,
    pair: trade.pair,
    base_currency: base,
    quote_currency: quote,
    is_open: trade.isOpen,
    exchange: state.exchange,
    amount: trade.amount,
    amount_requested: trade.amountRequested,
    stake_amount: trade.stakeAmount,
    max_stake_amount: trade.maxStakeAmount,
    strategy: state.strategy,
    enter_tag: trade.enterTag,
    timeframe: Math.round((timeframeToMs(state.timeframe) ?? 300_000) / 60_000),
    fee_open: trade.feeOpen,
    fee_open_cost: round(trade.maxStakeAmount * trade.leverage * trade.feeOpen, 8),
    fee_open_currency: quote,
    fee_close: trade.feeClose,
    fee_close_cost:
      trade.isOpen || trade.closeRate === null
        ? null
        : round(exits.reduce((sum, o) => sum + o.filled * o.price, 0) * trade.feeClose, 8),
    fee_close_currency: trade.isOpen ? null : quote,
    open_date: formatDt(trade.openDateMs),
    open_timestamp: trade.openDateMs,
    open_fill_date: dtOrNull(firstFillMs),
    open_fill_timestamp: firstFillMs,
    open_rate: trade.openRate,
    open_rate_requested: trade.openRateRequested,
    open_trade_value: openValue,
    close_date: dtOrNull(trade.closeDateMs),
    close_timestamp: trade.closeDateMs,
    realized_profit: trade.realizedProfit,
    realized_profit_ratio: realizedRatio,
    close_rate: trade.closeRate,
    close_rate_requested: trade.closeRate,
    close_profit: trade.closeProfit,
    close_profit_pct: closeProfitPct,
    close_profit_abs: trade.closeProfitAbs,
    trade_duration_s: durationS,
    trade_duration: durationS === null ? null : Math.floor(durationS / 60),
    profit_ratio: trade.closeProfit,
    profit_pct: closeProfitPct,
    profit_abs: trade.closeProfitAbs,
    exit_reason: trade.exitReason,
    exit_order_status: null,
    stop_loss_abs: stopLoss,
    stop_loss_ratio: slRatio,
    stop_loss_pct: round(slRatio * 100, 2),
    stoploss_last_update: dtOrNull(firstFillMs),
    stoploss_last_update_timestamp: firstFillMs,
    initial_stop_loss_abs: initialStopLoss,
    initial_stop_loss_ratio: initialRatio,
    initial_stop_loss_pct: round(initialRatio * 100, 2),
    min_rate: trade.minRate,
    max_rate: trade.maxRate,
    leverage: trade.leverage,
    interest_rate: 0,
    liquidation_price: null,
    is_short: trade.isShort,
    trading_mode: state.tradingMode,
    funding_fees: trade.fundingFees ?? 0,
    amount_precision: precision.amount,
    price_precision: precision.price,
    precision_mode: PRECISION_MODE_TICK_SIZE,
    precision_mode_price: PRECISION_MODE_TICK_SIZE,
    contract_size: 1,
    nr_of_successful_entries: entries.length,
    nr_of_successful_exits: exits.length,
    has_open_orders: trade.orders.some((o) => o.status === 'open'),
    orders: listedOrders(trade).map((order) => rawOrder(order, trade.pair)),
  };
}

function schemaOrders(raw: JsonObject): JsonValue {
  const orders = raw['orders'];
  if (!Array.isArray(orders)) return [];
  return orders.map((order) =>
    order !== null && typeof order === 'object' && !Array.isArray(order)
      ? pick(order, ORDER_SCHEMA_KEYS)
      : order,
  );
}

/** `TradeSchema` (what `/forceenter` answers): the model's fields only, `profit_fiat` null. */
export function tradeSchemaJson(state: FakeState, trade: FakeTrade): JsonObject {
  const raw = rawTradeJson(state, trade);
  return { ...pick(raw, tradeSchemaKeys(state)), orders: schemaOrders(raw) };
}

/** Fiat value of an amount of stake currency; `null` when no fiat currency is configured. */
export function toFiat(state: FakeState, amount: number): number | null {
  if (!state.fiatDisplayCurrency) return null;
  return round(amount * state.fiatRate, 8);
}

/**
 * `OpenTradeSchema` as `_rpc_trade_status` fills it: an open trade valued at the pair's current
 * rate (unrealized profit in `profit_*`, realized + unrealized in `total_profit_*`); a closed trade
 * with `current_rate` = close rate, `profit_*` = close profit and `total_profit_abs` 0.
 */
export function openTradeJson(state: FakeState, trade: FakeTrade): JsonObject {
  const raw = rawTradeJson(state, trade);
  const stopLoss = stopLossRate(trade);
  const stopEntry = profitAt(trade, stopLoss);
  const precision = precisionFor(trade.openRate);
  let currentRate: number;
  let profitRatio: number;
  let profitAbs: number;
  let totalProfitAbs = 0;
  let totalRatio: number | null = null;
  if (trade.isOpen) {
    currentRate = currentRateOf(state, trade.pair);
    const profit = profitAt(trade, currentRate);
    profitRatio = profit.ratio;
    profitAbs = profit.abs;
    totalProfitAbs = round(trade.realizedProfit + profit.abs, 8);
    totalRatio = totalProfitRatio(trade, totalProfitAbs);
  } else {
    currentRate = trade.closeRate ?? 0;
    profitRatio = trade.closeProfit ?? 0;
    profitAbs = trade.closeProfitAbs ?? 0;
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(precision.price)));
  const slDist = round(stopLoss - currentRate, decimals);
  const slDistRatio = currentRate === 0 ? Number.NaN : slDist / currentRate;
  const view: JsonObject = {
    ...raw,
    close_profit: trade.isOpen ? null : trade.closeProfit,
    current_rate: currentRate,
    profit_ratio: profitRatio,
    profit_pct: round(profitRatio * 100, 2),
    profit_abs: profitAbs,
    profit_fiat: toFiat(state, profitAbs),
    total_profit_abs: totalProfitAbs,
    total_profit_fiat: toFiat(state, totalProfitAbs),
    total_profit_ratio: totalRatio,
    stoploss_current_dist: slDist,
    stoploss_current_dist_ratio: finiteOrNull(round(slDistRatio, 8)),
    stoploss_current_dist_pct: finiteOrNull(round(slDistRatio * 100, 2)),
    stoploss_entry_dist: stopEntry.abs,
    stoploss_entry_dist_ratio: stopEntry.ratio,
  };
  if (trade.isOpen && state.unpricedPairs.includes(trade.pair)) {
    // Pricing failed: the rate is NaN, which the JSON encoder writes as null, and so is all it touches.
    for (const key of [
      'current_rate',
      'profit_ratio',
      'profit_pct',
      'profit_abs',
      'profit_fiat',
      'total_profit_abs',
      'total_profit_fiat',
      'total_profit_ratio',
      'stoploss_current_dist',
      'stoploss_current_dist_ratio',
      'stoploss_current_dist_pct',
    ]) {
      view[key] = null;
    }
  }
  return {
    ...pick(view, tradeSchemaKeys(state)),
    orders: schemaOrders(raw),
    ...pick(view, OPEN_TRADE_EXTRA_KEYS),
  };
}
