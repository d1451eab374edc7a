import type { z } from 'zod';
import type { AccessPolicy } from '../access/policy.js';
import type { Reply } from '../chat/reply.js';
import type { CommandRouter } from '../chat/router.js';
import type { Platform } from '../chat/types.js';
import type { NotificationSettings } from '../config/schema.js';
import type { Fleet } from '../freqtrade/fleet.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';

/** One chat (or channel, or webhook) of a platform: where a Reply goes. */
export interface ChatAddress {
  chatId: string;
  /** Forum topic (Telegram) or thread; null when none. */
  threadId: number | null;
}

/**
 * A chat named in a platform's config section: commands may be served there (unless the platform
 * has no commands) and it hears notifications with its own settings.
 */
export interface ConfiguredChat extends ChatAddress {
  platform: Platform;
  notifications?: NotificationSettings | undefined;
  /** Names of the bots the chat is limited to; all bots when undefined. */
  bots?: string[] | undefined;
  /** Where the chat sits in the config file (`['telegram', 'chats', 0]`), for error messages. */
  configPath: Array<string | number>;
}

/** How fast a platform accepts messages; the outbox paces by it. */
export interface PlatformPacing {
  /** At most this many deliveries may start in any one second, across the platform's chats. */
  globalPerSecond: number;
  /** Least time between two messages to one chat. */
  chatIntervalMs(chat: ChatAddress): number;
}

/** A running chat platform: built from its config section, started and stopped by the app. */
export interface ChatPlatform {
  readonly name: string;
  /** Connects (polls, logs in); resolves once the platform is usable. Rejects on refused credentials. */
  start(): Promise<void>;
  /** Disconnects; nothing is received or sent after. */
  stop(): Promise<void>;
  /** Sends a Reply to one of its chats; a "slow down" answer rejects with DeliveryError.retryAfterMs. */
  send(chat: ChatAddress, reply: Reply): Promise<void>;
  /** Least time between two messages to this chat, when it depends on the chat's config (a webhook's format). */
  chatIntervalMs?(chat: ChatAddress): number;
}

/** What the composition root hands every platform it creates. */
export interface PlatformDeps {
  router: CommandRouter;
  fleet: Fleet;
  logger: Logger;
  store: Store;
  policy: AccessPolicy;
  now(): number;
}

/** A platform's section of the config file, parsed by the platform's own schema. */
export interface PlatformConfigSection<Section> {
  /** Top-level key in the config file, e.g. `telegram` or `webhooks`. */
  readonly key: string;
  /** Parses the section; its default is the section's value when the key is absent. */
  readonly schema: z.ZodType<Section, unknown>;
  /** Keys whose values are secrets within this section (beyond the shared ones), e.g. `url`. */
  readonly secretKeys?: readonly string[];
  /** True when the section turns the platform on (it is then created, started and awaited by /readyz). */
  enabled(section: Section): boolean;
  /** The chats the (parsed) section names; none when the platform is disabled. */
  chats(section: Section): ConfiguredChat[];
  /** The running platform for an enabled section; undefined when disabled. */
  create(section: Section, deps: PlatformDeps): ChatPlatform | undefined | Promise<ChatPlatform | undefined>;
}

/** Who may be named in `access.admins` / `access.viewers` as `<platform>:<id>`. */
export interface PlatformAccess {
  /** Regular-expression source for the id part, e.g. `-?\\d+`. */
  readonly idPattern: string;
  /** An example id for error messages. */
  readonly exampleId: string;
}

/**
 * A chat platform as listed once in main.ts's PLATFORMS: its name, its config section, its
 * users' access-entry form and its pacing. Built with `definePlatform` in the platform's folder.
 */
export interface PlatformModule<Name extends string = string> {
  readonly name: Name;
  /** Undefined for a platform built in code (the console). */
  readonly access: PlatformAccess | undefined;
  readonly pacing: PlatformPacing;
  /** True when the platform takes commands (its configured chats are allowed chats). */
  readonly commands: boolean;
  /** The config key, or undefined when the platform has no config section. */
  readonly configKey: string | undefined;
  /** The section's schema (erased), for building the whole config schema. */
  readonly configSchema: z.ZodType | undefined;
  readonly secretKeys: readonly string[];
  /** True when a parsed config section turns the platform on. */
  enabledIn(section: unknown): boolean;
  /** The chats of a parsed config section (validated again by the platform's schema). */
  chatsOf(section: unknown): ConfiguredChat[];
  /** The running platform for a parsed config section, or undefined when it is disabled. */
  create(section: unknown, deps: PlatformDeps): Promise<ChatPlatform | undefined>;
}

/** What a platform's folder declares; `definePlatform` turns it into a list entry. */
export interface PlatformDefinition<Name extends string, Section> {
  name: Name;
  access?: PlatformAccess;
  pacing: PlatformPacing;
  commands: boolean;
  config?: PlatformConfigSection<Section>;
}

/**
 * A list entry for PLATFORMS from a platform's definition. The section's type stays inside: the
 * erased functions parse the section with the platform's own schema again (cheap, idempotent),
 * so nothing outside the folder needs to know its shape.
 */
export function definePlatform<const Name extends string, Section>(
  definition: PlatformDefinition<Name, Section>,
): PlatformModule<Name> {
  const config = definition.config;
  return {
    name: definition.name,
    access: definition.access,
    pacing: definition.pacing,
    commands: definition.commands,
    configKey: config?.key,
    configSchema: config?.schema,
    secretKeys: config?.secretKeys ?? [],
    // A section that fails its schema (cross-checks run beside its own errors) has no chats.
    enabledIn: (section) => {
      const parsed = config?.schema.safeParse(section);
      return parsed?.success === true && config !== undefined && config.enabled(parsed.data);
    },
    chatsOf: (section) => {
      const parsed = config?.schema.safeParse(section);
      return parsed?.success === true && config !== undefined ? config.chats(parsed.data) : [];
    },
    create: async (section, deps) => (config ? config.create(config.schema.parse(section), deps) : undefined),
  };
}
