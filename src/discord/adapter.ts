/**
 * The discord.js adapter: slash commands, buttons and autocomplete → the command router; Reply →
 * embeds (via `renderDiscord`). Notifications go out through REST, so they work while the gateway
 * is still connecting.
 */
import {
  AttachmentBuilder,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  Client,
  DiscordAPIError,
  DiscordjsError,
  DiscordjsErrorCodes,
  Events,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
  RateLimitError,
  REST,
  RESTJSONErrorCodes,
  Routes,
} from 'discord.js';
import { z } from 'zod';
import type { Reply } from '../chat/reply.js';
import type { CommandRouter } from '../chat/router.js';
import type { CommandContext } from '../chat/types.js';
import type { Fleet } from '../freqtrade/fleet.js';
import type { Logger } from '../logger.js';
import { createResumableSender } from '../notify/delivery.js';
import { DeliveryError, PlatformAuthError } from '../errors.js';
import type { DiscordConfig } from './config.js';
import { type DiscordMessagePayload, renderDiscord } from './render.js';
import { toSlashCommands } from './slash-commands.js';

export interface DiscordAdapterDeps {
  config: DiscordConfig;
  router: CommandRouter;
  fleet: Fleet;
  logger: Logger;
  /** First retry delay when Discord is unreachable at start; doubles up to `retryMaxMs`. */
  retryInitialMs?: number;
  retryMaxMs?: number;
}

export interface DiscordAdapter {
  readonly platform: 'discord';
  /**
   * Logs in, waits for the gateway's ready and registers the slash commands. Resolves after the
   * first failed attempt when Discord is unreachable, and keeps retrying in the background.
   * Rejects when Discord refuses the token.
   */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sends a reply to a channel (notifications), each payload in order. */
  send(channelId: string, reply: Reply): Promise<void>;
}

/** https://discord.com/developers/docs/interactions/receiving-and-responding: answer within 3 s. */
const AUTOCOMPLETE_BUDGET_MS = 2_500;
/** https://discord.com/developers/docs/interactions/application-commands#autocomplete: ≤ 25 choices. */
const MAX_CHOICES = 25;
const CHOICE_TEXT_MAX = 100;
/** How long a login waits for the gateway's READY (and the guilds after it) before going on. */
const READY_TIMEOUT_MS = 30_000;
/**
 * How long start() waits for the first login: a Discord that does not answer at all can take
 * @discordjs/rest's 15 s timeout × 4 tries to fail, and the other platforms should not wait that.
 */
const START_WAIT_MS = 15_000;
const NOT_SERVED = 'Commands are not served in this channel.';
const FAILED = 'Something went wrong; the details are in the log.';

/** Discord error codes that mean "this channel will never take our messages". */
const PERMANENT_CODES = new Set<number | string>([
  RESTJSONErrorCodes.UnknownChannel,
  RESTJSONErrorCodes.MissingAccess,
  RESTJSONErrorCodes.MissingPermissions,
  RESTJSONErrorCodes.CannotSendMessagesToThisUser,
]);

/** The part of a raw INTERACTION_CREATE we need that discord.js hides: the member's role ids. */
const rawInteractionSchema = z.object({
  t: z.literal('INTERACTION_CREATE'),
  d: z.object({
    id: z.string(),
    member: z.object({ roles: z.array(z.string()) }).optional(),
  }),
});

interface Choice {
  name: string;
  value: string | number;
}

function describeDiscordError(error: unknown): Record<string, unknown> {
  if (error instanceof DiscordAPIError) {
    return { status: error.status, code: error.code, message: error.message, method: error.method };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { message: String(error) };
}

function isTokenError(error: unknown): boolean {
  return (
    (error instanceof DiscordjsError && error.code === DiscordjsErrorCodes.TokenInvalid) ||
    (error instanceof DiscordAPIError && error.status === 401)
  );
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

const retryAfterBodySchema = z.object({ retry_after: z.number().nonnegative() });

/**
 * How long Discord asked us to wait, in ms: a RateLimitError (discord.js gave up waiting) carries
 * it in ms, a 429 DiscordAPIError in its body's `retry_after` (seconds); undefined otherwise.
 */
export function discordRetryAfterMs(error: unknown): number | undefined {
  if (error instanceof RateLimitError) return error.retryAfter;
  if (error instanceof DiscordAPIError && error.status === 429) {
    const body = retryAfterBodySchema.safeParse(error.rawError);
    return body.success ? Math.ceil(body.data.retry_after * 1000) : undefined;
  }
  return undefined;
}

/** The discord.js adapter: interactions → CommandContext → router; Reply → embeds and buttons. */
export function createDiscordAdapter(deps: DiscordAdapterDeps): DiscordAdapter {
  const { config, router, fleet, logger } = deps;
  const retryInitialMs = deps.retryInitialMs ?? 1_000;
  const retryMaxMs = deps.retryMaxMs ?? 30_000;
  const configuredChannels = new Set(config.channels.map((channel) => channel.channel_id));
  // Notifications and command registration use their own REST client: they need no gateway.
  const rest = new REST({ api: config.api_root }).setToken(config.token);
  const sendResumable = createResumableSender();
  rest.on('rateLimited', (info) => {
    logger.debug(
      { route: info.route, retryAfterMs: info.retryAfter, global: info.global },
      'discord rate limit',
    );
  });

  let client: Client | null = null;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | null = null;
  /** Role ids of the member behind each interaction, from the raw gateway packet. */
  const rolesByInteraction = new Map<string, string[]>();

  const rolesOf = (interaction: Interaction): string[] => {
    const raw = rolesByInteraction.get(interaction.id);
    rolesByInteraction.delete(interaction.id);
    if (raw) return raw;
    const member = interaction.member;
    if (!member) return [];
    return Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
  };

  const contextOf = (interaction: Interaction): CommandContext => ({
    platform: 'discord',
    chatId: interaction.channelId ?? '',
    userId: interaction.user.id,
    threadId: null,
    isPrivate: !interaction.inGuild(),
    userName: interaction.user.username,
    platformRoles: rolesOf(interaction),
    sentAtMs: interaction.createdTimestamp,
  });

  const expiryTimers = new Set<NodeJS.Timeout>();
  /**
   * When a confirmation prompt's time is up, its buttons go and it says it expired, unless it was
   * used meanwhile (the router knows). The interaction's token outlives any confirmation window.
   */
  const scheduleExpiry = (interaction: ChatInputCommandInteraction | ButtonInteraction, reply: Reply) => {
    if (reply.expiresAtMs === undefined) return;
    const timer = setTimeout(
      () => {
        expiryTimers.delete(timer);
        const expired = router.expiredPrompt(reply);
        const first = expired ? renderDiscord(expired)[0] : undefined;
        if (!first) return;
        interaction
          .editReply(toMessage(first, true))
          .catch((error: unknown) =>
            logger.warn({ err: describeDiscordError(error) }, 'could not mark an expired confirmation'),
          );
      },
      Math.max(0, reply.expiresAtMs - Date.now()) + 250,
    );
    timer.unref();
    expiryTimers.add(timer);
  };

  /**
   * A payload as discord.js takes it; its upload (the image) as an attachment with its alt text.
   * `replacing` an existing message drops the attachments it had (a refreshed chart replaces the
   * old one instead of sitting beside it).
   */
  const toMessage = (payload: DiscordMessagePayload, replacing = false) => ({
    ...(payload.content !== undefined ? { content: payload.content } : {}),
    embeds: payload.embeds ?? [],
    components: payload.components ?? [],
    allowedMentions: { parse: [] },
    ...(payload.files?.length
      ? {
          files: payload.files.map(
            (file) =>
              new AttachmentBuilder(Buffer.from(file.data), {
                name: file.name,
                description: file.description,
              }),
          ),
        }
      : {}),
    ...(replacing ? { attachments: [] } : {}),
  });

  const handleChatInput = async (interaction: ChatInputCommandInteraction) => {
    const ctx = contextOf(interaction);
    // Acknowledge first: Discord drops an interaction not answered within 3 s. Outside the
    // configured channels only the sender sees what comes back.
    const ephemeral = !ctx.isPrivate && !configuredChannels.has(ctx.chatId);
    await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    try {
      const named: Record<string, string> = {};
      for (const option of interaction.options.data) {
        if (option.value !== undefined && option.value !== null) named[option.name] = String(option.value);
      }
      const reply = await router.handleCommand(ctx, interaction.commandName, [], named);
      if (!reply) {
        if (ephemeral) await interaction.editReply({ content: NOT_SERVED });
        else await interaction.deleteReply();
        return;
      }
      const [first, ...rest] = renderDiscord(reply);
      if (!first) {
        await interaction.deleteReply();
        return;
      }
      await interaction.editReply(toMessage(first));
      scheduleExpiry(interaction, reply);
      for (const payload of rest) {
        await interaction.followUp({
          ...toMessage(payload),
          ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
        });
      }
    } catch (error) {
      logger.error(
        { err: describeDiscordError(error), command: interaction.commandName, channel: ctx.chatId },
        'discord command failed',
      );
      await interaction.editReply({ content: FAILED, embeds: [], components: [] }).catch(() => undefined);
    }
  };

  const handleButton = async (interaction: ButtonInteraction) => {
    const ctx = contextOf(interaction);
    await interaction.deferUpdate();
    try {
      const outcome = await router.handleButton(ctx, interaction.customId);
      if (outcome.notice && outcome.alert) {
        // A refusal (someone else's button, expired, not allowed): only the presser hears it,
        // and the message stays as it is.
        await interaction.followUp({ content: outcome.notice, flags: MessageFlags.Ephemeral });
      }
      if (!outcome.reply) return;
      const payloads = renderDiscord(outcome.reply);
      const [first, ...rest] = payloads;
      if (outcome.mode === 'edit' && first) {
        await interaction.editReply(toMessage(first, true));
        scheduleExpiry(interaction, outcome.reply);
        for (const payload of rest) await interaction.followUp(toMessage(payload));
        return;
      }
      for (const payload of payloads) await interaction.followUp(toMessage(payload));
    } catch (error) {
      logger.error({ err: describeDiscordError(error), channel: ctx.chatId }, 'discord button failed');
      await interaction.followUp({ content: FAILED, flags: MessageFlags.Ephemeral }).catch(() => undefined);
    }
  };

  const handleAutocomplete = async (interaction: AutocompleteInteraction) => {
    let choices: Choice[] = [];
    try {
      const focused = interaction.options.getFocused(true);
      // The other options already filled in (e.g. `bot`), as the router's raw arguments.
      const named: Record<string, string> = {};
      for (const option of interaction.options.data) {
        if (!option.focused && option.value !== undefined) named[option.name] = String(option.value);
      }
      const numeric = focused.type === 4 || focused.type === 10;
      const suggestions = await withTimeout(
        router.suggest({
          ctx: contextOf(interaction),
          command: interaction.commandName,
          key: focused.name,
          prefix: String(focused.value),
          named,
        }),
        AUTOCOMPLETE_BUDGET_MS,
        [],
      );
      choices = suggestions
        // A number option takes only numbers: words like "all" cannot be offered there.
        .filter((suggestion) => !numeric || /^\d+$/.test(suggestion.value))
        .map((suggestion) => ({
          name: suggestion.label,
          value: numeric ? Number(suggestion.value) : suggestion.value,
        }));
    } catch (error) {
      logger.warn(
        { err: describeDiscordError(error), command: interaction.commandName },
        'autocomplete failed',
      );
      choices = [];
    }
    await interaction.respond(
      choices.slice(0, MAX_CHOICES).map((choice) => ({
        name: clip(choice.name, CHOICE_TEXT_MAX),
        value: typeof choice.value === 'string' ? clip(choice.value, CHOICE_TEXT_MAX) : choice.value,
      })),
    );
  };

  const onInteraction = (interaction: Interaction) => {
    let work: Promise<void> | undefined;
    if (interaction.isChatInputCommand()) work = handleChatInput(interaction);
    else if (interaction.isButton()) work = handleButton(interaction);
    else if (interaction.isAutocomplete()) work = handleAutocomplete(interaction);
    work?.catch((error: unknown) => {
      logger.error(
        { err: describeDiscordError(error), interaction: interaction.id },
        'discord interaction failed',
      );
    });
  };

  const buildClient = (): Client => {
    const created = new Client({
      intents: [GatewayIntentBits.Guilds],
      rest: { api: config.api_root },
      // Guilds that have not arrived after this long are marked unavailable; ready fires anyway.
      waitGuildTimeout: 5_000,
    });
    created.on('raw', (packet: unknown) => {
      const parsed = rawInteractionSchema.safeParse(packet);
      if (!parsed.success || !parsed.data.d.member) return;
      rolesByInteraction.set(parsed.data.d.id, parsed.data.d.member.roles);
      // Keep the map small even if an interaction is never handled.
      if (rolesByInteraction.size > 1_000) {
        const oldest = rolesByInteraction.keys().next().value;
        if (oldest !== undefined) rolesByInteraction.delete(oldest);
      }
    });
    created.on(Events.InteractionCreate, onInteraction);
    created.on(Events.Error, (error) =>
      logger.error({ err: describeDiscordError(error) }, 'discord client error'),
    );
    created.on(Events.ShardDisconnect, (event, shard) =>
      logger.warn({ code: event.code, shard }, 'discord gateway disconnected'),
    );
    return created;
  };

  const registerCommands = async () => {
    const body = toSlashCommands(router.commands(), { multipleBots: fleet.names.length > 1 });
    const route = config.guild_id
      ? Routes.applicationGuildCommands(config.application_id, config.guild_id)
      : Routes.applicationCommands(config.application_id);
    try {
      await rest.put(route, { body });
      logger.info(
        { commands: body.length, scope: config.guild_id ? `guild ${config.guild_id}` : 'global' },
        'discord slash commands registered',
      );
    } catch (error) {
      logger.error(
        { err: describeDiscordError(error) },
        'discord refused the slash commands; commands already registered stay as they were',
      );
    }
  };

  /** One login attempt; true when connected, false when worth retrying, throws on a bad token. */
  const connect = async (): Promise<boolean> => {
    const attempt = buildClient();
    client = attempt;
    try {
      const ready = new Promise<void>((resolve) => {
        attempt.once(Events.ClientReady, () => resolve());
      });
      await attempt.login(config.token);
      if (!attempt.isReady()) await withTimeout(ready, READY_TIMEOUT_MS, undefined);
    } catch (error) {
      client = null;
      await attempt.destroy().catch(() => undefined);
      // The one start failure that retrying cannot fix.
      if (isTokenError(error)) throw new PlatformAuthError('Discord', 'discord.token', '401 Unauthorized');
      logger.warn({ err: describeDiscordError(error) }, 'discord is unreachable; retrying');
      return false;
    }
    if (stopped) {
      await attempt.destroy();
      client = null;
      return true;
    }
    await registerCommands();
    logger.info({ user: attempt.user?.username }, 'discord bot started');
    return true;
  };

  const retryLater = (delayMs: number) => {
    if (stopped) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (stopped) return;
      connect().then(
        (connected) => {
          if (!connected) retryLater(Math.min(delayMs * 2, retryMaxMs));
        },
        (error: unknown) => {
          logger.error({ err: describeDiscordError(error) }, 'discord stopped retrying');
        },
      );
    }, delayMs);
  };

  return {
    platform: 'discord',
    async start() {
      stopped = false;
      // Discord may be unreachable: keep trying in the background rather than hold up the rest.
      const first = connect();
      const outcome = await withTimeout(
        first.then((connected) => (connected ? 'connected' : 'retry')),
        START_WAIT_MS,
        'pending',
      );
      if (outcome === 'retry') retryLater(retryInitialMs);
      if (outcome === 'pending') {
        logger.warn({ waitedMs: START_WAIT_MS }, 'discord is slow to answer; going on while it connects');
        first.then(
          (connected) => {
            if (!connected) retryLater(retryInitialMs);
          },
          (error: unknown) => logger.error({ err: describeDiscordError(error) }, 'discord stopped retrying'),
        );
      }
    },
    async stop() {
      stopped = true;
      for (const timer of expiryTimers) clearTimeout(timer);
      expiryTimers.clear();
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      const current = client;
      client = null;
      await current?.destroy();
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
    },
    async send(channelId, reply) {
      try {
        await sendResumable(reply, renderDiscord(reply), async ({ files, ...payload }) => {
          await rest.post(Routes.channelMessages(channelId), {
            body: {
              ...payload,
              allowed_mentions: { parse: [] },
              ...(files?.length
                ? {
                    attachments: files.map((file, id) => ({
                      id,
                      filename: file.name,
                      description: file.description,
                    })),
                  }
                : {}),
            },
            ...(files?.length
              ? {
                  files: files.map((file, id) => ({
                    key: `files[${id}]`,
                    name: file.name,
                    data: Buffer.from(file.data),
                    contentType: 'image/png',
                  })),
                }
              : {}),
          });
        });
      } catch (error) {
        const permanent =
          error instanceof DiscordAPIError &&
          (PERMANENT_CODES.has(error.code) || error.status === 403 || error.status === 404);
        const what = error instanceof DiscordAPIError ? `${error.status} ${error.message}` : String(error);
        const dropMessage = !permanent && error instanceof DiscordAPIError && error.status === 400;
        const retryAfterMs = discordRetryAfterMs(error);
        throw new DeliveryError(`discord delivery to ${channelId} failed: ${what}`, {
          permanent,
          dropMessage,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
          cause: error,
        });
      }
    },
  };
}
