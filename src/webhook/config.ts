import { z } from 'zod';
import { chatTargetFields, httpUrl } from '../config/schema.js';
import type { ConfiguredChat } from '../platform/chat-platform.js';

/** The config key of the webhooks list. */
export const WEBHOOK_CONFIG_KEY = 'webhooks';

/** How a webhook's body is written: a Discord channel webhook, a Slack incoming webhook, or neutral JSON. */
export const WEBHOOK_FORMATS = ['discord', 'slack', 'json'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export const webhookSchema = z.strictObject({
  /** Names the webhook in logs, errors and the store (`webhook:<name>`); the URL never appears. */
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]{1,32}$/, 'expected 1-32 letters, digits, "_", "-" or "."'),
  /** A secret: whoever has it may post. Set it from FTCHATOPS__WEBHOOKS__<n>__URL. */
  url: httpUrl,
  format: z.enum(WEBHOOK_FORMATS),
  ...chatTargetFields,
});
export type WebhookConfig = z.infer<typeof webhookSchema>;

/** The `webhooks` section: a list of notification-only targets (none by default), names unique. */
export const webhooksSectionSchema = z
  .array(webhookSchema)
  .default([])
  .superRefine((webhooks, ctx) => {
    const seen = new Map<string, number>();
    webhooks.forEach((webhook, index) => {
      const first = seen.get(webhook.name);
      if (first === undefined) seen.set(webhook.name, index);
      else {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'name'],
          message: `duplicate webhook name "${webhook.name}" (also webhooks.${first}.name); names must be unique`,
        });
      }
    });
  });
export type WebhooksSection = z.infer<typeof webhooksSectionSchema>;

/** Each webhook as a notification target named by its `name` (no topics). */
export function webhookChatsOf(section: WebhooksSection): ConfiguredChat[] {
  return section.map((webhook, index) => ({
    platform: 'webhook',
    chatId: webhook.name,
    threadId: null,
    notifications: webhook.notifications,
    bots: webhook.bots,
    configPath: [WEBHOOK_CONFIG_KEY, index],
  }));
}
