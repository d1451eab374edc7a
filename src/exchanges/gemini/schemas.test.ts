import { describe, expect, it } from 'vitest';
import { geminiErrorHint } from './client.js';
import { geminiBalancesSchema, geminiTickerSchema, quoteJsonNumbers, toPlainDecimal } from './schemas.js';

describe('quoteJsonNumbers', () => {
  it('quotes bare numbers so JSON.parse keeps every digit', () => {
    const text = '[{"amount": 98765432.123456789012, "n": -1.5e-7, "ok": true, "none": null}]';
    expect(JSON.parse(quoteJsonNumbers(text))).toEqual([
      { amount: '98765432.123456789012', n: '-1.5e-7', ok: true, none: null },
    ]);
  });

  it('leaves digits inside strings, including escaped quotes, untouched', () => {
    const text = '{"note": "say \\"12\\" twice: 3.5", "x": 7}';
    expect(JSON.parse(quoteJsonNumbers(text))).toEqual({ note: 'say "12" twice: 3.5', x: '7' });
  });
});

describe('toPlainDecimal', () => {
  it('writes exponent literals out in full without changing digits', () => {
    expect(toPlainDecimal('1.5e-7')).toBe('0.00000015');
    expect(toPlainDecimal('-2E3')).toBe('-2000');
    expect(toPlainDecimal('1.2345e2')).toBe('123.45');
    expect(toPlainDecimal('12e-1')).toBe('1.2');
  });

  it('returns a literal without an exponent as is, trailing zeros kept', () => {
    expect(toPlainDecimal('1.10')).toBe('1.10');
    expect(toPlainDecimal('0.00000001')).toBe('0.00000001');
  });
});

describe('Gemini schemas', () => {
  it('accepts balance amounts as strings or numbers and refuses text that is not a decimal', () => {
    const row = {
      type: 'exchange',
      currency: 'BTC',
      amount: '1.5',
      available: 2,
      availableForWithdrawal: '0',
    };
    expect(geminiBalancesSchema.parse([row])).toEqual([{ ...row, available: '2' }]);
    expect(geminiBalancesSchema.safeParse([{ ...row, amount: 'NaN' }]).success).toBe(false);
  });

  it('splits the ticker volume into per-currency decimals and a millisecond timestamp', () => {
    const ticker = geminiTickerSchema.parse({
      bid: '1.1',
      ask: '1.2',
      last: '1.15',
      volume: { ETH: '10.5', USD: '12.07', timestamp: '1700000000000' },
    });
    expect(ticker).toEqual({
      bid: '1.1',
      ask: '1.2',
      last: '1.15',
      volume: { ETH: '10.5', USD: '12.07' },
      volumeTimestampMs: 1_700_000_000_000,
    });
  });
});

describe('geminiErrorHint', () => {
  it.each([
    ['EndpointMismatch', 400, 'the signed request path differs from the URL'],
    ['MissingPayloadHeader', 400, 'may strip or alter X-GEMINI-* headers'],
    ['InvalidNonce', 400, 'the nonce went backwards'],
    ['MissingRole', 403, 'the API key lacks the role'],
    ['InsufficientPermissions', 403, 'the API key lacks the role'],
    ['RateLimited', 429, 'rate limited'],
    [undefined, 429, 'rate limited'],
    [undefined, 404, 'unknown endpoint'],
    [undefined, 503, 'maintenance'],
    [undefined, 502, 'server error'],
  ])('%s with %i says "%s"', (reason, status, words) => {
    expect(geminiErrorHint(reason, status)).toContain(words);
  });

  it('blames the clock for InvalidNonce on a time-based key', () => {
    expect(geminiErrorHint('InvalidNonce', 400, { timeBasedNonce: true })).toContain('±30 s window');
  });

  it('has nothing to add for an unknown 400', () => {
    expect(geminiErrorHint('SomethingElse', 400)).toBeUndefined();
  });
});
