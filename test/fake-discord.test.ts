import { once } from 'node:events';
import { createInflate } from 'node:zlib';
import {
  ActionRowBuilder,
  type AutocompleteInteraction,
  ButtonBuilder,
  type ButtonInteraction,
  ButtonStyle,
  type ChatInputCommandInteraction,
  Client,
  DiscordAPIError,
  DiscordjsError,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
  Routes,
  type TextChannel,
} from 'discord.js';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import { type FakeDiscord, type FakeDiscordOptions, startFakeDiscord } from './fakes/fake-discord.js';

const GUILD = '800000000000000001';
const GENERAL = '700000000000000001';
const ALERTS = '700000000000000002';
const ADMIN_ROLE = '600000000000000001';
const USER = '300000000000000001';

const COMMANDS = [
  {
    name: 'status',
    description: 'Show open trades',
    options: [
      { type: 3, name: 'bot', description: 'Which bot', required: true, autocomplete: true },
      { type: 5, name: 'verbose', description: 'More detail' },
    ],
  },
  { name: 'balance', description: 'Show the balance' },
];

let fake: FakeDiscord | undefined;
const clients: Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.destroy();
  await fake?.close();
  fake = undefined;
});

async function start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  fake = await startFakeDiscord({
    guilds: [
      {
        id: GUILD,
        name: 'Ops',
        channels: [
          { id: GENERAL, name: 'general' },
          { id: ALERTS, name: 'alerts' },
        ],
        roles: [{ id: ADMIN_ROLE, name: 'admin' }],
      },
    ],
    ...options,
  });
  return fake;
}

/** Logs a real discord.js Client in against the fake and waits for `ready` (all guilds received). */
async function login(target: FakeDiscord): Promise<Client<true>> {
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: target.apiRoot } });
  clients.push(client);
  const ready = once(client, Events.ClientReady);
  await client.login(target.token);
  await ready;
  if (!client.isReady()) throw new Error('client not ready after the ready event');
  return client;
}

/** The next interaction the client receives that passes `accept`. */
function nextInteraction<T extends Interaction>(
  client: Client,
  accept: (i: Interaction) => i is T,
): Promise<T> {
  return new Promise((resolve) => {
    const listener = (interaction: Interaction) => {
      if (!accept(interaction)) return;
      client.off(Events.InteractionCreate, listener);
      resolve(interaction);
    };
    client.on(Events.InteractionCreate, listener);
  });
}

const isChatInput = (i: Interaction): i is ChatInputCommandInteraction => i.isChatInputCommand();
const isAutocomplete = (i: Interaction): i is AutocompleteInteraction => i.isAutocomplete();
const isButton = (i: Interaction): i is ButtonInteraction => i.isButton();

async function textChannel(client: Client, id: string): Promise<TextChannel> {
  const channel = await client.channels.fetch(id);
  if (!channel?.isTextBased() || channel.isDMBased() || !('guild' in channel)) {
    throw new Error(`channel ${id} is not a guild text channel`);
  }
  if (channel.isThread() || !channel.isSendable() || channel.type !== 0) throw new Error('not a TextChannel');
  return channel;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (cause) {
    return cause;
  }
  throw new Error('expected the call to fail');
}

async function apiError(promise: Promise<unknown>): Promise<DiscordAPIError> {
  const cause = await rejection(promise);
  if (!(cause instanceof DiscordAPIError))
    throw new Error(`expected a DiscordAPIError, got ${String(cause)}`);
  return cause;
}

describe('fake Discord with the real discord.js Client', () => {
  it('logs the client in: gateway/bot, HELLO, IDENTIFY, READY and GUILD_CREATE fill the caches', async () => {
    const target = await start();
    expect(target.apiRoot).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    const client = await login(target);

    expect(client.user.id).toBe(target.botUserId);
    expect(client.user.bot).toBe(true);
    expect(client.application.id).toBe(target.applicationId);
    const guild = client.guilds.cache.get(GUILD);
    expect(guild?.name).toBe('Ops');
    expect(guild?.channels.cache.map((channel) => channel.name).sort()).toEqual(['alerts', 'general']);
    expect(guild?.roles.cache.get(ADMIN_ROLE)?.name).toBe('admin');
    expect(guild?.members.me?.id).toBe(target.botUserId);
    expect(target.requests.map((request) => `${request.method} ${request.path} ${request.status}`)).toContain(
      'GET /gateway/bot 200',
    );
    expect(target.gatewayConnections()).toBe(1);
    expect(target.readyCount()).toBe(1);
  });

  it('refuses a wrong token with 401 at GET /gateway/bot, which discord.js reports as TokenInvalid', async () => {
    const target = await start();
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: target.apiRoot } });
    clients.push(client);
    const cause = await rejection(client.login('another.token.value'));
    expect(cause).toBeInstanceOf(DiscordjsError);
    expect(String(cause)).toMatch(/invalid token/i);
    expect(target.requests.at(-1)).toMatchObject({ method: 'GET', path: '/gateway/bot', status: 401 });
    expect(target.gatewayConnections()).toBe(0);
  });

  it('acknowledges heartbeats so discord.js measures a ping', async () => {
    const target = await start({ heartbeatIntervalMs: 40 });
    const client = await login(target);
    await target.waitFor(() => client.ws.ping >= 0, 2000);
    expect(client.ws.ping).toBeGreaterThanOrEqual(0);
  });

  it('stores a bulk overwrite of guild commands with ids, and keeps the ids on the next overwrite', async () => {
    const target = await start();
    const client = await login(target);
    const first = await client.rest.put(Routes.applicationGuildCommands(target.applicationId, GUILD), {
      body: COMMANDS,
    });
    const registered = target.registeredCommands(GUILD);
    expect(registered.map((command) => command['name'])).toEqual(['status', 'balance']);
    expect(registered[0]).toMatchObject({
      application_id: target.applicationId,
      guild_id: GUILD,
      type: 1,
      description: 'Show open trades',
    });
    expect(registered[0]?.['id']).toMatch(/^\d{17,20}$/);
    expect(first).toEqual(registered);
    expect(target.registeredCommands()).toEqual([]);

    await client.rest.put(Routes.applicationGuildCommands(target.applicationId, GUILD), { body: COMMANDS });
    expect(target.registeredCommands(GUILD).map((command) => command['id'])).toEqual(
      registered.map((command) => command['id']),
    );
    await client.application.commands.set([{ name: 'help', description: 'List commands' }]);
    expect(target.registeredCommands().map((command) => command['name'])).toEqual(['help']);
  });

  it('answers invalid command definitions with 400 Invalid Form Body (50035) naming the field', async () => {
    const target = await start();
    const client = await login(target);
    const route = Routes.applicationGuildCommands(target.applicationId, GUILD);

    const badName = await apiError(
      client.rest.put(route, { body: [{ name: 'Status', description: 'Show open trades' }] }),
    );
    expect(badName.status).toBe(400);
    expect(badName.code).toBe(50035);
    expect(badName.message).toMatch(/0\.name\[APPLICATION_COMMAND_INVALID_NAME\]/);

    const misordered = await apiError(
      client.rest.put(route, {
        body: [
          {
            name: 'forceexit',
            description: 'd'.repeat(101),
            options: [
              { type: 3, name: 'pair', description: 'Pair' },
              { type: 4, name: 'trade', description: 'Trade id', required: true },
              {
                type: 3,
                name: 'side',
                description: 'Side',
                autocomplete: true,
                choices: [{ name: 'a', value: 'a' }],
              },
            ],
          },
        ],
      }),
    );
    expect(misordered.message).toMatch(/0\.description\[BASE_TYPE_BAD_LENGTH\]/);
    expect(misordered.message).toMatch(/0\.options\[1\]\[APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID\]/);
    expect(misordered.message).toMatch(/0\.options\[2\]\.autocomplete\[/);

    const tooMany = await apiError(
      client.rest.put(route, {
        body: [
          {
            name: 'pick',
            description: 'Pick',
            options: Array.from({ length: 26 }, (_, index) => ({
              type: 3,
              name: `o${index}`,
              description: 'x',
            })),
          },
        ],
      }),
    );
    expect(tooMany.message).toMatch(/0\.options\[BASE_TYPE_MAX_LENGTH\]/);

    const tooLarge = await apiError(
      client.rest.put(route, {
        body: [
          {
            name: 'huge',
            description: 'Huge',
            options: Array.from({ length: 25 }, (_, index) => ({
              type: 3,
              name: `o${index}`,
              description: 'x'.repeat(100),
              choices: Array.from({ length: 2 }, (_, choice) => ({
                name: `c${choice}`.padEnd(60, 'c'),
                value: 'v',
              })),
            })),
          },
        ],
      }),
    );
    expect(tooLarge.message).toMatch(/APPLICATION_COMMAND_TOO_LARGE/);
    expect(target.count400).toBe(4);
    expect(target.registeredCommands(GUILD)).toEqual([]);
  });

  it('lands channel.send({ embeds, components }) in messages and returns a message discord.js can use', async () => {
    const target = await start();
    const client = await login(target);
    const channel = await textChannel(client, ALERTS);
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId('confirm:1').setLabel('Confirm').setStyle(ButtonStyle.Danger),
    );
    const sent = await channel.send({
      embeds: [
        new EmbedBuilder().setTitle('Trade closed').setDescription('BTC/USDT +1.2%').setColor(0x2ecc71),
      ],
      components: [row],
    });

    expect(sent.id).toMatch(/^\d{17,20}$/);
    expect(sent.author.id).toBe(target.botUserId);
    expect(sent.embeds[0]?.title).toBe('Trade closed');
    expect(sent.channelId).toBe(ALERTS);
    expect(sent.guildId).toBe(GUILD);
    expect(target.messages).toHaveLength(1);
    expect(target.messages[0]).toMatchObject({
      id: sent.id,
      channel_id: ALERTS,
      content: '',
      via: 'channel',
      action: 'create',
      embeds: [{ title: 'Trade closed', description: 'BTC/USDT +1.2%', color: 0x2ecc71 }],
    });

    const edited = await sent.edit({ content: 'closed', components: [] });
    expect(edited.content).toBe('closed');
    expect(target.messages[1]).toMatchObject({
      id: sent.id,
      action: 'edit',
      content: 'closed',
      components: [],
    });
    await sent.delete();
    expect(target.message(sent.id)?.deleted).toBe(true);

    const chart = await channel.send({
      content: 'chart',
      files: [{ attachment: Buffer.from('not really a png'), name: 'chart.png' }],
    });
    expect(chart.attachments.first()?.name).toBe('chart.png');
    expect(target.messages.at(-1)).toMatchObject({
      content: 'chart',
      attachments: [{ filename: 'chart.png', size: 16 }],
    });
  });

  it('refuses over-long, empty and malformed messages and unknown channels with Discord errors', async () => {
    const target = await start();
    const client = await login(target);
    const channel = await textChannel(client, GENERAL);

    const tooLong = await apiError(channel.send('x'.repeat(2001)));
    expect(tooLong.status).toBe(400);
    expect(tooLong.code).toBe(50035);
    expect(tooLong.message).toMatch(/content\[BASE_TYPE_MAX_LENGTH\]: Must be 2000 or fewer in length/);
    await expect(channel.send('x'.repeat(2000))).resolves.toBeDefined();
    await expect(channel.send('🙂'.repeat(2000))).resolves.toBeDefined(); // code points, not UTF-16 units

    const bigEmbeds = await apiError(
      channel.send({
        embeds: [
          new EmbedBuilder().setDescription('d'.repeat(4000)),
          new EmbedBuilder().setDescription('d'.repeat(2001)),
        ],
      }),
    );
    expect(bigEmbeds.message).toMatch(/embeds\[MAX_EMBED_SIZE_EXCEEDED\]/);

    const fields = await apiError(
      client.rest.post(Routes.channelMessages(GENERAL), {
        body: {
          embeds: [
            { title: 't'.repeat(257), fields: Array.from({ length: 26 }, () => ({ name: 'n', value: 'v' })) },
          ],
        },
      }),
    );
    expect(fields.message).toMatch(/embeds\[0\]\.title\[BASE_TYPE_MAX_LENGTH\]/);
    expect(fields.message).toMatch(/embeds\[0\]\.fields\[BASE_TYPE_MAX_LENGTH\]/);

    const buttons = await apiError(
      client.rest.post(Routes.channelMessages(GENERAL), {
        body: {
          content: 'pick',
          components: [
            {
              type: 1,
              components: Array.from({ length: 6 }, (_, index) => ({
                type: 2,
                style: 1,
                label: `b${index}`,
                custom_id: `b${index}`,
              })),
            },
            { type: 1, components: [{ type: 2, style: 1, label: 'long', custom_id: 'c'.repeat(101) }] },
          ],
        },
      }),
    );
    expect(buttons.message).toMatch(/components\[0\]\.components\[BASE_TYPE_BAD_LENGTH\]/);
    expect(buttons.message).toMatch(/components\[1\]\.components\[0\]\.custom_id\[BASE_TYPE_MAX_LENGTH\]/);

    const empty = await apiError(
      client.rest.post(Routes.channelMessages(GENERAL), { body: { content: '  ' } }),
    );
    expect(empty).toMatchObject({ status: 400, code: 50006, message: 'Cannot send an empty message' });

    const unknown = await apiError(
      client.rest.post(Routes.channelMessages('700000000000000099'), { body: { content: 'hi' } }),
    );
    expect(unknown).toMatchObject({ status: 404, code: 10003, message: 'Unknown Channel' });
    expect(target.messages).toHaveLength(2);
    expect(target.count400).toBe(5);
  });

  it('dispatches a slash command to interactionCreate, then records deferReply and editReply', async () => {
    const target = await start();
    const client = await login(target);
    await client.rest.put(Routes.applicationGuildCommands(target.applicationId, GUILD), { body: COMMANDS });
    const received = nextInteraction(client, isChatInput);

    const id = target.invokeCommand({
      channelId: GENERAL,
      userId: USER,
      username: 'alice',
      roles: [ADMIN_ROLE],
      name: 'status',
      options: [
        { name: 'bot', type: 3, value: 'binance-1' },
        { name: 'verbose', type: 5, value: true },
      ],
    });
    const interaction = await received;

    expect(interaction.id).toBe(id);
    expect(interaction.commandName).toBe('status');
    expect(interaction.commandId).toBe(target.registeredCommands(GUILD)[0]?.['id']);
    expect(interaction.options.getString('bot', true)).toBe('binance-1');
    expect(interaction.options.getBoolean('verbose')).toBe(true);
    expect(interaction.user.id).toBe(USER);
    expect(interaction.user.username).toBe('alice');
    expect(interaction.channelId).toBe(GENERAL);
    expect(interaction.channel?.id).toBe(GENERAL);
    expect(interaction.guildId).toBe(GUILD);
    expect(interaction.inCachedGuild()).toBe(true);
    if (!interaction.inCachedGuild()) throw new Error('not in a cached guild');
    expect(interaction.member.roles.cache.has(ADMIN_ROLE)).toBe(true);
    expect(target.interaction(id)).toMatchObject({ acknowledged: false, followUps: [] });

    await interaction.deferReply();
    expect(target.interaction(id)).toMatchObject({ acknowledged: true, callbackType: 5 });
    expect(target.messages).toHaveLength(0); // the "thinking" placeholder is not a message yet

    const reply = await interaction.editReply({ embeds: [new EmbedBuilder().setTitle('2 open trades')] });
    expect(reply.embeds[0]?.title).toBe('2 open trades');
    const answer = target.interaction(id);
    expect(answer?.original).toMatchObject({
      channel_id: GENERAL,
      via: 'webhook',
      interactionId: id,
      embeds: [{ title: '2 open trades' }],
    });
    expect(answer?.original?.flags).toBeUndefined();
    expect(target.messages).toEqual([
      expect.objectContaining({ id: reply.id, via: 'webhook', action: 'edit' }),
    ]);
    const fetched = await interaction.fetchReply();
    expect(fetched.id).toBe(reply.id);
  });

  it('allows exactly one acknowledgement: a second callback gets 40060, discord.js refuses a second reply()', async () => {
    const target = await start();
    const client = await login(target);
    const received = nextInteraction(client, isChatInput);
    const id = target.invokeCommand({ channelId: GENERAL, userId: USER, name: 'balance' });
    const interaction = await received;

    await interaction.reply({ content: 'Only you can see this', flags: MessageFlags.Ephemeral });
    expect(target.interaction(id)).toMatchObject({
      acknowledged: true,
      callbackType: 4,
      callbackData: { content: 'Only you can see this', flags: 64 },
      original: { content: 'Only you can see this', flags: 64, via: 'interaction' },
    });

    const local = await rejection(interaction.reply('again'));
    expect(local).toBeInstanceOf(DiscordjsError);
    expect(String(local)).toMatch(/already been sent or deferred/);

    const second = await apiError(
      client.rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
        body: { type: 4, data: { content: 'again' } },
        auth: false,
      }),
    );
    expect(second).toMatchObject({
      status: 400,
      code: 40060,
      message: 'Interaction has already been acknowledged.',
    });

    const follow = await interaction.followUp({
      content: 'and one more thing',
      flags: MessageFlags.Ephemeral,
    });
    expect(follow.content).toBe('and one more thing');
    expect(target.interaction(id)?.followUps).toEqual([
      expect.objectContaining({ content: 'and one more thing', flags: 64, via: 'webhook', action: 'create' }),
    ]);
    expect(target.messages.map((message) => message.via)).toEqual(['interaction', 'webhook']);
  });

  it('answers 10062 Unknown interaction to an acknowledgement after the window', async () => {
    const target = await start({ interactionAckWindowMs: 100 });
    const client = await login(target);
    const received = nextInteraction(client, isChatInput);
    const id = target.invokeCommand({ channelId: GENERAL, userId: USER, name: 'balance' });
    const interaction = await received;
    await new Promise((resolve) => setTimeout(resolve, 150));

    const late = await apiError(interaction.deferReply());
    expect(late).toMatchObject({ status: 404, code: 10062, message: 'Unknown interaction' });
    expect(target.interaction(id)?.acknowledged).toBe(false);
  });

  it('serves follow-ups only after an acknowledgement and only while the token lives', async () => {
    const target = await start({ interactionTokenTtlMs: 300 });
    const client = await login(target);
    const received = nextInteraction(client, isChatInput);
    target.invokeCommand({ channelId: GENERAL, userId: USER, name: 'balance' });
    const interaction = await received;

    const early = await apiError(
      client.rest.post(Routes.webhook(target.applicationId, interaction.token), {
        body: { content: 'too early' },
        auth: false,
      }),
    );
    expect(early).toMatchObject({ status: 404, code: 10015 });

    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    // The first follow-up after a deferred reply edits the "thinking" message, keeping its flags.
    const first = await interaction.followUp('done');
    expect(target.interaction(interaction.id)).toMatchObject({
      original: { id: first.id, content: 'done', flags: 64 },
      followUps: [],
    });
    await new Promise((resolve) => setTimeout(resolve, 350));
    const expired = await apiError(interaction.editReply('later'));
    expect(expired).toMatchObject({ status: 401, code: 50027, message: 'Invalid Webhook Token' });
  });

  it('dispatches autocomplete and records the choices of interaction.respond()', async () => {
    const target = await start();
    const client = await login(target);
    const received = nextInteraction(client, isAutocomplete);
    const id = target.invokeAutocomplete({
      channelId: GENERAL,
      userId: USER,
      name: 'status',
      options: [{ name: 'bot', type: 3, value: 'bin', focused: true }],
    });
    const interaction = await received;

    expect(interaction.commandName).toBe('status');
    expect(interaction.options.getFocused(true)).toMatchObject({ name: 'bot', value: 'bin' });
    await interaction.respond([
      { name: 'binance-1', value: 'binance-1' },
      { name: 'binance-2', value: 'binance-2' },
    ]);
    expect(target.interaction(id)).toMatchObject({
      acknowledged: true,
      callbackType: 8,
      autocompleteChoices: [
        { name: 'binance-1', value: 'binance-1' },
        { name: 'binance-2', value: 'binance-2' },
      ],
    });

    const second = nextInteraction(client, isAutocomplete);
    target.invokeAutocomplete({
      channelId: GENERAL,
      userId: USER,
      name: 'status',
      options: [{ name: 'bot', type: 3, value: '' }],
    });
    const tooMany = await apiError(
      (await second).respond(
        Array.from({ length: 26 }, (_, index) => ({ name: `b${index}`, value: `b${index}` })),
      ),
    );
    expect(tooMany).toMatchObject({ status: 400, code: 50035 });
    expect(tooMany.message).toMatch(/data\.choices\[BASE_TYPE_MAX_LENGTH\]/);
  });

  it('dispatches a button press on a sent message and records interaction.update()', async () => {
    const target = await start();
    const client = await login(target);
    const channel = await textChannel(client, GENERAL);
    const sent = await channel.send({
      content: 'Exit BTC/USDT?',
      components: [
        new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setCustomId('exit:yes').setLabel('Yes').setStyle(ButtonStyle.Danger),
          new ButtonBuilder().setCustomId('exit:no').setLabel('No').setStyle(ButtonStyle.Secondary),
        ),
      ],
    });
    const received = nextInteraction(client, isButton);
    const id = target.pressButton({
      channelId: GENERAL,
      userId: USER,
      messageId: sent.id,
      customId: 'exit:yes',
    });
    const interaction = await received;

    expect(interaction.customId).toBe('exit:yes');
    expect(interaction.message.id).toBe(sent.id);
    expect(interaction.message.content).toBe('Exit BTC/USDT?');
    expect(interaction.user.id).toBe(USER);
    await interaction.update({ content: 'Exit requested', components: [] });

    expect(target.interaction(id)).toMatchObject({
      acknowledged: true,
      callbackType: 7,
      original: { id: sent.id, content: 'Exit requested', components: [] },
    });
    expect(target.messages.at(-1)).toMatchObject({
      id: sent.id,
      via: 'interaction',
      action: 'edit',
      interactionId: id,
      content: 'Exit requested',
    });
    expect(() =>
      target.pressButton({ channelId: GENERAL, userId: USER, messageId: sent.id, customId: 'exit:maybe' }),
    ).toThrow(/has no button 'exit:maybe'/);
  });

  it('lets a button press deferUpdate() and then edit the pressed message with editReply()', async () => {
    const target = await start();
    const client = await login(target);
    const channel = await textChannel(client, ALERTS);
    const sent = await channel.send({
      content: 'Reload config?',
      components: [
        new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setCustomId('reload').setLabel('Reload').setStyle(ButtonStyle.Primary),
        ),
      ],
    });
    const received = nextInteraction(client, isButton);
    const id = target.pressButton({
      channelId: ALERTS,
      userId: USER,
      messageId: sent.id,
      customId: 'reload',
    });
    const interaction = await received;
    await interaction.deferUpdate();
    expect(target.interaction(id)).toMatchObject({ acknowledged: true, callbackType: 6 });
    await interaction.editReply({ content: 'Reloaded', components: [] });
    expect(target.interaction(id)?.original).toMatchObject({
      id: sent.id,
      content: 'Reloaded',
      via: 'webhook',
    });
    expect(target.message(sent.id)).toMatchObject({ content: 'Reloaded', components: [], deleted: false });
  });

  it('answers an injected 429 with retry headers: discord.js waits, retries, and the message lands', async () => {
    const target = await start();
    const client = await login(target);
    const channel = await textChannel(client, GENERAL);
    target.fail429('POST /channels/:channel/messages', 1, 0.2);
    const rateLimited = new Promise((resolve) => client.rest.once('rateLimited', resolve));

    const startedAt = Date.now();
    const sent = await channel.send('after the limit');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(200);
    expect(await rateLimited).toMatchObject({
      global: false,
      method: 'POST',
      route: '/channels/:id/messages',
    });
    expect(target.count429).toBe(1);
    expect(target.messages).toEqual([expect.objectContaining({ id: sent.id, content: 'after the limit' })]);
    const attempts = target.requests.filter((request) => request.path === `/channels/${GENERAL}/messages`);
    expect(attempts.map((request) => request.status)).toEqual([429, 200]);
  });

  it('answers failNext with the given status and body', async () => {
    const target = await start();
    const client = await login(target);
    target.failNext(/^POST \/channels\/\d+\/messages$/, 1, 403, {
      message: 'Missing Permissions',
      code: 50013,
    });
    const refused = await apiError(
      client.rest.post(Routes.channelMessages(ALERTS), { body: { content: 'hello' } }),
    );
    expect(refused).toMatchObject({ status: 403, code: 50013, message: 'Missing Permissions' });
    await client.rest.post(Routes.channelMessages(ALERTS), { body: { content: 'hello' } });
    expect(target.messages).toHaveLength(1);
  });

  it('lets the client resume after dropGateway and replays what it missed', async () => {
    const target = await start();
    const client = await login(target);
    const resumed = once(client, Events.ShardResume);
    target.dropGateway();
    // Dispatched while the socket is down: delivered on RESUME.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const received = nextInteraction(client, isChatInput);
    const id = target.invokeCommand({ channelId: GENERAL, userId: USER, name: 'balance' });

    await resumed;
    expect((await received).id).toBe(id);
    expect(target.gatewayConnections()).toBe(2);
    expect(target.readyCount()).toBe(1);
    expect(target.resumedCount()).toBe(1);
    const channel = await textChannel(client, GENERAL);
    await channel.send('still here');
    expect(target.messages).toHaveLength(1);
  });

  it('dispatches DM commands with a user instead of a member, and the bot can answer in the DM', async () => {
    const target = await start();
    const client = await login(target);
    const received = nextInteraction(client, isChatInput);
    target.invokeCommand({ channelId: '710000000000000001', userId: USER, name: 'balance', dm: true });
    const interaction = await received;
    expect(interaction.guildId).toBeNull();
    expect(interaction.member).toBeNull();
    expect(interaction.user.id).toBe(USER);
    expect(interaction.channelId).toBe('710000000000000001');
    await interaction.reply('in your DMs');

    const dm = await client.users.createDM(USER);
    expect(dm.id).toBe('710000000000000001');
    await dm.send('a notification');
    expect(target.messages.map((message) => [message.channel_id, message.content])).toEqual([
      ['710000000000000001', 'in your DMs'],
      ['710000000000000001', 'a notification'],
    ]);
  });
});

describe('fake Discord gateway protocol', () => {
  /** Opens a raw gateway socket; frames are collected from the start (HELLO may come with the handshake). */
  async function connect(
    target: FakeDiscord,
    query: string,
  ): Promise<{ socket: WebSocket; frames: Buffer[] }> {
    const socket = new WebSocket(
      `${target.apiRoot.replace('http', 'ws').replace('/api', '/gateway')}?${query}`,
    );
    const frames: Buffer[] = [];
    socket.on('message', (data: Buffer) => frames.push(data));
    await once(socket, 'open');
    return { socket, frames };
  }

  it('closes with 4004 on IDENTIFY with a wrong token', async () => {
    const target = await start();
    const { socket, frames } = await connect(target, 'v=10&encoding=json');
    const closed = once(socket, 'close');
    const hello = await target.waitFor(() => frames[0]);
    expect(JSON.parse(hello.toString('utf8'))).toMatchObject({ op: 10, d: { heartbeat_interval: 41_250 } });
    socket.send(JSON.stringify({ op: 2, d: { token: 'nope', intents: 1, properties: {} } }));
    const [code] = await closed;
    expect(code).toBe(4004);
  });

  it('speaks zlib-stream when asked: every payload inflates from one shared context', async () => {
    const target = await start();
    const { socket, frames } = await connect(target, 'v=10&encoding=json&compress=zlib-stream');
    const inflate = createInflate();
    const payloads: Array<{ op: number; t?: string | null }> = [];
    inflate.on('data', (chunk: Buffer) => payloads.push(JSON.parse(chunk.toString('utf8'))));
    let fed = 0;
    const feed = setInterval(() => {
      while (fed < frames.length) inflate.write(frames[fed++]);
    }, 5);
    onTestFinished(() => clearInterval(feed));
    await target.waitFor(() => payloads.length >= 1);
    socket.send(JSON.stringify({ op: 2, d: { token: target.token, intents: 1, properties: {} } }));
    await target.waitFor(() => payloads.length >= 3);
    expect(payloads.map((payload) => payload.t ?? payload.op)).toEqual([10, 'READY', 'GUILD_CREATE']);
    socket.close(1000);
  });
});
