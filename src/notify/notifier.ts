import type { Reply } from '../chat/reply.js';
import { ConfigError } from '../errors.js';
import type { NotificationSettings } from '../config/schema.js';
import type { FiatRate, Ohlc } from '../freqtrade/bot-facts.js';
import type { BotEvent, BotEventOf } from '../freqtrade/event-schemas.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { type FormatOptions, formatEvent } from './format.js';
import { appendHeld, formatHeldSummary, heldNotificationFrom } from './held.js';
import type { Outbox } from './outbox.js';
import {
  isHeldWhileMuted,
  isMuted,
  type RouteTarget,
  routeEventWithMutes,
  showCandleFor,
  type TargetOverrides,
} from './route.js';

/**
 * A muted chat with held notifications is looked at again at its mute's end, and at least this
 * often meanwhile: a mute shortened or lifted outside /unmute is noticed within a minute.
 */
const MUTE_RECHECK_MAX_MS = 60_000;

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
  /** One outbox per platform; every target's platform must have one (createNotifier throws otherwise). */
  outboxes: Record<string, Outbox>;
  store: Store;
  logger: Logger;
  showBotName: boolean;
  now(): number;
  /** Whether a bot runs in dry run, when known (its /show_config): trade messages mark it. */
  dryRunOf?(bot: string): boolean | undefined;
  /** The bot's stake-to-fiat rate as it reports it, when known: entries and exits show fiat values. */
  fiatRateOf?(bot: string): FiatRate | undefined;
  /**
   * The signal candle of a pair (the last candle of the bot's analyzed dataframe), for chats with
   * `show_candle: ohlc`; must resolve (undefined on failure) within a short time.
   */
  lastCandleOf?(bot: string, pair: string): Promise<Ohlc | undefined>;
}

type CandleEvent = BotEventOf<'entry' | 'entry_fill' | 'exit' | 'exit_fill'>;

/** Trade messages that end with the signal candle for chats that want it, as Freqtrade's do; a back-filled one happened candles ago, so it never does. */
function canShowCandle(event: BotEvent): event is CandleEvent {
  return (
    !event.backfilled &&
    (event.type === 'entry' ||
      event.type === 'entry_fill' ||
      event.type === 'exit' ||
      event.type === 'exit_fill')
  );
}

/** One chat an event goes to: where, how loudly, and whether with the signal candle. */
interface Delivery {
  destination: NotificationTarget;
  outbox: Outbox;
  silent: boolean;
  withCandle: boolean;
}

export interface Notifier {
  /**
   * Routes, formats and queues one event; never throws. A muted chat keeps warnings and exits
   * (held in the store) and gets one summary of them when its mute ends.
   */
  handle(event: BotEvent): void;
  /** Resolves when every outbox is empty. */
  drain(): Promise<void>;
  /** Clears the timers that send held summaries when mutes end; nothing is sent after. */
  stop(): void;
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
  // A target without an outbox would never hear anything: say so at start, not by silence.
  const unpaced = deps.targets.filter((target) => deps.outboxes[target.platform] === undefined);
  if (unpaced.length > 0) {
    throw new ConfigError(
      'notification targets have no outbox for their platform:',
      unpaced.map(
        (target) =>
          `${target.key}: platform "${target.platform}" (outboxes: ${Object.keys(deps.outboxes).join(', ') || 'none'})`,
      ),
    );
  }
  const routeTargets: RouteTarget[] = deps.targets.map((target) => ({
    key: target.key,
    ...(target.notifications ? { notifications: target.notifications } : {}),
    ...(target.bots ? { bots: target.bots } : {}),
  }));
  const byKey = new Map(deps.targets.map((target) => [target.key, target]));
  /** One timer per muted chat with held notifications, and when it fires. */
  const muteTimers = new Map<string, { timer: NodeJS.Timeout; atMs: number }>();
  let stopped = false;

  /** Looks at a chat again when its mute ends (at the latest within MUTE_RECHECK_MAX_MS). */
  function checkMuteEndAt(key: string, mutedUntilMs: number): void {
    if (stopped) return;
    const atMs = Math.min(mutedUntilMs, deps.now() + MUTE_RECHECK_MAX_MS);
    const existing = muteTimers.get(key);
    if (existing && existing.atMs <= atMs) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(
      () => {
        muteTimers.delete(key);
        try {
          const chat = store.chat(key);
          const stillMuted = isMuted({ mutedUntilMs: chat.muted_until_ms }, deps.now());
          if (stillMuted && chat.muted_until_ms !== null) checkMuteEndAt(key, chat.muted_until_ms);
          else releaseHeld(key);
        } catch (error) {
          logger.error({ err: error, chat: key }, 'could not send the summary of held notifications');
        }
      },
      Math.max(0, atMs - deps.now()),
    );
    timer.unref?.();
    muteTimers.set(key, { timer, atMs });
  }

  /** Keeps an event for a muted chat, to be summarised when the mute ends. */
  function hold(key: string, event: BotEvent, mutedUntilMs: number): void {
    const record = heldNotificationFrom(event, deps.now());
    if (!record) return;
    store.updateChat(key, (chat) => {
      const next = appendHeld(chat.held_notifications, chat.held_dropped, record);
      chat.held_notifications = next.held;
      chat.held_dropped = next.dropped;
    });
    logger.debug({ chat: key, bot: event.bot, type: event.type }, 'held a notification for a muted chat');
    checkMuteEndAt(key, mutedUntilMs);
  }

  /** A chat whose mute ended gets one summary of what was held, and the held list is cleared. */
  function releaseHeld(key: string): void {
    if (!store.hasChat(key)) return;
    const chat = store.chat(key);
    if (isMuted({ mutedUntilMs: chat.muted_until_ms }, deps.now())) return;
    const summary = formatHeldSummary(chat.held_notifications, {
      showBotName: deps.showBotName,
      dropped: chat.held_dropped,
    });
    if (!summary) return;
    const destination = byKey.get(key);
    const outbox = destination ? deps.outboxes[destination.platform] : undefined;
    const count = chat.held_notifications.length + chat.held_dropped;
    store.updateChat(key, (state) => {
      state.held_notifications = [];
      state.held_dropped = 0;
    });
    if (!destination || !outbox) {
      logger.warn({ chat: key, count }, 'a chat with held notifications is no longer a target; dropped them');
      return;
    }
    outbox.enqueue(destination, summary);
    logger.info({ chat: key, count }, 'mute ended: sent the summary of held notifications');
  }

  // Held notifications from before a restart: their chats are looked at when their mutes end.
  for (const target of deps.targets) {
    if (!store.hasChat(target.key)) continue;
    const chat = store.chat(target.key);
    if (chat.held_notifications.length > 0 || chat.held_dropped > 0) {
      checkMuteEndAt(target.key, chat.muted_until_ms ?? deps.now());
    }
  }

  return {
    handle(event) {
      try {
        const nowMs = deps.now();
        // The last whitelist announced is kept with the bot's seen trades, so a restart still diffs.
        const seen = store.seenTrades(event.bot);
        const options: FormatOptions = {
          showBotName: deps.showBotName,
          ...(seen.whitelist ? { previousWhitelist: seen.whitelist } : {}),
          now: new Date(deps.now()),
          dryRun: deps.dryRunOf?.(event.bot),
          fiat: deps.fiatRateOf?.(event.bot),
        };
        const formatted = formatEvent(event, options);
        if (event.type === 'whitelist') store.saveSeenTrades(event.bot, { ...seen, whitelist: event.data });
        const overrides: Record<string, TargetOverrides | undefined> = {};
        // Only chats with stored choices get an entry: the rest route by config alone.
        for (const target of routeTargets) {
          const stored = overridesFromStore(store, target.key);
          if (!stored) continue;
          overrides[target.key] = stored;
          // A mute that ran out since the last event: its summary goes before this event.
          if (!isMuted(stored, nowMs) && store.chat(target.key).held_notifications.length > 0) {
            releaseHeld(target.key);
          }
        }
        if (!formatted) return;
        const candleEvent = canShowCandle(event) && deps.lastCandleOf ? event : undefined;
        const deliveries: Delivery[] = [];
        for (const { target, level, muted } of routeEventWithMutes(event, routeTargets, overrides, nowMs)) {
          if (muted) {
            const mutedUntilMs = overrides[target.key]?.mutedUntilMs;
            if (isHeldWhileMuted(event) && typeof mutedUntilMs === 'number')
              hold(target.key, event, mutedUntilMs);
            continue;
          }
          const destination = byKey.get(target.key);
          const outbox = destination ? deps.outboxes[destination.platform] : undefined;
          if (!destination || !outbox) continue;
          const withCandle =
            candleEvent !== undefined && showCandleFor(target, overrides[target.key]) === 'ohlc';
          deliveries.push({ destination, outbox, silent: level === 'silent', withCandle });
        }
        const wantsCandle = candleEvent !== undefined && deliveries.some((delivery) => delivery.withCandle);
        // The candle is asked for once; each chat that wants it gets its message queued (and
        // stored) now, completed when the candle arrives: the chat's queue waits for it, so its
        // order holds, and a crash meanwhile still sends the message, without the candle.
        const withCandle =
          wantsCandle && candleEvent && deps.lastCandleOf
            ? deps
                .lastCandleOf(event.bot, candleEvent.pair)
                .catch(() => undefined)
                .then((candle) => (candle ? formatEvent(event, { ...options, candle }) : null))
            : undefined;
        const about =
          'trade_id' in event && typeof event.trade_id === 'number'
            ? {
                bot: event.bot,
                type: event.type,
                trade_id: event.trade_id,
                ...('is_final_exit' in event && typeof event.is_final_exit === 'boolean'
                  ? { is_final_exit: event.is_final_exit }
                  : {}),
              }
            : undefined;
        for (const { destination, outbox, silent, withCandle: wants } of deliveries) {
          const reply = { ...formatted, silent };
          const ready =
            wants && withCandle
              ? withCandle.then((completed) => ({ ...(completed ?? formatted), silent }))
              : undefined;
          outbox.enqueue(destination, reply, { ...(ready ? { ready } : {}), ...(about ? { about } : {}) });
        }
      } catch (error) {
        logger.error({ err: error, bot: event.bot, type: event.type }, 'could not route a notification');
      }
    },
    async drain() {
      await Promise.all(Object.values(deps.outboxes).map((outbox) => outbox.drain()));
    },
    stop() {
      stopped = true;
      for (const { timer } of muteTimers.values()) clearTimeout(timer);
      muteTimers.clear();
    },
  };
}
