/**
 * The command contract for the console: piped lines in, plain text out. A console user cannot
 * click, so pressing a button is typing its answer after the command (Confirm: `yes`).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { createConsoleAdapter } from '../../src/console/adapter.js';
import { createLogger } from '../../src/logger.js';
import { CONFIG_SECRET_KEYS, startApp } from '../../src/main.js';
import { collectSecrets } from '../../src/config/load.js';
import { startFakeFreqtrade } from '../fakes/fake-freqtrade.js';
import { IMAGE_COMMANDS_DIR } from '../fixtures/image-commands/picture.js';
import { parseConfig } from '../support/config.js';
import type { CommandReply, Who } from './command-harness.js';
import { commandContract } from './commands.contract.js';

/** What typing answers a button, by its label. */
const ANSWERS: Record<string, string> = { Confirm: 'yes', Cancel: 'no', Refresh: 'r' };

/** The last image line of a console transcript: `🖼 image: <path> (<KB> KB, <w>×<h>) — <alt>`. */
function lastImageLine(text: string): { path: string; alt: string } | undefined {
  const match = [...text.matchAll(/^🖼 image: (\S+) \([\d.]+ KB, \d+×\d+\) — (.*)$/gmu)].at(-1);
  return match ? { path: match[1] ?? '', alt: match[2] ?? '' } : undefined;
}

/** The labels of a console reply's button hint line: `[Confirm] [Cancel] — answer yes or no`. */
function buttonsOf(text: string): string[] {
  const hint = text.split('\n').find((line) => line.includes(' — answer '));
  return hint ? [...hint.matchAll(/\[([^\]]+)\]/g)].map((match) => match[1] ?? '') : [];
}

commandContract({
  name: 'console',
  async start() {
    const password = 'console-secret-pass';
    const wsToken = 'console-ws-secret-token';
    const freqtrade = await startFakeFreqtrade({ password, wsToken });
    const dir = await mkdtemp(join(tmpdir(), 'ftc-console-contract-'));
    const config = parseConfig({
      bots: [{ name: 'main', api_url: freqtrade.url, username: 'freqtrader', password, ws_token: wsToken }],
      access: { admins: ['console:demo'], viewers: ['console:viewer'] },
      store: { path: join(dir, 'state.json') },
      log_level: 'debug',
    });
    const logs: string[] = [];
    const logger = createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk, _encoding, callback) {
          logs.push(String(chunk));
          callback();
        },
      }),
      secrets: collectSecrets(config, CONFIG_SECRET_KEYS),
    });
    const app = await startApp({ config, logger, commandDirs: [IMAGE_COMMANDS_DIR] });
    /** Each console's image folder is made in here, and must be gone once the console stopped. */
    const imageParent = await mkdtemp(join(tmpdir(), 'ftc-console-images-'));
    const images = new Map<string, { bytes: Uint8Array; alt: string }>();
    const lines = new Map<string, string[]>();
    const after = new Map<string, string>();
    let replies = 0;

    /**
     * Pipes `input` to a fresh console as `who` and resolves with everything it printed and the
     * last image it showed (read before the console stops and removes it).
     */
    const converse = async (
      input: string[],
      who: Who = 'admin',
    ): Promise<{ text: string; image?: { bytes: Uint8Array; alt: string } }> => {
      const output = new PassThrough();
      let written = '';
      output.on('data', (chunk: Buffer) => {
        written += chunk.toString('utf8');
      });
      const stdin = new PassThrough();
      const adapter = createConsoleAdapter({
        router: app.router,
        input: stdin,
        output,
        interactive: false,
        color: false,
        userId: who === 'admin' ? 'demo' : 'viewer',
        imageParentDir: imageParent,
      });
      const done = adapter.start();
      stdin.end(input.map((line) => `${line}\n`).join(''));
      await done;
      const shown = lastImageLine(written);
      const image = shown ? { bytes: await readFile(shown.path), alt: shown.alt } : undefined;
      adapter.stop();
      const left = await readdir(imageParent);
      if (left.length > 0) throw new Error(`the console left ${left.join(', ')} behind`);
      return { text: written, ...(image ? { image } : {}) };
    };

    return {
      freqtrade,
      logs,
      secrets: [password, wsToken],
      async run(name, args, who) {
        const line = [`/${name}`, ...Object.values(args)].join(' ');
        const { text, image } = await converse([line], who);
        replies += 1;
        const id = String(replies);
        lines.set(id, [line]);
        return { text, buttons: buttonsOf(text), id, ...(image ? { image } : {}) };
      },
      async press(reply, label, who) {
        const answer = ANSWERS[label];
        if (!answer) throw new Error(`no console answer for a "${label}" button`);
        const conversation = [...(lines.get(reply.id) ?? []), answer];
        const { text, image } = await converse(conversation, who);
        after.set(reply.id, text);
        if (image) images.set(reply.id, image);
      },
      current(reply: CommandReply) {
        const text = after.get(reply.id) ?? reply.text;
        const image = after.has(reply.id) ? images.get(reply.id) : reply.image;
        return { text, buttons: buttonsOf(text), id: reply.id, ...(image ? { image } : {}) };
      },
      stateChangingCalls: () =>
        freqtrade.requests
          .filter((request) => request.method !== 'GET' && !request.path.startsWith('/token/'))
          .map((request) => ({ method: request.method, path: request.path })),
      async close() {
        await app.stop();
        await freqtrade.close();
        await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
        await rm(imageParent, { recursive: true, force: true });
      },
    };
  },
});
