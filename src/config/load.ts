import { readFile } from 'node:fs/promises';
import { type ParseError, parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { PlatformModule } from '../platform/chat-platform.js';
import { type Config, createConfigSchema, duplicateBotNames, SECRET_KEYS } from './schema.js';

/** Prefix of environment variables that override config keys, Freqtrade style. */
export const ENV_PREFIX = 'FTCHATOPS__';

/** `on, silent or off` for a list of allowed values. */
function allowedValuesText(values: readonly unknown[]): string {
  const words = values.map((value) => String(value));
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)}` : (words[0] ?? '');
}

/**
 * For a value that matched none of a union's shapes, the issues of the shape it was closest to:
 * the first branch that did not fail on the value's type itself (`exit: {roi: "loud"}` is a map
 * with a bad level, not a missing key). Empty when every branch failed on the type.
 */
function closestBranchIssues(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || !('errors' in issue) || !Array.isArray(issue.errors)) return [];
  const branches = (issue.errors as z.core.$ZodIssue[][]).filter((branch) => branch.length > 0);
  const deeper = branches.find((branch) => branch.every((inner) => inner.path.length > 0));
  const sameType = branches.find((branch) =>
    branch.every((inner) => !(inner.path.length === 0 && inner.code === 'invalid_type')),
  );
  const chosen = deeper ?? sameType ?? [];
  return chosen.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }) as z.core.$ZodIssue);
}

/** Formats one zod issue as `path: message`, with the path in dotted form (`bots.0.api_url`). */
export function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'invalid_value' && issue.values.length > 0) {
    return `${path || '(root)'}: expected ${allowedValuesText(issue.values)}`;
  }
  if (issue.code === 'invalid_union') {
    const closest = closestBranchIssues(issue);
    if (closest.length > 0) return closest.map(formatIssue).join('\n');
  }
  if (issue.code === 'unrecognized_keys') {
    const base = path ? `${path}.` : '';
    return issue.keys
      .map((key) => `${base}${key}: unknown key (check the spelling against config.example.json)`)
      .join('\n');
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return `${path || '(root)'}: required, expected ${issue.expected}`;
  }
  if (
    issue.code === 'invalid_union' &&
    issue.input === undefined &&
    !('discriminator' in issue && issue.discriminator)
  ) {
    return `${path || '(root)'}: required`;
  }
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
    return `${path ? `${path}.` : ''}${String(issue.discriminator)}: expected true or false`;
  }
  return `${path || '(root)'}: ${issue.message}`;
}

/** Every problem in a failed parse, one line per wrong key. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => formatIssue(issue).split('\n'));
}

/** Parses JSON that may contain `//` and block comments and trailing commas; reports every syntax error with its line. */
export function parseJsonWithComments(text: string, fileName: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const problems = errors.map((error) => {
      const before = text.slice(0, error.offset);
      const line = before.split('\n').length;
      const column = error.offset - before.lastIndexOf('\n');
      return `line ${line}, column ${column}: ${printParseErrorCode(error.error)}`;
    });
    throw new ConfigError(`${fileName} is not valid JSON:`, problems);
  }
  return value;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Applies `FTCHATOPS__A__B__0__C=value` overrides onto the raw config object (a copy).
 * Segments are lower-cased; numeric segments index arrays. A value replacing a number or
 * boolean is coerced to that type; everything else stays a string, so secrets are never mangled.
 */
export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  const root: Json = structuredClone((raw ?? {}) as Json);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const segments = name.slice(ENV_PREFIX.length).toLowerCase().split('__').filter(Boolean);
    if (segments.length === 0) continue;
    let node: Json = root;
    for (let i = 0; i < segments.length - 1; i += 1) {
      const key = segments[i] as string;
      const nextIsIndex = /^\d+$/.test(segments[i + 1] as string);
      if (node === null || typeof node !== 'object') break;
      const container = node as Record<string, Json>;
      if (container[key] === undefined || container[key] === null || typeof container[key] !== 'object') {
        container[key] = nextIsIndex ? [] : {};
      }
      node = container[key] as Json;
    }
    if (node === null || typeof node !== 'object') continue;
    const leaf = segments[segments.length - 1] as string;
    const container = node as Record<string, Json>;
    const current = container[leaf];
    container[leaf] = SECRET_KEYS.has(leaf) ? value : coerceLike(current, value);
  }
  return root;
}

function coerceLike(current: Json | undefined, value: string): Json {
  if (typeof current === 'number' && value.trim() !== '' && !Number.isNaN(Number(value)))
    return Number(value);
  if (typeof current === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  if (current === undefined && (value === 'true' || value === 'false')) return value === 'true';
  if (current === undefined && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

/**
 * Validates an already-parsed config object (after env overrides) against the shared keys and
 * the sections of `platforms`, naming every wrong key.
 */
export function parseConfig(raw: unknown, platforms: readonly PlatformModule[], source = 'config'): Config {
  const result = createConfigSchema(platforms).safeParse(raw);
  if (!result.success) {
    // Cross-key checks run only on an otherwise valid config; report duplicates alongside type errors too.
    // A Set: when zod's own cross-check ran too, the same line would appear twice.
    const problems = [...new Set([...formatIssues(result.error), ...duplicateBotNameProblems(raw)])];
    throw new ConfigError(
      `${source} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):`,
      problems,
    );
  }
  return result.data;
}

/** `bots.N.name: duplicate ...` lines for a raw config whose other errors stopped zod's cross-checks. */
function duplicateBotNameProblems(raw: unknown): string[] {
  if (!raw || typeof raw !== 'object' || !('bots' in raw) || !Array.isArray(raw.bots)) return [];
  const names = raw.bots.map((bot: unknown) =>
    bot && typeof bot === 'object' && 'name' in bot ? bot.name : undefined,
  );
  return duplicateBotNames(names).map((duplicate) => `bots.${duplicate.index}.name: ${duplicate.message}`);
}

/** Reads, parses and validates a config file for `platforms`, applying environment overrides. */
export async function loadConfig(
  path: string,
  platforms: readonly PlatformModule[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError(
        `Config file ${path} not found. Create one from the example:\n  cp config.example.json ${path}\nthen edit the bots, telegram and access sections (see README.md).`,
      );
    }
    throw new ConfigError(`Cannot read config file ${path}: ${(error as Error).message}`);
  }
  const raw = parseJsonWithComments(text, path);
  return parseConfig(applyEnvOverrides(raw, env), platforms, path);
}

/**
 * Every secret value in the config (passwords, tokens, API keys, and the keys the platforms
 * declare, see `secretKeysOf`), for scrubbing logs and replies.
 */
export function collectSecrets(
  value: unknown,
  secretKeys: ReadonlySet<string> = SECRET_KEYS,
  out: Set<string> = new Set(),
): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) collectSecrets(item, secretKeys, out);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (secretKeys.has(key) && typeof item === 'string' && item.length >= 4) out.add(item);
      else collectSecrets(item, secretKeys, out);
    }
  }
  return out;
}

/** A deep copy of the config with every secret replaced by `[REDACTED]`, safe to print. */
export function redactConfig<T>(value: T, secretKeys: ReadonlySet<string> = SECRET_KEYS): T {
  if (Array.isArray(value)) return value.map((item) => redactConfig(item, secretKeys)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] =
        secretKeys.has(key) && typeof item === 'string' ? '[REDACTED]' : redactConfig(item, secretKeys);
    }
    return out as T;
  }
  return value;
}
