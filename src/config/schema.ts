import { z } from 'zod';
import type { ConfiguredChat, PlatformModule } from '../platform/chat-platform.js';

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

/** Freqtrade's `show_candle`: `ohlc` ends entry and exit messages with the signal candle. */
export const SHOW_CANDLE_VALUES = ['ohlc', 'off'] as const;
export const showCandleSchema = z.enum(SHOW_CANDLE_VALUES);
export type ShowCandle = z.infer<typeof showCandleSchema>;

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
    /** Not a message type: whether trade messages show the signal candle ("Candle OHLC: o, h, l, c"). */
    show_candle: showCandleSchema,
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
  show_candle: 'off',
} as const satisfies Required<NotificationSettings>;

/** A trimmed string that must not be empty; the message names `what`. */
export const nonEmpty = (what: string) => z.string().trim().min(1, `${what} must not be empty`);

/** An http(s) URL without trailing slashes. */
export const httpUrl = z
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
export const idString = z
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
    .regex(/^[A-Za-z0-9_.-]{1,32}$/, 'expected 1-32 letters, digits, "_", "-" or "."')
    // `bot=all` asks every bot at once; a bot of that name could never be addressed alone.
    .refine(
      (name) => name.toLowerCase() !== 'all',
      '"all" is reserved for bot=all (every bot); choose another name',
    ),
  api_url: httpUrl,
  username: nonEmpty('username'),
  password: nonEmpty('password'),
  ws_token: z.string().min(1).nullable().default(null),
  timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
  /** Refuse to send orders when set: every admin command that changes state is refused. */
  read_only: z.boolean().default(false),
});
export type BotConfig = z.infer<typeof botSchema>;

/** Fields every notification target of any platform may carry (a chat, a channel, a webhook). */
export const chatTargetFields = {
  notifications: notificationSettingsSchema.optional(),
  /** Names of the bots this chat hears from; all bots when absent. */
  bots: z.array(z.string()).optional(),
};

/** The access-entry schema for these platforms: `<platform>:<id>` with each platform's id form. */
function accessEntrySchema(platforms: readonly PlatformModule[]) {
  const withAccess = platforms.flatMap((platform) =>
    platform.access ? [{ name: platform.name, ...platform.access }] : [],
  );
  const pattern = new RegExp(
    `^(?:${withAccess.map((platform) => `${platform.name}:(?:${platform.idPattern})`).join('|')})$`,
  );
  const names = withAccess.map((platform) => platform.name);
  const listed = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : (names[0] ?? '');
  const example = withAccess[0] ? `, e.g. "${withAccess[0].name}:${withAccess[0].exampleId}"` : '';
  return z
    .string()
    .trim()
    .regex(pattern, `expected "<platform>:<user id>" where platform is ${listed}${example}`);
}

/** The `access` section for these platforms. */
function accessSchemaFor(platforms: readonly PlatformModule[]) {
  const entry = accessEntrySchema(platforms);
  return z.strictObject({
    admins: z.array(entry).default([]),
    viewers: z.array(entry).default([]),
    discord_admin_roles: z.array(idString).default([]),
    discord_viewer_roles: z.array(idString).default([]),
  });
}
export type AccessConfig = z.infer<ReturnType<typeof accessSchemaFor>>;

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

/**
 * Where state lives: a JSON file (the default), or Redis for a standby instance on another machine
 * (`url` is a secret: it may hold a password; `FTCHATOPS__STORE__URL` sets it from the environment).
 */
export const storeSchema = z
  .strictObject({
    type: z.enum(['file', 'redis']).default('file'),
    path: z.string().min(1).default('./data/state.json'),
    url: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'expected a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0')
      .optional(),
    key_prefix: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected 1-64 letters, digits or _ . : -, e.g. "ftchatops:"')
      .default('ftchatops:'),
    audit_max_entries: z.number().int().min(10).max(100_000).default(2_000),
  })
  .superRefine((store, ctx) => {
    if (store.type === 'redis' && store.url === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'store.type "redis" needs a url, e.g. redis://127.0.0.1:6379/0 (or FTCHATOPS__STORE__URL)',
      });
    }
  });
export type StoreConfig = z.infer<typeof storeSchema>;

/**
 * Active/standby: instances sharing one Redis store compete for a lease; only the holder polls,
 * listens and sends. `instance_id` names this one (the host name by default).
 */
export const haSchema = z.strictObject({
  enabled: z.boolean().default(false),
  // At least 4 s: a leader that stops renewing steps down at lease/2 and then needs up to 1.5 s
  // to stop polling and sending, all before its lease can expire.
  lease_ms: z.number().int().min(4_000).max(600_000).default(10_000),
  instance_id: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected 1-64 letters, digits or _ . : -, e.g. "host-a"')
    .optional(),
});
export type HaConfig = z.infer<typeof haSchema>;

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

/** The keys every config has, whatever its platforms (each platform adds its own section). */
function baseConfigSchema(platforms: readonly PlatformModule[], sections: Record<never, z.ZodType> = {}) {
  return z.strictObject({
    bots: z.array(botSchema).min(1, 'list at least one Freqtrade bot'),
    // The platforms' sections come right after the bots, as in config.example.json.
    ...sections,
    // prefault: an absent section is parsed as {} so each key's own default applies.
    access: accessSchemaFor(platforms).prefault({}),
    gemini: z.discriminatedUnion('enabled', [geminiEnabled, geminiDisabled]).default({ enabled: false }),
    store: storeSchema.prefault({}),
    ha: haSchema.prefault({}),
    http: httpSchema.prefault({}),
    log_level: z.enum(LOG_LEVELS).default('info'),
    /** How long a Confirm button stays valid. */
    confirmation_timeout_s: z.number().int().min(5).max(600).default(60),
    /**
     * A state-changing command older than this when it reaches us (sent while the bot was down
     * or unreachable) is refused instead of carried out late.
     */
    stale_command_s: z.number().int().min(5).max(86_400).default(60),
  });
}
type BaseConfig = z.output<ReturnType<typeof baseConfigSchema>>;

/**
 * The parsed config: the shared keys, every platform's chats in one list (for access, `/notify`
 * and bot limits), and each platform's own section by its key, for the platform to read.
 */
export type Config = BaseConfig & {
  readonly chats: readonly ConfiguredChat[];
  readonly sections: Readonly<Record<string, unknown>>;
};

/**
 * The config schema for a list of platforms: the shared keys plus each platform's section (its
 * own schema, registered in its folder). Cross-key checks: unique bot names, known bot names in
 * every chat's `bots`, and no user both admin and viewer.
 */
export function createConfigSchema(platforms: readonly PlatformModule[]): z.ZodType<Config, unknown> {
  const sectionSchemas = platforms.flatMap((platform) =>
    platform.configKey !== undefined && platform.configSchema !== undefined
      ? [[platform.configKey, platform.configSchema] as const]
      : [],
  );
  // Typed as no keys: each section's shape is its platform's business, read through `sections`.
  const sections: Record<never, z.ZodType> = Object.fromEntries(sectionSchemas);
  const sectionKeys = sectionSchemas.map(([key]) => key);
  const chatsOf = (parsed: Readonly<Record<string, unknown>>): ConfiguredChat[] =>
    platforms.flatMap((platform) =>
      platform.configKey === undefined ? [] : platform.chatsOf(parsed[platform.configKey]),
    );
  return baseConfigSchema(platforms, sections)
    .superRefine((config, ctx) => {
      for (const duplicate of duplicateBotNames(config.bots.map((bot) => bot.name))) {
        ctx.addIssue({ code: 'custom', path: ['bots', duplicate.index, 'name'], message: duplicate.message });
      }
      const botNames = new Set(config.bots.map((bot) => bot.name));
      for (const chat of chatsOf(config)) {
        chat.bots?.forEach((name, j) => {
          if (!botNames.has(name)) {
            ctx.addIssue({
              code: 'custom',
              path: [...chat.configPath, 'bots', j],
              message: `unknown bot "${name}"; configured bots: ${[...botNames].join(', ')}`,
            });
          }
        });
      }
      if (config.ha.enabled && config.store.type !== 'redis') {
        ctx.addIssue({
          code: 'custom',
          path: ['ha', 'enabled'],
          message: 'ha needs the shared Redis store: set store.type to "redis" and store.url',
        });
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
    })
    .transform(
      (parsed): Config => ({
        bots: parsed.bots,
        access: parsed.access,
        gemini: parsed.gemini,
        store: parsed.store,
        ha: parsed.ha,
        http: parsed.http,
        log_level: parsed.log_level,
        confirmation_timeout_s: parsed.confirmation_timeout_s,
        stale_command_s: parsed.stale_command_s,
        chats: chatsOf(parsed),
        sections: sectionsOf(parsed, sectionKeys),
      }),
    );
}

/** The values of `keys` in a parsed config object (the platforms' sections). */
function sectionsOf(
  parsed: Readonly<Record<string, unknown>>,
  keys: readonly string[],
): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, parsed[key]]));
}

export type GeminiConfig = Extract<Config['gemini'], { enabled: true; api_key: string }>;

/** Narrows the gemini section to its enabled shape, or undefined. */
export function enabledGemini(config: Config): GeminiConfig | undefined {
  const section = config.gemini;
  return section.enabled === true && 'api_key' in section ? (section as GeminiConfig) : undefined;
}

/** Key names whose values are secrets wherever they appear in the config. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'password',
  'token',
  'ws_token',
  'api_key',
  'api_secret',
  // The Redis store's URL (it may carry a password); webhooks declare theirs too.
  'url',
]);

/** The shared secret keys plus those the platforms declare for their sections (a webhook's `url`). */
export function secretKeysOf(platforms: readonly PlatformModule[]): ReadonlySet<string> {
  return new Set([...SECRET_KEYS, ...platforms.flatMap((platform) => platform.secretKeys)]);
}
