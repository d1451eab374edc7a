import {
  DEFAULT_NOTIFICATIONS,
  type LevelOrReasonMap,
  type NotificationLevel,
  type NotificationSettings,
  type NotificationType,
} from '../config/schema.js';
import type { BotEvent } from '../freqtrade/event-schemas.js';

/*
 * Which chats hear an event, and how loudly. Pure: the caller passes the clock.
 *
 * Resolution, for one event and one target:
 *   1. the event's setting key: its type, except `exception` (a worker error such as an
 *      OperationalException) which follows the `warning` setting; new_candle, analyzed_df and the
 *      websocket's own `{type: "exception", data}` reply to a request of ours are never routed;
 *   2. bots filter: stored override ← config; the event's bot must be listed (all when unset);
 *   3. mute: `mutedUntilMs` in the future → off; a past (expired) mute is ignored;
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
  /** Replaces the configured bots filter when set. */
  bots?: string[];
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
  const bots = overrides?.bots ?? target.bots;
  if (bots !== undefined && !bots.includes(event.bot)) return 'off';
  const mutedUntilMs = overrides?.mutedUntilMs;
  if (mutedUntilMs !== null && mutedUntilMs !== undefined && nowMs < mutedUntilMs) return 'off';
  const level = resolveLevel(configuredValue(key, target, overrides), exitReason);
  // A back-filled exit stands for both the exit order and its fill, which were missed: a chat
  // that listens to either hears it, at the louder of the two levels.
  if (event.backfilled && key === 'exit_fill') {
    return louder(level, resolveLevel(configuredValue('exit', target, overrides), exitReason));
  }
  return level;
}

const LOUDNESS: Record<NotificationLevel, number> = { off: 0, silent: 1, on: 2 };

/** The louder of two levels (`on` > `silent` > `off`). */
function louder(a: NotificationLevel, b: NotificationLevel): NotificationLevel {
  return LOUDNESS[a] >= LOUDNESS[b] ? a : b;
}

/** The targets an event reaches, in the given order, with their level; targets at 'off' are left out (empty when none). */
export function routeEvent(
  event: BotEvent,
  targets: RouteTarget[],
  overridesByKey: Record<string, TargetOverrides | undefined>,
  nowMs: number,
): Array<{ target: RouteTarget; level: 'on' | 'silent' }> {
  const routed: Array<{ target: RouteTarget; level: 'on' | 'silent' }> = [];
  const key = settingKeyFor(event);
  if (key === null) return routed;
  const exitReason = exitReasonOf(event);
  for (const target of targets) {
    const overrides = Object.hasOwn(overridesByKey, target.key) ? overridesByKey[target.key] : undefined;
    const level = levelForKey(event, key, exitReason, target, overrides, nowMs);
    if (level !== 'off') routed.push({ target, level });
  }
  return routed;
}
