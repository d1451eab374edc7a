/**
 * Discord API objects as the fake Discord (`./fake-discord.ts`) sends them: snowflakes, users, guilds,
 * channels, roles, members. Shapes follow https://discord.com/developers/docs/resources and carry
 * every field discord.js 14 reads when it builds its structures (Guild, TextChannel, GuildMember, ...).
 */
import { randomBytes } from 'node:crypto';

/** Discord's epoch (2015-01-01T00:00:00Z), the zero of snowflake timestamps. */
export const DISCORD_EPOCH_MS = 1_420_070_400_000n;

/** Makes snowflakes: time since DISCORD_EPOCH_MS << 22 | worker 1 << 17 | increment. */
export function createSnowflakes(): (at?: number) => string {
  let increment = 0n;
  return (at = Date.now()) => {
    increment = (increment + 1n) & 0xfffn;
    return (((BigInt(at) - DISCORD_EPOCH_MS) << 22n) | (1n << 17n) | increment).toString();
  };
}

/** A random url-safe token, e.g. for interactions and gateway sessions. */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** Permission bits (https://discord.com/developers/docs/topics/permissions#permissions-bitwise-permission-flags). */
const PERMISSION_BITS = {
  CREATE_INSTANT_INVITE: 0n,
  ADD_REACTIONS: 6n,
  VIEW_CHANNEL: 10n,
  SEND_MESSAGES: 11n,
  EMBED_LINKS: 14n,
  ATTACH_FILES: 15n,
  READ_MESSAGE_HISTORY: 16n,
  USE_EXTERNAL_EMOJIS: 18n,
  CONNECT: 20n,
  SPEAK: 21n,
  CHANGE_NICKNAME: 26n,
  USE_APPLICATION_COMMANDS: 31n,
  SEND_MESSAGES_IN_THREADS: 38n,
} as const;

/** What @everyone may do in a fresh guild: see, talk, embed, attach, use commands. */
export const EVERYONE_PERMISSIONS = Object.values(PERMISSION_BITS)
  .reduce((bits: bigint, bit) => bits | (1n << bit), 0n)
  .toString();

export interface UserInfo {
  id: string;
  username: string;
  bot?: boolean;
}

export function userObject(user: UserInfo): Record<string, unknown> {
  const object: Record<string, unknown> = {
    id: user.id,
    username: user.username,
    global_name: user.bot ? null : user.username,
    discriminator: '0',
    avatar: null,
    public_flags: 0,
    flags: 0,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
    collectibles: null,
    primary_guild: null,
  };
  if (user.bot) object['bot'] = true;
  return object;
}

export interface ChannelInfo {
  id: string;
  name: string;
  position: number;
}

export interface GuildInfo {
  id: string;
  name: string;
  channels: ChannelInfo[];
  roles: Array<{ id: string; name: string }>;
  ownerId: string;
  joinedAt: string;
}

/** A guild text channel (type 0) as GUILD_CREATE and GET /channels/{id} carry it. */
export function guildChannelObject(guild: GuildInfo, channel: ChannelInfo): Record<string, unknown> {
  return {
    id: channel.id,
    type: 0,
    guild_id: guild.id,
    name: channel.name,
    position: channel.position,
    permission_overwrites: [],
    parent_id: null,
    nsfw: false,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
  };
}

export function dmChannelObject(channelId: string, recipient: UserInfo): Record<string, unknown> {
  return {
    id: channelId,
    type: 1,
    last_message_id: null,
    flags: 0,
    recipients: [userObject(recipient)],
  };
}

export function roleObject(
  role: { id: string; name: string },
  position: number,
  permissions: string,
): Record<string, unknown> {
  return {
    id: role.id,
    name: role.name,
    description: null,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions,
    managed: false,
    mentionable: false,
    flags: 0,
  };
}

export function memberObject(
  user: UserInfo,
  roles: string[],
  joinedAt: string,
  permissions?: string,
): Record<string, unknown> {
  const object: Record<string, unknown> = {
    user: userObject(user),
    roles,
    joined_at: joinedAt,
    nick: null,
    avatar: null,
    banner: null,
    premium_since: null,
    deaf: false,
    mute: false,
    pending: false,
    flags: 0,
    communication_disabled_until: null,
    unusual_dm_activity_until: null,
  };
  if (permissions !== undefined) object['permissions'] = permissions;
  return object;
}

/** GUILD_CREATE's payload: the guild with its channels, roles and the bot's own member. */
export function guildCreateObject(guild: GuildInfo, botUser: UserInfo): Record<string, unknown> {
  const everyone = roleObject({ id: guild.id, name: '@everyone' }, 0, EVERYONE_PERMISSIONS);
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    icon_hash: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: guild.ownerId,
    region: 'us-east',
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    preferred_locale: 'en-US',
    max_members: 500_000,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    features: [],
    emojis: [],
    stickers: [],
    roles: [everyone, ...guild.roles.map((role, index) => roleObject(role, index + 1, EVERYONE_PERMISSIONS))],
    joined_at: guild.joinedAt,
    large: false,
    unavailable: false,
    lazy: true,
    member_count: 2,
    members: [memberObject(botUser, [], guild.joinedAt)],
    channels: guild.channels.map((channel) => {
      const { guild_id: _omitted, ...inGuild } = guildChannelObject(guild, channel);
      return inGuild;
    }),
    threads: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    embedded_activities: [],
    hub_type: null,
    incidents_data: null,
  };
}
