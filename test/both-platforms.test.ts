import { afterEach, describe, expect, it } from 'vitest';
import { type FakeDiscord, startFakeDiscord } from './fakes/fake-discord.js';
import {
  FAKE_GUILDS,
  GUILD,
  CHANNEL as DISCORD_CHANNEL,
  ADMIN as DISCORD_ADMIN,
} from './support/discord-harness.js';
import { ADMIN, type Harness, startHarness, until } from './support/harness.js';

const TELEGRAM_CHAT = 5001;

let harness: Harness | undefined;
let discord: FakeDiscord | undefined;
afterEach(async () => {
  // Discord never had to refuse a message as malformed.
  expect(discord?.count400 ?? 0).toBe(0);
  await harness?.close();
  await discord?.close();
  harness = undefined;
  discord = undefined;
});

describe('Telegram and Discord at once', () => {
  it('serves both from one registry, one fleet and one event stream per Freqtrade', async () => {
    discord = await startFakeDiscord({ guilds: FAKE_GUILDS });
    harness = await startHarness({
      telegram: { chats: [{ chat_id: String(TELEGRAM_CHAT), topic_id: null }] },
      config: {
        discord: {
          enabled: true,
          token: discord.token,
          application_id: discord.applicationId,
          guild_id: GUILD,
          api_root: discord.apiRoot,
          channels: [{ channel_id: DISCORD_CHANNEL }],
        },
        access: {
          admins: [`telegram:${ADMIN}`, `telegram:${TELEGRAM_CHAT}`, `discord:${DISCORD_ADMIN}`],
          viewers: [],
        },
      },
    });
    const d = discord;
    const h = harness;
    expect(h.app.streams).toHaveLength(1);
    await until(() => h.app.streams[0]?.state() === 'open', 5000, 'stream');
    await until(() => d.registeredCommands(GUILD).length > 0, 5000, 'slash commands');
    const slash = d.registeredCommands(GUILD).map((command) => command['name']);
    const telegramMenu = h.telegram.commands().map((command) => command.command);
    expect(slash).toEqual(expect.arrayContaining(['status', 'forceexit', 'lock']));
    expect(telegramMenu).toEqual(expect.arrayContaining(['status', 'forceexit', 'lock']));

    h.freqtrade.addTrade({ pair: 'ETH/USDT', openRate: 100, currentRate: 102 });
    const [telegramStatus] = await h.say('/status', {
      chatId: TELEGRAM_CHAT,
      userId: TELEGRAM_CHAT,
      chatType: 'private',
    });
    expect(telegramStatus?.text).toContain('ETH/USDT');
    const interaction = d.invokeCommand({
      guildId: GUILD,
      channelId: DISCORD_CHANNEL,
      userId: DISCORD_ADMIN,
      name: 'status',
    });
    await d.waitFor(
      () => JSON.stringify(d.interaction(interaction)?.original?.embeds ?? []).includes('ETH/USDT'),
      8000,
    );

    h.freqtrade.emit({ type: 'strategy_msg', msg: 'heard on both platforms' });
    await until(
      () => h.telegram.messages.some((m) => m.text.includes('heard on both platforms')),
      8000,
      'telegram',
    );
    await d.waitFor(
      () =>
        d.messages.some(
          (m) => m.via === 'channel' && JSON.stringify(m.embeds).includes('heard on both platforms'),
        ),
      8000,
    );
    expect(h.freqtrade.counts.wsConnections).toBe(1);
  });
});
