/**
 * Discord slash command definitions from the command registry. Pure: each command's zod argument
 * object becomes typed options, so a new command file shows up as a slash command unchanged.
 */
import type {
  APIApplicationCommandBasicOption,
  APIApplicationCommandOptionChoice,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { z } from 'zod';
import { isRequiredArgument, isRestArgument } from '../chat/arguments.js';
import { suggesterOf } from '../chat/suggestions.js';
import type { AnyCommandSpec } from '../chat/types.js';

/** https://discord.com/developers/docs/interactions/application-commands#application-command-object */
export const SLASH_LIMITS = {
  commands: 100,
  optionsPerCommand: 25,
  description: 100,
  choices: 25,
  choiceName: 100,
  choiceValue: 100,
} as const;

/** Discord's rule for command and option names (we keep to lower-case ASCII). */
export const SLASH_NAME = /^[-_a-z0-9]{1,32}$/;

/** The option every bot-facing command gets when several bots are configured. */
export const BOT_OPTION = 'bot';

/** True when an option of a command is autocompleted: its argument kind carries suggestions, or it is `bot`. */
export function isAutocompleted(key: string, schema: z.ZodType | undefined): boolean {
  if (schema === undefined) return key === BOT_OPTION;
  return suggesterOf(schema) !== undefined;
}

// ApplicationCommandOptionType values, written out so this module needs no discord.js at runtime.
const STRING = 3;
const INTEGER = 4;
const NUMBER = 10;

type ArgumentShape =
  | { kind: 'string' }
  | { kind: 'choices'; values: string[] }
  | { kind: 'integer' | 'number'; min?: number; max?: number };

/** Every schema along an argument's wrappers and pipes (optional, default, pipe in and out). */
function layersOf(schema: z.ZodType): z.ZodType[] {
  const layers: z.ZodType[] = [];
  const pending: z.ZodType[] = [schema];
  while (pending.length > 0) {
    const current = pending.shift();
    if (!current || layers.includes(current)) continue;
    layers.push(current);
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodNullable
    ) {
      pending.push(current.unwrap() as z.ZodType);
    } else if (current instanceof z.ZodPipe) {
      pending.push(current.in as z.ZodType, current.out as z.ZodType);
    }
  }
  return layers;
}

/** The first `.describe()` text along an argument's wrappers. */
function descriptionOf(schema: z.ZodType): string | undefined {
  for (const layer of layersOf(schema)) if (layer.description) return layer.description;
  return undefined;
}

/** The accepted words when an argument is one of a fixed few (an enum, or a union of literals). */
function choicesOf(layers: z.ZodType[]): string[] | null {
  for (const layer of layers) {
    if (layer instanceof z.ZodEnum) return layer.options.map(String);
    if (layer instanceof z.ZodUnion) {
      const options = layer.options as z.ZodType[];
      if (options.length > 0 && options.every((option) => option instanceof z.ZodLiteral)) {
        return options.flatMap((option) => [...(option as z.ZodLiteral).values].map(String));
      }
    }
  }
  return null;
}

/**
 * How an argument is typed on Discord, read from its schema: choices from an enum or literals;
 * integer or number when the text "1" parses to a number (integer when "1.5" does not), with
 * inclusive bounds from a `z.number()` in its pipe; otherwise a string. A union such as
 * `"all" | <trade id>` stays a string so both forms can be typed.
 */
export function argumentShape(schema: z.ZodType): ArgumentShape {
  if (isRestArgument(schema)) return { kind: 'string' };
  const layers = layersOf(schema);
  const choices = choicesOf(layers);
  if (choices && choices.length > 0 && choices.length <= SLASH_LIMITS.choices) {
    return { kind: 'choices', values: choices };
  }
  if (layers.some((layer) => layer instanceof z.ZodUnion)) return { kind: 'string' };
  const bounds = layers.find((layer): layer is z.ZodNumber => layer instanceof z.ZodNumber);
  const finite = (value: number | null | undefined): value is number =>
    typeof value === 'number' && Number.isFinite(value);
  // Only inclusive bounds: `.positive()` reports 0 as its minimum, which it refuses.
  const min =
    finite(bounds?.minValue) && bounds.safeParse(bounds.minValue).success ? bounds.minValue : undefined;
  const max =
    finite(bounds?.maxValue) && bounds.safeParse(bounds.maxValue).success ? bounds.maxValue : undefined;
  const probe = min ?? 1;
  const parsed = schema.safeParse(String(probe));
  if (parsed.success && typeof parsed.data === 'number') {
    const integer = !schema.safeParse(String(probe + 0.5)).success;
    return {
      kind: integer ? 'integer' : 'number',
      ...(min !== undefined ? { min } : {}),
      ...(max !== undefined ? { max } : {}),
    };
  }
  return { kind: 'string' };
}

/** Cuts text to Discord's 1-100 characters for descriptions, ending in "…" when cut. */
function fitDescription(text: string, fallback: string): string {
  const clean = text.replace(/\s+/g, ' ').trim() || fallback;
  const chars = [...clean];
  return chars.length <= SLASH_LIMITS.description
    ? clean
    : `${chars.slice(0, SLASH_LIMITS.description - 1).join('')}…`;
}

function toOption(key: string, schema: z.ZodType): APIApplicationCommandBasicOption {
  const description = fitDescription(descriptionOf(schema) ?? '', key.replace(/_/g, ' '));
  const required = isRequiredArgument(schema);
  const autocomplete = isAutocompleted(key, schema);
  const base = { name: key, description, required };
  const shape = argumentShape(schema);
  switch (shape.kind) {
    case 'choices': {
      // An option with choices must not autocomplete: Discord refuses both at once.
      const choices: APIApplicationCommandOptionChoice<string>[] = shape.values.map((value) => ({
        name: value.slice(0, SLASH_LIMITS.choiceName),
        value: value.slice(0, SLASH_LIMITS.choiceValue),
      }));
      return { ...base, type: STRING, choices };
    }
    case 'integer':
    case 'number': {
      const bounds = {
        ...(shape.min !== undefined ? { min_value: shape.min } : {}),
        ...(shape.max !== undefined ? { max_value: shape.max } : {}),
      };
      if (shape.kind === 'integer') {
        return autocomplete
          ? { ...base, type: INTEGER, ...bounds, autocomplete: true }
          : { ...base, type: INTEGER, ...bounds };
      }
      return autocomplete
        ? { ...base, type: NUMBER, ...bounds, autocomplete: true }
        : { ...base, type: NUMBER, ...bounds };
    }
    case 'string':
      return autocomplete ? { ...base, type: STRING, autocomplete: true } : { ...base, type: STRING };
  }
}

/**
 * The slash commands for the registry: one per command whose name Discord accepts (aliases are
 * not registered), options named as the argument keys with required ones first (Discord refuses
 * a required option after an optional one), and, when `multipleBots`, an optional autocompleted
 * `bot` option on every command that talks to a bot. Keys Discord would refuse are left out.
 */
export function toSlashCommands(
  commands: AnyCommandSpec[],
  opts: { multipleBots: boolean },
): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const seen = new Set<string>();
  const result: RESTPostAPIChatInputApplicationCommandsJSONBody[] = [];
  for (const command of commands) {
    if (!SLASH_NAME.test(command.name) || seen.has(command.name)) continue;
    seen.add(command.name);
    const shape = (command.args as z.ZodObject).shape as Record<string, z.ZodType>;
    const options = Object.entries(shape)
      .filter(([key]) => SLASH_NAME.test(key) && !(opts.multipleBots && key === BOT_OPTION))
      .map(([key, schema]) => toOption(key, schema));
    if (opts.multipleBots && command.needsBot !== false) {
      options.push({
        type: STRING,
        name: BOT_OPTION,
        // Autocomplete offers `all` first where the command answers for every bot at once.
        description: command.acrossBots
          ? 'the Freqtrade bot to ask, or all of them (default: this channel’s bot)'
          : 'the Freqtrade bot to ask (default: this channel’s bot)',
        required: false,
        autocomplete: true,
      });
    }
    const ordered = [
      ...options.filter((option) => option.required),
      ...options.filter((option) => !option.required),
    ].slice(0, SLASH_LIMITS.optionsPerCommand);
    result.push({
      name: command.name,
      description: fitDescription(command.description, command.name),
      ...(ordered.length > 0 ? { options: ordered } : {}),
    });
    if (result.length === SLASH_LIMITS.commands) break;
  }
  return result;
}
