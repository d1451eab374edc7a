import { z } from 'zod';

/** Log levels accepted in `log_level`, pino's names. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Freqtrade message types that can be routed to chats (`new_candle` / `analyzed_df` never are). */
export const NOTIFICATION_TYPES = [
  'entry',
  'entry_fill',
  'entry_cancel',
  'exit',
  'exit_fill',
  'exit_cancel',
  'status',
  'warning',
  'startup',
  'protection_trigger',
  'protection_trigger_global',
  'strategy_msg',
  'whitelist',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const NOTIFICATION_LEVELS = ['on', 'silent', 'off'] as const;
export const notificationLevelSchema = z.enum(NOTIFICATION_LEVELS);
export type NotificationLevel = z.infer<typeof notificationLevelSchema>;

/** `exit` and `exit_fill` may take a map by exit reason with a `*` wildcard, as in Freqtrade. */
const levelOrReasonMap = z.union([notificationLevelSchema, z.record(z.string(), notificationLevelSchema)]);
export type LevelOrReasonMap = z.infer<typeof levelOrReasonMap>;

export const notificationSettingsSchema = z
  .strictObject({
    entry: notificationLevelSchema,
    entry_fill: notificationLevelSchema,
    entry_cancel: notificationLevelSchema,
    exit: levelOrReasonMap,
    exit_fill: levelOrReasonMap,
    exit_cancel: notificationLevelSchema,
    status: notificationLevelSchema,
    warning: notificationLevelSchema,
    startup: notificationLevelSchema,
    protection_trigger: notificationLevelSchema,
    protection_trigger_global: notificationLevelSchema,
    strategy_msg: notificationLevelSchema,
    whitelist: notificationLevelSchema,
  })
  .partial();
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;

/**
 * What a chat or channel hears when its config has no `notifications` block: entries, exits and
 * exit fills, whitelist changes, warnings and the bot's own status messages. Fills of entries are
 * off (the entry message already said it), as in Freqtrade's defaults.
 */
export const DEFAULT_NOTIFICATIONS = {
  entry: 'on',
  entry_fill: 'off',
  entry_cancel: 'on',
  exit: 'on',
  exit_fill: 'on',
  exit_cancel: 'on',
  status: 'on',
  warning: 'on',
  startup: 'silent',
  protection_trigger: 'on',
  protection_trigger_global: 'on',
  strategy_msg: 'on',
  whitelist: 'on',
} as const satisfies Required<NotificationSettings>;

const nonEmpty = (what: string) => z.string().trim().min(1, `${what} must not be empty`);

const httpUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'expected an http:// or https:// URL, e.g. http://127.0.0.1:8080')
  .transform((value) => value.replace(/\/+$/, ''));

/** Chat and user ids are kept as strings: Telegram group ids exceed 2^53 in some clients' views. */
const idString = z
  .union([
    z
      .string()
      .trim()
      .regex(/^-?\d+$/, 'expected a numeric id'),
    z.number().int(),
  ])
  .transform(String);

export const botSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]{1,32}$/, 'expected 1-32 letters, digits, "_", "-" or "."'),
  api_url: httpUrl,
  username: nonEmpty('username'),
  password: nonEmpty('password'),
  ws_token: z.string().min(1).nullable().default(null),
  timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
  /** Refuse to send orders when set: every admin command that changes state is refused. */
  read_only: z.boolean().default(false),
});
export type BotConfig = z.infer<typeof botSchema>;

const chatTargetFields = {
  notifications: notificationSettingsSchema.optional(),
  /** Names of the bots this chat hears from; all bots when absent. */
  bots: z.array(z.string()).optional(),
};

export const telegramChatSchema = z.strictObject({
  chat_id: idString,
  topic_id: z.number().int().positive().nullable().default(null),
  ...chatTargetFields,
});
export type TelegramChatConfig = z.infer<typeof telegramChatSchema>;

const telegramEnabled = z.strictObject({
  enabled: z.literal(true),
  token: z
    .string()
    .trim()
    .regex(/^\d+:[A-Za-z0-9_-]+$/, 'expected a bot token like 123456:ABC-def from @BotFather'),
  api_root: httpUrl.default('https://api.telegram.org'),
  chats: z.array(telegramChatSchema).default([]),
  /** Long polling is the default; a webhook needs a public URL. */
  polling_timeout_s: z.number().int().min(0).max(50).default(30),
});
const telegramDisabled = z.looseObject({ enabled: z.literal(false) });

export const discordChannelSchema = z.strictObject({
  channel_id: idString,
  ...chatTargetFields,
});
export type DiscordChannelConfig = z.infer<typeof discordChannelSchema>;

const discordEnabled = z.strictObject({
  enabled: z.literal(true),
  token: nonEmpty('token'),
  application_id: idString,
  guild_id: idString.nullable().default(null),
  api_root: httpUrl.default('https://discord.com/api'),
  channels: z.array(discordChannelSchema).default([]),
});
const discordDisabled = z.looseObject({ enabled: z.literal(false) });

const accessEntry = z
  .string()
  .trim()
  .regex(
    /^(telegram|discord):-?\d+$|^console:[A-Za-z0-9_-]+$/,
    'expected "<platform>:<user id>" where platform is telegram or discord, e.g. "telegram:11111"',
  );

export const accessSchema = z.strictObject({
  admins: z.array(accessEntry).default([]),
  viewers: z.array(accessEntry).default([]),
  discord_admin_roles: z.array(idString).default([]),
  discord_viewer_roles: z.array(idString).default([]),
});
export type AccessConfig = z.infer<typeof accessSchema>;

const geminiEnabled = z.strictObject({
  enabled: z.literal(true),
  api_key: nonEmpty('api_key'),
  api_secret: nonEmpty('api_secret'),
  base_url: httpUrl.default('https://api.gemini.com'),
  /** For master keys: the sub-account to query. */
  account: z.string().min(1).nullable().default(null),
  /** Keys created with "time-based nonce" want seconds within ±30 s instead of a counter. */
  time_based_nonce: z.boolean().default(false),
  /** Let viewers run /gemini and /reconcile too (admins only by default). */
  viewers_allowed: z.boolean().default(false),
  /** Currency in which notional balances are shown. */
  notional_currency: z
    .string()
    .regex(/^[a-z]{3,5}$/i)
    .default('usd'),
  /** A difference above this fraction of the larger amount is flagged by /reconcile. */
  tolerance_ratio: z.number().min(0).max(1).default(0.001),
  timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
});
const geminiDisabled = z.looseObject({ enabled: z.literal(false) });

export const storeSchema = z.strictObject({
  path: z.string().min(1).default('./data/state.json'),
  audit_max_entries: z.number().int().min(10).max(100_000).default(2_000),
});

/** The operations endpoint (/healthz, /readyz, /metrics): off unless enabled, on loopback unless told otherwise. */
export const httpSchema = z.strictObject({
  enabled: z.boolean().default(false),
  host: nonEmpty('host').default('127.0.0.1'),
  port: z.number().int().min(1).max(65_535).default(9464),
});
export type HttpConfig = z.infer<typeof httpSchema>;

/** Bot names that repeat an earlier one (case-insensitively), with the message naming both; names that are not strings are skipped. */
export function duplicateBotNames(names: readonly unknown[]): Array<{ index: number; message: string }> {
  const seen = new Map<string, number>();
  const duplicates: Array<{ index: number; message: string }> = [];
  names.forEach((name, index) => {
    if (typeof name !== 'string') return;
    const key = name.trim().toLowerCase();
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else {
      duplicates.push({
        index,
        message: `duplicate bot name "${name}" (also bots.${first}.name); names must be unique`,
      });
    }
  });
  return duplicates;
}

export const configSchema = z
  .strictObject({
    bots: z.array(botSchema).min(1, 'list at least one Freqtrade bot'),
    telegram: z
      .discriminatedUnion('enabled', [telegramEnabled, telegramDisabled])
      .default({ enabled: false }),
    discord: z.discriminatedUnion('enabled', [discordEnabled, discordDisabled]).default({ enabled: false }),
    // prefault: an absent section is parsed as {} so each key's own default applies.
    access: accessSchema.prefault({}),
    gemini: z.discriminatedUnion('enabled', [geminiEnabled, geminiDisabled]).default({ enabled: false }),
    store: storeSchema.prefault({}),
    http: httpSchema.prefault({}),
    log_level: z.enum(LOG_LEVELS).default('info'),
    /** How long a Confirm button stays valid. */
    confirmation_timeout_s: z.number().int().min(5).max(600).default(60),
    /**
     * A state-changing command older than this when it reaches us (sent while the bot was down
     * or unreachable) is refused instead of carried out late.
     */
    stale_command_s: z.number().int().min(5).max(86_400).default(60),
  })
  .superRefine((config, ctx) => {
    for (const duplicate of duplicateBotNames(config.bots.map((bot) => bot.name))) {
      ctx.addIssue({ code: 'custom', path: ['bots', duplicate.index, 'name'], message: duplicate.message });
    }
    const botNames = new Set(config.bots.map((bot) => bot.name));
    const checkBotRefs = (targets: Array<{ bots?: string[] | undefined }>, base: (string | number)[]) => {
      targets.forEach((target, index) => {
        target.bots?.forEach((name, j) => {
          if (!botNames.has(name)) {
            ctx.addIssue({
              code: 'custom',
              path: [...base, index, 'bots', j],
              message: `unknown bot "${name}"; configured bots: ${[...botNames].join(', ')}`,
            });
          }
        });
      });
    };
    if (config.telegram.enabled === true && 'chats' in config.telegram) {
      checkBotRefs(config.telegram.chats as TelegramChatConfig[], ['telegram', 'chats']);
    }
    if (config.discord.enabled === true && 'channels' in config.discord) {
      checkBotRefs(config.discord.channels as DiscordChannelConfig[], ['discord', 'channels']);
    }
    const admins = new Set(config.access.admins);
    config.access.viewers.forEach((viewer, index) => {
      if (admins.has(viewer)) {
        ctx.addIssue({
          code: 'custom',
          path: ['access', 'viewers', index],
          message: `"${viewer}" is also an admin; list each user once`,
        });
      }
    });
  });

export type Config = z.infer<typeof configSchema>;
export type TelegramConfig = Extract<Config['telegram'], { enabled: true; token: string }>;
export type DiscordConfig = Extract<Config['discord'], { enabled: true; token: string }>;
export type GeminiConfig = Extract<Config['gemini'], { enabled: true; api_key: string }>;

/** Narrows the telegram section to its enabled shape, or undefined. */
export function enabledTelegram(config: Config): TelegramConfig | undefined {
  const section = config.telegram;
  return section.enabled === true && 'token' in section ? (section as TelegramConfig) : undefined;
}
/** Narrows the discord section to its enabled shape, or undefined. */
export function enabledDiscord(config: Config): DiscordConfig | undefined {
  const section = config.discord;
  return section.enabled === true && 'token' in section ? (section as DiscordConfig) : undefined;
}
/** Narrows the gemini section to its enabled shape, or undefined. */
export function enabledGemini(config: Config): GeminiConfig | undefined {
  const section = config.gemini;
  return section.enabled === true && 'api_key' in section ? (section as GeminiConfig) : undefined;
}

/** Key names whose values are secrets wherever they appear in the config. */
export const SECRET_KEYS = new Set(['password', 'token', 'ws_token', 'api_key', 'api_secret']);
