import { z } from 'zod';
import { chatTargetFields, type Config, httpUrl, idString } from '../config/schema.js';
import type { ChatAddress, ConfiguredChat } from '../platform/chat-platform.js';

/** The config key of Telegram's section. */
export const TELEGRAM_CONFIG_KEY = 'telegram';

/**
 * Telegram's limits (core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
 * about 1 message a second per chat, 20 a minute per group, 30 a second overall.
 */
export const TELEGRAM_LIMITS = {
  privateChatIntervalMs: 1_000,
  groupIntervalMs: 3_000,
  globalPerSecond: 30,
} as const;

/** Least time between two messages to a chat: groups (negative ids) take 20 a minute, others 1 a second. */
export function telegramChatIntervalMs(chat: ChatAddress): number {
  return chat.chatId.startsWith('-')
    ? TELEGRAM_LIMITS.groupIntervalMs
    : TELEGRAM_LIMITS.privateChatIntervalMs;
}

export const telegramChatSchema = z.strictObject({
  chat_id: idString,
  topic_id: z.number().int().positive().nullable().default(null),
  ...chatTargetFields,
});
export type TelegramChatConfig = z.infer<typeof telegramChatSchema>;

const telegramEnabled = z.strictObject({
  enabled: z.literal(true),
  token: z
    .string()
    .trim()
    .regex(/^\d+:[A-Za-z0-9_-]+$/, 'expected a bot token like 123456:ABC-def from @BotFather'),
  api_root: httpUrl.default('https://api.telegram.org'),
  chats: z.array(telegramChatSchema).default([]),
  /** Long polling is the default; a webhook needs a public URL. */
  polling_timeout_s: z.number().int().min(0).max(50).default(30),
  /**
   * An optional reply keyboard, as Freqtrade's `telegram.keyboard`: rows of command lines shown as
   * buttons under the message field. Only read-only commands and argument-less pickers are
   * allowed; the command registry checks each entry when the config is loaded (keyboard.ts).
   */
  keyboard: z
    .array(z.array(z.string().trim().min(1).max(64)).min(1, 'a keyboard row needs at least one button'))
    .min(1, 'a keyboard needs at least one row; leave the key out for none')
    .optional(),
});
const telegramDisabled = z.looseObject({ enabled: z.literal(false) });

/** The `telegram` section: enabled with a token and chats, or `{ "enabled": false }` (the default). */
export const telegramSectionSchema = z
  .discriminatedUnion('enabled', [telegramEnabled, telegramDisabled])
  .default({ enabled: false });
export type TelegramSection = z.infer<typeof telegramSectionSchema>;
export type TelegramConfig = z.infer<typeof telegramEnabled>;

/** Narrows the section to its enabled shape, or undefined. */
export function enabledTelegramSection(section: TelegramSection): TelegramConfig | undefined {
  return section.enabled === true && 'token' in section ? telegramEnabled.parse(section) : undefined;
}

/** The enabled Telegram section of a parsed config, or undefined. */
export function enabledTelegram(config: Config): TelegramConfig | undefined {
  return enabledTelegramSection(telegramSectionSchema.parse(config.sections[TELEGRAM_CONFIG_KEY]));
}

/** The chats an (enabled) section lists, each pinned to its topic when it has one. */
export function telegramChatsOf(section: TelegramSection): ConfiguredChat[] {
  const enabled = enabledTelegramSection(section);
  return (enabled?.chats ?? []).map((chat, index) => ({
    platform: 'telegram',
    chatId: chat.chat_id,
    threadId: chat.topic_id,
    notifications: chat.notifications,
    bots: chat.bots,
    configPath: [TELEGRAM_CONFIG_KEY, 'chats', index],
  }));
}
