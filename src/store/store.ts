import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low, Memory } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { Logger } from '../logger.js';
import {
  type AuditEntry,
  type ChatState,
  emptyStoreData,
  type PendingConfirmation,
  type SeenTrades,
  type StoreData,
  storeDataSchema,
} from './schema.js';
import {
  journalPathOf,
  type NotificationQueueStore,
  openNotificationJournal,
} from './notification-journal.js';
import { createStoreOperations } from './state-operations.js';

export interface StoreOptions {
  /** JSON file path, or null for an in-memory store (the demo, tests). */
  path: string | null;
  logger: Logger;
  /** Oldest audit entries are dropped beyond this many. */
  auditMaxEntries: number;
}

export { REFUSALS_KEPT } from './state-operations.js';

/** One audited action; `at` defaults to now. */
export interface AuditInput {
  platform: string;
  user_id: string;
  chat_id: string;
  bot: string | null;
  command: string;
  args: string;
  outcome: AuditEntry['outcome'];
  detail?: string | null;
  at?: string;
}

/** The one owner of persistent state. Every mutation is written to disk (atomically, by lowdb). */
export interface Store extends NotificationQueueStore {
  chat(key: string): ChatState;
  updateChat(key: string, update: (state: ChatState) => void): void;
  chatKeys(): string[];
  /** True when the chat has stored state (O(1)). */
  hasChat(key: string): boolean;
  appendAudit(entry: AuditInput): void;
  /** The newest entries first: admin actions and settings changes, refusals, or both. */
  recentAudit(limit: number, kind?: 'actions' | 'refusals' | 'all'): AuditEntry[];
  /** How many refused attempts the log holds. */
  refusalCount(): number;
  lastNonce(key: string): number | undefined;
  saveNonce(key: string, nonce: number): void;
  seenTrades(bot: string): SeenTrades;
  saveSeenTrades(bot: string, seen: SeenTrades): void;
  /** A confirmation prompt waiting for its answer (expired ones are dropped when others are saved). */
  pendingConfirmation(id: string): PendingConfirmation | undefined;
  savePendingConfirmation(id: string, confirmation: PendingConfirmation): void;
  dropPendingConfirmation(id: string): void;
  /** A platform's last update taken in; undefined before the first. */
  cursor(name: string): number | undefined;
  /** Sets a platform's cursor. */
  saveCursor(name: string, value: number): void;
  /** Waits for pending writes. */
  flush(): Promise<void>;
  /**
   * Writes what is pending, then stops writing: the app's stop is over, and a handler it left
   * behind must not touch the file after the last flush. Changes after this stay in memory.
   */
  close(): Promise<void>;
}

/**
 * Whether what was changed so far is written within `ms` (Redis answered, or the file rewritten):
 * before acting on something that must not happen twice after a crash. A failed write counts as
 * done, since the store logs its own errors.
 */
export async function flushedWithin(store: Pick<Store, 'flush'>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const written = store.flush().then(
    () => true as const,
    () => true as const,
  );
  return Promise.race([written, timedOut]).finally(() => clearTimeout(timer));
}

/**
 * Opens the store. A file that is not JSON or does not match the schema is renamed to
 * `<path>.corrupt-<timestamp>` and the bot starts with a fresh store, saying so in the log.
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const db =
    options.path === null
      ? new Low<StoreData>(new Memory<StoreData>(), emptyStoreData())
      : new Low<StoreData>(new JSONFile<StoreData>(options.path), emptyStoreData());
  if (options.path !== null) await mkdir(dirname(options.path), { recursive: true });

  let loaded: unknown;
  let readError: unknown;
  try {
    await db.read();
    loaded = db.data;
  } catch (error) {
    readError = error;
  }
  const parsed = readError === undefined ? storeDataSchema.safeParse(loaded) : undefined;
  if (parsed?.success) {
    db.data = parsed.data;
  } else {
    db.data = emptyStoreData();
    if (options.path !== null) {
      const backup = `${options.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(options.path, backup);
      const why =
        readError instanceof Error ? readError.message : (parsed?.error.issues[0]?.message ?? 'unknown');
      options.logger.warn(
        { path: options.path, backup, reason: why },
        'store file was unreadable; kept it aside as a backup and started with a fresh store',
      );
      await db.write();
    }
  }
  const data = db.data;
  const journal = openNotificationJournal(
    options.path === null ? null : journalPathOf(options.path),
    options.logger,
  );

  let pending: Promise<void> = Promise.resolve();
  let closed = false;
  // Writes coalesce: while one is waiting to start, later changes ride along with it (it writes
  // the whole state as it is when it starts).
  let writeWaiting = false;
  const persist = () => {
    if (closed || writeWaiting) return;
    writeWaiting = true;
    pending = pending
      .then(() => {
        writeWaiting = false;
        return db.write();
      })
      .catch((error: unknown) => {
        options.logger.error({ err: error, path: options.path }, 'could not write the store file');
      });
  };

  return {
    ...createStoreOperations(data, options.auditMaxEntries, persist),
    queueNotification: journal.queueNotification,
    dropQueuedNotifications: journal.dropQueuedNotifications,
    queuedNotifications: journal.queuedNotifications,
    async flush() {
      await pending;
    },
    async close() {
      closed = true;
      journal.close();
      await pending;
    },
  };
}
