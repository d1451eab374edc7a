import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, createSilentLogger } from '../src/logger.js';
import { openStore } from '../src/store/store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftc-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const audit = (n: number) => ({
  platform: 'telegram',
  user_id: '1',
  chat_id: '2',
  bot: 'main',
  command: `cmd${n}`,
  args: '',
  outcome: 'ok' as const,
});

describe('store', () => {
  it('keeps chat state, nonces and seen trades across a restart', async () => {
    const path = join(dir, 'data', 'state.json');
    const first = await openStore({ path, logger: createSilentLogger(), auditMaxEntries: 100 });
    first.updateChat('telegram:5', (chat) => {
      chat.current_bot = 'alt';
      chat.notifications.entry = 'silent';
    });
    first.saveNonce('key', 1234);
    first.saveSeenTrades('main', {
      open_trade_ids: [3],
      closed_trade_ids: [1, 2],
      updated_at_ms: 5,
      whitelist: null,
    });
    await first.flush();

    const second = await openStore({ path, logger: createSilentLogger(), auditMaxEntries: 100 });
    expect(second.chat('telegram:5').current_bot).toBe('alt');
    expect(second.chat('telegram:5').notifications.entry).toBe('silent');
    expect(second.lastNonce('key')).toBe(1234);
    expect(second.seenTrades('main').closed_trade_ids).toEqual([1, 2]);
  });

  it('caps the audit log so the file cannot grow without bound', async () => {
    const store = await openStore({
      path: join(dir, 's.json'),
      logger: createSilentLogger(),
      auditMaxEntries: 10,
    });
    for (let n = 0; n < 25; n += 1) store.appendAudit(audit(n));
    await store.flush();
    const recent = store.recentAudit(100);
    expect(recent).toHaveLength(10);
    expect(recent[0]?.command).toBe('cmd24');
    expect(recent[9]?.command).toBe('cmd15');
  });

  it('keeps a corrupt file aside as a backup, starts fresh and says so in the log', async () => {
    const path = join(dir, 'state.json');
    await writeFile(path, '{"chats": {"telegram:1": ');
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const store = await openStore({
      path,
      logger: createLogger({ level: 'info', destination }),
      auditMaxEntries: 10,
    });
    expect(store.chatKeys()).toEqual([]);
    const files = await readdir(dir);
    const backup = files.find((file) => file.startsWith('state.json.corrupt-'));
    expect(backup).toBeDefined();
    expect(await readFile(join(dir, backup as string), 'utf8')).toBe('{"chats": {"telegram:1": ');
    expect(lines.join('')).toMatch(/kept it aside as a backup/);
  });

  it('treats a file of the wrong shape as corrupt too', async () => {
    const path = join(dir, 'state.json');
    await writeFile(path, JSON.stringify({ chats: 'nope' }));
    const store = await openStore({ path, logger: createSilentLogger(), auditMaxEntries: 10 });
    expect(store.chatKeys()).toEqual([]);
    expect((await readdir(dir)).some((file) => file.includes('.corrupt-'))).toBe(true);
  });

  it('runs in memory without touching the disk', async () => {
    const store = await openStore({ path: null, logger: createSilentLogger(), auditMaxEntries: 10 });
    store.updateChat('console:1', (chat) => {
      chat.current_bot = 'x';
    });
    await store.flush();
    expect(store.chat('console:1').current_bot).toBe('x');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('log redaction', () => {
  it('scrubs secrets with quotes and backslashes, as they appear escaped in JSON lines', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const secret = 'pa"ss\\w0rd-CANARY';
    const logger = createLogger({ level: 'info', destination, secrets: [secret] });
    logger.info({ detail: `login with ${secret} failed` }, `password ${secret}`);
    expect(lines.join('')).not.toContain('CANARY');
  });
});
