/**
 * Replies that carry an image (issue 15 §2): Telegram photos with an HTML caption of at most 1024
 * characters, Discord attachments shown in the embed, console temporary files that go away on
 * stop, and webhooks that name the image by its alt text. The cross-platform case (bytes arrive
 * intact, Refresh replaces the picture) is in test/contract/commands.contract.ts.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../src/chat/reply.js';
import { createConsoleAdapter } from '../src/console/adapter.js';
import { createConsoleImageFiles } from '../src/console/image-files.js';
import { renderImageLine } from '../src/console/render.js';
import { renderDiscord } from '../src/discord/render.js';
import { renderTelegramPhoto, TELEGRAM_MAX_CAPTION_LENGTH } from '../src/telegram/render.js';
import { renderWebhookBodies } from '../src/webhook/render.js';
import { type FakeDiscord, startFakeDiscord } from './fakes/fake-discord.js';
import { type FakeTelegram, parseTelegramHtml, startFakeTelegram } from './fakes/fake-telegram.js';
import {
  IMAGE_COMMANDS_DIR,
  pictureRunOf,
  testPicturePng,
  testPictureReply,
} from './fixtures/image-commands/picture.js';
import { CHANNEL, type DiscordHarness, startDiscordHarness } from './support/discord-harness.js';
import { buttonId } from './support/discord-text.js';
import { GROUP_CHAT, type Harness, startHarness, VIEWER } from './support/harness.js';

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array) => Buffer.from(a ?? []).equals(Buffer.from(b));

/** The caption as Telegram reads it: HTML parsed, its visible text and length in code points. */
function visibleCaption(html: string | undefined): string {
  const parsed = parseTelegramHtml(html ?? '');
  if (!parsed.ok) throw new Error(`caption is not valid Telegram HTML: ${parsed.error}`);
  return parsed.text;
}

describe('Telegram photo rendering', () => {
  it('keeps a short caption whole, as HTML with the title bold, and the buttons under the photo', () => {
    const reply: Reply = {
      ...testPictureReply(1, 2),
      buttons: [[{ label: 'Refresh', action: 'r:1', role: 'refresh' }]],
    };
    const photo = renderTelegramPhoto(reply, reply.image ?? fail());
    expect(photo.caption).toContain('<b>Picture #1</b>');
    expect(visibleCaption(photo.caption)).toContain('Line 2: <b> & "quotes" stay text');
    expect(photo.captionCut).toBe(false);
    expect(photo.buttons).toEqual([[{ text: 'Refresh', callback_data: 'r:1' }]]);
    expect(sameBytes(photo.image.png, testPicturePng(1))).toBe(true);
  });

  it('cuts a long caption at a line to at most 1024 characters after parsing, tags balanced, ending in …', () => {
    const reply: Reply = {
      title: 'A long chart',
      blocks: [
        { kind: 'text', text: Array.from({ length: 120 }, (_, i) => `line ${i} <&>`).join('\n') },
        { kind: 'table', headers: ['pair', 'profit'], rows: [['BTC/USDT', '+1.00%']] },
      ],
      image: testPictureReply(2, 0).image ?? fail(),
    };
    const photo = renderTelegramPhoto(reply, reply.image ?? fail());
    const text = visibleCaption(photo.caption);
    expect([...text].length).toBeLessThanOrEqual(TELEGRAM_MAX_CAPTION_LENGTH);
    expect(text.endsWith('\n…')).toBe(true);
    expect(photo.captionCut).toBe(true);
    expect(text.startsWith('A long chart\nline 0 <&>')).toBe(true);
  });

  it('cuts inside a table without leaving <pre> open', () => {
    const rows = Array.from({ length: 80 }, (_, i) => [`PAIR${i}/USDT`, `+${i}.00%`]);
    const reply: Reply = {
      blocks: [{ kind: 'table', headers: ['pair', 'profit'], rows }],
      image: testPictureReply(3, 0).image ?? fail(),
    };
    const photo = renderTelegramPhoto(reply, reply.image ?? fail());
    expect(photo.caption).toMatch(/^<pre>[\s\S]*<\/pre>\n…$/);
    expect([...visibleCaption(photo.caption)].length).toBeLessThanOrEqual(TELEGRAM_MAX_CAPTION_LENGTH);
  });

  it('sends no caption for a picture without text', () => {
    const image = testPictureReply(4, 0).image ?? fail();
    const photo = renderTelegramPhoto({ blocks: [], image }, image);
    expect(photo.caption).toBeUndefined();
  });
});

describe('Telegram image replies end to end', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('sends a long reply as one photo whose caption is cut to 1024 characters', async () => {
    const h = await startHarness({ commandDirs: [IMAGE_COMMANDS_DIR] });
    harness = h;
    const [sent] = await h.say('/picture 200', { userId: VIEWER });
    expect(sent?.method).toBe('sendPhoto');
    expect(h.telegram.messages).toHaveLength(1);
    expect([...(sent?.text ?? '')].length).toBeLessThanOrEqual(1024);
    expect(sent?.text.endsWith('…')).toBe(true);
    const run = pictureRunOf(sent?.text ?? '') ?? 0;
    expect(sent?.photo?.fileName).toBe(`picture ${run}.png`);
    expect(sent?.photo).toMatchObject({ width: 4, height: 3 });
    expect(sameBytes(sent?.photo?.bytes, testPicturePng(run))).toBe(true);
  });

  it('waits out a 429 on sendPhoto and sends the photo once', async () => {
    const h = await startHarness({ commandDirs: [IMAGE_COMMANDS_DIR] });
    harness = h;
    h.telegram.fail429('sendPhoto', 1, 1);
    const [sent] = await h.say('/picture 1', { userId: VIEWER });
    expect(h.telegram.count429).toBe(1);
    expect(h.telegram.messages.filter((message) => message.method === 'sendPhoto')).toHaveLength(1);
    expect(sameBytes(sent?.photo?.bytes, testPicturePng(pictureRunOf(sent?.text ?? '') ?? 0))).toBe(true);
  });

  it('edits the photo in place on Refresh (editMessageMedia), caption and button too', async () => {
    const h = await startHarness({ commandDirs: [IMAGE_COMMANDS_DIR] });
    harness = h;
    const [sent] = await h.say('/picture 1', { userId: VIEWER });
    if (!sent) throw new Error('no photo');
    await h.press(sent, 'Refresh', { userId: VIEWER });
    const edit = h.telegram.messages.at(-1);
    expect(edit?.method).toBe('editMessageMedia');
    expect(edit?.message_id).toBe(sent.message_id);
    const now = h.telegram.message(GROUP_CHAT, sent.message_id);
    const run = pictureRunOf(now?.text ?? '') ?? 0;
    expect(run).toBe((pictureRunOf(sent.text) ?? 0) + 1);
    expect(sameBytes(now?.photo?.bytes, testPicturePng(run))).toBe(true);
    expect(JSON.stringify(now?.reply_markup)).toContain('Refresh');
    expect(now?.edits).toBe(1);
  });

  it('sends the refreshed photo anew when the old one cannot be edited', async () => {
    const h = await startHarness({ commandDirs: [IMAGE_COMMANDS_DIR] });
    harness = h;
    const [sent] = await h.say('/picture 1', { userId: VIEWER });
    if (!sent) throw new Error('no photo');
    h.telegram.failNext('editMessageMedia', 1, 400, 'Bad Request: message to edit not found');
    await h.press(sent, 'Refresh', { userId: VIEWER });
    const last = h.telegram.messages.at(-1);
    expect(last?.method).toBe('sendPhoto');
    expect(last?.message_id).not.toBe(sent.message_id);
    expect(sameBytes(last?.photo?.bytes, testPicturePng(pictureRunOf(last?.text ?? '') ?? 0))).toBe(true);
  });
});

describe('fake Telegram: photos as the Bot API takes them', () => {
  let fake: FakeTelegram | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  const post = async (method: string, form: FormData) => {
    const response = await fetch(`${fake?.apiRoot}/bot${fake?.token}/${method}`, {
      method: 'POST',
      body: form,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const photoForm = (caption?: string) => {
    const form = new FormData();
    form.set('chat_id', '42');
    form.set('photo', 'attach://pic');
    form.set('pic', new Blob([Buffer.from(testPicturePng(7))]), 'pic.png');
    if (caption !== undefined) {
      form.set('caption', caption);
      form.set('parse_mode', 'HTML');
    }
    return form;
  };

  it('takes a multipart upload referenced by attach:// and keeps its bytes and size', async () => {
    fake = await startFakeTelegram();
    const answer = await post('sendPhoto', photoForm('<b>hi</b>'));
    expect(answer.status).toBe(200);
    expect(answer.body['result']).toMatchObject({ caption: 'hi', photo: [{ width: 4, height: 3 }] });
    expect(sameBytes(fake.messages[0]?.photo?.bytes, testPicturePng(7))).toBe(true);
  });

  it('refuses a caption over 1024 characters after parsing, and a request without the photo', async () => {
    fake = await startFakeTelegram();
    // 1024 visible characters pass: tags do not count.
    expect((await post('sendPhoto', photoForm(`<b>${'x'.repeat(1024)}</b>`))).status).toBe(200);
    const tooLong = await post('sendPhoto', photoForm('x'.repeat(1025)));
    expect(tooLong).toMatchObject({
      status: 400,
      body: { ok: false, description: 'Bad Request: message caption is too long' },
    });
    const form = new FormData();
    form.set('chat_id', '42');
    form.set('photo', 'attach://missing');
    const noPhoto = await post('sendPhoto', form);
    expect(noPhoto).toMatchObject({
      status: 400,
      body: { description: 'Bad Request: there is no photo in the request' },
    });
    const bare = new FormData();
    bare.set('chat_id', '42');
    expect((await post('sendPhoto', bare)).body['description']).toBe(
      'Bad Request: there is no photo in the request',
    );
    expect(fake.messages).toHaveLength(1);
  });
});

describe('Discord image replies', () => {
  let harness: DiscordHarness | undefined;
  let fake: FakeDiscord | undefined;
  afterEach(async () => {
    await harness?.close();
    await fake?.close();
    harness = undefined;
    fake = undefined;
  });

  it('renders the image as an upload of the first message, shown in its first embed', () => {
    const reply = testPictureReply(5, 1);
    const [first, ...rest] = renderDiscord(reply);
    expect(rest).toEqual([]);
    expect(first?.files).toEqual([
      { name: 'picture_5.png', data: testPicturePng(5), description: reply.image?.alt },
    ]);
    expect(first?.embeds?.[0]?.image).toEqual({ url: 'attachment://picture_5.png' });
    // A picture alone still makes a message.
    const alone = renderDiscord({ blocks: [], image: reply.image ?? fail() });
    expect(alone).toHaveLength(1);
    expect(alone[0]?.embeds?.[0]?.image?.url).toBe('attachment://picture_5.png');
  });

  it('uploads the picture with its alt text to the interaction and replaces it on Refresh', async () => {
    harness = await startDiscordHarness({ commandDirs: [IMAGE_COMMANDS_DIR] });
    const { view } = await harness.command('picture', { lines: 1 });
    const original = view.original;
    const run = pictureRunOf(JSON.stringify(original?.embeds)) ?? 0;
    expect(original?.attachments).toHaveLength(1);
    expect(original?.attachments[0]).toMatchObject({
      filename: `picture_${run}.png`,
      description: `Test picture number ${run}: a 4×3 colour grid`,
    });
    expect(sameBytes(original?.attachments[0]?.bytes, testPicturePng(run))).toBe(true);
    expect(original?.embeds[0]?.['image']).toEqual({ url: `attachment://picture_${run}.png` });

    await harness.press(original?.id ?? '', buttonId(original, 'Refresh'));
    const now = harness.discord.message(original?.id ?? '');
    // The old picture is gone, not kept beside the new one.
    expect(now?.attachments).toHaveLength(1);
    expect(sameBytes(now?.attachments[0]?.bytes, testPicturePng(run + 1))).toBe(true);
    expect(now?.embeds[0]?.['image']).toEqual({ url: `attachment://picture_${run + 1}.png` });
  });

  it('uploads a picture sent to a channel (the REST path)', async () => {
    harness = await startDiscordHarness({ commandDirs: [IMAGE_COMMANDS_DIR] });
    await harness.adapter.send(CHANNEL, testPictureReply(41, 1));
    const sent = harness.discord.messages.find((message) => message.via === 'channel');
    expect(sent?.attachments[0]).toMatchObject({
      filename: 'picture_41.png',
      description: 'Test picture number 41: a 4×3 colour grid',
    });
    expect(sameBytes(sent?.attachments[0]?.bytes, testPicturePng(41))).toBe(true);
    expect(sent?.embeds[0]?.['image']).toEqual({ url: 'attachment://picture_41.png' });
  });

  it('fake Discord refuses an embed that shows an attachment the message does not have', async () => {
    fake = await startFakeDiscord();
    const response = await fetch(`${fake.apiRoot}/v10/channels/${CHANNEL}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${fake.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ embeds: [{ title: 'x', image: { url: 'attachment://nowhere.png' } }] }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code: 50035, errors: { embeds: { '0': { image: { url: {} } } } } });
    expect(fake.messages).toHaveLength(0);
  });
});

describe('console image replies', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('writes the picture to a temporary file, names it with its size, and removes it on stop', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'ftc-images-test-'));
    dirs.push(parent);
    const harness = await startHarness({
      commandDirs: [IMAGE_COMMANDS_DIR],
      config: { access: { admins: [], viewers: [`telegram:${VIEWER}`, 'console:demo'] } },
    });
    try {
      const input = new PassThrough();
      const output = new PassThrough();
      let written = '';
      output.on('data', (chunk: Buffer) => {
        written += chunk.toString('utf8');
      });
      const terminal = createConsoleAdapter({
        router: harness.app.router,
        input,
        output,
        interactive: false,
        color: false,
        imageParentDir: parent,
      });
      const done = terminal.start();
      input.end('/picture 1\n');
      await done;
      const line = /^🖼 image: (\S+) \(([\d.]+) KB, 4×3\) — (.*)$/mu.exec(written);
      expect(line).not.toBeNull();
      const [, path = '', kilobytes, alt] = line ?? [];
      const run = pictureRunOf(written) ?? 0;
      expect(path.startsWith(join(parent, 'ftchatops-'))).toBe(true);
      expect(sameBytes(await readFile(path), testPicturePng(run))).toBe(true);
      expect(kilobytes).toBe((testPicturePng(run).byteLength / 1024).toFixed(1));
      expect(alt).toBe(`Test picture number ${run}: a 4×3 colour grid`);
      // Title, then the picture, then the text.
      expect(written).toMatch(/Picture #\d+\n🖼 image: .*\nLine 1:/u);

      await terminal.notify(testPictureReply(99, 0));
      expect(written).toContain('Picture #99');
      expect(await readdir(join(path, '..'))).toHaveLength(2);

      terminal.stop();
      expect(await readdir(parent)).toEqual([]);
    } finally {
      await harness.close();
    }
  });

  it('leaves nothing behind when stopped while a picture is being written, and writes none after', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'ftc-images-test-'));
    dirs.push(parent);
    const files = createConsoleImageFiles(parent);
    const writing = files.write(testPictureReply(1, 0).image ?? fail());
    files.removeAll();
    expect(await writing).toBeUndefined();
    expect(await files.write(testPictureReply(2, 0).image ?? fail())).toBeUndefined();
    expect(await readdir(parent)).toEqual([]);
  });

  it('shows only the alt text when the picture could not be written', () => {
    const image = testPictureReply(3, 0).image ?? fail();
    expect(renderImageLine(image, undefined)).toBe('🖼 image: Test picture number 3: a 4×3 colour grid');
  });
});

describe('webhook image replies', () => {
  it('name the picture by its alt text in every format, and upload nothing', () => {
    const reply = testPictureReply(8, 1);
    for (const format of ['discord', 'slack', 'json'] as const) {
      const bodies = renderWebhookBodies(reply, format);
      const json = JSON.stringify(bodies);
      expect(json).toContain('(image: Test picture number 8: a 4×3 colour grid)');
      expect(json).not.toContain('attachment://');
      for (const body of bodies) expect(body).not.toHaveProperty('files');
    }
  });
});

function fail(): never {
  throw new Error('the test picture has no image');
}
