/*
 * /tg_info: as Freqtrade's own Telegram `/tg_info` (PR #11143), a JSON snippet to paste into the
 * config: this chat's id, its topic, and the sender's access entry. It answers anyone, allowlisted
 * or not, since its whole point is to help set up a chat that is not configured yet.
 */
import { z } from 'zod';
import type { CommandContext } from '../types.js';
import { defineCommand } from '../types.js';

/**
 * The config snippet for where `ctx` was sent: the chat (a Telegram `chats` entry with `chat_id`
 * and `topic_id`, a Discord `channels` entry, or a bare chat id elsewhere) and the sender's access
 * entry as a viewer. Pretty-printed JSON; `topic_id` is null outside a forum topic.
 */
export function configSnippet(ctx: CommandContext): string {
  const entry = `${ctx.platform}:${ctx.userId}`;
  const place =
    ctx.platform === 'telegram'
      ? { telegram: { chats: [{ chat_id: ctx.chatId, topic_id: ctx.threadId }] } }
      : ctx.platform === 'discord'
        ? { discord: { channels: [{ channel_id: ctx.chatId }] } }
        : { chat_id: ctx.chatId, topic_id: ctx.threadId };
  return JSON.stringify({ ...place, access: { viewers: [entry] } }, null, 2);
}

export const tgInfoCommand = defineCommand({
  name: 'tg_info',
  order: 245,
  description: 'A config snippet with this chat id, topic and your access entry (answered to anyone)',
  usage: '/tg_info',
  role: 'anyone',
  // Its point is to set up a chat or topic that is not configured yet, so it answers there too.
  openToStrangers: true,
  needsBot: false,
  args: z.object({}),
  async run(run) {
    return {
      title: 'Chat info',
      blocks: [
        { kind: 'code', text: configSnippet(run.ctx) },
        {
          kind: 'text',
          text: 'Merge it into the config; move the access entry to "admins" for full control.',
          style: 'italic',
        },
      ],
    };
  },
});
