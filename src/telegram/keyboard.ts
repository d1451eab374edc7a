/*
 * The optional reply keyboard (`telegram.keyboard`), as Freqtrade's own: rows of command buttons
 * under the message field, sent with command replies. A tap sends the button's text, so a button
 * is a command line. Only what cannot change anything is allowed: read-only commands, and the
 * argument-less form of a command that opens a picker (a choice is asked for, and a confirmation
 * after it where the command has one).
 */
import { bindArguments } from '../chat/arguments.js';
import { parseCommandLine } from '../chat/parse-command.js';
import { type AnyCommandSpec, mutatesWith } from '../chat/types.js';
import { ConfigError } from '../errors.js';
import type { Config } from '../config/schema.js';
import { enabledTelegram, TELEGRAM_CONFIG_KEY, type TelegramConfig } from './config.js';

/** https://core.telegram.org/bots/api#replykeyboardmarkup */
export interface TelegramReplyKeyboard {
  keyboard: Array<Array<{ text: string }>>;
  resize_keyboard: true;
}

/** Why one keyboard entry is refused, or undefined when the keyboard may carry it. */
export function keyboardEntryProblem(
  entry: string,
  find: (name: string) => AnyCommandSpec | undefined,
): string | undefined {
  const quoted = JSON.stringify(entry);
  const parsed = parseCommandLine(entry);
  if (!parsed) return `${quoted} is not a command; a button is a command line such as "/status table"`;
  const command = find(parsed.name);
  if (!command) return `${quoted}: there is no command /${parsed.name}`;
  const { bot, ...named } = parsed.named;
  if (bot?.toLowerCase() === 'all' && (!command.acrossBots || command.mutates)) {
    return `${quoted}: /${command.name} does not answer for all bots at once`;
  }
  const nothingGiven = parsed.positional.length === 0 && Object.keys(named).length === 0;
  // `/forceexit` alone opens a picker of trades: choosing and confirming come afterwards.
  if (nothingGiven && command.pick) return undefined;
  let args: Record<string, unknown>;
  try {
    args = bindArguments(command.args, parsed.positional, named, command.usage);
  } catch (error) {
    return `${quoted}: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (mutatesWith(command, args) || command.audited === true) {
    return `${quoted} changes state; the keyboard takes only read-only commands and pickers`;
  }
  return undefined;
}

/**
 * Every refused entry of a keyboard, as `telegram.keyboard.<row>.<column>: <why>` lines; empty
 * when the keyboard is fine. Unknown commands are refused too.
 */
export function keyboardProblems(
  keyboard: readonly (readonly string[])[],
  commands: AnyCommandSpec[],
): string[] {
  const byName = new Map<string, AnyCommandSpec>();
  for (const command of commands) {
    for (const name of [command.name, ...(command.aliases ?? [])]) byName.set(name.toLowerCase(), command);
  }
  const find = (name: string) => byName.get(name.toLowerCase());
  return keyboard.flatMap((row, rowIndex) =>
    row.flatMap((entry, column) => {
      const problem = keyboardEntryProblem(entry, find);
      return problem === undefined
        ? []
        : [`${TELEGRAM_CONFIG_KEY}.keyboard.${rowIndex}.${column}: ${problem}`];
    }),
  );
}

/** Throws a ConfigError naming every refused entry of the section's keyboard (none when it has no keyboard). */
export function assertTelegramKeyboard(
  config: Pick<TelegramConfig, 'keyboard'>,
  commands: AnyCommandSpec[],
  source = 'config',
): void {
  if (!config.keyboard) return;
  const problems = keyboardProblems(config.keyboard, commands);
  if (problems.length === 0) return;
  throw new ConfigError(
    `${source} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):`,
    problems,
  );
}

/**
 * The same check for a whole parsed config, at load time (before anything starts): a no-op when
 * Telegram is off or has no keyboard. `commands` is the registry (every command module loaded).
 */
export function assertTelegramKeyboardOf(
  config: Config,
  commands: AnyCommandSpec[],
  source = 'config',
): void {
  const telegram = enabledTelegram(config);
  if (telegram) assertTelegramKeyboard(telegram, commands, source);
}

/** The reply markup for a configured keyboard: one KeyboardButton per entry, rows kept. */
export function telegramReplyKeyboard(keyboard: readonly (readonly string[])[]): TelegramReplyKeyboard {
  return {
    keyboard: keyboard.map((row) => row.map((text) => ({ text }))),
    resize_keyboard: true,
  };
}
