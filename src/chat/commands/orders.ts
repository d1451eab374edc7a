/*
 * /order [trade_id…]: the filled orders of each trade, as Freqtrade's own Telegram `/order` shows
 * them (rpc/telegram.py `_prepare_order_details`): entry or exit #n, the filled amount and its
 * cost, the average price, and for every order after the first its % from the first entry.
 */
import { z } from 'zod';
import { UserInputError } from '../../errors.js';
import { tradesByIds } from './secondary-calls.js';
import type { OpenTrade, Order } from '../../freqtrade/schemas.js';
import { formatMoney } from '../../format/money.js';
import { formatRate, formatSignedPercent } from '../../format/numbers.js';
import { arg } from '../arguments.js';
import type { ReplyBlock, ReplyField } from '../reply.js';
import { defineCommand } from '../types.js';
import { formatUtcOrNa } from '../../format/dates.js';

/** At most this many trade ids per /order call: each is one GET /trade/{id}. */
const MAX_ORDER_IDS = 20;
const ORDER_USAGE = '/order [trade_id…]';

/** True when the order adds to the position: a buy of a long trade, a sell of a short one. */
export function isEntryOrder(order: Order, isShort: boolean): boolean {
  return order.ft_order_side === (isShort ? 'sell' : 'buy');
}

/** `"+1.25%"` / `"-0.40%"` (`"0.00%"` unchanged): the signed change of `price` from `first`; `""` when `first` is not positive. */
export function percentFromFirst(price: number, first: number): string {
  if (!(first > 0)) return '';
  return formatSignedPercent((price - first) / first);
}

/**
 * The filled orders of a trade in Freqtrade's `/order` layout, one fields block per order (open
 * orders and stoploss orders left out); an empty list when nothing has filled.
 */
export function filledOrderBlocks(trade: OpenTrade): ReplyBlock[] {
  const filled = trade.orders.filter((order) => !order.is_open && (order.filled ?? order.amount) > 0);
  const firstEntry = filled.find((order) => isEntryOrder(order, trade.is_short));
  const firstPrice = firstEntry?.safe_price ?? 0;
  const quote = trade.quote_currency;
  let entries = 0;
  let exits = 0;
  const blocks: ReplyBlock[] = [];
  for (const order of filled) {
    // A filled stoploss order (`ft_order_side: "stoploss"`) is an exit like any other.
    const entry = isEntryOrder(order, trade.is_short);
    const number = entry ? ++entries : ++exits;
    const amount = order.filled ?? order.amount;
    const fields: ReplyField[] = [
      {
        label: 'Amount',
        value: `${formatRate(amount)} ${trade.base_currency} (${formatMoney(order.cost, quote)})`,
      },
    ];
    const isFirst = order === firstEntry;
    const change = isFirst ? '' : percentFromFirst(order.safe_price, firstPrice);
    fields.push({
      label: entry ? 'Average price' : 'Average exit price',
      value: `${formatRate(order.safe_price)} ${quote}${change ? ` (${change} from 1st entry)` : ''}`,
    });
    if (!isFirst) fields.push({ label: 'Filled', value: formatUtcOrNa(order.order_filled_timestamp) });
    blocks.push({ kind: 'text', text: `${entry ? 'Entry' : 'Exit'} #${number}`, style: 'bold' });
    blocks.push({ kind: 'fields', fields });
  }
  return blocks;
}

/** The header and orders of one trade. */
function tradeOrderBlocks(trade: OpenTrade): ReplyBlock[] {
  const side = trade.is_short ? 'Short' : 'Long';
  const closed = trade.is_open ? '' : ', closed';
  const orders = filledOrderBlocks(trade);
  return [
    {
      kind: 'text',
      text: `Orders of trade #${trade.trade_id} ${trade.pair} (${side}${closed})`,
      style: 'bold',
    },
    ...(orders.length > 0 ? orders : [{ kind: 'text' as const, text: 'No filled order yet.' }]),
  ];
}

export const orderCommand = defineCommand({
  name: 'order',
  order: 122,
  description:
    'The filled orders of each open trade (or of the trades given): amount, price, % from 1st entry',
  usage: ORDER_USAGE,
  role: 'viewer',
  args: z.object({ trade_id: arg.rest('trade ids; none = every open trade').default([]) }),
  async run(run) {
    const { bot } = run;
    const words = run.args.trade_id;
    if (words.length === 0) {
      const trades = [...(await bot.status())].sort((a, b) => a.trade_id - b.trade_id);
      if (trades.length === 0) {
        return { title: '🧾 Orders', tone: 'neutral', blocks: [{ kind: 'text', text: 'No open trades.' }] };
      }
      return { title: '🧾 Orders', tone: 'info', blocks: trades.flatMap(tradeOrderBlocks) };
    }
    const bad = words.find((word) => !/^\d+$/.test(word) || !Number.isSafeInteger(Number(word)));
    if (bad !== undefined) throw new UserInputError(`"${bad}" is not a trade id.`, ORDER_USAGE);
    const ids = [...new Set(words.map(Number))];
    if (ids.length > MAX_ORDER_IDS) {
      throw new UserInputError(`At most ${MAX_ORDER_IDS} trade ids at a time.`, ORDER_USAGE);
    }
    const found = await tradesByIds(bot, ids);
    const blocks = found.flatMap(({ id, trade }): ReplyBlock[] =>
      trade ? tradeOrderBlocks(trade) : [{ kind: 'text', text: `Trade ${id} not found.` }],
    );
    return {
      title: '🧾 Orders',
      tone: found.every(({ trade }) => trade === null) ? 'warning' : 'info',
      blocks,
    };
  },
});
