import { type AccessPolicy, authorize } from '../access/policy.js';
import { ApiError, ChatopsError, NetworkError, UserInputError, ValidationError } from '../errors.js';
import type { FreqtradeClient } from '../freqtrade/client.js';
import { bindArguments } from './arguments.js';
import { parseCommandLine } from './parse-command.js';
import { createPendingActions, type PendingAction, parseButtonAction } from './pending-actions.js';
import type { Reply, ReplyButton } from './reply.js';
import type { AnyCommandSpec, CommandContext, CommandRun, CommandServices, Role } from './types.js';

export interface CommandRouterDeps {
  services: Omit<CommandServices, 'commands'>;
  commands: AnyCommandSpec[];
  policy: AccessPolicy;
  /** A denied sender hears "not allowed" at most once per this interval per chat. */
  denyReplyIntervalMs?: number;
  /** Told once per typed command or button press when it has been handled (metrics). */
  onCommandFinished?(event: CommandFinishedEvent): void;
}

/** How a command or button press ended: for metrics, never shown to users. */
export type CommandOutcome = 'ok' | 'confirm_requested' | 'refused' | 'denied' | 'failed';

/** What a command reports when it ends, filled in as it runs. */
type CommandTrack = Omit<CommandFinishedEvent, 'durationMs'>;

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
  handleButton(ctx: CommandContext, action: string): Promise<ButtonOutcome>;
  commands(): AnyCommandSpec[];
  find(name: string): AnyCommandSpec | undefined;
}

const REFRESH_LIFETIME_MS = 24 * 60 * 60 * 1000;
const PICKER_LIFETIME_MS = 5 * 60 * 1000;

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
  const pending = createPendingActions({ now });
  const lastDenied = new Map<string, number>();

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
    const key = `${ctx.platform}:${ctx.chatId}:${ctx.userId}`;
    const last = lastDenied.get(key);
    if (last !== undefined && now() - last < denyIntervalMs) return null;
    lastDenied.set(key, now());
    return { tone: 'warning', blocks: [{ kind: 'text', text: 'You are not allowed to do that here.' }] };
  };

  const selectBot = (ctx: CommandContext, named: Record<string, string>): FreqtradeClient => {
    const requested = named.bot;
    if (requested !== undefined) return fleet.get(requested);
    const current = store.chat(chatKeyOf(ctx)).current_bot;
    if (current && fleet.has(current)) return fleet.get(current);
    const first = fleet.all()[0];
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

  const withBotName = (reply: Reply, bot: FreqtradeClient): Reply =>
    fleet.names.length > 1 && reply.title && !reply.title.includes(`[${bot.name}]`)
      ? { ...reply, title: `[${bot.name}] ${reply.title}` }
      : reply;

  const addButtons = (reply: Reply, rows: ReplyButton[][]): Reply =>
    rows.length ? { ...reply, buttons: [...(reply.buttons ?? []), ...rows] } : reply;

  const baseAction = (ctx: CommandContext) => ({
    platform: ctx.platform,
    chatId: ctx.chatId,
    threadId: ctx.threadId,
  });

  /** Stores a button that re-runs `command` with raw `args` (Refresh, picker choices) and returns its action string. */
  const invokeButton = (
    ctx: CommandContext,
    command: AnyCommandSpec,
    bot: string | null,
    args: Record<string, string>,
    ownerUserId: string | null,
    lifetimeMs: number,
    verb: 'i' | 'x' = 'i',
  ): string =>
    `${verb}:${pending.add({
      kind: 'invoke',
      command: command.name,
      args,
      bot,
      ...baseAction(ctx),
      ownerUserId,
      expiresAtMs: now() + lifetimeMs,
      edit: true,
    })}`;

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
    const run = makeRun(ctx, role, args, bot);
    if (command.mutates && command.needsBot !== false) {
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
        addButtons(withFooter, [
          [
            { label: 'Confirm', action: `c:${id}`, style: 'danger' },
            { label: 'Cancel', action: `x:${id}`, style: 'secondary' },
          ],
        ]),
        bot,
      );
    }
    try {
      let reply = await command.run(run);
      if (command.mutates) audit(ctx, command.name, argsText, botName, 'ok');
      if (command.refreshable) {
        const rawArgs: Record<string, string> = {};
        for (const [key, value] of Object.entries(args)) {
          if (value !== undefined) rawArgs[key] = Array.isArray(value) ? value.join(' ') : String(value);
        }
        const action = invokeButton(ctx, command, botName, rawArgs, null, REFRESH_LIFETIME_MS);
        reply = addButtons(reply, [[{ label: '🔄 Refresh', action, style: 'secondary' }]]);
      }
      return command.needsBot === false ? reply : withBotName(reply, bot);
    } catch (error) {
      if (command.mutates) audit(ctx, command.name, argsText, botName, 'failed', describeShort(error));
      // No answer is not "nothing happened": the order may have been placed before the line went
      // quiet. Only a refused connection proves the request never arrived.
      if (command.mutates && error instanceof NetworkError && error.reasonText !== 'connection refused') {
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

  /** Times one command or button press and tells `onCommandFinished` how it ended. */
  const reported = async <T>(handle: (track: CommandTrack) => Promise<T>): Promise<T> => {
    const startedMs = performance.now();
    const track: CommandTrack = { command: 'unknown', outcome: 'ok' };
    try {
      return await handle(track);
    } finally {
      deps.onCommandFinished?.({ ...track, durationMs: performance.now() - startedMs });
    }
  };
  /** The outcome of a command that threw: the user's mistake, or a failure. */
  const thrownOutcome = (error: unknown): CommandOutcome =>
    error instanceof UserInputError ? 'refused' : 'failed';

  const handleCommand: CommandRouter['handleCommand'] = (ctx, name, positional, named) =>
    reported((track) => runCommand(track, ctx, name, positional, named));

  const runCommand = async (
    track: CommandTrack,
    ...[ctx, name, positional, named]: Parameters<CommandRouter['handleCommand']>
  ): Promise<Reply | null> => {
    const command = byName.get(name.toLowerCase());
    if (!command) {
      const decision = authorize(policy, ctx, 'viewer');
      track.outcome = decision.allowed ? 'refused' : 'denied';
      if (!decision.allowed) return null;
      return {
        tone: 'warning',
        blocks: [{ kind: 'text', text: `Unknown command /${name}. Send /help for the list.` }],
      };
    }
    track.command = command.name;
    const decision = authorize(policy, ctx, command.role);
    if (!decision.allowed) {
      track.outcome = 'denied';
      return deny(ctx, command.name, decision.reason, decision.action);
    }
    try {
      const botNamed = { ...named };
      const bot = selectBot(ctx, botNamed);
      delete botNamed.bot;
      let args: Record<string, unknown>;
      try {
        args = bindArguments(command.args, positional, botNamed, command.usage);
      } catch (error) {
        const nothingGiven = positional.length === 0 && Object.keys(botNamed).length === 0;
        if (error instanceof UserInputError && nothingGiven && command.pick) {
          const picker = await command.pick(makeRun(ctx, decision.role, {}, bot));
          if (picker) {
            const rows: ReplyButton[][] = picker.options.map((option) => [
              {
                label: option.label,
                action: invokeButton(ctx, command, bot.name, option.args, ctx.userId, PICKER_LIFETIME_MS),
              },
            ]);
            const cancel = invokeButton(ctx, command, bot.name, {}, ctx.userId, PICKER_LIFETIME_MS, 'x');
            rows.push([{ label: 'Cancel', action: cancel, style: 'secondary' }]);
            return withBotName(addButtons(picker.prompt, rows), bot);
          }
        }
        throw error;
      }
      const reply = await execute(ctx, decision.role, command, args, bot, false);
      if (command.confirm) track.outcome = 'confirm_requested';
      return reply;
    } catch (error) {
      track.outcome = thrownOutcome(error);
      logFailure(ctx, command.name, error);
      return errorReply(error, command.name);
    }
  };

  const handleText: CommandRouter['handleText'] = async (ctx, text) => {
    const parsed = parseCommandLine(text);
    if (!parsed) return null;
    return handleCommand(ctx, parsed.name, parsed.positional, parsed.named);
  };

  const handleButton: CommandRouter['handleButton'] = (ctx, actionText) =>
    reported((track) => runButton(track, ctx, actionText));

  const runButton = async (
    track: CommandTrack,
    ctx: CommandContext,
    actionText: string,
  ): Promise<ButtonOutcome> => {
    const parsed = parseButtonAction(actionText);
    // Every early answer below refuses the press; the ones that act set their own outcome.
    track.outcome = 'denied';
    if (!parsed) {
      logger.warn(
        { platform: ctx.platform, user: ctx.userId, chat: ctx.chatId },
        'unknown button data refused',
      );
      audit(ctx, 'button', '', null, 'denied', 'unknown button data');
      return { mode: 'send', notice: 'This button is not valid.', alert: true };
    }
    const action = pending.get(parsed.id);
    if (action && byName.has(action.command)) track.command = action.command;
    if (!action || action.expiresAtMs <= now()) {
      track.outcome = 'refused';
      if (action) pending.delete(parsed.id);
      return {
        mode: 'send',
        notice: 'This button has expired or was already used. Nothing was done.',
        alert: true,
      };
    }
    const command = byName.get(action.command);
    const samePlace =
      action.platform === ctx.platform && action.chatId === ctx.chatId && action.threadId === ctx.threadId;
    if (!command || !samePlace) {
      audit(ctx, action.command, '', action.bot, 'denied', 'button pressed outside its chat');
      return { mode: 'send', notice: 'This button is not valid here.', alert: true };
    }
    // Authorised again from scratch: role, chat and topic as they are now.
    const decision = authorize(policy, ctx, command.role);
    if (!decision.allowed) {
      deny(ctx, command.name, decision.reason, 'ignore');
      return { mode: 'send', notice: 'You are not allowed to do that.', alert: true };
    }
    if (action.ownerUserId !== null && action.ownerUserId !== ctx.userId) {
      audit(ctx, command.name, '', action.bot, 'denied', 'pressed by someone other than the requester');
      return { mode: 'send', notice: 'Only the user who asked can use these buttons.', alert: true };
    }
    track.outcome = 'ok';
    if (parsed.verb === 'cancel') {
      pending.delete(parsed.id);
      if (action.kind === 'confirm')
        audit(ctx, command.name, JSON.stringify(action.args), action.bot, 'cancelled');
      return {
        mode: 'edit',
        notice: 'Cancelled.',
        reply: { tone: 'neutral', blocks: [{ kind: 'text', text: 'Cancelled.' }] },
      };
    }
    if ((parsed.verb === 'confirm') !== (action.kind === 'confirm')) {
      track.outcome = 'denied';
      audit(ctx, command.name, '', action.bot, 'denied', 'button verb does not match the pending action');
      return { mode: 'send', notice: 'This button is not valid.', alert: true };
    }
    try {
      const bot = action.bot ? fleet.get(action.bot) : selectBot(ctx, {});
      if (action.kind === 'confirm') {
        // Used up before the REST call is awaited, so a double press cannot act twice.
        pending.take(parsed.id);
        if (command.snapshot && action.snapshot !== undefined) {
          const current = await command.snapshot(makeRun(ctx, decision.role, action.args, bot));
          if (current !== action.snapshot) {
            track.outcome = 'refused';
            audit(
              ctx,
              command.name,
              JSON.stringify(action.args),
              action.bot,
              'cancelled',
              'changed since asked',
            );
            return {
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
            };
          }
        }
        const reply = await execute(ctx, decision.role, command, action.args, bot, true);
        return { mode: 'edit', reply, notice: 'Done.' };
      }
      const raw: Record<string, string> = {};
      for (const [key, value] of Object.entries(action.args)) raw[key] = String(value);
      if (action.ownerUserId !== null) pending.delete(parsed.id);
      const positional: string[] = [];
      const args = bindArguments(command.args, positional, raw, command.usage);
      const reply = await execute(ctx, decision.role, command, args, bot, false);
      if (command.confirm) track.outcome = 'confirm_requested';
      return { mode: action.edit ? 'edit' : 'send', reply };
    } catch (error) {
      track.outcome = thrownOutcome(error);
      logFailure(ctx, command.name, error);
      return { mode: 'edit', reply: errorReply(error, command.name) };
    }
  };

  return {
    handleText,
    handleCommand,
    handleButton,
    commands: () => deps.commands,
    find: (name) => byName.get(name.toLowerCase()),
  };
}
