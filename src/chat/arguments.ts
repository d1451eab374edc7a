import { z } from 'zod';
import { UserInputError } from '../errors.js';

/** The zod type behind optional / default / nullable wrappers. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodNullable
    ) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else return current;
  }
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
    throw new UserInputError(`Too many arguments: ${words.join(' ')}`, usage);
  }
  for (const [key, value] of Object.entries(named)) {
    if (!keys.includes(key)) {
      throw new UserInputError(
        `Unknown argument ${key}=… (expected one of: ${keys.join(', ') || 'none'})`,
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
    const what = typeof key === 'string' ? key : 'argument';
    const given = typeof key === 'string' ? raw[key] : undefined;
    const message =
      given === undefined
        ? `Missing ${what}.`
        : `Bad ${what} "${String(given)}": ${issue?.message ?? 'invalid'}.`;
    throw new UserInputError(message, usage);
  }
  return result.data;
}

/** Argument builders with messages a trader understands. */
export const arg = {
  /** A positive whole number, e.g. a trade id. */
  id: (description: string) =>
    z.string().regex(/^\d+$/, 'expected a positive whole number').transform(Number).describe(description),
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
  /** A trading pair like BTC/USDT (upper-cased; futures pairs like BTC/USDT:USDT allowed). */
  pair: (description: string) =>
    z
      .string()
      .regex(/^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+(:[A-Za-z0-9._-]+)?$/, 'expected a pair like BTC/USDT')
      .transform((value) => value.toUpperCase())
      .describe(description),
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
