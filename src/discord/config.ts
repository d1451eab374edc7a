import { z } from 'zod';
import { chatTargetFields, type Config, httpUrl, idString, nonEmpty } from '../config/schema.js';
import type { ConfiguredChat } from '../platform/chat-platform.js';

/** The config key of Discord's section. */
export const DISCORD_CONFIG_KEY = 'discord';

/**
 * Discord: 5 messages per 5 s per channel, 50 requests a second overall
 * (discord.com/developers/docs/topics/rate-limits).
 */
export const DISCORD_PACING = { channelIntervalMs: 1_000, globalPerSecond: 50 } as const;

export const discordChannelSchema = z.strictObject({
  channel_id: idString,
  ...chatTargetFields,
});
export type DiscordChannelConfig = z.infer<typeof discordChannelSchema>;

const discordEnabled = z.strictObject({
  enabled: z.literal(true),
  token: nonEmpty('token'),
  application_id: idString,
  guild_id: idString.nullable().default(null),
  api_root: httpUrl.default('https://discord.com/api'),
  channels: z.array(discordChannelSchema).default([]),
});
const discordDisabled = z.looseObject({ enabled: z.literal(false) });

/** The `discord` section: enabled with a bot token and channels, or `{ "enabled": false }` (the default). */
export const discordSectionSchema = z
  .discriminatedUnion('enabled', [discordEnabled, discordDisabled])
  .default({ enabled: false });
export type DiscordSection = z.infer<typeof discordSectionSchema>;
export type DiscordConfig = z.infer<typeof discordEnabled>;

/** Narrows the section to its enabled shape, or undefined. */
export function enabledDiscordSection(section: DiscordSection): DiscordConfig | undefined {
  return section.enabled === true && 'token' in section ? discordEnabled.parse(section) : undefined;
}

/** The enabled Discord section of a parsed config, or undefined. */
export function enabledDiscord(config: Config): DiscordConfig | undefined {
  return enabledDiscordSection(discordSectionSchema.parse(config.sections[DISCORD_CONFIG_KEY]));
}

/** The channels an (enabled) section lists. */
export function discordChatsOf(section: DiscordSection): ConfiguredChat[] {
  const enabled = enabledDiscordSection(section);
  return (enabled?.channels ?? []).map((channel, index) => ({
    platform: 'discord',
    chatId: channel.channel_id,
    threadId: null,
    notifications: channel.notifications,
    bots: channel.bots,
    configPath: [DISCORD_CONFIG_KEY, 'channels', index],
  }));
}
