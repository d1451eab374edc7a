import { randomBytes } from 'node:crypto';

/** A button's meaning, kept server-side: callback data carries only a random id. */
export interface PendingAction {
  kind: 'confirm' | 'invoke';
  command: string;
  /** confirm: the bound arguments; invoke: raw `key → value` arguments to bind again. */
  args: Record<string, unknown>;
  bot: string | null;
  platform: string;
  chatId: string;
  threadId: number | null;
  /** Only this user may press it; null = anyone authorised for the command. */
  ownerUserId: string | null;
  expiresAtMs: number;
  /** The result replaces the message the button was on (Refresh, picker choices, Confirm). */
  edit: boolean;
  /** What the confirmation covered when it was asked (see CommandSpec.snapshot). */
  snapshot?: string;
}

export interface PendingActions {
  /** Stores an action and returns its id (16 URL-safe characters, 96 random bits). */
  add(action: PendingAction): string;
  get(id: string): PendingAction | undefined;
  /** Removes and returns the action: used for one-shot confirmations, so a second press finds nothing. */
  take(id: string): PendingAction | undefined;
  delete(id: string): void;
  size(): number;
}

/** Where confirmations are kept beyond this process (the store: file or Redis). */
export interface ConfirmationStore {
  pendingConfirmation(id: string): (PendingAction & { kind: 'confirm' }) | undefined;
  savePendingConfirmation(id: string, action: PendingAction & { kind: 'confirm' }): void;
  dropPendingConfirmation(id: string): void;
}

/**
 * A table of pending button actions, bounded in size, expired entries purged on insert. With a
 * `durable` store, confirmations live there rather than in memory: a prompt asked before a restart
 * or a takeover is still answered, exactly once (taking it removes it from the store). Refresh and
 * picker buttons stay in memory: pressed after a restart they say they expired.
 */
export function createPendingActions(options: {
  now: () => number;
  maxEntries?: number;
  durable?: ConfirmationStore;
}): PendingActions {
  const durable = options.durable;
  const isConfirm = (action: PendingAction): action is PendingAction & { kind: 'confirm' } =>
    action.kind === 'confirm';
  const maxEntries = options.maxEntries ?? 10_000;
  const actions = new Map<string, PendingAction>();
  const purge = () => {
    const now = options.now();
    for (const [id, action] of actions) if (action.expiresAtMs <= now) actions.delete(id);
    while (actions.size >= maxEntries) {
      const oldest = actions.keys().next().value;
      if (oldest === undefined) break;
      actions.delete(oldest);
    }
  };
  return {
    add(action) {
      purge();
      const id = randomBytes(12).toString('base64url');
      if (durable && isConfirm(action)) durable.savePendingConfirmation(id, action);
      else actions.set(id, action);
      return id;
    },
    get(id) {
      return actions.get(id) ?? durable?.pendingConfirmation(id);
    },
    take(id) {
      const action = actions.get(id) ?? durable?.pendingConfirmation(id);
      actions.delete(id);
      durable?.dropPendingConfirmation(id);
      return action;
    },
    delete(id) {
      actions.delete(id);
      durable?.dropPendingConfirmation(id);
    },
    size() {
      return actions.size;
    },
  };
}

/** Button action strings: `c:` confirm, `x:` cancel, `i:` invoke, each followed by a pending id. */
export function parseButtonAction(
  action: string,
): { verb: 'confirm' | 'cancel' | 'invoke'; id: string } | null {
  const match = /^([cxi]):([A-Za-z0-9_-]{16})$/.exec(action);
  if (!match) return null;
  const verb = match[1] === 'c' ? 'confirm' : match[1] === 'x' ? 'cancel' : 'invoke';
  return { verb, id: match[2] as string };
}
