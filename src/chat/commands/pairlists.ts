import { z } from 'zod';
import { UserInputError } from '../../errors.js';
import { readableErrorValue } from '../../freqtrade/client.js';
import type { Blacklist, Locks } from '../../freqtrade/schemas.js';
import { locksTable } from './info.js';
import { arg, ECHO_MAX_CHARS, echoInput } from '../arguments.js';
import type { Reply } from '../reply.js';
import { defineCommand } from '../types.js';
import { formatUtc } from '../../format/dates.js';
import { plural } from '../../format/plural.js';
import { parseUntil } from './duration.js';

const LOCK_USAGE = '/lock <pair> <duration|until> [reason…] [side=long|short|*]';

export const lockCommand = defineCommand({
  name: 'lock',
  order: 290,
  description: 'Lock a pair against new entries for a duration (30m, 4h, 2d) or until a date',
  usage: LOCK_USAGE,
  role: 'admin',
  mutates: true,
  args: z.object({
    pair: arg.pair('pair to lock'),
    duration: z
      .string()
      .min(1)
      .max(ECHO_MAX_CHARS, 'too long for a duration like 30m, 4h, 2d or a date like 2026-12-01T12:00Z')
      .describe('duration like 30m, 4h, 2d, or an ISO date'),
    reason: arg.rest('why').optional(),
    side: arg.choice(['long', 'short', '*'], 'side to lock').optional(),
  }),
  async run(run) {
    const until = parseUntil(run.args.duration, run.services.now(), LOCK_USAGE);
    const reason = run.args.reason?.join(' ').trim() || undefined;
    const result = await run.bot.addLocks([
      { pair: run.args.pair, until, side: run.args.side ?? '*', ...(reason ? { reason } : {}) },
    ]);
    // Freqtrade rounds the end up to its next candle: show the end it actually stored.
    const lock = result.locks.filter((l) => l.pair === run.args.pair).sort((a, b) => b.id - a.id)[0];
    const storedEnd = lock?.lock_end_timestamp ? new Date(lock.lock_end_timestamp) : until;
    return {
      title: '🔒 Pair locked',
      tone: 'info',
      blocks: [
        {
          kind: 'fields',
          fields: [
            { label: 'Pair', value: run.args.pair },
            { label: 'Until', value: formatUtc(storedEnd) },
            { label: 'Side', value: run.args.side ?? '*' },
            ...(reason ? [{ label: 'Reason', value: echoInput(reason) }] : []),
            ...(lock ? [{ label: 'Lock id', value: String(lock.id) }] : []),
          ],
        },
      ],
    };
  },
});

export const unlockCommand = defineCommand({
  name: 'unlock',
  order: 300,
  aliases: ['delete_locks'],
  description: 'Remove a lock by id, or every lock of a pair',
  usage: '/unlock <lock_id|pair>',
  role: 'admin',
  mutates: true,
  args: z.object({ lock_id: arg.lockId('lock id or pair') }),
  async run(run) {
    const target = run.args.lock_id.trim();
    const before = await run.bot.locks();
    let after: Locks;
    if (/^\d+$/.test(target)) {
      const id = Number(target);
      if (!before.locks.some((lock) => lock.id === id))
        throw new UserInputError(`There is no lock with id ${id}.`);
      after = await run.bot.deleteLock(id);
    } else {
      const pair = arg.pair('pair').safeParse(target);
      if (!pair.success) {
        throw new UserInputError(
          `"${echoInput(target)}" is neither a lock id nor a pair: ${pair.error.issues[0]?.message ?? 'invalid'}.`,
          '/unlock <lock_id|pair>',
        );
      }
      if (!before.locks.some((lock) => lock.pair === pair.data))
        throw new UserInputError(`${pair.data} has no locks.`);
      after = await run.bot.deleteLocksBy({ pair: pair.data });
    }
    return {
      title: '🔓 Unlocked',
      tone: 'info',
      blocks: [
        {
          kind: 'text',
          text: `Removed ${plural(before.lock_count - after.lock_count, 'lock')} for ${echoInput(target)}.`,
        },
        // What is still locked, as Freqtrade's /unlock shows it afterwards.
        after.locks.length > 0
          ? { kind: 'text', text: `Still locked (${after.locks.length}):` }
          : { kind: 'text', text: 'No locks remain.' },
        ...(after.locks.length > 0 ? [locksTable(after.locks)] : []),
      ],
    };
  },
});

/**
 * The blacklist and, per entry Freqtrade did not take, its own words (`{"error_msg": "Pair X
 * already in pairlist."}`), rendered as text whatever shape they come in.
 */
function blacklistReply(title: string, result: Blacklist): Reply {
  const blocks: Reply['blocks'] = [
    {
      kind: 'text',
      text: result.blacklist.length ? result.blacklist.join(', ') : 'The blacklist is empty.',
    },
  ];
  const errors = Object.entries(result.errors ?? {});
  if (errors.length) {
    blocks.push({
      kind: 'fields',
      fields: errors.map(([pair, message]) => ({
        label: echoInput(pair),
        value: readableErrorValue(message) ?? 'refused by Freqtrade',
      })),
    });
  }
  return { title: `${title} (${result.length})`, tone: 'info', blocks };
}

export const blacklistCommand = defineCommand({
  name: 'blacklist',
  order: 210,
  description: 'Show the blacklist, or add pairs to it (admins)',
  usage: '/blacklist [pairs… (pair or pattern)]',
  role: 'viewer',
  args: z.object({ pairs: arg.pairPatterns('pairs or patterns (like .*/BNB) to add').optional() }),
  // Showing is for viewers; adding changes the bot, so it is for admins, audited and refused on read-only bots.
  roleFor: (args) =>
    args.pairs?.length ? { role: 'admin', action: 'add pairs to the blacklist' } : undefined,
  mutates: (args) => (args.pairs?.length ?? 0) > 0,
  async run(run) {
    const pairs = run.args.pairs ?? [];
    if (pairs.length === 0) return blacklistReply('🚫 Blacklist', await run.bot.blacklist());
    return blacklistReply('🚫 Blacklist updated', await run.bot.addBlacklist(pairs));
  },
});

export const blacklistDeleteCommand = defineCommand({
  name: 'bl_delete',
  order: 350,
  aliases: ['blacklist_delete'],
  description: 'Remove pairs from the blacklist',
  usage: '/bl_delete <pairs… (pair or pattern)>',
  role: 'admin',
  mutates: true,
  args: z.object({ pairs: arg.pairPatterns('blacklist entries to remove').min(1, 'name at least one pair') }),
  async run(run) {
    return blacklistReply('🚫 Blacklist updated', await run.bot.deleteBlacklist(run.args.pairs));
  },
});
