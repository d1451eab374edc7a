/**
 * The chart renderer for real: each kind drawn by the worker thread, the PNG decoded with
 * @napi-rs/canvas and its pixels checked (size, colours, how much is not background, text).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChartRenderer,
  type ChartSpec,
  loadChartRenderer,
  MAX_CHART_BYTES,
} from '../src/charts/index.js';
import { pngPixels } from './support/png-pixels.js';

/** Decodes a PNG and counts its pixels; a painted background means no transparent pixel. */
async function pixels(png: Buffer) {
  const stats = await pngPixels(png);
  // A painted background: transparent PNGs look black in Telegram's dark mode.
  expect(stats.transparent).toBe(0);
  return stats;
}

const T0 = Date.UTC(2026, 10, 20);
const HOUR = 3_600_000;

const candles = Array.from({ length: 150 }, (_, index) => {
  const o = 100 + Math.sin(index / 9) * 4;
  const c = o + Math.sin(index * 1.7) * 1.2;
  return { t: T0 + index * 300_000, o, h: Math.max(o, c) + 0.6, l: Math.min(o, c) - 0.6, c };
});

const SPECS: Record<ChartSpec['kind'], ChartSpec> = {
  bars: {
    kind: 'bars',
    title: 'Daily profit',
    subtitle: 'Total: +8.20 USDT over 7 days',
    labels: ['11-25', '11-26', '11-27', '11-28', '11-29', '11-30', '12-01'],
    values: [3.2, -1.5, 0, 5.6, -2.1, 1.4, 1.6],
    unit: 'USDT',
  },
  hbars: {
    kind: 'hbars',
    title: 'Performance per pair',
    labels: ['BTC/USDT', 'ETH/USDT', 'others (3 pairs)'],
    values: [12.5, -3.25, 1],
    unit: 'USDT',
  },
  lines: {
    kind: 'lines',
    title: 'Cumulative profit',
    unit: 'USDT',
    series: [
      {
        name: 'alpha',
        points: Array.from({ length: 30 }, (_, i) => ({ t: T0 + i * HOUR, v: Math.sin(i / 4) * 8 + i / 2 })),
      },
      { name: 'beta', points: Array.from({ length: 20 }, (_, i) => ({ t: T0 + i * 1.5 * HOUR, v: -i / 3 })) },
    ],
    drawdown: { fromT: T0 + 6 * HOUR, toT: T0 + 18 * HOUR, label: 'max drawdown -12.00 USDT' },
  },
  candles: {
    kind: 'candles',
    title: 'BTC/USDT 5m',
    unit: 'USDT',
    candles,
    markers: [
      { t: candles[30]?.t ?? T0, price: candles[30]?.c ?? 100, kind: 'entry', side: 'long', label: '#1' },
      { t: candles[90]?.t ?? T0, price: candles[90]?.c ?? 100, kind: 'exit', side: 'long', label: '#1' },
    ],
    levels: [{ price: 97, label: 'stop loss 97 (#2)' }],
  },
  empty: { kind: 'empty', title: 'Cumulative profit', message: 'no closed trades yet' },
};

describe('chart renderer (worker thread, chart.js on @napi-rs/canvas)', () => {
  let renderer: ChartRenderer;
  beforeAll(async () => {
    renderer = await loadChartRenderer();
  }, 60_000);
  afterAll(async () => {
    await renderer.close();
  });

  it.each(Object.values(SPECS))(
    'draws a $kind chart: 1280×720 PNG with several colours and content',
    async (spec) => {
      const rendered = await renderer.render(spec);
      expect(rendered.width).toBe(1280);
      expect(rendered.height).toBe(720);
      expect(rendered.png.byteLength).toBeLessThan(MAX_CHART_BYTES);
      const stats = await pixels(rendered.png);
      expect(stats.width).toBeGreaterThanOrEqual(600);
      expect(stats.height).toBeGreaterThanOrEqual(300);
      expect(stats.colours).toBeGreaterThanOrEqual(spec.kind === 'empty' ? 3 : 8);
      // White background, not transparent (alpha checked above), and not empty: some ink, not all ink.
      expect(stats.inked).toBeGreaterThan(spec.kind === 'empty' ? 0.002 : 0.01);
      expect(stats.inked).toBeLessThan(0.9);
    },
  );

  it('colours profitable days green and losing days red', async () => {
    const stats = await pixels((await renderer.render(SPECS.bars)).png);
    expect(stats.green).toBeGreaterThan(1_000);
    expect(stats.red).toBeGreaterThan(1_000);
    const allUp = await pixels(
      (await renderer.render({ ...SPECS.bars, values: [1, 2, 3, 4, 5, 6, 7] } as ChartSpec)).png,
    );
    expect(allUp.green).toBeGreaterThan(1_000);
    expect(allUp.red).toBeLessThan(50);
  });

  it('draws the candles green and red, and the stop-loss level', async () => {
    const stats = await pixels((await renderer.render(SPECS.candles)).png);
    expect(stats.green).toBeGreaterThan(1_000);
    expect(stats.red).toBeGreaterThan(1_000);
  });

  it('draws text: a title alone makes pixels (the font is registered)', async () => {
    const bare: ChartSpec = { kind: 'bars', title: '', labels: [], values: [], unit: '' };
    const titled: ChartSpec = { ...bare, title: 'A title with some words in it' };
    const without = await pixels((await renderer.render(bare)).png);
    const withTitle = await pixels((await renderer.render(titled)).png);
    expect(withTitle.inked - without.inked).toBeGreaterThan(0.001);
  });

  it('draws labels with emoji and CJK without failing (they are stripped)', async () => {
    const rendered = await renderer.render({
      ...SPECS.hbars,
      labels: ['BTC/USDT 🚀', '比特币/USDT', '₿ others'],
    } as ChartSpec);
    expect((await pixels(rendered.png)).inked).toBeGreaterThan(0.01);
  });

  it('renders charts asked for at once, one after another, each complete', async () => {
    const all = await Promise.all(Object.values(SPECS).map((spec) => renderer.render(spec)));
    expect(all).toHaveLength(5);
    for (const rendered of all) expect(rendered.png.byteLength).toBeGreaterThan(1_000);
  });

  it('shares one renderer per process and starts a new one after close', async () => {
    expect(await loadChartRenderer()).toBe(renderer);
    const other = await loadChartRenderer();
    await other.close();
    await expect(other.render(SPECS.empty)).rejects.toThrow(/closed/);
    renderer = await loadChartRenderer();
    expect(renderer).not.toBe(other);
    expect((await renderer.render(SPECS.empty)).width).toBe(1280);
  }, 60_000);
});
