import type { z } from 'zod';
import type { ChartRenderer } from '../charts/index.js';
import type { Config } from '../config/schema.js';
import type { GeminiClient } from '../exchanges/gemini/client.js';
import type { PLATFORMS } from '../main.js';
import type { FreqtradeClient } from '../freqtrade/client.js';
import type { Fleet } from '../freqtrade/fleet.js';
import type { StreamState } from '../freqtrade/stream-state.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import type { Reply } from './reply.js';

/** A money total one bot contributes to a `bot=all` view, summed per label and stake currency. */
export interface MoneyTotal {
  /** What is summed, e.g. `Profit (all trades)`. */
  label: string;
  /** The bot's stake currency: totals of different currencies are never added. */
  currency: string;
  amount: number;
  /** Shown with a sign (profits) rather than without (balances). */
  signed?: boolean;
}

/** One bot's part of a `bot=all` view: its reply, and the money totals it adds to. */
export interface FleetPart {
  reply: Reply;
  totals?: MoneyTotal[];
}

/**
 * A read-only command that can ask every bot at once (`bot=all`, or `all` as its first word):
 * `run` gives one bot's part; when absent the command's own `run` is used without totals.
 */
export interface AcrossBots<A> {
  run?(run: CommandRun<A>): Promise<FleetPart>;
  /**
   * Answers for every bot of the chat with one reply of its own making (e.g. a chart with a line
   * per bot) instead of a section per bot: called once, with `bots` in config order. `run.bot` is
   * the first of them. When present, `run` is not used.
   */
  whole?(run: CommandRun<A>, bots: FreqtradeClient[]): Promise<Reply>;
}

/** A chat platform's name: one per entry of main.ts's PLATFORMS. */
export type Platform = (typeof PLATFORMS)[number]['name'];
export type Role = 'admin' | 'viewer';
export type RequiredRole = 'anyone' | Role;

/** Who sent a command, and where: what every adapter turns its update into. */
export interface CommandContext {
  platform: Platform;
  chatId: string;
  userId: string;
  /** Forum topic (Telegram) or thread; null when none. */
  threadId: number | null;
  /** A one-to-one chat with the bot (Telegram private chat, Discord DM, the console). */
  isPrivate: boolean;
  /** A display name for logs and audit, never used for authorisation. */
  userName?: string;
  /** Discord role ids of the member, for `access.discord_*_roles`. */
  platformRoles?: string[];
  /**
   * When the user sent the command (the platform's own timestamp, ms since the epoch): a
   * state-changing command older than `stale_command_s` is refused. Undefined when unknown.
   */
  sentAtMs?: number;
  /**
   * The update waited for us while we were offline and its own time is unknown (a Telegram
   * button press fetched by the first poll after start): state-changing actions are refused.
   */
  arrivedWhileOffline?: boolean;
}

/** What commands may use besides the Freqtrade client: the composition root fills this. */
export interface CommandServices {
  config: Config;
  fleet: Fleet;
  store: Store;
  logger: Logger;
  now(): number;
  /** The notification stream state per bot, when notifications run. */
  streamState?(bot: string): StreamState | undefined;
  /** Every command, for /help. */
  commands(): CommandSpec[];
  /** With `ha.enabled`: this instance's name and whether it leads (for /bots). */
  leadership?(): { instance: string; leading: boolean };
  /** The Gemini exchange client, when `gemini.enabled`; commands that `requires: 'gemini'` use it. */
  gemini?: GeminiClient;
  /** The chart renderer (default: `loadChartRenderer()` of src/charts/, started on first use). */
  charts?(): Promise<ChartRenderer>;
}

/** The command a reply's "📈 Chart" button runs (see `CommandSpec.chart`). */
export const CHART_COMMAND = 'chart';

/** An optional service a command needs: it is registered only when that service is configured. */
export type OptionalService = 'gemini';

/** Everything a command's `run` receives. */
export interface CommandRun<A> {
  ctx: CommandContext;
  /** The sender's role; null only for `anyone` commands run by strangers (e.g. /whoami). */
  role: Role | null;
  args: A;
  /** The bot this command talks to (`bot=<name>`, else the chat's current bot, else the first). */
  bot: FreqtradeClient;
  /** True when several bots are configured, so replies should name the bot. */
  showBotName: boolean;
  services: CommandServices;
  /** The key under which this chat's state is stored. */
  chatKey: string;
}

/** One choice offered by a picker, e.g. an open trade for /forceexit with no argument. */
export interface PickerOption {
  label: string;
  /** The arguments the command is re-run with when this option is chosen (key → raw string). */
  args: Record<string, string>;
}

/** A command with no required argument given may offer choices as buttons instead of a usage line. */
export interface Picker {
  prompt: Reply;
  options: PickerOption[];
}

/**
 * A chat command, defined once for every platform. `args` is a zod object: positional words
 * fill its keys in order, a key whose schema is an array takes the rest, and `key=value`
 * sets any key by name.
 */
export interface CommandSpec<S extends z.ZodObject = z.ZodObject> {
  name: string;
  aliases?: string[];
  /** One line, ≤ 100 characters (Discord's limit), shown in /help and the platform's menu. */
  description: string;
  /** e.g. `/forceexit <trade_id|all> [limit|market] [amount]`. */
  usage: string;
  role: RequiredRole;
  /**
   * Answered to anyone in any chat, configured or not (other forum topics, groups we do not serve,
   * users on no list), as Freqtrade's /tg_info: only for `role: 'anyone'` commands that reveal
   * nothing but the asker's own chat and id. Default false: strangers there hear nothing.
   */
  openToStrangers?: boolean;
  /**
   * The role the configuration gives this command instead of `role` (e.g. `gemini.viewers_allowed`
   * opens /gemini to viewers); applied once, when the command is registered.
   */
  configuredRole?(config: Config): RequiredRole;
  /**
   * A stricter role some arguments need (e.g. /blacklist shows to viewers, adds for admins) and
   * what they do, for the refusal ("Only admins can <action>."); checked by the router after the
   * arguments are bound, and audited like any refusal. Undefined: `role` is enough.
   */
  roleFor?(args: z.infer<S>): { role: Role; action: string } | undefined;
  /** Registered only when this optional service is configured (see `CommandServices`). */
  requires?: OptionalService;
  /** Position in /help and the platform menus: lower first, ties by name. Default 1000 (last). */
  order?: number;
  args: S;
  /** False for commands that need no Freqtrade bot (/help, /whoami, /use). Default true. */
  needsBot?: boolean;
  /**
   * Changes state: audited, refused on `read_only` bots. Default false. A function decides from
   * the bound arguments (e.g. /blacklist with pairs adds, without them only shows).
   */
  mutates?: boolean | ((args: z.infer<S>) => boolean);
  /**
   * Changes a chat setting (/notify, /mute, /use) rather than Freqtrade's state: recorded in the
   * audit log with its arguments, but allowed on `read_only` bots. Default false.
   */
  audited?: boolean;
  /** Adds a Refresh button that re-runs the command and edits the message in place. */
  refreshable?: boolean;
  /**
   * The chart that goes with this command's reply, as raw arguments of `/chart` (e.g.
   * `{ kind: 'daily', n: '7' }`): the reply gets a "📈 Chart" button that sends that chart as a
   * new message, for the asker only. Undefined (or null for these arguments): no button.
   */
  chart?(args: z.infer<S>): Record<string, string> | null;
  /** When present the command needs confirmation: describes what will happen (trade, pair, profit). */
  confirm?(run: CommandRun<z.infer<S>>): Promise<Reply>;
  /**
   * A short, stable description of what a confirmation covers (e.g. the open trade ids for
   * `/forceexit all`). Taken when asking and again on Confirm: if it changed, nothing is done.
   */
  snapshot?(run: CommandRun<z.infer<S>>): Promise<string>;
  /** Offered when required arguments are missing; null falls back to the usage line. */
  pick?(run: CommandRun<Record<string, never>>): Promise<Picker | null>;
  run(run: CommandRun<z.infer<S>>): Promise<Reply>;
  /**
   * Opts in to `bot=all` (and `/<command> all`): every bot of the chat is asked at once and the
   * answers are joined into one reply (see fleet-view.ts). Never for commands that change state.
   */
  acrossBots?: AcrossBots<z.infer<S>>;
}

/** Erases a spec's argument type so specs of different shapes share one list. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds commands of every argument shape
export type AnyCommandSpec = CommandSpec<any>;

/** Every spec made by `defineCommand`, so the registry can tell a command among a module's exports. */
const definedCommands = new WeakSet<object>();

/** True when `value` was made by `defineCommand` (an exported command of a module under `commands/`). */
export function isCommandSpec(value: unknown): value is AnyCommandSpec {
  return typeof value === 'object' && value !== null && definedCommands.has(value);
}

/** Keeps a command's argument type inferred from its schema, and marks it for the registry. */
export function defineCommand<S extends z.ZodObject>(spec: CommandSpec<S>): CommandSpec<S> {
  definedCommands.add(spec);
  return spec;
}

/** Whether a command changes state with these bound arguments (see `CommandSpec.mutates`). */
export function mutatesWith(command: AnyCommandSpec, args: Record<string, unknown>): boolean {
  return typeof command.mutates === 'function' ? command.mutates(args) : command.mutates === true;
}
