import { z } from 'zod';
import { UserInputError } from '../errors.js';
import {
  suggestBots,
  suggestLocks,
  suggestPairs,
  suggestTrades,
  unwrapOnce,
  withSuggestions,
} from './suggestions.js';

/** The zod type behind optional / default / nullable wrappers. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (let inner = unwrapOnce(current); inner; inner = unwrapOnce(current)) current = inner;
  return current;
}

/** True when a key of an argument schema collects the remaining words. */
export function isRestArgument(schema: z.ZodType): boolean {
  return unwrapSchema(schema) instanceof z.ZodArray;
}

/** True when the argument must be given. */
export function isRequiredArgument(schema: z.ZodType): boolean {
  return !schema.safeParse(undefined).success;
}

/**
 * Binds words to a command's argument schema: positional words fill keys in order, a rest key
 * (an array) takes what is left, `key=value` sets a key by name. Throws `UserInputError` with the
 * usage line when something does not fit.
 */
export function bindArguments<S extends z.ZodObject>(
  schema: S,
  positional: string[],
  named: Record<string, string>,
  usage: string,
): z.infer<S> {
  const keys = Object.keys(schema.shape);
  const raw: Record<string, unknown> = {};
  const words = [...positional];
  for (const key of keys) {
    const field = schema.shape[key] as z.ZodType;
    if (key in named) continue;
    if (words.length === 0) break;
    if (isRestArgument(field)) {
      raw[key] = words.splice(0);
      break;
    }
    raw[key] = words.shift();
  }
  if (words.length > 0) {
    throw new UserInputError(`Too many arguments: ${echoInput(words.join(' '))}`, usage);
  }
  for (const [key, value] of Object.entries(named)) {
    if (!keys.includes(key)) {
      throw new UserInputError(
        `Unknown argument ${echoInput(key)}=… (expected one of: ${keys.join(', ') || 'none'})`,
        usage,
      );
    }
    const field = schema.shape[key] as z.ZodType;
    raw[key] = isRestArgument(field) ? value.split(/[\s,]+/).filter(Boolean) : value;
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = issue?.path[0];
    const index = issue?.path[1];
    const what = typeof key === 'string' ? key : 'argument';
    const value = typeof key === 'string' ? raw[key] : undefined;
    // A bad word of a rest argument: echo that word, not the whole list.
    const given = Array.isArray(value) && typeof index === 'number' ? value[index] : value;
    const message =
      given === undefined
        ? `Missing ${what}.`
        : `Bad ${what} "${echoInput(String(given))}": ${issue?.message ?? 'invalid'}.`;
    throw new UserInputError(message, usage);
  }
  return result.data;
}

/** How many characters of a user's word a reply echoes before cutting it with "…". */
export const ECHO_MAX_CHARS = 64;

/**
 * Characters a trader cannot see or type on purpose: controls (Cc), format characters (Cf: zero
 * width space and joiners U+200B-U+200D, bidi marks and overrides, the BOM U+FEFF, soft hyphen),
 * line and paragraph separators, and lone surrogates.
 */
const INVISIBLE_CHARACTER = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const INVISIBLE_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** `U+XXXX` for a single character (code point). */
function codePointLabel(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `"U+200B"` for the first control or invisible character of `text`; undefined when there is none. */
export function invisibleCharacterIn(text: string): string | undefined {
  const match = INVISIBLE_CHARACTER.exec(text);
  return match ? codePointLabel(match[0]) : undefined;
}

/**
 * User input as a reply may echo it: invisible and control characters shown as `<U+200B>`, then
 * cut to `maxChars` characters (code points) ending in "…" when longer.
 */
export function echoInput(text: string, maxChars: number = ECHO_MAX_CHARS): string {
  const visible = text.replace(INVISIBLE_CHARACTERS, (character) => `<${codePointLabel(character)}>`);
  const characters = [...visible];
  return characters.length <= maxChars ? visible : `${characters.slice(0, maxChars - 1).join('')}…`;
}

/** The longest pair accepted, in characters: real ones (`1000SHIB/USDT:USDT-250627`) stay far below. */
export const PAIR_MAX_CHARS = 40;
/** The longest blacklist pattern accepted, in characters. */
export const PAIR_PATTERN_MAX_CHARS = 100;

/** `BASE/QUOTE`, or `BASE/QUOTE:SETTLE` (futures, optionally with a `-YYMMDD` expiry); letters and digits. */
const PAIR_SHAPE = /^[\p{L}\p{Nd}]+\/[\p{L}\p{Nd}]+(?::[\p{L}\p{Nd}]+(?:-\d{6})?)?$/u;
const PAIR_EXPECTED = `expected a pair like BTC/USDT, or BTC/USDT:USDT for futures (letters and digits, at most ${PAIR_MAX_CHARS} characters)`;

/** Characters of Freqtrade's blacklist patterns (Python regexes such as `BNB/.*`), besides letters and digits. */
const PAIR_PATTERN_CHARACTERS = /^[\p{L}\p{Nd}/:._*+?()|[\]{}^$\\,-]+$/u;
const PAIR_PATTERN_EXPECTED = 'expected a pair like BTC/USDT or a pattern like .*/BNB or BNB/.*';

function invisibleProblem(text: string): string | undefined {
  const hidden = invisibleCharacterIn(text);
  return hidden ? `contains an invisible or control character (${hidden}); type it again by hand` : undefined;
}

/** Why `text` is not a trading pair (an invisible character, too long, wrong shape); undefined when it is one. */
export function pairProblem(text: string): string | undefined {
  const invisible = invisibleProblem(text);
  if (invisible) return invisible;
  const length = [...text].length;
  if (length > PAIR_MAX_CHARS) return `too long (${length} characters); ${PAIR_EXPECTED}`;
  return PAIR_SHAPE.test(text) ? undefined : PAIR_EXPECTED;
}

/**
 * Why `text` is neither a pair nor a blacklist pattern (Freqtrade's blacklist takes regexes like
 * `BNB/.*` or `(BTC|ETH)/USDT`; it judges the regex itself, we only ask for its characters, a `/`
 * and at least one coin letter or digit); undefined when it is acceptable.
 */
export function pairPatternProblem(text: string): string | undefined {
  const invisible = invisibleProblem(text);
  if (invisible) return invisible;
  const length = [...text].length;
  if (length > PAIR_PATTERN_MAX_CHARS)
    return `too long (${length} characters, at most ${PAIR_PATTERN_MAX_CHARS}); ${PAIR_PATTERN_EXPECTED}`;
  // A pattern names at least one coin: `../..` or `.*/.*` is a slip (or a probe), not a blacklist entry.
  const namesCoin = /[\p{L}\p{Nd}]/u.test(text);
  return PAIR_PATTERN_CHARACTERS.test(text) && text.includes('/') && namesCoin
    ? undefined
    : PAIR_PATTERN_EXPECTED;
}

/** A pair upper-cased (`eth/usdt` → `ETH/USDT`); a pattern as typed, since case matters in a regex (`\d`). */
function normalizePairPattern(text: string): string {
  return pairProblem(text) === undefined ? text.toUpperCase() : text;
}

/** A string schema refused with `problem(value)` when that returns a reason. */
function checkedString(problem: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const reason = problem(value);
    if (reason !== undefined) ctx.addIssue({ code: 'custom', message: reason });
  });
}

/** A positive whole number, e.g. a trade id. */
const positiveWholeNumber = (description: string) =>
  z.string().regex(/^\d+$/, 'expected a positive whole number').transform(Number).describe(description);

/**
 * Argument builders with messages a trader understands. The kinds that name something of the bot
 * (`pair`, `tradeId`, `tradeIds`, `lockId`, `bot`) carry their suggestions (see suggestions.ts).
 */
export const arg = {
  /** A positive whole number. */
  id: positiveWholeNumber,
  /** An open trade's id, suggested from the open trades. */
  tradeId: (description: string) => withSuggestions(positiveWholeNumber(description), suggestTrades()),
  /** An open trade's id or the word `all`, suggested from the open trades (and `all` when several). */
  tradeIdOrAll: (description: string) =>
    withSuggestions(
      z.union([z.literal('all'), positiveWholeNumber(description)], {
        error: 'expected a trade id or "all"',
      }),
      suggestTrades({ orAll: true }),
    ),
  /** The remaining words as trade ids, suggested from the open trades; with `orTable`, also `table` first. */
  tradeIds: (description: string, options: { orTable?: boolean } = {}) =>
    withSuggestions(
      z.array(z.string()).describe(description),
      suggestTrades({ orTable: options.orTable === true }),
    ),
  /** A lock id or a pair (every lock of it), suggested from the bot's locks. */
  lockId: (description: string) => withSuggestions(z.string().min(1).describe(description), suggestLocks),
  /** A bot's name, suggested from the bots this chat may use. */
  bot: (description: string) => withSuggestions(z.string().min(1).describe(description), suggestBots),
  /** A whole number within bounds, e.g. a count of days. */
  count: (description: string, min: number, max: number) =>
    z
      .string()
      .regex(/^\d+$/, 'expected a whole number')
      .transform(Number)
      .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
      .describe(description),
  /** A positive decimal number, e.g. a rate or an amount. */
  positive: (description: string) =>
    z
      .string()
      .regex(/^\d+(\.\d+)?$|^\.\d+$/, 'expected a positive number like 0.5')
      .transform(Number)
      .pipe(z.number().positive('must be greater than zero'))
      .describe(description),
  /** A trading pair like BTC/USDT (upper-cased; futures pairs like BTC/USDT:USDT allowed), suggested from the whitelist; see `pairProblem`. */
  pair: (description: string) =>
    withSuggestions(
      checkedString(pairProblem)
        .transform((value) => value.toUpperCase())
        .describe(description),
      suggestPairs,
    ),
  /** Blacklist entries: pairs (upper-cased) or Freqtrade patterns like `BNB/.*`; see `pairPatternProblem`. */
  pairPatterns: (description: string) =>
    z.array(checkedString(pairPatternProblem).transform(normalizePairPattern)).describe(description),
  /** One of a few words. */
  choice: <const T extends readonly [string, ...string[]]>(values: T, description: string) =>
    z
      .string()
      .transform((value) => value.toLowerCase())
      .pipe(z.enum(values, { error: `expected one of: ${values.join(', ')}` }))
      .describe(description),
  /** Free text. */
  text: (description: string) => z.string().min(1).describe(description),
  /** The remaining words. */
  rest: (description: string) => z.array(z.string()).describe(description),
};
