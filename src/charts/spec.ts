/**
 * What a chart shows, as plain data: no chart library types, no platform types. The builders in
 * `build.ts` make these from Freqtrade's answers; the renderer draws them. Times are epoch ms UTC.
 */

/** A point of a line series: `t` epoch ms UTC, `v` the value in the chart's unit. */
export interface ChartPoint {
  t: number;
  v: number;
}

export interface ChartSeries {
  name: string;
  points: ChartPoint[];
}

export interface ChartCandle {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
}

export interface ChartMarker {
  t: number;
  price: number;
  kind: 'entry' | 'exit';
  side: 'long' | 'short';
  label?: string;
}

export interface ChartLevel {
  price: number;
  label: string;
}

export type ChartSpec =
  /** Vertical bars, oldest left: green for values ≥ 0, red below. */
  | { kind: 'bars'; title: string; subtitle?: string; labels: string[]; values: number[]; unit: string }
  /** Horizontal bars, first on top (performance per pair): green ≥ 0, red below. */
  | { kind: 'hbars'; title: string; subtitle?: string; labels: string[]; values: number[]; unit: string }
  /** Lines over time; `drawdown` is shaded between its two times. */
  | {
      kind: 'lines';
      title: string;
      subtitle?: string;
      unit: string;
      series: ChartSeries[];
      drawdown?: { fromT: number; toT: number; label: string };
    }
  /** Candlesticks with trade markers and horizontal price levels (e.g. the stop loss). */
  | {
      kind: 'candles';
      title: string;
      subtitle?: string;
      unit: string;
      candles: ChartCandle[];
      markers: ChartMarker[];
      levels: ChartLevel[];
    }
  /** Nothing to draw: an image that says so. */
  | { kind: 'empty'; title: string; message: string };

export type ChartKind = ChartSpec['kind'];

export const CHART_KINDS: readonly ChartKind[] = ['bars', 'hbars', 'lines', 'candles', 'empty'];

/**
 * Characters the bundled font (Roboto) can draw: Latin (with Latin-1 and Extended-A/B), Greek,
 * Cyrillic, general punctuation, currency signs up to ₾ (₿ is U+20BF, missing), and the minus sign.
 */
const DRAWABLE =
  /[\u0020-\u007E\u00A0-\u024F\u0370-\u03FF\u0400-\u04FF\u2010-\u2027\u2030-\u205E\u20A0-\u20BE\u2212]/u;

/**
 * A label the font can draw: emoji, ₿, CJK and control characters removed (Roboto lacks them and
 * would draw nothing or boxes), runs of spaces collapsed, trimmed. Pure.
 */
export function chartText(text: string): string {
  let kept = '';
  for (const char of text) kept += DRAWABLE.test(char) ? char : ' ';
  return kept.replace(/\s+/g, ' ').trim();
}
