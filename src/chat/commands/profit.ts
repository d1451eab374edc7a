/*
 * Read-only money commands: /profit, /stats, /daily, /weekly, /monthly, /balance.
 * Wording follows Freqtrade's own Telegram replies (rpc/telegram.py) so its users feel at home.
 */
import { z } from 'zod';
import type { FreqtradeClient } from '../../freqtrade/client.js';
import type { Balance, Balances, TimeUnitProfit } from '../../freqtrade/schemas.js';
import { formatUtc, formatUtcOrNa, formatUtcWithAge } from '../../format/dates.js';
import { formatDuration, parseTimedeltaMs } from '../../format/durations.js';
import { NOT_AVAILABLE, orEmpty, orNa } from '../../format/missing.js';
import {
  formatAmount,
  formatMoney,
  formatSignedAmount,
  formatSignedMoney,
  withCurrency,
} from '../../format/money.js';
import { formatPercent, formatRate, formatSignedPercent } from '../../format/numbers.js';
import { plural } from '../../format/plural.js';
import { profitText } from '../../format/trade-phrases.js';
import { arg } from '../arguments.js';
import { closedTradesSince, MAX_TRADES_READ } from '../closed-trades.js';
import type { Reply, ReplyBlock, ReplyField, ReplyTone } from '../reply.js';
import { type ProfitFigures, profitWindowStartMs, tradeStatistics } from '../trade-statistics.js';
import { type CommandRun, defineCommand, type FleetPart } from '../types.js';
import { directionalProfitReply } from './profit-direction.js';
import { settled, stakeCurrencyOf } from './secondary-calls.js';

/**
 * Currencies worth less than this (in the stake currency) are dust: hidden by `/balance` unless
 * `full`. Freqtrade's own default is per stake currency (`DUST_PER_COIN`: BTC 0.0001, ETH 0.01,
 * else 1.0); one small threshold hides only true crumbs whatever the stake currency.
 */
const DUST_STAKE = 0.0001;

/** Profit tone from an amount: profit at ≥ 0, loss below, neutral when unknown. */
function toneOf(amount: number | null | undefined): ReplyTone {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return 'neutral';
  return amount >= 0 ? 'profit' : 'loss';
}

/** `"+1.25% (+2.41 USDT) ≈ +2.90 USD"`; the fiat part only with a fiat currency. */
function roiText(
  coin: number | null,
  ratio: number | null,
  fiat: number | null,
  stake: string,
  fiatCurrency: string,
): string {
  if (coin === null) return NOT_AVAILABLE;
  const fiatPart = fiatCurrency && fiat !== null ? ` ≈ ${formatSignedMoney(fiat, fiatCurrency)}` : '';
  return `${profitText(ratio, coin, stake)}${fiatPart}`;
}

/** The profit factor with 2 decimals; `n/a (no losing trade)` for Freqtrade's Infinity (sent as null). */
function profitFactorText(profit: ProfitFigures): string {
  if (profit.profit_factor !== null) return orNa(profit.profit_factor, (value) => value.toFixed(2));
  return profit.losing_trades === 0 && profit.winning_trades > 0
    ? `${NOT_AVAILABLE} (no losing trade)`
    : NOT_AVAILABLE;
}

/** The fields of a /profit answer (also of /profit_long, /profit_short and /profit n). */
export function profitFields(
  profit: ProfitFigures,
  stake: string,
  fiatCurrency: string,
  nowMs: number,
): ReplyField[] {
  const closed = profit.closed_trade_count;
  const fields: ReplyField[] = [
    {
      label: 'ROI closed trades',
      value:
        closed === 0
          ? 'no closed trade yet'
          : roiText(
              profit.profit_closed_coin,
              profit.profit_closed_ratio,
              profit.profit_closed_fiat,
              stake,
              fiatCurrency,
            ),
    },
    {
      label: 'ROI all trades',
      value: roiText(
        profit.profit_all_coin,
        profit.profit_all_ratio,
        profit.profit_all_fiat,
        stake,
        fiatCurrency,
      ),
    },
    {
      label: 'Mean profit per trade',
      value: `${closed === 0 ? NOT_AVAILABLE : formatSignedPercent(profit.profit_closed_ratio_mean)} closed, ${orNa(profit.profit_all_ratio_mean, formatSignedPercent)} all`,
    },
    {
      label: 'Trades',
      value: `${profit.trade_count} (${closed} closed, ${profit.trade_count - closed} open)`,
    },
  ];
  if (profit.bot_start_timestamp > 0) {
    fields.push({ label: 'Bot started', value: formatUtcWithAge(profit.bot_start_timestamp, nowMs) });
  }
  fields.push(
    { label: 'First trade opened', value: formatUtcWithAge(profit.first_trade_timestamp, nowMs) },
    { label: 'Latest trade opened', value: formatUtcWithAge(profit.latest_trade_timestamp, nowMs) },
  );
  const durationMs =
    typeof profit.avg_duration_s === 'number'
      ? profit.avg_duration_s * 1000
      : parseTimedeltaMs(profit.avg_duration ?? '');
  fields.push({
    label: 'Avg. duration',
    value:
      closed === 0
        ? NOT_AVAILABLE
        : durationMs === null
          ? profit.avg_duration || NOT_AVAILABLE
          : formatDuration(durationMs),
  });
  if (profit.best_pair) {
    fields.push({
      label: 'Best pair',
      value: `${profit.best_pair} ${profitText(profit.best_pair_profit_ratio, profit.best_pair_profit_abs, stake)}`,
    });
  } else {
    fields.push({ label: 'Best pair', value: NOT_AVAILABLE });
  }
  fields.push(
    { label: 'Win / loss', value: `${profit.winning_trades} / ${profit.losing_trades}` },
    { label: 'Winrate', value: orNa(profit.winrate, formatPercent) },
    {
      label: 'Expectancy',
      value:
        profit.expectancy === null
          ? NOT_AVAILABLE
          : `${formatSignedMoney(profit.expectancy, stake)} (ratio ${orNa(profit.expectancy_ratio, (r) => r.toFixed(2))})`,
    },
    { label: 'Profit factor', value: profitFactorText(profit) },
  );
  const drawdownAbs = orEmpty(profit.max_drawdown_abs, (value) => ` (${formatMoney(value, stake)})`);
  fields.push({ label: 'Max drawdown', value: `${orNa(profit.max_drawdown, formatPercent)}${drawdownAbs}` });
  if (profit.max_drawdown_start_timestamp > 0 && profit.max_drawdown_end_timestamp > 0) {
    fields.push({
      label: 'Drawdown period',
      value: `${formatUtcOrNa(profit.max_drawdown_start_timestamp)} → ${formatUtcOrNa(profit.max_drawdown_end_timestamp)}`,
    });
  }
  if (profit.current_drawdown !== null && profit.current_drawdown !== undefined) {
    const currentAbs = orEmpty(profit.current_drawdown_abs, (value) => ` (${formatMoney(value, stake)})`);
    fields.push({
      label: 'Current drawdown',
      value: `${formatPercent(profit.current_drawdown)}${currentAbs}`,
    });
  }
  if (profit.trading_volume !== null && profit.trading_volume !== undefined) {
    fields.push({ label: 'Trading volume', value: formatMoney(profit.trading_volume, stake) });
  }
  return fields;
}

/**
 * `/profit`'s argument: a number of days (1-365), or `long` / `short` as Freqtrade's `/profit long`
 * (then the figures of that direction, from /profit_all).
 */
const daysOrDirectionArg = z
  .string()
  .transform((value) => value.toLowerCase())
  .superRefine((value, ctx) => {
    if (value === 'long' || value === 'short') return;
    const message = !/^\d+$/.test(value)
      ? 'expected a number of days, or long or short'
      : Number(value) < 1
        ? 'must be at least 1'
        : Number(value) > 365
          ? 'must be at most 365'
          : undefined;
    if (message) ctx.addIssue({ code: 'custom', message });
  })
  .transform((value) => (value === 'long' || value === 'short' ? value : Number(value)))
  // A union, so Discord offers a text option where both forms can be typed (as /forceexit's `all`).
  .pipe(z.union([z.number().int().min(1).max(365), z.enum(['long', 'short'])]))
  .describe('every figure over the last N days (UTC, today included); or long / short for one direction');

const profitArgs = z.object({ days: daysOrDirectionArg.optional() });

export const profitCommand = defineCommand({
  name: 'profit',
  order: 40,
  description: 'ROI, win rate, expectancy, drawdown; [days]: over the last N days; long or short: one side',
  usage: '/profit [days|long|short]',
  role: 'viewer',
  refreshable: true,
  args: profitArgs,
  chart: () => ({ kind: 'profit' }),
  acrossBots: { run: profitPart },
  async run(run) {
    return (await profitPart(run)).reply;
  },
});

/** One bot's /profit: the reply, and its all-trades profit for a `bot=all` total. */
async function profitPart(run: CommandRun<z.infer<typeof profitArgs>>): Promise<FleetPart> {
  const { bot, services } = run;
  if (run.args.days === 'long' || run.args.days === 'short') {
    return {
      reply: await directionalProfitReply(
        { bot, logger: services.logger, nowMs: services.now() },
        run.args.days,
      ),
    };
  }
  if (run.args.days !== undefined) return windowProfitPart(run, run.args.days);
  // /daily also names the stake and fiat currencies, which /profit does not.
  const [profit, daily] = await Promise.all([bot.profit(), settled(bot.daily(1), services.logger, 'daily')]);
  const stake = daily?.stake_currency ?? '';
  const fiatCurrency = daily?.fiat_display_currency ?? '';
  const nowMs = services.now();
  const blocks: ReplyBlock[] = [];
  if (profit.trade_count === 0) {
    blocks.push({ kind: 'text', text: 'No trades yet.' });
    if (profit.bot_start_timestamp > 0) {
      blocks.push({
        kind: 'fields',
        fields: [{ label: 'Bot started', value: formatUtcWithAge(profit.bot_start_timestamp, nowMs) }],
      });
    }
  } else {
    blocks.push({ kind: 'fields', fields: profitFields(profit, stake, fiatCurrency, nowMs) });
  }
  const allProfit = profit.profit_all_coin ?? profit.profit_closed_coin;
  return {
    reply: { title: '📈 Profit', tone: toneOf(allProfit), blocks },
    totals:
      profit.trade_count > 0 && typeof allProfit === 'number'
        ? [{ label: 'Profit (all trades)', currency: stake, amount: allProfit, signed: true }]
        : [],
  };
}

/** Fiat per unit of stake from a /balance answer (its starting capital in both); null without fiat. */
function fiatPerStakeOf(balances: Balances | undefined): number | null {
  if (!balances?.symbol) return null;
  if (balances.starting_capital > 0 && balances.starting_capital_fiat > 0)
    return balances.starting_capital_fiat / balances.starting_capital;
  return balances.total > 0 && balances.value > 0 ? balances.value / balances.total : null;
}

/**
 * `/profit n` as Freqtrade's Telegram computes it: every figure over the trades closed since
 * midnight UTC n - 1 days ago, plus the open trades (see trade-statistics.ts). REST /profit has
 * no date filter, so the closed trades come from /trades, the open ones from /status, the
 * starting capital, stake and fiat currency from /balance.
 */
async function windowProfitPart(
  run: CommandRun<z.infer<typeof profitArgs>>,
  days: number,
): Promise<FleetPart> {
  const { bot, services } = run;
  const nowMs = services.now();
  const startMs = profitWindowStartMs(days, nowMs);
  const [closed, open, balances] = await Promise.all([
    closedTradesSince(bot, startMs),
    bot.status(),
    settled(bot.balance(), services.logger, 'balance'),
  ]);
  const stake = balances?.stake ?? (await stakeCurrencyOf(bot, services.logger));
  const fiatCurrency = balances?.symbol ?? '';
  const statistics = tradeStatistics({
    closedTrades: closed.trades,
    openTrades: open,
    startMs,
    startingBalance: balances ? balances.starting_capital : null,
    fiatPerStake: fiatPerStakeOf(balances),
  });
  const period = `last ${plural(days, 'day')}`;
  const blocks: ReplyBlock[] = [
    {
      kind: 'text',
      text: `${period.charAt(0).toUpperCase()}${period.slice(1)}: the trades closed since ${formatUtc(startMs)}, and the open trades.`,
      style: 'italic',
    },
  ];
  if (closed.truncated) {
    blocks.push({
      kind: 'text',
      text: `Only the newest ${MAX_TRADES_READ.toLocaleString('en-US')} closed trades were read: older ones in the window are not counted.`,
      style: 'italic',
    });
  }
  if (statistics.trade_count === 0) {
    blocks.push({ kind: 'text', text: `No trades in the ${period}.` });
  } else {
    blocks.push({ kind: 'fields', fields: profitFields(statistics, stake, fiatCurrency, nowMs) });
  }
  const allProfit = statistics.profit_all_coin ?? statistics.profit_closed_coin;
  return {
    reply: { title: `📈 Profit (${period})`, tone: toneOf(allProfit), blocks },
    totals:
      statistics.trade_count > 0
        ? [{ label: `Profit (${period})`, currency: stake, amount: allProfit, signed: true }]
        : [],
  };
}

// ---------------------------------------------------------------- /stats

export const statsCommand = defineCommand({
  name: 'stats',
  order: 130,
  description: 'Exit reasons with wins, losses and draws; average trade durations',
  usage: '/stats',
  role: 'viewer',
  args: z.object({}),
  async run(run) {
    const stats = await run.bot.stats();
    const reasons = Object.entries(stats.exit_reasons).sort(
      ([, a], [, b]) => b.wins + b.losses + b.draws - (a.wins + a.losses + a.draws),
    );
    if (reasons.length === 0) {
      return {
        title: '📊 Stats',
        tone: 'neutral',
        blocks: [{ kind: 'text', text: 'No closed trades yet.' }],
      };
    }
    const seconds = (value: number | null) => orNa(value, (s) => formatDuration(s * 1000));
    return {
      title: '📊 Stats',
      tone: 'info',
      blocks: [
        {
          kind: 'table',
          headers: ['Exit reason', 'Exits', 'Wins', 'Losses', 'Draws'],
          rows: reasons.map(([reason, count]) => [
            reason,
            String(count.wins + count.losses + count.draws),
            String(count.wins),
            String(count.losses),
            String(count.draws),
          ]),
          align: ['left', 'right', 'right', 'right', 'right'],
        },
        {
          kind: 'fields',
          fields: [
            { label: 'Avg. duration of wins', value: seconds(stats.durations.wins) },
            { label: 'Avg. duration of draws', value: seconds(stats.durations.draws) },
            { label: 'Avg. duration of losses', value: seconds(stats.durations.losses) },
          ],
        },
      ],
    };
  },
});

// ---------------------------------------------------------------- /daily /weekly /monthly

/** Builds one of /daily, /weekly, /monthly: a table of periods, newest first, with totals. */
function periodCommand(spec: {
  name: string;
  /** Position in /help and the menus. */
  order: number;
  unit: string;
  adjective: string;
  defaultCount: number;
  maxCount: number;
  dateHeader: string;
  /** The period's label from its "YYYY-MM-DD" start date. */
  label: (date: string) => string;
  fetch: (bot: FreqtradeClient, count: number) => Promise<TimeUnitProfit>;
}) {
  return defineCommand({
    name: spec.name,
    order: spec.order,
    description: `Profit per ${spec.unit} (default ${spec.defaultCount}, at most ${spec.maxCount})`,
    usage: `/${spec.name} [n]`,
    role: 'viewer',
    refreshable: true,
    args: z.object({ n: arg.count(`how many ${spec.unit}s`, 1, spec.maxCount).optional() }),
    chart: (args) => ({ kind: spec.name, n: String(args.n ?? spec.defaultCount) }),
    acrossBots: { run: (run) => periodPart(run) },
    async run(run) {
      return (await periodPart(run)).reply;
    },
  });

  /** One bot's answer, and its profit over the periods for a `bot=all` total. */
  async function periodPart(run: CommandRun<{ n?: number | undefined }>): Promise<FleetPart> {
    const count = run.args.n ?? spec.defaultCount;
    const result = await spec.fetch(run.bot, count);
    const stake = result.stake_currency;
    const fiat = result.fiat_display_currency;
    const headers = [spec.dateHeader, withCurrency('Profit', stake), 'Profit %'];
    if (fiat) headers.push(withCurrency('Profit', fiat));
    headers.push('Trades');
    const rows = result.data.map((row) => {
      const cells = [
        spec.label(row.date),
        formatSignedAmount(row.abs_profit, stake),
        formatSignedPercent(row.rel_profit),
      ];
      if (fiat) cells.push(formatSignedAmount(row.fiat_value, fiat));
      cells.push(String(row.trade_count));
      return cells;
    });
    const total = result.data.reduce((sum, row) => sum + row.abs_profit, 0);
    const totalFiat = result.data.reduce((sum, row) => sum + row.fiat_value, 0);
    const trades = result.data.reduce((sum, row) => sum + row.trade_count, 0);
    const fiatPart = fiat ? ` ≈ ${formatSignedMoney(totalFiat, fiat)}` : '';
    const reply: Reply = {
      title: `📅 ${spec.adjective} profit (last ${plural(count, spec.unit)})`,
      tone: toneOf(total),
      blocks: [
        {
          kind: 'table',
          headers,
          rows,
          align: headers.map((_, index) => (index === 0 ? 'left' : 'right')),
        },
        {
          kind: 'text',
          text: `Total: ${formatSignedMoney(total, stake)}${fiatPart} over ${plural(trades, 'trade')}.`,
        },
      ],
    };
    const label = `Profit (last ${plural(count, spec.unit)})`;
    return { reply, totals: [{ label, currency: stake, amount: total, signed: true }] };
  }
}

export const dailyCommand = periodCommand({
  name: 'daily',
  order: 50,
  unit: 'day',
  adjective: 'Daily',
  defaultCount: 7,
  maxCount: 365,
  dateHeader: 'Day (UTC)',
  label: (date) => date,
  fetch: (bot, count) => bot.daily(count),
});

export const weeklyCommand = periodCommand({
  name: 'weekly',
  order: 60,
  unit: 'week',
  adjective: 'Weekly',
  defaultCount: 8,
  maxCount: 52,
  dateHeader: 'Week from',
  label: (date) => date,
  fetch: (bot, count) => bot.weekly(count),
});

export const monthlyCommand = periodCommand({
  name: 'monthly',
  order: 70,
  unit: 'month',
  adjective: 'Monthly',
  defaultCount: 6,
  maxCount: 24,
  dateHeader: 'Month',
  label: (date) => date.slice(0, 7),
  fetch: (bot, count) => bot.monthly(count),
});

// ---------------------------------------------------------------- /balance

/** True for a row `/balance` shows: everything with `full`; else bot-managed rows and positions that are not dust. */
function isShown(row: Balance, full: boolean): boolean {
  if (full) return true;
  return (row.is_position || row.est_stake >= DUST_STAKE) && (row.is_bot_managed || row.is_position);
}

/** One table row: a coin's free / used / total, or a position's side and size. */
function balanceRow(row: Balance, full: boolean): string[] {
  const estimate = full ? row.est_stake : (row.est_stake_bot ?? row.est_stake);
  if (row.is_position) {
    return [
      row.currency,
      '',
      '',
      `${row.side} ${formatRate(row.position)}`,
      formatAmount(estimate, row.stake),
    ];
  }
  return [
    row.currency,
    formatRate(row.free),
    formatRate(row.used),
    formatRate(row.balance),
    formatAmount(estimate, row.stake),
  ];
}

/** The totals of a /balance answer (bot-managed only unless `full`). */
function balanceTotals(balances: Balances, full: boolean): ReplyField[] {
  const total = full ? balances.total : balances.total_bot;
  const value = full ? balances.value : balances.value_bot;
  const fiat = balances.symbol ? ` ≈ ${formatMoney(value, balances.symbol)}` : '';
  const fields: ReplyField[] = [
    { label: full ? 'Total' : 'Total (bot-managed)', value: `${formatMoney(total, balances.stake)}${fiat}` },
  ];
  if (balances.starting_capital > 0) {
    const startFiat =
      balances.symbol && balances.starting_capital_fiat > 0
        ? ` ≈ ${formatMoney(balances.starting_capital_fiat, balances.symbol)}`
        : '';
    fields.push({
      label: 'Starting capital',
      value: `${formatMoney(balances.starting_capital, balances.stake)}${startFiat} (now ${formatSignedPercent(balances.starting_capital_ratio)})`,
    });
  }
  return fields;
}

export const balanceCommand = defineCommand({
  name: 'balance',
  order: 80,
  description: 'Balances per currency and the estimated total; "full" shows dust and other assets',
  usage: '/balance [mode=full|total]',
  role: 'viewer',
  refreshable: true,
  // Freqtrade's help says `/balance total`, its code checks `full`: both mean the same here.
  args: z.object({
    mode: arg.choice(['full', 'total'], 'show every currency, dust included').optional(),
  }),
  acrossBots: { run: (run) => balancePart(run) },
  async run(run) {
    return (await balancePart(run)).reply;
  },
});

/** One bot's /balance, and its total for a `bot=all` sum. */
async function balancePart(run: CommandRun<{ mode?: 'full' | 'total' | undefined }>): Promise<FleetPart> {
  const full = run.args.mode === 'full' || run.args.mode === 'total';
  const balances = await run.bot.balance();
  const shown = balances.currencies.filter((row) => isShown(row, full));
  const hidden = balances.currencies.length - shown.length;
  const blocks: ReplyBlock[] = [];
  if (balances.note)
    blocks.push({ kind: 'text', text: `${balances.note}.`.replace(/\.\.$/, '.'), style: 'italic' });
  if (shown.length > 0) {
    blocks.push({
      kind: 'table',
      headers: ['Currency', 'Free', 'Used', 'Balance', withCurrency('Est.', balances.stake)],
      rows: shown.map((row) => balanceRow(row, full)),
      align: ['left', 'right', 'right', 'right', 'right'],
    });
  } else {
    blocks.push({ kind: 'text', text: full ? 'No balances.' : 'No bot-managed balances.' });
  }
  if (hidden > 0) {
    blocks.push({
      kind: 'text',
      text: `${plural(hidden, 'other currency', 'other currencies')} hidden (below ${DUST_STAKE} ${balances.stake} or not managed by the bot): /balance full shows them.`,
      style: 'italic',
    });
  }
  blocks.push({ kind: 'fields', fields: balanceTotals(balances, full) });
  return {
    reply: { title: full ? '💰 Balance (full)' : '💰 Balance', tone: 'info', blocks },
    totals: [
      {
        label: full ? 'Total' : 'Total (bot-managed)',
        currency: balances.stake,
        amount: full ? balances.total : balances.total_bot,
      },
    ],
  };
}
