/** The notification contract for Discord: two channels on the fake Discord (REST and gateway). */
import { SUPPRESS_NOTIFICATIONS } from '../../src/discord/render.js';
import { startFakeDiscord } from '../fakes/fake-discord.js';
import { CHANNEL, FAKE_GUILDS, GUILD, OTHER_CHANNEL } from '../support/discord-harness.js';
import type { TargetName } from './notification-harness.js';
import { notificationContract } from './notifications.contract.js';

const CHANNELS: Record<TargetName, string> = { loud: CHANNEL, quiet: OTHER_CHANNEL };

notificationContract({
  name: 'discord',
  async startPlatform() {
    const discord = await startFakeDiscord({ guilds: FAKE_GUILDS });
    const route = (target: TargetName) => `POST /channels/${CHANNELS[target]}/messages`;
    return {
      config: (quiet) => ({
        discord: {
          enabled: true,
          token: discord.token,
          application_id: discord.applicationId,
          guild_id: GUILD,
          api_root: discord.apiRoot,
          channels: [{ channel_id: CHANNELS.loud }, { channel_id: CHANNELS.quiet, notifications: quiet }],
        },
      }),
      keyOf: (target) => `discord:${CHANNELS[target]}`,
      delivered: (target) =>
        discord.messages
          .filter((message) => message.channel_id === CHANNELS[target] && message.via === 'channel')
          .map((message) => ({
            text: [message.content, ...message.embeds.map((embed) => JSON.stringify(embed))].join('\n'),
            silent: ((message.flags ?? 0) & SUPPRESS_NOTIFICATIONS) !== 0,
          })),
      rateLimitNext: (target, times, retryAfterS) => discord.fail429(route(target), times, retryAfterS),
      remove: (target) =>
        discord.failNext(route(target), 1_000, 404, { message: 'Unknown Channel', code: 10003 }),
      attempts: (target) =>
        discord.requests.filter(
          (request) => request.method === 'POST' && request.path === `/channels/${CHANNELS[target]}/messages`,
        ).length,
      secrets: [discord.token],
      everythingReceived: () =>
        discord.requests.map((request) => JSON.stringify(request.body ?? '')).join('\n'),
      close: () => discord.close(),
    };
  },
});
