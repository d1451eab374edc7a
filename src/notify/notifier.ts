import type { Reply } from '../chat/reply.js';
import type { NotificationSettings } from '../config/schema.js';
import type { BotEvent } from '../freqtrade/event-schemas.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { formatEvent } from './format.js';
import type { Outbox } from './outbox.js';
import { type RouteTarget, routeEvent, type TargetOverrides } from './route.js';

/** A chat that hears notifications, whatever its platform. */
export interface NotificationTarget {
  /** Unique key, e.g. `telegram:-1001:7` or `console:demo`; also the chat's store key. */
  key: string;
  /** Which outbox paces it (one per platform). */
  platform: string;
  /** Least time between two messages to this chat (Telegram groups: 3 s, i.e. 20 a minute). */
  minIntervalMs: number;
  notifications?: NotificationSettings | undefined;
  /** Names of the bots it hears from; all when undefined. */
  bots?: string[] | undefined;
  send(reply: Reply): Promise<void>;
}

export interface NotifierDeps {
  targets: NotificationTarget[];
  /** One outbox per platform; a target whose platform has none is delivered through `fallback`. */
  outboxes: Record<string, Outbox>;
  store: Store;
  logger: Logger;
  showBotName: boolean;
  now(): number;
}

export interface Notifier {
  /** Routes, formats and queues one event; never throws. */
  handle(event: BotEvent): void;
  /** Resolves when every outbox is empty. */
  drain(): Promise<void>;
}

/** The overrides a chat has stored from /notify, /mute and bot choices. */
export function overridesFromStore(store: Store, key: string): TargetOverrides | undefined {
  if (!store.hasChat(key)) return undefined;
  const chat = store.chat(key);
  return {
    notifications: chat.notifications,
    mutedUntilMs: chat.muted_until_ms,
    ...(chat.bots ? { bots: chat.bots } : {}),
  };
}

/** Events in → chats out: route (pure), format (pure), then each chat's outbox. */
export function createNotifier(deps: NotifierDeps): Notifier {
  const { store, logger } = deps;
  const routeTargets: RouteTarget[] = deps.targets.map((target) => ({
    key: target.key,
    ...(target.notifications ? { notifications: target.notifications } : {}),
    ...(target.bots ? { bots: target.bots } : {}),
  }));
  const byKey = new Map(deps.targets.map((target) => [target.key, target]));

  return {
    handle(event) {
      try {
        // The last whitelist announced is kept with the bot's seen trades, so a restart still diffs.
        const seen = store.seenTrades(event.bot);
        const formatted = formatEvent(event, {
          showBotName: deps.showBotName,
          ...(seen.whitelist ? { previousWhitelist: seen.whitelist } : {}),
          now: new Date(deps.now()),
        });
        if (event.type === 'whitelist') store.saveSeenTrades(event.bot, { ...seen, whitelist: event.data });
        if (!formatted) return;
        const overrides: Record<string, TargetOverrides | undefined> = {};
        // Only chats with stored choices get an entry: the rest route by config alone.
        for (const target of routeTargets) {
          const stored = overridesFromStore(store, target.key);
          if (stored) overrides[target.key] = stored;
        }
        for (const { target, level } of routeEvent(event, routeTargets, overrides, deps.now())) {
          const destination = byKey.get(target.key);
          const outbox = destination ? deps.outboxes[destination.platform] : undefined;
          if (!destination || !outbox) continue;
          outbox.enqueue(destination, { ...formatted, silent: level === 'silent' });
        }
      } catch (error) {
        logger.error({ err: error, bot: event.bot, type: event.type }, 'could not route a notification');
      }
    },
    async drain() {
      await Promise.all(Object.values(deps.outboxes).map((outbox) => outbox.drain()));
    },
  };
}
