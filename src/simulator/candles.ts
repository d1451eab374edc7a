/**
 * Deterministic synthetic candles for `/pair_candles`, `/pair_history` and `analyzed_df`: a
 * smooth wave per pair whose last close equals the pair's current rate, with a few entry and
 * exit signals. The same pair, timeframe and clock always give the same rows.
 */
import type { JsonObject, JsonValue } from './json-value.js';
import { unitHash } from './markets.js';
import { formatIsoZ, formatPandasTimestamp } from './time-format.js';

export interface Candle {
  dateMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  rsi: number;
  enterLong: 0 | 1;
  exitLong: 0 | 1;
  enterTag: string | null;
}

/** The last API version whose `PairHistory` has no `annotations` (2024.10, API 2.40; the fake plays it as 2.4). */
const ANNOTATIONS_AFTER_API = 2.4;

/** How many candles Freqtrade keeps analyzed per pair in the fake (a typical startup window). */
export const CACHED_CANDLES = 500;

function wave(index: number, phase: number): number {
  return 1 + 0.012 * Math.sin(index * 0.13 + phase) + 0.005 * Math.sin(index * 0.71 + phase * 3);
}

const sig = (n: number): number => Number(n.toPrecision(8));

/** `count` closed candles of `timeframeMs` ending before `nowMs`, the last one closing at `lastRate`. */
export function synthCandles(opts: {
  pair: string;
  timeframeMs: number;
  nowMs: number;
  lastRate: number;
  count: number;
  endMs?: number | undefined;
}): Candle[] {
  const phase = unitHash(opts.pair) * Math.PI * 2;
  const lastIndex = Math.floor((opts.endMs ?? opts.nowMs) / opts.timeframeMs) - 1;
  const anchor = Math.floor(opts.nowMs / opts.timeframeMs) - 1;
  const scale = opts.lastRate / wave(anchor, phase);
  const candles: Candle[] = [];
  for (let index = lastIndex - opts.count + 1; index <= lastIndex; index++) {
    const close = scale * wave(index, phase);
    const open = scale * wave(index - 1, phase);
    const spread = Math.abs(close - open) + close * 0.0015;
    const rsi = 50 + 35 * Math.sin(index * 0.13 + phase + 0.6);
    const enterLong = rsi < 20 && index % 3 === 0 ? 1 : 0;
    const exitLong = rsi > 80 && index % 3 === 0 ? 1 : 0;
    candles.push({
      dateMs: index * opts.timeframeMs,
      open: sig(open),
      high: sig(Math.max(open, close) + spread / 2),
      low: sig(Math.min(open, close) - spread / 2),
      close: sig(close),
      volume: Math.round(1000 + 9000 * unitHash(`${opts.pair}:${index}`)),
      rsi: Math.round(rsi * 100) / 100,
      enterLong,
      exitLong,
      enterTag: enterLong ? 'rsi_cross' : null,
    });
  }
  return candles;
}

/** Columns of the analyzed dataframe (what `all_columns` lists). */
const DATAFRAME_COLUMNS = [
  'date',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'rsi',
  'enter_long',
  'exit_long',
  'enter_short',
  'exit_short',
  'enter_tag',
  'exit_tag',
] as const;
/** Always kept by a column filter: OHLCV and the signal columns. */
const ALWAYS_KEPT = new Set([
  'date',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'enter_long',
  'exit_long',
  'enter_short',
  'exit_short',
  'enter_tag',
  'exit_tag',
]);
const INTERNAL_COLUMNS = [
  '__date_ts',
  '_enter_long_signal_close',
  '_exit_long_signal_close',
  '_enter_short_signal_close',
  '_exit_short_signal_close',
] as const;

function cell(candle: Candle, column: string): JsonValue {
  switch (column) {
    case 'date':
      return formatIsoZ(candle.dateMs);
    case 'open':
      return candle.open;
    case 'high':
      return candle.high;
    case 'low':
      return candle.low;
    case 'close':
      return candle.close;
    case 'volume':
      return candle.volume;
    case 'rsi':
      return candle.rsi;
    case 'enter_long':
      return candle.enterLong;
    case 'exit_long':
      return candle.exitLong;
    case 'enter_short':
    case 'exit_short':
      return 0;
    case 'enter_tag':
      return candle.enterTag;
    case 'exit_tag':
      return null;
    case '__date_ts':
      return candle.dateMs;
    case '_enter_long_signal_close':
      return candle.enterLong ? candle.close : null;
    case '_exit_long_signal_close':
      return candle.exitLong ? candle.close : null;
    default:
      return null;
  }
}

/**
 * The `PairHistory` model for `candles` (empty for an uncached pair); `columns` filters the
 * output (OHLCV, signals and internal columns always stay).
 */
export function pairHistoryJson(opts: {
  strategy: string;
  pair: string;
  timeframe: string;
  timeframeMs: number;
  candles: readonly Candle[];
  columns?: readonly string[] | null | undefined;
  analyzedAtMs: number;
  /**
   * The API version played: `annotations` (the strategy's chart annotations) came after 2024.10
   * (API 2.40), whose `PairHistory` lacks the key. Default: a current Freqtrade.
   */
  apiVersion?: number;
}): JsonObject {
  const { candles } = opts;
  const wanted = opts.columns ? new Set(opts.columns) : undefined;
  const shown = DATAFRAME_COLUMNS.filter((c) => !wanted || ALWAYS_KEPT.has(c) || wanted.has(c));
  const columns: string[] = candles.length === 0 ? [] : [...shown, ...INTERNAL_COLUMNS];
  const enterLong = candles.reduce((n, c) => n + c.enterLong, 0);
  const exitLong = candles.reduce((n, c) => n + c.exitLong, 0);
  const first = candles[0];
  const last = candles.at(-1);
  const analyzedAt = candles.length === 0 ? 0 : opts.analyzedAtMs;
  return {
    strategy: opts.strategy,
    pair: opts.pair,
    timeframe: opts.timeframe,
    timeframe_ms: opts.timeframeMs,
    columns,
    all_columns: candles.length === 0 ? [] : [...DATAFRAME_COLUMNS],
    data: candles.map((candle) => columns.map((column) => cell(candle, column))),
    length: candles.length,
    buy_signals: enterLong,
    sell_signals: exitLong,
    enter_long_signals: enterLong,
    exit_long_signals: exitLong,
    enter_short_signals: 0,
    exit_short_signals: 0,
    last_analyzed: formatIsoZ(analyzedAt),
    last_analyzed_ts: Math.floor(analyzedAt / 1000),
    data_start_ts: first?.dateMs ?? 0,
    data_start: first ? formatPandasTimestamp(first.dateMs) : '',
    data_stop: last ? formatPandasTimestamp(last.dateMs) : '',
    data_stop_ts: last?.dateMs ?? 0,
    ...(opts.apiVersion === undefined || opts.apiVersion > ANNOTATIONS_AFTER_API ? { annotations: [] } : {}),
  };
}

/** The `analyzed_df` websocket payload's dataframe: pandas `to_json(orient="split")`, dates in ms. */
export function dataframeSplitJson(candles: readonly Candle[]): string {
  return JSON.stringify({
    columns: [...DATAFRAME_COLUMNS],
    index: candles.map((_, i) => i),
    data: candles.map((candle) =>
      DATAFRAME_COLUMNS.map((column) => (column === 'date' ? candle.dateMs : cell(candle, column))),
    ),
  });
}
