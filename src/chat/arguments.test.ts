import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UserInputError } from '../errors.js';
import {
  arg,
  bindArguments,
  echoInput,
  invisibleCharacterIn,
  pairPatternProblem,
  pairProblem,
} from './arguments.js';

describe('pair arguments', () => {
  it.each([
    'BTC/USDT',
    'btc/usdt',
    'BTC/USDT:USDT',
    'BTC/USDT:USDT-250627',
    '1000SHIB/USDT',
    '币安人生/USDT',
  ])('accepts %s', (pair) => expect(pairProblem(pair)).toBeUndefined());

  it.each([
    ['../..', /expected a pair like BTC\/USDT/],
    ['...', /expected a pair like BTC\/USDT/],
    ['BTC', /expected a pair/],
    ['BTC-USDT', /expected a pair/],
    ['BTC/USDT/ETH', /expected a pair/],
    [`${'A'.repeat(37)}/USDT`, /too long \(42 characters\)/],
    ['BTC/USDT\u200b', /invisible or control character \(U\+200B\)/],
    ['\ufeffBTC/USDT', /U\+FEFF/],
    ['BTC/\u200fUSDT', /U\+200F/],
    ['BTC/USDT\n', /U\+000A/],
  ])('refuses %j', (pair, reason) => expect(pairProblem(pair)).toMatch(reason));

  it("takes Freqtrade's blacklist patterns but not slips or invisible characters", () => {
    for (const pattern of ['.*/BNB', 'BNB/.*', '(BTC|ETH)/USDT', 'DOGE/USDT', 'ETH/USDT:USDT'])
      expect(pairPatternProblem(pattern), pattern).toBeUndefined();
    for (const pattern of ['../..', '.*/.*', 'BNB', 'A B/C', 'DOGE/USDT\u200c', `${'A'.repeat(100)}/B`])
      expect(pairPatternProblem(pattern), pattern).toBeDefined();
  });

  it('upper-cases pairs but keeps patterns as typed', () => {
    const schema = z.object({ pairs: arg.pairPatterns('p') });
    expect(bindArguments(schema, ['doge/usdt', '.*/bnb', '\\d+/USDT'], {}, '/x')).toEqual({
      pairs: ['DOGE/USDT', '.*/bnb', '\\d+/USDT'],
    });
    expect(bindArguments(z.object({ pair: arg.pair('p') }), ['eth/usdt'], {}, '/x')).toEqual({
      pair: 'ETH/USDT',
    });
  });
});

describe('echoes of user input', () => {
  it('shows invisible characters and cuts long input with an ellipsis', () => {
    expect(invisibleCharacterIn('plain')).toBeUndefined();
    expect(echoInput('BTC/USDT\u200b')).toBe('BTC/USDT<U+200B>');
    const echoed = echoInput('x'.repeat(6000));
    expect([...echoed]).toHaveLength(64);
    expect(echoed.endsWith('…')).toBe(true);
  });

  it('cuts the echo of a bad argument, of extra words and of the bad word of a list', () => {
    const error = (run: () => unknown) => {
      try {
        run();
      } catch (caught) {
        if (caught instanceof UserInputError) return caught.message;
      }
      throw new Error('expected a UserInputError');
    };
    const pair = z.object({ pair: arg.pair('p') });
    expect(error(() => bindArguments(pair, ['Q'.repeat(6000)], {}, '/x'))).toBe(
      `Bad pair "${'Q'.repeat(63)}…": too long (6000 characters); expected a pair like BTC/USDT, or BTC/USDT:USDT for futures (letters and digits, at most 40 characters).`,
    );
    expect(error(() => bindArguments(pair, ['BTC/USDT', 'w'.repeat(100)], {}, '/x'))).toBe(
      `Too many arguments: ${'w'.repeat(63)}…`,
    );
    const list = z.object({ pairs: arg.pairPatterns('p') });
    expect(error(() => bindArguments(list, ['DOGE/USDT', 'nonsense'], {}, '/x'))).toMatch(
      /^Bad pairs "nonsense":/,
    );
  });
});
