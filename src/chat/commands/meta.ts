import { z } from 'zod';
import { chatBotsOf, roleSatisfies } from '../../access/policy.js';
import { ApiError, describeError, UserInputError } from '../../errors.js';
import { arg, echoInput } from '../arguments.js';
import type { ReplyBlock } from '../reply.js';
import { type AnyCommandSpec, defineCommand } from '../types.js';
import { formatUtcCell, parseFreqtradeDate } from '../../format/dates.js';

/** Where the examples of /help are kept, so a test can run each of them. */
export const HELP_EXAMPLES = ['/trades n=5', '/help forceexit'] as const;

/** The named keys a command accepts, each with what it is for: `n (how many closed trades)`. */
export function commandKeys(command: AnyCommandSpec): string[] {
  const keys = Object.entries(command.args.shape as Record<string, z.ZodType>).map(([key, schema]) => {
    const about = schema.description ?? (schema as { unwrap?: () => z.ZodType }).unwrap?.().description;
    return about ? `${key} (${about})` : key;
  });
  if (command.needsBot !== false) keys.push('bot (which bot)');
  return keys;
}

export const helpCommand = defineCommand({
  name: 'help',
  order: 250,
  description: 'List the commands you may use, or explain one',
  usage: '/help [command]',
  role: 'anyone',
  needsBot: false,
  args: z.object({ command: arg.text('a command name').optional() }),
  async run(run) {
    const visible = run.services.commands().filter((command) => roleSatisfies(run.role, command.role));
    if (run.args.command !== undefined) {
      const name = run.args.command.replace(/^\//, '').toLowerCase();
      const command = visible.find((c) => c.name === name || (c.aliases ?? []).includes(name));
      if (!command) {
        throw new UserInputError(`No command /${echoInput(name)} that you may use. Send /help for the list.`);
      }
      return {
        title: `/${command.name}`,
        blocks: [
          { kind: 'text', text: command.description },
          {
            kind: 'fields',
            fields: [
              { label: 'Usage', value: command.usage },
              { label: 'Keys', value: commandKeys(command).join(', ') },
              ...(command.aliases?.length
                ? [{ label: 'Also', value: command.aliases.map((alias) => `/${alias}`).join(', ') }]
                : []),
            ],
          },
          {
            kind: 'text',
            text: 'Give arguments in order, or by name as key=value.',
            style: 'italic',
          },
        ],
      };
    }
    const lines = visible.map((command) => `${command.usage} — ${command.description}`);
    const multi = run.services.fleet.names.length > 1;
    const footer = [
      `Arguments can also be given as key=value, e.g. ${HELP_EXAMPLES[0]}. ${HELP_EXAMPLES[1]} explains one command.`,
      ...(multi ? ["Every command takes bot=<name>; /use <name> sets this chat's bot."] : []),
    ];
    return {
      title: 'Commands',
      blocks: [
        {
          kind: 'text',
          text: lines.join('\n') || 'You may not run any command here. Send /whoami to see your ids.',
        },
        { kind: 'text', text: footer.join('\n'), style: 'italic' },
      ],
    };
  },
});

export const whoamiCommand = defineCommand({
  name: 'whoami',
  order: 240,
  description: 'Show your user id, this chat id and topic, and your role',
  usage: '/whoami',
  role: 'anyone',
  needsBot: false,
  args: z.object({}),
  async run(run) {
    const { ctx } = run;
    return {
      title: 'Who am I',
      blocks: [
        {
          kind: 'fields',
          fields: [
            { label: 'User id', value: ctx.userId },
            { label: 'Chat id', value: ctx.chatId },
            { label: 'Topic id', value: ctx.threadId === null ? 'none' : String(ctx.threadId) },
            { label: 'Role', value: run.role ?? 'none (not in the allowlist)' },
            { label: 'Allowlist entry', value: `${ctx.platform}:${ctx.userId}` },
          ],
        },
      ],
    };
  },
});

export const useCommand = defineCommand({
  name: 'use',
  order: 230,
  description: "Choose this chat's default bot (admins)",
  usage: '/use <name>',
  role: 'admin',
  needsBot: false,
  audited: true,
  args: z.object({ name: arg.bot('bot name') }),
  async run(run) {
    const bot = run.services.fleet.get(run.args.name);
    const allowed = chatBotsOf(run.services.config, run.ctx);
    if (allowed !== null && !allowed.some((name) => name.toLowerCase() === bot.name.toLowerCase())) {
      throw new UserInputError(
        `This chat may only use ${allowed.join(', ')}; ${bot.name} is not one of them.`,
      );
    }
    run.services.store.updateChat(run.chatKey, (chat) => {
      chat.current_bot = bot.name;
    });
    return { blocks: [{ kind: 'text', text: `This chat now talks to ${bot.name}.` }] };
  },
});

/** /bots waits this long for each bot, all at once: one hung bot must not hold up the overview. */
export const BOTS_DEADLINE_MS = 3_000;
const TIMED_OUT = Symbol('timed out');

/** Resolves to the promise's value, or `TIMED_OUT` after `ms` (the promise itself runs on). */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  // The late answer (or failure) of a hung bot is dropped, never left unhandled.
  promise.catch(() => undefined);
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** With `ha`: which instance answered, and that it leads (only the leader answers commands). */
function leaderLine(leadership: { instance: string; leading: boolean } | undefined): ReplyBlock[] {
  if (!leadership) return [];
  const role = leadership.leading ? 'the leader' : 'standing by';
  return [{ kind: 'text', text: `Answered by instance ${leadership.instance}, ${role}.`, style: 'italic' }];
}

export const botsCommand = defineCommand({
  name: 'bots',
  order: 220,
  description: 'Every configured bot: state, reachability, notifications',
  usage: '/bots',
  role: 'viewer',
  needsBot: false,
  args: z.object({}),
  async run(run) {
    const { fleet, store } = run.services;
    const current = store.chat(run.chatKey).current_bot ?? fleet.names[0];
    const rows = await Promise.all(
      fleet.all().map(async (client) => {
        let state: string;
        let version = '';
        try {
          const config = await withDeadline(client.showConfig(), BOTS_DEADLINE_MS);
          if (config === TIMED_OUT) {
            state = `not answering (nothing within ${BOTS_DEADLINE_MS / 1000} s)`;
          } else {
            state = config.state;
            version = config.version;
          }
        } catch (error) {
          // A refused login answered: "wrong username or password", not "unreachable".
          state =
            error instanceof ApiError && error.status === 401
              ? (error.detail ?? 'login refused')
              : `unreachable: ${describeError(error).replace(`${client.name} is unreachable `, '')}`;
        }
        const stream = run.services.streamState?.(client.name) ?? 'off';
        return [`${client.name === current ? '▶ ' : ''}${client.name}`, state, version, stream];
      }),
    );
    return {
      title: 'Bots',
      blocks: [
        { kind: 'table', headers: ['Bot', 'State', 'Version', 'Events'], rows },
        ...(fleet.names.length > 1 ? [{ kind: 'text' as const, text: 'Switch with /use <name>.' }] : []),
        ...leaderLine(run.services.leadership?.()),
      ],
    };
  },
});

/** An audit entry's JSON arguments as ` key=value …`, cut to 48 characters; '' when none. */
export function auditArgsText(argsJson: string): string {
  let args: unknown;
  try {
    args = JSON.parse(argsJson);
  } catch {
    return '';
  }
  if (typeof args !== 'object' || args === null) return '';
  const words = Object.entries(args)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : String(value)}`);
  if (words.length === 0) return '';
  const text = ` ${words.join(' ')}`;
  return text.length > 48 ? `${text.slice(0, 47)}…` : text;
}

export const auditCommand = defineCommand({
  name: 'audit',
  order: 420,
  description: 'The latest admin actions, or the latest refused attempts',
  usage: '/audit [n] [kind=actions|refusals|all]',
  role: 'admin',
  needsBot: false,
  args: z.object({
    n: arg.count('how many entries', 1, 100).optional(),
    kind: arg.choice(['actions', 'refusals', 'all'], 'which entries').optional(),
  }),
  async run(run) {
    const kind = run.args.kind ?? 'actions';
    const { store } = run.services;
    const entries = store.recentAudit(run.args.n ?? 15, kind);
    const refusals = kind === 'actions' ? store.refusalCount() : 0;
    const refusalNote =
      refusals > 0
        ? [
            {
              kind: 'text' as const,
              text: `${refusals} refused attempts are logged too: /audit kind=refusals shows them.`,
            },
          ]
        : [];
    if (entries.length === 0)
      return {
        title: 'Audit log',
        blocks: [{ kind: 'text', text: 'Nothing recorded yet.' }, ...refusalNote],
      };
    return {
      title: 'Audit log',
      blocks: [
        {
          kind: 'table',
          headers: ['Time (UTC)', 'User', 'Bot', 'Command', 'Outcome'],
          rows: entries.map((entry) => [
            formatUtcCell(parseFreqtradeDate(entry.at)),
            `${entry.platform}:${entry.user_id}`,
            entry.bot ?? '-',
            `${entry.command}${auditArgsText(entry.args)}`,
            entry.detail ? `${entry.outcome} (${entry.detail})` : entry.outcome,
          ]),
        },
        ...refusalNote,
      ],
    };
  },
});
