import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateCommandList } from '../../test/fakes/discord-validate.js';
import { arg } from '../chat/arguments.js';
import { loadCommands } from '../chat/commands/index.js';
import { type AnyCommandSpec, defineCommand } from '../chat/types.js';
import { argumentShape, isAutocompleted, toSlashCommands } from './slash-commands.js';

const everyCommand = await loadCommands();
const allCommands = (): AnyCommandSpec[] => [...everyCommand];

function command(list: ReturnType<typeof toSlashCommands>, name: string) {
  const found = list.find((entry) => entry.name === name);
  if (!found) throw new Error(`no slash command /${name}`);
  return found;
}

function option(list: ReturnType<typeof toSlashCommands>, name: string, key: string) {
  const found = command(list, name).options?.find((entry) => entry.name === key);
  if (!found) throw new Error(`no option ${key} on /${name}`);
  return found;
}

const spec = (name: string, args: z.ZodObject, extra: Partial<AnyCommandSpec> = {}): AnyCommandSpec =>
  defineCommand({
    name,
    description: `the ${name} command`,
    usage: `/${name}`,
    role: 'viewer',
    args,
    run: async () => ({ blocks: [] }),
    ...extra,
  });

describe('toSlashCommands', () => {
  it('gives Discord a command list it accepts, with one or several bots', () => {
    for (const multipleBots of [false, true]) {
      const body = toSlashCommands(allCommands(), { multipleBots });
      expect(validateCommandList(body)).toEqual({});
      expect(body.length).toBe(allCommands().length);
    }
  });

  it('registers every command by its name and no alias', () => {
    const names = toSlashCommands(allCommands(), { multipleBots: false }).map((entry) => entry.name);
    for (const name of ['status', 'profit', 'forceexit', 'lock', 'unlock', 'delete', 'cancel_open_order']) {
      expect(names).toContain(name);
    }
    for (const alias of ['fx', 'forcesell', 'forcebuy', 'coo', 'delete_locks', 'blacklist_delete']) {
      expect(names).not.toContain(alias);
    }
  });

  it('types /forceexit: a trade id or "all" with suggestions, order_type choices, a decimal amount', () => {
    const body = toSlashCommands(allCommands(), { multipleBots: false });
    expect(command(body, 'forceexit').options).toEqual([
      { type: 3, name: 'trade_id', description: 'trade id', required: true, autocomplete: true },
      {
        type: 3,
        name: 'order_type',
        description: 'order type',
        required: false,
        choices: [
          { name: 'limit', value: 'limit' },
          { name: 'market', value: 'market' },
        ],
      },
      { type: 10, name: 'amount', description: 'amount to exit (partial exit)', required: false },
    ]);
  });

  it('types trade ids of /delete, /cancel_open_order and /reload_trade as integers with suggestions', () => {
    const body = toSlashCommands(allCommands(), { multipleBots: false });
    for (const name of ['delete', 'cancel_open_order', 'reload_trade']) {
      expect(option(body, name, 'trade_id')).toMatchObject({ type: 4, required: true, autocomplete: true });
    }
  });

  it('carries the bounds of counted arguments', () => {
    const body = toSlashCommands(allCommands(), { multipleBots: false });
    expect(option(body, 'trades', 'n')).toMatchObject({
      type: 4,
      min_value: 1,
      max_value: 50,
      required: false,
    });
    // `/profit long` too: a text option, so days and a direction can both be typed.
    expect(option(body, 'profit', 'days')).toMatchObject({ type: 3, required: false });
  });

  it('suggests pairs, lock targets and status targets where the issue asks', () => {
    const body = toSlashCommands(allCommands(), { multipleBots: false });
    for (const name of ['forcelong', 'forceshort', 'lock']) {
      expect(option(body, name, 'pair')).toMatchObject({ type: 3, required: true, autocomplete: true });
    }
    expect(option(body, 'unlock', 'lock_id')).toMatchObject({ type: 3, required: true, autocomplete: true });
    expect(option(body, 'status', 'trade_id')).toMatchObject({
      type: 3,
      required: false,
      autocomplete: true,
    });
    expect(option(body, 'lock', 'side')).toMatchObject({
      type: 3,
      choices: [
        { name: 'long', value: 'long' },
        { name: 'short', value: 'short' },
        { name: '*', value: '*' },
      ],
    });
    expect(option(body, 'lock', 'side')).not.toHaveProperty('autocomplete');
    // Every arg.pair() carries the whitelist's suggestions, a filter like /entries' included.
    expect(option(body, 'entries', 'pair')).toMatchObject({ type: 3, required: false, autocomplete: true });
    expect(option(body, 'lock', 'duration')).not.toHaveProperty('autocomplete');
  });

  it('turns rest arguments into one string option, required when the command needs one', () => {
    const body = toSlashCommands(allCommands(), { multipleBots: false });
    expect(option(body, 'bl_delete', 'pairs')).toMatchObject({ type: 3, required: true });
    expect(option(body, 'blacklist', 'pairs')).toMatchObject({ type: 3, required: false });
    expect(option(body, 'lock', 'reason')).toMatchObject({ type: 3, required: false });
  });

  it('adds an autocompleted bot option to bot commands only when several bots are configured', () => {
    const single = toSlashCommands(allCommands(), { multipleBots: false });
    expect(single.flatMap((entry) => entry.options ?? []).some((entry) => entry.name === 'bot')).toBe(false);
    const many = toSlashCommands(allCommands(), { multipleBots: true });
    expect(option(many, 'status', 'bot')).toMatchObject({ type: 3, required: false, autocomplete: true });
    expect(option(many, 'forceexit', 'bot')).toMatchObject({ required: false });
    for (const name of ['help', 'whoami', 'use', 'bots', 'notify']) {
      expect(command(many, name).options?.some((entry) => entry.name === 'bot') ?? false).toBe(false);
    }
  });

  it('puts required options first and keeps their names', () => {
    const body = toSlashCommands(
      [
        spec(
          'mixed',
          z.object({
            later: arg.text('optional first').optional(),
            needed: arg.text('required second'),
            also: arg.id('required third'),
          }),
        ),
      ],
      { multipleBots: true },
    );
    expect(command(body, 'mixed').options?.map((entry) => [entry.name, entry.required])).toEqual([
      ['needed', true],
      ['also', true],
      ['later', false],
      ['bot', false],
    ]);
    expect(validateCommandList(body)).toEqual({});
  });

  it('cuts long descriptions to 100 characters and falls back to the key in words', () => {
    const body = toSlashCommands(
      [
        spec('long', z.object({ stake_amount: z.string().optional(), other: arg.text('d'.repeat(300)) }), {
          description: 'x'.repeat(300),
        }),
      ],
      { multipleBots: false },
    );
    const entry = command(body, 'long');
    expect([...entry.description].length).toBe(100);
    expect(option(body, 'long', 'stake_amount').description).toBe('stake amount');
    expect([...option(body, 'long', 'other').description].length).toBe(100);
    expect(validateCommandList(body)).toEqual({});
  });

  it('skips names Discord refuses and never autocompletes an option with choices', () => {
    const body = toSlashCommands(
      [
        spec('Bad Name', z.object({})),
        spec(
          'odd',
          z.object({ trade_id: arg.choice(['a', 'b'], 'a or b'), 'Bad Key': arg.text('x').optional() }),
        ),
      ],
      { multipleBots: false },
    );
    expect(body.map((entry) => entry.name)).toEqual(['odd']);
    expect(command(body, 'odd').options).toEqual([
      {
        type: 3,
        name: 'trade_id',
        description: 'a or b',
        required: true,
        choices: [
          { name: 'a', value: 'a' },
          { name: 'b', value: 'b' },
        ],
      },
    ]);
  });
});

describe('argumentShape', () => {
  it('reads integers, decimals, choices and text from the argument builders', () => {
    expect(argumentShape(arg.id('id'))).toEqual({ kind: 'integer' });
    expect(argumentShape(arg.count('n', 2, 9).optional())).toEqual({ kind: 'integer', min: 2, max: 9 });
    expect(argumentShape(arg.positive('rate'))).toEqual({ kind: 'number' });
    expect(argumentShape(arg.choice(['a', 'b'], 'c').optional())).toEqual({
      kind: 'choices',
      values: ['a', 'b'],
    });
    expect(argumentShape(z.union([z.literal('x'), z.literal('y')]))).toEqual({
      kind: 'choices',
      values: ['x', 'y'],
    });
    expect(argumentShape(arg.pair('pair'))).toEqual({ kind: 'string' });
    expect(argumentShape(arg.text('t'))).toEqual({ kind: 'string' });
    expect(argumentShape(arg.rest('r').default([]))).toEqual({ kind: 'string' });
    expect(argumentShape(z.union([z.literal('all'), arg.id('id')]))).toEqual({ kind: 'string' });
  });
});

describe('isAutocompleted', () => {
  const option = (name: string, key: string) => {
    const found = everyCommand.find((entry) => entry.name === name);
    if (!found) throw new Error(`no command /${name}`);
    return isAutocompleted(key, (found.args.shape as Record<string, z.ZodType>)[key]);
  };

  it('autocompletes exactly the arguments whose kind carries suggestions, and the added bot option', () => {
    expect(option('forceexit', 'trade_id')).toBe(true);
    expect(option('delete', 'trade_id')).toBe(true);
    expect(option('status', 'trade_id')).toBe(true);
    expect(option('lock', 'pair')).toBe(true);
    expect(option('unlock', 'lock_id')).toBe(true);
    expect(option('profit', 'bot')).toBe(true);
    expect(option('use', 'name')).toBe(true);
    expect(option('lock', 'duration')).toBe(false);
    expect(option('forceexit', 'amount')).toBe(false);
  });

  it('marks a new command argument built with arg.pair() as autocompleted, with no table to edit', () => {
    const custom = defineCommand({
      name: 'pairinfo',
      description: 'Info about a pair',
      usage: '/pairinfo <pair>',
      role: 'viewer',
      args: z.object({ pair: arg.pair('pair'), note: arg.text('note').optional() }),
      async run() {
        return { blocks: [] };
      },
    });
    const [slash] = toSlashCommands([custom], { multipleBots: false });
    expect(
      slash?.options?.map((entry) => [entry.name, 'autocomplete' in entry && entry.autocomplete]),
    ).toEqual([
      ['pair', true],
      ['note', false],
    ]);
  });
});
