/**
 * Portfolio metrics as `freqtrade/data/metrics.py` computes them over closed trades, used by
 * `/profit`. Each function returns Freqtrade's sentinel (0 or -100) where it would.
 */

export interface ClosedResult {
  profitAbs: number;
  closeMs: number;
}

const DAY_MS = 86_400_000;

/** Whole days between two instants, at least 1 (Freqtrade's `days_period`). */
function daysPeriod(minMs: number, maxMs: number): number {
  return Math.max(1, Math.floor((maxMs - minMs) / DAY_MS));
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** numpy's `std` (population, ddof=0) or pandas' `std` (sample, ddof=1); NaN when undefined. */
function std(values: readonly number[], ddof: 0 | 1): number {
  if (values.length - ddof <= 0) return Number.NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - ddof));
}

/** `calculate_expectancy`: `[expectancy, expectancy_ratio]`; `[0, 100]` without trades or losses. */
export function expectancy(profits: readonly number[]): [number, number] {
  if (profits.length === 0) return [0, 100];
  const wins = profits.filter((p) => p > 0);
  const losses = profits.filter((p) => p < 0);
  const avgWin = wins.length > 0 ? wins.reduce((a, b) => a + b, 0) / wins.length : 0;
  const avgLoss = losses.length > 0 ? Math.abs(losses.reduce((a, b) => a + b, 0)) / losses.length : 0;
  const winrate = wins.length / profits.length;
  const loserate = losses.length / profits.length;
  const value = winrate * avgWin - loserate * avgLoss;
  if (avgLoss <= 0) return [value, 100];
  return [value, (1 + avgWin / avgLoss) * winrate - 1];
}

/** `calculate_sharpe`: 0 without trades or with one instant, -100 with zero deviation. */
export function sharpe(
  results: readonly ClosedResult[],
  minMs: number,
  maxMs: number,
  startingBalance: number,
): number {
  if (results.length === 0 || minMs === maxMs) return 0;
  const returns = results.map((r) => r.profitAbs / startingBalance);
  const expected = returns.reduce((a, b) => a + b, 0) / daysPeriod(minMs, maxMs);
  const deviation = std(returns, 0);
  return deviation !== 0 && !Number.isNaN(deviation) ? (expected / deviation) * Math.sqrt(365) : -100;
}

/** `calculate_sortino`: like Sharpe with the deviation of losing trades only. */
export function sortino(
  results: readonly ClosedResult[],
  minMs: number,
  maxMs: number,
  startingBalance: number,
): number {
  if (results.length === 0 || minMs === maxMs) return 0;
  const returns = results.map((r) => r.profitAbs / startingBalance);
  const expected = returns.reduce((a, b) => a + b, 0) / daysPeriod(minMs, maxMs);
  const deviation = std(
    returns.filter((r) => r < 0),
    0,
  );
  return deviation !== 0 && !Number.isNaN(deviation) ? (expected / deviation) * Math.sqrt(365) : -100;
}

/** `calculate_sqn`: √n × mean / sample deviation of returns, 4 decimals; 0 without trades, -100 when undefined. */
export function sqn(results: readonly ClosedResult[], startingBalance: number): number {
  if (results.length === 0) return 0;
  const returns = results.map((r) => r.profitAbs / startingBalance);
  const deviation = std(returns, 1);
  if (deviation === 0 || Number.isNaN(deviation)) return -100;
  return Math.round(Math.sqrt(returns.length) * (mean(returns) / deviation) * 10_000) / 10_000;
}

/** `calculate_cagr`: compound annual growth; 0 for a negative final balance. */
export function cagr(days: number, startingBalance: number, finalBalance: number): number {
  if (finalBalance < 0 || startingBalance <= 0) return 0;
  return (finalBalance / startingBalance) ** (1 / (Math.max(1, days) / 365)) - 1;
}

export interface Drawdown {
  /** Absolute size of the largest drop of cumulative profit. */
  abs: number;
  /** The same drop relative to the account balance at its peak. */
  relative: number;
  highMs: number;
  lowMs: number;
  highValue: number;
  lowValue: number;
}

export interface CurrentDrawdown {
  abs: number;
  relative: number;
  high: number;
  startMs: number;
}

interface Point {
  closeMs: number;
  cumulative: number;
  high: number;
  /** Index of the point where `high` was reached (-1 = the starting balance). */
  highIndex: number;
  relative: number;
}

function drawdownSeries(results: readonly ClosedResult[], startingBalance: number): Point[] {
  const sorted = [...results].sort((a, b) => a.closeMs - b.closeMs);
  const points: Point[] = [];
  let cumulative = 0;
  let high = 0;
  let highIndex = -1;
  sorted.forEach((r, index) => {
    cumulative += r.profitAbs;
    if (cumulative > high) {
      high = cumulative;
      highIndex = index;
    }
    const maxBalance = startingBalance + high;
    const relative = maxBalance > 0 ? (maxBalance - (startingBalance + cumulative)) / maxBalance : 0;
    points.push({ closeMs: r.closeMs, cumulative, high, highIndex, relative });
  });
  return points;
}

/** `calculate_max_drawdown`: the deepest drop of cumulative closed profit; `undefined` when nothing ever dropped. */
export function maxDrawdown(results: readonly ClosedResult[], startingBalance: number): Drawdown | undefined {
  const points = drawdownSeries(results, startingBalance);
  let worst: Point | undefined;
  for (const p of points)
    if (p.high - p.cumulative > 0 && (!worst || p.high - p.cumulative > worst.high - worst.cumulative))
      worst = p;
  if (!worst) return undefined;
  const first = points[0];
  const highPoint = worst.highIndex >= 0 ? points[worst.highIndex] : undefined;
  return {
    abs: worst.high - worst.cumulative,
    relative: worst.relative,
    highMs: highPoint?.closeMs ?? first?.closeMs ?? worst.closeMs,
    lowMs: worst.closeMs,
    highValue: worst.high,
    lowValue: worst.cumulative,
  };
}

/** The drawdown the account is in now (after the last closed trade); `undefined` without closed trades. */
export function currentDrawdown(
  results: readonly ClosedResult[],
  startingBalance: number,
): CurrentDrawdown | undefined {
  const points = drawdownSeries(results, startingBalance);
  const last = points.at(-1);
  if (!last) return undefined;
  const highPoint = last.highIndex >= 0 ? points[last.highIndex] : points[0];
  return {
    abs: last.high - last.cumulative,
    relative: last.relative,
    high: last.high,
    startMs: highPoint?.closeMs ?? last.closeMs,
  };
}
