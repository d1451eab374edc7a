import { describe, expect, it } from 'vitest';
import { plural, pluralWord } from './plural.js';

describe('plural', () => {
  it('counts a noun, singular only for exactly one', () => {
    expect(plural(1, 'trade')).toBe('1 trade');
    expect(plural(3, 'trade')).toBe('3 trades');
    expect(plural(0, 'trade')).toBe('0 trades');
  });

  it('takes an irregular plural', () => {
    expect(plural(2, 'other currency', 'other currencies')).toBe('2 other currencies');
    expect(pluralWord(1, 'differs', 'differ')).toBe('differs');
    expect(pluralWord(2, 'differs', 'differ')).toBe('differ');
  });
});
