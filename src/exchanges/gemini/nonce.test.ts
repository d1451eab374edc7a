import { describe, expect, it } from 'vitest';
import {
  createMemoryNonceStore,
  createNonceSource,
  nextCounterNonce,
  nextTimeBasedNonce,
  TIME_NONCE_MAX_AHEAD_S,
  TIME_NONCE_WINDOW_S,
} from './nonce.js';

const T0_MS = 1_700_000_000_000;

describe('counter nonces', () => {
  it('starts at the clock in milliseconds', () => {
    const source = createNonceSource({ store: createMemoryNonceStore(), key: 'k', now: () => T0_MS + 0.7 });
    expect(source.next()).toBe(T0_MS);
  });

  it('gives distinct, strictly increasing values to many calls in the same millisecond', () => {
    const source = createNonceSource({ store: createMemoryNonceStore(), key: 'k', now: () => T0_MS });
    const nonces = Array.from({ length: 1000 }, () => source.next());
    expect(new Set(nonces).size).toBe(1000);
    for (let i = 1; i < nonces.length; i++) expect(nonces[i]).toBe(nonces[i - 1]! + 1);
  });

  it('follows the clock again once it passes the bumped counter', () => {
    let nowMs = T0_MS;
    const source = createNonceSource({ store: createMemoryNonceStore(), key: 'k', now: () => nowMs });
    source.next();
    source.next();
    source.next();
    nowMs = T0_MS + 5_000;
    expect(source.next()).toBe(T0_MS + 5_000);
  });

  it('saves every issued nonce to the store', () => {
    const store = createMemoryNonceStore();
    const source = createNonceSource({ store, key: 'gemini:k', now: () => T0_MS });
    const a = source.next();
    expect(store.load('gemini:k')).toBe(a);
    const b = source.next();
    expect(store.load('gemini:k')).toBe(b);
  });

  it('continues above the last nonce after a restart with the clock set back an hour', () => {
    const store = createMemoryNonceStore();
    const before = createNonceSource({ store, key: 'k', now: () => T0_MS });
    const last = [before.next(), before.next()].at(-1)!;

    const after = createNonceSource({ store, key: 'k', now: () => T0_MS - 3_600_000 });
    expect(after.next()).toBe(last + 1);
    expect(after.next()).toBe(last + 2);
  });

  it('keeps separate counters per key', () => {
    const store = createMemoryNonceStore({ a: T0_MS + 10_000 });
    const a = createNonceSource({ store, key: 'a', now: () => T0_MS });
    const b = createNonceSource({ store, key: 'b', now: () => T0_MS });
    expect(a.next()).toBe(T0_MS + 10_001);
    expect(b.next()).toBe(T0_MS);
  });

  it('never repeats when two sources share one store and key', () => {
    const store = createMemoryNonceStore();
    const one = createNonceSource({ store, key: 'k', now: () => T0_MS });
    const two = createNonceSource({ store, key: 'k', now: () => T0_MS });
    const nonces = [one.next(), two.next(), one.next(), two.next()];
    expect(nonces).toEqual([T0_MS, T0_MS + 1, T0_MS + 2, T0_MS + 3]);
  });

  it('ignores a corrupt stored value instead of issuing NaN', () => {
    const store = createMemoryNonceStore({ k: Number.NaN });
    const source = createNonceSource({ store, key: 'k', now: () => T0_MS });
    expect(source.next()).toBe(T0_MS);
  });

  it('nextCounterNonce is max(now, last + 1)', () => {
    expect(nextCounterNonce(100, undefined)).toBe(100);
    expect(nextCounterNonce(100, 50)).toBe(100);
    expect(nextCounterNonce(100, 100)).toBe(101);
    expect(nextCounterNonce(100, 500)).toBe(501);
  });
});

describe('time-based nonces', () => {
  const T0_S = T0_MS / 1000;

  it('are whole seconds of the clock', () => {
    const source = createNonceSource({
      store: createMemoryNonceStore(),
      key: 'k',
      timeBased: true,
      now: () => T0_MS + 999,
    });
    expect(source.next()).toBe(T0_S);
  });

  it('are bumped to stay distinct within a second, but never past the cap ahead of the clock', () => {
    const source = createNonceSource({
      store: createMemoryNonceStore(),
      key: 'k',
      timeBased: true,
      now: () => T0_MS,
    });
    const nonces = Array.from({ length: 20 }, () => source.next());
    const distinct = nonces.slice(0, TIME_NONCE_MAX_AHEAD_S + 1);
    expect(distinct).toEqual(Array.from({ length: TIME_NONCE_MAX_AHEAD_S + 1 }, (_, i) => T0_S + i));
    // Past the cap the burst reuses the capped second: still inside Gemini's ±30 s window.
    for (const nonce of nonces.slice(TIME_NONCE_MAX_AHEAD_S + 1))
      expect(nonce).toBe(T0_S + TIME_NONCE_MAX_AHEAD_S);
    for (const nonce of nonces) expect(Math.abs(nonce - T0_S)).toBeLessThanOrEqual(TIME_NONCE_WINDOW_S);
  });

  it('follow the local clock after a restart instead of a stored nonce far ahead of it', () => {
    const store = createMemoryNonceStore({ k: T0_S + 3_600 });
    const source = createNonceSource({ store, key: 'k', timeBased: true, now: () => T0_MS });
    expect(source.next()).toBe(T0_S + TIME_NONCE_MAX_AHEAD_S);
    expect(store.load('k')).toBe(T0_S + TIME_NONCE_MAX_AHEAD_S);
  });

  it('continue above a recent stored nonce after a restart', () => {
    const store = createMemoryNonceStore({ k: T0_S + 2 });
    const source = createNonceSource({ store, key: 'k', timeBased: true, now: () => T0_MS });
    expect(source.next()).toBe(T0_S + 3);
  });

  it('nextTimeBasedNonce is max(nowS, last + 1) capped at nowS + the allowed lead', () => {
    expect(nextTimeBasedNonce(T0_MS, undefined)).toBe(T0_S);
    expect(nextTimeBasedNonce(T0_MS, T0_S - 100)).toBe(T0_S);
    expect(nextTimeBasedNonce(T0_MS, T0_S)).toBe(T0_S + 1);
    expect(nextTimeBasedNonce(T0_MS, T0_S + 500)).toBe(T0_S + TIME_NONCE_MAX_AHEAD_S);
  });
});
