/*
 * Read-only trade commands: /status, /trades, /count, /performance, /entries, /exits, /mix_tags.
 * Wording follows Freqtrade's own Telegram replies (rpc/telegram.py) so its users feel at home.
 */
import { z } from 'zod';
import { UserInputError } from '../../errors.js';
import type { FreqtradeClient } from '../../freqtrade/client.js';
import type {
  EntryStat,
  ExitStat,
  MixTagStat,
  OpenTrade,
  Order,
  PerformanceEntry,
  Trade,
} from '../../freqtrade/schemas.js';
import { formatUtcCell, formatUtcOrNa, formatUtcWithAge } from '../../format/dates.js';
import { formatDuration } from '../../format/durations.js';
import { NOT_AVAILABLE, orEmpty, orNa } from '../../format/missing.js';
import { formatMoney, formatSignedAmount, formatSignedMoney, withCurrency } from '../../format/money.js';
import { formatLimit, formatRate, formatSignedPercent } from '../../format/numbers.js';
import { plural } from '../../format/plural.js';
import { directionOf, directionText, profitEmoji, profitText } from '../../format/trade-phrases.js';
import type { Logger } from '../../logger.js';
import { arg } from '../arguments.js';
import { type Reply, type ReplyBlock, type ReplyField, type ReplyTone, renderTableText } from '../reply.js';
import { defineCommand } from '../types.js';
import { settled, stakeCurrencyOf, tradesByIds } from './secondary-calls.js';

/** At most this many trade ids per /status call: each is one GET /trade/{id}. */
const MAX_STATUS_IDS = 20;
/**
 * Rows of a per-pair or per-tag table. Renderers split long replies, but a ranking beyond this is
 * noise that costs several messages (Freqtrade's own /performance sends them all).
 */
const MAX_TABLE_ROWS = 100;
const DEFAULT_TRADES = 10;
const MAX_TRADES = 50;
const STATUS_USAGE = '/status [trade_id…|table]';
/**
 * Widest line of the `/status table` in characters: a phone shows about this much of a Telegram
 * `<pre>` block without wrapping (Freqtrade issue #11004 calls its own table "already too wide").
 */
export const STATUS_TABLE_MAX_WIDTH = 40;
/** A pair cut to fit keeps at least this many characters, the `…` included. */
const MIN_PAIR_CELL = 4;

// ---------------------------------------------------------------- /status

/** `"limit sell 0.5 @ 31000 (0.2 left)"` per open order; empty when none. */
function openOrdersText(orders: Order[]): string {
  return orders
    .filter((order) => order.is_open)
    .map((order) => {
      const left =
        order.remaining !== null && order.remaining !== order.amount
          ? ` (${formatRate(order.remaining)} left)`
          : '';
      return `${order.order_type} ${order.ft_order_side} ${formatRate(order.amount)} @ ${formatRate(order.safe_price)}${left}`;
    })
    .join('; ');
}

/**
 * `Entries` and `Exits`: how many entry and exit orders filled (Freqtrade's "Number of Entries" /
 * "Number of Exits"); each left out when the server does not send it (2024.10 sends neither).
 */
function fillCountFields(trade: OpenTrade): ReplyField[] {
  const fields: ReplyField[] = [];
  const entries = trade.nr_of_successful_entries;
  const exits = trade.nr_of_successful_exits;
  if (entries !== null && entries !== undefined) fields.push({ label: 'Entries', value: String(entries) });
  if (exits !== null && exits !== undefined) fields.push({ label: 'Exits', value: String(exits) });
  return fields;
}

/**
 * `Funding fees` of a futures trade, signed (what the position paid or received so far); left out
 * when the server sends none, and on spot where they are always 0.
 */
function fundingFeeFields(trade: OpenTrade): ReplyField[] {
  const fees = trade.funding_fees;
  if (fees === null || fees === undefined) return [];
  if (trade.trading_mode !== 'futures' && fees === 0) return [];
  return [{ label: 'Funding fees', value: formatSignedMoney(fees, trade.quote_currency) }];
}

/**
 * `Initial stoploss`, as Freqtrade shows it: only once the stoploss has moved away from where it
 * was at entry (a trailing or custom stoploss), since it would repeat the stoploss line otherwise.
 */
function initialStoplossFields(trade: OpenTrade): ReplyField[] {
  const initial = trade.initial_stop_loss_abs;
  if (initial === null || initial === undefined || initial === trade.stop_loss_abs) return [];
  const ratioText = orNa(trade.initial_stop_loss_ratio, formatSignedPercent);
  return [
    { label: 'Initial stoploss', value: `${formatRate(initial)} ${trade.quote_currency} (${ratioText})` },
  ];
}

/** The bold header line and the fields of one trade (open, or closed when looked up by id). */
function tradeBlocks(trade: OpenTrade, nowMs: number): ReplyBlock[] {
  const quote = trade.quote_currency;
  const ratio = trade.profit_ratio;
  const emoji = ratio === null ? '' : `${profitEmoji(ratio, trade.exit_reason)} `;
  const closed = trade.is_open ? '' : ' (closed)';
  const fields: ReplyField[] = [
    { label: 'Amount', value: `${formatRate(trade.amount)} ${trade.base_currency}` },
    { label: 'Stake', value: formatMoney(trade.stake_amount, quote) },
    { label: 'Open rate', value: `${formatRate(trade.open_rate)} ${quote}` },
    ...fillCountFields(trade),
  ];
  if (trade.is_open) {
    fields.push(
      { label: 'Current rate', value: orNa(trade.current_rate, (rate) => `${formatRate(rate)} ${quote}`) },
      { label: 'Current profit', value: `${emoji}${profitText(ratio, trade.profit_abs, quote)}` },
    );
    if (trade.realized_profit !== 0) {
      fields.push(
        {
          label: 'Realized profit',
          value: profitText(trade.realized_profit_ratio, trade.realized_profit, quote),
        },
        { label: 'Total profit', value: profitText(trade.total_profit_ratio, trade.total_profit_abs, quote) },
      );
    }
    fields.push(...fundingFeeFields(trade));
    fields.push({ label: 'Opened', value: formatUtcWithAge(trade.open_timestamp, nowMs) });
  } else {
    const closeMs = trade.close_timestamp;
    const held =
      closeMs !== null && closeMs > 0 ? ` (held ${formatDuration(closeMs - trade.open_timestamp)})` : '';
    fields.push(
      { label: 'Close rate', value: orNa(trade.close_rate, (rate) => `${formatRate(rate)} ${quote}`) },
      { label: 'Profit', value: `${emoji}${profitText(ratio, trade.profit_abs, quote)}` },
      { label: 'Opened', value: formatUtcOrNa(trade.open_timestamp) },
      { label: 'Closed', value: `${formatUtcOrNa(closeMs)}${held}` },
      { label: 'Exit reason', value: trade.exit_reason ?? NOT_AVAILABLE },
      ...fundingFeeFields(trade),
    );
  }
  if (trade.enter_tag) fields.push({ label: 'Enter tag', value: trade.enter_tag });
  if (trade.is_open) {
    if (trade.stop_loss_abs !== null) {
      const ratioText = orNa(trade.stop_loss_ratio, formatSignedPercent);
      fields.push({ label: 'Stoploss', value: `${formatRate(trade.stop_loss_abs)} ${quote} (${ratioText})` });
    }
    fields.push(...initialStoplossFields(trade));
    if (trade.stoploss_current_dist_ratio !== null && trade.stoploss_current_dist_ratio !== undefined) {
      const distance = orEmpty(trade.stoploss_current_dist, (value) => ` (${formatRate(value)} ${quote})`);
      fields.push({
        label: 'Stoploss distance',
        value: `${formatSignedPercent(trade.stoploss_current_dist_ratio)}${distance}`,
      });
    }
    if (trade.liquidation_price !== null && trade.liquidation_price !== undefined) {
      fields.push({ label: 'Liquidation price', value: `${formatRate(trade.liquidation_price)} ${quote}` });
    }
    const orders = openOrdersText(trade.orders);
    if (orders) fields.push({ label: 'Open orders', value: orders });
  }
  return [
    {
      kind: 'text',
      text: `${emoji}#${trade.trade_id} ${trade.pair} · ${directionText(directionOf(trade.is_short), trade.leverage)}${closed}`,
      style: 'bold',
    },
    { kind: 'fields', fields },
  ];
}

/** Profit or loss tone of one trade, neutral when unknown. */
function tradeTone(trade: OpenTrade): ReplyTone {
  if (trade.profit_ratio === null) return 'neutral';
  return trade.profit_ratio >= 0 ? 'profit' : 'loss';
}

/** "No open trades", saying why when the bot is stopped or paused. */
async function noOpenTradesReply(bot: FreqtradeClient, logger: Logger): Promise<Reply> {
  const config = await settled(bot.showConfig(), logger, 'show_config');
  // A stopped Freqtrade answers /status with [] even when trades are open, so say "listed".
  const lines = [config?.state === 'stopped' ? 'No open trades listed.' : 'No open trades.'];
  if (config?.state === 'stopped') {
    lines.push('The bot is stopped: Freqtrade lists no trades while stopped and opens none until /start.');
  } else if (config?.state === 'paused') {
    lines.push('The bot is paused: it opens no new trades until /start.');
  }
  return { title: '📊 Status', tone: 'neutral', blocks: [{ kind: 'text', text: lines.join('\n') }] };
}

/** A pair without its settle currency when that is the quote: `1000SHIB/USDT:USDT` → `1000SHIB/USDT`. */
export function withoutSettle(pair: string): string {
  const match = /^([^/]+)\/([^:]+):(.+)$/.exec(pair);
  if (!match) return pair;
  const [, base = '', quote = '', settle = ''] = match;
  return settle === quote ? `${base}/${quote}` : pair;
}

/** The base of a pair whose quote is `currency` (`BTC/USDT` → `BTC`); other pairs as given. */
function baseOnly(pair: string, currency: string): string {
  const slash = pair.indexOf('/');
  if (slash < 0) return pair;
  const quote = pair.slice(slash + 1).split(':')[0];
  return quote === currency ? pair.slice(0, slash) : pair;
}

/** `text` cut to `width` characters with a trailing `…` when longer. */
function cutTo(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(1, width - 1)).join('')}…`;
}

type TableBlock = Extract<ReplyBlock, { kind: 'table' }>;

/** The widest line `renderTableText` draws for `block`. */
function tableWidth(block: TableBlock): number {
  return Math.max(
    ...renderTableText(block)
      .split('\n')
      .map((line) => [...line].length),
  );
}

/**
 * The /status table, fitted to `STATUS_TABLE_MAX_WIDTH` characters a line rather than wrapped:
 * pairs lose their settle suffix (`:USDT`), then their quote when it is the stake currency the
 * amount column is headed with, then are cut with `…`; only if that is still too wide does the
 * `Since` column go.
 */
export function statusTableBlock(trades: OpenTrade[], nowMs: number, currency: string): TableBlock {
  const amountHeader = currency || 'Abs';
  const cells = trades.map((trade) => ({
    id: `${trade.trade_id} ${trade.is_short ? 'S' : 'L'}`,
    pair: trade.pair,
    since: formatDuration(nowMs - trade.open_timestamp),
    percent: orNa(trade.profit_ratio, formatSignedPercent),
    amount: orNa(trade.profit_abs, (value) => formatSignedAmount(value, currency)),
  }));
  const build = (pairOf: (pair: string) => string, withSince = true): TableBlock =>
    withSince
      ? {
          kind: 'table',
          headers: ['ID', 'Pair', 'Since', 'Profit', amountHeader],
          rows: cells.map((row) => [row.id, pairOf(row.pair), row.since, row.percent, row.amount]),
          align: ['left', 'left', 'right', 'right', 'right'],
        }
      : {
          kind: 'table',
          headers: ['ID', 'Pair', 'Profit', amountHeader],
          rows: cells.map((row) => [row.id, pairOf(row.pair), row.percent, row.amount]),
          align: ['left', 'left', 'right', 'right'],
        };
  const shorter = (pair: string) => baseOnly(withoutSettle(pair), currency);
  for (const pairOf of [(pair: string) => pair, withoutSettle, shorter]) {
    const block = build(pairOf);
    if (tableWidth(block) <= STATUS_TABLE_MAX_WIDTH) return block;
  }
  for (const withSince of [true, false]) {
    const widest = Math.max(...cells.map((row) => [...shorter(row.pair)].length));
    const spare = tableWidth(build(shorter, withSince)) - STATUS_TABLE_MAX_WIDTH;
    const pairWidth = Math.max(MIN_PAIR_CELL, widest - Math.max(0, spare));
    const block = build((pair) => cutTo(shorter(pair), pairWidth), withSince);
    if (tableWidth(block) <= STATUS_TABLE_MAX_WIDTH || !withSince) return block;
  }
  return build(shorter, false);
}

/**
 * `/status table`: one compact row per open trade (profit in % and in the stake currency), plus
 * the summed unrealized profit. Freqtrade's fiat column is left out: it does not fit the width.
 */
function statusTable(trades: OpenTrade[], nowMs: number): Reply {
  const currency = trades[0]?.quote_currency ?? '';
  const known = trades.map((trade) => trade.profit_abs).filter((value): value is number => value !== null);
  const total = known.reduce((sum, value) => sum + value, 0);
  const blocks: ReplyBlock[] = [statusTableBlock(trades, nowMs, currency)];
  if (known.length > 0) {
    const missing = trades.length - known.length;
    blocks.push({
      kind: 'text',
      text: `Total: ${formatSignedMoney(total, currency)}${missing > 0 ? ` (${plural(missing, 'trade')} without a price)` : ''}`,
    });
  }
  return { title: `📊 Open trades (${trades.length})`, tone: 'info', blocks };
}

export const statusCommand = defineCommand({
  name: 'status',
  order: 10,
  description: 'Open trades: rates, profit, stoploss, orders; or /status table',
  usage: STATUS_USAGE,
  role: 'viewer',
  refreshable: true,
  acrossBots: {},
  args: z.object({
    trade_id: arg.tradeIds('trade ids, or "table" for a compact table', { orTable: true }).default([]),
  }),
  async run(run) {
    const { bot, services } = run;
    const words = run.args.trade_id;
    const nowMs = services.now();
    if (words.length === 1 && words[0]?.toLowerCase() === 'table') {
      const trades = await bot.status();
      if (trades.length === 0) return noOpenTradesReply(bot, services.logger);
      return statusTable(sortById(trades), nowMs);
    }
    if (words.length === 0) {
      const trades = await bot.status();
      if (trades.length === 0) return noOpenTradesReply(bot, services.logger);
      const sorted = sortById(trades);
      return {
        title: `📊 Open trades (${sorted.length})`,
        tone: sorted.length === 1 && sorted[0] ? tradeTone(sorted[0]) : 'info',
        blocks: sorted.flatMap((trade) => tradeBlocks(trade, nowMs)),
      };
    }
    const bad = words.find((word) => !/^\d+$/.test(word) || !Number.isSafeInteger(Number(word)));
    if (bad !== undefined) {
      throw new UserInputError(`"${bad}" is not a trade id; give trade ids, or "table" alone.`, STATUS_USAGE);
    }
    const ids = [...new Set(words.map(Number))];
    if (ids.length > MAX_STATUS_IDS) {
      throw new UserInputError(`At most ${MAX_STATUS_IDS} trade ids at a time.`, STATUS_USAGE);
    }
    const found = await tradesByIds(bot, ids);
    const blocks = found.flatMap(({ id, trade }): ReplyBlock[] =>
      trade ? tradeBlocks(trade, nowMs) : [{ kind: 'text', text: `Trade ${id} not found.` }],
    );
    const single = found.length === 1 ? found[0]?.trade : undefined;
    return {
      title: ids.length === 1 ? `📊 Trade #${ids[0]}` : `📊 Trades ${ids.map((id) => `#${id}`).join(', ')}`,
      tone: single ? tradeTone(single) : single === null ? 'warning' : 'info',
      blocks,
    };
  },
});

function sortById<T extends { trade_id: number }>(trades: T[]): T[] {
  return [...trades].sort((a, b) => a.trade_id - b.trade_id);
}

// ---------------------------------------------------------------- /trades

/**
 * The latest `count` closed trades, newest close first. `/trades` pages by trade id ascending (our
 * client cannot ask for `order_by_id=false`), so when there are more than `count` closed trades a
 * second call fetches the last page: the highest ids, which are the latest closed in all but
 * unusual cases (a long-held trade opened before, and closed after, a newer one).
 */
async function latestClosedTrades(
  bot: FreqtradeClient,
  count: number,
): Promise<{ trades: Trade[]; total: number }> {
  const first = await bot.trades({ limit: count });
  let trades = first.trades;
  if (first.total_trades > count) {
    trades = (await bot.trades({ limit: count, offset: first.total_trades - count })).trades;
  }
  const closedAt = (trade: Trade) => trade.close_timestamp ?? trade.open_timestamp;
  return {
    trades: [...trades].sort((a, b) => closedAt(b) - closedAt(a) || b.trade_id - a.trade_id),
    total: first.total_trades,
  };
}

export const tradesCommand = defineCommand({
  name: 'trades',
  order: 20,
  description: `The latest closed trades (default ${DEFAULT_TRADES}, at most ${MAX_TRADES})`,
  usage: '/trades [n]',
  role: 'viewer',
  args: z.object({ n: arg.count('how many closed trades', 1, MAX_TRADES).optional() }),
  async run(run) {
    const count = run.args.n ?? DEFAULT_TRADES;
    const { trades, total } = await latestClosedTrades(run.bot, count);
    if (trades.length === 0) {
      return {
        title: '🧾 Closed trades',
        tone: 'neutral',
        blocks: [{ kind: 'text', text: 'No closed trades yet.' }],
      };
    }
    const currency = trades[0]?.quote_currency ?? '';
    const rows = trades.map((trade) => {
      const ratio = trade.profit_ratio ?? trade.close_profit;
      const amount = trade.profit_abs ?? trade.close_profit_abs;
      return [
        `${trade.trade_id} ${trade.is_short ? 'S' : 'L'}`,
        trade.pair,
        orNa(ratio, formatSignedPercent),
        orNa(amount, (value) => formatSignedAmount(value, currency)),
        formatUtcCell(trade.close_timestamp),
      ];
    });
    return {
      title: `🧾 Last ${plural(trades.length, 'closed trade')}`,
      tone: 'info',
      blocks: [
        {
          kind: 'table',
          headers: ['ID L/S', 'Pair', 'Profit %', withCurrency('Profit', currency), 'Closed (UTC)'],
          rows,
          align: ['left', 'left', 'right', 'right', 'left'],
        },
        {
          kind: 'text',
          text: `${trades.length} of ${plural(total, 'closed trade')}, newest first.`,
          style: 'italic',
        },
      ],
    };
  },
});

// ---------------------------------------------------------------- /count

export const countCommand = defineCommand({
  name: 'count',
  order: 30,
  description: 'Open trades against max_open_trades, and the stake they hold',
  usage: '/count',
  role: 'viewer',
  refreshable: true,
  acrossBots: {},
  args: z.object({}),
  async run(run) {
    const [count, currency] = await Promise.all([
      run.bot.count(),
      stakeCurrencyOf(run.bot, run.services.logger),
    ]);
    const fields: ReplyField[] = [
      { label: 'Open trades', value: `${count.current} / ${formatLimit(count.max)}` },
      { label: 'Total stake', value: formatMoney(count.total_stake, currency) },
    ];
    if (count.max >= 0)
      fields.push({ label: 'Free slots', value: String(Math.max(0, count.max - count.current)) });
    return { title: '🔢 Trade count', tone: 'info', blocks: [{ kind: 'fields', fields }] };
  },
});

// ---------------------------------------------------------------- /performance and tag statistics

type TagStat = EntryStat | ExitStat | MixTagStat;

interface TagRow {
  label: string;
  profit_ratio: number;
  profit_abs: number;
  count: number;
}

function toTagRow(stat: TagStat | PerformanceEntry, label: string): TagRow {
  return { label, profit_ratio: stat.profit_ratio, profit_abs: stat.profit_abs, count: stat.count };
}

/** A ranked table of pairs or tags (in the order Freqtrade sent), capped at `MAX_TABLE_ROWS`. */
function rankedTable(rows: TagRow[], labelHeader: string, currency: string): ReplyBlock[] {
  const shown = rows.slice(0, MAX_TABLE_ROWS);
  const blocks: ReplyBlock[] = [
    {
      kind: 'table',
      headers: ['#', labelHeader, 'Profit %', withCurrency('Profit', currency), 'Trades'],
      rows: shown.map((row, index) => [
        String(index + 1),
        row.label,
        formatSignedPercent(row.profit_ratio),
        formatSignedAmount(row.profit_abs, currency),
        String(row.count),
      ]),
      align: ['right', 'left', 'right', 'right', 'right'],
    },
  ];
  if (rows.length > shown.length) {
    blocks.push({
      kind: 'text',
      text: `… and ${rows.length - shown.length} more not shown.`,
      style: 'italic',
    });
  }
  return blocks;
}

export const performanceCommand = defineCommand({
  name: 'performance',
  order: 90,
  description: 'Profit per pair over closed trades, best first',
  usage: '/performance',
  role: 'viewer',
  refreshable: true,
  acrossBots: {},
  args: z.object({}),
  chart: () => ({ kind: 'performance' }),
  async run(run) {
    const [entries, currency] = await Promise.all([
      run.bot.performance(),
      stakeCurrencyOf(run.bot, run.services.logger),
    ]);
    if (entries.length === 0) {
      return {
        title: '🏆 Performance',
        tone: 'neutral',
        blocks: [{ kind: 'text', text: 'No closed trades yet.' }],
      };
    }
    const rows = entries.map((entry) => toTagRow(entry, entry.pair));
    return { title: '🏆 Performance', tone: 'info', blocks: rankedTable(rows, 'Pair', currency) };
  },
});

/** Builds one of /entries, /exits, /mix_tags: same shape, a different tag field. */
function tagCommand<T extends TagStat>(spec: {
  name: string;
  /** Position in /help and the menus. */
  order: number;
  aliases?: string[];
  description: string;
  title: string;
  header: string;
  fetch: (bot: FreqtradeClient, pair: string | undefined) => Promise<T[]>;
  label: (stat: T) => string;
}) {
  return defineCommand({
    name: spec.name,
    order: spec.order,
    ...(spec.aliases ? { aliases: spec.aliases } : {}),
    description: spec.description,
    usage: `/${spec.name} [pair]`,
    role: 'viewer',
    refreshable: true,
    args: z.object({ pair: arg.pair('only trades of this pair, e.g. BTC/USDT').optional() }),
    async run(run) {
      const { pair } = run.args;
      const [stats, currency] = await Promise.all([
        spec.fetch(run.bot, pair),
        stakeCurrencyOf(run.bot, run.services.logger),
      ]);
      const title = pair ? `${spec.title} · ${pair}` : spec.title;
      if (stats.length === 0) {
        const text = pair ? `No closed trades for ${pair} yet.` : 'No closed trades yet.';
        return { title, tone: 'neutral', blocks: [{ kind: 'text', text }] };
      }
      const rows = stats.map((stat) => toTagRow(stat, spec.label(stat)));
      return { title, tone: 'info', blocks: rankedTable(rows, spec.header, currency) };
    },
  });
}

export const entriesCommand = tagCommand<EntryStat>({
  name: 'entries',
  order: 100,
  aliases: ['buys'],
  description: 'Profit per enter tag over closed trades, optionally for one pair',
  title: '🏷️ Entry tags',
  header: 'Enter tag',
  fetch: (bot, pair) => bot.entries(pair),
  label: (stat) => stat.enter_tag,
});

export const exitsCommand = tagCommand<ExitStat>({
  name: 'exits',
  order: 110,
  aliases: ['sells'],
  description: 'Profit per exit reason over closed trades, optionally for one pair',
  title: '🚪 Exit reasons',
  header: 'Exit reason',
  fetch: (bot, pair) => bot.exits(pair),
  label: (stat) => stat.exit_reason,
});

export const mixTagsCommand = tagCommand<MixTagStat>({
  name: 'mix_tags',
  order: 120,
  description: 'Profit per enter tag + exit reason combination, optionally for one pair',
  title: '🔀 Enter tag + exit reason',
  header: 'Tags',
  fetch: (bot, pair) => bot.mixTags(pair),
  label: (stat) => stat.mix_tag,
});
