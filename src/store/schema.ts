import { z } from 'zod';
import { notificationSettingsSchema } from '../config/schema.js';

/** What one chat (or channel / topic) has chosen from chat; keyed by `platform:chatId[:topicId]`. */
export const chatStateSchema = z.looseObject({
  current_bot: z.string().nullable().default(null),
  notifications: notificationSettingsSchema.default({}),
  muted_until_ms: z.number().nullable().default(null),
  /** Bots this chat hears notifications from; null = all configured bots. */
  bots: z.array(z.string()).nullable().default(null),
  /** Set when delivery failed for good (bot removed from the chat); cleared on the next success. */
  delivery_failed: z.looseObject({ at_ms: z.number(), reason: z.string() }).nullable().default(null),
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

export const storeDataSchema = z.looseObject({
  version: z.literal(1).default(1),
  chats: z.record(z.string(), chatStateSchema).default({}),
  audit: z.array(auditEntrySchema).default([]),
  /** Last exchange nonce issued per API key (hashed), so a restart continues above it. */
  nonces: z.record(z.string(), z.number()).default({}),
  seen_trades: z.record(z.string(), seenTradesSchema).default({}),
});
export type StoreData = z.infer<typeof storeDataSchema>;

/** A fresh, empty store. */
export function emptyStoreData(): StoreData {
  return storeDataSchema.parse({});
}
