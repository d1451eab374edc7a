import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConsoleAdapter, createConsoleAdapter } from '../src/console/adapter.js';
import { buildDemoConfig } from '../src/demo/run-demo.js';
import { createSilentLogger } from '../src/logger.js';
import { type App, startApp } from '../src/main.js';
import { type FakeFreqtrade, startFakeFreqtrade } from '../src/simulator/freqtrade-server.js';

const ESC = '\u001b';
/** The text without ANSI control sequences (colours, cursor moves). */
const withoutAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');

interface Harness {
  adapter: ConsoleAdapter;
  input: PassThrough;
  /** Everything written so far. */
  output(): string;
}

let fake: FakeFreqtrade;
let app: App;
let clockOffsetMs = 0;

beforeEach(async () => {
  clockOffsetMs = 0;
  fake = await startFakeFreqtrade({ seed: 'demo' });
  app = await startApp({
    config: buildDemoConfig({ simulatorUrl: fake.url }),
    logger: createSilentLogger(),
    storePath: null,
    now: () => Date.now() + clockOffsetMs,
  });
});

afterEach(async () => {
  await app.stop();
  await fake.close();
});

function harness(opts: { interactive?: boolean; color?: boolean; userId?: string } = {}): Harness {
  const input = new PassThrough();
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk: Buffer) => {
    written += chunk.toString('utf8');
  });
  const adapter = createConsoleAdapter({
    router: app.router,
    input,
    output,
    interactive: opts.interactive ?? false,
    color: opts.color ?? false,
    ...(opts.userId ? { userId: opts.userId } : {}),
  });
  return { adapter, input, output: () => written };
}

/** Pipes `lines` in, ends the input and waits for `start()` to resolve. */
async function runLines(h: Harness, lines: string[]): Promise<string> {
  const done = h.adapter.start();
  h.input.end(lines.map((line) => `${line}\n`).join(''));
  await done;
  return h.output();
}

const openIds = () => fake.state.trades.filter((trade) => trade.isOpen).map((trade) => trade.id);

describe('console adapter with piped input', () => {
  it('answers piped commands in order and resolves start() after the last reply, in plain text', async () => {
    const h = harness();
    const text = await runLines(h, ['/status', '/profit', '/locks']);
    const status = text.indexOf('Open trades');
    const profit = text.indexOf('Profit');
    const locks = text.indexOf('Locks');
    expect(status).toBeGreaterThanOrEqual(0);
    expect(profit).toBeGreaterThan(status);
    expect(locks).toBeGreaterThan(profit);
    expect(text).toContain('#1 BTC/USDT');
    expect(text).toContain('StoplossGuard');
    expect(text).not.toContain(ESC);
    // Piped commands are echoed, so the transcript reads as a chat.
    expect(text.startsWith('> /status\n')).toBe(true);
    expect(text.indexOf('> /profit\n')).toBeGreaterThan(status);
  });

  it('presses Confirm on "yes" after a confirmation prompt, and the trade exits', async () => {
    const h = harness();
    const text = await runLines(h, ['/forceexit 1', 'yes']);
    expect(text).toContain('[Confirm] [Cancel] — answer yes or no');
    expect(text).toContain('Created exit order for trade 1.');
    expect(openIds()).not.toContain(1);
  });

  it('presses Cancel on "n", and the trade stays open', async () => {
    const h = harness();
    const text = await runLines(h, ['/forceexit 8', 'n']);
    expect(text).toContain('Cancelled.');
    expect(openIds()).toContain(8);
  });

  it('answers the latest prompt when a second command asked for confirmation', async () => {
    const h = harness();
    await runLines(h, ['/forceexit 8', '/forceexit 9', 'y']);
    expect(openIds()).toEqual([1, 8]);
  });

  it('picks a numbered choice of a picker and then asks for confirmation of that trade', async () => {
    const h = harness();
    const text = await runLines(h, ['/forceexit', '2', 'yes']);
    expect(text).toMatch(
      /1\) #1 BTC\/USDT [+-]\d+\.\d+%\s+2\) #8 ETH\/USDT [+-]\d+\.\d+%\s+3\) #9 SOL\/USDT .*4\) All 3 trades\s+— answer with a number, or no to cancel/,
    );
    expect(text).toContain('Exit trade #8 ETH/USDT?');
    expect(openIds()).toEqual([1, 9]);
  });

  it('explains what to answer when a reply does not fit the pending question', async () => {
    const h = harness();
    const text = await runLines(h, ['/forceexit', '9', 'maybe', 'hello']);
    expect(text).toContain('Answer with a number from 1 to 4, or send another command.');
    // The picker stays pending after each wrong answer.
    expect(text.match(/Answer with a number from 1 to 4/g)).toHaveLength(3);
    const fresh = harness();
    expect(await runLines(fresh, ['hello'])).toContain('Commands start with "/": try /help.');
  });

  it('shows the expiry notice when a confirmation is answered too late, and nothing is done', async () => {
    const h = harness();
    const done = h.adapter.start();
    h.input.write('/forceexit 1\n');
    await expect.poll(() => h.output()).toContain('answer yes or no');
    clockOffsetMs = 61_000;
    h.input.end('yes\n');
    await done;
    expect(h.output()).toMatch(/This confirmation expired[.:] [Nn]othing was done/);
    expect(openIds()).toContain(1);
  });

  it('refuses admin commands to a console user who is not in access.admins', async () => {
    const h = harness({ userId: 'stranger' });
    const text = await runLines(h, ['/forceexit 1']);
    expect(text).toContain('You are not allowed to do that here.');
    expect(openIds()).toContain(1);
  });

  it('writes notifications as plain lines and stop() ends start() while input is still open', async () => {
    const h = harness();
    const done = h.adapter.start();
    await h.adapter.notify({
      title: 'Exited BTC/USDT (#7)',
      tone: 'profit',
      blocks: [{ kind: 'text', text: 'roi' }],
    });
    expect(h.output()).toBe('Exited BTC/USDT (#7)\nroi\n\n');
    h.adapter.stop();
    await done;
  });
});

describe('console adapter on a terminal', () => {
  it('prompts with "> ", colours replies, and prints a notification above the line being typed', async () => {
    const h = harness({ interactive: true, color: true });
    const done = h.adapter.start();
    expect(h.output()).toContain('> ');
    h.input.write('/status\r');
    await expect.poll(() => h.output()).toContain('Open trades');
    expect(h.output()).toContain(`${ESC}[1m`);

    h.input.write('/pro');
    await expect.poll(() => withoutAnsi(h.output())).toMatch(/> \/pro$/);
    const before = h.output().length;
    await h.adapter.notify({ title: 'Entered LINK/USDT (#10)', tone: 'entry', blocks: [] });
    const shown = h.output().slice(before);
    // Clear the typed line, write the notification, then redraw the prompt with the typed text.
    expect(shown.startsWith(`${ESC}[2K`)).toBe(true);
    expect(shown).toContain(`${ESC}[1;36mEntered LINK/USDT (#10)${ESC}[0m\n`);
    expect(withoutAnsi(shown)).toBe('Entered LINK/USDT (#10)\n\n> /pro');

    h.input.write('fit\r');
    await expect.poll(() => h.output()).toContain('Profit');
    h.input.end();
    await done;
  });
});
