/**
 * Nonces for Gemini private calls (https://docs.gemini.com/rest/authentication, "Nonce").
 *
 * Counter keys (the default): the nonce must strictly increase per API key and never repeat.
 * We use `max(nowMs, last + 1)`, issued synchronously (so concurrent calls in one millisecond
 * still get distinct values) and saved on every issue, so a restart continues above the last
 * one even when the clock stepped back.
 *
 * Time-based keys: the nonce is in seconds and must lie within ±30 s of Gemini's clock; Gemini
 * documents no ordering rule for them. We still hand out distinct, increasing seconds while
 * that stays close to now (`max(nowS, last + 1)`), but never more than
 * `TIME_NONCE_MAX_AHEAD_S` ahead of the local clock: past that a burst reuses the capped second
 * instead of drifting out of the window, and a stored nonce from a clock that ran ahead is
 * ignored rather than followed. `next()` never waits.
 */

/** Where the last issued nonce per key survives a restart (the bot's state file in production). */
export interface NonceStore {
  load(key: string): number | undefined;
  save(key: string, nonce: number): void;
}

export interface NonceSource {
  /** The nonce for the next request; call it once per attempt, right before signing. */
  next(): number;
}

export interface NonceSourceOptions {
  store: NonceStore;
  /** One key per Gemini API key (its "session"), e.g. `gemini:<api key id>`. */
  key: string;
  /** The key was created with "Uses a time based nonce": seconds within ±30 s. */
  timeBased?: boolean;
  /** Clock in Unix milliseconds (Date.now by default); tests set it back to simulate a restart. */
  now?: () => number;
}

/** Gemini accepts a time-based nonce within this many seconds of its own clock. */
export const TIME_NONCE_WINDOW_S = 30;

/**
 * How far ahead of the local clock a time-based nonce may be bumped to keep it unique. A third
 * of Gemini's window, leaving 20 s for clock skew between this host and Gemini.
 */
export const TIME_NONCE_MAX_AHEAD_S = 10;

/** Returns the next counter nonce, `max(nowMs, last + 1)`; with no last nonce, `nowMs`. */
export function nextCounterNonce(nowMs: number, last: number | undefined): number {
  const now = Math.floor(nowMs);
  return last === undefined ? now : Math.max(now, last + 1);
}

/**
 * Returns the next time-based nonce in seconds: `max(nowS, last + 1)` capped at
 * `nowS + TIME_NONCE_MAX_AHEAD_S`, so it may repeat the capped second in a burst but never
 * leaves Gemini's ±30 s window because of bumping.
 */
export function nextTimeBasedNonce(nowMs: number, last: number | undefined): number {
  const nowS = Math.floor(nowMs / 1000);
  const bumped = last === undefined ? nowS : Math.max(nowS, last + 1);
  return Math.min(bumped, nowS + TIME_NONCE_MAX_AHEAD_S);
}

/** Returns a stored value only when it is a usable nonce (a corrupt store must not yield NaN). */
function usable(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * Returns a nonce source for one API key. The store is read on every issue as well, so two
 * sources over the same store and key (e.g. two clients built for different commands) still
 * never hand out the same counter nonce.
 */
export function createNonceSource(opts: NonceSourceOptions): NonceSource {
  const now = opts.now ?? Date.now;
  const timeBased = opts.timeBased ?? false;
  let last = usable(opts.store.load(opts.key));
  return {
    next(): number {
      const stored = usable(opts.store.load(opts.key));
      const floor = last === undefined ? stored : stored === undefined ? last : Math.max(last, stored);
      const nonce = timeBased ? nextTimeBasedNonce(now(), floor) : nextCounterNonce(now(), floor);
      // Counter mode: nonce > floor always. Time-based: the issued second, even when it is below
      // a stored value from a clock that ran ahead, so bumping resumes from what Gemini saw.
      last = nonce;
      opts.store.save(opts.key, nonce);
      return nonce;
    },
  };
}

/** Returns an in-memory store (tests, or a bot without a state file); forgotten on restart. */
export function createMemoryNonceStore(initial: Record<string, number> = {}): NonceStore {
  const values = new Map<string, number>(Object.entries(initial));
  return {
    load: (key) => values.get(key),
    save: (key, nonce) => {
      values.set(key, nonce);
    },
  };
}
