import { type ChatPlatform, definePlatform, type PlatformModule } from '../platform/chat-platform.js';
import type { DiscordAdapter } from './adapter.js';
import {
  DISCORD_CONFIG_KEY,
  DISCORD_PACING,
  type DiscordSection,
  discordChatsOf,
  discordSectionSchema,
  enabledDiscordSection,
} from './config.js';

/** The running Discord platform, with its adapter for tools and tests. */
export interface DiscordPlatform extends ChatPlatform {
  readonly name: 'discord';
  readonly adapter: DiscordAdapter;
}

/** True for the running Discord platform among the app's platforms. */
export function isDiscordPlatform(platform: ChatPlatform): platform is DiscordPlatform {
  return platform.name === 'discord' && 'adapter' in platform;
}

/** Discord through discord.js: slash commands and buttons in the configured channels, embeds for notifications. */
export const discordPlatform: PlatformModule<'discord'> = definePlatform<'discord', DiscordSection>({
  name: 'discord',
  // User ids are snowflakes; `discord:123456789012345678` in access.admins.
  access: { idPattern: '\\d+', exampleId: '123456789012345678' },
  pacing: {
    globalPerSecond: DISCORD_PACING.globalPerSecond,
    chatIntervalMs: () => DISCORD_PACING.channelIntervalMs,
  },
  commands: true,
  config: {
    key: DISCORD_CONFIG_KEY,
    schema: discordSectionSchema,
    enabled: (section) => enabledDiscordSection(section) !== undefined,
    chats: discordChatsOf,
    async create(section, deps): Promise<DiscordPlatform | undefined> {
      const config = enabledDiscordSection(section);
      if (!config) return undefined;
      // discord.js (about 25 MB of memory) is loaded only when Discord is enabled.
      const { createDiscordAdapter } = await import('./adapter.js');
      const adapter = createDiscordAdapter({
        config,
        router: deps.router,
        fleet: deps.fleet,
        logger: deps.logger,
      });
      return {
        name: 'discord',
        adapter,
        start: () => adapter.start(),
        stop: () => adapter.stop(),
        send: (chat, reply) => adapter.send(chat.chatId, reply),
      };
    },
  },
});
