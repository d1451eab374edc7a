/** Counted nouns. Pure. */

/** The noun for `count` without the number: `'trade'` for 1, `'trades'` (or `pluralForm`) otherwise, 0 included. */
export function pluralWord(count: number, singular: string, pluralForm = `${singular}s`): string {
  return count === 1 ? singular : pluralForm;
}

/** `'3 trades'` / `'1 trade'` / `'0 trades'`; an irregular plural as `pluralForm` (`'2 currencies'`). */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${pluralWord(count, singular, pluralForm)}`;
}
