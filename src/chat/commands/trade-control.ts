import { z } from 'zod';
import { ApiError, UserInputError } from '../../errors.js';
import type { OpenTrade, ShowConfig } from '../../freqtrade/schemas.js';
import { UNKNOWN } from '../../format/missing.js';
import { formatMoney } from '../../format/money.js';
import { formatRate, formatSignedPercent } from '../../format/numbers.js';
import { currentProfitText, directionOf, shortProfit } from '../../format/trade-phrases.js';
import { arg } from '../arguments.js';
import type { Reply, ReplyField } from '../reply.js';
import { type CommandRun, defineCommand, type Picker } from '../types.js';
import {
  botModeField,
  cancellableOrders,
  describeDeviation,
  describeOrder,
  deviatesTooFar,
  freeStakeOf,
  latestClose,
  MAX_ENTRY_RATE_DEVIATION,
  rateDeviation,
} from './order-checks.js';

const tradeIdOrAll = arg.tradeIdOrAll('trade id');

/** A trade's one-line label for buttons: `#3 BTC/USDT +1.25%` (`?` when its profit is unknown). */
export function tradeLabel(trade: OpenTrade): string {
  return `#${trade.trade_id} ${trade.pair} ${shortProfit(trade)}`;
}

/** `0.5 BTC`: an amount as Freqtrade gives it, in the trade's base currency. */
function baseAmount(amount: number, trade: Pick<OpenTrade, 'base_currency'>): string {
  return `${formatRate(amount)} ${trade.base_currency}`;
}

/** Fields describing a trade before an action on it: which one, rates, profit now, size and stake. */
function tradeFields(trade: OpenTrade): ReplyField[] {
  const state = trade.is_open ? '' : ', closed';
  return [
    {
      label: 'Trade',
      value: `#${trade.trade_id} ${trade.pair} (${directionOf(trade.is_short)}${state})`,
      inline: true,
    },
    { label: 'Open rate', value: formatRate(trade.open_rate), inline: true },
    trade.is_open
      ? {
          label: 'Current rate',
          value: trade.current_rate !== null ? formatRate(trade.current_rate) : UNKNOWN,
          inline: true,
        }
      : {
          label: 'Close rate',
          value: trade.close_rate !== null ? formatRate(trade.close_rate) : UNKNOWN,
          inline: true,
        },
    { label: trade.is_open ? 'Current profit' : 'Profit', value: currentProfitText(trade) },
    { label: 'Amount', value: baseAmount(trade.amount, trade), inline: true },
    { label: 'Stake', value: formatMoney(trade.stake_amount, trade.quote_currency), inline: true },
  ];
}

/** The trade among the open ones (`/status`), or a UserInputError listing what is open. */
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

/** The trade, open or closed (`GET /trade/{id}`); a UserInputError ending in `suffix` when Freqtrade has no such trade. */
async function fetchAnyTrade(run: CommandRun<unknown>, tradeId: number, suffix: string): Promise<OpenTrade> {
  try {
    return await run.bot.trade(tradeId);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      throw new UserInputError(`Trade #${tradeId} does not exist on ${run.bot.name}${suffix}`);
    }
    throw error;
  }
}

/**
 * Right before a Confirmed action on an open trade: the trade as it is now, or a UserInputError
 * ("Trade #2 closed meanwhile: nothing done.") when it closed or vanished since the prompt.
 */
async function tradeStillOpen(run: CommandRun<unknown>, tradeId: number): Promise<OpenTrade> {
  const trade = await fetchAnyTrade(run, tradeId, ' any more: nothing done.');
  if (!trade.is_open) throw new UserInputError(`Trade #${tradeId} closed meanwhile: nothing done.`);
  return trade;
}

const FORCEEXIT_USAGE = '/forceexit <trade_id|all> [order_type=limit|market] [amount]';

/**
 * Refuses an exit amount above what the trade holds: with the usage line when asking, or as
 * "nothing done" when the trade shrank between asking and Confirm (`atConfirm`).
 */
function checkExitAmount(trade: OpenTrade, amount: number | undefined, atConfirm: boolean): void {
  if (amount === undefined || amount <= trade.amount) return;
  const what = `Trade #${trade.trade_id} ${trade.pair} holds ${baseAmount(trade.amount, trade)}`;
  throw atConfirm
    ? new UserInputError(`${what} now, less than the ${baseAmount(amount, trade)} asked: nothing done.`)
    : new UserInputError(
        `Cannot exit ${baseAmount(amount, trade)}: ${what.replace(' holds ', ' holds only ')}.`,
        FORCEEXIT_USAGE,
      );
}

export const forceExitCommand = defineCommand({
  name: 'forceexit',
  order: 260,
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
    const config = await run.bot.showConfig();
    const bot = botModeField(run.bot.name, config.dry_run);
    if (run.args.trade_id === 'all') {
      const trades = await run.bot.status();
      if (trades.length === 0) throw new UserInputError(`${run.bot.name} has no open trades.`);
      return {
        title: `⚠️ Exit all ${trades.length} open trades${how}?`,
        tone: 'warning',
        blocks: [
          { kind: 'fields', fields: [bot] },
          {
            kind: 'table',
            headers: ['ID', 'Pair', 'Amount', 'Profit'],
            align: ['right', 'left', 'right', 'right'],
            rows: trades.map((t) => [String(t.trade_id), t.pair, baseAmount(t.amount, t), shortProfit(t)]),
          },
        ],
      };
    }
    const trade = await fetchOpenTrade(run, run.args.trade_id);
    const { amount } = run.args;
    checkExitAmount(trade, amount, false);
    const partial = amount !== undefined && amount < trade.amount;
    const fields = [bot, ...tradeFields(trade)];
    if (partial) {
      fields.push({
        label: 'Exit',
        value: `${baseAmount(amount, trade)} of ${baseAmount(trade.amount, trade)}; ${baseAmount(trade.amount - amount, trade)} stays open`,
      });
    }
    return {
      title: `⚠️ Exit ${partial ? `${baseAmount(amount, trade)} of ` : ''}trade #${trade.trade_id} ${trade.pair}${how}?`,
      tone: 'warning',
      blocks: [{ kind: 'fields', fields }],
    };
  },
  async run(run) {
    if (run.args.trade_id !== 'all') {
      const trade = await tradeStillOpen(run, run.args.trade_id);
      checkExitAmount(trade, run.args.amount, true);
    }
    const result = await run.bot.forceExit({
      tradeid: run.args.trade_id,
      ...(run.args.order_type ? { ordertype: run.args.order_type } : {}),
      ...(run.args.amount !== undefined ? { amount: run.args.amount } : {}),
    });
    return { title: '✅ Exit requested', tone: 'info', blocks: [{ kind: 'text', text: result.result }] };
  },
});

/** The latest candle close of `pair`, or undefined when the lookup fails: a missing price never blocks a prompt. */
async function currentPrice(
  run: CommandRun<unknown>,
  pair: string,
  config: ShowConfig,
): Promise<number | undefined> {
  if (!config.timeframe) return undefined;
  try {
    return latestClose(await run.bot.pairCandles({ pair, timeframe: config.timeframe, limit: 1 }));
  } catch (error) {
    run.services.logger.warn(
      { err: error, bot: run.bot.name, pair },
      'current price lookup failed; the prompt says unknown',
    );
    return undefined;
  }
}

/** The order type Freqtrade uses for a force entry when none is given: `order_types.force_entry`, else `entry`. */
function configuredEntryOrderType(config: ShowConfig): string {
  const types = config.order_types ?? {};
  const type = types['force_entry'] ?? types['entry'];
  return typeof type === 'string' ? type : 'as configured';
}

function forceEnterCommand(side: 'long' | 'short') {
  const name = side === 'long' ? 'forcelong' : 'forceshort';
  const usage = `/${name} <pair> [rate] [stake_amount] [order_type=limit|market] [force=yes]`;
  const sideName = directionOf(side === 'short');
  return defineCommand({
    name,
    order: side === 'long' ? 270 : 280,
    aliases: side === 'long' ? ['forcebuy'] : [],
    description: `Open a ${side} trade now (optional limit rate and stake), after confirmation`,
    usage,
    role: 'admin',
    mutates: true,
    args: z.object({
      pair: arg.pair('pair to enter, e.g. BTC/USDT'),
      rate: arg.positive('limit rate (the current price when omitted)').optional(),
      stake_amount: arg
        .positive('stake in the stake currency (the configured stake when omitted)')
        .optional(),
      order_type: arg.choice(['limit', 'market'], 'order type').optional(),
      force: arg
        .choice(
          ['yes'],
          `yes: allow a rate more than ${MAX_ENTRY_RATE_DEVIATION * 100}% from the current price`,
        )
        .optional(),
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
      const { pair, rate, stake_amount: stake } = run.args;
      const botName = run.bot.name;
      const config = await run.bot.showConfig();
      if (side === 'short' && !config.short_allowed) {
        throw new UserInputError(`${botName} trades ${config.trading_mode}: shorting is not allowed.`);
      }
      if (!config.force_entry_enable) {
        throw new UserInputError(
          `Force entry is disabled on ${botName} (force_entry_enable is false in its Freqtrade config): nothing was sent.`,
        );
      }
      if (config.state !== 'running') {
        throw new UserInputError(
          `${botName} is ${config.state || 'not trading'}: Freqtrade opens trades only while running. /start it first.`,
        );
      }
      const currency = config.stake_currency;
      const [price, balances, open] = await Promise.all([
        currentPrice(run, pair, config),
        run.bot.balance(),
        run.bot.status(),
      ]);
      const free = freeStakeOf(balances, currency);
      const deviation = rate !== undefined && price !== undefined ? rateDeviation(rate, price) : undefined;
      const tooFar = deviation !== undefined && deviatesTooFar(deviation);
      if (tooFar && rate !== undefined && price !== undefined && run.args.force !== 'yes') {
        throw new UserInputError(
          `Rate ${formatRate(rate)} is ${describeDeviation(deviation)} the current price ${formatRate(price)} ` +
            `(more than ${MAX_ENTRY_RATE_DEVIATION * 100}%). Send it again with force=yes if you mean it; nothing was sent.`,
          usage,
        );
      }
      if (stake !== undefined && stake > free) {
        throw new UserInputError(
          `Stake ${formatMoney(stake, currency)} is more than the ${formatMoney(free, currency)} free on ${botName}: nothing was sent.`,
          usage,
        );
      }
      const rateText =
        rate === undefined
          ? 'the current price'
          : deviation === undefined
            ? `${formatRate(rate)} (deviation unknown)`
            : `${formatRate(rate)} (${formatSignedPercent(deviation)} from the current price)`;
      const stakeText =
        stake !== undefined
          ? formatMoney(stake, currency)
          : `${config.stake_amount} ${currency} (configured)`;
      const orderType = run.args.order_type ?? configuredEntryOrderType(config);
      const fields: ReplyField[] = [
        botModeField(botName, config.dry_run),
        { label: 'Pair', value: pair, inline: true },
        { label: 'Side', value: sideName, inline: true },
        { label: 'Order type', value: run.args.order_type ?? `${orderType} (configured)`, inline: true },
        { label: 'Rate', value: rateText },
        { label: 'Current price', value: price !== undefined ? formatRate(price) : UNKNOWN },
        { label: 'Stake', value: `${stakeText} of ${formatMoney(free, currency)} free` },
      ];
      const positions = open.filter((trade) => trade.pair === pair);
      for (const trade of positions) {
        fields.push({
          label: 'Open position',
          value: `#${trade.trade_id} ${directionOf(trade.is_short)} ${baseAmount(trade.amount, trade)}, stake ${formatMoney(trade.stake_amount, trade.quote_currency)}, profit ${shortProfit(trade)}`,
        });
      }
      const blocks: Reply['blocks'] = [{ kind: 'fields', fields }];
      if (tooFar) {
        blocks.push({
          kind: 'text',
          text: `⚠️ The rate is ${describeDeviation(deviation)} the current price (force=yes).`,
        });
      }
      if (rate !== undefined && orderType === 'market') {
        blocks.push({
          kind: 'text',
          text: `A market order fills at the market price: the rate only sizes it. Add order_type=limit to enter at ${formatRate(rate)} or better.`,
        });
      }
      if (positions.length > 0 && !config.position_adjustment_enable) {
        blocks.push({
          kind: 'text',
          text: `${pair} already has an open trade and position adjustment is off: Freqtrade will likely refuse.`,
        });
      }
      return { title: `⚠️ Open a ${side} trade on ${pair}?`, tone: 'warning', blocks };
    },
    async run(run) {
      const trade = await run.bot.forceEnter({
        pair: run.args.pair,
        side,
        ...(run.args.rate !== undefined ? { price: run.args.rate } : {}),
        ...(run.args.stake_amount !== undefined ? { stakeamount: run.args.stake_amount } : {}),
        ...(run.args.order_type ? { ordertype: run.args.order_type } : {}),
      });
      return {
        title: `✅ ${sideName} entry placed`,
        tone: 'entry',
        blocks: [
          {
            kind: 'fields',
            fields: [
              { label: 'Trade', value: `#${trade.trade_id} ${trade.pair}` },
              { label: 'Open rate', value: formatRate(trade.open_rate) },
              { label: 'Amount', value: baseAmount(trade.amount, trade) },
              { label: 'Stake', value: formatMoney(trade.stake_amount, trade.quote_currency) },
            ],
          },
        ],
      };
    },
  });
}

export const forceLongCommand = forceEnterCommand('long');
export const forceShortCommand = forceEnterCommand('short');

/** Offers the open trades as buttons when a trade command is sent without an id. */
async function pickOpenTrade(run: CommandRun<unknown>, verb: string): Promise<Picker | null> {
  const trades = await run.bot.status();
  if (trades.length === 0) return null;
  return {
    prompt: { title: `${verb}: which trade?`, blocks: [{ kind: 'text', text: 'Choose a trade:' }] },
    options: trades.map((trade) => ({
      label: tradeLabel(trade),
      args: { trade_id: String(trade.trade_id) },
    })),
  };
}

const tradeIdArgs = z.object({ trade_id: arg.tradeId('trade id') });

export const deleteTradeCommand = defineCommand({
  name: 'delete',
  order: 360,
  description: 'Delete a trade (open or closed) from the database, after confirmation',
  usage: '/delete <trade_id>',
  role: 'admin',
  mutates: true,
  args: tradeIdArgs,
  pick: (run) => pickOpenTrade(run, 'Delete'),
  async confirm(run) {
    const [trade, config] = await Promise.all([
      fetchAnyTrade(run, run.args.trade_id, '.'),
      run.bot.showConfig(),
    ]);
    const consequence = trade.is_open
      ? `Only the database record goes: Freqtrade cancels the trade's open orders but sells nothing. ` +
        `The position (${baseAmount(trade.amount, trade)}) stays on the exchange: handle it there.`
      : 'Only the database record goes: the closed trade leaves /trades and the profit statistics. Nothing changes on the exchange.';
    return {
      title: `⚠️ Delete trade #${trade.trade_id} ${trade.pair}?`,
      tone: 'warning',
      blocks: [
        { kind: 'fields', fields: [botModeField(run.bot.name, config.dry_run), ...tradeFields(trade)] },
        { kind: 'text', text: consequence },
      ],
    };
  },
  async run(run) {
    const result = await run.bot.deleteTrade(run.args.trade_id);
    return { title: '🗑 Trade deleted', tone: 'info', blocks: [{ kind: 'text', text: result.result_msg }] };
  },
});

/** Refuses a trade without an open order to cancel; `suffix` ends the sentence. */
function requireOpenOrder(trade: OpenTrade, botName: string, suffix: string): void {
  if (cancellableOrders(trade).length > 0) return;
  throw new UserInputError(`Trade #${trade.trade_id} ${trade.pair} has no open order on ${botName}${suffix}`);
}

export const cancelOpenOrderCommand = defineCommand({
  name: 'cancel_open_order',
  order: 370,
  aliases: ['coo'],
  description: "Cancel a trade's open order, after confirmation",
  usage: '/cancel_open_order <trade_id>',
  role: 'admin',
  mutates: true,
  args: tradeIdArgs,
  pick: (run) => pickOpenTrade(run, 'Cancel the open order of'),
  async confirm(run) {
    const [trade, config] = await Promise.all([fetchOpenTrade(run, run.args.trade_id), run.bot.showConfig()]);
    requireOpenOrder(trade, run.bot.name, ': nothing to cancel.');
    const orders = cancellableOrders(trade);
    const blocks: Reply['blocks'] = [
      {
        kind: 'fields',
        fields: [
          botModeField(run.bot.name, config.dry_run),
          ...tradeFields(trade),
          ...orders.map((order) => ({
            label: 'Open order',
            value: describeOrder(order, trade.base_currency),
          })),
        ],
      },
    ];
    const entrySide = trade.is_short ? 'sell' : 'buy';
    if (orders.some((order) => order.ft_order_side === entrySide) && trade.nr_of_successful_entries === 0) {
      blocks.push({
        kind: 'text',
        text: 'Nothing of the entry has filled yet: cancelling it removes the trade.',
      });
    }
    return {
      title: `⚠️ Cancel the open order of trade #${trade.trade_id} ${trade.pair}?`,
      tone: 'warning',
      blocks,
    };
  },
  async run(run) {
    const current = await tradeStillOpen(run, run.args.trade_id);
    requireOpenOrder(current, run.bot.name, ' any more: nothing done.');
    const trade = await run.bot.cancelOpenOrder(run.args.trade_id);
    return {
      title: '✅ Open order cancelled',
      tone: 'info',
      blocks: [{ kind: 'text', text: `Trade #${trade.trade_id} ${trade.pair}: open order cancelled.` }],
    };
  },
});

export const reloadTradeCommand = defineCommand({
  name: 'reload_trade',
  order: 380,
  description: 'Reload a trade from the exchange',
  usage: '/reload_trade <trade_id>',
  role: 'admin',
  mutates: true,
  args: tradeIdArgs,
  pick: (run) => pickOpenTrade(run, 'Reload'),
  async run(run) {
    const trade = await run.bot.reloadTrade(run.args.trade_id);
    return {
      title: '🔄 Trade reloaded',
      tone: 'info',
      blocks: [{ kind: 'text', text: `Trade #${trade.trade_id} ${trade.pair} reloaded from the exchange.` }],
    };
  },
});
