import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { allowedChatsOf } from '../src/access/policy.js';
import { commandsFor, loadCommands } from '../src/chat/commands/index.js';
import { createCommandRouter } from '../src/chat/router.js';
import { loadConfig } from './support/config.js';
import { enabledDiscord } from '../src/discord/config.js';
import { createDiscordAdapter } from '../src/discord/adapter.js';
import { DeliveryError } from '../src/errors.js';
import { createFleet } from '../src/freqtrade/fleet.js';
import { createLogger, createSilentLogger } from '../src/logger.js';
import { openStore } from '../src/store/store.js';
import { type FakeDiscord, startFakeDiscord } from './fakes/fake-discord.js';
import {
  ADMIN,
  ADMIN_ROLE,
  CHANNEL,
  type DiscordHarness,
  GUILD,
  OTHER_CHANNEL,
  PLAIN_ROLE,
  STRANGER,
  startDiscordHarness,
  VIEWER,
} from './support/discord-harness.js';
import { buttonId, textOf } from './support/discord-text.js';

let harness: DiscordHarness | undefined;
const extraFakes: FakeDiscord[] = [];

afterEach(async () => {
  const current = harness;
  harness = undefined;
  try {
    if (current) {
      // Discord never had to refuse a body, and every interaction was answered once, in time.
      expect(current.discord.count400).toBe(0);
      for (const entry of current.answered) {
        expect(entry.view.acknowledged).toBe(true);
        expect(entry.ackMs).toBeLessThan(3000);
      }
      expect(current.logs.join('')).not.toContain(current.discord.token);
      // Nothing failed along the way: no error-level log line (pino level 50+).
      expect(current.logs.filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
    }
    for (const fake of extraFakes) expect(fake.count400).toBe(0);
  } finally {
    await current?.close();
    for (const fake of extraFakes.splice(0)) await fake.close();
  }
});

const EPHEMERAL = 64;

describe('discord bot end to end', () => {
  it('registers its slash commands in the guild with typed options', async () => {
    harness = await startDiscordHarness();
    const commands = await harness.discord.waitFor(() => {
      const list = harness?.discord.registeredCommands(GUILD) ?? [];
      return list.length > 0 ? list : undefined;
    });
    expect(harness.discord.registeredCommands()).toEqual([]);
    const byName = new Map(commands.map((command) => [command['name'], command]));
    for (const name of ['status', 'profit', 'forceexit', 'lock', 'unlock', 'delete', 'whoami', 'help']) {
      expect(byName.has(name)).toBe(true);
    }
    expect(byName.has('fx')).toBe(false);
    const options = (name: string) => byName.get(name)?.['options'];
    expect(options('delete')).toEqual([
      expect.objectContaining({ name: 'trade_id', type: 4, required: true, autocomplete: true }),
    ]);
    expect(options('forceexit')).toEqual([
      expect.objectContaining({ name: 'trade_id', type: 3, required: true, autocomplete: true }),
      expect.objectContaining({
        name: 'order_type',
        type: 3,
        choices: [
          { name: 'limit', value: 'limit' },
          { name: 'market', value: 'market' },
        ],
      }),
      expect.objectContaining({ name: 'amount', type: 10 }),
    ]);
    expect(options('trades')).toEqual([
      expect.objectContaining({ name: 'n', type: 4, min_value: 1, max_value: 50 }),
    ]);
  });

  it('answers /status with the open trade in an embed', async () => {
    harness = await startDiscordHarness();
    const id = harness.freqtrade.addTrade({
      pair: 'ETH/USDT',
      openRate: 2000,
      currentRate: 2050,
      stakeAmount: 100,
    });
    const { view } = await harness.command('status');
    expect(view.callbackType).toBe(5);
    const text = textOf(view.original);
    expect(text).toContain('ETH/USDT');
    expect(text).toContain(`${id}`);
    expect(text).toMatch(/\+2\.\d+%/);
    expect(view.original?.flags ?? 0).toBe(0);
    // A refreshable reply carries its Refresh button.
    expect(() => buttonId(view.original, 'Refresh')).not.toThrow();
  });

  it('sends a long reply as the edited reply plus follow-ups, and Refresh edits it in place', async () => {
    harness = await startDiscordHarness();
    const pairs = Array.from({ length: 60 }, (_, i) => `C${i}X/USDT`);
    for (const pair of pairs) harness.freqtrade.addTrade({ pair, openRate: 100, currentRate: 101 });
    const { view } = await harness.command('status');
    expect(view.followUps.length).toBeGreaterThan(0);
    const parts = [view.original, ...view.followUps];
    const shown = parts.map(textOf).join('\n');
    for (const pair of pairs) expect(shown).toContain(pair);
    // Buttons ride on the last part only.
    const last = view.followUps.at(-1);
    const refresh = buttonId(last, 'Refresh');
    expect(view.original?.components).toEqual([]);
    const before = harness.freqtrade.requests.filter((request) => request.path === '/status').length;
    const press = await harness.press(last?.id ?? '', refresh);
    expect(harness.freqtrade.requests.filter((request) => request.path === '/status').length).toBe(
      before + 1,
    );
    // As on Telegram: the pressed message shows the first part, the rest follow, buttons on the last.
    expect(textOf(harness.discord.message(last?.id ?? ''))).toContain(pairs[0]);
    expect(press.view.followUps.length).toBe(view.followUps.length);
    expect(() => buttonId(press.view.followUps.at(-1), 'Refresh')).not.toThrow();
  });

  it('answers /profit and /profit days=7', async () => {
    harness = await startDiscordHarness();
    const plain = await harness.command('profit');
    expect(textOf(plain.view.original)).toContain('Profit');
    const withDays = await harness.command('profit', { days: 7 });
    expect(textOf(withDays.view.original)).toContain('Profit');
    expect(harness.freqtrade.requests.some((request) => request.path === '/daily')).toBe(true);
    expect(harness.stateChangingCalls()).toEqual([]);
  });

  it('/forceexit asks for confirmation, refuses other pressers privately and exits exactly once', async () => {
    harness = await startDiscordHarness();
    const id = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 50000, currentRate: 51000 });
    const { view } = await harness.command('forceexit', { trade_id: String(id) });
    const prompt = view.original;
    expect(textOf(prompt)).toMatch(new RegExp(`Exit trade #${id} BTC/USDT`));
    expect(harness.stateChangingCalls()).toEqual([]);
    const confirm = buttonId(prompt, 'Confirm');
    const messageId = prompt?.id ?? '';

    // Someone else presses: an ephemeral refusal, the prompt untouched, nothing sent to Freqtrade.
    for (const userId of [VIEWER, STRANGER]) {
      const press = await harness.press(messageId, confirm, { userId });
      expect(press.view.callbackType).toBe(6);
      expect(press.view.followUps).toHaveLength(1);
      expect(press.view.followUps[0]?.flags).toBe(EPHEMERAL);
      expect(press.view.followUps[0]?.content).toMatch(/not allowed|Only the user who asked/);
    }
    expect(harness.stateChangingCalls()).toEqual([]);
    expect(harness.discord.message(messageId)?.embeds).toEqual(prompt?.embeds);

    // The requester double-clicks Confirm: one POST /forceexit, the prompt becomes the result.
    const presses = await harness.pressAll(messageId, confirm, [{ userId: ADMIN }, { userId: ADMIN }]);
    expect(harness.stateChangingCalls()).toEqual([{ method: 'POST', path: '/forceexit' }]);
    const body = harness.freqtrade.requests.find((request) => request.path === '/forceexit')?.body;
    expect(body).toMatchObject({ tradeid: id });
    const edited = harness.discord.message(messageId);
    expect(textOf(edited)).toMatch(/Exit requested/);
    expect(edited?.components).toEqual([]);
    // The second press only hears, privately, that the button was used.
    const notices = presses.flatMap((press) => press.view.followUps.map((message) => message.content));
    expect(notices).toEqual([expect.stringMatching(/already confirmed\. Nothing more was done/)]);
  });

  it('Cancel on a confirmation edits the prompt and exits nothing', async () => {
    harness = await startDiscordHarness();
    const id = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
    const { view } = await harness.command('forceexit', { trade_id: String(id), order_type: 'market' });
    await harness.press(view.original?.id ?? '', buttonId(view.original, 'Cancel'));
    expect(textOf(harness.discord.message(view.original?.id ?? ''))).toContain('Cancelled.');
    expect(harness.stateChangingCalls()).toEqual([]);
  });

  it('/lock locks a pair with one POST /locks', async () => {
    harness = await startDiscordHarness();
    const { view } = await harness.command('lock', { pair: 'btc/usdt', duration: '2h', reason: 'news due' });
    expect(textOf(view.original)).toMatch(/Pair locked/);
    expect(textOf(view.original)).toContain('BTC/USDT');
    expect(harness.stateChangingCalls()).toEqual([{ method: 'POST', path: '/locks' }]);
  });

  it('suggests the open trades for /forceexit trade_id, filtered by what is typed', async () => {
    harness = await startDiscordHarness();
    const btc = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 102 });
    const eth = harness.freqtrade.addTrade({ pair: 'ETH/USDT', openRate: 100, currentRate: 99 });
    const all = await harness.autocomplete('forceexit', { name: 'trade_id', value: '' });
    expect(all).toEqual([
      { name: expect.stringMatching(new RegExp(`^#${btc} BTC/USDT \\+1\\.\\d\\d%$`)), value: String(btc) },
      { name: expect.stringMatching(new RegExp(`^#${eth} ETH/USDT -1\\.\\d\\d%$`)), value: String(eth) },
      { name: 'All 2 open trades', value: 'all' },
    ]);
    const typed = await harness.autocomplete('forceexit', { name: 'trade_id', value: 'eth' });
    expect(typed.map((choice) => choice.value)).toEqual([String(eth)]);
    // An integer option gets integer values.
    const numeric = await harness.autocomplete('delete', { name: 'trade_id', value: '' });
    expect(numeric.map((choice) => choice.value)).toEqual([btc, eth]);
    // Pairs for /lock come from the whitelist.
    const pairs = await harness.autocomplete('lock', { name: 'pair', value: 'usdt' });
    expect(pairs.length).toBeGreaterThan(0);
    expect(pairs.every((choice) => String(choice.value).includes('USDT'))).toBe(true);
  });

  it('suggests nothing to someone who may not run the command', async () => {
    harness = await startDiscordHarness();
    harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 102 });
    expect(
      await harness.autocomplete('forceexit', { name: 'trade_id', value: '' }, {}, { userId: STRANGER }),
    ).toEqual([]);
    expect(
      await harness.autocomplete('forceexit', { name: 'trade_id', value: '' }, {}, { userId: VIEWER }),
    ).toEqual([]);
    const viewerStatus = await harness.autocomplete(
      'status',
      { name: 'trade_id', value: '' },
      {},
      { userId: VIEWER },
    );
    expect(viewerStatus.length).toBe(2);
  });

  it('lets a member with an admin role act, and ignores roles that grant nothing', async () => {
    harness = await startDiscordHarness();
    const id = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
    const who = { userId: '350000000000000005', roles: [ADMIN_ROLE] };
    const { view } = await harness.command('forceexit', { trade_id: String(id) }, who);
    await harness.press(view.original?.id ?? '', buttonId(view.original, 'Confirm'), who);
    expect(harness.stateChangingCalls()).toEqual([{ method: 'POST', path: '/forceexit' }]);

    const plain = await harness.command('stop', {}, { userId: '360000000000000006', roles: [PLAIN_ROLE] });
    expect(textOf(plain.view.original)).toMatch(/not allowed/);
    expect(harness.stateChangingCalls()).toEqual([{ method: 'POST', path: '/forceexit' }]);
  });

  describe('unauthorised input changes nothing', () => {
    it('refuses strangers and viewers, and their presses on an admin confirmation', async () => {
      harness = await startDiscordHarness();
      const id = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
      const denied = await harness.command('forceexit', { trade_id: String(id) }, { userId: VIEWER });
      expect(textOf(denied.view.original)).toMatch(/not allowed/);
      await harness.command('forceexit', { trade_id: String(id) }, { userId: STRANGER });
      await harness.command('stop', {}, { userId: STRANGER });
      await harness.command('lock', { pair: 'BTC/USDT', duration: '1h' }, { userId: VIEWER });
      await harness.command('forcelong', { pair: 'ETH/USDT' }, { userId: STRANGER });

      const prompt = (await harness.command('forceexit', { trade_id: String(id) })).view.original;
      for (const userId of [STRANGER, VIEWER]) {
        await harness.press(prompt?.id ?? '', buttonId(prompt, 'Confirm'), { userId });
        await harness.press(prompt?.id ?? '', buttonId(prompt, 'Cancel'), { userId });
      }
      expect(harness.stateChangingCalls()).toEqual([]);
      expect(
        harness.store.recentAudit(50).filter((entry) => entry.outcome === 'denied').length,
      ).toBeGreaterThan(3);
      // The requester's confirmation survived all of it.
      await harness.press(prompt?.id ?? '', buttonId(prompt, 'Confirm'));
      expect(harness.stateChangingCalls()).toEqual([{ method: 'POST', path: '/forceexit' }]);
    });

    it('answers only the sender, privately, in a channel that is not configured', async () => {
      harness = await startDiscordHarness();
      const { view } = await harness.command('stop', {}, { channelId: OTHER_CHANNEL });
      expect(view.callbackData?.['flags']).toBe(EPHEMERAL);
      expect(view.original?.content).toMatch(/not served in this channel/);
      expect((view.original?.flags ?? 0) & EPHEMERAL).toBe(EPHEMERAL);
      expect(harness.stateChangingCalls()).toEqual([]);
    });
  });

  it('changes nothing for a stranger in a direct message', async () => {
    harness = await startDiscordHarness();
    harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
    const h = harness;
    // The notification stream's own check of open trades is not the stranger's doing: let it finish.
    await h.discord.waitFor(() => h.app.store.seenTrades('main').updated_at_ms > 0, 5000);
    const before = h.freqtrade.requests.length;
    const { view } = await harness.command('stop', {}, { dm: true, userId: STRANGER });
    expect(textOf(view.original)).not.toMatch(/Stop the trader/);
    await harness.command('pause', {}, { dm: true, userId: STRANGER });
    await harness.command('status', {}, { dm: true, userId: STRANGER });
    expect(harness.stateChangingCalls()).toEqual([]);
    const statusCalls = h.freqtrade.requests.slice(before).filter((request) => request.path === '/status');
    expect(statusCalls).toEqual([]);
  });

  it('serves an allowlisted admin in a direct message', async () => {
    harness = await startDiscordHarness();
    const { view } = await harness.command('whoami', {}, { dm: true });
    expect(textOf(view.original)).toContain(ADMIN);
  });

  it('offers a bot option and suggests bot names when several bots are configured', async () => {
    harness = await startDiscordHarness({ twoBots: true });
    const status = harness.discord.registeredCommands(GUILD).find((command) => command['name'] === 'status');
    expect(status?.['options']).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'bot', type: 3, autocomplete: true })]),
    );
    expect(await harness.autocomplete('status', { name: 'bot', value: 'sec' })).toEqual([
      { name: 'second', value: 'second' },
    ]);
    harness.freqtrade2?.addTrade({ pair: 'SOL/USDT', openRate: 10, currentRate: 11 });
    const trades = await harness.autocomplete(
      'forceexit',
      { name: 'trade_id', value: '' },
      { bot: 'second' },
    );
    expect(trades.map((choice) => choice.name)).toEqual([expect.stringContaining('SOL/USDT')]);
    const { view } = await harness.command('status', { bot: 'second' });
    expect(textOf(view.original)).toContain('SOL/USDT');
  });

  describe('notifications', () => {
    it('send() delivers an embed to a channel, silently when asked', async () => {
      harness = await startDiscordHarness();
      await harness.adapter.send(CHANNEL, {
        title: 'Exited BTC/USDT',
        tone: 'profit',
        silent: true,
        blocks: [{ kind: 'fields', fields: [{ label: 'Profit', value: '+2.10% @everyone' }] }],
      });
      const sent = harness.discord.messages.filter((message) => message.via === 'channel');
      expect(sent).toHaveLength(1);
      expect(sent[0]?.channel_id).toBe(CHANNEL);
      expect(sent[0]?.embeds[0]).toMatchObject({ title: 'Exited BTC/USDT', color: 0x2ecc71 });
      expect(sent[0]?.flags).toBe(4096);
      expect(textOf(sent[0])).toContain('Profit: +2.10% @everyone');
      expect(JSON.stringify(sent[0]?.embeds)).not.toContain('@everyone');
    });

    it('waits out a 429 on channel messages and loses nothing', async () => {
      harness = await startDiscordHarness();
      harness.discord.fail429('POST /channels/:id/messages', 1, 0.4);
      const startedAt = Date.now();
      await harness.adapter.send(CHANNEL, { blocks: [{ kind: 'text', text: 'first' }] });
      await harness.adapter.send(CHANNEL, { blocks: [{ kind: 'text', text: 'second' }] });
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(350);
      expect(harness.discord.count429).toBe(1);
      const sent = harness.discord.messages.filter((message) => message.via === 'channel');
      expect(sent.map((message) => textOf(message).trim())).toEqual(['first', 'second']);
    });

    it('marks a failure for an unknown or forbidden channel as permanent', async () => {
      harness = await startDiscordHarness();
      const unknown = await harness.adapter
        .send('799999999999999999', { blocks: [{ kind: 'text', text: 'x' }] })
        .catch((error: unknown) => error);
      expect(unknown).toBeInstanceOf(DeliveryError);
      expect(unknown).toMatchObject({ permanent: true, message: expect.stringMatching(/Unknown Channel/) });
      harness.discord.failNext('POST /channels/:id/messages', 1, 403, {
        message: 'Missing Access',
        code: 50001,
      });
      const forbidden = await harness.adapter
        .send(CHANNEL, { blocks: [{ kind: 'text', text: 'x' }] })
        .catch((error: unknown) => error);
      expect(forbidden).toMatchObject({ permanent: true });
    });
  });
});

describe('discord adapter start', () => {
  async function adapterFor(apiRoot: string, token: string, applicationId: string) {
    const dir = await mkdtemp(join(tmpdir(), 'ftc-discord-start-'));
    const path = join(dir, 'config.json');
    await writeFile(
      path,
      JSON.stringify({
        bots: [{ name: 'main', api_url: 'http://127.0.0.1:9', username: 'u', password: 'p' }],
        discord: { enabled: true, token, application_id: applicationId, guild_id: GUILD, api_root: apiRoot },
        store: { path: join(dir, 'state.json') },
      }),
    );
    const config = await loadConfig(path, {});
    const logs: string[] = [];
    const logger = createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk, _encoding, callback) {
          logs.push(String(chunk));
          callback();
        },
      }),
    });
    const store = await openStore({ path: null, logger: createSilentLogger(), auditMaxEntries: 100 });
    const fleet = createFleet(config.bots, { logger });
    const policy = { access: config.access, chats: allowedChatsOf(config) };
    const router = createCommandRouter({
      services: { config, fleet, store, logger, now: Date.now },
      commands: commandsFor(await loadCommands(), { config, services: new Set() }),
      policy,
    });
    const discordConfig = enabledDiscord(config);
    if (!discordConfig) throw new Error('discord must be enabled');
    const adapter = createDiscordAdapter({
      config: discordConfig,
      router,
      fleet,
      logger,
      retryInitialMs: 50,
      retryMaxMs: 200,
    });
    return { adapter, logs, cleanup: () => rm(dir, { recursive: true, force: true }) };
  }

  it('refuses a bad token with a message naming discord.token and never the token', async () => {
    const fake = await startFakeDiscord();
    extraFakes.push(fake);
    const { adapter, logs, cleanup } = await adapterFor(
      fake.apiRoot,
      'wrong-token.CANARY.x',
      fake.applicationId,
    );
    try {
      const error = await adapter.start().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/discord\.token/);
      expect((error as Error).message).not.toContain('CANARY');
      expect(logs.join('')).not.toContain('CANARY');
      expect(fake.registeredCommands(GUILD)).toEqual([]);
    } finally {
      await adapter.stop();
      await cleanup();
    }
  });

  it('logs Discord refusing the slash commands with its code and message, and keeps running', async () => {
    const fake = await startFakeDiscord();
    extraFakes.push(fake);
    fake.failNext('PUT /applications/:app/guilds/:guild/commands', 1, 403, {
      message: 'Missing Access',
      code: 50001,
    });
    const { adapter, logs, cleanup } = await adapterFor(fake.apiRoot, fake.token, fake.applicationId);
    try {
      await adapter.start();
      const refusal = logs.find((line) => line.includes('discord refused the slash commands'));
      expect(refusal).toMatch(/"code":50001/);
      expect(refusal).toMatch(/Missing Access/);
      expect(logs.join('')).not.toContain(fake.token);
      // Still serves notifications.
      await adapter.send(CHANNEL, { blocks: [{ kind: 'text', text: 'still here' }] });
      expect(fake.messages.filter((message) => message.via === 'channel')).toHaveLength(1);
    } finally {
      await adapter.stop();
      await cleanup();
    }
  });

  it('does not hold up start when Discord is unreachable, and keeps retrying', async () => {
    // A port that refuses connections: bound, then closed.
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const { adapter, logs, cleanup } = await adapterFor(
      `http://127.0.0.1:${port}/api`,
      'some-token.CANARY.y',
      '900000000000000001',
    );
    try {
      const startedAt = Date.now();
      await adapter.start();
      expect(Date.now() - startedAt).toBeLessThan(20_000);
      const retries = () => logs.filter((line) => line.includes('discord is unreachable')).length;
      const deadline = Date.now() + 20_000;
      while (retries() < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(retries()).toBeGreaterThanOrEqual(2);
      expect(logs.join('')).not.toContain('CANARY');
    } finally {
      await adapter.stop();
      await cleanup();
    }
  }, 60_000);
});
