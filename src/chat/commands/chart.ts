/*
 * /chart: Freqtrade's figures as a picture (issue 15). `daily|weekly|monthly [n]` bars of profit per
 * period, `profit` the cumulative profit of closed trades with its drawdown (a line per bot with
 * bot=all), `performance` profit per pair, `<PAIR> [timeframe]` candles with the bot's entries,
 * exits and stop loss. The data comes from the REST API, the picture from src/charts/ (a worker
 * thread, one chart at a time); the reply carries the PNG, a caption and an alt text.
 */
import { z } from 'zod';
import {
  type CandleChartTrade,
  type ChartRenderer,
  type ChartSpec,
  cumulativeProfitSpec,
  candleChartSpec,
  loadChartRenderer,
  performanceSpec,
  periodChartSpec,
  type ProfitPeriod,
} from '../../charts/index.js';
import { ChartsUnavailableError, ChatopsError, UserInputError } from '../../errors.js';
import type { FreqtradeClient } from '../../freqtrade/client.js';
import type { PairHistory, TimeUnitProfit } from '../../freqtrade/schemas.js';
import { plural } from '../../format/plural.js';
import { arg, echoInput, pairProblem } from '../arguments.js';
import { closedTradesSince } from '../closed-trades.js';
import type { Reply, ReplyBlock, ReplyImage, ReplyTone } from '../reply.js';
import { matchesTyped, type Suggester, type Suggestion, withSuggestions } from '../suggestions.js';
import { type CommandRun, type CommandServices, defineCommand } from '../types.js';
import { stakeCurrencyOf } from './secondary-calls.js';

/** The chart kinds named by a word; any other kind is a pair (a candle chart). */
export const CHART_WORDS = ['daily', 'weekly', 'monthly', 'profit', 'performance'] as const;
type ChartWord = (typeof CHART_WORDS)[number];
/** The kind word of a candle chart whose pair comes as `pair=` (Discord's pair option). */
const CANDLES_WORD = 'candles';

/** How many candles a candle chart asks Freqtrade for (`limit` of /pair_candles). */
export const CHART_CANDLES = 150;

const USAGE =
  '/chart [kind] [n]: kind is daily (default), weekly or monthly (n periods), profit, performance, or a pair like BTC/USDT [timeframe] (or candles pair=… timeframe=…)';
const KINDS_TEXT = 'daily, weekly, monthly, profit, performance, or a pair like BTC/USDT';

/** Per period kind: the unit, how many by default and at most (as /daily, /weekly, /monthly), and the call. */
const PERIODS: Record<
  ProfitPeriod,
  {
    unit: string;
    adjective: string;
    defaultCount: number;
    maxCount: number;
    fetch(bot: FreqtradeClient, n: number): Promise<TimeUnitProfit>;
  }
> = {
  daily: { unit: 'day', adjective: 'Daily', defaultCount: 7, maxCount: 365, fetch: (bot, n) => bot.daily(n) },
  weekly: {
    unit: 'week',
    adjective: 'Weekly',
    defaultCount: 8,
    maxCount: 52,
    fetch: (bot, n) => bot.weekly(n),
  },
  monthly: {
    unit: 'month',
    adjective: 'Monthly',
    defaultCount: 6,
    maxCount: 24,
    fetch: (bot, n) => bot.monthly(n),
  },
};

/** Freqtrade's timeframes: a count and a unit (`1m`, `5m`, `1h`, `1d`, `1w`, `1M`; `1s` on some exchanges). */
const TIMEFRAME = /^[1-9]\d{0,2}[smhdwMy]$/;
const TIMEFRAME_EXPECTED = 'expected a timeframe like 5m, 1h or 1d';

/** The kind word in lower case, or a pair in upper case; refused when it is neither. */
function kindProblem(text: string): string | undefined {
  const word = text.toLowerCase();
  if ((CHART_WORDS as readonly string[]).includes(word) || word === CANDLES_WORD) return undefined;
  if (text.includes('/')) return pairProblem(text);
  return `expected ${KINDS_TEXT}`;
}

/** The chart kinds, then the bot's whitelisted pairs (a candle chart each). */
const suggestKinds: Suggester = async ({ bot }, prefix) => {
  const words: Suggestion[] = CHART_WORDS.filter((word) => matchesTyped(prefix, word)).map((word) => ({
    label: word,
    value: word,
  }));
  if (matchesTyped(prefix, CANDLES_WORD))
    words.push({ label: `${CANDLES_WORD} (with the pair option)`, value: CANDLES_WORD });
  if (!bot) return words;
  const { whitelist } = await bot.whitelist();
  const pairs = whitelist
    .filter((pair) => matchesTyped(prefix, pair))
    .map((pair) => ({ label: `${pair} (candles)`, value: pair }));
  return [...words, ...pairs];
};

const chartArgs = z.object({
  kind: withSuggestions(
    z
      .string()
      .superRefine((value, ctx) => {
        const problem = kindProblem(value);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      .transform((value) => (value.includes('/') ? value.toUpperCase() : value.toLowerCase()))
      .describe(`${KINDS_TEXT} (a candle chart); daily by default`),
    suggestKinds,
  ).optional(),
  // A number of periods; typed after a pair, a timeframe (`/chart BTC/USDT 5m`). Discord sees an integer.
  n: z
    .string()
    .superRefine((value, ctx) => {
      if (!/^\d+$/.test(value) && !TIMEFRAME.test(value))
        ctx.addIssue({
          code: 'custom',
          message: 'expected a number of periods, or a timeframe after a pair',
        });
    })
    .transform((value): number | string => (/^\d+$/.test(value) ? Number(value) : value))
    .optional()
    .describe('how many days, weeks or months (daily, weekly, monthly)'),
  pair: arg.pair('a pair for a candle chart, e.g. BTC/USDT (or give it as the kind)').optional(),
  timeframe: z
    .string()
    .regex(TIMEFRAME, TIMEFRAME_EXPECTED)
    .optional()
    .describe("the candle chart's timeframe, e.g. 5m (default: the strategy's)"),
});
type ChartArgs = z.infer<typeof chartArgs>;

/** What the arguments ask for: a period chart with its count, the profit or performance chart, or a pair's candles. */
type ChartRequest =
  | { kind: ProfitPeriod; n: number }
  | { kind: 'profit' | 'performance' }
  | { kind: 'candles'; pair: string; timeframe: string | undefined };

/** The arguments checked against each other. Throws `UserInputError` (with the usage line) when they do not fit. */
export function chartRequestOf(args: ChartArgs): ChartRequest {
  const refuse = (message: string): never => {
    throw new UserInputError(message, USAGE);
  };
  const { n } = args;
  const given = args.kind ?? (args.pair !== undefined ? CANDLES_WORD : 'daily');
  const kind = given === CANDLES_WORD && args.pair !== undefined ? args.pair : given;
  if (kind === CANDLES_WORD) refuse('A candle chart needs a pair: /chart <pair> [timeframe].');
  if (kind.includes('/') || args.pair !== undefined) {
    if (!kind.includes('/'))
      refuse(`/chart ${kind} takes no pair; a candle chart is /chart <pair> [timeframe].`);
    if (args.pair !== undefined && args.pair !== kind) refuse(`Two pairs given (${kind} and ${args.pair}).`);
    if (typeof n === 'number') refuse(`After a pair comes a timeframe like 5m, not ${n}.`);
    if (typeof n === 'string' && args.timeframe !== undefined && n !== args.timeframe)
      refuse(`Two timeframes given (${n} and ${args.timeframe}).`);
    return {
      kind: 'candles',
      pair: kind,
      timeframe: args.timeframe ?? (typeof n === 'string' ? n : undefined),
    };
  }
  if (args.timeframe !== undefined)
    refuse(`/chart ${kind} takes no timeframe; only a pair's candle chart does.`);
  const word = kind as ChartWord;
  if (word === 'profit' || word === 'performance') {
    if (n !== undefined) refuse(`/chart ${word} takes no count.`);
    return { kind: word };
  }
  const period = PERIODS[word];
  if (typeof n === 'string') refuse(`Bad n "${echoInput(n)}": expected a number of ${period.unit}s.`);
  const count = typeof n === 'number' ? n : period.defaultCount;
  if (count < 1 || count > period.maxCount)
    refuse(`Bad n "${count}": must be between 1 and ${period.maxCount} ${period.unit}s.`);
  return { kind: word, n: count };
}

// ---------------------------------------------------------------- captions and alt text

/** Profit tone of a total; neutral when there is nothing. */
function toneOfTotal(total: number | undefined): ReplyTone {
  if (total === undefined || !Number.isFinite(total)) return 'neutral';
  return total >= 0 ? 'profit' : 'loss';
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Shortest readable number for alt text (no trailing zeros). */
function short(value: number): string {
  const rounded = Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(4);
  const text = String(Number(rounded));
  return value > 0 ? `+${text}` : text;
}

/** A sentence describing what the chart shows, for screen readers and platforms without images. */
export function chartAltText(spec: ChartSpec): string {
  switch (spec.kind) {
    case 'bars': {
      const up = spec.values.filter((value) => value >= 0).length;
      const down = spec.values.length - up;
      const range = spec.labels.length > 1 ? ` from ${spec.labels[0]} to ${spec.labels.at(-1)}` : '';
      return `Bar chart of ${spec.title.toLowerCase()} in ${spec.unit}, ${plural(spec.values.length, 'bar')}${range}: ${up} green (profit), ${down} red (loss). ${spec.subtitle ?? ''}`.trim();
    }
    case 'hbars': {
      const shown = spec.labels
        .slice(0, 5)
        .map((label, index) => `${label} ${short(spec.values[index] ?? 0)}`)
        .join(', ');
      return `Horizontal bar chart of ${spec.title.toLowerCase()} in ${spec.unit}, best first: ${shown}${spec.labels.length > 5 ? ', …' : ''}. ${spec.subtitle ?? ''}`.trim();
    }
    case 'lines': {
      const names = spec.series.map((series) => series.name).join(', ');
      const lines = spec.series.length > 1 ? `lines for ${names}` : 'one line';
      const drawdown = spec.drawdown ? ` Shaded: ${spec.drawdown.label}.` : '';
      return `Line chart of ${spec.title.toLowerCase()} in ${spec.unit} over time, ${lines}. ${spec.subtitle ?? ''}.${drawdown}`.replace(
        /\.\./g,
        '.',
      );
    }
    case 'candles': {
      const entries = spec.markers.filter((marker) => marker.kind === 'entry').length;
      const exits = spec.markers.length - entries;
      const levels = spec.levels.map((level) => level.label).join(', ');
      return `Candlestick chart of ${spec.title}, ${plural(spec.candles.length, 'candle')}; ${plural(entries, 'entry', 'entries')} and ${plural(exits, 'exit')} marked${levels ? `; ${levels}` : ''}. ${spec.subtitle ?? ''}`.trim();
    }
    case 'empty':
      return `Empty chart "${spec.title}": ${spec.message}.`;
  }
}

/** A file name the platforms accept: letters, digits and dashes. */
function fileNameOf(name: string): string {
  return `chart-${name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}.png`;
}

/**
 * The reply: the picture, a title and the chart's own summary line (its total) as the caption.
 * When the renderer cannot start here, the summary still comes, with the reason.
 */
async function chartReply(
  services: CommandServices,
  spec: ChartSpec,
  opts: { title: string; fileName: string; tone: ReplyTone; notes?: string[] },
): Promise<Reply> {
  const summary =
    spec.kind === 'empty' ? `${spec.message[0]?.toUpperCase()}${spec.message.slice(1)}.` : spec.subtitle;
  const blocks: ReplyBlock[] = [];
  if (summary) blocks.push({ kind: 'text', text: summary });
  for (const note of opts.notes ?? []) blocks.push({ kind: 'text', text: note, style: 'italic' });
  let renderer: ChartRenderer;
  try {
    renderer = await (services.charts?.() ?? loadChartRenderer());
  } catch (error) {
    if (!(error instanceof ChartsUnavailableError)) throw error;
    services.logger.warn({ reason: error.reason }, 'charts are not available');
    return { title: opts.title, tone: 'warning', blocks: [{ kind: 'text', text: error.message }, ...blocks] };
  }
  const drawn = await renderer.render(spec);
  const image: ReplyImage = {
    png: drawn.png,
    fileName: fileNameOf(opts.fileName),
    alt: chartAltText(spec),
    width: drawn.width,
    height: drawn.height,
  };
  return { title: opts.title, tone: spec.kind === 'empty' ? 'neutral' : opts.tone, blocks, image };
}

// ---------------------------------------------------------------- one chart per kind

async function periodChart(run: CommandRun<ChartArgs>, period: ProfitPeriod, n: number): Promise<Reply> {
  const spec = PERIODS[period];
  const result = await spec.fetch(run.bot, n);
  const chart = periodChartSpec(result, period);
  const total = chart.kind === 'bars' ? sum(chart.values) : undefined;
  return chartReply(run.services, chart, {
    title: `📈 ${spec.adjective} profit (${plural(n, spec.unit)})`,
    fileName: `${period}-${n}`,
    tone: toneOfTotal(total),
  });
}

/** A note when only the latest `MAX_TRADES_READ` closed trades could be read. */
const TRUNCATED_NOTE = 'Only the latest 10000 closed trades are drawn.';

async function profitChart(run: CommandRun<ChartArgs>): Promise<Reply> {
  const [closed, stake] = await Promise.all([
    closedTradesSince(run.bot, 0),
    stakeCurrencyOf(run.bot, run.services.logger),
  ]);
  const chart = cumulativeProfitSpec([{ trades: closed.trades }], stake || undefined);
  const total = sum(closed.trades.map((trade) => trade.close_profit_abs ?? 0));
  return chartReply(run.services, chart, {
    title: '📈 Cumulative profit',
    fileName: 'profit',
    tone: toneOfTotal(chart.kind === 'empty' ? undefined : total),
    ...(closed.truncated ? { notes: [TRUNCATED_NOTE] } : {}),
  });
}

/** `/chart profit bot=all`: a line per bot of the chat, and their total. */
async function fleetProfitChart(run: CommandRun<ChartArgs>, bots: FreqtradeClient[]): Promise<Reply> {
  const answers = await Promise.allSettled(
    bots.map(async (bot) => {
      const [closed, stake] = await Promise.all([
        closedTradesSince(bot, 0),
        stakeCurrencyOf(bot, run.services.logger),
      ]);
      return { bot, closed, stake };
    }),
  );
  const notes: string[] = [];
  const answered: Array<{ bot: FreqtradeClient; trades: ChartTradesOf; stake: string }> = [];
  answers.forEach((answer, index) => {
    const name = bots[index]?.name ?? '?';
    if (answer.status === 'fulfilled') {
      answered.push({ bot: answer.value.bot, trades: answer.value.closed.trades, stake: answer.value.stake });
      if (answer.value.closed.truncated) notes.push(`${name}: ${TRUNCATED_NOTE}`);
    } else {
      const reason = answer.reason instanceof ChatopsError ? answer.reason.message : 'failed';
      run.services.logger.warn({ bot: name, err: reason }, 'a bot is missing from /chart profit bot=all');
      notes.push(`⚠️ ${name} is not drawn: ${reason}`);
    }
  });
  const currencies = [...new Set(answered.map((part) => part.stake).filter(Boolean))];
  if (currencies.length > 1) {
    throw new UserInputError(
      `These bots trade in different stake currencies (${currencies.join(', ')}), which are never added up; chart them one at a time with bot=<name>.`,
    );
  }
  const chart = cumulativeProfitSpec(
    answered.map((part) => ({ botName: part.bot.name, trades: part.trades })),
    currencies[0],
  );
  const total = sum(answered.flatMap((part) => part.trades.map((trade) => trade.close_profit_abs ?? 0)));
  return chartReply(run.services, chart, {
    title: `📈 Cumulative profit · all bots (${answered.length}/${bots.length} answered)`,
    fileName: 'profit-all-bots',
    tone: notes.some((note) => note.startsWith('⚠️'))
      ? 'warning'
      : toneOfTotal(chart.kind === 'empty' ? undefined : total),
    notes,
  });
}
type ChartTradesOf = Awaited<ReturnType<typeof closedTradesSince>>['trades'];

async function performanceChart(run: CommandRun<ChartArgs>): Promise<Reply> {
  const [performance, stake] = await Promise.all([
    run.bot.performance(),
    stakeCurrencyOf(run.bot, run.services.logger),
  ]);
  const chart = performanceSpec(performance, stake);
  const total = sum(performance.map((entry) => entry.profit_abs));
  return chartReply(run.services, chart, {
    title: '📈 Performance per pair',
    fileName: 'performance',
    tone: toneOfTotal(chart.kind === 'empty' ? undefined : total),
  });
}

/** The first candle's time (ms) of a `/pair_candles` answer, or undefined when it has none. */
function firstCandleMs(history: PairHistory): number | undefined {
  if (typeof history.data_start_ts === 'number' && history.data_start_ts > 0) return history.data_start_ts;
  const column = history.columns.indexOf('__date_ts');
  const value = column >= 0 ? history.data[0]?.[column] : undefined;
  return typeof value === 'number' ? value : undefined;
}

async function candleChart(
  run: CommandRun<ChartArgs>,
  pair: string,
  requestedTimeframe: string | undefined,
): Promise<Reply> {
  const { bot, services } = run;
  const config = await bot.showConfig();
  const strategyTimeframe = config.timeframe ?? undefined;
  const timeframe = requestedTimeframe ?? strategyTimeframe;
  if (!timeframe) {
    throw new UserInputError(
      `${bot.name} names no strategy timeframe: give one, e.g. /chart ${pair} 5m.`,
      USAGE,
    );
  }
  const history = await bot.pairCandles({ pair, timeframe, limit: CHART_CANDLES });
  const notes: string[] = [];
  let closed: CandleChartTrade[] = [];
  let open: CandleChartTrade[] = [];
  const startMs = firstCandleMs(history);
  if (history.data.length > 0 && startMs !== undefined) {
    const [closedSince, status] = await Promise.all([closedTradesSince(bot, startMs), bot.status()]);
    closed = closedSince.trades.filter((trade) => trade.pair === pair);
    open = status.filter((trade) => trade.pair === pair);
  } else {
    const usual = strategyTimeframe ? ` (${strategyTimeframe})` : '';
    notes.push(
      `Freqtrade has no analysed candles of ${pair} at ${timeframe}: it keeps them for the strategy's timeframe${usual} of the whitelisted pairs and the open trades.`,
    );
  }
  const chart = candleChartSpec(history, closed, open);
  return chartReply(services, chart, {
    title: `📈 ${pair} ${timeframe} candles`,
    fileName: `${pair}-${timeframe}`,
    tone: 'info',
    notes,
  });
}

function drawChart(run: CommandRun<ChartArgs>): Promise<Reply> {
  const request = chartRequestOf(run.args);
  switch (request.kind) {
    case 'daily':
    case 'weekly':
    case 'monthly':
      return periodChart(run, request.kind, request.n);
    case 'profit':
      return profitChart(run);
    case 'performance':
      return performanceChart(run);
    case 'candles':
      return candleChart(run, request.pair, request.timeframe);
  }
}

export const chartCommand = defineCommand({
  name: 'chart',
  order: 95,
  description:
    'A chart: daily, weekly or monthly profit, cumulative profit, performance, or a pair’s candles',
  usage: USAGE,
  role: 'viewer',
  refreshable: true,
  args: chartArgs,
  acrossBots: {
    async whole(run, bots) {
      const request = chartRequestOf(run.args);
      if (request.kind !== 'profit') {
        throw new UserInputError(
          `Only /chart profit draws every bot at once (a line each); name one bot with bot=<name> for this chart.`,
        );
      }
      return fleetProfitChart(run, bots);
    },
  },
  run: drawChart,
});
