import { z } from 'zod';
import {
  type Config,
  DEFAULT_NOTIFICATIONS,
  NOTIFICATION_TYPES,
  type NotificationSettings,
  type NotificationType,
  SHOW_CANDLE_VALUES,
} from '../../config/schema.js';
import { chatBotsOf } from '../../access/policy.js';
import { UserInputError } from '../../errors.js';
import { formatHeldSummary } from '../../notify/held.js';
import { formatDuration } from '../../format/durations.js';
import { effectiveBots } from '../../notify/route.js';
import type { Reply } from '../reply.js';
import { arg } from '../arguments.js';
import { type CommandContext, defineCommand } from '../types.js';
import { formatUtc } from '../../format/dates.js';
import { parseUntil } from './duration.js';

const NOTIFY_USAGE =
  '/notify [<type> <value=on|silent|off>] | /notify show_candle <value=ohlc|off> | /notify bots <value=bot…|all> | /notify reset';
const MUTE_USAGE = '/mute [duration, e.g. 30m, 2h, 1d] (default 1h)';

/** How long /mute without a duration mutes: long enough for a meeting, short enough not to forget. */
export const DEFAULT_MUTE_MS = 3_600_000;

/** The `Bots:` line of /notify: what the chat hears from, and where that comes from. */
function botsLine(configured: string[] | null, chosen: string[] | null): string {
  const effective = effectiveBots(configured, chosen);
  if (effective === undefined) return 'Bots: all.';
  const heard = effective.length > 0 ? effective.join(', ') : 'none';
  if (configured && chosen)
    return `Bots: ${heard} (chosen here; configured for this chat: ${configured.join(', ')}).`;
  if (configured) return `Bots: ${heard} (configured for this chat).`;
  return `Bots: ${heard} (chosen here).`;
}

/** The configured notification block of the chat a command came from, if the chat is configured. */
function configuredSettings(config: Config, ctx: CommandContext): NotificationSettings | undefined {
  // The entry for exactly this chat and topic: a topic without its own entry has no block.
  return config.chats.find(
    (chat) => chat.platform === ctx.platform && chat.chatId === ctx.chatId && chat.threadId === ctx.threadId,
  )?.notifications;
}

export const notifyCommand = defineCommand({
  name: 'notify',
  order: 390,
  description: 'Show or change which notifications this chat gets: on, silent or off per type',
  usage: NOTIFY_USAGE,
  role: 'admin',
  needsBot: false,
  audited: true,
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
      const configured = chatBotsOf(run.services.config, run.ctx);
      const names = values.flatMap((value) => value.split(',')).filter(Boolean);
      const chosen =
        names.length === 1 && names[0]?.toLowerCase() === 'all'
          ? null
          : [...new Set(names.map((name) => fleet.get(name).name))];
      const outside = chosen?.filter((name) => configured && !configured.includes(name)) ?? [];
      if (configured && outside.length > 0) {
        throw new UserInputError(
          `${outside.map((name) => `"${name}"`).join(', ')} ${outside.length === 1 ? 'is' : 'are'} not ` +
            `configured for this chat. This chat's bots: ${configured.join(', ')}.`,
          NOTIFY_USAGE,
        );
      }
      store.updateChat(run.chatKey, (chat) => {
        chat.bots = chosen;
      });
      const heard = chosen ?? configured;
      return {
        blocks: [
          {
            kind: 'text',
            text: `This chat now hears from ${heard ? heard.join(', ') : 'every bot'}.`,
          },
        ],
      };
    }
    if (type === 'show_candle') {
      const value = values[0]?.toLowerCase();
      if (value !== 'ohlc' && value !== 'off') {
        throw new UserInputError(`show_candle must be ${SHOW_CANDLE_VALUES.join(' or ')}.`, NOTIFY_USAGE);
      }
      store.updateChat(run.chatKey, (chat) => {
        chat.notifications.show_candle = value;
      });
      return {
        blocks: [
          {
            kind: 'text',
            text:
              value === 'ohlc'
                ? 'Entry and exit messages in this chat now end with the signal candle (Candle OHLC).'
                : 'Entry and exit messages in this chat no longer show the signal candle.',
          },
        ],
      };
    }
    if (type !== undefined) {
      if (!(NOTIFICATION_TYPES as readonly string[]).includes(type)) {
        throw new UserInputError(
          `Unknown notification type "${type}". Types: ${NOTIFICATION_TYPES.join(', ')}; and show_candle.`,
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
    const showCandleSource =
      chat.notifications.show_candle !== undefined
        ? 'chat'
        : configured.show_candle !== undefined
          ? 'config'
          : 'default';
    rows.push([
      'show_candle',
      chat.notifications.show_candle ?? configured.show_candle ?? DEFAULT_NOTIFICATIONS.show_candle,
      showCandleSource,
    ]);
    const mutedUntilMs =
      chat.muted_until_ms !== null && chat.muted_until_ms > run.services.now() ? chat.muted_until_ms : null;
    const heldCount = chat.held_notifications.length + chat.held_dropped;
    const held = heldCount > 0 ? ` ${heldCount} warnings and exits held for the summary.` : '';
    return {
      title: 'Notifications in this chat',
      blocks: [
        { kind: 'table', headers: ['Type', 'Level', 'Set by'], rows },
        {
          kind: 'text',
          text: [
            mutedUntilMs === null ? 'Not muted.' : `${mutedUntilText(mutedUntilMs)}.${held}`,
            botsLine(chatBotsOf(run.services.config, run.ctx), chat.bots),
          ].join('\n'),
        },
      ],
    };
  },
});

/**
 * `'Muted until 2026-12-02 19:42 UTC'`; a mute stored by an older version "until /unmute" (no
 * end a date can show) reads `'Muted until /unmute'`.
 */
function mutedUntilText(mutedUntilMs: number): string {
  return mutedUntilMs >= Number.MAX_SAFE_INTEGER
    ? 'Muted until /unmute'
    : `Muted until ${formatUtc(mutedUntilMs)}`;
}

export const muteCommand = defineCommand({
  name: 'mute',
  order: 400,
  description: 'Silence this chat for a while (default 1h); warnings and exits are summarised after',
  usage: MUTE_USAGE,
  role: 'admin',
  needsBot: false,
  audited: true,
  args: z.object({ duration: arg.text('duration like 30m, 2h, 1d; default 1h').optional() }),
  async run(run) {
    const nowMs = run.services.now();
    const until = run.args.duration
      ? parseUntil(run.args.duration, nowMs, MUTE_USAGE).getTime()
      : nowMs + DEFAULT_MUTE_MS;
    run.services.store.updateChat(run.chatKey, (chat) => {
      chat.muted_until_ms = until;
    });
    return {
      blocks: [
        {
          kind: 'text',
          text: `🔕 Muted until ${formatUtc(until)} (${formatDuration(until - nowMs)}); /unmute to hear again.`,
        },
        {
          kind: 'text',
          text: 'Warnings and exits that arrive meanwhile are kept and summarised when the mute ends.',
        },
      ],
    };
  },
});

export const unmuteCommand = defineCommand({
  name: 'unmute',
  order: 410,
  description: 'Hear notifications in this chat again, with a summary of what was held',
  usage: '/unmute',
  role: 'admin',
  needsBot: false,
  audited: true,
  args: z.object({}),
  async run(run) {
    const { store } = run.services;
    const chat = store.chat(run.chatKey);
    const summary = formatHeldSummary(chat.held_notifications, {
      showBotName: run.showBotName,
      dropped: chat.held_dropped,
    });
    store.updateChat(run.chatKey, (state) => {
      state.muted_until_ms = null;
      state.held_notifications = [];
      state.held_dropped = 0;
    });
    if (!summary) return { blocks: [{ kind: 'text', text: '🔔 Notifications are on again.' }] };
    // The summary of what was held is this reply: one message, to the chat that asked.
    const reply: Reply = {
      ...summary,
      blocks: [{ kind: 'text', text: 'Notifications are on again.' }, ...summary.blocks],
    };
    return reply;
  },
});
