import { z } from 'zod';

/*
 * Schemas for the frames Freqtrade's message websocket sends (`/api/v1/message/ws`).
 * Source: freqtrade `rpc/rpc_types.py` and `freqtradebot.py` (2026.3, also 2024.10); see
 * shared/freqtrade-api-reference.md §3.4. Frames are flat JSON objects tagged by `type`; only
 * whitelist, new_candle, analyzed_df (and the ws error reply) carry a `data` field.
 *
 * Every object is loose (fields added by newer servers pass through). Fields we rely on are
 * required; fields that older servers lack, that may arrive as `null` (NaN becomes null), or that
 * we never read are `.nullish()`.
 */

/** Every `RPCMessageType` value a 2024.10+ server knows: safe to subscribe to all of them. */
export const FREQTRADE_MESSAGE_TYPES = [
  'status',
  'warning',
  'exception',
  'startup',
  'entry',
  'entry_fill',
  'entry_cancel',
  'exit',
  'exit_fill',
  'exit_cancel',
  'protection_trigger',
  'protection_trigger_global',
  'strategy_msg',
  'whitelist',
  'analyzed_df',
  'new_candle',
] as const;
export type FreqtradeMessageType = (typeof FREQTRADE_MESSAGE_TYPES)[number];

const directionSchema = z.enum(['Long', 'Short']);

/** Fields every entry/exit/cancel message carries (`RPCEntryMsg` and friends). */
const tradeFields = {
  trade_id: z.number().int(),
  exchange: z.string(),
  pair: z.string(),
  base_currency: z.string().nullish(),
  quote_currency: z.string().nullish(),
  /** Null when the trade's leverage is falsy (spot). */
  leverage: z.number().nullish(),
  direction: directionSchema,
  /** Legacy name of `enter_tag`. */
  buy_tag: z.string().nullish(),
  enter_tag: z.string().nullish(),
  /** Deprecated alias of `order_rate`. */
  limit: z.number().nullish(),
  /** Missing in entry messages of 2024.10 servers. */
  order_rate: z.number().nullish(),
  open_rate: z.number(),
  order_type: z.string().nullish(),
  stake_amount: z.number(),
  stake_currency: z.string(),
  fiat_currency: z.string().nullish(),
  amount: z.number(),
  /** RFC 3339; naive (no offset, UTC) in cancel messages loaded from the database. */
  open_date: z.string(),
  current_rate: z.number().nullish(),
  /** True for a partial or additional fill (position adjustment, partial exit). */
  sub_trade: z.boolean().nullish(),
};

const exitFields = {
  ...tradeFields,
  gain: z.enum(['profit', 'loss']).nullish(),
  close_rate: z.number().nullish(),
  profit_amount: z.number(),
  profit_ratio: z.number(),
  exit_reason: z.string().nullish(),
  close_date: z.string(),
  /** `trade.realized_profit`: the sum over partial exits so far. */
  cumulative_profit: z.number().nullish(),
  /** Set only when the trade closed. */
  final_profit_ratio: z.number().nullish(),
  is_final_exit: z.boolean().nullish(),
};

export const entryMessageSchema = z.looseObject({ type: z.literal('entry'), ...tradeFields });
export const entryFillMessageSchema = z.looseObject({ type: z.literal('entry_fill'), ...tradeFields });
export const entryCancelMessageSchema = z.looseObject({
  type: z.literal('entry_cancel'),
  ...tradeFields,
  reason: z.string(),
});
export const exitMessageSchema = z.looseObject({ type: z.literal('exit'), ...exitFields });
export const exitFillMessageSchema = z.looseObject({ type: z.literal('exit_fill'), ...exitFields });
export const exitCancelMessageSchema = z.looseObject({
  type: z.literal('exit_cancel'),
  ...tradeFields,
  gain: z.enum(['profit', 'loss']).nullish(),
  profit_amount: z.number().nullish(),
  profit_ratio: z.number().nullish(),
  exit_reason: z.string().nullish(),
  close_date: z.string().nullish(),
  reason: z.string(),
});

export const statusMessageSchema = z.looseObject({ type: z.literal('status'), status: z.string() });
export const warningMessageSchema = z.looseObject({ type: z.literal('warning'), status: z.string() });
export const startupMessageSchema = z.looseObject({ type: z.literal('startup'), status: z.string() });
/**
 * Two shapes share this type: the worker's error notice `{status}` (an OperationalException with
 * its traceback) and the websocket's reply to a request it failed to handle, `{data}`.
 */
export const exceptionMessageSchema = z.looseObject({
  type: z.literal('exception'),
  status: z.string().nullish(),
  data: z.string().nullish(),
});

const protectionFields = {
  id: z.number().int().nullish(),
  /** `"*"` for the global variant. */
  pair: z.string(),
  base_currency: z.string().nullish(),
  /** `"YYYY-MM-DD HH:MM:SS"`, UTC. */
  lock_time: z.string().nullish(),
  lock_timestamp: z.number().nullish(),
  lock_end_time: z.string(),
  lock_end_timestamp: z.number(),
  reason: z.string().nullish(),
  side: z.string().nullish(),
  active: z.boolean().nullish(),
};
export const protectionTriggerMessageSchema = z.looseObject({
  type: z.literal('protection_trigger'),
  ...protectionFields,
});
export const protectionTriggerGlobalMessageSchema = z.looseObject({
  type: z.literal('protection_trigger_global'),
  ...protectionFields,
});

export const strategyMsgMessageSchema = z.looseObject({ type: z.literal('strategy_msg'), msg: z.string() });
export const whitelistMessageSchema = z.looseObject({
  type: z.literal('whitelist'),
  data: z.array(z.string()),
});

/** `[pair, timeframe, candle_type]`. */
const candleKeySchema = z.tuple([z.string(), z.string(), z.string()]).rest(z.unknown());
export const newCandleMessageSchema = z.looseObject({ type: z.literal('new_candle'), data: candleKeySchema });
/** We never read the dataframe; only its envelope is checked. */
export const analyzedDfMessageSchema = z.looseObject({
  type: z.literal('analyzed_df'),
  data: z.looseObject({ key: candleKeySchema, df: z.unknown(), la: z.string().nullish() }),
});

export const freqtradeMessageSchema = z.discriminatedUnion('type', [
  entryMessageSchema,
  entryFillMessageSchema,
  entryCancelMessageSchema,
  exitMessageSchema,
  exitFillMessageSchema,
  exitCancelMessageSchema,
  statusMessageSchema,
  warningMessageSchema,
  startupMessageSchema,
  exceptionMessageSchema,
  protectionTriggerMessageSchema,
  protectionTriggerGlobalMessageSchema,
  strategyMsgMessageSchema,
  whitelistMessageSchema,
  newCandleMessageSchema,
  analyzedDfMessageSchema,
]);

/** One message from Freqtrade's websocket, discriminated on `type`. */
export type FreqtradeMessage = z.infer<typeof freqtradeMessageSchema>;
/** The message of one type, e.g. `MessageOfType<'exit_fill'>`. */
export type MessageOfType<T extends FreqtradeMessageType> = Extract<FreqtradeMessage, { type: T }>;

/** A message as the rest of the app sees it: tagged with the configured bot name. */
export type BotEvent = {
  bot: string;
  /** Reconstructed after a reconnect (e.g. from /trades), not received live. */
  backfilled?: boolean;
} & FreqtradeMessage;
/** The event of one type, e.g. `BotEventOf<'entry'>`. */
export type BotEventOf<T extends FreqtradeMessageType> = Extract<BotEvent, { type: T }>;

const KNOWN_TYPES: ReadonlySet<string> = new Set(FREQTRADE_MESSAGE_TYPES);
const MAX_ISSUES_REPORTED = 3;

/** Parses one raw text frame; returns the message, or an error description for malformed/unknown frames (never throws). */
export function parseFrame(
  text: string,
): { ok: true; message: FreqtradeMessage } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      error: `malformed JSON frame: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      error: `expected a JSON object frame, got ${Array.isArray(raw) ? 'an array' : typeof raw}`,
    };
  }
  const type = 'type' in raw ? raw.type : undefined;
  if (typeof type !== 'string') return { ok: false, error: 'frame has no string "type" field' };
  if (!KNOWN_TYPES.has(type)) return { ok: false, error: `unknown message type "${truncate(type, 40)}"` };

  const result = freqtradeMessageSchema.safeParse(raw);
  if (result.success) return { ok: true, message: result.data };
  const issues = result.error.issues;
  const described = issues
    .slice(0, MAX_ISSUES_REPORTED)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  if (issues.length > MAX_ISSUES_REPORTED) described.push(`and ${issues.length - MAX_ISSUES_REPORTED} more`);
  return { ok: false, error: `invalid "${type}" frame: ${described.join('; ')}` };
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
