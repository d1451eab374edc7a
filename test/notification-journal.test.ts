/*
 * The file store's durable outbox: what was queued and not delivered survives a restart (and a
 * torn last line from a crash mid-append), delivered entries do not come back, and the journal is
 * compacted so it does not grow without end.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, createSilentLogger } from '../src/logger.js';
import {
  journalPathOf,
  openNotificationJournal,
  type QueuedNotification,
} from '../src/store/notification-journal.js';
import { openStore } from '../src/store/store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftc-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (n: number): QueuedNotification => ({
  id: `id-${String(n).padStart(5, '0')}`,
  chat_key: 'telegram:1',
  at_ms: 1_000 + n,
  reply: { title: `Entry #${n}`, blocks: [{ kind: 'text', text: `trade ${n}` }] },
});

function capturingLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

describe('notification journal (file store outbox)', () => {
  it('lives beside the state file', () => {
    expect(journalPathOf('/var/lib/ftc/state.json')).toBe('/var/lib/ftc/state.outbox.jsonl');
  });

  it('undelivered notifications survive a restart, in order; delivered ones do not come back', () => {
    const path = join(dir, 'state.outbox.jsonl');
    const first = openNotificationJournal(path, createSilentLogger());
    for (let n = 1; n <= 5; n++) first.queueNotification(entry(n));
    first.dropQueuedNotifications(['id-00002', 'id-00004']);
    // kill -9 here: nothing else is written.
    const second = openNotificationJournal(path, createSilentLogger());
    expect(second.queuedNotifications().map((queued) => queued.id)).toEqual([
      'id-00001',
      'id-00003',
      'id-00005',
    ]);
    expect(second.queuedNotifications()[0]?.reply).toEqual(entry(1).reply);
  });

  it('a line torn by a crash mid-append is ignored without a warning; the rest resumes', () => {
    const path = join(dir, 'state.outbox.jsonl');
    const first = openNotificationJournal(path, createSilentLogger());
    first.queueNotification(entry(1));
    first.queueNotification(entry(2));
    appendFileSync(path, '{"op":"add","entry":{"id":"id-0000'); // the crash
    const { logger, lines } = capturingLogger();
    const second = openNotificationJournal(path, logger);
    expect(second.queuedNotifications().map((queued) => queued.id)).toEqual(['id-00001', 'id-00002']);
    expect(lines.join('')).not.toContain('unreadable');
    // The torn line is gone after the compaction at open, so the next append starts clean.
    second.queueNotification(entry(3));
    expect(openNotificationJournal(path, createSilentLogger()).queuedNotifications()).toHaveLength(3);
  });

  it('an unreadable line in the middle is skipped with a warning', async () => {
    const path = join(dir, 'state.outbox.jsonl');
    await writeFile(
      path,
      [
        JSON.stringify({ op: 'add', entry: entry(1) }),
        'garbage',
        JSON.stringify({ op: 'add', entry: entry(2) }),
        '',
      ].join('\n'),
    );
    const { logger, lines } = capturingLogger();
    const journal = openNotificationJournal(path, logger);
    expect(journal.queuedNotifications().map((queued) => queued.id)).toEqual(['id-00001', 'id-00002']);
    expect(lines.join('')).toContain('skipped unreadable lines in the notification journal');
  });

  it('is compacted once delivered entries outnumber the live ones, so it stays small', () => {
    const path = join(dir, 'state.outbox.jsonl');
    const journal = openNotificationJournal(path, createSilentLogger());
    for (let n = 1; n <= 3_000; n++) {
      journal.queueNotification(entry(n));
      if (n > 2) journal.dropQueuedNotifications([entry(n - 2).id]);
    }
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThan(2_200);
    expect(
      openNotificationJournal(path, createSilentLogger())
        .queuedNotifications()
        .map((q) => q.id),
    ).toEqual(['id-02999', 'id-03000']);
  });

  it('in memory (no path) writes nothing', () => {
    const journal = openNotificationJournal(null, createSilentLogger());
    journal.queueNotification(entry(1));
    expect(journal.queuedNotifications()).toHaveLength(1);
  });

  it('the file store exposes it, and stops writing it after close', async () => {
    const path = join(dir, 'data', 'state.json');
    const store = await openStore({ path, logger: createSilentLogger(), auditMaxEntries: 100 });
    store.queueNotification(entry(1));
    await store.close();
    store.queueNotification(entry(2));
    const reopened = await openStore({ path, logger: createSilentLogger(), auditMaxEntries: 100 });
    expect(reopened.queuedNotifications().map((queued) => queued.id)).toEqual(['id-00001']);
    expect(existsSync(join(dir, 'data', 'state.outbox.jsonl'))).toBe(true);
  });
});
