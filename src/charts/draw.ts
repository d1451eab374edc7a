/**
 * Draws a `ChartSpec` to a PNG with chart.js on @napi-rs/canvas. `loadChartDrawer` is the only
 * place that loads them, with dynamic `import()`, so nothing reachable from `main.ts` loads the
 * native module at start. Used by the render worker (`render-worker.ts`) and, in-thread, by tests.
 * Type-only imports below are erased at compile time.
 */
import { createRequire } from 'node:module';
import type { Canvas, SKRSContext2D } from '@napi-rs/canvas';
import type { ChartConfiguration, ChartItem, Plugin, Scale } from 'chart.js';
import type { CandlestickController, CandlestickElement } from 'chartjs-chart-financial';
import { formatSignedAmount } from '../format/money.js';
import { chartText, type ChartSpec } from './spec.js';

export const CHART_WIDTH = 1280;
export const CHART_HEIGHT = 720;
const FONT_FAMILY = 'Roboto';

export const COLORS = {
  background: '#ffffff',
  text: '#1f2328',
  muted: '#57606a',
  grid: '#e5e7eb',
  green: '#16a34a',
  red: '#dc2626',
  gray: '#9ca3af',
  entry: '#2563eb',
  exit: '#f59e0b',
  level: '#dc2626',
  drawdown: 'rgba(220, 38, 38, 0.12)',
  series: ['#2563eb', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#db2777', '#65a30d', '#475569'],
} as const;

export interface RenderedChart {
  png: Buffer;
  width: number;
  height: number;
}

/** Draws one spec synchronously (holds the event loop while it draws). */
export type ChartDrawer = (spec: ChartSpec) => RenderedChart;

type ChartModule = typeof import('chart.js');
type CanvasModule = typeof import('@napi-rs/canvas');
interface FinancialModule {
  CandlestickController: typeof CandlestickController;
  CandlestickElement: typeof CandlestickElement;
}

/**
 * The package's `main` is a UMD bundle that does nothing when imported as ESM (the package says
 * `"type": "module"`), so the ESM build is imported by path. A `string` so TypeScript does not
 * look for declarations of that path; the types come from the package's own `types`.
 */
const FINANCIAL_ESM: string = 'chartjs-chart-financial/dist/chartjs-chart-financial.esm.js';

/** Loads chart.js, the financial controllers and the canvas, registers the fonts. Throws if the native module cannot load. */
export async function loadChartDrawer(): Promise<ChartDrawer> {
  const canvasModule: CanvasModule = await import('@napi-rs/canvas');
  const chartModule: ChartModule = await import('chart.js');
  const financial = (await import(FINANCIAL_ESM)) as FinancialModule;
  registerFonts(canvasModule);
  const { Chart } = chartModule;
  Chart.register(
    chartModule.BarController,
    chartModule.BarElement,
    chartModule.LineController,
    chartModule.LineElement,
    chartModule.PointElement,
    chartModule.ScatterController,
    chartModule.CategoryScale,
    chartModule.LinearScale,
    chartModule.Title,
    chartModule.SubTitle,
    chartModule.Legend,
    financial.CandlestickController,
    financial.CandlestickElement,
  );
  Chart.defaults.font.family = FONT_FAMILY;
  Chart.defaults.font.size = 16;
  Chart.defaults.color = COLORS.text;
  Chart.defaults.borderColor = COLORS.grid;
  return (spec) => drawSpec(chartModule, canvasModule, spec);
}

let fontsRegistered = false;
function registerFonts(canvasModule: CanvasModule): void {
  if (fontsRegistered) return;
  const require = createRequire(import.meta.url);
  for (const file of [
    '@expo-google-fonts/roboto/400Regular/Roboto_400Regular.ttf',
    '@expo-google-fonts/roboto/700Bold/Roboto_700Bold.ttf',
  ]) {
    const path = require.resolve(file);
    if (!canvasModule.GlobalFonts.registerFromPath(path, FONT_FAMILY)) {
      throw new Error(`could not register the font ${path}`);
    }
  }
  fontsRegistered = true;
}

function drawSpec(chartModule: ChartModule, canvasModule: CanvasModule, spec: ChartSpec): RenderedChart {
  const canvas = canvasModule.createCanvas(CHART_WIDTH, CHART_HEIGHT);
  if (spec.kind === 'empty') {
    drawEmpty(canvas, spec);
    return { png: canvas.toBuffer('image/png'), width: CHART_WIDTH, height: CHART_HEIGHT };
  }
  const config = chartConfig(spec);
  // chart.js runs on its BasicPlatform without a DOM: it takes the canvas as is.
  const chart = new chartModule.Chart(canvas as unknown as ChartItem, config);
  try {
    // Encode before destroy(): destroy clears the canvas.
    return { png: canvas.toBuffer('image/png'), width: CHART_WIDTH, height: CHART_HEIGHT };
  } finally {
    chart.destroy();
  }
}

// ---------------------------------------------------------------- shared pieces

const whiteBackground: Plugin = {
  id: 'ftcBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = COLORS.background;
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

function titles(title: string, subtitle: string | undefined) {
  return {
    title: {
      display: true,
      text: chartText(title),
      font: { size: 26, weight: 'bold' as const },
      color: COLORS.text,
      padding: { top: 8, bottom: subtitle ? 4 : 16 },
    },
    subtitle: {
      display: Boolean(subtitle),
      text: chartText(subtitle ?? ''),
      font: { size: 18 },
      color: COLORS.muted,
      padding: { bottom: 16 },
    },
  };
}

function baseOptions() {
  return {
    responsive: false,
    animation: false as const,
    devicePixelRatio: 1,
    layout: { padding: { left: 16, right: 24, top: 8, bottom: 12 } },
    events: [],
  };
}

const signColor = (value: number): string => (value >= 0 ? COLORS.green : COLORS.red);

/** Short tick text: 1234567 → "1.23M", 0.000123 → "0.000123". */
export function tickNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${trim(value / 1e9)}B`;
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e4) return `${trim(value / 1e3)}k`;
  if (abs === 0) return '0';
  return Number(value.toPrecision(6)).toString();
}
const trim = (value: number): string => Number(value.toFixed(2)).toString();

const MINUTE_MS = 60_000;
const TIME_STEPS_MS = [
  5, 15, 30, 60, 120, 240, 360, 720, 1_440, 2_880, 10_080, 20_160, 43_200, 129_600, 525_600,
].map((minutes) => minutes * MINUTE_MS);

/**
 * Tick times at round UTC steps (5 min, 1 h, 1 day, 1 week...) between `min` and `max`, at most
 * about `count` of them; chart.js's own linear ticks would fall on odd times.
 */
export function roundTimeTicks(min: number, max: number, count = 8): number[] {
  const span = Math.max(max - min, 1);
  const step = TIME_STEPS_MS.find((candidate) => span / candidate <= count) ?? span / count;
  const ticks: number[] = [];
  for (let tick = Math.ceil(min / step) * step; tick <= max; tick += step) ticks.push(tick);
  return ticks;
}

/** Replaces a time axis's ticks with `roundTimeTicks`. */
function roundTimeAxis(scale: Scale): void {
  scale.ticks = roundTimeTicks(scale.min, scale.max).map((value) => ({ value }));
}

/** "11-28" ticks over less than a year, "2026-11" beyond, "11-28 14:00" within two days. */
function timeTickFormatter(minT: number, maxT: number): (value: number) => string {
  const span = maxT - minT;
  return (value) => {
    const iso = new Date(value).toISOString();
    if (span <= 2 * 86_400_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
    if (span <= 370 * 86_400_000) return iso.slice(5, 10);
    return iso.slice(0, 7);
  };
}

function axisTitle(text: string) {
  return { display: Boolean(text), text: chartText(text), color: COLORS.muted, font: { size: 16 } };
}

// ---------------------------------------------------------------- configs per kind

function chartConfig(spec: Exclude<ChartSpec, { kind: 'empty' }>): ChartConfiguration {
  switch (spec.kind) {
    case 'bars':
    case 'hbars':
      return barsConfig(spec);
    case 'lines':
      return linesConfig(spec);
    case 'candles':
      return candlesConfig(spec);
  }
}

/** Writes each bar's value at its end when there is room (few bars). */
const barValues: Plugin<'bar'> = {
  id: 'ftcBarValues',
  afterDatasetsDraw(chart) {
    const meta = chart.getDatasetMeta(0);
    const values = chart.data.datasets[0]?.data as number[] | undefined;
    if (!values || values.length > 31) return;
    const horizontal = chart.options.indexAxis === 'y';
    const unit = (chart.options.plugins as { ftcBarValues?: { unit?: string } }).ftcBarValues?.unit ?? '';
    const { ctx } = chart;
    ctx.save();
    ctx.font = `${values.length > 15 ? 12 : 14}px ${FONT_FAMILY}`;
    ctx.fillStyle = COLORS.text;
    meta.data.forEach((bar, index) => {
      const value = values[index];
      if (value === undefined) return;
      const text = formatSignedAmount(value, unit);
      const { x, y } = bar.getProps(['x', 'y'], true) as { x: number; y: number };
      if (horizontal) {
        ctx.textBaseline = 'middle';
        ctx.textAlign = value >= 0 ? 'left' : 'right';
        ctx.fillText(text, x + (value >= 0 ? 6 : -6), y);
      } else {
        ctx.textAlign = 'center';
        ctx.textBaseline = value >= 0 ? 'bottom' : 'top';
        ctx.fillText(text, x, y + (value >= 0 ? -4 : 4));
      }
    });
    ctx.restore();
  },
};

function barsConfig(spec: Extract<ChartSpec, { kind: 'bars' | 'hbars' }>): ChartConfiguration {
  const horizontal = spec.kind === 'hbars';
  const valueAxis = {
    grid: { color: COLORS.grid },
    ticks: { callback: (value: number | string) => tickNumber(Number(value)) },
    title: axisTitle(spec.unit),
    grace: '8%',
  };
  const labelAxis = { grid: { display: false }, ticks: { autoSkip: !horizontal } };
  return {
    type: 'bar',
    data: {
      labels: spec.labels.map(chartText),
      datasets: [
        {
          data: spec.values,
          backgroundColor: spec.values.map(signColor),
          borderWidth: 0,
          maxBarThickness: 64,
        },
      ],
    },
    options: {
      ...baseOptions(),
      indexAxis: horizontal ? 'y' : 'x',
      plugins: {
        ...titles(spec.title, spec.subtitle),
        legend: { display: false },
        ftcBarValues: { unit: spec.unit },
      } as Record<string, unknown>,
      scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
    },
    plugins: [whiteBackground, barValues as Plugin],
  };
}

function linesConfig(spec: Extract<ChartSpec, { kind: 'lines' }>): ChartConfiguration {
  const times = spec.series.flatMap((series) => series.points.map((point) => point.t));
  const minT = Math.min(...times);
  const maxT = Math.max(...times);
  const drawdown = spec.drawdown;
  const shading: Plugin = {
    id: 'ftcDrawdown',
    beforeDatasetsDraw(chart) {
      if (!drawdown) return;
      const x = chart.scales['x'] as Scale;
      const { top, bottom } = chart.chartArea;
      const left = x.getPixelForValue(drawdown.fromT);
      const right = Math.max(x.getPixelForValue(drawdown.toT), left + 2);
      const { ctx } = chart;
      ctx.save();
      ctx.fillStyle = COLORS.drawdown;
      ctx.fillRect(left, top, right - left, bottom - top);
      ctx.strokeStyle = COLORS.red;
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.5;
      for (const edge of [left, right]) {
        ctx.beginPath();
        ctx.moveTo(edge, top);
        ctx.lineTo(edge, bottom);
        ctx.stroke();
      }
      ctx.setLineDash([]);
      ctx.fillStyle = COLORS.red;
      ctx.font = `bold 15px ${FONT_FAMILY}`;
      ctx.textBaseline = 'top';
      const text = chartText(drawdown.label);
      const width = ctx.measureText(text).width;
      const fitsRight = left + 6 + width <= chart.chartArea.right;
      ctx.textAlign = fitsRight ? 'left' : 'right';
      ctx.fillText(text, fitsRight ? left + 6 : right - 6, top + 6);
      ctx.restore();
    },
  };
  const many = spec.series.length > 1;
  return {
    type: 'line',
    data: {
      datasets: spec.series.map((series, index) => {
        const color = COLORS.series[index % COLORS.series.length] ?? COLORS.text;
        return {
          label: chartText(series.name),
          data: series.points.map((point) => ({ x: point.t, y: point.v })),
          borderColor: color,
          backgroundColor: color,
          borderWidth: 3,
          pointRadius: series.points.length > 60 ? 0 : 3,
          tension: 0,
        };
      }),
    },
    options: {
      ...baseOptions(),
      plugins: {
        ...titles(spec.title, spec.subtitle),
        legend: { display: many, position: 'bottom', labels: { boxWidth: 24 } },
      },
      scales: {
        x: {
          type: 'linear',
          min: minT,
          max: maxT > minT ? maxT : minT + 1,
          grid: { color: COLORS.grid },
          afterBuildTicks: roundTimeAxis,
          ticks: { callback: (value) => timeTickFormatter(minT, maxT)(Number(value)), maxRotation: 0 },
        },
        y: {
          grid: { color: COLORS.grid },
          ticks: { callback: (value) => tickNumber(Number(value)) },
          title: axisTitle(spec.unit),
          grace: '5%',
        },
      },
    },
    plugins: [whiteBackground, shading],
  };
}

function candlesConfig(spec: Extract<ChartSpec, { kind: 'candles' }>): ChartConfiguration {
  const candles = spec.candles;
  const minT = candles[0]?.t ?? 0;
  const maxT = candles.at(-1)?.t ?? minT + 1;
  const step = candles.length > 1 ? (maxT - minT) / (candles.length - 1) : 60_000;
  const levels = spec.levels;
  const levelLines: Plugin = {
    id: 'ftcLevels',
    afterDatasetsDraw(chart) {
      const y = chart.scales['y'] as Scale;
      const { left, right, top, bottom } = chart.chartArea;
      const { ctx } = chart;
      ctx.save();
      for (const level of levels) {
        const pixel = y.getPixelForValue(level.price);
        if (pixel < top || pixel > bottom) continue;
        ctx.strokeStyle = COLORS.level;
        ctx.lineWidth = 2;
        ctx.setLineDash([10, 6]);
        ctx.beginPath();
        ctx.moveTo(left, pixel);
        ctx.lineTo(right, pixel);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = COLORS.level;
        ctx.font = `bold 14px ${FONT_FAMILY}`;
        ctx.textAlign = 'left';
        ctx.textBaseline = 'bottom';
        ctx.fillText(chartText(level.label), left + 8, pixel - 4);
      }
      ctx.restore();
    },
  };
  const prices = [
    ...candles.flatMap((candle) => [candle.h, candle.l]),
    ...levels.map((level) => level.price),
  ];
  const markerSet = (kind: 'entry' | 'exit') => {
    const markers = spec.markers.filter((marker) => marker.kind === kind);
    return {
      type: 'scatter' as const,
      label: kind === 'entry' ? 'entry' : 'exit',
      data: markers.map((marker) => ({ x: marker.t, y: marker.price })),
      backgroundColor: kind === 'entry' ? COLORS.entry : COLORS.exit,
      borderColor: '#111827',
      borderWidth: 1,
      pointStyle: 'triangle' as const,
      pointRadius: 10,
      // Long entries and short exits point up (a buy); short entries and long exits point down (a sell).
      rotation: markers.map((marker) => ((marker.kind === 'entry') === (marker.side === 'long') ? 0 : 180)),
    };
  };
  const config = {
    type: 'candlestick',
    data: {
      datasets: [
        {
          type: 'candlestick',
          label: chartText(spec.unit ? `price (${spec.unit})` : 'price'),
          data: candles.map((candle) => ({
            x: candle.t,
            o: candle.o,
            h: candle.h,
            l: candle.l,
            c: candle.c,
          })),
          backgroundColors: { up: COLORS.green, down: COLORS.red, unchanged: COLORS.gray },
          borderColors: { up: COLORS.green, down: COLORS.red, unchanged: COLORS.gray },
        },
        markerSet('entry'),
        markerSet('exit'),
      ],
    },
    options: {
      ...baseOptions(),
      plugins: {
        ...titles(spec.title, spec.subtitle),
        legend: {
          display: spec.markers.length > 0,
          position: 'bottom',
          // Only the markers: the candles explain themselves.
          labels: {
            usePointStyle: true,
            filter: (item: { datasetIndex?: number }) => item.datasetIndex !== 0,
          },
        },
      },
      scales: {
        x: {
          type: 'linear',
          offset: false,
          min: minT - step,
          max: maxT + step,
          grid: { color: COLORS.grid },
          afterBuildTicks: roundTimeAxis,
          ticks: {
            callback: (value: number | string) => timeTickFormatter(minT, maxT)(Number(value)),
            maxRotation: 0,
          },
        },
        y: {
          type: 'linear',
          position: 'right',
          // Room for every candle and level; chart.js rounds the bounds to nice ticks.
          suggestedMin: prices.length ? padLow(Math.min(...prices), Math.max(...prices)) : undefined,
          suggestedMax: prices.length ? padHigh(Math.min(...prices), Math.max(...prices)) : undefined,
          grid: { color: COLORS.grid },
          ticks: { callback: (value: number | string) => tickNumber(Number(value)) },
        },
      },
    },
    plugins: [whiteBackground, levelLines],
  };
  return config as unknown as ChartConfiguration;
}

const padLow = (min: number, max: number): number => min - (max - min || Math.abs(min) || 1) * 0.02;
const padHigh = (min: number, max: number): number => max + (max - min || Math.abs(max) || 1) * 0.02;

// ---------------------------------------------------------------- the empty state

function drawEmpty(canvas: Canvas, spec: Extract<ChartSpec, { kind: 'empty' }>): void {
  const ctx: SKRSContext2D = canvas.getContext('2d');
  ctx.fillStyle = COLORS.background;
  ctx.fillRect(0, 0, CHART_WIDTH, CHART_HEIGHT);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillStyle = COLORS.text;
  ctx.font = `bold 26px ${FONT_FAMILY}`;
  ctx.fillText(chartText(spec.title), CHART_WIDTH / 2, 24);
  // A faint empty frame with axes, so the image reads as "a chart with nothing in it".
  const left = 120;
  const right = CHART_WIDTH - 120;
  const top = 110;
  const bottom = CHART_HEIGHT - 90;
  ctx.strokeStyle = COLORS.grid;
  ctx.lineWidth = 1;
  for (let row = 0; row <= 4; row++) {
    const y = top + ((bottom - top) * row) / 4;
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(right, y);
    ctx.stroke();
  }
  ctx.strokeStyle = COLORS.gray;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(left, top);
  ctx.lineTo(left, bottom);
  ctx.lineTo(right, bottom);
  ctx.stroke();
  ctx.fillStyle = COLORS.muted;
  ctx.font = `22px ${FONT_FAMILY}`;
  ctx.textBaseline = 'middle';
  ctx.fillText(chartText(spec.message), CHART_WIDTH / 2, (top + bottom) / 2);
}
