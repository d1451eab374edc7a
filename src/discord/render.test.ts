import { describe, expect, it } from 'vitest';
import { codePoints, validateMessageBody } from '../../test/fakes/discord-validate.js';
import type { Reply, ReplyButton, ReplyField } from '../chat/reply.js';
import { ValidationError } from '../errors.js';
import {
  DISCORD_LIMITS,
  type DiscordMessagePayload,
  escapeDiscordMarkdown,
  MAX_PAYLOADS,
  renderDiscord,
  SUPPRESS_NOTIFICATIONS,
  TONE_COLORS,
} from './render.js';
import { mergeReplies } from '../notify/outbox.js';

/** Fails with the reason when a payload breaks one of Discord's limits (the fake's checks, plus ours). */
function expectWithinLimits(payloads: DiscordMessagePayload[]): void {
  for (const [index, payload] of payloads.entries()) {
    const where = `payload ${index}`;
    const tree = validateMessageBody({ ...payload });
    expect(tree, `${where}: ${JSON.stringify(tree)}`).toEqual({});
    expect(codePoints(payload.content ?? '')).toBeLessThanOrEqual(DISCORD_LIMITS.content);
    const embeds = payload.embeds ?? [];
    expect(embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedsPerMessage);
    let total = 0;
    for (const embed of embeds) {
      // Discord refuses an embed with nothing in it.
      expect(Boolean(embed.title || embed.description?.trim() || embed.fields?.length), where).toBe(true);
      expect(codePoints(embed.title ?? '')).toBeLessThanOrEqual(DISCORD_LIMITS.title);
      expect(codePoints(embed.description ?? '')).toBeLessThanOrEqual(DISCORD_LIMITS.description);
      expect((embed.fields ?? []).length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldsPerEmbed);
      total +=
        (embed.title ?? '').length + (embed.description ?? '').length + (embed.footer?.text ?? '').length;
      for (const field of embed.fields ?? []) {
        expect(field.name.trim().length + field.value.trim().length).toBeGreaterThan(0);
        expect(codePoints(field.name)).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
        expect(codePoints(field.value)).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
        total += field.name.length + field.value.length;
      }
      // Every ``` opened in a description is closed in the same description.
      expect(((embed.description ?? '').match(/```/g) ?? []).length % 2, where).toBe(0);
    }
    expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.embedCharsPerMessage);
    const rows = payload.components ?? [];
    expect(rows.length).toBeLessThanOrEqual(DISCORD_LIMITS.rowsPerMessage);
    for (const row of rows) {
      expect(row.components.length).toBeGreaterThan(0);
      expect(row.components.length).toBeLessThanOrEqual(DISCORD_LIMITS.buttonsPerRow);
      for (const button of row.components) {
        expect(codePoints(button.label)).toBeLessThanOrEqual(DISCORD_LIMITS.buttonLabel);
        expect([1, 2, 4]).toContain(button.style);
      }
    }
    if (index < payloads.length - 1) expect(payload.components).toBeUndefined();
  }
}

/** What a reader sees of escaped markdown: escapes and zero-width spaces removed. */
function visibleText(text: string): string {
  return text.replace(/\\([^\p{L}\p{N}\s])/gu, '$1').replaceAll('\u200b', '');
}

function descriptions(payloads: DiscordMessagePayload[]): string[] {
  return payloads.flatMap((payload) => (payload.embeds ?? []).map((embed) => embed.description ?? ''));
}

function allFields(payloads: DiscordMessagePayload[]) {
  return payloads.flatMap((payload) => (payload.embeds ?? []).flatMap((embed) => embed.fields ?? []));
}

function allButtons(payloads: DiscordMessagePayload[]) {
  return payloads.flatMap((payload) => (payload.components ?? []).flatMap((row) => row.components));
}

const footer = (payloads: DiscordMessagePayload[]) => payloads.at(-1)?.embeds?.at(-1)?.footer?.text;

describe('escapeDiscordMarkdown', () => {
  it('escapes every markdown character so the text shows as typed', () => {
    const text = 'a*b_c~d`e|f\\g [x](y) ||spoiler||';
    const escaped = escapeDiscordMarkdown(text);
    expect(escaped).toBe('a\\*b\\_c\\~d\\`e\\|f\\\\g \\[x\\](y) \\|\\|spoiler\\|\\|');
    expect(visibleText(escaped)).toBe(text);
  });

  it('escapes headings, quotes and list markers only where they mean something: at a line start', () => {
    const text = '# head\n> quote\n- item\n1. first\n-# small\ntrade #3 > 2 - 1. ok';
    const escaped = escapeDiscordMarkdown(text);
    expect(escaped).toBe('\\# head\n\\> quote\n\\- item\n1\\. first\n\\-# small\ntrade #3 > 2 - 1. ok');
    expect(visibleText(escaped)).toBe(text);
  });

  it('neutralises @everyone, @here and user, role and channel mentions', () => {
    const text = 'hi @everyone and @here, <@123>, <@!456>, <@&789>, <#101>, <t:1700000000>';
    const escaped = escapeDiscordMarkdown(text);
    expect(escaped).not.toMatch(/@everyone|@here|<@|<#|<t:/);
    expect(visibleText(escaped)).toBe(text);
  });

  it('leaves plain trading text alone', () => {
    expect(escapeDiscordMarkdown('BTC/USDT +1.25% (0.5 USDT) #3')).toBe('BTC/USDT +1.25% (0.5 USDT) #3');
  });
});

describe('renderDiscord', () => {
  it('makes one embed: title, tone colour, inline fields, nothing else', () => {
    const payloads = renderDiscord({
      title: 'Exited BTC/USDT (#3)',
      tone: 'profit',
      blocks: [
        {
          kind: 'fields',
          fields: [
            { label: 'Profit', value: '2.10%', inline: true },
            { label: 'Exit reason', value: 'roi' },
          ],
        },
      ],
    });
    expect(payloads).toEqual([
      {
        embeds: [
          {
            title: 'Exited BTC/USDT (#3)',
            color: 0x2ecc71,
            fields: [
              { name: 'Profit', value: '2.10%', inline: true },
              { name: 'Exit reason', value: 'roi' },
            ],
          },
        ],
      },
    ]);
  });

  it('colours each tone as documented', () => {
    expect(TONE_COLORS).toEqual({
      profit: 0x2ecc71,
      loss: 0xe74c3c,
      entry: 0x3498db,
      info: 0x95a5a6,
      neutral: 0x95a5a6,
      warning: 0xf39c12,
      error: 0xe74c3c,
    });
    for (const tone of Object.keys(TONE_COLORS) as Array<keyof typeof TONE_COLORS>) {
      const [payload] = renderDiscord({ tone, blocks: [{ kind: 'text', text: 'x' }] });
      expect(payload?.embeds?.[0]?.color).toBe(TONE_COLORS[tone]);
    }
    expect(renderDiscord({ blocks: [{ kind: 'text', text: 'x' }] })[0]?.embeds?.[0]?.color).toBe(0x95a5a6);
  });

  it('styles text paragraphs, separates blocks by a blank line and puts tables in code blocks', () => {
    const [payload] = renderDiscord({
      blocks: [
        { kind: 'text', text: 'Careful\nnow', style: 'bold' },
        { kind: 'text', text: 'maybe', style: 'italic' },
        { kind: 'table', headers: ['Pair', 'Profit'], rows: [['BTC/USDT', '+1%']], align: ['left', 'right'] },
        { kind: 'code', text: 'log line' },
        { kind: 'text', text: 'after' },
      ],
    });
    expect(payload?.embeds?.[0]?.description).toBe(
      '**Careful**\n**now**\n\n*maybe*\n```\nPair      Profit\n--------  ------\nBTC/USDT     +1%\n```\n```\nlog line\n```\nafter',
    );
  });

  it('escapes markdown and mentions in the title, text, field names and values', () => {
    const nasty = '*BTC* _x_ @everyone <@123> ~~gone~~ `tick` |bar|';
    const payloads = renderDiscord({
      title: nasty,
      blocks: [
        { kind: 'text', text: nasty },
        { kind: 'fields', fields: [{ label: nasty, value: nasty }] },
      ],
    });
    const embed = payloads[0]?.embeds?.[0];
    for (const text of [
      embed?.title,
      embed?.description,
      embed?.fields?.[0]?.name,
      embed?.fields?.[0]?.value,
    ]) {
      expect(text).toBeDefined();
      expect(text).not.toMatch(/@everyone|<@|(^|[^\\])[*_~`|]/);
      expect(visibleText(text ?? '')).toBe(nasty);
    }
  });

  it('cannot be broken out of a code block by backticks in a table or log line', () => {
    const payloads = renderDiscord({
      blocks: [
        { kind: 'code', text: 'before ``` after ```` more' },
        { kind: 'table', headers: ['a```b'], rows: [['```']] },
      ],
    });
    const description = descriptions(payloads).join('');
    expect((description.match(/```/g) ?? []).length).toBe(4);
    expectWithinLimits(payloads);
  });

  it('returns nothing for an empty reply, and a placeholder embed for buttons alone', () => {
    expect(renderDiscord({ blocks: [] })).toEqual([]);
    expect(renderDiscord({ blocks: [{ kind: 'text', text: '  \n ' }] })).toEqual([]);
    const [only] = renderDiscord({ blocks: [], buttons: [[{ label: 'Go', action: 'i:1' }]] });
    expect(only?.embeds?.[0]?.description).toBe('…');
    expect(only?.components).toEqual([
      { type: 1, components: [{ type: 2, style: 1, label: 'Go', custom_id: 'i:1' }] },
    ]);
    expect(renderDiscord({ title: 'Only a title', blocks: [] })).toEqual([
      { embeds: [{ title: 'Only a title', color: 0x95a5a6 }] },
    ]);
  });

  it('maps button styles and puts the buttons on the last payload only', () => {
    const payloads = renderDiscord({
      blocks: [
        {
          kind: 'code',
          text: Array.from({ length: 900 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n'),
        },
      ],
      buttons: [
        [
          { label: 'Confirm', action: 'c:abc', style: 'danger' },
          { label: 'Cancel', action: 'x:abc', style: 'secondary' },
          { label: 'Plain', action: 'i:abc' },
          { label: 'Primary', action: 'i:def', style: 'primary' },
        ],
      ],
    });
    expect(payloads.length).toBeGreaterThan(1);
    expectWithinLimits(payloads);
    expect(payloads.at(-1)?.components?.[0]?.components.map((button) => button.style)).toEqual([4, 2, 1, 1]);
  });

  it('marks every payload of a silent reply with SUPPRESS_NOTIFICATIONS', () => {
    expect(SUPPRESS_NOTIFICATIONS).toBe(4096);
    const payloads = renderDiscord({
      silent: true,
      blocks: [{ kind: 'text', text: 'y'.repeat(9000) }],
    });
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(payload.flags).toBe(4096);
    expect(renderDiscord({ blocks: [{ kind: 'text', text: 'x' }] })[0]?.flags).toBeUndefined();
  });

  it('splits a very long table into code blocks that repeat the header, all within the limits', () => {
    const rows = Array.from({ length: 400 }, (_, i) => [String(i), `PAIR${i}/USDT`, `+${i}.00%`]);
    const payloads = renderDiscord({
      title: 'Performance',
      blocks: [{ kind: 'table', headers: ['ID', 'Pair', 'Profit'], rows, align: ['right', 'left', 'right'] }],
    });
    expectWithinLimits(payloads);
    const blocks = descriptions(payloads);
    expect(blocks.length).toBeGreaterThan(2);
    for (const block of blocks) {
      expect(block.startsWith('```\n ID')).toBe(true);
      expect(block.endsWith('\n```')).toBe(true);
    }
    const shown = blocks.join('\n');
    for (const row of rows) expect(shown).toContain(`PAIR${row[0]}/USDT`);
    expect(payloads[0]?.embeds?.[0]?.title).toBe('Performance');
    expect(payloads.slice(1).every((payload) => payload.embeds?.every((embed) => !embed.title))).toBe(true);
  });

  it('cuts a reply longer than the message cap, saying so in a footer', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [String(i), `PAIR${i}/USDT`, 'x'.repeat(30)]);
    const payloads = renderDiscord({
      blocks: [{ kind: 'table', headers: ['ID', 'Pair', 'Note'], rows }],
      buttons: [[{ label: 'Refresh', action: 'i:r' }]],
    });
    expect(payloads.length).toBe(MAX_PAYLOADS);
    expectWithinLimits(payloads);
    expect(footer(payloads)).toMatch(/Reply cut short: \d+ more messages? not shown/);
    expect(allButtons(payloads).map((button) => button.label)).toEqual(['Refresh']);
  });

  it('spreads 60 fields over embeds of at most 25, in order', () => {
    const fields: ReplyField[] = Array.from({ length: 60 }, (_, i) => ({
      label: `Field ${i}`,
      value: `value ${i}`,
      inline: i % 2 === 0,
    }));
    const payloads = renderDiscord({ title: 'Many', blocks: [{ kind: 'fields', fields }] });
    expectWithinLimits(payloads);
    const rendered = allFields(payloads);
    expect(rendered.map((field) => field.name)).toEqual(fields.map((field) => field.label));
    expect(payloads.flatMap((payload) => payload.embeds ?? []).map((embed) => embed.fields?.length)).toEqual([
      25, 25, 10,
    ]);
  });

  it('keeps big fields under 6000 characters per message', () => {
    const fields: ReplyField[] = Array.from({ length: 20 }, (_, i) => ({
      label: `${i} ${'n'.repeat(300)}`,
      value: 'v'.repeat(1500),
    }));
    const payloads = renderDiscord({ title: 'T'.repeat(300), blocks: [{ kind: 'fields', fields }] });
    expectWithinLimits(payloads);
    expect(payloads[0]?.embeds?.[0]?.title?.endsWith('…')).toBe(true);
    // A value over 1024 continues in a second field under an invisible name.
    const rendered = allFields(payloads);
    expect(rendered.length).toBe(40);
    expect(footer(payloads)).toBeUndefined();
    expect(rendered[1]?.name).toBe('\u200b');
    expect((rendered[0]?.value ?? '') + (rendered[1]?.value ?? '')).toBe('v'.repeat(1500));
  });

  it('gives empty labels and values a zero-width space (Discord wants at least one character)', () => {
    const [payload] = renderDiscord({ blocks: [{ kind: 'fields', fields: [{ label: '', value: '' }] }] });
    expect(payload?.embeds?.[0]?.fields).toEqual([{ name: '\u200b', value: '\u200b' }]);
  });

  it('starts a new embed for text that follows fields, so the order is kept', () => {
    const payloads = renderDiscord({
      blocks: [
        { kind: 'text', text: 'first' },
        { kind: 'fields', fields: [{ label: 'A', value: '1' }] },
        { kind: 'text', text: 'last' },
      ],
    });
    const embeds = payloads.flatMap((payload) => payload.embeds ?? []);
    expect(embeds.map((embed) => [embed.description, embed.fields?.map((f) => f.name)])).toEqual([
      ['first', ['A']],
      ['last', undefined],
    ]);
  });

  it('cuts a single line longer than a description', () => {
    const payloads = renderDiscord({ blocks: [{ kind: 'text', text: 'z'.repeat(20_000), style: 'bold' }] });
    expectWithinLimits(payloads);
    const joined = descriptions(payloads)
      .map((text) => text.replace(/^\*\*|\*\*$/g, ''))
      .join('');
    expect(joined).toBe('z'.repeat(20_000));
  });

  it('counts emoji and escapes without splitting them', () => {
    const text = Array.from({ length: 3000 }, () => '📈*').join('');
    const payloads = renderDiscord({ blocks: [{ kind: 'text', text }] });
    expectWithinLimits(payloads);
    expect(visibleText(descriptions(payloads).join(''))).toBe(text);
  });

  it('fits 30 rows of buttons into 5 rows of 5, keeping the last row and noting what was left out', () => {
    const rows: ReplyButton[][] = Array.from({ length: 30 }, (_, i) => [
      { label: `#${i} PAIR${i}/USDT +1.00%`, action: `i:${i}` },
    ]);
    rows.push([{ label: 'Cancel', action: 'x:cancel', style: 'secondary' }]);
    const payloads = renderDiscord({ title: 'Exit which trade?', blocks: [], buttons: rows });
    expectWithinLimits(payloads);
    const components = payloads.at(-1)?.components ?? [];
    expect(components.length).toBe(5);
    expect(components.at(-1)?.components.map((button) => button.label)).toEqual(['Cancel']);
    const shown = allButtons(payloads);
    expect(shown.length).toBe(21);
    expect(shown[0]?.custom_id).toBe('i:0');
    expect(footer(payloads)).toMatch(/10 more choices not shown/);
  });

  it('wraps a row of more than 5 buttons and shortens long labels', () => {
    const row: ReplyButton[] = Array.from({ length: 12 }, (_, i) => ({
      label: `${i} ${'L'.repeat(100)}`,
      action: `i:${i}`,
    }));
    const payloads = renderDiscord({ blocks: [{ kind: 'text', text: 'pick' }], buttons: [row] });
    expectWithinLimits(payloads);
    expect(payloads[0]?.components?.map((r) => r.components.length)).toEqual([5, 5, 2]);
    expect(footer(payloads)).toBeUndefined();
  });

  it('drops a duplicate custom id and refuses an action Discord cannot carry', () => {
    const payloads = renderDiscord({
      blocks: [{ kind: 'text', text: 'x' }],
      buttons: [
        [
          { label: 'A', action: 'i:same' },
          { label: 'B', action: 'i:same' },
        ],
      ],
    });
    expect(allButtons(payloads).map((button) => button.label)).toEqual(['A']);
    expect(() =>
      renderDiscord({ blocks: [], buttons: [[{ label: 'Too long', action: 'i:'.padEnd(101, 'x') }]] }),
    ).toThrow(ValidationError);
    expect(() => renderDiscord({ blocks: [], buttons: [[{ label: 'Empty', action: '' }]] })).toThrow(
      /custom_id|1-100/,
    );
  });

  it('stays within every limit for a mix of adversarial replies', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
    const words = [
      'BTC/USDT',
      '*',
      '_',
      '`',
      '```',
      '@everyone',
      '<@1>',
      '📈',
      'é',
      '\n',
      ' ',
      'x'.repeat(50),
      '#',
      '> ',
    ];
    const text = (n: number) => Array.from({ length: n }, () => pick(words)).join('');
    for (let round = 0; round < 60; round += 1) {
      const blocks: Reply['blocks'] = Array.from({ length: 1 + Math.floor(random() * 8) }, () => {
        const kind = pick(['text', 'fields', 'table', 'code'] as const);
        const size = Math.floor(random() * 900);
        if (kind === 'text') return { kind, text: text(size) };
        if (kind === 'code') return { kind, text: text(size) };
        if (kind === 'table') {
          return {
            kind,
            headers: ['A', text(3)],
            rows: Array.from({ length: size }, () => [text(2), text(4)]),
          };
        }
        return {
          kind,
          fields: Array.from({ length: Math.floor(random() * 70) }, () => ({
            label: text(20),
            value: text(size / 3),
          })),
        };
      });
      const buttons = Array.from({ length: Math.floor(random() * 12) }, (_, r) =>
        Array.from({ length: 1 + Math.floor(random() * 7) }, (_, b) => ({
          label: text(30),
          action: `i:${r}-${b}`,
        })),
      );
      const reply: Reply = { title: text(Math.floor(random() * 120)), blocks, buttons, tone: 'loss' };
      expectWithinLimits(renderDiscord(reply));
    }
  });
});

describe('merged notifications', () => {
  it('keep one embed and one colour per notification', () => {
    const merged = mergeReplies([
      { title: 'Entered SOL/USDT', tone: 'entry', blocks: [{ kind: 'text', text: 'a' }] },
      { title: 'Exited ADA/USDT -4.00%', tone: 'loss', blocks: [{ kind: 'text', text: 'b' }] },
      { title: 'Exited BTC/USDT +2.00%', tone: 'profit', blocks: [{ kind: 'text', text: 'c' }] },
    ]);
    const payloads = renderDiscord(merged);
    expect(payloads).toHaveLength(1);
    expect(payloads[0]?.embeds?.map((embed) => embed.color)).toEqual([
      TONE_COLORS.entry,
      TONE_COLORS.loss,
      TONE_COLORS.profit,
    ]);
    expect(payloads[0]?.embeds?.map((embed) => embed.title)).toEqual([
      'Entered SOL/USDT',
      'Exited ADA/USDT -4.00%',
      'Exited BTC/USDT +2.00%',
    ]);
  });

  it('spread over several messages when more than ten were merged', () => {
    const many = Array.from({ length: 23 }, (_, i) => ({
      title: `note ${i}`,
      tone: 'info' as const,
      blocks: [{ kind: 'text' as const, text: `body ${i}` }],
    }));
    const payloads = renderDiscord(mergeReplies(many));
    expect(payloads.map((payload) => payload.embeds?.length)).toEqual([10, 10, 3]);
  });
});
