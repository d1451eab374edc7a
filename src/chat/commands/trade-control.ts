import { z } from 'zod';
import { UserInputError } from '../../errors.js';
import type { OpenTrade } from '../../freqtrade/schemas.js';
import { formatRate, formatSignedMoney, formatSignedPercent, profitEmoji } from '../../notify/numbers.js';
import { arg } from '../arguments.js';
import type { Reply, ReplyField } from '../reply.js';
import { defineCommand, type CommandRun } from '../types.js';

const tradeIdOrAll = z.union([z.literal('all'), arg.id('trade id')], {
  error: 'expected a trade id or "all"',
});

/** A trade's one-line label for buttons: `#3 BTC/USDT +1.25%`. */
export function tradeLabel(trade: OpenTrade): string {
  const ratio = trade.profit_ratio ?? trade.total_profit_ratio ?? 0;
  return `#${trade.trade_id} ${trade.pair} ${formatSignedPercent(ratio)}`;
}

/** Fields describing an open trade before an action on it. */
function tradeFields(trade: OpenTrade): ReplyField[] {
  const ratio = trade.profit_ratio ?? 0;
  const currency = trade.quote_currency ?? '';
  return [
    {
      label: 'Trade',
      value: `#${trade.trade_id} ${trade.pair} (${trade.is_short ? 'Short' : 'Long'})`,
      inline: true,
    },
    { label: 'Open rate', value: formatRate(trade.open_rate), inline: true },
    {
      label: 'Current rate',
      value: trade.current_rate !== null ? formatRate(trade.current_rate) : 'n/a',
      inline: true,
    },
    {
      label: 'Current profit',
      value: `${profitEmoji(ratio)} ${formatSignedMoney(trade.profit_abs ?? 0, currency)} (${formatSignedPercent(ratio)})`,
    },
  ];
}

async function fetchOpenTrade(run: CommandRun<unknown>, tradeId: number): Promise<OpenTrade> {
  const trades = await run.bot.status();
  const trade = trades.find((t) => t.trade_id === tradeId);
  if (!trade) {
    const open = trades.map((t) => `#${t.trade_id}`).join(', ');
    throw new UserInputError(
      `Trade ${tradeId} is not open on ${run.bot.name}.${open ? ` Open trades: ${open}.` : ''}`,
    );
  }
  return trade;
}

const FORCEEXIT_USAGE = '/forceexit <trade_id|all> [limit|market] [amount]';

export const forceExitCommand = defineCommand({
  name: 'forceexit',
  aliases: ['fx', 'forcesell'],
  description: 'Exit a trade (or all) now, after confirmation',
  usage: FORCEEXIT_USAGE,
  role: 'admin',
  mutates: true,
  args: z.object({
    trade_id: tradeIdOrAll,
    order_type: arg.choice(['limit', 'market'], 'order type').optional(),
    amount: arg.positive('amount to exit (partial exit)').optional(),
  }),
  async pick(run) {
    const trades = await run.bot.status();
    if (trades.length === 0)
      return { prompt: { blocks: [{ kind: 'text', text: 'There are no open trades.' }] }, options: [] };
    return {
      prompt: { title: 'Exit which trade?', blocks: [{ kind: 'text', text: 'Choose a trade to exit:' }] },
      options: [
        ...trades.map((trade) => ({ label: tradeLabel(trade), args: { trade_id: String(trade.trade_id) } })),
        ...(trades.length > 1 ? [{ label: `All ${trades.length} trades`, args: { trade_id: 'all' } }] : []),
      ],
    };
  },
  async snapshot(run) {
    // `all` exits what is open at Confirm: refuse if that is not what the prompt listed.
    if (run.args.trade_id !== 'all') return `trade #${run.args.trade_id}`;
    const ids = (await run.bot.status())
      .map((trade) => trade.trade_id)
      .sort((a, b) => a - b)
      .map((id) => `#${id}`);
    return ids.length ? `open trades ${ids.join(', ')}` : 'no open trades';
  },
  async confirm(run) {
    const how = run.args.order_type ? ` with a ${run.args.order_type} order` : '';
    if (run.args.trade_id === 'all') {
      const trades = await run.bot.status();
      if (trades.length === 0) throw new UserInputError(`${run.bot.name} has no open trades.`);
      return {
        title: `⚠️ Exit all ${trades.length} open trades${how}?`,
        tone: 'warning',
        blocks: [
          {
            kind: 'table',
            headers: ['ID', 'Pair', 'Profit'],
            align: ['right', 'left', 'right'],
            rows: trades.map((t) => [String(t.trade_id), t.pair, formatSignedPercent(t.profit_ratio ?? 0)]),
          },
        ],
      };
    }
    const trade = await fetchOpenTrade(run, run.args.trade_id);
    const part = run.args.amount !== undefined ? `${run.args.amount} of ` : '';
    return {
      title: `⚠️ Exit ${part}trade #${trade.trade_id} ${trade.pair}${how}?`,
      tone: 'warning',
      blocks: [{ kind: 'fields', fields: tradeFields(trade) }],
    };
  },
  async run(run) {
    const result = await run.bot.forceExit({
      tradeid: run.args.trade_id,
      ...(run.args.order_type ? { ordertype: run.args.order_type } : {}),
      ...(run.args.amount !== undefined ? { amount: run.args.amount } : {}),
    });
    return { title: '✅ Exit requested', tone: 'info', blocks: [{ kind: 'text', text: result.result }] };
  },
});

function forceEnterCommand(side: 'long' | 'short') {
  return defineCommand({
    name: side === 'long' ? 'forcelong' : 'forceshort',
    aliases: side === 'long' ? ['forcebuy'] : [],
    description: `Open a ${side} trade now, after confirmation`,
    usage: `/force${side} <pair> [rate]`,
    role: 'admin',
    mutates: true,
    args: z.object({
      pair: arg.pair('pair to enter, e.g. BTC/USDT'),
      price: arg.positive('limit rate (market price when omitted)').optional(),
      stake_amount: arg.positive('stake amount').optional(),
      order_type: arg.choice(['limit', 'market'], 'order type').optional(),
    }),
    async pick(run) {
      const whitelist = await run.bot.whitelist();
      if (whitelist.whitelist.length === 0) {
        return { prompt: { blocks: [{ kind: 'text', text: 'The whitelist is empty.' }] }, options: [] };
      }
      return {
        prompt: { title: `Force ${side}: which pair?`, blocks: [{ kind: 'text', text: 'Choose a pair:' }] },
        options: whitelist.whitelist.slice(0, 40).map((pair) => ({ label: pair, args: { pair } })),
      };
    },
    async confirm(run) {
      const config = await run.bot.showConfig();
      if (side === 'short' && !config.short_allowed) {
        throw new UserInputError(`${run.bot.name} trades ${config.trading_mode}: shorting is not allowed.`);
      }
      const fields: ReplyField[] = [
        { label: 'Pair', value: run.args.pair, inline: true },
        { label: 'Side', value: side === 'long' ? 'Long' : 'Short', inline: true },
        {
          label: 'Rate',
          value: run.args.price !== undefined ? formatRate(run.args.price) : 'market (current price)',
          inline: true,
        },
        {
          label: 'Stake',
          value:
            run.args.stake_amount !== undefined
              ? `${run.args.stake_amount} ${config.stake_currency}`
              : `${config.stake_amount} ${config.stake_currency} (configured)`,
        },
      ];
      if (config.dry_run) fields.push({ label: 'Mode', value: 'dry run' });
      return {
        title: `⚠️ Open a ${side} trade on ${run.args.pair}?`,
        tone: 'warning',
        blocks: [{ kind: 'fields', fields }],
      };
    },
    async run(run) {
      const trade = await run.bot.forceEnter({
        pair: run.args.pair,
        side,
        ...(run.args.price !== undefined ? { price: run.args.price } : {}),
        ...(run.args.stake_amount !== undefined ? { stakeamount: run.args.stake_amount } : {}),
        ...(run.args.order_type ? { ordertype: run.args.order_type } : {}),
      });
      return {
        title: `✅ ${side === 'long' ? 'Long' : 'Short'} entry placed`,
        tone: 'entry',
        blocks: [
          {
            kind: 'fields',
            fields: [
              { label: 'Trade', value: `#${trade.trade_id} ${trade.pair}` },
              { label: 'Open rate', value: formatRate(trade.open_rate) },
              { label: 'Stake', value: `${trade.stake_amount} ${trade.quote_currency ?? ''}`.trim() },
            ],
          },
        ],
      };
    },
  });
}

export const forceLongCommand = forceEnterCommand('long');
export const forceShortCommand = forceEnterCommand('short');

/** Commands that act on one open trade: describe it, confirm when asked, then act. */
function tradeActionCommand(options: {
  name: string;
  aliases?: string[];
  description: string;
  verb: string;
  confirm: boolean;
  act(run: CommandRun<{ trade_id: number }>): Promise<Reply>;
}) {
  return defineCommand({
    name: options.name,
    ...(options.aliases ? { aliases: options.aliases } : {}),
    description: options.description,
    usage: `/${options.name} <trade_id>`,
    role: 'admin',
    mutates: true,
    args: z.object({ trade_id: arg.id('trade id') }),
    async pick(run) {
      const trades = await run.bot.status();
      if (trades.length === 0) return null;
      return {
        prompt: {
          title: `${options.verb}: which trade?`,
          blocks: [{ kind: 'text', text: 'Choose a trade:' }],
        },
        options: trades.map((trade) => ({
          label: tradeLabel(trade),
          args: { trade_id: String(trade.trade_id) },
        })),
      };
    },
    ...(options.confirm
      ? {
          async confirm(run: CommandRun<{ trade_id: number }>): Promise<Reply> {
            const trade = await fetchOpenTrade(run, run.args.trade_id);
            return {
              title: `⚠️ ${options.verb} trade #${trade.trade_id} ${trade.pair}?`,
              tone: 'warning',
              blocks: [{ kind: 'fields', fields: tradeFields(trade) }],
            };
          },
        }
      : {}),
    run: options.act,
  });
}

export const deleteTradeCommand = tradeActionCommand({
  name: 'delete',
  description: 'Delete a trade from the database (cancels its open orders), after confirmation',
  verb: 'Delete',
  confirm: true,
  async act(run) {
    const result = await run.bot.deleteTrade(run.args.trade_id);
    return { title: '🗑 Trade deleted', tone: 'info', blocks: [{ kind: 'text', text: result.result_msg }] };
  },
});

export const cancelOpenOrderCommand = tradeActionCommand({
  name: 'cancel_open_order',
  aliases: ['coo'],
  description: "Cancel a trade's open order, after confirmation",
  verb: 'Cancel the open order of',
  confirm: true,
  async act(run) {
    const trade = await run.bot.cancelOpenOrder(run.args.trade_id);
    return {
      title: '✅ Open order cancelled',
      tone: 'info',
      blocks: [{ kind: 'text', text: `Trade #${trade.trade_id} ${trade.pair}: open order cancelled.` }],
    };
  },
});

export const reloadTradeCommand = tradeActionCommand({
  name: 'reload_trade',
  description: 'Reload a trade from the exchange',
  verb: 'Reload',
  confirm: false,
  async act(run) {
    const trade = await run.bot.reloadTrade(run.args.trade_id);
    return {
      title: '🔄 Trade reloaded',
      tone: 'info',
      blocks: [{ kind: 'text', text: `Trade #${trade.trade_id} ${trade.pair} reloaded from the exchange.` }],
    };
  },
});
