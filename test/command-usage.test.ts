import { describe, expect, it } from 'vitest';
import { loadCommands } from '../src/chat/commands/index.js';
import { commandKeys } from '../src/chat/commands/meta.js';

const every = await loadCommands();

describe('usage lines', () => {
  it.each(every.map((command) => [command.name, command] as const))(
    '/%s names every key it accepts, in its usage line and in /help <command>',
    (_name, command) => {
      const keys = Object.keys(command.args.shape);
      for (const key of keys) {
        expect(command.usage, `usage of /${command.name} lacks "${key}"`).toMatch(new RegExp(`\\b${key}\\b`));
        expect(commandKeys(command).some((entry) => entry.startsWith(`${key} `) || entry === key)).toBe(true);
      }
      expect(command.usage.startsWith(`/${command.name}`)).toBe(true);
    },
  );
});
