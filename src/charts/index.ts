/**
 * Charts: Freqtrade data → `ChartSpec` (pure builders) → PNG (a lazily started worker thread with
 * chart.js on @napi-rs/canvas). The only entry point of src/charts/; nothing outside imports the
 * other files. Importing this module loads neither chart.js nor the native canvas.
 */
export {
  candleChartSpec,
  cumulativeProfitSpec,
  performanceSpec,
  periodChartSpec,
  type CandleChartTrade,
  type ClosedTradesOfBot,
  type ProfitPeriod,
} from './build.js';
export { CHART_HEIGHT, CHART_WIDTH, type ChartDrawer, loadChartDrawer } from './draw.js';
export {
  type ChartRenderer,
  chartsAvailable,
  loadChartRenderer,
  MAX_CHART_BYTES,
  type RenderedChart,
} from './renderer.js';
export {
  CHART_KINDS,
  type ChartCandle,
  type ChartKind,
  type ChartLevel,
  type ChartMarker,
  type ChartPoint,
  type ChartSeries,
  type ChartSpec,
  chartText,
} from './spec.js';
