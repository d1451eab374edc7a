/**
 * Request validation that answers like FastAPI/pydantic v2: zod schemas built from the helpers
 * below (lax coercion of numeric strings, as pydantic's lax mode does), and their issues turned
 * into `{"detail": [{type, loc, msg, input, ctx?}]}` entries.
 */
import { z } from 'zod';

export interface PydanticError {
  type: string;
  loc: PathKey[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

// Each field helper tags its issues with a message `py:<kind>` that the mapper reads back.
const INT = 'py:int';
const FLOAT = 'py:float';
const STR = 'py:str';
const BOOL = 'py:bool';
const LIST = 'py:list';

const laxInt = (value: unknown): unknown =>
  typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : value;
const laxFloat = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
const TRUE_WORDS = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const FALSE_WORDS = new Set(['0', 'off', 'f', 'false', 'n', 'no']);
const laxBool = (value: unknown): unknown => {
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  if (value === 0 || value === 1) return value === 1;
  return value;
};

/** pydantic `int` (lax: `"12"` → 12), optionally `ge`-bounded like `Query(ge=1)`. */
export const pyInt = (opts: { ge?: number } = {}) =>
  z.preprocess(laxInt, opts.ge === undefined ? z.int({ error: INT }) : z.int({ error: INT }).min(opts.ge));
/** pydantic `float` (lax: `"1.5"` → 1.5). */
export const pyFloat = () => z.preprocess(laxFloat, z.number({ error: FLOAT }));
/** pydantic `str` (strict: numbers are refused). */
export const pyStr = () => z.string({ error: STR });
/** pydantic `bool` (lax: `"true"`, `"0"`, `"yes"`, ...). */
export const pyBool = () => z.preprocess(laxBool, z.boolean({ error: BOOL }));
/** pydantic `list[item]`. */
export const pyList = <T extends z.ZodType>(item: T) => z.array(item, { error: LIST });
/** A pydantic model named `className` (the name appears in `model_type` errors). */
export const pyModel = <S extends z.ZodRawShape>(className: string, shape: S) =>
  z.object(shape, { error: `py:model:${className}` });
/** pydantic `str | int` (tried in that order, errors tagged `str` / `int`). */
export const pyStrOrInt = () => z.union([pyStr(), z.int({ error: INT })]);

const ISO_AWARE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * pydantic `AwareDatetime`, as epoch ms: an ISO string with `Z` or an offset, or a unix
 * timestamp (seconds, or ms when larger than 2e10). A naive string gives `timezone_aware`.
 */
export const pyAwareDatetime = () =>
  z.unknown().transform((value, ctx): number => {
    const fail = (type: string, msg: string): number => {
      ctx.issues.push({ code: 'custom', message: `py:${type}:${msg}`, input: value });
      return z.NEVER;
    };
    if (value === undefined) return fail('missing', 'Field required');
    if (typeof value === 'number' && Number.isFinite(value)) {
      return Math.abs(value) > 2e10 ? value : value * 1000;
    }
    if (typeof value !== 'string') return fail('datetime_type', 'Input should be a valid datetime');
    const match = ISO_AWARE.exec(value.trim());
    if (!match) {
      return fail(
        'datetime_from_date_parsing',
        'Input should be a valid datetime or date, invalid datetime format',
      );
    }
    const [, y, mo, d, h, mi, s, frac, zone] = match;
    if (!zone) return fail('timezone_aware', 'Input should have timezone info');
    const iso = `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}.${(frac ?? '0').padEnd(3, '0').slice(0, 3)}`;
    const offset =
      zone.toUpperCase() === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
    const ms = Date.parse(`${iso}${offset}`);
    if (Number.isNaN(ms))
      return fail(
        'datetime_parsing',
        'Input should be a valid datetime, day value is outside expected range',
      );
    return ms;
  });

type Issue = z.core.$ZodIssue;
export type PathKey = string | number;

const toKeys = (path: readonly PropertyKey[]): PathKey[] =>
  path.filter((key): key is PathKey => typeof key === 'string' || typeof key === 'number');

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The raw value at `path`, and whether its key is absent from an object parent. */
function lookup(
  raw: unknown,
  path: readonly PathKey[],
): { value: unknown; parent: unknown; missing: boolean } {
  let parent: unknown;
  let value: unknown = raw;
  let missing = false;
  for (const key of path) {
    parent = value;
    if (Array.isArray(value) && typeof key === 'number') {
      missing = key >= value.length;
      value = value[key];
    } else if (isRecord(value)) {
      missing = !(String(key) in value);
      value = value[String(key)];
    } else {
      missing = true;
      value = undefined;
    }
  }
  return { value, parent, missing };
}

const quote = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : String(v));

/** pydantic's "'a', 'b' or 'c'". */
function expectedList(values: readonly unknown[]): string {
  const quoted = values.map(quote);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

function typeError(
  kind: string,
  input: unknown,
): { type: string; msg: string; ctx?: Record<string, unknown> } {
  const isString = typeof input === 'string';
  if (kind === INT) {
    if (isString)
      return {
        type: 'int_parsing',
        msg: 'Input should be a valid integer, unable to parse string as an integer',
      };
    if (typeof input === 'number' && !Number.isInteger(input)) {
      return {
        type: 'int_from_float',
        msg: 'Input should be a valid integer, got a number with a fractional part',
      };
    }
    return { type: 'int_type', msg: 'Input should be a valid integer' };
  }
  if (kind === FLOAT) {
    return isString
      ? { type: 'float_parsing', msg: 'Input should be a valid number, unable to parse string as a number' }
      : { type: 'float_type', msg: 'Input should be a valid number' };
  }
  if (kind === BOOL) {
    return isString
      ? { type: 'bool_parsing', msg: 'Input should be a valid boolean, unable to interpret input' }
      : { type: 'bool_type', msg: 'Input should be a valid boolean' };
  }
  if (kind === LIST) return { type: 'list_type', msg: 'Input should be a valid list' };
  if (kind.startsWith('py:model:')) {
    const className = kind.slice('py:model:'.length);
    return {
      type: 'model_type',
      msg: `Input should be a valid dictionary or instance of ${className}`,
      ctx: { class_name: className },
    };
  }
  return { type: 'string_type', msg: 'Input should be a valid string' };
}

const BRANCH_TAG: Record<string, string> = { [STR]: 'str', [INT]: 'int', [FLOAT]: 'float', [BOOL]: 'bool' };

/** FastAPI reports a missing parameter or body with input null, a missing body field with its parent object. */
function missingError(path: PathKey[], loc: PathKey[], parent: unknown): PydanticError {
  const input = path[0] === 'body' && path.length > 1 ? (parent ?? null) : null;
  return { type: 'missing', loc, msg: 'Field required', input };
}

function mapIssue(issue: Issue, raw: unknown, basePath: PathKey[], branch?: string): PydanticError[] {
  const path = [...basePath, ...toKeys(issue.path)];
  const { value, parent, missing } = lookup(raw, path);
  const loc: PathKey[] = branch ? [...basePath, branch, ...path.slice(basePath.length)] : path;
  if (missing) return [missingError(path, loc, parent)];
  switch (issue.code) {
    case 'invalid_type': {
      const mapped = typeError(issue.message, value);
      return [
        { type: mapped.type, loc, msg: mapped.msg, input: value, ...(mapped.ctx ? { ctx: mapped.ctx } : {}) },
      ];
    }
    case 'too_small': {
      const bound = Number(issue.minimum);
      return issue.inclusive
        ? [
            {
              type: 'greater_than_equal',
              loc,
              msg: `Input should be greater than or equal to ${bound}`,
              input: value,
              ctx: { ge: bound },
            },
          ]
        : [
            {
              type: 'greater_than',
              loc,
              msg: `Input should be greater than ${bound}`,
              input: value,
              ctx: { gt: bound },
            },
          ];
    }
    case 'too_big': {
      const bound = Number(issue.maximum);
      return [
        {
          type: 'less_than_equal',
          loc,
          msg: `Input should be less than or equal to ${bound}`,
          input: value,
          ctx: { le: bound },
        },
      ];
    }
    case 'invalid_value': {
      const expected = expectedList(issue.values);
      return [{ type: 'enum', loc, msg: `Input should be ${expected}`, input: value, ctx: { expected } }];
    }
    case 'invalid_union':
      return issue.errors.flatMap((branchIssues) =>
        branchIssues.flatMap((sub) => mapIssue(sub, raw, path, BRANCH_TAG[sub.message] ?? 'value')),
      );
    case 'custom': {
      const [, type = 'value_error', ...msg] = issue.message.split(':');
      return [{ type, loc, msg: msg.join(':'), input: value }];
    }
    default:
      return [{ type: 'value_error', loc, msg: issue.message, input: value }];
  }
}

/**
 * pydantic-style errors for `issues` found validating `raw` = `{path, query, body}` of a request:
 * the first element of each issue's path is the `loc` root FastAPI uses.
 */
export function toPydanticErrors(issues: readonly Issue[], raw: unknown): PydanticError[] {
  return issues.flatMap((issue) => mapIssue(issue, raw, []));
}

/** FastAPI's answer to a body that is not valid JSON (raised before authentication). */
export function jsonInvalidError(position: number, reason: string): PydanticError {
  return {
    type: 'json_invalid',
    loc: ['body', position],
    msg: 'JSON decode error',
    input: {},
    ctx: { error: reason },
  };
}
