import type { ChatAddress, ChatPlatform } from '../platform/chat-platform.js';
import { definePlatform, type PlatformModule } from '../platform/chat-platform.js';
import {
  type WebhookFormat,
  WEBHOOK_CONFIG_KEY,
  type WebhooksSection,
  webhookChatsOf,
  webhooksSectionSchema,
} from './config.js';
import { createWebhookSender } from './sender.js';

/**
 * Least time between two posts to one webhook, by format. Discord: about 5 per 2 s per webhook
 * (a 429 with `retry_after` beyond that); Slack: 1 a second (api.slack.com/apis/rate-limits);
 * our own JSON receivers: the same as Discord's.
 */
export const WEBHOOK_INTERVAL_MS = { discord: 400, slack: 1_000, json: 400 } as const satisfies Record<
  WebhookFormat,
  number
>;

/** Posts to webhooks of any format start at most this often a second, across all webhooks. */
export const WEBHOOK_GLOBAL_PER_SECOND = 25;

/** The running webhook platform: nothing to connect, a sender per webhook. */
export function createWebhookPlatform(section: WebhooksSection): ChatPlatform {
  const senders = new Map(section.map((webhook) => [webhook.name, createWebhookSender(webhook)]));
  const formats = new Map(section.map((webhook) => [webhook.name, webhook.format]));
  return {
    name: 'webhook',
    async start() {},
    async stop() {},
    chatIntervalMs: (chat: ChatAddress) => WEBHOOK_INTERVAL_MS[formats.get(chat.chatId) ?? 'slack'],
    async send(chat, reply) {
      const send = senders.get(chat.chatId);
      if (!send) throw new Error(`no webhook named "${chat.chatId}"`);
      await send(reply);
    },
  };
}

/** Notifications to Discord channel webhooks, Slack incoming webhooks or any JSON receiver; no commands. */
export const webhookPlatform: PlatformModule<'webhook'> = definePlatform<'webhook', WebhooksSection>({
  name: 'webhook',
  pacing: { globalPerSecond: WEBHOOK_GLOBAL_PER_SECOND, chatIntervalMs: () => WEBHOOK_INTERVAL_MS.slack },
  commands: false,
  config: {
    key: WEBHOOK_CONFIG_KEY,
    schema: webhooksSectionSchema,
    secretKeys: ['url'],
    enabled: (section) => section.length > 0,
    chats: webhookChatsOf,
    create: (section) => (section.length > 0 ? createWebhookPlatform(section) : undefined),
  },
});
