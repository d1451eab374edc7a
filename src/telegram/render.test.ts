import { describe, expect, it } from 'vitest';
import { checkMessageText, codePointLength, parseTelegramHtml } from '../../test/fakes/fake-telegram.js';
import { type Reply, type ReplyBlock, renderPlainText, renderTableText } from '../chat/reply.js';
import { ValidationError } from '../errors.js';
import { escapeHtml, renderTelegram, type TelegramMessage } from './render.js';

/** What Telegram keeps of a part: the fake's own checks (parse, trim, non-empty, length). */
function accepted(part: TelegramMessage, maxLength = 4096): string {
  const checked = checkMessageText(part.html, 'HTML', { maxLength });
  if (!checked.ok) throw new Error(`${checked.description}\n--- html ---\n${part.html.slice(0, 500)}`);
  return checked.text;
}

const withoutWhitespace = (text: string) => text.replace(/\s+/gu, '');

describe('escapeHtml', () => {
  it('escapes &, < and > and leaves quotes alone outside attributes', () => {
    expect(escapeHtml('a & <b> "q" _x_ *y*')).toBe('a &amp; &lt;b&gt; "q" _x_ *y*');
  });

  it('escapes double quotes for attributes', () => {
    expect(escapeHtml('say "hi" & go', true)).toBe('say &quot;hi&quot; &amp; go');
  });

  it('does not double-decode text that looks like an entity', () => {
    const parsed = parseTelegramHtml(escapeHtml('&lt; is not <'));
    expect(parsed).toMatchObject({ ok: true, text: '&lt; is not <' });
  });
});

describe('renderTelegram', () => {
  it('puts the title in bold above label: value fields', () => {
    const [message, ...rest] = renderTelegram({
      title: 'Exited BTC/USDT (#3)',
      blocks: [
        {
          kind: 'fields',
          fields: [
            { label: 'Profit', value: '2.10%' },
            { label: 'Exit reason', value: 'roi' },
          ],
        },
      ],
    });
    expect(rest).toEqual([]);
    expect(message).toEqual({
      html: '<b>Exited BTC/USDT (#3)</b>\n<b>Profit:</b> 2.10%\n<b>Exit reason:</b> roi',
      silent: false,
    });
  });

  it('styles whole text paragraphs line by line and separates blocks by a blank line', () => {
    const [message] = renderTelegram({
      blocks: [
        { kind: 'text', text: 'Careful\nnow', style: 'bold' },
        { kind: 'text', text: 'maybe', style: 'italic' },
        { kind: 'text', text: 'plain' },
      ],
    });
    expect(message?.html).toBe('<b>Careful</b>\n<b>now</b>\n\n<i>maybe</i>\n\nplain');
  });

  it('renders tables with renderTableText and code blocks inside <pre>', () => {
    const table: Extract<ReplyBlock, { kind: 'table' }> = {
      kind: 'table',
      headers: ['Pair', 'Profit'],
      rows: [
        ['BTC/USDT', '1.2%'],
        ['ETH/<BTC>', '-0.4%'],
      ],
      align: ['left', 'right'],
    };
    const [message] = renderTelegram({ blocks: [table, { kind: 'code', text: 'if a < b && c:\n  go()' }] });
    expect(message?.html).toBe(
      `<pre>${escapeHtml(renderTableText(table))}</pre>\n\n<pre>if a &lt; b &amp;&amp; c:\n  go()</pre>`,
    );
    expect(accepted(message ?? { html: '', silent: false })).toBe(
      `${renderTableText(table)}\n\nif a < b && c:\n  go()`,
    );
  });

  it('keeps pairs, tags and reasons with <, &, _ and * intact', () => {
    const tricky = ['BTC/USDT:USDT', 'stop_loss', '*force_exit*', 'a<b & c>d', '&amp;', '</b>', '`x`'];
    const reply: Reply = {
      title: tricky.join(' '),
      blocks: [
        { kind: 'text', text: tricky.join('\n'), style: 'italic' },
        { kind: 'fields', fields: tricky.map((value) => ({ label: value, value })) },
        { kind: 'table', headers: ['Pair', 'Reason'], rows: tricky.map((value) => [value, value]) },
        { kind: 'code', text: tricky.join(' ') },
      ],
    };
    const parts = renderTelegram(reply);
    expect(parts).toHaveLength(1);
    const text = accepted(parts[0] ?? { html: '', silent: false });
    expect(text).toBe(
      renderPlainText(reply).replace(/\n\n/, '\n'), // the title sits directly above the first block
    );
  });

  it('puts buttons on the last part only and marks every part silent when asked', () => {
    const parts = renderTelegram(
      {
        blocks: [{ kind: 'text', text: Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n') }],
        buttons: [
          [{ label: 'Refresh', action: 'refresh:status' }],
          [{ label: 'Exit', action: 'fx:3', style: 'danger' }],
        ],
        silent: true,
      },
      100,
    );
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((part) => part.silent)).toBe(true);
    expect(parts.slice(0, -1).every((part) => part.buttons === undefined)).toBe(true);
    expect(parts.at(-1)?.buttons).toEqual([
      [{ text: 'Refresh', callback_data: 'refresh:status' }],
      [{ text: 'Exit', callback_data: 'fx:3' }],
    ]);
  });

  it('renders nothing for an empty reply and "…" for a reply with only buttons', () => {
    expect(renderTelegram({ blocks: [] })).toEqual([]);
    expect(
      renderTelegram({
        title: '  ',
        blocks: [
          { kind: 'text', text: '\n \n' },
          { kind: 'code', text: '' },
        ],
      }),
    ).toEqual([]);
    const parts = renderTelegram({ blocks: [], buttons: [[{ label: 'OK', action: 'ok' }]] });
    expect(parts).toEqual([{ html: '…', buttons: [[{ text: 'OK', callback_data: 'ok' }]], silent: false }]);
    accepted(parts[0] ?? { html: '', silent: false });
  });

  it('refuses a button action longer than Telegram’s 64-byte callback_data', () => {
    const reply: Reply = {
      blocks: [{ kind: 'text', text: 'x' }],
      buttons: [[{ label: 'Go', action: 'é'.repeat(33) }]],
    };
    expect(() => renderTelegram(reply)).toThrow(ValidationError);
    expect(() => renderTelegram(reply)).toThrow(/button "Go": action is 66 bytes, Telegram allows 1-64/);
  });

  it('refuses a maxLength that is not a positive integer', () => {
    expect(() => renderTelegram({ blocks: [] }, 0)).toThrow(RangeError);
  });

  it('measures length in code points after entity parsing, not HTML or UTF-16 length', () => {
    expect(renderTelegram({ blocks: [{ kind: 'text', text: '🚀'.repeat(4096) }] })).toHaveLength(1);
    expect(renderTelegram({ blocks: [{ kind: 'text', text: '&<'.repeat(2048) }] })).toHaveLength(1);
    expect(renderTelegram({ blocks: [{ kind: 'text', text: '🚀'.repeat(4097) }] })).toHaveLength(2);
  });

  it('splits a 20,000-character reply into several messages Telegram accepts, losing nothing', () => {
    const rows = Array.from({ length: 300 }, (_, i) => [
      `${i}`,
      `PAIR${i}/USDT`,
      `${(i * 0.37).toFixed(2)}%`,
      'exit_signal',
    ]);
    const logs = Array.from(
      { length: 250 },
      (_, i) => `2026-04-01 12:00:${i % 60} INFO <trade ${i}> & "done"`,
    );
    const table: Extract<ReplyBlock, { kind: 'table' }> = {
      kind: 'table',
      headers: ['ID', 'Pair', 'Profit', 'Reason'],
      rows,
      align: ['right', 'left', 'right', 'left'],
    };
    const reply: Reply = {
      title: 'Status of bot <main> & friends',
      blocks: [
        { kind: 'fields', fields: [{ label: 'Open trades', value: '300' }] },
        table,
        { kind: 'code', text: logs.join('\n') },
      ],
      buttons: [[{ label: 'Refresh', action: 'r' }]],
    };
    expect(renderPlainText(reply).length).toBeGreaterThan(20_000);
    const parts = renderTelegram(reply);
    expect(parts.length).toBeGreaterThanOrEqual(5);
    const texts = parts.map((part) => accepted(part));
    for (const text of texts) expect(codePointLength(text)).toBeLessThanOrEqual(4096);
    const all = texts.join('\n');
    const received = new Set(all.split('\n'));
    for (const line of [...renderTableText(table).split('\n').slice(2), ...logs])
      expect(received).toContain(line);
    expect(parts.at(-1)?.buttons).toEqual([[{ text: 'Refresh', callback_data: 'r' }]]);
  });

  it('closes a split <pre> and reopens it in the next part, repeating the table header', () => {
    const table: Extract<ReplyBlock, { kind: 'table' }> = {
      kind: 'table',
      headers: ['ID', 'Pair'],
      rows: Array.from({ length: 40 }, (_, i) => [`${i}`, `P${i}/USDT`]),
      align: ['right', 'left'],
    };
    const lines = renderTableText(table).split('\n');
    const parts = renderTelegram({ blocks: [table] }, 200);
    expect(parts.length).toBeGreaterThan(2);
    const seenRows: string[] = [];
    for (const part of parts) {
      expect(part.html.startsWith('<pre>')).toBe(true);
      expect(part.html.endsWith('</pre>')).toBe(true);
      const text = accepted(part, 200);
      const partLines = text.split('\n');
      expect(partLines.slice(0, 2)).toEqual(lines.slice(0, 2));
      seenRows.push(...partLines.slice(2));
    }
    expect(seenRows).toEqual(lines.slice(2));
  });

  it('keeps each line whole when splitting on line boundaries', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `${i}: ${'word '.repeat(i % 17)}end`);
    const parts = renderTelegram({ blocks: [{ kind: 'text', text: lines.join('\n') }] }, 500);
    const received = parts.flatMap((part) => accepted(part, 500).split('\n'));
    expect(received).toEqual(lines);
  });

  it('hard-splits a single line longer than a message, keeping its formatting on each piece', () => {
    const long = `${'abcdefghij'.repeat(1000)}🚀`;
    const bold = renderTelegram({ blocks: [{ kind: 'text', text: long, style: 'bold' }] });
    expect(bold.length).toBe(3);
    expect(bold.map((part) => accepted(part)).join('')).toBe(long);
    expect(bold.every((part) => part.html.startsWith('<b>') && part.html.endsWith('</b>'))).toBe(true);

    const code = renderTelegram({ blocks: [{ kind: 'code', text: `short\n${long}\nafter` }] });
    expect(code.map((part) => accepted(part))).toHaveLength(4);
    expect(code.map((part) => accepted(part)).join('')).toBe(`short${long}\nafter`);
    expect(code.every((part) => part.html.startsWith('<pre>') && part.html.endsWith('</pre>'))).toBe(true);
  });

  it('prefers to cut an over-long line after a space', () => {
    const words = Array.from({ length: 40 }, (_, i) => `w${String(i).padStart(2, '0')}`).join(' ');
    const parts = renderTelegram({ blocks: [{ kind: 'text', text: words }] }, 50);
    const texts = parts.map((part) => accepted(part, 50));
    for (const text of texts) expect(text).toMatch(/^(w\d\d ?)+$/);
    expect(texts.join(' ')).toBe(words);
  });
});

describe('renderTelegram against the fake Telegram parser (random and adversarial replies)', () => {
  /** mulberry32: a small seeded generator, so a failure can be replayed. */
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const atoms = [
    'a',
    'Z',
    '0',
    ' ',
    ' ',
    '\n',
    '\n\n',
    '\t',
    '<',
    '>',
    '&',
    '"',
    "'",
    '_',
    '*',
    '`',
    '~',
    '|',
    '\\',
    '&amp;',
    '&lt;',
    '&#128640;',
    '</b>',
    '<pre>',
    '</pre>',
    '<b>',
    '<a href="x">',
    '<!-- -->',
    ']]>',
    'BTC/USDT',
    'stop_loss',
    '*bold*',
    '__init__',
    'é',
    'ß',
    '中文',
    '🚀',
    '👨‍👩‍👧',
    '𝔘',
    'e\u0301',
    '\u200b',
    '\r\n',
  ];

  function randomText(next: () => number, maxAtoms: number): string {
    const count = Math.floor(next() * maxAtoms);
    let text = '';
    for (let i = 0; i < count; i += 1) text += atoms[Math.floor(next() * atoms.length)] ?? '';
    return text;
  }

  function randomReply(next: () => number, maxAtoms: number): Reply {
    const blocks: ReplyBlock[] = [];
    const blockCount = Math.floor(next() * 6);
    for (let b = 0; b < blockCount; b += 1) {
      const kind = Math.floor(next() * 4);
      if (kind === 0) {
        const style = next() < 0.3 ? 'bold' : next() < 0.5 ? 'italic' : undefined;
        blocks.push(
          style
            ? { kind: 'text', text: randomText(next, maxAtoms), style }
            : { kind: 'text', text: randomText(next, maxAtoms) },
        );
      } else if (kind === 1) {
        const fields = Array.from({ length: Math.floor(next() * 8) }, () => ({
          label: `L${randomText(next, 4)}`,
          value: randomText(next, maxAtoms / 4),
        }));
        blocks.push({ kind: 'fields', fields });
      } else if (kind === 2) {
        const columns = 1 + Math.floor(next() * 4);
        const headers = Array.from({ length: columns }, () => randomText(next, 3).replace(/\s/g, '') || 'H');
        const rows = Array.from({ length: Math.floor(next() * 30) }, () =>
          Array.from({ length: columns }, () => randomText(next, 6).replace(/[\n\r]/g, ' ')),
        );
        blocks.push({
          kind: 'table',
          headers,
          rows,
          align: headers.map(() => (next() < 0.5 ? 'left' : 'right')),
        });
      } else {
        blocks.push({ kind: 'code', text: randomText(next, maxAtoms) });
      }
    }
    const reply: Reply = { blocks, silent: next() < 0.5 };
    if (next() < 0.7) reply.title = randomText(next, 10);
    if (next() < 0.3) reply.buttons = [[{ label: randomText(next, 3) || 'b', action: 'act:1' }]];
    return reply;
  }

  it('every part of 400 random replies parses, fits its limit and together keeps all visible text', () => {
    const limits = [1, 2, 3, 7, 16, 64, 300, 4096];
    for (let seed = 1; seed <= 400; seed += 1) {
      const next = random(seed);
      const maxLength = limits[seed % limits.length] ?? 4096;
      const reply = randomReply(next, maxLength < 20 ? 12 : maxLength < 500 ? 200 : 2000);
      let parts: TelegramMessage[];
      try {
        parts = renderTelegram(reply, maxLength);
      } catch (error) {
        throw new Error(`seed ${seed}: ${String(error)}`);
      }
      const texts = parts.map((part, index) => {
        try {
          return accepted(part, maxLength);
        } catch (error) {
          throw new Error(`seed ${seed}, part ${index}, maxLength ${maxLength}: ${String(error)}`);
        }
      });
      for (const part of parts.slice(0, -1)) expect(part.buttons, `seed ${seed}`).toBeUndefined();
      // Repeated table headers add text; without tables the visible text is exactly the plain rendering.
      const hasTable = reply.blocks.some((block) => block.kind === 'table');
      if (!hasTable && !reply.buttons) {
        const expected = withoutWhitespace(renderPlainText(reply).replace(/\r\n?/g, '\n'));
        expect(withoutWhitespace(texts.join('')), `seed ${seed}, maxLength ${maxLength}`).toBe(expected);
      }
    }
  });

  it('a 20,000-character adversarial reply splits into parts that all parse', () => {
    const next = random(20_000);
    let text = '';
    while (codePointLength(text) < 20_000) text += atoms[Math.floor(next() * atoms.length)] ?? '';
    for (const block of [
      { kind: 'text', text },
      { kind: 'text', text, style: 'bold' },
      { kind: 'code', text },
      { kind: 'fields', fields: [{ label: 'Reason', value: text }] },
    ] satisfies ReplyBlock[]) {
      const parts = renderTelegram({ title: 'Adversarial <&>', blocks: [block] });
      expect(parts.length).toBeGreaterThanOrEqual(5);
      for (const part of parts) expect(codePointLength(accepted(part))).toBeLessThanOrEqual(4096);
      expect(withoutWhitespace(parts.map((part) => accepted(part)).join(''))).toBe(
        withoutWhitespace(`Adversarial <&>${block.kind === 'fields' ? 'Reason:' : ''}${text}`),
      );
    }
  });
});
