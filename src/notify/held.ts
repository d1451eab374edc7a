import type { Reply, ReplyBlock, ReplyField } from '../chat/reply.js';
import type { BotEvent } from '../freqtrade/event-schemas.js';
import type { HeldNotification } from '../store/schema.js';
import { stripTelegramMarkdown } from './format.js';
import { plural, pluralWord } from '../format/plural.js';
import { profitEmoji, profitText } from '../format/trade-phrases.js';

/*
 * Notifications held for a muted chat: warnings, worker errors and exits (live or back-filled)
 * are kept while the chat is muted and summarised in one message when the mute ends, so muting
 * never hides that a trade closed or that the bot complained. Everything here is pure.
 */

/** A muted chat keeps at most this many notifications; older ones are counted, not kept. */
export const MAX_HELD_PER_CHAT = 200;
/** The summary lists at most this many trades' exits, newest last. */
const MAX_EXITS_LISTED = 20;
/** The summary quotes at most this many warnings and errors, newest last. */
const MAX_WARNINGS_LISTED = 5;
/** A quoted warning is cut to this many characters. */
const MAX_TEXT_CHARS = 160;

/** Count labels per held type, in the order the summary shows them: [singular, plural]. */
const TYPE_LABELS: ReadonlyArray<[type: string, one: string, many: string]> = [
  ['warning', 'Warning', 'Warnings'],
  ['exception', 'Error', 'Errors'],
  ['exit', 'Exit order placed', 'Exit orders placed'],
  ['exit_fill', 'Exit filled', 'Exits filled'],
  ['exit_cancel', 'Exit cancelled', 'Exits cancelled'],
];

/** The first line of a text, Telegram marks removed, cut to MAX_TEXT_CHARS with an ellipsis; null when empty. */
function firstLine(text: string | null | undefined): string | null {
  const line = stripTelegramMarkdown(text ?? '')
    .split('\n')
    .map((part) => part.trim())
    .find((part) => part !== '');
  if (!line) return null;
  return line.length > MAX_TEXT_CHARS ? `${line.slice(0, MAX_TEXT_CHARS - 1)}…` : line;
}

/**
 * The record a muted chat keeps for an event, or null for events it does not keep (entries,
 * status, …). An exit fill that closed a trade after partial exits keeps the whole trade's profit.
 */
export function heldNotificationFrom(event: BotEvent, atMs: number): HeldNotification | null {
  const base = {
    at_ms: atMs,
    bot: event.bot,
    type: event.type,
    backfilled: event.backfilled === true,
    pair: null,
    trade_id: null,
    direction: null,
    profit_ratio: null,
    profit_amount: null,
    currency: null,
    exit_reason: null,
    text: null,
  } satisfies HeldNotification;
  switch (event.type) {
    case 'warning':
      return { ...base, text: firstLine(event.status) };
    case 'exception':
      // Only a worker error (`status`) is routed; the websocket's own `data` replies never are.
      return event.status ? { ...base, text: firstLine(event.status) } : null;
    case 'exit':
    case 'exit_fill': {
      const wholeTrade =
        event.type === 'exit_fill' &&
        event.is_final_exit === true &&
        event.final_profit_ratio !== null &&
        event.final_profit_ratio !== undefined &&
        event.cumulative_profit !== null &&
        event.cumulative_profit !== undefined;
      return {
        ...base,
        pair: event.pair,
        trade_id: event.trade_id,
        direction: event.direction,
        profit_ratio: wholeTrade ? (event.final_profit_ratio ?? null) : event.profit_ratio,
        profit_amount: wholeTrade ? (event.cumulative_profit ?? null) : event.profit_amount,
        currency: event.quote_currency || event.stake_currency,
        exit_reason: event.exit_reason ?? null,
      };
    }
    case 'exit_cancel':
      return {
        ...base,
        pair: event.pair,
        trade_id: event.trade_id,
        direction: event.direction,
        profit_ratio: event.profit_ratio ?? null,
        profit_amount: event.profit_amount ?? null,
        currency: event.quote_currency || event.stake_currency,
        exit_reason: event.exit_reason ?? null,
        text: firstLine(event.reason),
      };
    default:
      return null;
  }
}

/** `held` with `record` appended, keeping the newest MAX_HELD_PER_CHAT; `dropped` grows by the records let go. */
export function appendHeld(
  held: readonly HeldNotification[],
  dropped: number,
  record: HeldNotification,
): { held: HeldNotification[]; dropped: number } {
  const next = [...held, record];
  const excess = Math.max(0, next.length - MAX_HELD_PER_CHAT);
  return { held: next.slice(excess), dropped: dropped + excess };
}

export interface HeldSummaryOptions {
  /** Several bots configured: lines name the bot. */
  showBotName: boolean;
  /** Older notifications not kept beyond the cap. */
  dropped: number;
}

/** `'[main] '` when bot names are shown. */
function botPrefix(record: HeldNotification, options: HeldSummaryOptions): string {
  return options.showBotName ? `[${record.bot}] ` : '';
}

/** `'+2.41% (+2.41 USDT)'`, the amount only when known; undefined without a ratio. */
function heldProfitText(record: HeldNotification): string | undefined {
  if (record.profit_ratio === null) return undefined;
  return profitText(record.profit_ratio, record.profit_amount, record.currency ?? '');
}

/** One trade's line: its latest held exit, e.g. `'✳️ Exited Long ETH/USDT (#3) +2.41% (+2.41 USDT) · roi'`. */
function exitLine(record: HeldNotification, options: HeldSummaryOptions): string {
  const what = `${record.direction ? `${record.direction} ` : ''}${record.pair ?? '?'} (#${record.trade_id ?? '?'})`;
  const profit = heldProfitText(record);
  const parts: string[] = [];
  if (record.type === 'exit_cancel') {
    parts.push(`⚠️ ${botPrefix(record, options)}Exit cancelled ${what}`);
    if (record.text) parts.push(record.text);
  } else {
    const emoji = profitEmoji(record.profit_ratio ?? 0, record.exit_reason);
    const action = record.type === 'exit_fill' ? 'Exited' : 'Exit order placed';
    parts.push(`${emoji} ${botPrefix(record, options)}${action} ${what}${profit ? ` ${profit}` : ''}`);
    if (record.type === 'exit' && profit) parts.push('unrealized');
    if (record.exit_reason) parts.push(record.exit_reason);
  }
  if (record.backfilled) parts.push('while disconnected');
  return parts.join(' · ');
}

/** `'… and 3 more'` after the last `max` items, or the items alone. */
function newestLines(lines: string[], max: number): string[] {
  if (lines.length <= max) return lines;
  return [`… ${lines.length - max} earlier not shown`, ...lines.slice(-max)];
}

/**
 * The one message a chat gets when its mute ends: how many notifications of each type were held,
 * each trade's latest exit with pair and profit, and the newest warnings. Null when nothing was held.
 */
export function formatHeldSummary(
  held: readonly HeldNotification[],
  options: HeldSummaryOptions,
): Reply | null {
  if (held.length === 0 && options.dropped === 0) return null;
  const total = held.length + options.dropped;
  const counts: ReplyField[] = [];
  const knownTypes = new Set(TYPE_LABELS.map(([type]) => type));
  for (const [type, one, many] of TYPE_LABELS) {
    const count = held.filter((record) => record.type === type).length;
    if (count > 0) counts.push({ label: pluralWord(count, one, many), value: String(count), inline: true });
  }
  const other = held.filter((record) => !knownTypes.has(record.type)).length;
  if (other > 0) counts.push({ label: 'Other', value: String(other), inline: true });

  // One line per trade: its latest exit record (a fill after the order, a cancel after the order).
  const latestExit = new Map<string, HeldNotification>();
  for (const record of held) {
    if (record.type !== 'exit' && record.type !== 'exit_fill' && record.type !== 'exit_cancel') continue;
    const key = `${record.bot}\u0000${record.trade_id ?? record.pair ?? ''}`;
    latestExit.delete(key);
    latestExit.set(key, record);
  }
  const exitLines = [...latestExit.values()].map((record) => exitLine(record, options));
  const warningLines = held
    .filter((record) => record.type === 'warning' || record.type === 'exception')
    .map((record) => {
      const emoji = record.type === 'exception' ? '🛑' : '⚠️';
      const late = record.backfilled ? ' · while disconnected' : '';
      return `${emoji} ${botPrefix(record, options)}${record.text ?? '(no details)'}${late}`;
    });

  const blocks: ReplyBlock[] = [{ kind: 'fields', fields: counts }];
  if (exitLines.length > 0) {
    blocks.push({ kind: 'text', text: 'Exits', style: 'bold' });
    blocks.push({ kind: 'text', text: newestLines(exitLines, MAX_EXITS_LISTED).join('\n') });
  }
  if (warningLines.length > 0) {
    blocks.push({ kind: 'text', text: 'Warnings and errors', style: 'bold' });
    blocks.push({ kind: 'text', text: newestLines(warningLines, MAX_WARNINGS_LISTED).join('\n') });
  }
  if (options.dropped > 0) {
    const many = pluralWord(options.dropped, 'notification was', 'notifications were');
    blocks.push({
      kind: 'text',
      text: `${options.dropped} older ${many} not kept (at most ${MAX_HELD_PER_CHAT} are held).`,
      style: 'italic',
    });
  }
  const hasWarnings = warningLines.length > 0;
  return {
    title: `🔔 Mute ended: ${plural(total, 'notification')} held while muted`,
    tone: hasWarnings ? 'warning' : 'info',
    blocks: blocks.filter((block) => block.kind !== 'fields' || block.fields.length > 0),
  };
}
