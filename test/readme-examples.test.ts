import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELP_EXAMPLES } from '../src/chat/commands/meta.js';
import { type Harness, startHarness } from './support/harness.js';

/** The lines of the README's command examples block, exactly as a user would copy them. */
function readmeExamples(): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(
    readme.indexOf('## Commands'),
    readme.indexOf('## What keeps your money safe'),
  );
  const block = /```text\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('no ```text block in the README command section');
  return block.split('\n').filter((line) => line.trim() !== '');
}

/** What a reply that did not work says: each is a sign the example is wrong or out of date. */
const FAILED = /Unknown command|not allowed|Something went wrong|was not understood|Bad |expected/;

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ seed: 'demo' });
});
afterAll(async () => {
  await harness.close();
});

describe('documented examples run as written', () => {
  const examples = [...readmeExamples(), ...HELP_EXAMPLES];
  it('has examples to run', () => {
    expect(examples.length).toBeGreaterThan(10);
  });
  it.each(examples)('%s', async (line) => {
    const [reply] = await harness.say(line);
    const text = reply?.text ?? '';
    expect(text).not.toMatch(FAILED);
    // A usage line in a reply means the arguments were refused, except where it was asked for.
    if (line.startsWith('/help ')) expect(text).toMatch(/Keys: /);
    else expect(text).not.toContain('Usage:');
  });
});
