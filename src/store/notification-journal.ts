/*
 * The durable outbox of the file store (issue 16): every queued notification is appended to a
 * JSON-lines journal beside the state file before anything else happens (in particular before its
 * trade is marked as seen), and a line saying it was delivered is appended after the platform
 * accepted it. After `kill -9` the journal still lists what was not yet delivered.
 *
 * Appends are synchronous, so the order on disk is the order of the calls, and each costs the
 * same whatever the queue's length (the benchmark checks this up to 10,000). A torn last line (a
 * crash mid-append) is ignored; the journal is compacted to the live entries at open and whenever
 * delivered entries outnumber them.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { Logger } from '../logger.js';

/** A notification waiting for its platform to accept it. `reply` is the platform-neutral Reply. */
export const queuedNotificationSchema = z.looseObject({
  id: z.string().min(1),
  /** The chat's key (`telegram:123`, `discord:456`, `webhook:name`), the outbox's target. */
  chat_key: z.string().min(1),
  at_ms: z.number(),
  reply: z.unknown(),
  /**
   * The trade event behind it, if any: until delivered, a queued notification counts its trade as
   * seen, so a back-fill after a crash does not announce it a second time.
   */
  about: z
    .looseObject({
      bot: z.string(),
      type: z.string(),
      trade_id: z.number().int(),
      is_final_exit: z.boolean().optional(),
    })
    .optional(),
});
export type QueuedNotification = z.infer<typeof queuedNotificationSchema>;

/** Where queued notifications live until delivered: the file journal or Redis. */
export interface NotificationQueueStore {
  /** Records a notification; once this returns, a crash cannot lose it. */
  queueNotification(entry: QueuedNotification): void;
  /** Forgets delivered (or deliberately dropped) notifications. */
  dropQueuedNotifications(ids: string[]): void;
  /** Every notification not yet delivered, oldest first. */
  queuedNotifications(): QueuedNotification[];
}

const journalLineSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), entry: queuedNotificationSchema }),
  z.object({ op: z.literal('drop'), ids: z.array(z.string()) }),
]);

/** Delivered entries tolerated in the file before it is rewritten with the live ones only. */
const COMPACT_AFTER_DROPPED = 1_000;

export interface NotificationJournal extends NotificationQueueStore {
  /** Stops writing (after the app's final flush); later calls only change memory. */
  close(): void;
}

/** The journal file of a state file: `data/state.json` → `data/state.outbox.jsonl`. */
export function journalPathOf(statePath: string): string {
  return `${statePath.replace(/\.json$/i, '')}.outbox.jsonl`;
}

/** Opens (or creates) the journal at `path`; null keeps it in memory only (the demo, tests). */
export function openNotificationJournal(path: string | null, logger: Logger): NotificationJournal {
  const live = new Map<string, QueuedNotification>();
  let droppedInFile = 0;
  let closed = false;

  if (path !== null && existsSync(path)) {
    const lines = readFileSync(path, 'utf8').split('\n');
    let unreadable = 0;
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      let parsed: z.infer<typeof journalLineSchema> | undefined;
      try {
        const result = journalLineSchema.safeParse(JSON.parse(line));
        parsed = result.success ? result.data : undefined;
      } catch {
        parsed = undefined;
      }
      if (!parsed) {
        // The last line may be torn by a crash mid-append: expected, and nothing was lost (the
        // caller had not been told it was written). Anything else is worth a warning.
        if (index < lines.length - 2) unreadable += 1;
        return;
      }
      if (parsed.op === 'add') live.set(parsed.entry.id, parsed.entry);
      else for (const id of parsed.ids) live.delete(id);
    });
    if (unreadable > 0) {
      logger.warn({ path, unreadable }, 'skipped unreadable lines in the notification journal');
    }
    if (live.size > 0) {
      logger.info({ queued: live.size }, 'resuming notifications that were queued before the restart');
    }
  }

  let failing = false;
  const append = (line: object) => {
    if (path === null || closed) return;
    try {
      appendFileSync(path, `${JSON.stringify(line)}\n`);
      failing = false;
    } catch (error) {
      // Delivery goes on from memory; only a crash before the disk recovers could lose these.
      if (!failing) logger.error({ err: error, path }, 'could not write the notification journal');
      failing = true;
    }
  };

  const compact = () => {
    if (path === null || closed) return;
    const temporary = `${path}.tmp`;
    try {
      writeFileSync(
        temporary,
        [...live.values()].map((entry) => `${JSON.stringify({ op: 'add', entry })}\n`).join(''),
      );
      renameSync(temporary, path);
      droppedInFile = 0;
    } catch (error) {
      // The journal as it is stays valid (appends go on); it is compacted again later.
      logger.error({ err: error, path }, 'could not compact the notification journal');
    }
  };

  compact();

  return {
    queueNotification(entry) {
      live.set(entry.id, entry);
      append({ op: 'add', entry });
    },
    dropQueuedNotifications(ids) {
      const known = ids.filter((id) => live.delete(id));
      if (known.length === 0) return;
      append({ op: 'drop', ids: known });
      droppedInFile += known.length;
      if (droppedInFile > COMPACT_AFTER_DROPPED && droppedInFile > live.size) compact();
    },
    queuedNotifications() {
      return [...live.values()];
    },
    close() {
      closed = true;
    },
  };
}
