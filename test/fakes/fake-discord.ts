/**
 * A fake Discord (REST API v10 + gateway) on 127.0.0.1 for end-to-end tests with the real discord.js.
 *
 * ```ts
 * const fake = await startFakeDiscord();
 * const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiRoot } });
 * await client.login(fake.token);
 * ```
 * discord.js asks `GET /api/v10/gateway/bot` for the gateway URL, which points back at this server
 * (`ws://127.0.0.1:PORT/gateway`, see `./discord-gateway.ts`): HELLO, IDENTIFY → READY + GUILD_CREATE,
 * heartbeats, RESUME, and INTERACTION_CREATE dispatches for `invokeCommand`, `invokeAutocomplete` and
 * `pressButton`.
 *
 * REST answers carry Discord's error bodies (`{"message": "...", "code": N, "errors": {...}}`) and
 * `x-ratelimit-*` headers. Bodies are checked like Discord checks them (`./discord-validate.ts`):
 * command definitions, message content/embeds/components, autocomplete choices. Interactions must be
 * acknowledged exactly once within 3 s of the dispatch (40060 for a second one, 10062 when late); their
 * token then serves webhook follow-ups and edits for 15 minutes.
 *
 * Not modelled: per-route rate limits (answers report a generous 50 per second and never enforce them;
 * inject 429s with `fail429`), permissions, threads, reactions, modal submits, select-menu presses.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createFakeGateway } from './discord-gateway.js';
import {
  bodyRecord,
  bucketHash,
  matchPattern,
  RateLimitBuckets,
  readRequestBody,
  routeMatches,
  type UploadedFile,
} from './discord-http.js';
import {
  type ChannelInfo,
  createSnowflakes,
  dmChannelObject,
  EVERYONE_PERMISSIONS,
  type GuildInfo,
  guildChannelObject,
  guildCreateObject,
  memberObject,
  randomToken,
  type UserInfo,
  userObject,
} from './discord-payloads.js';
import {
  type ErrorTree,
  hasErrors,
  isEmptyMessage,
  isRecord,
  validateAutocompleteChoices,
  validateCommand,
  validateCommandList,
  validateAttachmentReferences,
  validateMessageBody,
} from './discord-validate.js';

export { COMMAND_LIMITS, MESSAGE_LIMITS } from './discord-validate.js';

export interface FakeDiscordOptions {
  /** Default 'fake-discord-token.abc.def'. */
  token?: string;
  /** Default '900000000000000001'. */
  applicationId?: string;
  /** Default {id: applicationId, username: 'chatops-test-bot'} (a bot user shares its application's id). */
  botUser?: { id: string; username: string };
  /** Default one guild '800000000000000001' with text channels '700000000000000001' and '700000000000000002'. */
  guilds?: Array<{
    id: string;
    name?: string;
    channels: Array<{ id: string; name?: string }>;
    roles?: Array<{ id: string; name: string }>;
  }>;
  /** HELLO's heartbeat_interval; default 41250 ms like Discord. Small values keep heartbeat tests fast. */
  heartbeatIntervalMs?: number;
  /** How long after the dispatch an interaction may be acknowledged; default 3000 ms. */
  interactionAckWindowMs?: number;
  /** How long an interaction token serves webhook follow-ups; default 15 minutes. */
  interactionTokenTtlMs?: number;
}

export interface FakeDiscordMessage {
  id: string;
  channel_id: string;
  content: string;
  embeds: Array<Record<string, unknown>>;
  components: unknown[];
  flags?: number;
  via: 'channel' | 'interaction' | 'webhook';
  interactionId?: string;
  at: number;
  /** Whether this entry created the message or changed an existing one. */
  action: 'create' | 'edit';
  /** Uploaded files, as Discord lists them on the message, with the bytes received. */
  attachments: FakeDiscordAttachment[];
}

/** A file uploaded with a message (multipart `files[n]`, described by the payload's `attachments[n]`). */
export interface FakeDiscordAttachment {
  id: string;
  filename: string;
  size: number;
  content_type: string;
  /** Alt text, from the payload's `attachments[].description`. */
  description?: string;
  /** The uploaded bytes, exactly as sent (not part of Discord's JSON). */
  bytes: Buffer;
}

export interface FakeDiscordRequest {
  method: string;
  /** Path below /api/v10, without the query string, e.g. '/channels/700000000000000001/messages'. */
  path: string;
  /** The query string with its '?', or ''. */
  query: string;
  /** Parsed JSON (for multipart, the `payload_json`); undefined for an empty body. */
  body: unknown;
  status: number;
  at: number;
}

export interface FakeDiscordInteraction {
  acknowledged: boolean;
  callbackType?: number;
  callbackData?: Record<string, unknown>;
  /** The message the interaction's token calls @original, as it stands now. */
  original?: FakeDiscordMessage;
  followUps: FakeDiscordMessage[];
  autocompleteChoices?: Array<{ name: string; value: string | number }>;
}

interface InteractionInputBase {
  guildId?: string;
  channelId: string;
  userId: string;
  /** Default `user<last 4 digits of userId>`. */
  username?: string;
  /** Role ids of the member; each must be a role of the guild. */
  roles?: string[];
  /** The member's permissions in the channel (a decimal bitfield); default @everyone's. */
  permissions?: string;
}

export interface FakeDiscord {
  /** 'http://127.0.0.1:PORT/api' for `new Client({ rest: { api } })`. */
  readonly apiRoot: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUserId: string;
  /** Every REST request, in arrival order. */
  readonly requests: FakeDiscordRequest[];
  /** Every accepted message create/edit (channel posts, interaction replies, edits, follow-ups), in order. */
  readonly messages: FakeDiscordMessage[];
  readonly count400: number;
  readonly count429: number;
  /** The last bulk overwrite (guild or global), with the ids the fake gave each command. */
  registeredCommands(guildId?: string): Array<Record<string, unknown>>;
  /** Dispatches a slash command; returns the interaction id. */
  invokeCommand(
    input: InteractionInputBase & {
      name: string;
      options?: Array<{ name: string; type: number; value: string | number | boolean; focused?: boolean }>;
      dm?: boolean;
    },
  ): string;
  /** Dispatches an autocomplete interaction (type 4) for a command option being typed. */
  invokeAutocomplete(
    input: InteractionInputBase & {
      name: string;
      options: Array<{ name: string; type: number; value: string; focused?: boolean }>;
      dm?: boolean;
    },
  ): string;
  /** Dispatches a button press (type 3, component_type 2) on a message the bot sent. */
  pressButton(input: InteractionInputBase & { messageId: string; customId: string; dm?: boolean }): string;
  /** What the bot answered to an interaction: callback type and data, edits, follow-ups. */
  interaction(id: string): FakeDiscordInteraction | undefined;
  /** A message as it stands now (after edits), with `deleted` once deleted; undefined if never sent. */
  message(id: string): (FakeDiscordMessage & { deleted: boolean }) | undefined;
  /** Resolves with the first value of `condition` that is not undefined/null/false (polls every 10 ms). */
  waitFor<T>(condition: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  /**
   * Answers the next `times` matching requests with 429 and `retry_after` = retryAfterS (also in the
   * `retry-after` header, fractional when given so). Route: '*', a pattern like
   * 'POST /channels/:id/messages' (method optional, `:x` matches one segment, path below /api/v10),
   * or a RegExp tested against 'METHOD /path'.
   */
  fail429(route: string | RegExp, times: number, retryAfterS: number): void;
  /** Answers the next `times` matching requests with `status` and JSON `body`. */
  failNext(route: string | RegExp, times: number, status: number, body: unknown): void;
  gatewayConnections(): number;
  readyCount(): number;
  resumedCount(): number;
  /** Closes every gateway socket with 4000 (unknown error): discord.js resumes its session. */
  dropGateway(): void;
  close(): Promise<void>;
}

const DEFAULT_TOKEN = 'fake-discord-token.abc.def';
const DEFAULT_APPLICATION_ID = '900000000000000001';
const DEFAULT_GUILDS: NonNullable<FakeDiscordOptions['guilds']> = [
  {
    id: '800000000000000001',
    name: 'ChatOps Test Guild',
    channels: [
      { id: '700000000000000001', name: 'general' },
      { id: '700000000000000002', name: 'alerts' },
    ],
  },
];
const GUILD_OWNER: UserInfo = { id: '100000000000000001', username: 'guild-owner' };
/** Discord's gateway default (https://discord.com/developers/docs/events/gateway#hello-event). */
const DEFAULT_HEARTBEAT_INTERVAL_MS = 41_250;
/** "you must send an initial response within 3 seconds of receiving the event" */
const DEFAULT_ACK_WINDOW_MS = 3000;
/** "Interaction tokens are valid for 15 minutes" */
const DEFAULT_TOKEN_TTL_MS = 15 * 60 * 1000;
/** Reported in x-ratelimit-* headers of successful answers; never enforced. */
const REPORTED_LIMIT = 50;
const REPORTED_WINDOW_MS = 1000;
const API_PREFIX = '/api/v10';

/** Message flags (https://discord.com/developers/docs/resources/message#message-object-message-flags). */
const Flag = {
  SuppressEmbeds: 4,
  Ephemeral: 64,
  Loading: 128,
  SuppressNotifications: 4096,
  ComponentsV2: 32768,
};
const CHANNEL_FLAGS = Flag.SuppressEmbeds | Flag.SuppressNotifications | Flag.ComponentsV2;
const INTERACTION_FLAGS = CHANNEL_FLAGS | Flag.Ephemeral;

/** Callback types each interaction type accepts (https://discord.com/developers/docs/interactions/receiving-and-responding). */
const ALLOWED_CALLBACKS: Record<2 | 3 | 4, ReadonlySet<number>> = {
  2: new Set([4, 5, 9]),
  3: new Set([4, 5, 6, 7, 9]),
  4: new Set([8]),
};

type Outcome = { status: number; body?: unknown; headers?: Record<string, string> };

interface RouteContext {
  params: Record<string, string>;
  body: unknown;
  files: UploadedFile[];
  query: URLSearchParams;
  at: number;
}

interface Route {
  method: string;
  pattern: string;
  auth: boolean;
  /** The parameter Discord splits rate limits by (channel, guild, webhook). */
  major?: string;
  handler(context: RouteContext): Outcome;
}

interface StoredMessage {
  id: string;
  channelId: string;
  guildId?: string;
  type: number;
  content: string;
  embeds: Array<Record<string, unknown>>;
  components: unknown[];
  attachments: FakeDiscordAttachment[];
  flags: number;
  createdAt: number;
  editedAt?: number;
  deleted: boolean;
  via: FakeDiscordMessage['via'];
  interactionId?: string;
  tts: boolean;
}

interface InteractionState {
  id: string;
  token: string;
  kind: 2 | 3 | 4;
  commandName?: string;
  user: UserInfo;
  channelId: string;
  guildId?: string;
  dispatchedAt: number;
  acknowledged: boolean;
  callbackType?: number;
  callbackData?: Record<string, unknown>;
  originalId?: string;
  /** Deferred (type 5) and not yet edited: the original still shows "thinking". */
  loading: boolean;
  followUpIds: string[];
  componentMessageId?: string;
  autocompleteChoices?: Array<{ name: string; value: string | number }>;
}

type ChannelEntry =
  | { kind: 'guild'; guild: GuildInfo; channel: ChannelInfo }
  | { kind: 'dm'; recipient: UserInfo };

interface FailureRule {
  route: string | RegExp;
  remaining: number;
  outcome: (hash: string, now: number) => Outcome;
}

function error(status: number, code: number, message: string): Outcome {
  return { status, body: { message, code } };
}

function invalidFormBody(errors: ErrorTree): Outcome {
  return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors } };
}

const UNKNOWN_CHANNEL = () => error(404, 10003, 'Unknown Channel');
const UNKNOWN_MESSAGE = () => error(404, 10008, 'Unknown Message');
const UNKNOWN_WEBHOOK = () => error(404, 10015, 'Unknown Webhook');
const UNKNOWN_INTERACTION = () => error(404, 10062, 'Unknown interaction');
const MISSING_ACCESS = () => error(403, 50001, 'Missing Access');
const EMPTY_MESSAGE = () => error(400, 50006, 'Cannot send an empty message');

function asFlags(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) ? value : 0;
}

/** Embeds as Discord stores them: records only, `type: 'rich'` unless given. */
function normalizeEmbeds(value: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((embed) => ({ type: 'rich', ...embed }));
}

/** Whether a component tree (rows, or v2 layouts) holds an interactive component with this custom_id. */
function hasCustomId(components: unknown, customId: string): boolean {
  if (!Array.isArray(components)) return false;
  return components.some((component) => {
    if (!isRecord(component)) return false;
    if (component['custom_id'] === customId) return true;
    if (hasCustomId(component['components'], customId)) return true;
    return isRecord(component['accessory']) && component['accessory']['custom_id'] === customId;
  });
}

/** Starts a fake Discord (REST + gateway) on 127.0.0.1 and an ephemeral port. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const token = options.token ?? DEFAULT_TOKEN;
  const applicationId = options.applicationId ?? DEFAULT_APPLICATION_ID;
  const botUser: UserInfo = {
    ...(options.botUser ?? { id: applicationId, username: 'chatops-test-bot' }),
    bot: true,
  };
  const ackWindowMs = options.interactionAckWindowMs ?? DEFAULT_ACK_WINDOW_MS;
  const tokenTtlMs = options.interactionTokenTtlMs ?? DEFAULT_TOKEN_TTL_MS;
  const snowflake = createSnowflakes();
  const startedAt = new Date().toISOString();

  const guilds: GuildInfo[] = (options.guilds ?? DEFAULT_GUILDS).map((guild, guildIndex) => ({
    id: guild.id,
    name: guild.name ?? `Test guild ${guildIndex + 1}`,
    channels: guild.channels.map((channel, index) => ({
      id: channel.id,
      name: channel.name ?? `channel-${index + 1}`,
      position: index,
    })),
    roles: guild.roles ?? [],
    ownerId: GUILD_OWNER.id,
    joinedAt: startedAt,
  }));
  const channels = new Map<string, ChannelEntry>();
  for (const guild of guilds) {
    for (const channel of guild.channels) channels.set(channel.id, { kind: 'guild', guild, channel });
  }
  const users = new Map<string, UserInfo>([
    [botUser.id, botUser],
    [GUILD_OWNER.id, GUILD_OWNER],
  ]);
  const dmChannelByUser = new Map<string, string>();

  const requests: FakeDiscordRequest[] = [];
  const messages: FakeDiscordMessage[] = [];
  const stored = new Map<string, StoredMessage>();
  const interactions = new Map<string, InteractionState>();
  const interactionsByToken = new Map<string, InteractionState>();
  const commandScopes = new Map<string, Array<Record<string, unknown>>>();
  const failureRules: FailureRule[] = [];
  const buckets = new RateLimitBuckets(REPORTED_LIMIT, REPORTED_WINDOW_MS);
  let count400 = 0;
  let count429 = 0;
  let sessionStarts = 0;
  let port = 0;
  let closed = false;

  const gateway = createFakeGateway({
    token,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    readyData: (sessionId, shard) => ({
      v: 10,
      user_settings: {},
      user: { ...userObject(botUser), verified: true, mfa_enabled: false, email: null },
      guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
      guild_join_requests: [],
      relationships: [],
      private_channels: [],
      presences: [],
      session_id: sessionId,
      session_type: 'normal',
      resume_gateway_url: `ws://127.0.0.1:${port}/gateway-resume`,
      shard,
      application: { id: applicationId, flags: 0 },
      auth: {},
      geo_ordered_rtc_regions: [],
      _trace: ['["fake-discord-gateway",{"micros":0}]'],
    }),
    guildCreates: () => guilds.map((guild) => guildCreateObject(guild, botUser)),
  });

  // ---------------------------------------------------------------- users, channels, messages

  function userFor(id: string, username?: string): UserInfo {
    const known = users.get(id);
    if (known && (username === undefined || known.username === username)) return known;
    const user: UserInfo = { id, username: username ?? known?.username ?? `user${id.slice(-4)}` };
    users.set(id, user);
    return user;
  }

  function dmChannelFor(user: UserInfo, channelId?: string): string {
    const existing = dmChannelByUser.get(user.id);
    if (existing && (channelId === undefined || existing === channelId)) return existing;
    const id = channelId ?? snowflake();
    dmChannelByUser.set(user.id, id);
    channels.set(id, { kind: 'dm', recipient: user });
    return id;
  }

  function channelObject(id: string, entry: ChannelEntry): Record<string, unknown> {
    return entry.kind === 'guild'
      ? guildChannelObject(entry.guild, entry.channel)
      : dmChannelObject(id, entry.recipient);
  }

  function snapshot(message: StoredMessage, action: 'create' | 'edit'): FakeDiscordMessage {
    const view: FakeDiscordMessage = {
      id: message.id,
      channel_id: message.channelId,
      content: message.content,
      embeds: structuredClone(message.embeds),
      components: structuredClone(message.components),
      via: message.via,
      at: message.editedAt ?? message.createdAt,
      action,
      attachments: message.attachments.map((attachment) => ({ ...attachment })),
    };
    if (message.flags !== 0) view.flags = message.flags;
    if (message.interactionId !== undefined) view.interactionId = message.interactionId;
    return view;
  }

  function record(message: StoredMessage, action: 'create' | 'edit'): void {
    messages.push(snapshot(message, action));
  }

  function messageObject(message: StoredMessage): Record<string, unknown> {
    const object: Record<string, unknown> = {
      type: message.type,
      id: message.id,
      channel_id: message.channelId,
      author: userObject(botUser),
      content: message.content,
      timestamp: new Date(message.createdAt).toISOString(),
      edited_timestamp: message.editedAt === undefined ? null : new Date(message.editedAt).toISOString(),
      tts: message.tts,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      mention_channels: [],
      attachments: message.attachments.map(({ bytes: _bytes, ...attachment }) => ({
        ...attachment,
        url: `https://cdn.discordapp.com/attachments/${message.channelId}/${attachment.id}/${attachment.filename}`,
        proxy_url: `https://media.discordapp.net/attachments/${message.channelId}/${attachment.id}/${attachment.filename}`,
      })),
      embeds: structuredClone(message.embeds),
      components: structuredClone(message.components),
      pinned: false,
      flags: message.flags,
    };
    const interaction = message.interactionId ? interactions.get(message.interactionId) : undefined;
    if (interaction) {
      object['webhook_id'] = applicationId;
      object['application_id'] = applicationId;
      if (interaction.kind === 2) {
        object['interaction_metadata'] = {
          id: interaction.id,
          type: interaction.kind,
          name: interaction.commandName,
          command_type: 1,
          user: userObject(interaction.user),
          authorizing_integration_owners: { '0': interaction.guildId ?? '0' },
        };
      }
    }
    return object;
  }

  /**
   * The uploads of a request as attachments: `files[n]` is described by the payload's
   * `attachments` entry with id n (its `description`, and `filename` when given).
   */
  function attachmentsFrom(files: UploadedFile[], body: unknown): StoredMessage['attachments'] {
    const listed = bodyRecord(body)['attachments'];
    const entries = Array.isArray(listed) ? listed.filter(isRecord) : [];
    return files.map((file) => {
      const index = /^files\[(\d+)\]$/.exec(file.field)?.[1] ?? file.field;
      const entry = entries.find((candidate) => String(candidate['id']) === index);
      const attachment: FakeDiscordAttachment = {
        id: snowflake(),
        filename: typeof entry?.['filename'] === 'string' ? entry['filename'] : file.filename,
        size: file.size,
        content_type: file.contentType,
        bytes: file.data,
      };
      if (typeof entry?.['description'] === 'string') attachment.description = entry['description'];
      return attachment;
    });
  }

  /** Discord refuses embeds that show an `attachment://` file the message does not have. */
  function missingAttachment(
    embeds: Array<Record<string, unknown>>,
    attachments: StoredMessage['attachments'],
  ): Outcome | undefined {
    const errors = validateAttachmentReferences(
      embeds,
      attachments.map((attachment) => attachment.filename),
    );
    return hasErrors(errors) ? invalidFormBody(errors) : undefined;
  }

  /** Checks a create body and builds the message; an Outcome when Discord would refuse it. */
  function newMessage(
    channelId: string,
    body: unknown,
    files: UploadedFile[],
    allowedFlags: number,
    extra: Pick<StoredMessage, 'via' | 'type'> & { interactionId?: string },
  ): StoredMessage | Outcome {
    const fields = bodyRecord(body);
    const errors = validateMessageBody(fields);
    if (hasErrors(errors)) return invalidFormBody(errors);
    const content = typeof fields['content'] === 'string' ? fields['content'] : '';
    const embeds = normalizeEmbeds(fields['embeds']);
    const components = Array.isArray(fields['components']) ? structuredClone(fields['components']) : [];
    const attachments = attachmentsFrom(files, body);
    const unknownFile = missingAttachment(embeds, attachments);
    if (unknownFile) return unknownFile;
    const stickerIds = Array.isArray(fields['sticker_ids']) ? fields['sticker_ids'] : [];
    const poll = isRecord(fields['poll']) ? fields['poll'] : undefined;
    if (isEmptyMessage({ content, embeds, components, attachments, stickerIds, poll }))
      return EMPTY_MESSAGE();
    const entry = channels.get(channelId);
    const message: StoredMessage = {
      id: snowflake(),
      channelId,
      type: extra.type,
      content,
      embeds,
      components,
      attachments,
      flags: asFlags(fields['flags']) & allowedFlags,
      createdAt: Date.now(),
      deleted: false,
      via: extra.via,
      tts: fields['tts'] === true,
    };
    if (entry?.kind === 'guild') message.guildId = entry.guild.id;
    if (extra.interactionId !== undefined) message.interactionId = extra.interactionId;
    stored.set(message.id, message);
    return message;
  }

  /** Applies an edit body to a message (fields present replace), checking it first. */
  function editMessage(
    message: StoredMessage,
    body: unknown,
    files: UploadedFile[],
    via: FakeDiscordMessage['via'],
  ): Outcome | undefined {
    const fields = bodyRecord(body);
    const errors = validateMessageBody(fields);
    if (hasErrors(errors)) return invalidFormBody(errors);
    const next = {
      content: message.content,
      embeds: message.embeds,
      components: message.components,
      attachments: message.attachments,
    };
    if ('content' in fields) next.content = typeof fields['content'] === 'string' ? fields['content'] : '';
    if ('embeds' in fields) next.embeds = normalizeEmbeds(fields['embeds']);
    if ('components' in fields) {
      next.components = Array.isArray(fields['components']) ? structuredClone(fields['components']) : [];
    }
    if (Array.isArray(fields['attachments'])) {
      // Existing attachments listed by id stay; entries for new uploads (id n of files[n]) match none.
      const keep = new Set(
        fields['attachments'].filter(isRecord).map((attachment) => String(attachment['id'] ?? '')),
      );
      next.attachments = message.attachments.filter((attachment) => keep.has(attachment.id));
    }
    next.attachments = [...next.attachments, ...attachmentsFrom(files, body)];
    const unknownFile = missingAttachment(next.embeds, next.attachments);
    if (unknownFile) return unknownFile;
    if (isEmptyMessage(next)) return EMPTY_MESSAGE();
    Object.assign(message, next);
    if ('flags' in fields) {
      // Only SUPPRESS_EMBEDS may change on an edit; the rest of the flags stay as they were.
      message.flags =
        (message.flags & ~Flag.SuppressEmbeds) | (asFlags(fields['flags']) & Flag.SuppressEmbeds);
    }
    message.flags &= ~Flag.Loading; // an edit replaces the "thinking" state of a deferred reply
    message.editedAt = Date.now();
    message.via = via;
    return undefined;
  }

  function isOutcome(value: StoredMessage | Outcome): value is Outcome {
    return 'status' in value;
  }

  // ---------------------------------------------------------------- commands

  function scopeKey(guildId?: string): string {
    return guildId === undefined ? 'global' : `guild:${guildId}`;
  }

  /** Stores a command as Discord returns it, keeping the id of an existing command with that name and type. */
  function storeCommand(
    command: Record<string, unknown>,
    existing: Array<Record<string, unknown>>,
    guildId?: string,
  ): Record<string, unknown> {
    const type = typeof command['type'] === 'number' ? command['type'] : 1;
    const previous = existing.find((entry) => entry['name'] === command['name'] && entry['type'] === type);
    const result: Record<string, unknown> = {
      id: typeof previous?.['id'] === 'string' ? previous['id'] : snowflake(),
      application_id: applicationId,
      version: snowflake(),
      default_member_permissions: command['default_member_permissions'] ?? null,
      type,
      name: command['name'],
      name_localizations: command['name_localizations'] ?? null,
      description: command['description'] ?? '',
      description_localizations: command['description_localizations'] ?? null,
      nsfw: command['nsfw'] === true,
      integration_types: command['integration_types'] ?? [0],
      contexts: command['contexts'] ?? null,
    };
    if (Array.isArray(command['options'])) result['options'] = structuredClone(command['options']);
    if (guildId !== undefined) result['guild_id'] = guildId;
    else result['dm_permission'] = command['dm_permission'] ?? true;
    return result;
  }

  function commandScope(context: RouteContext): { key: string; guildId?: string } | Outcome {
    if (context.params['app'] !== applicationId) return MISSING_ACCESS();
    const guildId = context.params['guild'];
    if (guildId === undefined) return { key: scopeKey() };
    if (!guilds.some((guild) => guild.id === guildId)) return MISSING_ACCESS();
    return { key: scopeKey(guildId), guildId };
  }

  function overwriteCommands(context: RouteContext): Outcome {
    const scope = commandScope(context);
    if ('status' in scope) return scope;
    const errors = validateCommandList(context.body);
    if (hasErrors(errors) || !Array.isArray(context.body)) return invalidFormBody(errors);
    const existing = commandScopes.get(scope.key) ?? [];
    const result = context.body
      .filter(isRecord)
      .map((command) => storeCommand(command, existing, scope.guildId));
    commandScopes.set(scope.key, result);
    return { status: 200, body: structuredClone(result) };
  }

  function createCommand(context: RouteContext): Outcome {
    const scope = commandScope(context);
    if ('status' in scope) return scope;
    const errors: ErrorTree = {};
    validateCommand(context.body, undefined, errors);
    if (hasErrors(errors) || !isRecord(context.body)) return invalidFormBody(errors);
    const existing = commandScopes.get(scope.key) ?? [];
    const command = storeCommand(context.body, existing, scope.guildId);
    const index = existing.findIndex((entry) => entry['id'] === command['id']);
    const next = [...existing];
    if (index === -1) next.push(command);
    else next[index] = command;
    commandScopes.set(scope.key, next);
    return { status: index === -1 ? 201 : 200, body: structuredClone(command) };
  }

  function listCommands(context: RouteContext): Outcome {
    const scope = commandScope(context);
    if ('status' in scope) return scope;
    return { status: 200, body: structuredClone(commandScopes.get(scope.key) ?? []) };
  }

  // ---------------------------------------------------------------- channel messages

  function channelMessage(context: RouteContext): StoredMessage | Outcome {
    const channelId = context.params['channel'] ?? '';
    if (!channels.has(channelId)) return UNKNOWN_CHANNEL();
    const message = stored.get(context.params['message'] ?? '');
    if (
      !message ||
      message.deleted ||
      message.channelId !== channelId ||
      (message.flags & Flag.Ephemeral) !== 0
    ) {
      return UNKNOWN_MESSAGE();
    }
    return message;
  }

  function postChannelMessage(context: RouteContext): Outcome {
    const channelId = context.params['channel'] ?? '';
    if (!channels.has(channelId)) return UNKNOWN_CHANNEL();
    const message = newMessage(channelId, context.body, context.files, CHANNEL_FLAGS, {
      via: 'channel',
      type: 0,
    });
    if (isOutcome(message)) return message;
    record(message, 'create');
    return { status: 200, body: messageObject(message) };
  }

  function listChannelMessages(context: RouteContext): Outcome {
    const channelId = context.params['channel'] ?? '';
    if (!channels.has(channelId)) return UNKNOWN_CHANNEL();
    const limit = Math.min(100, Math.max(1, Number(context.query.get('limit') ?? 50) || 50));
    const list = [...stored.values()]
      .filter((message) => message.channelId === channelId && !message.deleted)
      .filter((message) => (message.flags & Flag.Ephemeral) === 0)
      .reverse()
      .slice(0, limit)
      .map(messageObject);
    return { status: 200, body: list };
  }

  // ---------------------------------------------------------------- interactions

  function interactionCallback(context: RouteContext): Outcome {
    const state = interactions.get(context.params['interaction'] ?? '');
    if (!state || state.token !== context.params['token']) return UNKNOWN_INTERACTION();
    if (state.acknowledged) return error(400, 40060, 'Interaction has already been acknowledged.');
    if (context.at - state.dispatchedAt > ackWindowMs) return UNKNOWN_INTERACTION();
    const body = bodyRecord(context.body);
    const type = body['type'];
    const data = isRecord(body['data']) ? body['data'] : {};
    if (typeof type !== 'number' || !ALLOWED_CALLBACKS[state.kind].has(type)) {
      return invalidFormBody({
        type: {
          _errors: [
            {
              code: 'INTERACTION_RESPONSE_TYPE_INVALID',
              message: `Interaction response type ${String(type)} is not valid for interaction type ${state.kind}`,
            },
          ],
        },
      });
    }
    let resource: Record<string, unknown> = { type };
    if (type === 4) {
      const message = newMessage(state.channelId, data, context.files, INTERACTION_FLAGS, {
        via: 'interaction',
        type: state.kind === 2 ? 20 : 19,
        interactionId: state.id,
      });
      if (isOutcome(message)) return prefixErrors(message, 'data');
      state.originalId = message.id;
      record(message, 'create');
      resource = { type, message: messageObject(message) };
    } else if (type === 5) {
      const message: StoredMessage = {
        id: snowflake(),
        channelId: state.channelId,
        type: state.kind === 2 ? 20 : 19,
        content: '',
        embeds: [],
        components: [],
        attachments: [],
        flags: (asFlags(data['flags']) & Flag.Ephemeral) | Flag.Loading,
        createdAt: Date.now(),
        deleted: false,
        via: 'interaction',
        interactionId: state.id,
        tts: false,
      };
      if (state.guildId !== undefined) message.guildId = state.guildId;
      stored.set(message.id, message);
      state.originalId = message.id;
      state.loading = true;
      resource = { type, message: messageObject(message) };
    } else if (type === 6 || type === 7) {
      const message = state.componentMessageId ? stored.get(state.componentMessageId) : undefined;
      if (!message || message.deleted) return UNKNOWN_MESSAGE();
      if (type === 7) {
        const refused = editMessage(message, data, context.files, 'interaction');
        if (refused) return prefixErrors(refused, 'data');
        record({ ...message, interactionId: state.id }, 'edit');
      }
      state.originalId = message.id;
      resource = { type, message: messageObject(message) };
    } else if (type === 8) {
      const errors = validateAutocompleteChoices(data);
      if (hasErrors(errors)) return invalidFormBody(errors);
      const choices = Array.isArray(data['choices']) ? data['choices'].filter(isRecord) : [];
      state.autocompleteChoices = choices.map((choice) => ({
        name: String(choice['name']),
        value: typeof choice['value'] === 'number' ? choice['value'] : String(choice['value']),
      }));
    }
    state.acknowledged = true;
    state.callbackType = type;
    state.callbackData = structuredClone(data);
    if (context.query.get('with_response') !== 'true') return { status: 204 };
    const original = state.originalId ? stored.get(state.originalId) : undefined;
    return {
      status: 200,
      body: {
        interaction: {
          id: state.id,
          type: state.kind,
          activity_instance_id: null,
          response_message_id: original?.id ?? null,
          response_message_loading: state.loading,
          response_message_ephemeral: original ? (original.flags & Flag.Ephemeral) !== 0 : false,
        },
        resource,
      },
    };
  }

  /** Nests a 50035 error tree under `data`, as Discord reports errors in a callback's data. */
  function prefixErrors(outcome: Outcome, key: string): Outcome {
    if (!isRecord(outcome.body) || !isRecord(outcome.body['errors'])) return outcome;
    return { ...outcome, body: { ...outcome.body, errors: { [key]: outcome.body['errors'] } } };
  }

  function webhookInteraction(context: RouteContext): InteractionState | Outcome {
    if (context.params['app'] !== applicationId) return UNKNOWN_WEBHOOK();
    const state = interactionsByToken.get(context.params['token'] ?? '');
    if (!state) return UNKNOWN_WEBHOOK();
    if (context.at - state.dispatchedAt > tokenTtlMs) return error(401, 50027, 'Invalid Webhook Token');
    return state;
  }

  function webhookMessage(
    context: RouteContext,
  ): { state: InteractionState; message: StoredMessage } | Outcome {
    const state = webhookInteraction(context);
    if ('status' in state) return state;
    const wanted = context.params['message'];
    const id = wanted === '@original' ? state.originalId : wanted;
    const belongs = id !== undefined && (id === state.originalId || state.followUpIds.includes(id));
    const message = belongs ? stored.get(id) : undefined;
    if (!state.acknowledged || !message || message.deleted) return UNKNOWN_MESSAGE();
    return { state, message };
  }

  function isWebhookOutcome(
    value: { state: InteractionState; message: StoredMessage } | Outcome,
  ): value is Outcome {
    return 'status' in value;
  }

  function editWebhookMessage(context: RouteContext): Outcome {
    const found = webhookMessage(context);
    if (isWebhookOutcome(found)) return found;
    const { state, message } = found;
    const refused = editMessage(message, context.body, context.files, 'webhook');
    if (refused) return refused;
    if (message.id === state.originalId) state.loading = false;
    record({ ...message, interactionId: state.id }, 'edit');
    return { status: 200, body: messageObject(message) };
  }

  function followUp(context: RouteContext): Outcome {
    const state = webhookInteraction(context);
    if ('status' in state) return state;
    if (!state.acknowledged || state.kind === 4) return UNKNOWN_WEBHOOK();
    const wait = context.query.get('wait') === 'true';
    const original = state.originalId ? stored.get(state.originalId) : undefined;
    if (state.loading && original) {
      // "When used after a DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE ... no new message will be created, and the
      // loading message will be edited instead. The ephemeral flag will be ignored"
      const refused = editMessage(original, context.body, context.files, 'webhook');
      if (refused) return refused;
      state.loading = false;
      record(original, 'edit');
      return wait ? { status: 200, body: messageObject(original) } : { status: 204 };
    }
    const message = newMessage(state.channelId, context.body, context.files, INTERACTION_FLAGS, {
      via: 'webhook',
      type: 0,
      interactionId: state.id,
    });
    if (isOutcome(message)) return message;
    state.followUpIds.push(message.id);
    record(message, 'create');
    return wait ? { status: 200, body: messageObject(message) } : { status: 204 };
  }

  // ---------------------------------------------------------------- routes

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: '/gateway',
      auth: false,
      handler: () => ({ status: 200, body: { url: `ws://127.0.0.1:${port}/gateway` } }),
    },
    {
      method: 'GET',
      pattern: '/gateway/bot',
      auth: true,
      handler: () => {
        sessionStarts += 1;
        return {
          status: 200,
          body: {
            url: `ws://127.0.0.1:${port}/gateway`,
            shards: 1,
            session_start_limit: {
              total: 1000,
              remaining: Math.max(0, 1000 - sessionStarts),
              reset_after: 14_400_000,
              max_concurrency: 1,
            },
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/users/@me',
      auth: true,
      handler: () => ({ status: 200, body: userObject(botUser) }),
    },
    {
      method: 'GET',
      pattern: '/users/:user',
      auth: true,
      handler: ({ params }) => {
        const user = users.get(params['user'] ?? '');
        return user ? { status: 200, body: userObject(user) } : error(404, 10013, 'Unknown User');
      },
    },
    {
      method: 'POST',
      pattern: '/users/@me/channels',
      auth: true,
      handler: ({ body }) => {
        const recipient = bodyRecord(body)['recipient_id'];
        if (typeof recipient !== 'string' || !/^\d{15,21}$/.test(recipient)) {
          return invalidFormBody({
            recipient_id: { _errors: [{ code: 'NUMBER_TYPE_COERCE', message: 'Value is not snowflake.' }] },
          });
        }
        const user = userFor(recipient);
        const channelId = dmChannelFor(user);
        return { status: 200, body: dmChannelObject(channelId, user) };
      },
    },
    {
      method: 'GET',
      pattern: '/applications/@me',
      auth: true,
      handler: () => ({
        status: 200,
        body: {
          id: applicationId,
          name: botUser.username,
          icon: null,
          description: '',
          summary: '',
          type: null,
          bot_public: true,
          bot_require_code_grant: false,
          verify_key: '0'.repeat(64),
          flags: 0,
          bot: userObject(botUser),
          owner: userObject(GUILD_OWNER),
          team: null,
          approximate_guild_count: guilds.length,
          interactions_endpoint_url: null,
          integration_types_config: { '0': {} },
        },
      }),
    },
    { method: 'GET', pattern: '/applications/:app/commands', auth: true, handler: listCommands },
    { method: 'PUT', pattern: '/applications/:app/commands', auth: true, handler: overwriteCommands },
    { method: 'POST', pattern: '/applications/:app/commands', auth: true, handler: createCommand },
    {
      method: 'GET',
      pattern: '/applications/:app/guilds/:guild/commands',
      auth: true,
      major: 'guild',
      handler: listCommands,
    },
    {
      method: 'PUT',
      pattern: '/applications/:app/guilds/:guild/commands',
      auth: true,
      major: 'guild',
      handler: overwriteCommands,
    },
    {
      method: 'POST',
      pattern: '/applications/:app/guilds/:guild/commands',
      auth: true,
      major: 'guild',
      handler: createCommand,
    },
    {
      method: 'GET',
      pattern: '/channels/:channel',
      auth: true,
      major: 'channel',
      handler: ({ params }) => {
        const id = params['channel'] ?? '';
        const entry = channels.get(id);
        return entry ? { status: 200, body: channelObject(id, entry) } : UNKNOWN_CHANNEL();
      },
    },
    {
      method: 'POST',
      pattern: '/channels/:channel/typing',
      auth: true,
      major: 'channel',
      handler: ({ params }) => (channels.has(params['channel'] ?? '') ? { status: 204 } : UNKNOWN_CHANNEL()),
    },
    {
      method: 'GET',
      pattern: '/channels/:channel/messages',
      auth: true,
      major: 'channel',
      handler: listChannelMessages,
    },
    {
      method: 'POST',
      pattern: '/channels/:channel/messages',
      auth: true,
      major: 'channel',
      handler: postChannelMessage,
    },
    {
      method: 'GET',
      pattern: '/channels/:channel/messages/:message',
      auth: true,
      major: 'channel',
      handler: (context) => {
        const message = channelMessage(context);
        return isOutcome(message) ? message : { status: 200, body: messageObject(message) };
      },
    },
    {
      method: 'PATCH',
      pattern: '/channels/:channel/messages/:message',
      auth: true,
      major: 'channel',
      handler: (context) => {
        const message = channelMessage(context);
        if (isOutcome(message)) return message;
        const refused = editMessage(message, context.body, context.files, 'channel');
        if (refused) return refused;
        record(message, 'edit');
        return { status: 200, body: messageObject(message) };
      },
    },
    {
      method: 'DELETE',
      pattern: '/channels/:channel/messages/:message',
      auth: true,
      major: 'channel',
      handler: (context) => {
        const message = channelMessage(context);
        if (isOutcome(message)) return message;
        message.deleted = true;
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      pattern: '/interactions/:interaction/:token/callback',
      auth: false,
      major: 'interaction',
      handler: interactionCallback,
    },
    { method: 'POST', pattern: '/webhooks/:app/:token', auth: false, major: 'token', handler: followUp },
    {
      method: 'GET',
      pattern: '/webhooks/:app/:token/messages/:message',
      auth: false,
      major: 'token',
      handler: (context) => {
        const found = webhookMessage(context);
        return isWebhookOutcome(found) ? found : { status: 200, body: messageObject(found.message) };
      },
    },
    {
      method: 'PATCH',
      pattern: '/webhooks/:app/:token/messages/:message',
      auth: false,
      major: 'token',
      handler: editWebhookMessage,
    },
    {
      method: 'DELETE',
      pattern: '/webhooks/:app/:token/messages/:message',
      auth: false,
      major: 'token',
      handler: (context) => {
        const found = webhookMessage(context);
        if (isWebhookOutcome(found)) return found;
        found.message.deleted = true;
        return { status: 204 };
      },
    },
  ];

  function findRoute(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | 'method-not-allowed' | undefined {
    let pathMatched = false;
    for (const route of routes) {
      const params = matchPattern(route.pattern, path);
      if (!params) continue;
      if (route.method === method) return { route, params };
      pathMatched = true;
    }
    return pathMatched ? 'method-not-allowed' : undefined;
  }

  function takeInjectedFailure(method: string, path: string, hash: string, now: number): Outcome | undefined {
    const rule = failureRules.find(
      (candidate) => candidate.remaining > 0 && routeMatches(candidate.route, method, path),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) failureRules.splice(failureRules.indexOf(rule), 1);
    return rule.outcome(hash, now);
  }

  // ---------------------------------------------------------------- HTTP

  function respond(res: ServerResponse, entry: FakeDiscordRequest, outcome: Outcome): void {
    entry.status = outcome.status;
    if (outcome.status === 400) count400 += 1;
    if (outcome.status === 429) count429 += 1;
    if (res.writableEnded || res.destroyed) return;
    const headers: Record<string, string> = { ...outcome.headers };
    if (outcome.status === 204 || outcome.body === undefined) {
      res.writeHead(outcome.status, headers);
      res.end();
      return;
    }
    headers['content-type'] = 'application/json';
    res.writeHead(outcome.status, headers);
    res.end(JSON.stringify(outcome.body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const parsed = await readRequestBody(req);
    const inApi = url.pathname.startsWith(`${API_PREFIX}/`);
    const path = inApi ? url.pathname.slice(API_PREFIX.length) : url.pathname;
    const entry: FakeDiscordRequest = {
      method,
      path,
      query: url.search,
      body: parsed.ok ? parsed.json : undefined,
      status: 0,
      at,
    };
    requests.push(entry);
    const found = inApi ? findRoute(method, path) : undefined;
    if (found === undefined) {
      respond(res, entry, error(404, 0, '404: Not Found'));
      return;
    }
    if (found === 'method-not-allowed') {
      respond(res, entry, error(405, 0, '405: Method Not Allowed'));
      return;
    }
    const { route, params } = found;
    if (route.auth && req.headers.authorization !== `Bot ${token}`) {
      respond(res, entry, error(401, 0, '401: Unauthorized'));
      return;
    }
    const hash = bucketHash(`${method} ${route.pattern}`);
    const injected = takeInjectedFailure(method, path, hash, at);
    if (injected) {
      respond(res, entry, injected);
      return;
    }
    if (!parsed.ok) {
      respond(
        res,
        entry,
        parsed.reason === 'too-large'
          ? error(413, 40005, 'Request entity too large')
          : error(400, 50109, 'The request body contains invalid JSON.'),
      );
      return;
    }
    const outcome = route.handler({
      params,
      body: parsed.json,
      files: parsed.files,
      query: url.searchParams,
      at,
    });
    const major = route.major ? (params[route.major] ?? '') : '';
    const rateHeaders = buckets.take(`${method} ${route.pattern} ${major}`, hash, Date.now());
    respond(res, entry, { ...outcome, headers: { ...rateHeaders, ...outcome.headers } });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((cause: unknown) => {
      if (res.headersSent) return;
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `500: Internal Server Error (${String(cause)})`, code: 0 }));
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (pathname === '/gateway' || pathname === '/gateway-resume') gateway.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  // undici keeps connections alive; outlive its idle sockets so a reused socket is never reset under it.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('fake Discord: server has no TCP address');
  port = address.port;

  // ---------------------------------------------------------------- interactions in

  function resolvePlace(
    what: string,
    input: InteractionInputBase & { dm?: boolean },
  ): { user: UserInfo; guild?: GuildInfo; channel: Record<string, unknown> } {
    const user = userFor(input.userId, input.username);
    if (input.dm) {
      const channelId = dmChannelFor(user, input.channelId);
      return { user, channel: dmChannelObject(channelId, user) };
    }
    const guild =
      input.guildId === undefined
        ? guilds.find((candidate) => candidate.channels.some((channel) => channel.id === input.channelId))
        : guilds.find((candidate) => candidate.id === input.guildId);
    if (!guild) {
      throw new Error(
        `fake Discord ${what}: no guild ${input.guildId ?? `with channel ${input.channelId}`} (pass dm: true for a DM)`,
      );
    }
    const channel = guild.channels.find((candidate) => candidate.id === input.channelId);
    if (!channel)
      throw new Error(`fake Discord ${what}: channel ${input.channelId} is not in guild ${guild.id}`);
    for (const role of input.roles ?? []) {
      if (!guild.roles.some((candidate) => candidate.id === role)) {
        throw new Error(
          `fake Discord ${what}: role ${role} is not a role of guild ${guild.id} (options.guilds[].roles)`,
        );
      }
    }
    return {
      user,
      guild,
      channel: { ...guildChannelObject(guild, channel), permissions: EVERYONE_PERMISSIONS },
    };
  }

  function dispatchInteraction(
    what: string,
    kind: 2 | 3 | 4,
    input: InteractionInputBase & { dm?: boolean },
    data: Record<string, unknown>,
    extra: { commandName?: string; componentMessageId?: string; message?: Record<string, unknown> },
  ): string {
    if (closed) throw new Error(`fake Discord ${what}: the fake is closed`);
    if (gateway.liveSessions() === 0) {
      throw new Error(`fake Discord ${what}: no gateway session to dispatch to (log the client in first)`);
    }
    const place = resolvePlace(what, input);
    const id = snowflake();
    const interactionToken = `aW50ZXJhY3Rpb246${id}:${randomToken(48)}`;
    const payload: Record<string, unknown> = {
      id,
      application_id: applicationId,
      type: kind,
      data,
      channel_id: input.channelId,
      channel: place.channel,
      token: interactionToken,
      version: 1,
      app_permissions: EVERYONE_PERMISSIONS,
      locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': place.guild?.id ?? '0' },
      context: place.guild ? 0 : 1,
      attachment_size_limit: 10_485_760,
    };
    if (place.guild) {
      payload['guild_id'] = place.guild.id;
      payload['guild'] = { id: place.guild.id, locale: 'en-US', features: [] };
      payload['guild_locale'] = 'en-US';
      payload['member'] = memberObject(
        place.user,
        input.roles ?? [],
        startedAt,
        input.permissions ?? EVERYONE_PERMISSIONS,
      );
    } else {
      payload['user'] = userObject(place.user);
    }
    if (extra.message) payload['message'] = extra.message;
    const state: InteractionState = {
      id,
      token: interactionToken,
      kind,
      user: place.user,
      channelId: input.channelId,
      dispatchedAt: Date.now(),
      acknowledged: false,
      loading: false,
      followUpIds: [],
    };
    if (place.guild) state.guildId = place.guild.id;
    if (extra.commandName !== undefined) state.commandName = extra.commandName;
    if (extra.componentMessageId !== undefined) state.componentMessageId = extra.componentMessageId;
    interactions.set(id, state);
    interactionsByToken.set(interactionToken, state);
    gateway.dispatch('INTERACTION_CREATE', payload);
    return id;
  }

  function commandData(
    name: string,
    guildId: string | undefined,
    commandOptions: ReadonlyArray<Record<string, unknown>> | undefined,
  ): Record<string, unknown> {
    const inGuild = guildId === undefined ? undefined : commandScopes.get(scopeKey(guildId));
    const guildCommand = inGuild?.find((command) => command['name'] === name && command['type'] === 1);
    const globalCommand = commandScopes
      .get(scopeKey())
      ?.find((command) => command['name'] === name && command['type'] === 1);
    const command = guildCommand ?? globalCommand;
    const data: Record<string, unknown> = {
      id: typeof command?.['id'] === 'string' ? command['id'] : snowflake(),
      name,
      type: 1,
    };
    if (guildCommand) data['guild_id'] = guildId;
    if (commandOptions && commandOptions.length > 0)
      data['options'] = commandOptions.map((option) => ({ ...option }));
    return data;
  }

  function guildOf(input: InteractionInputBase & { dm?: boolean }): string | undefined {
    if (input.dm) return undefined;
    return (
      input.guildId ??
      guilds.find((guild) => guild.channels.some((channel) => channel.id === input.channelId))?.id
    );
  }

  function interactionView(state: InteractionState): FakeDiscordInteraction {
    const view: FakeDiscordInteraction = {
      acknowledged: state.acknowledged,
      followUps: state.followUpIds.flatMap((id) => {
        const message = stored.get(id);
        return message ? [snapshot(message, message.editedAt === undefined ? 'create' : 'edit')] : [];
      }),
    };
    if (state.callbackType !== undefined) view.callbackType = state.callbackType;
    if (state.callbackData !== undefined) view.callbackData = structuredClone(state.callbackData);
    const original = state.originalId ? stored.get(state.originalId) : undefined;
    if (original) view.original = snapshot(original, original.editedAt === undefined ? 'create' : 'edit');
    if (state.autocompleteChoices)
      view.autocompleteChoices = state.autocompleteChoices.map((c) => ({ ...c }));
    return view;
  }

  return {
    apiRoot: `http://127.0.0.1:${port}/api`,
    token,
    applicationId,
    botUserId: botUser.id,
    requests,
    messages,
    get count400() {
      return count400;
    },
    get count429() {
      return count429;
    },
    registeredCommands(guildId) {
      return structuredClone(commandScopes.get(scopeKey(guildId)) ?? []);
    },
    invokeCommand(input) {
      const data = commandData(input.name, guildOf(input), input.options);
      return dispatchInteraction('invokeCommand', 2, input, data, { commandName: input.name });
    },
    invokeAutocomplete(input) {
      const options = input.options.map((option) => ({ ...option }));
      if (!options.some((option) => option.focused === true)) {
        const last = options[options.length - 1];
        if (last) last.focused = true;
      }
      const data = commandData(input.name, guildOf(input), options);
      return dispatchInteraction('invokeAutocomplete', 4, input, data, { commandName: input.name });
    },
    pressButton(input) {
      const message = stored.get(input.messageId);
      if (!message || message.deleted) {
        throw new Error(
          `fake Discord pressButton: no message ${input.messageId} (the bot must have sent it)`,
        );
      }
      if (message.channelId !== input.channelId) {
        throw new Error(
          `fake Discord pressButton: message ${input.messageId} is in channel ${message.channelId}, not ${input.channelId}`,
        );
      }
      if (!hasCustomId(message.components, input.customId)) {
        throw new Error(
          `fake Discord pressButton: message ${input.messageId} has no button '${input.customId}'`,
        );
      }
      return dispatchInteraction(
        'pressButton',
        3,
        input,
        { custom_id: input.customId, component_type: 2 },
        { componentMessageId: message.id, message: messageObject(message) },
      );
    },
    interaction(id) {
      const state = interactions.get(id);
      return state ? interactionView(state) : undefined;
    },
    message(id) {
      const message = stored.get(id);
      if (!message) return undefined;
      return {
        ...snapshot(message, message.editedAt === undefined ? 'create' : 'edit'),
        deleted: message.deleted,
      };
    },
    waitFor(condition, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      return new Promise((resolve, reject) => {
        const poll = () => {
          let value: ReturnType<typeof condition>;
          try {
            value = condition();
          } catch (cause) {
            reject(cause);
            return;
          }
          if (value !== undefined && value !== null && value !== false) {
            resolve(value);
            return;
          }
          if (Date.now() >= deadline || closed) {
            reject(new Error(`fake Discord waitFor: condition not met within ${timeoutMs} ms`));
            return;
          }
          setTimeout(poll, 10);
        };
        poll();
      });
    },
    fail429(route, times, retryAfterS) {
      failureRules.push({
        route,
        remaining: times,
        outcome: (hash, now) => ({
          status: 429,
          body: { message: 'You are being rate limited.', retry_after: retryAfterS, global: false },
          headers: {
            'retry-after': String(retryAfterS),
            'x-ratelimit-scope': 'user',
            ...buckets.exhausted(hash, retryAfterS, now),
          },
        }),
      });
    },
    failNext(route, times, status, body) {
      failureRules.push({ route, remaining: times, outcome: () => ({ status, body }) });
    },
    gatewayConnections: () => gateway.connections(),
    readyCount: () => gateway.readyCount(),
    resumedCount: () => gateway.resumedCount(),
    dropGateway() {
      gateway.drop(4000);
    },
    async close() {
      if (closed) return;
      closed = true;
      await gateway.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
