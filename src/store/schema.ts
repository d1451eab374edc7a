import { z } from 'zod';
import { notificationSettingsSchema } from '../config/schema.js';

/**
 * A notification kept for a muted chat (a warning, an error or an exit), summarised when the mute
 * ends. Only what the summary shows is kept. `type` is a Freqtrade message type; it stays a plain
 * string so a store written by a newer version with more held types still loads.
 */
export const heldNotificationSchema = z.looseObject({
  at_ms: z.number(),
  bot: z.string(),
  type: z.string(),
  backfilled: z.boolean().default(false),
  pair: z.string().nullable().default(null),
  trade_id: z.number().int().nullable().default(null),
  direction: z.string().nullable().default(null),
  profit_ratio: z.number().nullable().default(null),
  profit_amount: z.number().nullable().default(null),
  currency: z.string().nullable().default(null),
  exit_reason: z.string().nullable().default(null),
  /** A warning's or error's first line, or why an exit was cancelled. */
  text: z.string().nullable().default(null),
});
export type HeldNotification = z.infer<typeof heldNotificationSchema>;

/** What one chat (or channel / topic) has chosen from chat; keyed by `platform:chatId[:topicId]`. */
export const chatStateSchema = z.looseObject({
  current_bot: z.string().nullable().default(null),
  notifications: notificationSettingsSchema.default({}),
  muted_until_ms: z.number().nullable().default(null),
  /** Bots this chat hears notifications from; null = all configured bots. */
  bots: z.array(z.string()).nullable().default(null),
  /** Set when delivery failed for good (bot removed from the chat); cleared on the next success. */
  delivery_failed: z.looseObject({ at_ms: z.number(), reason: z.string() }).nullable().default(null),
  /** Warnings and exits that arrived while muted, oldest first, capped; summarised when the mute ends. */
  held_notifications: z.array(heldNotificationSchema).default([]),
  /** How many older held notifications were let go beyond the cap (the summary says so). */
  held_dropped: z.number().int().nonnegative().default(0),
});
export type ChatState = z.infer<typeof chatStateSchema>;

export const auditEntrySchema = z.looseObject({
  at: z.string(), // ISO 8601 UTC
  platform: z.string(),
  user_id: z.string(),
  chat_id: z.string(),
  bot: z.string().nullable(),
  command: z.string(),
  args: z.string(),
  outcome: z.enum(['ok', 'denied', 'failed', 'cancelled', 'expired', 'requested']),
  detail: z.string().nullable().default(null),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** What was last seen of one bot's trades, so an outage is back-filled exactly once. */
export const seenTradesSchema = z.looseObject({
  open_trade_ids: z.array(z.number().int()).default([]),
  /** Highest trade id announced as closed, and the ids of recently closed trades announced. */
  closed_trade_ids: z.array(z.number().int()).default([]),
  updated_at_ms: z.number().default(0),
  whitelist: z.array(z.string()).nullable().default(null),
});
export type SeenTrades = z.infer<typeof seenTradesSchema>;

/**
 * A confirmation prompt's meaning, kept until its Confirm or Cancel is pressed or it expires: in
 * the store, so a prompt asked of one instance can be answered by the next leader, exactly once.
 * Loose on purpose: it is the router's PendingAction.
 */
export const pendingConfirmationSchema = z.looseObject({
  kind: z.literal('confirm'),
  command: z.string(),
  args: z.record(z.string(), z.unknown()),
  bot: z.string().nullable(),
  platform: z.string(),
  chatId: z.string(),
  threadId: z.number().int().nullable(),
  ownerUserId: z.string().nullable(),
  expiresAtMs: z.number(),
  edit: z.boolean(),
  snapshot: z.string().optional(),
});
export type PendingConfirmation = z.infer<typeof pendingConfirmationSchema>;

export const storeDataSchema = z.looseObject({
  version: z.literal(1).default(1),
  chats: z.record(z.string(), chatStateSchema).default({}),
  audit: z.array(auditEntrySchema).default([]),
  /** Last exchange nonce issued per API key (hashed), so a restart continues above it. */
  nonces: z.record(z.string(), z.number()).default({}),
  seen_trades: z.record(z.string(), seenTradesSchema).default({}),
  /** Confirmation prompts not yet answered, by their button id. */
  pending_confirmations: z.record(z.string(), pendingConfirmationSchema).default({}),
  /**
   * Per platform, the last update taken in (Telegram's update_id): a new leader skips what the
   * previous one already took, so no command is handled twice across a takeover.
   */
  cursors: z.record(z.string(), z.number()).default({}),
});
export type StoreData = z.infer<typeof storeDataSchema>;

/** A fresh, empty store. */
export function emptyStoreData(): StoreData {
  return storeDataSchema.parse({});
}
