import type { AccessConfig } from '../config/schema.js';
import type { CommandContext, RequiredRole, Role } from '../chat/types.js';
import type { ConfiguredChat } from '../platform/chat-platform.js';

/** A chat (or channel) commands may be served in; `topicId` pins a forum topic. */
export interface AllowedChat {
  platform: string;
  chatId: string;
  topicId: number | null;
}

export interface AccessPolicy {
  access: AccessConfig;
  chats: AllowedChat[];
}

export type AccessDecision =
  | { allowed: true; role: Role | null }
  /**
   * `ignore`: say nothing at all (another topic of an allowed chat, or a chat we don't serve);
   * `deny`: one short "not allowed" reply may be sent (rate-limited by the caller).
   */
  | { allowed: false; action: 'ignore' | 'deny'; reason: 'chat' | 'topic' | 'role' | 'unknown-user' };

/** The sender's role from the allowlist (user entry first, then Discord roles); null for strangers. */
export function roleOf(access: AccessConfig, ctx: CommandContext): Role | null {
  const entry = `${ctx.platform}:${ctx.userId}`;
  if (access.admins.includes(entry)) return 'admin';
  if (
    ctx.platform === 'discord' &&
    ctx.platformRoles?.some((role) => access.discord_admin_roles.includes(role))
  ) {
    return 'admin';
  }
  if (access.viewers.includes(entry)) return 'viewer';
  if (
    ctx.platform === 'discord' &&
    ctx.platformRoles?.some((role) => access.discord_viewer_roles.includes(role))
  ) {
    return 'viewer';
  }
  return null;
}

/** True when `role` satisfies `required` (admins may do everything viewers may). */
export function roleSatisfies(role: Role | null, required: RequiredRole): boolean {
  if (required === 'anyone') return true;
  if (required === 'viewer') return role === 'viewer' || role === 'admin';
  return role === 'admin';
}

/** What a command says about who may reach it, beyond its role. */
export interface AuthorizeOptions {
  /** An `anyone` command answered in any chat and topic, to anyone (see `CommandSpec.openToStrangers`). */
  openToStrangers?: boolean;
}

/**
 * Decides whether a command may run: the chat must be a configured one (in its pinned topic, if
 * any) or a private chat with an allowlisted user, and the sender's role must allow the command.
 * `anyone` commands (/whoami, /help) answer everywhere the bot may speak, and in private chats;
 * an `anyone` command open to strangers (/tg_info) answers everywhere.
 */
export function authorize(
  policy: AccessPolicy,
  ctx: CommandContext,
  required: RequiredRole,
  options: AuthorizeOptions = {},
): AccessDecision {
  const role = roleOf(policy.access, ctx);
  if (options.openToStrangers === true && required === 'anyone') return { allowed: true, role };
  const sameChat = policy.chats.filter(
    (chat) => chat.platform === ctx.platform && chat.chatId === ctx.chatId,
  );
  if (sameChat.length > 0) {
    const inTopic = sameChat.some((chat) => chat.topicId === null || chat.topicId === ctx.threadId);
    if (!inTopic) return { allowed: false, action: 'ignore', reason: 'topic' };
  } else if (!ctx.isPrivate) {
    // A group we were not configured for: commands from anyone there are ignored, except /whoami
    // from an allowlisted user, so an admin can learn the chat id to put in the config.
    if (required === 'anyone' && role !== null) return { allowed: true, role };
    return { allowed: false, action: 'ignore', reason: 'chat' };
  } else if (role === null && required !== 'anyone') {
    return { allowed: false, action: 'deny', reason: 'unknown-user' };
  }
  if (!roleSatisfies(role, required)) {
    return { allowed: false, action: 'deny', reason: role === null ? 'unknown-user' : 'role' };
  }
  return { allowed: true, role };
}

/** The allowed chats of a config: every chat a platform section names, across platforms. */
export function allowedChatsOf(config: { chats: readonly ConfiguredChat[] }): AllowedChat[] {
  return config.chats.map((chat) => ({
    platform: chat.platform,
    chatId: chat.chatId,
    topicId: chat.threadId,
  }));
}

/**
 * The configured chat a command came from: a topic's own entry wins over the whole chat's;
 * undefined when the chat is not in the config.
 */
export function configuredChatOf(
  config: { chats: readonly ConfiguredChat[] },
  ctx: Pick<CommandContext, 'platform' | 'chatId' | 'threadId'>,
): ConfiguredChat | undefined {
  const chats = config.chats.filter((chat) => chat.platform === ctx.platform && chat.chatId === ctx.chatId);
  return chats.find((chat) => chat.threadId === ctx.threadId) ?? chats.find((chat) => chat.threadId === null);
}

/**
 * The bots a configured chat is limited to (its `bots` list in the config), for commands and
 * notifications alike; null when the chat may use every bot (no list, or not a configured chat).
 */
export function chatBotsOf(
  config: { chats: readonly ConfiguredChat[] },
  ctx: Pick<CommandContext, 'platform' | 'chatId' | 'threadId'>,
): string[] | null {
  const bots = configuredChatOf(config, ctx)?.bots;
  return bots?.length ? bots : null;
}
