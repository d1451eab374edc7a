/**
 * End-to-end harness for the Discord adapter: a fake Discord, one or two fake Freqtrades, and the
 * app's pieces wired from a config file the way `src/main.ts` wires them (store, fleet, commands,
 * router with the access policy, Discord adapter).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { CommandRouter } from '../../src/chat/router.js';
import { loadConfig } from './config.js';
import type { Config } from '../../src/config/schema.js';
import type { DiscordAdapter } from '../../src/discord/adapter.js';
import { isDiscordPlatform } from '../../src/discord/platform.js';
import { type App, startApp } from '../../src/main.js';
import type { Fleet } from '../../src/freqtrade/fleet.js';
import { createLogger } from '../../src/logger.js';
import type { Store } from '../../src/store/store.js';
import {
  type FakeDiscord,
  type FakeDiscordInteraction,
  type FakeDiscordOptions,
  startFakeDiscord,
} from '../fakes/fake-discord.js';
import { type FakeFreqtrade, startFakeFreqtrade } from '../fakes/fake-freqtrade.js';

export const GUILD = '800000000000000001';
/** The configured channel: commands and notifications. */
export const CHANNEL = '700000000000000001';
/** A channel of the same guild that is not in the config. */
export const OTHER_CHANNEL = '700000000000000002';
export const ADMIN = '310000000000000001';
export const VIEWER = '320000000000000002';
export const STRANGER = '330000000000000003';
/** Members with this role are admins (`access.discord_admin_roles`). */
export const ADMIN_ROLE = '610000000000000001';
export const PLAIN_ROLE = '620000000000000002';

export const FAKE_GUILDS: NonNullable<FakeDiscordOptions['guilds']> = [
  {
    id: GUILD,
    name: 'ChatOps Test Guild',
    channels: [
      { id: CHANNEL, name: 'trading' },
      { id: OTHER_CHANNEL, name: 'random' },
    ],
    roles: [
      { id: ADMIN_ROLE, name: 'traders' },
      { id: PLAIN_ROLE, name: 'members' },
    ],
  },
];

export interface Invoker {
  userId?: string;
  channelId?: string;
  roles?: string[];
  dm?: boolean;
}

export interface Answered {
  id: string;
  view: FakeDiscordInteraction;
  /** Time from the dispatch to the acknowledgement. */
  ackMs: number;
}

export interface DiscordHarness {
  discord: FakeDiscord;
  freqtrade: FakeFreqtrade;
  /** The second bot's Freqtrade, when started with `twoBots`. */
  freqtrade2: FakeFreqtrade | undefined;
  config: Config;
  router: CommandRouter;
  fleet: Fleet;
  store: Store;
  adapter: DiscordAdapter;
  app: App;
  logs: string[];
  /** Every interaction the harness dispatched, with its acknowledgement time. */
  answered: Answered[];
  /** Runs a slash command and resolves once the deferred reply was edited or deleted and things settled. */
  command(name: string, options?: Record<string, string | number>, who?: Invoker): Promise<Answered>;
  /** Presses a button of a bot message and resolves once the press was acknowledged and things settled. */
  press(messageId: string, customId: string, who?: Invoker): Promise<Answered>;
  /** Presses a button several times at once (a double click, two people), resolving when all were answered. */
  pressAll(messageId: string, customId: string, who: Invoker[]): Promise<Answered[]>;
  /** Types into an autocompleted option and resolves with the choices offered. */
  autocomplete(
    name: string,
    focused: { name: string; value: string; type?: number },
    others?: Record<string, string>,
    who?: Invoker,
  ): Promise<Array<{ name: string; value: string | number }>>;
  /** Freqtrade calls that changed state (anything but GET, logins excluded), on every bot. */
  stateChangingCalls(): Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

/** Option types of the registered slash command, so invocations carry what Discord would send. */
function optionType(discord: FakeDiscord, command: string, option: string): number {
  const registered = discord.registeredCommands(GUILD).find((entry) => entry['name'] === command);
  const options = Array.isArray(registered?.['options']) ? registered['options'] : [];
  for (const entry of options) {
    if (entry && typeof entry === 'object' && 'name' in entry && entry.name === option && 'type' in entry) {
      return Number(entry.type);
    }
  }
  return 3;
}

/** Waits until no new Discord message and no Freqtrade request arrived for `quietMs`. */
async function settle(harness: Pick<DiscordHarness, 'discord' | 'freqtrade'>, quietMs = 200): Promise<void> {
  let last = -1;
  let since = Date.now();
  for (;;) {
    const now = harness.discord.messages.length + harness.freqtrade.requests.length;
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function startDiscordHarness(
  options: { twoBots?: boolean; config?: Record<string, unknown>; commandDirs?: URL[] } = {},
): Promise<DiscordHarness> {
  const discord = await startFakeDiscord({ guilds: FAKE_GUILDS });
  const freqtrade = await startFakeFreqtrade();
  const freqtrade2 = options.twoBots ? await startFakeFreqtrade({ botName: 'second' }) : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'ftc-discord-'));
  const bot = (name: string, url: string) => ({
    name,
    api_url: url,
    username: 'freqtrader',
    password: 'secret-pass',
    ws_token: 'ws-secret-token',
    timeout_ms: 3000,
  });
  const raw = {
    bots: [bot('main', freqtrade.url), ...(freqtrade2 ? [bot('second', freqtrade2.url)] : [])],
    discord: {
      enabled: true,
      token: discord.token,
      application_id: discord.applicationId,
      guild_id: GUILD,
      api_root: discord.apiRoot,
      channels: [{ channel_id: CHANNEL }],
    },
    access: {
      admins: [`discord:${ADMIN}`],
      viewers: [`discord:${VIEWER}`],
      discord_admin_roles: [ADMIN_ROLE],
    },
    store: { path: join(dir, 'state.json') },
    log_level: 'debug',
    ...options.config,
  };
  const configPath = join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify(raw, null, 2));
  const config = await loadConfig(configPath, {});

  const logs: string[] = [];
  // No secret redaction here on purpose: the tests check the adapter itself never logs the token.
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _encoding, callback) {
        logs.push(String(chunk));
        callback();
      },
    }),
  });

  // The real composition root, as `npm start -- --config <file>` runs it.
  const app = await startApp({
    config,
    logger,
    streamBackoff: { initialMs: 20, maxMs: 200 },
    ...(options.commandDirs ? { commandDirs: options.commandDirs } : {}),
  });
  const { router, fleet, store } = app;
  const adapter = app.platforms.find(isDiscordPlatform)?.adapter;
  if (!adapter) throw new Error('the harness config must enable discord');

  const answered: Answered[] = [];
  const awaitAck = async (id: string, startedAt: number): Promise<Answered> => {
    await discord.waitFor(() => discord.interaction(id)?.acknowledged, 5000);
    const entry: Answered = {
      id,
      view: discord.interaction(id) ?? { acknowledged: false, followUps: [] },
      ackMs: Date.now() - startedAt,
    };
    answered.push(entry);
    return entry;
  };

  const harness: DiscordHarness = {
    discord,
    freqtrade,
    freqtrade2,
    config,
    router,
    fleet,
    store,
    adapter,
    app,
    logs,
    answered,
    async command(name, values = {}, who = {}) {
      const startedAt = Date.now();
      const id = discord.invokeCommand({
        channelId: who.channelId ?? CHANNEL,
        userId: who.userId ?? ADMIN,
        ...(who.roles ? { roles: who.roles } : {}),
        ...(who.dm ? { dm: true } : {}),
        name,
        options: Object.entries(values).map(([key, value]) => ({
          name: key,
          type: optionType(discord, name, key),
          value,
        })),
      });
      const entry = await awaitAck(id, startedAt);
      // Done when the "thinking" reply was edited (loading flag gone) or deleted.
      await discord.waitFor(() => {
        const original = discord.interaction(id)?.original;
        if (!original) return false;
        const current = discord.message(original.id);
        return current?.deleted || ((current?.flags ?? 0) & 128) === 0;
      }, 8000);
      await settle(harness);
      entry.view = discord.interaction(id) ?? entry.view;
      return entry;
    },
    async press(messageId, customId, who = {}) {
      const startedAt = Date.now();
      const id = discord.pressButton({
        channelId: who.channelId ?? CHANNEL,
        userId: who.userId ?? ADMIN,
        ...(who.roles ? { roles: who.roles } : {}),
        messageId,
        customId,
      });
      const entry = await awaitAck(id, startedAt);
      await settle(harness, 300);
      entry.view = discord.interaction(id) ?? entry.view;
      return entry;
    },
    async pressAll(messageId, customId, who) {
      const startedAt = Date.now();
      const ids = who.map((one) =>
        discord.pressButton({
          channelId: one.channelId ?? CHANNEL,
          userId: one.userId ?? ADMIN,
          ...(one.roles ? { roles: one.roles } : {}),
          messageId,
          customId,
        }),
      );
      const entries = await Promise.all(ids.map((id) => awaitAck(id, startedAt)));
      await settle(harness, 300);
      for (const entry of entries) entry.view = discord.interaction(entry.id) ?? entry.view;
      return entries;
    },
    async autocomplete(name, focused, others = {}, who = {}) {
      const startedAt = Date.now();
      const id = discord.invokeAutocomplete({
        channelId: who.channelId ?? CHANNEL,
        userId: who.userId ?? ADMIN,
        ...(who.roles ? { roles: who.roles } : {}),
        name,
        options: [
          ...Object.entries(others).map(([key, value]) => ({ name: key, type: 3, value })),
          {
            name: focused.name,
            type: focused.type ?? optionType(discord, name, focused.name),
            value: focused.value,
            focused: true,
          },
        ],
      });
      const entry = await awaitAck(id, startedAt);
      return entry.view.autocompleteChoices ?? [];
    },
    stateChangingCalls() {
      return [freqtrade, ...(freqtrade2 ? [freqtrade2] : [])]
        .flatMap((fake) => fake.requests)
        .filter((request) => request.method !== 'GET' && !request.path.startsWith('/token/'))
        .map((request) => ({ method: request.method, path: request.path }));
    },
    async close() {
      await app.stop();
      await store.flush();
      await discord.close();
      await freqtrade.close();
      await freqtrade2?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
