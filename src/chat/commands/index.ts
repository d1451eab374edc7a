/*
 * The command registry: every command exported by a module of this folder registers itself, so a
 * new command is one new file here (plus its test). Works from src/ (tsx, vitest: `.ts`) and from
 * the compiled dist/ (`.js`) alike, since it lists the folder it was loaded from.
 */
import { readdir } from 'node:fs/promises';
import type { Config } from '../../config/schema.js';
import { ChatopsError } from '../../errors.js';
import { type AnyCommandSpec, isCommandSpec, type OptionalService } from '../types.js';

/** Where the built-in commands live: this module's own folder. */
const BUILTIN_COMMANDS_DIR = new URL('./', import.meta.url);

/** A command's place when it names none: after every command that does. */
const DEFAULT_ORDER = 1000;

/** True for a module file of a command folder: `.ts` or `.js`, not a test, a declaration or this index. */
function isCommandModule(fileName: string): boolean {
  if (!/\.(ts|js)$/.test(fileName)) return false;
  if (/\.(test|spec)\.(ts|js)$/.test(fileName) || fileName.endsWith('.d.ts')) return false;
  return !/^index\.(ts|js)$/.test(fileName);
}

/** Returns `commands` sorted for /help and the menus: by `order`, then by name. */
export function sortCommands(commands: AnyCommandSpec[]): AnyCommandSpec[] {
  return [...commands].sort(
    (a, b) => (a.order ?? DEFAULT_ORDER) - (b.order ?? DEFAULT_ORDER) || a.name.localeCompare(b.name),
  );
}

/** Every command exported by the modules of `dir` (default: the built-in commands), each once, in /help order. */
export async function loadCommands(dir: URL = BUILTIN_COMMANDS_DIR): Promise<AnyCommandSpec[]> {
  const files = (await readdir(dir)).filter(isCommandModule).sort();
  const found = new Set<AnyCommandSpec>();
  for (const file of files) {
    const module: Record<string, unknown> = await import(new URL(file, dir).href);
    for (const value of Object.values(module)) if (isCommandSpec(value)) found.add(value);
  }
  return sortCommands([...found]);
}

/** Throws when two commands claim the same name or alias (say which, so one can be renamed). */
export function assertUniqueNames(commands: AnyCommandSpec[]): void {
  const owners = new Map<string, string>();
  for (const command of commands) {
    for (const name of [command.name, ...(command.aliases ?? [])]) {
      const owner = owners.get(name);
      if (owner !== undefined) {
        throw new ChatopsError(`Two commands are called /${name}: ${owner} and ${command.name}; rename one.`);
      }
      owners.set(name, command.name);
    }
  }
}

/** What is configured, for choosing and shaping the commands to register. */
export interface CommandSetup {
  config: Config;
  /** The optional services that are configured (e.g. `gemini` when its client was built). */
  services: ReadonlySet<OptionalService>;
}

/**
 * The commands to register: those whose `requires` service is configured, each with the role
 * the configuration gives it (`configuredRole`), in /help order. Throws when two share a name.
 */
export function commandsFor(commands: AnyCommandSpec[], setup: CommandSetup): AnyCommandSpec[] {
  assertUniqueNames(commands);
  return sortCommands(commands)
    .filter((command) => command.requires === undefined || setup.services.has(command.requires))
    .map((command) =>
      command.configuredRole ? { ...command, role: command.configuredRole(setup.config) } : command,
    );
}
