import {
  DEFAULT_NOTIFICATIONS,
  type LevelOrReasonMap,
  type NotificationLevel,
  type NotificationSettings,
  type NotificationType,
  type ShowCandle,
} from '../config/schema.js';
import type { BotEvent } from '../freqtrade/event-schemas.js';

/*
 * Which chats hear an event, and how loudly. Pure: the caller passes the clock.
 *
 * Resolution, for one event and one target:
 *   1. the event's setting key: its type, except `exception` (a worker error such as an
 *      OperationalException) which follows the `warning` setting; new_candle, analyzed_df and the
 *      websocket's own `{type: "exception", data}` reply to a request of ours are never routed;
 *   2. bots filter: the configured list, narrowed by the chat's stored choice (their intersection);
 *      the event's bot must be in it (all bots when neither is set);
 *   3. mute: `mutedUntilMs` in the future → off (routeEventWithMutes reports such targets as muted,
 *      so warnings and exits can be held for them); a past (expired) mute is ignored;
 *   4. level: stored override ← config block ← DEFAULT_NOTIFICATIONS, per key (an override of
 *      `exit` replaces the configured `exit` value or map whole, it does not merge reason by reason);
 *   5. `exit` / `exit_fill` given as a map: the exit reason's entry, else `*`, else `on`. That last
 *      step is Freqtrade's `_message_loudness` (telegram.py): a map without the reason and without
 *      a wildcard means "on", whatever the type's default is.
 */

export interface RouteTarget {
  /** Stable id of the chat, e.g. `'telegram:-1001:7'` (platform, chat, topic). */
  key: string;
  /** The target's `notifications` block from config. */
  notifications?: NotificationSettings;
  /** Names of the bots this target hears from; all when undefined. */
  bots?: string[];
}

export interface TargetOverrides {
  /** Settings changed from the chat with /notify, stored; win over config per key. */
  notifications?: NotificationSettings;
  /** Everything is off until this time (epoch ms); null or past = not muted. */
  mutedUntilMs?: number | null;
  /** Narrows the configured bots filter when set (a bot outside the configured list stays out). */
  bots?: string[];
}

/**
 * The bots a chat hears from: the configured list narrowed by the chat's stored choice (their
 * intersection, in the configured order); either alone when the other is unset; undefined (every
 * bot) when neither is set. A choice that shares no bot with the configured list yields [] (none).
 */
export function effectiveBots(
  configured: readonly string[] | null | undefined,
  chosen: readonly string[] | null | undefined,
): string[] | undefined {
  if (!configured) return chosen ? [...chosen] : undefined;
  if (!chosen) return [...configured];
  return configured.filter((bot) => chosen.includes(bot));
}

/** True while `mutedUntilMs` lies in the future; null, undefined or a past time is not muted. */
export function isMuted(overrides: TargetOverrides | undefined, nowMs: number): boolean {
  const mutedUntilMs = overrides?.mutedUntilMs;
  return mutedUntilMs !== null && mutedUntilMs !== undefined && nowMs < mutedUntilMs;
}

/**
 * Setting keys whose notifications a muted chat must not lose: kept and summarised when the mute
 * ends. Entries, status and the like are simply not delivered while muted.
 */
const HELD_WHILE_MUTED: ReadonlySet<NotificationType> = new Set([
  'warning',
  'exit',
  'exit_fill',
  'exit_cancel',
]);

/** Whether a muted chat keeps this event for its end-of-mute summary: warnings, worker errors and exits (live or back-filled). */
export function isHeldWhileMuted(event: BotEvent): boolean {
  const key = settingKeyFor(event);
  return key !== null && HELD_WHILE_MUTED.has(key);
}

/** The setting an event type follows: its own type, `warning` for a worker exception, null for types never routed. */
export function settingKeyFor(event: BotEvent): NotificationType | null {
  switch (event.type) {
    case 'new_candle':
    case 'analyzed_df':
      return null;
    case 'exception':
      // `{status}` is the worker's error notice; `{data}` only answers a request this client sent.
      return event.status ? 'warning' : null;
    default:
      return event.type;
  }
}

/** The level a reason map gives an exit reason: its own entry, else `*`, else `'on'` (Freqtrade's fallback); a null reason uses `*`. */
export function levelForExitReason(
  map: Record<string, NotificationLevel>,
  exitReason: string | null | undefined,
): NotificationLevel {
  // Object.hasOwn: an exit reason such as "constructor" must not hit Object.prototype.
  if (exitReason !== null && exitReason !== undefined && Object.hasOwn(map, exitReason)) {
    return map[exitReason] ?? 'on';
  }
  return Object.hasOwn(map, '*') ? (map['*'] ?? 'on') : 'on';
}

/** A configured value resolved to a level: a string as is; a reason map by the exit reason (non-exit events have none). */
function resolveLevel(value: LevelOrReasonMap, exitReason: string | null | undefined): NotificationLevel {
  return typeof value === 'string' ? value : levelForExitReason(value, exitReason);
}

/** The level at which an event reaches a target: config defaults ← config block ← stored overrides; exit/exit_fill maps by exit_reason with '*' wildcard; muted → 'off'. */
export function levelFor(
  event: BotEvent,
  target: RouteTarget,
  overrides: TargetOverrides | undefined,
  nowMs: number,
): NotificationLevel {
  const key = settingKeyFor(event);
  return key === null ? 'off' : levelForKey(event, key, exitReasonOf(event), target, overrides, nowMs);
}

/** The exit reason that reason maps look up: only exits have one. */
function exitReasonOf(event: BotEvent): string | null | undefined {
  return event.type === 'exit' || event.type === 'exit_fill' ? event.exit_reason : undefined;
}

/** Whether a target's trade messages show the signal candle: stored override ← config block ← default (`off`, as Freqtrade). */
export function showCandleFor(target: RouteTarget, overrides: TargetOverrides | undefined): ShowCandle {
  return (
    overrides?.notifications?.show_candle ??
    target.notifications?.show_candle ??
    DEFAULT_NOTIFICATIONS.show_candle
  );
}

/** The configured value of one setting for a target: stored override ← config block ← default. */
function configuredValue(
  setting: NotificationType,
  target: RouteTarget,
  overrides: TargetOverrides | undefined,
): LevelOrReasonMap {
  return (
    overrides?.notifications?.[setting] ?? target.notifications?.[setting] ?? DEFAULT_NOTIFICATIONS[setting]
  );
}

/** levelFor with the event's setting key and exit reason worked out once (routing calls it per target). */
function levelForKey(
  event: BotEvent,
  key: NotificationType,
  exitReason: string | null | undefined,
  target: RouteTarget,
  overrides: TargetOverrides | undefined,
  nowMs: number,
): NotificationLevel {
  return isMuted(overrides, nowMs) ? 'off' : levelIgnoringMute(event, key, exitReason, target, overrides);
}

/** The level an event would reach a target at if the target were not muted (bots filter and levels only). */
function levelIgnoringMute(
  event: BotEvent,
  key: NotificationType,
  exitReason: string | null | undefined,
  target: RouteTarget,
  overrides: TargetOverrides | undefined,
): NotificationLevel {
  const bots = effectiveBots(target.bots, overrides?.bots);
  if (bots !== undefined && !bots.includes(event.bot)) return 'off';
  const level = resolveLevel(configuredValue(key, target, overrides), exitReason);
  // A back-filled fill stands for both the order and its fill, which were missed: a chat that
  // listens to either hears it, at the louder of the two levels.
  if (event.backfilled && key === 'exit_fill') {
    return louder(level, resolveLevel(configuredValue('exit', target, overrides), exitReason));
  }
  if (event.backfilled && key === 'entry_fill') {
    return louder(level, resolveLevel(configuredValue('entry', target, overrides), exitReason));
  }
  return level;
}

const LOUDNESS: Record<NotificationLevel, number> = { off: 0, silent: 1, on: 2 };

/** The louder of two levels (`on` > `silent` > `off`). */
function louder(a: NotificationLevel, b: NotificationLevel): NotificationLevel {
  return LOUDNESS[a] >= LOUDNESS[b] ? a : b;
}

/** One target an event would reach: its level, and whether the chat is muted right now. */
export interface RoutedTarget {
  target: RouteTarget;
  level: 'on' | 'silent';
  muted: boolean;
}

/**
 * The targets that would hear an event if none were muted, in the given order, each with its
 * level and whether it is muted now; targets at 'off' for other reasons are left out (empty when none).
 */
export function routeEventWithMutes(
  event: BotEvent,
  targets: RouteTarget[],
  overridesByKey: Record<string, TargetOverrides | undefined>,
  nowMs: number,
): RoutedTarget[] {
  const routed: RoutedTarget[] = [];
  const key = settingKeyFor(event);
  if (key === null) return routed;
  const exitReason = exitReasonOf(event);
  for (const target of targets) {
    const overrides = Object.hasOwn(overridesByKey, target.key) ? overridesByKey[target.key] : undefined;
    const level = levelIgnoringMute(event, key, exitReason, target, overrides);
    if (level !== 'off') routed.push({ target, level, muted: isMuted(overrides, nowMs) });
  }
  return routed;
}

/** The targets an event reaches, in the given order, with their level; targets at 'off' (or muted) are left out (empty when none). */
export function routeEvent(
  event: BotEvent,
  targets: RouteTarget[],
  overridesByKey: Record<string, TargetOverrides | undefined>,
  nowMs: number,
): Array<{ target: RouteTarget; level: 'on' | 'silent' }> {
  return routeEventWithMutes(event, targets, overridesByKey, nowMs)
    .filter((routed) => !routed.muted)
    .map(({ target, level }) => ({ target, level }));
}
