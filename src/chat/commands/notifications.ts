import { z } from 'zod';
import {
  type Config,
  DEFAULT_NOTIFICATIONS,
  enabledDiscord,
  enabledTelegram,
  NOTIFICATION_TYPES,
  type NotificationSettings,
  type NotificationType,
} from '../../config/schema.js';
import { UserInputError } from '../../errors.js';
import { arg } from '../arguments.js';
import { type CommandContext, defineCommand } from '../types.js';
import { formatUtc, parseUntil } from './duration.js';

const NOTIFY_USAGE = `/notify [<type> <on|silent|off>] | /notify bots <name…|all> | /notify reset`;

/** The configured notification block of the chat a command came from, if the chat is configured. */
function configuredSettings(config: Config, ctx: CommandContext): NotificationSettings | undefined {
  if (ctx.platform === 'telegram') {
    return enabledTelegram(config)?.chats.find(
      (chat) => chat.chat_id === ctx.chatId && chat.topic_id === ctx.threadId,
    )?.notifications;
  }
  if (ctx.platform === 'discord') {
    return enabledDiscord(config)?.channels.find((channel) => channel.channel_id === ctx.chatId)
      ?.notifications;
  }
  return undefined;
}

export const notifyCommand = defineCommand({
  name: 'notify',
  description: 'Show or change which notifications this chat gets: on, silent or off per type',
  usage: NOTIFY_USAGE,
  role: 'admin',
  needsBot: false,
  args: z.object({
    type: arg.text('event type, "bots" or "reset"').optional(),
    value: arg.rest('level or bot names').optional(),
  }),
  async run(run) {
    const { store, fleet } = run.services;
    const type = run.args.type?.toLowerCase();
    const values = run.args.value ?? [];
    if (type === 'reset') {
      store.updateChat(run.chatKey, (chat) => {
        chat.notifications = {};
        chat.bots = null;
      });
      return { blocks: [{ kind: 'text', text: 'Notification settings reset to the configured defaults.' }] };
    }
    if (type === 'bots') {
      if (values.length === 0) throw new UserInputError('Name the bots, or "all".', NOTIFY_USAGE);
      const names = values.flatMap((value) => value.split(',')).filter(Boolean);
      const chosen =
        names.length === 1 && names[0]?.toLowerCase() === 'all'
          ? null
          : names.map((name) => fleet.get(name).name);
      store.updateChat(run.chatKey, (chat) => {
        chat.bots = chosen;
      });
      return {
        blocks: [
          { kind: 'text', text: `This chat now hears from ${chosen ? chosen.join(', ') : 'every bot'}.` },
        ],
      };
    }
    if (type !== undefined) {
      if (!(NOTIFICATION_TYPES as readonly string[]).includes(type)) {
        throw new UserInputError(
          `Unknown notification type "${type}". Types: ${NOTIFICATION_TYPES.join(', ')}.`,
          NOTIFY_USAGE,
        );
      }
      const level = values[0]?.toLowerCase();
      if (level !== 'on' && level !== 'silent' && level !== 'off') {
        throw new UserInputError('The level must be on, silent or off.', NOTIFY_USAGE);
      }
      store.updateChat(run.chatKey, (chat) => {
        chat.notifications[type as NotificationType] = level;
      });
      return { blocks: [{ kind: 'text', text: `${type} notifications are now ${level} in this chat.` }] };
    }
    const chat = store.chat(run.chatKey);
    const configured: NotificationSettings = configuredSettings(run.services.config, run.ctx) ?? {};
    const rows = NOTIFICATION_TYPES.map((key) => {
      const value = chat.notifications[key] ?? configured[key] ?? DEFAULT_NOTIFICATIONS[key];
      const source =
        chat.notifications[key] !== undefined ? 'chat' : configured[key] !== undefined ? 'config' : 'default';
      return [key, typeof value === 'string' ? value : JSON.stringify(value), source];
    });
    const muted = chat.muted_until_ms !== null && chat.muted_until_ms > run.services.now();
    return {
      title: 'Notifications in this chat',
      blocks: [
        { kind: 'table', headers: ['Type', 'Level', 'Set by'], rows },
        {
          kind: 'text',
          text: [
            muted ? `Muted until ${formatUtc(chat.muted_until_ms as number)}.` : 'Not muted.',
            `Bots: ${chat.bots ? chat.bots.join(', ') : 'all'}.`,
          ].join('\n'),
        },
      ],
    };
  },
});

export const muteCommand = defineCommand({
  name: 'mute',
  description: 'Silence every notification in this chat, for a while (e.g. 2h) or until /unmute',
  usage: '/mute [duration]',
  role: 'admin',
  needsBot: false,
  args: z.object({ duration: arg.text('duration like 30m, 2h, 1d').optional() }),
  async run(run) {
    const until = run.args.duration
      ? parseUntil(run.args.duration, run.services.now(), '/mute [duration]').getTime()
      : Number.MAX_SAFE_INTEGER;
    run.services.store.updateChat(run.chatKey, (chat) => {
      chat.muted_until_ms = until;
    });
    const text = run.args.duration ? `Muted until ${formatUtc(until)}.` : 'Muted until /unmute.';
    return { blocks: [{ kind: 'text', text: `🔕 ${text}` }] };
  },
});

export const unmuteCommand = defineCommand({
  name: 'unmute',
  description: 'Hear notifications in this chat again',
  usage: '/unmute',
  role: 'admin',
  needsBot: false,
  args: z.object({}),
  async run(run) {
    run.services.store.updateChat(run.chatKey, (chat) => {
      chat.muted_until_ms = null;
    });
    return { blocks: [{ kind: 'text', text: '🔔 Notifications are on again.' }] };
  },
});
