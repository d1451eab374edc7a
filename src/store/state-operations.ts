/*
 * The store's operations on its in-memory state, shared by both stores (the lowdb file and
 * Redis). Reads are served from memory; each mutation reports what it changed through
 * `onChange`, and the store behind it persists exactly that: lowdb rewrites its file, Redis
 * writes the one key.
 */
import type { NotificationQueueStore } from './notification-journal.js';
import type { Store } from './store.js';
import { type AuditEntry, chatStateSchema, type StoreData, seenTradesSchema } from './schema.js';

/** Refused attempts kept in the audit log, beside (not counted in) `auditMaxEntries` actions. */
export const REFUSALS_KEPT = 500;

/** A stored confirmation this much older than a new one is dropped (prompts live at most 10 minutes). */
const STALE_CONFIRMATION_MS = 3_600_000;

/** What one mutation changed, for the persistence behind the store. */
export type StoreChange =
  | { kind: 'chat'; key: string }
  /** One audit entry appended; `refusal` says which capped list it belongs to. */
  | { kind: 'audit'; entry: AuditEntry; refusal: boolean; cap: number }
  | { kind: 'nonce'; key: string; nonce: number }
  | { kind: 'seen'; bot: string }
  | { kind: 'confirmation'; id: string; dropped: boolean }
  | { kind: 'cursor'; name: string; value: number };

/** Whether an audit entry is a refusal (capped apart from admin actions). */
export function isRefusal(entry: Pick<AuditEntry, 'outcome'>): boolean {
  return entry.outcome === 'denied';
}

export type StoreOperations = Omit<Store, 'flush' | 'close' | keyof NotificationQueueStore>;

/** Store operations over `data` (mutated in place); every mutation is reported to `onChange`. */
export function createStoreOperations(
  data: StoreData,
  auditMaxEntries: number,
  onChange: (change: StoreChange) => void,
): StoreOperations {
  return {
    chat(key) {
      return data.chats[key] ?? chatStateSchema.parse({});
    },
    updateChat(key, update) {
      const state = data.chats[key] ?? chatStateSchema.parse({});
      update(state);
      data.chats[key] = state;
      onChange({ kind: 'chat', key });
    },
    chatKeys() {
      return Object.keys(data.chats);
    },
    hasChat(key) {
      return Object.hasOwn(data.chats, key);
    },
    appendAudit(input) {
      const entry: AuditEntry = {
        ...input,
        at: input.at ?? new Date().toISOString(),
        detail: input.detail ?? null,
      };
      data.audit.push(entry);
      // Refusals and actions are capped apart: a stranger who messages the bot thousands of times
      // must not push the admins' actions out of the log.
      const refusal = isRefusal(entry);
      const cap = refusal ? REFUSALS_KEPT : auditMaxEntries;
      let count = 0;
      for (const kept of data.audit) if (isRefusal(kept) === refusal) count += 1;
      if (count > cap) {
        let toDrop = count - cap;
        data.audit = data.audit.filter((kept) => {
          if (toDrop > 0 && isRefusal(kept) === refusal) {
            toDrop -= 1;
            return false;
          }
          return true;
        });
      }
      onChange({ kind: 'audit', entry, refusal, cap });
    },
    recentAudit(limit, kind = 'all') {
      const entries =
        kind === 'all'
          ? data.audit
          : data.audit.filter((entry) => isRefusal(entry) === (kind === 'refusals'));
      return entries.slice(-limit).reverse();
    },
    refusalCount() {
      let count = 0;
      for (const entry of data.audit) if (isRefusal(entry)) count += 1;
      return count;
    },
    lastNonce(key) {
      return data.nonces[key];
    },
    saveNonce(key, nonce) {
      data.nonces[key] = nonce;
      onChange({ kind: 'nonce', key, nonce });
    },
    seenTrades(bot) {
      return data.seen_trades[bot] ?? seenTradesSchema.parse({});
    },
    saveSeenTrades(bot, seen) {
      data.seen_trades[bot] = seen;
      onChange({ kind: 'seen', bot });
    },
    pendingConfirmation(id) {
      // Whether it expired is the router's call, on its own clock.
      return data.pending_confirmations[id];
    },
    savePendingConfirmation(id, confirmation) {
      // Prompts live minutes; one that expired an hour before this one expires is long dead,
      // whatever clock the caller keeps.
      for (const [key, kept] of Object.entries(data.pending_confirmations)) {
        if (kept.expiresAtMs <= confirmation.expiresAtMs - STALE_CONFIRMATION_MS) {
          delete data.pending_confirmations[key];
          onChange({ kind: 'confirmation', id: key, dropped: true });
        }
      }
      data.pending_confirmations[id] = confirmation;
      onChange({ kind: 'confirmation', id, dropped: false });
    },
    dropPendingConfirmation(id) {
      if (!Object.hasOwn(data.pending_confirmations, id)) return;
      delete data.pending_confirmations[id];
      onChange({ kind: 'confirmation', id, dropped: true });
    },
    cursor(name) {
      return data.cursors[name];
    },
    saveCursor(name, value) {
      if (data.cursors[name] === value) return;
      data.cursors[name] = value;
      onChange({ kind: 'cursor', name, value });
    },
  };
}
