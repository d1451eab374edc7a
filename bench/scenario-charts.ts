/**
 * (e) Charts: how long one chart takes, cold (first of its kind in a fresh drawer) and warm, per
 * kind, and how long drawing holds an event loop: in-thread (`loadChartDrawer`, what the worker
 * does) and through the worker-backed renderer the bot uses (its main loop should stay free).
 * Event-loop delay is `perf_hooks.monitorEventLoopDelay` at 10 ms resolution while rendering.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep, setImmediate as turn } from 'node:timers/promises';
import {
  CHART_KINDS,
  type ChartKind,
  type ChartSpec,
  loadChartDrawer,
  loadChartRenderer,
} from '../src/charts/index.js';

export interface ChartKindTiming {
  kind: ChartKind;
  coldMs: number;
  warmMedianMs: number;
  warmMaxMs: number;
  bytes: number;
}

export interface ChartsResult {
  /** Loading chart.js + canvas + fonts in-thread. */
  loadMs: number;
  /** Starting the worker until it is ready. */
  workerStartMs: number;
  kinds: ChartKindTiming[];
  /** Max event-loop delay of this thread while it drew every kind `warmRuns` times in-thread. */
  inThreadLoopDelayMaxMs: number;
  inThreadLoopDelayP50Ms: number;
  workerLoopDelayP50Ms: number;
  /** Baseline: max delay of the same thread doing nothing for as long as the worker renders took. */
  idleLoopDelayMaxMs: number;
  /** Same renders through the worker: max delay of the main thread. */
  workerLoopDelayMaxMs: number;
  /** Wall time of one render through the worker (post → PNG back), median over all kinds. */
  workerRenderMedianMs: number;
  warmRuns: number;
}

const T0 = Date.UTC(2026, 10, 20);

export function sampleSpecs(): Record<ChartKind, ChartSpec> {
  const candles = Array.from({ length: 150 }, (_, index) => {
    const o = 100 + Math.sin(index / 9) * 4;
    const c = o + Math.sin(index * 1.7) * 1.2;
    return { t: T0 + index * 300_000, o, h: Math.max(o, c) + 0.6, l: Math.min(o, c) - 0.6, c };
  });
  return {
    bars: {
      kind: 'bars',
      title: 'Daily profit',
      subtitle: 'Total: +12.34 USDT over 30 days',
      labels: Array.from({ length: 30 }, (_, i) => new Date(T0 + i * 86_400_000).toISOString().slice(5, 10)),
      values: Array.from({ length: 30 }, (_, i) => Math.sin(i) * 5),
      unit: 'USDT',
    },
    hbars: {
      kind: 'hbars',
      title: 'Performance per pair',
      labels: [...Array.from({ length: 20 }, (_, i) => `PAIR${i}/USDT`), 'others (12 pairs)'],
      values: Array.from({ length: 21 }, (_, i) => 10 - i),
      unit: 'USDT',
    },
    lines: {
      kind: 'lines',
      title: 'Cumulative profit',
      unit: 'USDT',
      series: ['alpha', 'beta', 'total'].map((name, s) => ({
        name,
        points: Array.from({ length: 200 }, (_, i) => ({
          t: T0 + i * 3_600_000,
          v: Math.sin(i / (10 + s)) * 20 + i / 10,
        })),
      })),
      drawdown: { fromT: T0 + 20 * 3_600_000, toT: T0 + 50 * 3_600_000, label: 'max drawdown -30.00 USDT' },
    },
    candles: {
      kind: 'candles',
      title: 'BTC/USDT 5m',
      unit: 'USDT',
      candles,
      markers: [
        { t: candles[30]?.t ?? T0, price: candles[30]?.c ?? 100, kind: 'entry', side: 'long' },
        { t: candles[90]?.t ?? T0, price: candles[90]?.c ?? 100, kind: 'exit', side: 'long' },
      ],
      levels: [{ price: 97, label: 'stop loss 97' }],
    },
    empty: { kind: 'empty', title: 'Cumulative profit', message: 'no closed trades yet' },
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

export async function charts(opts: { warmRuns: number }): Promise<ChartsResult> {
  const specs = sampleSpecs();
  const loadBegan = performance.now();
  const draw = await loadChartDrawer();
  const loadMs = performance.now() - loadBegan;

  const inThread = monitorEventLoopDelay({ resolution: 10 });
  inThread.enable();
  const kinds: ChartKindTiming[] = [];
  for (const kind of CHART_KINDS) {
    const spec = specs[kind];
    let began = performance.now();
    const first = draw(spec);
    const coldMs = performance.now() - began;
    await turn();
    const warm: number[] = [];
    for (let run = 0; run < opts.warmRuns; run++) {
      began = performance.now();
      draw(spec);
      warm.push(performance.now() - began);
      // Native canvases free memory when the loop turns: one chart at a time, a turn between.
      await turn();
    }
    kinds.push({
      kind,
      coldMs,
      warmMedianMs: median(warm),
      warmMaxMs: Math.max(...warm),
      bytes: first.png.byteLength,
    });
  }
  inThread.disable();

  const startBegan = performance.now();
  const renderer = await loadChartRenderer();
  const workerStartMs = performance.now() - startBegan;
  for (const kind of CHART_KINDS) await renderer.render(specs[kind]); // warm the worker
  const viaWorker = monitorEventLoopDelay({ resolution: 10 });
  viaWorker.enable();
  const renderTimes: number[] = [];
  const workerBegan = performance.now();
  for (let run = 0; run < opts.warmRuns; run++) {
    for (const kind of CHART_KINDS) {
      const began = performance.now();
      await renderer.render(specs[kind]);
      renderTimes.push(performance.now() - began);
    }
  }
  viaWorker.disable();
  const workerWallMs = performance.now() - workerBegan;
  await renderer.close();
  const idle = monitorEventLoopDelay({ resolution: 10 });
  idle.enable();
  await sleep(workerWallMs);
  idle.disable();
  return {
    loadMs,
    workerStartMs,
    kinds,
    inThreadLoopDelayMaxMs: inThread.max / 1e6,
    workerLoopDelayMaxMs: viaWorker.max / 1e6,
    inThreadLoopDelayP50Ms: inThread.percentile(50) / 1e6,
    workerLoopDelayP50Ms: viaWorker.percentile(50) / 1e6,
    idleLoopDelayMaxMs: idle.max / 1e6,
    workerRenderMedianMs: median(renderTimes),
    warmRuns: opts.warmRuns,
  };
}
