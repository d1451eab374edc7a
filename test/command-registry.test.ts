/**
 * The command registry: every command exported by a module of src/chat/commands/ registers itself
 * (a new command is one file), argument kinds carry their suggestions (served by one authorised
 * `router.suggest()`), and the spec itself says which arguments need an admin and change state
 * (/blacklist), so the router audits and refuses them as for any command.
 */
import { readdir } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commandsFor, loadCommands } from '../src/chat/commands/index.js';
import { type CommandRouter, createCommandRouter } from '../src/chat/router.js';
import { renderPlainText } from '../src/chat/reply.js';
import { type AnyCommandSpec, type CommandContext, defineCommand } from '../src/chat/types.js';
import { parseConfig } from './support/config.js';
import { createConsoleAdapter } from '../src/console/adapter.js';
import { toSlashCommands } from '../src/discord/slash-commands.js';
import { ChatopsError } from '../src/errors.js';
import { createFleet } from '../src/freqtrade/fleet.js';
import { createSilentLogger } from '../src/logger.js';
import { openStore, type Store } from '../src/store/store.js';
import { type FakeFreqtrade, startFakeFreqtrade } from './fakes/fake-freqtrade.js';
import { type DiscordHarness, GUILD, startDiscordHarness } from './support/discord-harness.js';
import { type Harness, startHarness, VIEWER } from './support/harness.js';

const COMMANDS_DIR = new URL('../src/chat/commands/', import.meta.url);
const FIXTURE_DIR = new URL('./fixtures/commands/', import.meta.url);

/** Looks like a command spec, however it was made: a name, a zod argument object and a `run`. */
function looksLikeCommand(value: unknown): value is AnyCommandSpec {
  return (
    typeof value === 'object' &&
    value !== null &&
    'name' in value &&
    typeof value.name === 'string' &&
    'args' in value &&
    value.args instanceof z.ZodObject &&
    'run' in value &&
    typeof value.run === 'function'
  );
}

const botEntry = (name: string, url: string, extra: Record<string, unknown> = {}) => ({
  name,
  api_url: url,
  username: 'freqtrader',
  password: 'secret-pass',
  ...extra,
});

describe('the command registry', () => {
  it('registers every command exported by a module of src/chat/commands/', async () => {
    const exported = new Set<string>();
    for (const file of await readdir(COMMANDS_DIR)) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
      const module: Record<string, unknown> = await import(new URL(file, COMMANDS_DIR).href);
      for (const value of Object.values(module)) if (looksLikeCommand(value)) exported.add(value.name);
    }
    const config = parseConfig({
      bots: [botEntry('main', 'http://127.0.0.1:1')],
      gemini: { enabled: true, api_key: 'account-key', api_secret: 'secret' },
    });
    // With every optional service configured, every exported command is registered.
    const registered = commandsFor(await loadCommands(), { config, services: new Set(['gemini']) });
    expect(registered.map((command) => command.name).sort()).toEqual([...exported].sort());
    expect(exported.has('status')).toBe(true);
    expect(exported.has('gemini')).toBe(true);
  });

  it('keeps /help and the menus in a stable order: by `order`, then by name', async () => {
    const commands = await loadCommands();
    expect(commands.slice(0, 4).map((command) => command.name)).toEqual([
      'status',
      'trades',
      'count',
      'profit',
    ]);
    const orders = commands.map((command) => command.order);
    expect(orders.every((order) => order !== undefined)).toBe(true);
    expect(new Set(orders).size).toBe(orders.length);
    expect([...orders].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(orders);
  });

  it('registers a command that requires Gemini only when Gemini is configured', async () => {
    const config = parseConfig({ bots: [botEntry('main', 'http://127.0.0.1:1')] });
    const names = commandsFor(await loadCommands(), { config, services: new Set() }).map((c) => c.name);
    expect(names).not.toContain('gemini');
    expect(names).not.toContain('reconcile');
    expect(names).toContain('status');
  });

  it('refuses two commands that claim the same name, naming both', async () => {
    const config = parseConfig({ bots: [botEntry('main', 'http://127.0.0.1:1')] });
    const clash = defineCommand({
      name: 'stats_again',
      aliases: ['status'],
      description: 'A clash',
      usage: '/stats_again',
      role: 'viewer',
      args: z.object({}),
      async run() {
        return { blocks: [] };
      },
    });
    const all = [...(await loadCommands()), clash];
    expect(() => commandsFor(all, { config, services: new Set() })).toThrow(ChatopsError);
    expect(() => commandsFor(all, { config, services: new Set() })).toThrow(
      'Two commands are called /status: status and stats_again; rename one.',
    );
  });

  it('loads a one-file command from another folder, as the app does with `commandDirs`', async () => {
    const extra = await loadCommands(FIXTURE_DIR);
    expect(extra.map((command) => command.name)).toEqual(['watching']);
    const slash = toSlashCommands(extra, { multipleBots: false });
    expect(slash[0]?.options?.[0]).toMatchObject({ name: 'pair', autocomplete: true });
  });
});

describe('router.suggest() and /blacklist through the router', () => {
  const ADMIN_ID = '1';
  const VIEWER_ID = '2';
  const GROUP = '-100500';
  const TOPIC = 7;
  let fake: FakeFreqtrade | undefined;
  let store: Store | undefined;

  afterEach(async () => {
    await fake?.close();
    await store?.close();
    fake = undefined;
    store = undefined;
  });

  async function setup(opts: { readOnly?: boolean } = {}): Promise<{ router: CommandRouter; store: Store }> {
    fake = await startFakeFreqtrade();
    const config = parseConfig({
      bots: [botEntry('main', fake.url, { read_only: opts.readOnly ?? false })],
      access: { admins: [`console:${ADMIN_ID}`], viewers: [`console:${VIEWER_ID}`] },
      stale_command_s: 60,
    });
    const logger = createSilentLogger();
    store = await openStore({ path: null, logger, auditMaxEntries: 100 });
    const router = createCommandRouter({
      services: { config, fleet: createFleet(config.bots, { logger }), store, logger, now: () => Date.now() },
      commands: commandsFor(await loadCommands(), { config, services: new Set() }),
      policy: { access: config.access, chats: [{ platform: 'console', chatId: GROUP, topicId: TOPIC }] },
    });
    return { router, store };
  }

  const inTopic = (userId: string, extra: Partial<CommandContext> = {}): CommandContext => ({
    platform: 'console',
    chatId: GROUP,
    userId,
    threadId: TOPIC,
    isPrivate: false,
    ...extra,
  });
  const posts = () => fake?.requests.filter((r) => r.method === 'POST' && r.path === '/blacklist') ?? [];
  const text = (reply: Awaited<ReturnType<CommandRouter['handleText']>>) =>
    reply ? renderPlainText(reply) : '(silence)';

  it('suggests whitelist pairs for arg.pair(), filtered by what is typed, at most 25', async () => {
    const { router } = await setup();
    const all = await router.suggest({ ctx: inTopic(ADMIN_ID), command: 'lock', key: 'pair', prefix: '' });
    expect(all.length).toBeGreaterThan(0);
    const typed = await router.suggest({
      ctx: inTopic(ADMIN_ID),
      command: 'lock',
      key: 'pair',
      prefix: 'eth',
    });
    expect(typed.map((s) => s.value)).toEqual(all.map((s) => s.value).filter((pair) => /eth/i.test(pair)));
    fake?.state.whitelist.push(...Array.from({ length: 40 }, (_, i) => `C${i}/USDT`));
    const many = await router.suggest({ ctx: inTopic(ADMIN_ID), command: 'lock', key: 'pair', prefix: '' });
    expect(many).toHaveLength(25);
  });

  it('suggests nothing to someone who may not run the command, nor for plain arguments', async () => {
    const { router } = await setup();
    expect(
      await router.suggest({ ctx: inTopic(VIEWER_ID), command: 'lock', key: 'pair', prefix: '' }),
    ).toEqual([]);
    expect(
      await router.suggest({ ctx: inTopic('999'), command: 'entries', key: 'pair', prefix: '' }),
    ).toEqual([]);
    expect(
      await router.suggest({ ctx: inTopic(VIEWER_ID), command: 'entries', key: 'pair', prefix: '' }),
    ).not.toEqual([]);
    expect(
      await router.suggest({ ctx: inTopic(ADMIN_ID), command: 'lock', key: 'duration', prefix: '' }),
    ).toEqual([]);
    expect(
      await router.suggest({ ctx: inTopic(ADMIN_ID), command: 'nosuch', key: 'pair', prefix: '' }),
    ).toEqual([]);
  });

  it('suggests open trades for arg.tradeIdOrAll(), and bot names for `bot` and arg.bot()', async () => {
    const { router } = await setup();
    const first = fake?.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 102 });
    const second = fake?.addTrade({ pair: 'ETH/USDT', openRate: 100, currentRate: 99 });
    const trades = await router.suggest({
      ctx: inTopic(ADMIN_ID),
      command: 'forceexit',
      key: 'trade_id',
      prefix: '',
    });
    expect(trades.map((s) => s.value)).toEqual([String(first), String(second), 'all']);
    const bots = { key: 'bot', prefix: 'ma' } as const;
    const main = [{ label: 'main', value: 'main' }];
    expect(await router.suggest({ ...bots, ctx: inTopic(VIEWER_ID), command: 'profit' })).toEqual(main);
    expect(await router.suggest({ ...bots, ctx: inTopic(ADMIN_ID), command: 'use', key: 'name' })).toEqual(
      main,
    );
    // /use is for admins: a viewer is offered nothing.
    expect(await router.suggest({ ...bots, ctx: inTopic(VIEWER_ID), command: 'use', key: 'name' })).toEqual(
      [],
    );
  });

  it('/blacklist shows the list to a viewer, unaudited', async () => {
    const { router, store } = await setup();
    expect(text(await router.handleText(inTopic(VIEWER_ID), '/blacklist'))).toContain('Blacklist');
    expect(store.recentAudit(10, 'all')).toEqual([]);
  });

  it('/blacklist refuses a viewer adding pairs and audits the refusal with its topic', async () => {
    const { router, store } = await setup();
    const reply = await router.handleText(inTopic(VIEWER_ID), '/blacklist DOGE/USDT');
    expect(text(reply)).toContain('Only admins can add pairs to the blacklist.');
    expect(posts()).toEqual([]);
    expect(store.recentAudit(10, 'all')).toEqual([
      expect.objectContaining({
        command: 'blacklist',
        outcome: 'denied',
        chat_id: `${GROUP}:${TOPIC}`,
        user_id: VIEWER_ID,
        args: JSON.stringify({ pairs: ['DOGE/USDT'] }),
      }),
    ]);
  });

  it('/blacklist adds for an admin, audited with its topic like any state change', async () => {
    const { router, store } = await setup();
    expect(text(await router.handleText(inTopic(ADMIN_ID), '/blacklist DOGE/USDT'))).toContain(
      'Blacklist updated',
    );
    expect(posts()).toHaveLength(1);
    expect(store.recentAudit(10, 'all')).toEqual([
      expect.objectContaining({
        command: 'blacklist',
        outcome: 'ok',
        chat_id: `${GROUP}:${TOPIC}`,
        bot: 'main',
      }),
    ]);
  });

  it('/blacklist refuses adding on a read-only bot, and still shows the list there', async () => {
    const { router } = await setup({ readOnly: true });
    expect(text(await router.handleText(inTopic(ADMIN_ID), '/blacklist DOGE/USDT'))).toContain(
      'main is read-only in this configuration; /blacklist is disabled.',
    );
    expect(posts()).toEqual([]);
    expect(text(await router.handleText(inTopic(ADMIN_ID), '/blacklist'))).toContain('Blacklist');
  });

  it('/blacklist refuses a stale add, but shows the list when asked late', async () => {
    const { router } = await setup();
    const late = { sentAtMs: Date.now() - 10 * 60_000 };
    expect(text(await router.handleText(inTopic(ADMIN_ID, late), '/blacklist DOGE/USDT'))).toContain(
      'Ignored /blacklist sent',
    );
    expect(posts()).toEqual([]);
    expect(text(await router.handleText(inTopic(ADMIN_ID, late), '/blacklist'))).toContain('Blacklist');
  });
});

describe('a new read-only command as one file (test/fixtures/commands/watching.ts)', () => {
  let telegram: Harness | undefined;
  let discord: DiscordHarness | undefined;

  afterEach(async () => {
    await telegram?.close();
    await discord?.close();
    telegram = undefined;
    discord = undefined;
  });

  it('appears in /help and in Telegram’s command menu, and answers on Telegram', async () => {
    telegram = await startHarness({ commandDirs: [FIXTURE_DIR] });
    const menu = telegram.telegram.commands().map((entry) => entry.command);
    expect(menu).toContain('watching');
    // In the menu where its `order` puts it: after the read commands, before /blacklist.
    expect(menu.indexOf('watching')).toBe(menu.indexOf('blacklist') - 1);
    const [help] = await telegram.say('/help', { userId: VIEWER });
    expect(help?.text).toContain('/watching');
    const [answer] = await telegram.say('/watching', { userId: VIEWER });
    expect(answer?.text).toMatch(/Watching \d+ pairs\./);
  });

  it('appears as a Discord slash command with its pair autocompleted, and answers there', async () => {
    discord = await startDiscordHarness({ commandDirs: [FIXTURE_DIR] });
    const slash = discord.discord.registeredCommands(GUILD).find((entry) => entry['name'] === 'watching');
    expect(slash).toBeDefined();
    const pairs = await discord.autocomplete('watching', { name: 'pair', value: 'btc' });
    expect(pairs.length).toBeGreaterThan(0);
    expect(pairs.every((choice) => String(choice.value).includes('BTC'))).toBe(true);
    const { view } = await discord.command('watching', { pair: 'BTC/USDT' });
    const shown = JSON.stringify(view.original?.embeds ?? []);
    expect(shown).toContain('watched');
  });

  it('answers on the console', async () => {
    telegram = await startHarness({
      commandDirs: [FIXTURE_DIR],
      config: { access: { admins: [], viewers: [`telegram:${VIEWER}`, 'console:demo'] } },
    });
    const input = new PassThrough();
    const output = new PassThrough();
    let written = '';
    output.on('data', (chunk: Buffer) => {
      written += chunk.toString('utf8');
    });
    const terminal = createConsoleAdapter({
      router: telegram.app.router,
      input,
      output,
      interactive: false,
      color: false,
    });
    const done = terminal.start();
    input.end('/watching\n');
    await done;
    expect(written).toMatch(/Watching \d+ pairs\./);
  });
});
