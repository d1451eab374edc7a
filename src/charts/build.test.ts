import { describe, expect, it } from 'vitest';
import type { PairHistory, PerformanceEntry, TimeUnitProfit, Trade } from '../freqtrade/schemas.js';
import {
  candleChartSpec,
  cumulativeProfitSpec,
  maxDrawdown,
  performanceSpec,
  periodChartSpec,
} from './build.js';
import { chartText } from './spec.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 20);

function closed(id: number, closeT: number, profit: number, extra: Partial<Trade> = {}): Trade {
  return {
    trade_id: id,
    pair: 'BTC/USDT',
    quote_currency: 'USDT',
    is_open: false,
    is_short: false,
    open_timestamp: closeT - 3_600_000,
    open_rate: 100,
    close_timestamp: closeT,
    close_rate: 101,
    close_profit_abs: profit,
    ...extra,
  } as unknown as Trade;
}

describe('chartText', () => {
  it('strips emoji, ₿ and CJK, keeps Latin, Cyrillic, punctuation and €', () => {
    expect(chartText('🚀 BTC/USDT ₿ 比特币 — Привет €5 ±1')).toBe('BTC/USDT — Привет €5 ±1');
    expect(chartText('👍')).toBe('');
  });
});

describe('periodChartSpec', () => {
  const daily: TimeUnitProfit = {
    stake_currency: 'USDT',
    fiat_display_currency: 'USD',
    data: [
      {
        date: '2026-11-22',
        abs_profit: 4,
        rel_profit: 0.004,
        starting_balance: 1000,
        fiat_value: 4,
        trade_count: 2,
      },
      {
        date: '2026-11-21',
        abs_profit: -1.5,
        rel_profit: -0.0015,
        starting_balance: 1000,
        fiat_value: -1.5,
        trade_count: 1,
      },
      {
        date: '2026-11-20',
        abs_profit: 0,
        rel_profit: 0,
        starting_balance: 1000,
        fiat_value: 0,
        trade_count: 0,
      },
    ],
  };

  it('draws bars oldest left with the total in the subtitle', () => {
    expect(periodChartSpec(daily, 'daily')).toEqual({
      kind: 'bars',
      title: 'Daily profit',
      subtitle: 'Total: +2.50 USDT over 3 days (3 trades)',
      labels: ['11-20', '11-21', '11-22'],
      values: [0, -1.5, 4],
      unit: 'USDT',
    });
  });

  it('labels months by year and month, and days by full date across a new year', () => {
    const monthly = periodChartSpec(
      { ...daily, data: [{ ...daily.data[0]!, date: '2026-11-01' }] },
      'monthly',
    );
    expect(monthly).toMatchObject({
      kind: 'bars',
      labels: ['2026-11'],
      subtitle: 'Total: +4.00 USDT over 1 month (2 trades)',
    });
    const spanning = periodChartSpec(
      {
        ...daily,
        data: [
          { ...daily.data[0]!, date: '2027-01-01' },
          { ...daily.data[1]!, date: '2026-12-31' },
        ],
      },
      'daily',
    );
    expect(spanning).toMatchObject({ labels: ['2026-12-31', '2027-01-01'] });
  });

  it('is the empty spec when no period had a trade', () => {
    expect(periodChartSpec({ ...daily, data: [daily.data[2]!] }, 'weekly')).toEqual({
      kind: 'empty',
      title: 'Weekly profit',
      message: 'no closed trades in the last 1 week',
    });
    expect(periodChartSpec({ ...daily, data: [] }, 'daily')).toMatchObject({ kind: 'empty' });
  });
});

describe('cumulativeProfitSpec', () => {
  it('sums close_profit_abs by close time from 0 and marks the largest drawdown', () => {
    const trades = [closed(3, T0 + 3 * DAY, 2), closed(1, T0 + DAY, 5), closed(2, T0 + 2 * DAY, -4)];
    const spec = cumulativeProfitSpec([{ trades }]);
    expect(spec.kind).toBe('lines');
    if (spec.kind !== 'lines') return;
    expect(spec.unit).toBe('USDT');
    expect(spec.subtitle).toBe('Total: +3.00 USDT over 3 closed trades');
    expect(spec.series).toHaveLength(1);
    expect(spec.series[0]?.points.map((point) => point.v)).toEqual([0, 5, 1, 3]);
    expect(spec.series[0]?.points[0]?.t).toBeLessThan(T0 + DAY);
    expect(spec.drawdown).toEqual({ fromT: T0 + DAY, toT: T0 + 2 * DAY, label: 'max drawdown -4.00 USDT' });
  });

  it('draws one line per bot plus the total, and skips open trades', () => {
    const spec = cumulativeProfitSpec([
      {
        botName: 'alpha 🚀',
        trades: [closed(1, T0 + DAY, 1), closed(9, T0, 0, { is_open: true, close_timestamp: null })],
      },
      { botName: 'beta', trades: [closed(1, T0 + 2 * DAY, 2)] },
      { botName: 'idle', trades: [] },
    ]);
    expect(spec.kind === 'lines' && spec.series.map((series) => series.name)).toEqual([
      'alpha',
      'beta',
      'total',
    ]);
    expect(spec.kind === 'lines' && spec.series[2]?.points.map((point) => point.v)).toEqual([0, 1, 3]);
    expect(spec.kind === 'lines' && spec.drawdown).toBeUndefined();
    expect(spec.kind === 'lines' && spec.subtitle).toBe('Total: +3.00 USDT over 2 closed trades, 2 bots');
  });

  it('is the empty spec "no closed trades yet" when none', () => {
    expect(cumulativeProfitSpec([{ trades: [] }])).toEqual({
      kind: 'empty',
      title: 'Cumulative profit',
      message: 'no closed trades yet',
    });
  });

  it('maxDrawdown is the largest fall from a running peak', () => {
    expect(
      maxDrawdown([
        { t: 0, v: 0 },
        { t: 1, v: 10 },
        { t: 2, v: 4 },
        { t: 3, v: 12 },
        { t: 4, v: 3 },
        { t: 5, v: 20 },
      ]),
    ).toEqual({ fromT: 3, toT: 4, amount: 9 });
    expect(
      maxDrawdown([
        { t: 0, v: 0 },
        { t: 1, v: 1 },
      ]),
    ).toBeNull();
  });
});

describe('performanceSpec', () => {
  const entry = (pair: string, profit: number, count = 1): PerformanceEntry => ({
    pair,
    profit: 0,
    profit_ratio: 0,
    profit_pct: 0,
    profit_abs: profit,
    count,
  });

  it('sorts by profit_abs, keeps the top 20 and sums the others', () => {
    const performance = Array.from({ length: 23 }, (_, index) => entry(`P${index}/USDT`, index - 5));
    const spec = performanceSpec(performance, 'USDT');
    expect(spec.kind).toBe('hbars');
    if (spec.kind !== 'hbars') return;
    expect(spec.labels).toHaveLength(21);
    expect(spec.labels[0]).toBe('P22/USDT');
    expect(spec.labels[20]).toBe('others (3 pairs)');
    expect(spec.values[20]).toBe(-5 + -4 + -3);
    expect(spec.subtitle).toBe('Total: +138.00 USDT over 23 pairs, 23 trades');
  });

  it('is the empty spec when there is no performance', () => {
    expect(performanceSpec([], 'USDT')).toMatchObject({ kind: 'empty', message: 'no closed trades yet' });
  });
});

describe('candleChartSpec', () => {
  const STEP = 300_000;
  const history = (
    rows: number,
    columns = ['date', 'open', 'high', 'low', 'close', 'volume', '__date_ts'],
  ): PairHistory => ({
    pair: 'ETH/USDT:USDT',
    timeframe: '5m',
    timeframe_ms: STEP,
    columns,
    length: rows,
    data: Array.from({ length: rows }, (_, index) => {
      const t = T0 + index * STEP;
      const row: Record<string, unknown> = {
        date: new Date(t).toISOString(),
        open: 100 + index,
        high: 102 + index,
        low: 99 + index,
        close: 101 + index,
        volume: 5,
        __date_ts: t,
      };
      return columns.map((column) => row[column] ?? null);
    }),
  });

  it('keeps the last 150 candles, found by column name', () => {
    const spec = candleChartSpec(history(200, ['__date_ts', 'close', 'low', 'high', 'open']), []);
    expect(spec.kind).toBe('candles');
    if (spec.kind !== 'candles') return;
    expect(spec.title).toBe('ETH/USDT:USDT 5m');
    expect(spec.unit).toBe('USDT');
    expect(spec.candles).toHaveLength(150);
    expect(spec.candles[0]).toEqual({ t: T0 + 50 * STEP, o: 150, h: 152, l: 149, c: 151 });
    expect(spec.subtitle).toBe('last close 300 USDT, +100.00% over 150 candles');
  });

  it('reads the ISO date column when __date_ts is missing', () => {
    const spec = candleChartSpec(history(3, ['date', 'open', 'high', 'low', 'close']), []);
    expect(spec.kind === 'candles' && spec.candles.map((candle) => candle.t)).toEqual([
      T0,
      T0 + STEP,
      T0 + 2 * STEP,
    ]);
  });

  it("marks the pair's entries and exits inside the shown range and the open trade's stop loss", () => {
    const trades = [
      closed(1, T0 + 10 * STEP + 1_000, 1, {
        pair: 'ETH/USDT:USDT',
        open_timestamp: T0 + 2 * STEP + 30_000,
        open_rate: 102.5,
        close_rate: 111.2,
      }),
      closed(2, T0 + 5 * STEP, 1, { pair: 'BTC/USDT' }),
      closed(3, T0 + 500 * STEP, 1, { pair: 'ETH/USDT:USDT', open_timestamp: T0 - DAY }),
    ];
    const open = [
      {
        ...closed(4, 0, 0, {
          pair: 'ETH/USDT:USDT',
          is_short: true,
          open_timestamp: T0 + 15 * STEP,
          open_rate: 116,
        }),
        is_open: true,
        close_timestamp: null,
        close_rate: null,
        stop_loss_abs: 125.5,
      },
    ];
    const spec = candleChartSpec(history(20), trades, open);
    expect(spec.kind).toBe('candles');
    if (spec.kind !== 'candles') return;
    expect(spec.markers).toEqual([
      { t: T0 + 2 * STEP, price: 102.5, kind: 'entry', side: 'long', label: '#1' },
      { t: T0 + 10 * STEP, price: 111.2, kind: 'exit', side: 'long', label: '#1' },
      { t: T0 + 15 * STEP, price: 116, kind: 'entry', side: 'short', label: '#4' },
    ]);
    expect(spec.levels).toEqual([{ price: 125.5, label: 'stop loss 125.5 (#4)' }]);
  });

  it('is the empty spec for an uncached pair or missing columns', () => {
    expect(candleChartSpec({ ...history(0), columns: [], data: [] }, [])).toEqual({
      kind: 'empty',
      title: 'ETH/USDT:USDT 5m',
      message: 'no candles for ETH/USDT:USDT yet',
    });
    expect(candleChartSpec(history(5, ['date', 'open', 'close']), [])).toMatchObject({ kind: 'empty' });
  });
});
