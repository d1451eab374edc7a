import { type AccessPolicy, authorize, chatBotsOf } from '../access/policy.js';
import { ApiError, ChatopsError, NetworkError, UserInputError, ValidationError } from '../errors.js';
import type { z } from 'zod';
import type { FreqtradeClient } from '../freqtrade/client.js';
import { bindArguments, echoInput } from './arguments.js';
import { parseCommandLine } from './parse-command.js';
import { askAcrossBots, FLEET_VIEW_DEADLINE_MS, joinFleetView } from './fleet-view.js';
import { flushedWithin } from '../store/store.js';
import { createPendingActions, type PendingAction, parseButtonAction } from './pending-actions.js';
import { formatDuration } from '../format/durations.js';
import type { Reply, ReplyButton } from './reply.js';
import { type Suggestion, type SuggestionSources, suggesterOf, suggestBots } from './suggestions.js';
import {
  type AnyCommandSpec,
  CHART_COMMAND,
  type CommandContext,
  type CommandRun,
  type CommandServices,
  mutatesWith,
  type Role,
} from './types.js';

export interface CommandRouterDeps {
  services: Omit<CommandServices, 'commands'>;
  commands: AnyCommandSpec[];
  policy: AccessPolicy;
  /** A denied sender hears "not allowed" at most once per this interval per chat. */
  denyReplyIntervalMs?: number;
  /** Told once per typed command or button press when it has been handled (metrics). */
  onCommandFinished?(event: CommandFinishedEvent): void;
  /** How long a `bot=all` view waits for all bots together; default `FLEET_VIEW_DEADLINE_MS`. */
  fleetDeadlineMs?: number;
}

/** How a command or button press ended: for metrics, never shown to users. */
export type CommandOutcome = 'ok' | 'confirm_requested' | 'refused' | 'denied' | 'failed';

export interface CommandFinishedEvent {
  /** The command's canonical name (aliases resolved); `unknown` for an unknown command. */
  command: string;
  outcome: CommandOutcome;
  durationMs: number;
}

/** What pressing a button leads to. */
export interface ButtonOutcome {
  /** A short notice shown to the presser (Telegram callback answer, Discord ephemeral). */
  notice?: string;
  /** The notice should be an alert / private to the presser. */
  alert?: boolean;
  /** A reply to show, either replacing the pressed message (`edit`) or as a new message. */
  reply?: Reply;
  mode: 'edit' | 'send';
}

export interface CommandRouter {
  /** Handles a chat line; null means stay silent (not a command, or a chat we ignore). */
  handleText(ctx: CommandContext, text: string): Promise<Reply | null>;
  /** Runs a command by name with already-split arguments (Discord slash commands). */
  handleCommand(
    ctx: CommandContext,
    name: string,
    positional: string[],
    named: Record<string, string>,
  ): Promise<Reply | null>;
  /** Handles a button press; every press is authorised again from scratch. */
  handleButton(
    ctx: CommandContext,
    action: string,
    acknowledge?: (notice: string) => Promise<void>,
  ): Promise<ButtonOutcome>;
  /**
   * The expired form of a confirmation prompt (no buttons, "expired: nothing was done"), or null
   * when its Confirm was already used or cancelled. Called by adapters when `reply.expiresAtMs` passes.
   */
  expiredPrompt(reply: Reply): Reply | null;
  /**
   * The bot a chat line would address, for ordering: commands to the same bot in one chat run in
   * order, commands to different bots side by side. Null when the line needs no bot.
   */
  botOfLine(ctx: CommandContext, text: string): string | null;
  /**
   * Suggestions for one argument of a command as the user types it (Discord autocomplete): at most
   * 25, only for those allowed to run the command in this chat (else none). `named` holds the other
   * arguments already given (e.g. `bot`). Never throws: a failed lookup suggests nothing.
   */
  suggest(request: SuggestRequest): Promise<Suggestion[]>;
  commands(): AnyCommandSpec[];
  find(name: string): AnyCommandSpec | undefined;
}

export interface SuggestRequest {
  ctx: CommandContext;
  /** The command's name or alias. */
  command: string;
  /** The argument being typed. */
  key: string;
  /** What is typed so far. */
  prefix: string;
  /** Other arguments already given, by key (raw text). */
  named?: Record<string, string>;
}

/** https://discord.com/developers/docs/interactions/application-commands#autocomplete: ≤ 25 choices. */
export const MAX_SUGGESTIONS = 25;

/** How long a confirmation waits for the store to record that it was used, before refusing to act. */
export const STORE_WRITE_LIMIT_MS = 2_000;

const REFRESH_LIFETIME_MS = 24 * 60 * 60 * 1000;
const PICKER_LIFETIME_MS = 5 * 60 * 1000;
/** How long a used Confirm is remembered, so a late second press says "already used". */
const USED_MEMORY_MS = 10 * 60 * 1000;

/** The key a chat's state is stored under: `platform:chat[:topic]`. */
export function chatKeyOf(ctx: Pick<CommandContext, 'platform' | 'chatId' | 'threadId'>): string {
  return `${ctx.platform}:${ctx.chatId}${ctx.threadId !== null ? `:${ctx.threadId}` : ''}`;
}

/** Turns an error into a short reply that is safe to show: no secrets, no stack. */
export function errorReply(error: unknown, commandName: string): Reply {
  if (error instanceof UserInputError) {
    const blocks: Reply['blocks'] = [{ kind: 'text', text: error.message }];
    if (error.usage) blocks.push({ kind: 'text', text: `Usage: ${error.usage}` });
    return { tone: 'warning', blocks };
  }
  if (error instanceof NetworkError)
    return { tone: 'error', blocks: [{ kind: 'text', text: error.message }] };
  if (error instanceof ApiError) {
    const said = error.detail ?? `HTTP ${error.status}`;
    return {
      tone: 'error',
      blocks: [{ kind: 'text', text: `${error.service} refused /${commandName}: ${said}` }],
    };
  }
  if (error instanceof ValidationError) {
    return {
      tone: 'error',
      blocks: [
        { kind: 'text', text: `${error.where} was not understood; is this Freqtrade version supported?` },
      ],
    };
  }
  return {
    tone: 'error',
    blocks: [
      { kind: 'text', text: `Something went wrong running /${commandName}; the details are in the log.` },
    ],
  };
}

/** The command router: parsing, access, bot selection, confirmations, buttons, audit. */
export function createCommandRouter(deps: CommandRouterDeps): CommandRouter {
  const { services, policy } = deps;
  const { logger, store, fleet } = services;
  const now = services.now;
  const denyIntervalMs = deps.denyReplyIntervalMs ?? 60_000;
  const confirmLifetimeMs = services.config.confirmation_timeout_s * 1000;
  const staleAfterMs = services.config.stale_command_s * 1000;
  // Confirmations are kept in the store: one asked before a restart or a takeover is answered once.
  const pending = createPendingActions({ now, durable: services.store });
  const lastDenied = new Map<string, number>();
  /** Confirm ids already pressed, with when: a second press hears "already used". */
  const usedConfirms = new Map<string, number>();
  const rememberUsed = (id: string) => {
    const cutoff = now() - USED_MEMORY_MS;
    for (const [key, at] of usedConfirms)
      if (at < cutoff || usedConfirms.size > 5_000) usedConfirms.delete(key);
    usedConfirms.set(id, now());
  };
  const finished = (command: string, outcome: CommandOutcome, startedMs: number) => {
    try {
      deps.onCommandFinished?.({ command, outcome, durationMs: Math.max(0, now() - startedMs) });
    } catch (error) {
      logger.warn({ err: describeShort(error) }, 'command-finished hook failed');
    }
  };
  /** The outcome a reply stands for, for metrics. */
  const outcomeOf = (reply: Reply | null, fallback: CommandOutcome): CommandOutcome =>
    reply === null ? 'denied' : reply.tone === 'error' ? 'failed' : fallback;

  const byName = new Map<string, AnyCommandSpec>();
  for (const command of deps.commands) {
    byName.set(command.name, command);
    for (const alias of command.aliases ?? []) byName.set(alias, command);
  }
  const fullServices: CommandServices = { ...services, commands: () => deps.commands };

  const audit = (
    ctx: CommandContext,
    command: string,
    args: string,
    bot: string | null,
    outcome: 'ok' | 'denied' | 'failed' | 'cancelled' | 'expired' | 'requested',
    detail?: string,
  ) => {
    store.appendAudit({
      platform: ctx.platform,
      user_id: ctx.userId,
      chat_id: ctx.threadId !== null ? `${ctx.chatId}:${ctx.threadId}` : ctx.chatId,
      bot,
      command,
      args,
      outcome,
      detail: detail ?? null,
    });
  };

  const deny = (
    ctx: CommandContext,
    command: string,
    reason: string,
    action: 'ignore' | 'deny',
  ): Reply | null => {
    logger.warn(
      { platform: ctx.platform, user: ctx.userId, chat: ctx.chatId, thread: ctx.threadId, command, reason },
      'command refused',
    );
    audit(ctx, command, '', null, 'denied', reason);
    if (action === 'ignore') return null;
    const refusal: Reply = {
      tone: 'warning',
      blocks: [{ kind: 'text', text: 'You are not allowed to do that here.' }],
    };
    // In a private chat the refusal is the only answer the sender gets: always give it.
    if (ctx.isPrivate) return refusal;
    // In a group, one refusal a minute per user, wherever they try, so nobody can make the bot spam.
    const key = `${ctx.platform}:${ctx.userId}`;
    const last = lastDenied.get(key);
    if (last !== undefined && now() - last < denyIntervalMs) {
      logger.debug(
        { platform: ctx.platform, user: ctx.userId, command },
        'refusal reply held back (one a minute)',
      );
      return null;
    }
    if (lastDenied.size > 10_000) lastDenied.clear();
    lastDenied.set(key, now());
    return refusal;
  };

  /** Whether the sender may run `command` here: its role, and whether it is open to strangers. */
  const authorizeCommand = (ctx: CommandContext, command: AnyCommandSpec) =>
    authorize(policy, ctx, command.role, { openToStrangers: command.openToStrangers === true });

  /** When a command open to strangers last answered one outside the allowed chats, per user. */
  const lastStrangerAnswer = new Map<string, number>();
  /**
   * A command open to strangers (/tg_info) asked where nothing else would be answered (a group or
   * topic not configured, a user on no list): logged, and in a group answered once a minute per
   * user at most, as refusals are, so nobody can make the bot spam a group. False: stay silent.
   */
  const admitStranger = (ctx: CommandContext, command: AnyCommandSpec): boolean => {
    if (command.openToStrangers !== true || authorize(policy, ctx, command.role).allowed) return true;
    const key = `${ctx.platform}:${ctx.userId}`;
    const last = lastStrangerAnswer.get(key);
    if (!ctx.isPrivate && last !== undefined && now() - last < denyIntervalMs) {
      logger.debug(
        { platform: ctx.platform, user: ctx.userId, command: command.name },
        'answer to a stranger held back (one a minute)',
      );
      return false;
    }
    if (lastStrangerAnswer.size > 10_000) lastStrangerAnswer.clear();
    lastStrangerAnswer.set(key, now());
    logger.info(
      {
        platform: ctx.platform,
        user: ctx.userId,
        chat: ctx.chatId,
        thread: ctx.threadId,
        command: command.name,
      },
      'command open to strangers answered outside the allowed chats',
    );
    // Logged, not audited: a stranger may ask as often as they like, and the audit log's actions
    // must not be pushed out by them (refusals are capped apart; this is no refusal).
    return true;
  };

  /** The bots this chat may address, in config order: those of its `bots` list, else every bot. */
  const botsOfChat = (ctx: CommandContext): FreqtradeClient[] => {
    const allowed = chatBotsOf(services.config, ctx);
    if (allowed === null) return fleet.all();
    return fleet
      .all()
      .filter((bot) => allowed.some((entry) => entry.toLowerCase() === bot.name.toLowerCase()));
  };

  /**
   * The bot a command addresses: `bot=`, else the chat's default (`/use`), else the chat's first
   * configured bot. A chat with a `bots` list in the config may address only those.
   */
  const selectBot = (ctx: CommandContext, named: Record<string, string>): FreqtradeClient => {
    const allowed = chatBotsOf(services.config, ctx);
    const isAllowed = (name: string) =>
      allowed === null || allowed.some((entry) => entry.toLowerCase() === name.toLowerCase());
    const requested = named.bot;
    if (requested !== undefined) {
      const bot = fleet.get(echoInput(requested));
      if (!isAllowed(bot.name)) {
        throw new UserInputError(
          `This chat may only use ${allowed?.join(', ')}; ${bot.name} is not one of them.`,
        );
      }
      return bot;
    }
    const current = store.hasChat(chatKeyOf(ctx)) ? store.chat(chatKeyOf(ctx)).current_bot : null;
    if (current && fleet.has(current) && isAllowed(current)) return fleet.get(current);
    const first = allowed !== null ? fleet.get(allowed[0] as string) : fleet.all()[0];
    if (!first) throw new UserInputError('No Freqtrade bot is configured.');
    return first;
  };

  const makeRun = <A>(
    ctx: CommandContext,
    role: Role | null,
    args: A,
    bot: FreqtradeClient,
  ): CommandRun<A> => ({
    ctx,
    role,
    args,
    bot,
    showBotName: fleet.names.length > 1,
    services: fullServices,
    chatKey: chatKeyOf(ctx),
  });

  /** With several bots, every reply names the one it is about. */
  const withBotName = (reply: Reply, bot: FreqtradeClient): Reply => {
    if (fleet.names.length <= 1) return reply;
    if (!reply.title) return { ...reply, title: `[${bot.name}]` };
    return reply.title.includes(`[${bot.name}]`)
      ? reply
      : { ...reply, title: `[${bot.name}] ${reply.title}` };
  };

  const addButtons = (reply: Reply, rows: ReplyButton[][]): Reply =>
    rows.length ? { ...reply, buttons: [...(reply.buttons ?? []), ...rows] } : reply;

  const baseAction = (ctx: CommandContext) => ({
    platform: ctx.platform,
    chatId: ctx.chatId,
    threadId: ctx.threadId,
  });

  /**
   * Stores a button that runs `command` with raw `args` and returns its action string: its result
   * replaces the pressed message (Refresh, picker choices), or with `edit` false comes as a new
   * message (a reply's Chart).
   */
  const invokeButton = (
    ctx: CommandContext,
    command: AnyCommandSpec,
    bot: string | null,
    args: Record<string, string>,
    ownerUserId: string | null,
    lifetimeMs: number,
    verb: 'i' | 'x' = 'i',
    edit = true,
  ): string =>
    `${verb}:${pending.add({
      kind: 'invoke',
      command: command.name,
      args,
      bot,
      ...baseAction(ctx),
      ownerUserId,
      expiresAtMs: now() + lifetimeMs,
      edit,
    })}`;

  /**
   * The "📈 Chart" button of a reply whose command names its chart (`CommandSpec.chart`): it runs
   * `/chart` with those arguments for the asker only and sends the picture as a new message. None
   * when /chart is not registered or the asker may not run it here.
   */
  const chartButton = (
    ctx: CommandContext,
    command: AnyCommandSpec,
    args: Record<string, unknown>,
    botName: string | null,
  ): ReplyButton | null => {
    const chartArgs = command.chart?.(args);
    const chartCommand = byName.get(CHART_COMMAND);
    if (!chartArgs || !chartCommand || !authorizeCommand(ctx, chartCommand).allowed) return null;
    const action = invokeButton(
      ctx,
      chartCommand,
      botName,
      chartArgs,
      ctx.userId,
      REFRESH_LIFETIME_MS,
      'i',
      false,
    );
    return { label: '📈 Chart', action, style: 'secondary', role: 'chart' };
  };

  /** Runs a command whose arguments are bound; asks for confirmation first unless `confirmed`. */
  const execute = async (
    ctx: CommandContext,
    role: Role | null,
    command: AnyCommandSpec,
    args: Record<string, unknown>,
    bot: FreqtradeClient,
    confirmed: boolean,
  ): Promise<Reply> => {
    const argsText = JSON.stringify(args);
    const botName = command.needsBot === false ? null : bot.name;
    const mutates = mutatesWith(command, args);
    const audited = mutates || command.audited === true;
    const run = makeRun(ctx, role, args, bot);
    const stricter = command.roleFor?.(args);
    if (stricter !== undefined) {
      const decision = authorize(policy, ctx, stricter.role);
      if (!decision.allowed) {
        logger.warn(
          {
            platform: ctx.platform,
            user: ctx.userId,
            chat: ctx.chatId,
            thread: ctx.threadId,
            command: command.name,
            reason: decision.reason,
          },
          'command refused',
        );
        audit(ctx, command.name, argsText, botName, 'denied', decision.reason);
        throw new UserInputError(`Only ${stricter.role}s can ${stricter.action}.`);
      }
    }
    if (mutates && command.needsBot !== false) {
      const botConfig = services.config.bots.find((b) => b.name === bot.name);
      if (botConfig?.read_only) {
        throw new UserInputError(
          `${bot.name} is read-only in this configuration; /${command.name} is disabled.`,
        );
      }
    }
    if (command.confirm && !confirmed) {
      const prompt = await command.confirm(run);
      const snapshot = command.snapshot ? await command.snapshot(run) : undefined;
      const action: PendingAction = {
        kind: 'confirm',
        command: command.name,
        args,
        bot: botName,
        ...baseAction(ctx),
        ownerUserId: ctx.userId,
        expiresAtMs: now() + confirmLifetimeMs,
        edit: true,
        ...(snapshot !== undefined ? { snapshot } : {}),
      };
      const id = pending.add(action);
      audit(ctx, command.name, argsText, botName, 'requested');
      const who = ctx.userName ?? 'the requester';
      const withFooter: Reply = {
        ...prompt,
        blocks: [
          ...prompt.blocks,
          {
            kind: 'text',
            text: `Only ${who} can confirm; this expires in ${services.config.confirmation_timeout_s} s.`,
            style: 'italic',
          },
        ],
      };
      return withBotName(
        {
          ...addButtons(withFooter, [
            [
              { label: 'Confirm', action: `c:${id}`, style: 'danger', role: 'confirm' },
              { label: 'Cancel', action: `x:${id}`, style: 'secondary', role: 'cancel' },
            ],
          ]),
          expiresAtMs: action.expiresAtMs,
        },
        bot,
      );
    }
    try {
      let reply = await command.run(run);
      if (audited) audit(ctx, command.name, argsText, botName, 'ok');
      const row: ReplyButton[] = [];
      const chart = chartButton(ctx, command, args, botName);
      if (chart) row.push(chart);
      if (command.refreshable) {
        const rawArgs: Record<string, string> = {};
        for (const [key, value] of Object.entries(args)) {
          if (value !== undefined) rawArgs[key] = Array.isArray(value) ? value.join(' ') : String(value);
        }
        const action = invokeButton(ctx, command, botName, rawArgs, null, REFRESH_LIFETIME_MS);
        row.push({ label: '🔄 Refresh', action, style: 'secondary', role: 'refresh' });
      }
      if (row.length > 0) reply = addButtons(reply, [row]);
      return command.needsBot === false ? reply : withBotName(reply, bot);
    } catch (error) {
      if (audited) audit(ctx, command.name, argsText, botName, 'failed', describeShort(error));
      // No answer is not "nothing happened": the order may have been placed before the line went
      // quiet. Only a failure before connecting (refused, DNS, TLS) proves it never arrived.
      if (mutates && error instanceof NetworkError && !error.neverArrived) {
        throw new UserInputError(
          `${error.service} did not answer /${command.name} (${error.reasonText}). It may have acted anyway: check /status before trying again.`,
        );
      }
      throw error;
    }
  };

  const describeShort = (error: unknown) =>
    error instanceof ChatopsError ? error.message : 'internal error';

  const logFailure = (ctx: CommandContext, command: string, error: unknown) => {
    if (error instanceof UserInputError) return;
    const level = error instanceof ChatopsError ? 'warn' : 'error';
    logger[level]({ err: error, command, platform: ctx.platform, chat: ctx.chatId }, 'command failed');
  };

  /** Refuses a state-changing command that waited too long to reach us; null when it is fresh. */
  const staleRefusal = (ctx: CommandContext, command: AnyCommandSpec, mutates: boolean): Reply | null => {
    if (!(mutates || command.audited) || ctx.sentAtMs === undefined) return null;
    const ageMs = now() - ctx.sentAtMs;
    if (ageMs <= staleAfterMs) return null;
    logger.warn(
      { platform: ctx.platform, user: ctx.userId, chat: ctx.chatId, command: command.name, ageMs },
      'stale command ignored',
    );
    audit(ctx, command.name, '', null, 'expired', `sent ${formatDuration(ageMs)} before it reached the bot`);
    return {
      tone: 'warning',
      blocks: [
        {
          kind: 'text',
          text: `Ignored /${command.name} sent ${formatDuration(ageMs)} ago while I was offline; send it again if you still want it.`,
        },
      ],
    };
  };

  /**
   * `bot=all` (or `all` as the first word of a command that opts in): every bot of this chat is
   * asked at once and the answers joined into one reply. Commands that change state never accept it.
   */
  const routeAcrossBots = async (
    ctx: CommandContext,
    command: AnyCommandSpec,
    role: Role | null,
    positional: string[],
    named: Record<string, string>,
  ): Promise<Reply> => {
    if (command.mutates !== undefined && command.mutates !== false) {
      audit(ctx, command.name, '', null, 'denied', 'bot=all refused: the command changes state');
      throw new UserInputError(
        `/${command.name} changes state, so it is never sent to all bots at once; name one bot with bot=<name>.`,
      );
    }
    const acrossBots = command.acrossBots;
    if (!acrossBots) {
      throw new UserInputError(
        `/${command.name} does not answer for all bots at once; name one bot with bot=<name>.`,
      );
    }
    const bots = botsOfChat(ctx);
    if (bots.length === 0) throw new UserInputError('No Freqtrade bot is configured.');
    const args = bindArguments(command.args, positional, named, command.usage);
    const stricter = command.roleFor?.(args);
    if (stricter !== undefined && !authorize(policy, ctx, stricter.role).allowed) {
      throw new UserInputError(`Only ${stricter.role}s can ${stricter.action}.`);
    }
    if (acrossBots.whole) {
      const first = bots[0] as FreqtradeClient;
      return acrossBots.whole(makeRun(ctx, role, args, first), bots);
    }
    const deadlineMs = deps.fleetDeadlineMs ?? FLEET_VIEW_DEADLINE_MS;
    const results = await askAcrossBots({
      bots,
      deadlineMs,
      ask: async (bot) => {
        const run = makeRun(ctx, role, args, bot);
        return acrossBots.run ? acrossBots.run(run) : { reply: await command.run(run) };
      },
      describeError: (error) => {
        logFailure(ctx, command.name, error);
        return errorReply(error, command.name)
          .blocks.flatMap((block) => (block.kind === 'text' ? [block.text] : []))
          .join(' ');
      },
    });
    return joinFleetView(`/${command.name}`, results, deadlineMs);
  };

  const routeCommand = async (
    ctx: CommandContext,
    command: AnyCommandSpec,
    role: Role | null,
    positional: string[],
    named: Record<string, string>,
  ): Promise<Reply> => {
    // No bot may be called `all` (the config refuses the name), so bot=all always means the fleet.
    if (named.bot?.toLowerCase() === 'all') {
      const { bot: _all, ...rest } = named;
      return routeAcrossBots(ctx, command, role, positional, rest);
    }
    if (command.acrossBots && positional[0]?.toLowerCase() === 'all') {
      return routeAcrossBots(ctx, command, role, positional.slice(1), named);
    }
    const botNamed = { ...named };
    const bot = selectBot(ctx, botNamed);
    delete botNamed.bot;
    let args: Record<string, unknown>;
    try {
      args = bindArguments(command.args, positional, botNamed, command.usage);
    } catch (error) {
      const nothingGiven = positional.length === 0 && Object.keys(botNamed).length === 0;
      if (error instanceof UserInputError && nothingGiven && command.pick) {
        const picker = await command.pick(makeRun(ctx, role, {}, bot));
        if (picker) {
          const rows: ReplyButton[][] = picker.options.map((option) => [
            {
              label: option.label,
              action: invokeButton(ctx, command, bot.name, option.args, ctx.userId, PICKER_LIFETIME_MS),
              role: 'pick',
            },
          ]);
          const cancel = invokeButton(ctx, command, bot.name, {}, ctx.userId, PICKER_LIFETIME_MS, 'x');
          rows.push([{ label: 'Cancel', action: cancel, style: 'secondary', role: 'cancel' }]);
          return withBotName(addButtons(picker.prompt, rows), bot);
        }
      }
      throw error;
    }
    // A command that changes state only with some arguments is judged stale once they are known.
    if (typeof command.mutates === 'function') {
      const stale = staleRefusal(ctx, command, mutatesWith(command, args));
      if (stale) return stale;
    }
    return execute(ctx, role, command, args, bot, false);
  };

  const handleCommand: CommandRouter['handleCommand'] = async (ctx, name, positional, named) => {
    const startedMs = now();
    const command = byName.get(name.toLowerCase());
    if (!command) {
      const decision = authorize(policy, ctx, 'viewer');
      if (!decision.allowed) return null;
      finished('unknown', 'refused', startedMs);
      return {
        tone: 'warning',
        blocks: [{ kind: 'text', text: `Unknown command /${echoInput(name)}. Send /help for the list.` }],
      };
    }
    const decision = authorizeCommand(ctx, command);
    if (!decision.allowed) {
      const refusal = deny(ctx, command.name, decision.reason, decision.action);
      finished(command.name, 'denied', startedMs);
      return refusal;
    }
    if (!admitStranger(ctx, command)) {
      finished(command.name, 'denied', startedMs);
      return null;
    }
    const stale = staleRefusal(ctx, command, command.mutates === true);
    if (stale) {
      finished(command.name, 'refused', startedMs);
      return stale;
    }
    try {
      const reply = await routeCommand(ctx, command, decision.role, positional, named);
      finished(command.name, reply.expiresAtMs !== undefined ? 'confirm_requested' : 'ok', startedMs);
      return reply;
    } catch (error) {
      logFailure(ctx, command.name, error);
      finished(command.name, error instanceof UserInputError ? 'refused' : 'failed', startedMs);
      return errorReply(error, command.name);
    }
  };

  const handleText: CommandRouter['handleText'] = async (ctx, text) => {
    const parsed = parseCommandLine(text);
    if (!parsed) return null;
    if (parsed.repeatedKeys.length > 0) {
      const command = byName.get(parsed.name);
      // Strangers hear nothing more than for any other command (and open commands are paced there).
      if (!command || !authorizeCommand(ctx, command).allowed || command.openToStrangers === true) {
        return handleCommand(ctx, parsed.name, parsed.positional, parsed.named);
      }
      const keys = parsed.repeatedKeys.map((key) => `${echoInput(key)}=`).join(', ');
      return errorReply(
        new UserInputError(`${keys} was given more than once; give each key once.`, command.usage),
        command.name,
      );
    }
    return handleCommand(ctx, parsed.name, parsed.positional, parsed.named);
  };

  /** The confirm/cancel id of a prompt's buttons, if it has them. */
  const confirmIdOf = (reply: Reply): string | null => {
    for (const row of reply.buttons ?? []) {
      for (const button of row) {
        const parsed = parseButtonAction(button.action);
        if (parsed?.verb === 'confirm') return parsed.id;
      }
    }
    return null;
  };

  const expiredText = (commandName: string) =>
    `⌛ This confirmation expired: nothing was done. Send /${commandName} again if you still want it.`;

  const expiredPrompt: CommandRouter['expiredPrompt'] = (reply) => {
    const id = confirmIdOf(reply);
    if (id === null) return null;
    const action = pending.get(id);
    if (action?.kind !== 'confirm') return null;
    pending.delete(id);
    store.appendAudit({
      platform: action.platform,
      user_id: action.ownerUserId ?? '',
      chat_id: action.threadId !== null ? `${action.chatId}:${action.threadId}` : action.chatId,
      bot: action.bot,
      command: action.command,
      args: JSON.stringify(action.args),
      outcome: 'expired',
      detail: 'not confirmed in time',
    });
    const { buttons: _buttons, expiresAtMs: _expires, ...rest } = reply;
    const blocks = rest.blocks.filter(
      (block) => !(block.kind === 'text' && block.style === 'italic' && block.text.startsWith('Only ')),
    );
    return {
      ...rest,
      tone: 'neutral',
      blocks: [...blocks, { kind: 'text', text: expiredText(action.command), style: 'italic' }],
    };
  };

  const pressButton = async (
    ctx: CommandContext,
    actionText: string,
    acknowledge?: (notice: string) => Promise<void>,
  ): Promise<{ outcome: ButtonOutcome; command: string; result: CommandOutcome }> => {
    const refused = (outcome: ButtonOutcome, command = 'button') => ({
      outcome,
      command,
      result: 'refused' as const,
    });
    const parsed = parseButtonAction(actionText);
    if (!parsed) {
      logger.warn(
        { platform: ctx.platform, user: ctx.userId, chat: ctx.chatId },
        'unknown button data refused',
      );
      audit(ctx, 'button', '', null, 'denied', 'unknown button data');
      return refused({ mode: 'send', notice: 'This button is not valid.', alert: true });
    }
    const action = pending.get(parsed.id);
    if (!action || action.expiresAtMs <= now()) {
      if (action) pending.delete(parsed.id);
      if (usedConfirms.has(parsed.id)) {
        return refused({
          mode: 'send',
          notice: 'This was already confirmed. Nothing more was done.',
          alert: true,
        });
      }
      if (action?.kind === 'confirm' && action.ownerUserId === ctx.userId) {
        // The prompt loses its buttons and says so, instead of an alert nobody can act on.
        return refused(
          {
            mode: 'edit',
            notice: 'This confirmation expired. Nothing was done.',
            reply: { tone: 'neutral', blocks: [{ kind: 'text', text: expiredText(action.command) }] },
          },
          action.command,
        );
      }
      return refused({
        mode: 'send',
        notice: 'This button has expired or was already used. Nothing was done.',
        alert: true,
      });
    }
    const command = byName.get(action.command);
    const samePlace =
      action.platform === ctx.platform && action.chatId === ctx.chatId && action.threadId === ctx.threadId;
    if (!command || !samePlace) {
      audit(ctx, action.command, '', action.bot, 'denied', 'button pressed outside its chat');
      return refused({ mode: 'send', notice: 'This button is not valid here.', alert: true });
    }
    // Authorised again from scratch: role, chat and topic as they are now.
    const decision = authorizeCommand(ctx, command);
    if (!decision.allowed) {
      deny(ctx, command.name, decision.reason, 'ignore');
      return {
        outcome: { mode: 'send', notice: 'You are not allowed to do that.', alert: true },
        command: command.name,
        result: 'denied',
      };
    }
    if (action.ownerUserId !== null && action.ownerUserId !== ctx.userId) {
      audit(ctx, command.name, '', action.bot, 'denied', 'pressed by someone other than the requester');
      return {
        outcome: { mode: 'send', notice: 'Only the user who asked can use these buttons.', alert: true },
        command: command.name,
        result: 'denied',
      };
    }
    if (parsed.verb === 'cancel') {
      pending.delete(parsed.id);
      if (action.kind === 'confirm')
        audit(ctx, command.name, JSON.stringify(action.args), action.bot, 'cancelled');
      return {
        outcome: {
          mode: 'edit',
          notice: 'Cancelled.',
          reply: { tone: 'neutral', blocks: [{ kind: 'text', text: 'Cancelled. Nothing was done.' }] },
        },
        command: command.name,
        result: 'ok',
      };
    }
    if ((parsed.verb === 'confirm') !== (action.kind === 'confirm')) {
      audit(ctx, command.name, '', action.bot, 'denied', 'button verb does not match the pending action');
      return refused({ mode: 'send', notice: 'This button is not valid.', alert: true }, command.name);
    }
    if (action.kind === 'confirm' && ctx.arrivedWhileOffline) {
      // Telegram does not say when a button was pressed: one that waited for us while we were
      // down may be hours old, so it is not acted on.
      pending.delete(parsed.id);
      audit(ctx, command.name, JSON.stringify(action.args), action.bot, 'expired', 'pressed while offline');
      return refused(
        {
          mode: 'edit',
          notice: 'Pressed while I was offline. Nothing was done.',
          reply: {
            tone: 'warning',
            blocks: [
              {
                kind: 'text',
                text: `Ignored a Confirm of /${command.name} pressed while I was offline: nothing was done. Send it again if you still want it.`,
              },
            ],
          },
        },
        command.name,
      );
    }
    try {
      const bot = action.bot ? fleet.get(action.bot) : selectBot(ctx, {});
      if (action.kind === 'confirm') {
        // Used up before the REST call is awaited, so a double press cannot act twice; and used up
        // in the store too, so neither can a press after a crash or a takeover.
        pending.take(parsed.id);
        rememberUsed(parsed.id);
        if (!(await flushedWithin(store, STORE_WRITE_LIMIT_MS))) {
          logger.error(
            { command: command.name },
            'the state store did not record a confirmation; nothing was done',
          );
          audit(
            ctx,
            command.name,
            JSON.stringify(action.args),
            action.bot,
            'failed',
            'state store did not answer',
          );
          return refused(
            {
              mode: 'edit',
              notice: 'Nothing was done: the state store did not answer.',
              reply: {
                tone: 'error',
                blocks: [
                  {
                    kind: 'text',
                    text: `Nothing was done: I could not record this confirmation (the state store did not answer). Send /${command.name} again.`,
                  },
                ],
              },
            },
            command.name,
          );
        }
        // The press is answered before Freqtrade is called: a slow bot must not leave the
        // user's button spinning (Telegram gives up after about 15 s and the user presses again).
        if (acknowledge) {
          await acknowledge('Sending…').catch((error: unknown) =>
            logger.warn({ err: describeShort(error) }, 'could not acknowledge a button press'),
          );
        }
        if (command.snapshot && action.snapshot !== undefined) {
          const current = await command.snapshot(makeRun(ctx, decision.role, action.args, bot));
          if (current !== action.snapshot) {
            audit(
              ctx,
              command.name,
              JSON.stringify(action.args),
              action.bot,
              'cancelled',
              'changed since asked',
            );
            return refused(
              {
                mode: 'edit',
                notice: 'Nothing was done: things changed since you asked.',
                reply: {
                  tone: 'warning',
                  blocks: [
                    {
                      kind: 'text',
                      text: `Nothing was done: this changed since you asked (was ${action.snapshot}; now ${current}). Send /${command.name} again.`,
                    },
                  ],
                },
              },
              command.name,
            );
          }
        }
        const reply = await execute(ctx, decision.role, command, action.args, bot, true);
        return {
          outcome: { mode: 'edit', reply, notice: 'Done.' },
          command: command.name,
          result: outcomeOf(reply, 'ok'),
        };
      }
      const raw: Record<string, string> = {};
      for (const [key, value] of Object.entries(action.args)) raw[key] = String(value);
      // A picker's choice is used once; a Chart button may be pressed again for a fresh chart.
      if (action.ownerUserId !== null && action.edit) pending.delete(parsed.id);
      const positional: string[] = [];
      const args = bindArguments(command.args, positional, raw, command.usage);
      const reply = await execute(ctx, decision.role, command, args, bot, false);
      return {
        outcome: { mode: action.edit ? 'edit' : 'send', reply },
        command: command.name,
        result: reply.expiresAtMs !== undefined ? 'confirm_requested' : 'ok',
      };
    } catch (error) {
      logFailure(ctx, command.name, error);
      // A failed Chart press says why in a new message: the reply it was pressed on stays.
      const mode = action.kind === 'invoke' && !action.edit ? 'send' : 'edit';
      return {
        outcome: { mode, reply: errorReply(error, command.name) },
        command: command.name,
        result: error instanceof UserInputError ? 'refused' : 'failed',
      };
    }
  };

  const handleButton: CommandRouter['handleButton'] = async (ctx, actionText, acknowledge) => {
    const startedMs = now();
    const { outcome, command, result } = await pressButton(ctx, actionText, acknowledge);
    finished(command, result, startedMs);
    return outcome;
  };

  const botOfLine: CommandRouter['botOfLine'] = (ctx, text) => {
    const parsed = parseCommandLine(text);
    if (!parsed) return null;
    const command = byName.get(parsed.name);
    if (!command || command.needsBot === false) return null;
    try {
      return selectBot(ctx, parsed.named).name;
    } catch {
      return null;
    }
  };

  const suggest: CommandRouter['suggest'] = async ({ ctx, command: name, key, prefix, named = {} }) => {
    const command = byName.get(name.toLowerCase());
    if (!command || !authorizeCommand(ctx, command).allowed) return [];
    const shape = command.args.shape as Record<string, z.ZodType>;
    const field = shape[key];
    const suggester = field ? suggesterOf(field) : key === 'bot' ? suggestBots : undefined;
    if (!suggester) return [];
    try {
      // The bot named in the other options, else the chat's; none when neither can be used here.
      const botOf = (given: Record<string, string>): FreqtradeClient | undefined => {
        try {
          return selectBot(ctx, given);
        } catch {
          return undefined;
        }
      };
      const bot = botOf(named) ?? botOf({});
      const sources: SuggestionSources = {
        bot,
        botNames: botsOfChat(ctx).map((client) => client.name),
        acrossBots: command.acrossBots !== undefined,
      };
      return (await suggester(sources, prefix)).slice(0, MAX_SUGGESTIONS);
    } catch (error) {
      logger.warn({ err: describeShort(error), command: command.name, key }, 'suggestions failed');
      return [];
    }
  };

  return {
    handleText,
    handleCommand,
    handleButton,
    expiredPrompt,
    botOfLine,
    suggest,
    commands: () => deps.commands,
    find: (name) => byName.get(name.toLowerCase()),
  };
}
