import type { Reply, ReplyBlock, ReplyField, ReplyTone } from '../chat/reply.js';
import type { FiatRate, Ohlc } from '../freqtrade/bot-facts.js';
import type { BotEvent, BotEventOf } from '../freqtrade/event-schemas.js';
import { formatDurationBetween } from '../format/dates.js';
import { formatDuration } from '../format/durations.js';
import { formatMoney, formatSignedMoney } from '../format/money.js';
import { formatRate, formatSignedPercent } from '../format/numbers.js';
import { plural } from '../format/plural.js';
import { directionText, profitEmoji, profitText } from '../format/trade-phrases.js';

/*
 * Notification formatters: one pure function per Freqtrade message type, each returning a
 * platform-neutral Reply. Wording and emoji follow Freqtrade's own Telegram messages
 * (`rpc/telegram.py` `_format_entry_msg`, `_format_exit_msg`, `_get_exit_emoji`) so Freqtrade users
 * recognise them; the title carries what a phone's notification preview needs first (bot, action,
 * pair, direction or profit) and the fields carry the rest.
 */

export interface FormatOptions {
  /** True when several bots are configured: the bot's name starts the title. */
  showBotName: boolean;
  /** The whitelist last seen from this bot, to show what a whitelist event changed. */
  previousWhitelist?: string[];
  /** Stands in for a missing close date (exit_cancel); defaults to the current time. */
  now?: Date;
  /**
   * Whether the bot trades in dry run (from its /show_config); trade messages then say "(dry)"
   * after the exchange, as Freqtrade's do. Undefined when not known yet: no marker.
   */
  dryRun?: boolean;
  /**
   * The bot's stake-to-fiat rate as Freqtrade reports it (see freqtrade/bot-facts.ts): entries then
   * show the stake in fiat too and exits the profit, as Freqtrade's do (`100.00 USDT / 101.20 USD`).
   * Used only when the event names the same fiat currency and stake currency; undefined = no fiat.
   */
  fiat?: FiatRate | undefined;
  /**
   * The signal candle of the event's pair, for chats with `show_candle: ohlc`: trade messages then
   * end with "Candle OHLC: o, h, l, c" as Freqtrade's do. Undefined = no candle line.
   */
  candle?: Ohlc | undefined;
}

/** The line that marks an event reconstructed after a reconnect rather than received live. */
export const BACKFILLED_NOTICE = 'Happened while the bot was disconnected (reported late).';

/** Title suffix of a back-filled fill: it already happened, the chat only hears of it now. */
export const BACKFILLED_FILL_SUFFIX = '(filled while disconnected)';
/** Title suffix of a back-filled order that has not filled yet: it is still in progress. */
export const BACKFILLED_ORDER_SUFFIX = '(order placed while disconnected)';

/** Whitelist diffs and lists name at most this many pairs, then "… and N more". */
const MAX_PAIRS_LISTED = 40;

const ENTRY_EMOJI = '🔵';
const ENTRY_FILL_EMOJI = '✔️';
const CANCEL_EMOJI = '⚠️';
const WARNING_EMOJI = '⚠️';
const ERROR_EMOJI = '🛑';
const PROTECTION_EMOJI = '🔒';
const BACKFILLED_EMOJI = '⏪';

/** `'[main] '` when bot names are shown, else `''`. */
function botPrefix(event: BotEvent, options: FormatOptions): string {
  return options.showBotName ? `[${event.bot}] ` : '';
}

/** Title `"{emoji} [bot] {text}"`, without the emoji when it is empty. */
function title(emoji: string, event: BotEvent, options: FormatOptions, text: string): string {
  return `${emoji ? `${emoji} ` : ''}${botPrefix(event, options)}${text}`;
}

/** Builds a Reply, putting the backfilled notice first when the event was not received live; empty field lists are dropped. */
function reply(event: BotEvent, titleText: string, tone: ReplyTone, blocks: ReplyBlock[]): Reply {
  const notice: ReplyBlock[] = event.backfilled
    ? [{ kind: 'text', text: `${BACKFILLED_EMOJI} ${BACKFILLED_NOTICE}`, style: 'italic' }]
    : [];
  const nonEmpty = blocks.filter((block) => block.kind !== 'fields' || block.fields.length > 0);
  return { title: titleText, tone, blocks: [...notice, ...nonEmpty] };
}

/** A fields block from `[label, value]` pairs, skipping pairs whose value is undefined; inline for Discord. */
function fieldsBlock(entries: Array<[string, string | undefined]>): ReplyBlock {
  const fields: ReplyField[] = [];
  for (const [label, value] of entries) {
    if (value !== undefined && value !== '') fields.push({ label, value, inline: true });
  }
  return { kind: 'fields', fields };
}

type TradeEvent = BotEventOf<'entry' | 'entry_fill' | 'entry_cancel' | 'exit' | 'exit_fill' | 'exit_cancel'>;

function quoteCurrency(event: TradeEvent): string {
  return event.quote_currency || event.stake_currency;
}

function baseCurrency(event: TradeEvent): string {
  return event.base_currency || event.pair.split('/')[0] || '';
}

function rateText(rate: number | null | undefined, event: TradeEvent): string | undefined {
  return rate === null || rate === undefined ? undefined : `${formatRate(rate)} ${quoteCurrency(event)}`;
}

function amountText(event: TradeEvent): string {
  return `${formatRate(event.amount)} ${baseCurrency(event)}`.trim();
}

/** "Binance (dry)" for a dry-run bot, "Binance" for a live one or one not known yet. */
function exchangeText(event: TradeEvent, options: FormatOptions): string | undefined {
  if (!event.exchange) return undefined;
  return options.dryRun ? `${event.exchange} (dry)` : event.exchange;
}

/** The rate to turn this event's stake-currency amounts into fiat: only when the event names the rate's fiat and stake currency. */
function fiatRateFor(event: TradeEvent, options: FormatOptions): FiatRate | undefined {
  const fiat = options.fiat;
  if (!fiat || !event.fiat_currency) return undefined;
  if (event.fiat_currency.toUpperCase() !== fiat.currency.toUpperCase()) return undefined;
  if (event.stake_currency.toUpperCase() !== fiat.stakeCurrency.toUpperCase()) return undefined;
  return fiat;
}

/** `'100.00 USDT / 101.20 USD'` (Freqtrade's "Total"), or just the stake money without a fiat rate. */
function stakeText(event: TradeEvent, options: FormatOptions): string {
  const stake = formatMoney(event.stake_amount, event.stake_currency);
  const fiat = fiatRateFor(event, options);
  return fiat ? `${stake} / ${formatMoney(event.stake_amount * fiat.rate, fiat.currency)}` : stake;
}

/** `'+9.45% (+5.69 USDT / +6.83 USD)'`: `profitText` with the fiat value of the amount when a rate applies. */
function profitWithFiat(
  event: TradeEvent,
  options: FormatOptions,
  ratio: number | null | undefined,
  amount: number,
  currency: string,
): string {
  const fiat = fiatRateFor(event, options);
  if (!fiat || ratio === null || ratio === undefined) return profitText(ratio, amount, currency);
  return `${formatSignedPercent(ratio)} (${formatSignedMoney(amount, currency)} / ${formatSignedMoney(amount * fiat.rate, fiat.currency)})`;
}

/** `'2500.1, 2510, 2490.5, 2505'`: the signal candle, as Freqtrade's "Candle OHLC" line. */
function candleText(options: FormatOptions): string | undefined {
  const candle = options.candle;
  if (!candle) return undefined;
  return [candle.open, candle.high, candle.low, candle.close].map((price) => formatRate(price)).join(', ');
}

function enterTag(event: TradeEvent): string | undefined {
  return event.enter_tag || event.buy_tag || undefined;
}

/**
 * `' (filled while disconnected)'` for a back-filled fill, `' (order placed while disconnected)'`
 * for a back-filled order still open, `''` for a live event: a late report must not read as news.
 */
function backfilledSuffix(event: BotEvent, isFill: boolean): string {
  if (!event.backfilled) return '';
  return ` ${isFill ? BACKFILLED_FILL_SUFFIX : BACKFILLED_ORDER_SUFFIX}`;
}

/** Shared body of entry and entry_fill: the same fields, the fill without a current rate. */
function formatEntry(event: BotEventOf<'entry' | 'entry_fill'>, options: FormatOptions): Reply {
  const isFill = event.type === 'entry_fill';
  const action = event.sub_trade ? (isFill ? 'Increased' : 'Increasing') : isFill ? 'Entered' : 'Entering';
  return reply(
    event,
    title(
      isFill ? ENTRY_FILL_EMOJI : ENTRY_EMOJI,
      event,
      options,
      `${action} ${event.direction} ${event.pair} (#${event.trade_id})${backfilledSuffix(event, isFill)}`,
    ),
    'entry',
    [
      fieldsBlock([
        ['Direction', directionText(event.direction, event.leverage)],
        ['Open rate', rateText(event.open_rate, event)],
        ['Current rate', event.type === 'entry' ? rateText(event.current_rate, event) : undefined],
        [event.sub_trade ? 'New total stake' : 'Stake', stakeText(event, options)],
        ['Amount', amountText(event)],
        ['Exchange', exchangeText(event, options)],
        ['Enter tag', enterTag(event)],
        ['Candle OHLC', candleText(options)],
      ]),
    ],
  );
}

/**
 * 🔵 An entry order was placed: title "Entering Long ETH/USDT (#42)", or "Increasing …" for a
 * position adjustment; back-filled (the order is still open) it adds "(order placed while disconnected)".
 */
export const formatEntryEvent: (event: BotEventOf<'entry'>, options: FormatOptions) => Reply = formatEntry;

/**
 * ✔️ An entry order filled: title "Entered Long ETH/USDT (#42)", or "Increased …" for a position
 * adjustment, without the current rate; back-filled it adds "(filled while disconnected)".
 */
export const formatEntryFillEvent: (event: BotEventOf<'entry_fill'>, options: FormatOptions) => Reply =
  formatEntry;

/** ⚠️ The Reply of a cancelled order: title "{what} ETH/USDT (#42)" and the given fields, warning tone. */
function cancelReply(
  event: BotEventOf<'entry_cancel' | 'exit_cancel'>,
  options: FormatOptions,
  what: string,
  fields: Array<[string, string | undefined]>,
): Reply {
  return reply(
    event,
    title(CANCEL_EMOJI, event, options, `${what} ${event.pair} (#${event.trade_id})`),
    'warning',
    [fieldsBlock([...fields, ['Exchange', exchangeText(event, options)]])],
  );
}

/** ⚠️ An entry order was cancelled: title "Entry cancelled ETH/USDT (#42)", the reason first. */
export function formatEntryCancelEvent(event: BotEventOf<'entry_cancel'>, options: FormatOptions): Reply {
  return cancelReply(event, options, event.sub_trade ? 'Partial entry cancelled' : 'Entry cancelled', [
    ['Reason', event.reason],
    ['Direction', directionText(event.direction, event.leverage)],
    ['Open rate', rateText(event.open_rate, event)],
    ['Stake', formatMoney(event.stake_amount, event.stake_currency)],
    ['Amount', amountText(event)],
    ['Enter tag', enterTag(event)],
  ]);
}

/** Shared body of exit and exit_fill, after Freqtrade's `_format_exit_msg`. */
function formatExit(event: BotEventOf<'exit' | 'exit_fill'>, options: FormatOptions): Reply {
  const isFill = event.type === 'exit_fill';
  const currency = quoteCurrency(event);
  // Freqtrade: a final exit after partial exits shows the last part's profit and the trade's total.
  const isFinalAfterPartials =
    Boolean(event.is_final_exit) &&
    event.cumulative_profit !== null &&
    event.cumulative_profit !== undefined &&
    event.cumulative_profit !== event.profit_amount;
  const isPartial = Boolean(event.sub_trade) && !isFinalAfterPartials;
  const action = isPartial
    ? isFill
      ? 'Partially exited'
      : 'Partially exiting'
    : isFill
      ? 'Exited'
      : 'Exiting';
  // The headline ratio is the whole trade's when it just closed after partial exits.
  const headlineRatio =
    isFinalAfterPartials && event.final_profit_ratio !== null && event.final_profit_ratio !== undefined
      ? event.final_profit_ratio
      : event.profit_ratio;
  const emoji = profitEmoji(headlineRatio, event.exit_reason);

  let profitLabel = isFill ? 'Profit' : 'Unrealized profit';
  if (isPartial || isFinalAfterPartials)
    profitLabel = isFill ? 'Partial profit' : 'Unrealized partial profit';
  let totalField: [string, string | undefined] = ['Final profit', undefined];
  if (isFinalAfterPartials && event.cumulative_profit !== null && event.cumulative_profit !== undefined) {
    totalField = [
      'Final profit',
      profitWithFiat(event, options, event.final_profit_ratio, event.cumulative_profit, currency),
    ];
  } else if (isPartial && event.cumulative_profit) {
    const fiat = fiatRateFor(event, options);
    const cumulative = formatSignedMoney(event.cumulative_profit, currency);
    totalField = [
      'Cumulative profit',
      fiat
        ? `${cumulative} / ${formatSignedMoney(event.cumulative_profit * fiat.rate, fiat.currency)}`
        : cumulative,
    ];
  }
  const exitRate = event.close_rate ?? event.order_rate ?? event.limit;

  return reply(
    event,
    title(
      emoji,
      event,
      options,
      `${action} ${event.direction} ${event.pair} (#${event.trade_id}) ${formatSignedPercent(headlineRatio)}${backfilledSuffix(event, isFill)}`,
    ),
    headlineRatio >= 0 ? 'profit' : 'loss',
    [
      fieldsBlock([
        [profitLabel, profitWithFiat(event, options, event.profit_ratio, event.profit_amount, currency)],
        totalField,
        ['Exit reason', event.exit_reason ?? undefined],
        ['Duration', formatDurationBetween(event.open_date, event.close_date)],
        ['Direction', directionText(event.direction, event.leverage)],
        ['Open rate', rateText(event.open_rate, event)],
        [isFill ? 'Exit rate' : 'Exit order rate', rateText(exitRate, event)],
        ['Current rate', isFill ? undefined : rateText(event.current_rate, event)],
        ['Amount', amountText(event)],
        ['Exchange', exchangeText(event, options)],
        ['Remaining stake', isPartial ? stakeText(event, options) : undefined],
        ['Enter tag', enterTag(event)],
        ['Candle OHLC', candleText(options)],
      ]),
    ],
  );
}

/** An exit order was placed: emoji by profit (🚀 ≥ 5 %, ✳️ ≥ 0, ⚠️ stop loss, ❌ loss), profit in the title; "Partially exiting" for a partial exit; back-filled, "(order placed while disconnected)". */
export const formatExitEvent: (event: BotEventOf<'exit'>, options: FormatOptions) => Reply = formatExit;

/** An exit order filled: like `formatExitEvent` with "Exited", the fill's exit rate and no current rate; back-filled, "(filled while disconnected)". */
export const formatExitFillEvent: (event: BotEventOf<'exit_fill'>, options: FormatOptions) => Reply =
  formatExit;

/** ⚠️ An exit order was cancelled: title "Exit cancelled ETH/USDT (#42)", the reason first; the trade stays open. */
export function formatExitCancelEvent(event: BotEventOf<'exit_cancel'>, options: FormatOptions): Reply {
  const hasProfit =
    event.profit_amount !== null &&
    event.profit_amount !== undefined &&
    event.profit_ratio !== null &&
    event.profit_ratio !== undefined;
  return cancelReply(event, options, event.sub_trade ? 'Partial exit cancelled' : 'Exit cancelled', [
    ['Reason', event.reason],
    ['Exit reason', event.exit_reason ?? undefined],
    [
      'Unrealized profit',
      hasProfit ? profitText(event.profit_ratio, event.profit_amount, quoteCurrency(event)) : undefined,
    ],
    [
      'Duration',
      formatDurationBetween(event.open_date, event.close_date ?? (options.now ?? new Date()).toISOString()),
    ],
    ['Direction', directionText(event.direction, event.leverage)],
    ['Open rate', rateText(event.open_rate, event)],
    ['Amount', amountText(event)],
    ['Enter tag', enterTag(event)],
  ]);
}

/** Strips the Telegram Markdown v1 marks (`*`, backticks) Freqtrade puts in status/startup/exception texts; trimmed. */
export function stripTelegramMarkdown(text: string): string {
  return text.replace(/```/g, '').replace(/[*`]/g, '').trim();
}

/** The bot's state changed ("running", "stopped", "paused", "… after config reloaded", "process died"). */
export function formatStatusEvent(event: BotEventOf<'status'>, options: FormatOptions): Reply {
  const tone: ReplyTone = /died/i.test(event.status) ? 'warning' : 'info';
  return reply(event, title('', event, options, 'Status'), tone, [
    { kind: 'text', text: stripTelegramMarkdown(event.status) || '(empty)' },
  ]);
}

/** ⚠️ A warning from the bot (dry run enabled, open trades left when stopping, …). */
export function formatWarningEvent(event: BotEventOf<'warning'>, options: FormatOptions): Reply {
  return reply(event, title(WARNING_EMOJI, event, options, 'Warning'), 'warning', [
    { kind: 'text', text: stripTelegramMarkdown(event.status) || '(empty)' },
  ]);
}

/** One of the startup messages (exchange, stake, ROI, pairlist, protections), Markdown marks removed. */
export function formatStartupEvent(event: BotEventOf<'startup'>, options: FormatOptions): Reply {
  return reply(event, title('', event, options, 'Startup'), 'info', [
    { kind: 'text', text: stripTelegramMarkdown(event.status) || '(empty)' },
  ]);
}

/** 🛑 The bot hit an error (an OperationalException with its traceback, in a code block), or the websocket refused a request. */
export function formatExceptionEvent(event: BotEventOf<'exception'>, options: FormatOptions): Reply {
  const text = event.status ?? event.data ?? '';
  const firstLine = text.indexOf('\n');
  const blocks: ReplyBlock[] =
    firstLine < 0
      ? [{ kind: 'text', text: stripTelegramMarkdown(text) || '(no details)' }]
      : [
          { kind: 'text', text: stripTelegramMarkdown(text.slice(0, firstLine)) || 'Error', style: 'bold' },
          { kind: 'code', text: stripTelegramMarkdown(text.slice(firstLine + 1)) },
        ];
  return reply(event, title(ERROR_EMOJI, event, options, 'Error'), 'error', blocks);
}

/** `'2026-11-22 12:00:00 UTC'` from Freqtrade's naive UTC `dt` string; other strings are kept as they are. */
function lockEndText(lockEndTime: string): string {
  return /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(lockEndTime) ? `${lockEndTime} UTC` : lockEndTime;
}

/** The side a lock applies to: `'long'`, `'short'`, `'both sides'` for Freqtrade's `"*"`; undefined when the payload has none. */
function lockSideText(side: string | null | undefined): string | undefined {
  if (!side) return undefined;
  return side === '*' ? 'both sides' : side;
}

/** 🔒 A protection locked one pair (or all pairs, for the global variant) until a time; text as in Freqtrade. */
export function formatProtectionTriggerEvent(
  event: BotEventOf<'protection_trigger' | 'protection_trigger_global'>,
  options: FormatOptions,
): Reply {
  const isGlobal = event.type === 'protection_trigger_global' || event.pair === '*';
  const what = isGlobal ? 'All pairs' : event.pair;
  const until = lockEndText(event.lock_end_time);
  const cause = event.reason ? ` due to ${event.reason}` : '';
  const lockedForMs =
    event.lock_timestamp === null || event.lock_timestamp === undefined
      ? undefined
      : event.lock_end_timestamp - event.lock_timestamp;
  const side = lockSideText(event.side);
  return reply(
    event,
    title(PROTECTION_EMOJI, event, options, `Protection triggered: ${what} locked`),
    'warning',
    [
      { kind: 'text', text: `Protection triggered${cause}. ${what} will be locked until ${until}.` },
      fieldsBlock([
        ['Side', side],
        ['Lock length', lockedForMs === undefined ? undefined : formatDuration(lockedForMs)],
      ]),
    ],
  );
}

/** A message the strategy sent with `self.dp.send_msg()`, as plain text. */
export function formatStrategyMsgEvent(event: BotEventOf<'strategy_msg'>, options: FormatOptions): Reply {
  return reply(event, title('', event, options, 'Strategy message'), 'info', [
    { kind: 'text', text: event.msg || '(empty)' },
  ]);
}

/** `'BTC/USDT, ETH/USDT … and 12 more'`: at most MAX_PAIRS_LISTED pairs. */
function pairList(pairs: string[]): string {
  if (pairs.length <= MAX_PAIRS_LISTED) return pairs.join(', ');
  return `${pairs.slice(0, MAX_PAIRS_LISTED).join(', ')} … and ${pairs.length - MAX_PAIRS_LISTED} more`;
}

/**
 * The active whitelist changed: pairs added and removed versus `options.previousWhitelist`; without a
 * previous list, the count and the pairs. Null when the set of pairs is unchanged (order is ignored).
 */
export function formatWhitelistEvent(event: BotEventOf<'whitelist'>, options: FormatOptions): Reply | null {
  const current = [...new Set(event.data)];
  const count = plural(current.length, 'pair');
  if (options.previousWhitelist === undefined) {
    return reply(event, title('', event, options, `Whitelist: ${count}`), 'neutral', [
      { kind: 'text', text: current.length === 0 ? 'The whitelist is empty.' : pairList(current) },
    ]);
  }
  const before = new Set(options.previousWhitelist);
  const after = new Set(current);
  const added = current.filter((pair) => !before.has(pair));
  const removed = [...before].filter((pair) => !after.has(pair));
  if (added.length === 0 && removed.length === 0) return null;
  const lines: string[] = [];
  if (added.length > 0) lines.push(`Added (${added.length}): ${pairList(added)}`);
  if (removed.length > 0) lines.push(`Removed (${removed.length}): ${pairList(removed)}`);
  lines.push(`Now ${count}.`);
  return reply(event, title('', event, options, 'Whitelist changed'), 'neutral', [
    { kind: 'text', text: lines.join('\n') },
  ]);
}

/** The Reply for any event; null for types never shown in chat (new_candle, analyzed_df) and for a whitelist event that changed nothing. */
export function formatEvent(event: BotEvent, options: FormatOptions): Reply | null {
  switch (event.type) {
    case 'entry':
      return formatEntryEvent(event, options);
    case 'entry_fill':
      return formatEntryFillEvent(event, options);
    case 'entry_cancel':
      return formatEntryCancelEvent(event, options);
    case 'exit':
      return formatExitEvent(event, options);
    case 'exit_fill':
      return formatExitFillEvent(event, options);
    case 'exit_cancel':
      return formatExitCancelEvent(event, options);
    case 'status':
      return formatStatusEvent(event, options);
    case 'warning':
      return formatWarningEvent(event, options);
    case 'startup':
      return formatStartupEvent(event, options);
    case 'exception':
      return formatExceptionEvent(event, options);
    case 'protection_trigger':
    case 'protection_trigger_global':
      return formatProtectionTriggerEvent(event, options);
    case 'strategy_msg':
      return formatStrategyMsgEvent(event, options);
    case 'whitelist':
      return formatWhitelistEvent(event, options);
    case 'new_candle':
    case 'analyzed_df':
      return null;
  }
}
