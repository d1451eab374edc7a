/**
 * Freqtrade's answers → `ChartSpec`s. Pure: no I/O, no clock. Money text via src/format/; every
 * label goes through `chartText` (the chart font has no emoji, ₿ or CJK).
 */
import type { PairHistory, PerformanceEntry, TimeUnitProfit, Trade } from '../freqtrade/schemas.js';
import { parseFreqtradeDate } from '../format/dates.js';
import { formatSignedMoney } from '../format/money.js';
import { formatRate, formatSignedPercent } from '../format/numbers.js';
import { plural } from '../format/plural.js';
import { type ChartMarker, type ChartPoint, type ChartSpec, chartText } from './spec.js';

export type ProfitPeriod = 'daily' | 'weekly' | 'monthly';

const PERIOD_TITLE: Record<ProfitPeriod, string> = {
  daily: 'Daily profit',
  weekly: 'Weekly profit',
  monthly: 'Monthly profit',
};
const PERIOD_NOUN: Record<ProfitPeriod, string> = { daily: 'day', weekly: 'week', monthly: 'month' };

/** How many pairs the performance chart shows by name; the rest are summed into one bar. */
export const PERFORMANCE_TOP = 20;
/** How many of the latest candles the candle chart shows. */
export const CANDLES_SHOWN = 150;

/**
 * `/daily`, `/weekly`, `/monthly` → bars of `abs_profit` per period, oldest left (Freqtrade sends
 * the current period first). Empty when no period had a trade.
 */
export function periodChartSpec(profit: TimeUnitProfit, period: ProfitPeriod): ChartSpec {
  const title = PERIOD_TITLE[period];
  const rows = [...profit.data].reverse();
  const currency = profit.stake_currency;
  if (rows.length === 0 || rows.every((row) => row.trade_count === 0 && row.abs_profit === 0)) {
    return {
      kind: 'empty',
      title,
      message: `no closed trades in the last ${plural(rows.length || 1, PERIOD_NOUN[period])}`,
    };
  }
  const years = new Set(rows.map((row) => row.date.slice(0, 4)));
  const label = (date: string): string => {
    if (period === 'monthly') return date.slice(0, 7);
    return years.size > 1 ? date.slice(0, 10) : date.slice(5, 10);
  };
  const total = rows.reduce((sum, row) => sum + row.abs_profit, 0);
  const trades = rows.reduce((sum, row) => sum + row.trade_count, 0);
  return {
    kind: 'bars',
    title,
    subtitle: `Total: ${formatSignedMoney(total, currency)} over ${plural(rows.length, PERIOD_NOUN[period])} (${plural(trades, 'trade')})`,
    labels: rows.map((row) => label(row.date)),
    values: rows.map((row) => row.abs_profit),
    unit: currency,
  };
}

/** One bot's closed trades, for the cumulative profit chart; `botName` names its line when there are several. */
export interface ClosedTradesOfBot {
  botName?: string;
  trades: readonly Trade[];
}

interface ClosedPoint {
  t: number;
  profit: number;
}

function closedPoints(trades: readonly Trade[]): ClosedPoint[] {
  const points: ClosedPoint[] = [];
  for (const trade of trades) {
    if (trade.is_open || trade.close_timestamp === null || trade.close_profit_abs === null) continue;
    if (!Number.isFinite(trade.close_timestamp) || !Number.isFinite(trade.close_profit_abs)) continue;
    points.push({ t: trade.close_timestamp, profit: trade.close_profit_abs });
  }
  return points.sort((a, b) => a.t - b.t);
}

/** Running sum, starting at 0 just before the first close. */
function cumulative(points: readonly ClosedPoint[], startT: number): ChartPoint[] {
  const line: ChartPoint[] = [{ t: startT, v: 0 }];
  let sum = 0;
  for (const point of points) {
    sum += point.profit;
    line.push({ t: point.t, v: sum });
  }
  return line;
}

/** The largest fall from a running peak to a later trough, or null when the line never falls. */
export function maxDrawdown(
  line: readonly ChartPoint[],
): { fromT: number; toT: number; amount: number } | null {
  let peak = line[0];
  let worst: { fromT: number; toT: number; amount: number } | null = null;
  for (const point of line) {
    if (!peak || point.v > peak.v) peak = point;
    const fall = peak.v - point.v;
    if (fall > 0 && (!worst || fall > worst.amount)) worst = { fromT: peak.t, toT: point.t, amount: fall };
  }
  return worst;
}

/**
 * `/trades` of one or more bots → cumulative `close_profit_abs` by close time, one line per bot
 * (plus their total when there are several), the total's maximum drawdown shaded.
 */
export function cumulativeProfitSpec(bots: readonly ClosedTradesOfBot[], stakeCurrency?: string): ChartSpec {
  const title = 'Cumulative profit';
  const perBot = bots
    .map((bot, index) => ({
      name: chartText(bot.botName ?? '') || `bot ${index + 1}`,
      points: closedPoints(bot.trades),
    }))
    .filter((bot) => bot.points.length > 0);
  const all = closedPoints(bots.flatMap((bot) => bot.trades));
  if (all.length === 0) return { kind: 'empty', title, message: 'no closed trades yet' };
  const currency =
    stakeCurrency ??
    bots.flatMap((bot) => bot.trades).find((trade) => trade.quote_currency)?.quote_currency ??
    '';
  const firstClose = all[0]?.t ?? 0;
  const lastClose = all.at(-1)?.t ?? firstClose;
  // The line starts at 0 a little before the first close, so a single trade still draws a line.
  const startT = firstClose - Math.max(60_000, Math.round((lastClose - firstClose) / 50));
  const series = perBot.map((bot) => ({ name: bot.name, points: cumulative(bot.points, startT) }));
  const totalLine = cumulative(all, startT);
  if (series.length > 1) series.push({ name: 'total', points: totalLine });
  const total = totalLine.at(-1)?.v ?? 0;
  const drawdown = maxDrawdown(totalLine);
  const spec: ChartSpec = {
    kind: 'lines',
    title,
    subtitle: `Total: ${formatSignedMoney(total, currency)} over ${plural(all.length, 'closed trade')}${
      series.length > 1 ? `, ${plural(perBot.length, 'bot')}` : ''
    }`,
    unit: currency,
    series,
  };
  if (drawdown) {
    spec.drawdown = {
      fromT: drawdown.fromT,
      toT: drawdown.toT,
      label: `max drawdown ${formatSignedMoney(-drawdown.amount, currency)}`,
    };
  }
  return spec;
}

/** `/performance` → horizontal bars of `profit_abs`, best on top; past the top 20, one "others (N pairs)" bar. */
export function performanceSpec(performance: readonly PerformanceEntry[], stakeCurrency: string): ChartSpec {
  const title = 'Performance per pair';
  if (performance.length === 0) return { kind: 'empty', title, message: 'no closed trades yet' };
  const sorted = [...performance].sort((a, b) => b.profit_abs - a.profit_abs);
  const top = sorted.slice(0, PERFORMANCE_TOP);
  const rest = sorted.slice(PERFORMANCE_TOP);
  const labels = top.map((entry) => chartText(entry.pair) || '?');
  const values = top.map((entry) => entry.profit_abs);
  if (rest.length > 0) {
    labels.push(`others (${plural(rest.length, 'pair')})`);
    values.push(rest.reduce((sum, entry) => sum + entry.profit_abs, 0));
  }
  const total = sorted.reduce((sum, entry) => sum + entry.profit_abs, 0);
  const trades = sorted.reduce((sum, entry) => sum + entry.count, 0);
  return {
    kind: 'hbars',
    title,
    subtitle: `Total: ${formatSignedMoney(total, stakeCurrency)} over ${plural(sorted.length, 'pair')}, ${plural(trades, 'trade')}`,
    labels,
    values,
    unit: stakeCurrency,
  };
}

/** The fields of a trade the candle chart reads (closed trades from `/trades`, open ones from `/status`). */
export type CandleChartTrade = Pick<
  Trade,
  'trade_id' | 'pair' | 'is_short' | 'open_timestamp' | 'open_rate' | 'close_timestamp' | 'close_rate'
> & { stop_loss_abs?: number | null; is_open?: boolean };

/** `BTC/USDT:USDT` → `USDT`. */
function quoteOf(pair: string): string {
  const quote = pair.split('/')[1] ?? '';
  return quote.split(':')[0] ?? '';
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function candleTime(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return parseFreqtradeDate(value);
  return null;
}

/**
 * `/pair_candles` → the latest 150 candles (columns found by name: `__date_ts` or `date`, `open`,
 * `high`, `low`, `close`), with entry and exit markers of that pair's trades inside the shown range
 * and the open trades' stop losses as levels. Empty when there are no usable candles.
 */
export function candleChartSpec(
  history: PairHistory,
  trades: readonly CandleChartTrade[],
  openTrades: readonly CandleChartTrade[] = [],
): ChartSpec {
  const pair = chartText(history.pair) || 'pair';
  const title = `${pair} ${chartText(history.timeframe)}`.trim();
  const column = (name: string): number => history.columns.indexOf(name);
  const tsColumn = column('__date_ts') >= 0 ? column('__date_ts') : column('date');
  const [open, high, low, close] = ['open', 'high', 'low', 'close'].map(column) as [
    number,
    number,
    number,
    number,
  ];
  if (tsColumn < 0 || open < 0 || high < 0 || low < 0 || close < 0 || history.data.length === 0) {
    return { kind: 'empty', title, message: `no candles for ${pair} yet` };
  }
  const candles = [];
  for (const row of history.data) {
    const t = candleTime(row[tsColumn]);
    const o = finite(row[open]);
    const h = finite(row[high]);
    const l = finite(row[low]);
    const c = finite(row[close]);
    if (t === null || o === null || h === null || l === null || c === null) continue;
    candles.push({ t, o, h, l, c });
  }
  candles.sort((a, b) => a.t - b.t);
  const shown = candles.slice(-CANDLES_SHOWN);
  const first = shown[0];
  const last = shown.at(-1);
  if (!first || !last) return { kind: 'empty', title, message: `no candles for ${pair} yet` };
  const step =
    finite(history.timeframe_ms) ?? (shown.length > 1 ? (last.t - first.t) / (shown.length - 1) : 60_000);
  const end = last.t + step;
  /** The start of the shown candle that contains `t` (markers sit on their candle). */
  const candleStart = (t: number): number => {
    let start = first.t;
    for (const candle of shown) {
      if (candle.t > t) break;
      start = candle.t;
    }
    return start;
  };
  const inRange = (t: number | null | undefined): t is number =>
    typeof t === 'number' && Number.isFinite(t) && t >= first.t && t < end;

  const ofPair = new Map<number, CandleChartTrade>();
  for (const trade of [...trades, ...openTrades]) {
    if (trade.pair === history.pair) ofPair.set(trade.trade_id, { ...ofPair.get(trade.trade_id), ...trade });
  }
  const markers: ChartMarker[] = [];
  for (const trade of ofPair.values()) {
    const side = trade.is_short ? 'short' : 'long';
    if (inRange(trade.open_timestamp)) {
      markers.push({
        t: candleStart(trade.open_timestamp),
        price: trade.open_rate,
        kind: 'entry',
        side,
        label: `#${trade.trade_id}`,
      });
    }
    if (inRange(trade.close_timestamp) && finite(trade.close_rate) !== null) {
      markers.push({
        t: candleStart(trade.close_timestamp),
        price: trade.close_rate as number,
        kind: 'exit',
        side,
        label: `#${trade.trade_id}`,
      });
    }
  }
  markers.sort((a, b) => a.t - b.t);
  const unit = quoteOf(history.pair);
  const levels = [...openTrades]
    .filter((trade) => trade.pair === history.pair && finite(trade.stop_loss_abs) !== null)
    .map((trade) => ({
      price: trade.stop_loss_abs as number,
      label: `stop loss ${formatRate(trade.stop_loss_abs as number)} (#${trade.trade_id})`,
    }));
  const change = first.o !== 0 ? last.c / first.o - 1 : Number.NaN;
  return {
    kind: 'candles',
    title,
    subtitle:
      `last close ${formatRate(last.c)} ${unit}`.trim() +
      `, ${formatSignedPercent(change)} over ${plural(shown.length, 'candle')}`,
    unit,
    candles: shown,
    markers,
    levels,
  };
}
