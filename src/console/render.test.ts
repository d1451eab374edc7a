import { describe, expect, it } from 'vitest';
import type { Reply } from '../chat/reply.js';
import { consoleAnswerOf, renderConsoleLines, renderNoticeLine, stripControlCharacters } from './render.js';

const plain = { color: false };
const colored = { color: true };
const ESC = '\u001b';

const confirmReply: Reply = {
  title: '⚠️ Exit trade #1?',
  tone: 'warning',
  blocks: [
    { kind: 'fields', fields: [{ label: 'Trade', value: '#1 BTC/USDT (Long)' }] },
    { kind: 'text', text: 'Only the requester by you can confirm; this expires in 60 s.', style: 'italic' },
  ],
  buttons: [
    [
      { label: 'Confirm', action: 'c:AAAAAAAAAAAAAAAA', role: 'confirm', style: 'danger' },
      { label: 'Cancel', action: 'x:AAAAAAAAAAAAAAAA', role: 'cancel', style: 'secondary' },
    ],
  ],
};

const pickerReply: Reply = {
  title: 'Exit which trade?',
  blocks: [{ kind: 'text', text: 'Choose a trade to exit:' }],
  buttons: [
    [{ label: '#1 BTC/USDT +1.20%', action: 'i:BBBBBBBBBBBBBBBB', role: 'pick' }],
    [{ label: '#3 ETH/USDT -0.40%', action: 'i:CCCCCCCCCCCCCCCC', role: 'pick' }],
    [{ label: 'Cancel', action: 'x:DDDDDDDDDDDDDDDD', role: 'cancel', style: 'secondary' }],
  ],
};

describe('renderConsoleLines', () => {
  it('renders title, fields, text, table and code as plain lines without escapes when color is false', () => {
    const reply: Reply = {
      title: 'Status',
      tone: 'profit',
      blocks: [
        { kind: 'text', text: 'two\nlines', style: 'bold' },
        { kind: 'fields', fields: [{ label: 'Profit', value: '+1.5 USDT' }] },
        { kind: 'table', headers: ['ID', 'Pair'], rows: [['1', 'BTC/USDT']], align: ['right', 'left'] },
        { kind: 'code', text: 'log line' },
      ],
    };
    const lines = renderConsoleLines(reply, plain);
    expect(lines).toEqual([
      'Status',
      'two',
      'lines',
      'Profit: +1.5 USDT',
      'ID  Pair',
      '--  --------',
      ' 1  BTC/USDT',
      'log line',
    ]);
    expect(lines.join('\n')).not.toContain(ESC);
  });

  it('colours the title by tone and resets after each coloured span when color is true', () => {
    const profit = renderConsoleLines({ title: 'Closed', tone: 'profit', blocks: [] }, colored);
    expect(profit).toEqual([`${ESC}[1;32mClosed${ESC}[0m`]);
    const loss = renderConsoleLines({ title: 'Closed', tone: 'loss', blocks: [] }, colored);
    expect(loss).toEqual([`${ESC}[1;31mClosed${ESC}[0m`]);
    const neutral = renderConsoleLines({ title: 'Hello', blocks: [] }, colored);
    expect(neutral).toEqual([`${ESC}[1mHello${ESC}[0m`]);
  });

  it('gives the tone to the first paragraph of a reply without a title', () => {
    const lines = renderConsoleLines(
      { tone: 'warning', blocks: [{ kind: 'text', text: 'Careful' }] },
      colored,
    );
    expect(lines).toEqual([`${ESC}[33mCareful${ESC}[0m`]);
  });

  it('shows Confirm / Cancel buttons as a yes-or-no hint line', () => {
    const lines = renderConsoleLines(confirmReply, plain);
    expect(lines.at(-1)).toBe('[Confirm] [Cancel] — answer yes or no');
    expect(lines).toContain('Trade: #1 BTC/USDT (Long)');
  });

  it('numbers picker choices on one line and says a number answers', () => {
    const lines = renderConsoleLines(pickerReply, plain);
    expect(lines.at(-1)).toBe(
      '1) #1 BTC/USDT +1.20%  2) #3 ETH/USDT -0.40%  — answer with a number, or no to cancel',
    );
  });

  it('puts each choice on its own line when they do not fit on one', () => {
    const pairs = Array.from({ length: 20 }, (_, i) => `PAIR${i}/USDT`);
    const reply: Reply = {
      blocks: [{ kind: 'text', text: 'Which pair?' }],
      buttons: [
        ...pairs.map((pair, i) => [
          { label: pair, action: `i:${String(i).padStart(16, 'A')}`, role: 'pick' as const },
        ]),
        [{ label: 'Cancel', action: 'x:ZZZZZZZZZZZZZZZZ', role: 'cancel' }],
      ],
    };
    const lines = renderConsoleLines(reply, plain);
    expect(lines[1]).toBe('1) PAIR0/USDT');
    expect(lines[20]).toBe('20) PAIR19/USDT');
    expect(lines[21]).toBe('— answer with a number, or no to cancel');
  });

  it('shows a lone Refresh button as an "r" hint', () => {
    const reply: Reply = {
      blocks: [{ kind: 'text', text: 'No open trades.' }],
      buttons: [[{ label: '🔄 Refresh', action: 'i:EEEEEEEEEEEEEEEE', role: 'refresh' }]],
    };
    expect(renderConsoleLines(reply, plain)).toEqual([
      'No open trades.',
      '[🔄 Refresh] — answer r to refresh',
    ]);
  });

  it('drops terminal escape sequences smuggled into content', () => {
    const reply: Reply = {
      title: `Bad${ESC}[2Jpair`,
      blocks: [{ kind: 'fields', fields: [{ label: 'Msg', value: `x${ESC}]0;owned\u0007y` }] }],
    };
    const text = renderConsoleLines(reply, plain).join('\n');
    expect(text).not.toContain(ESC);
    expect(text).not.toContain('\u0007');
    expect(text).toContain('Bad[2Jpair');
  });

  it('renders nothing for an empty reply', () => {
    expect(renderConsoleLines({ blocks: [] }, plain)).toEqual([]);
  });
});

describe('consoleAnswerOf', () => {
  it('classifies confirmations, pickers, refresh and plain replies by button role', () => {
    expect(consoleAnswerOf(confirmReply)).toMatchObject({
      kind: 'confirm',
      confirm: { action: 'c:AAAAAAAAAAAAAAAA' },
      cancel: { action: 'x:AAAAAAAAAAAAAAAA' },
    });
    const picker = consoleAnswerOf(pickerReply);
    expect(picker.kind).toBe('choice');
    if (picker.kind === 'choice') {
      expect(picker.options.map((o) => o.action)).toEqual(['i:BBBBBBBBBBBBBBBB', 'i:CCCCCCCCCCCCCCCC']);
      expect(picker.cancel?.action).toBe('x:DDDDDDDDDDDDDDDD');
    }
    expect(
      consoleAnswerOf({
        blocks: [],
        buttons: [[{ label: 'Refresh', action: 'i:EEEEEEEEEEEEEEEE', role: 'refresh' }]],
      }).kind,
    ).toBe('refresh');
    expect(consoleAnswerOf({ blocks: [] }).kind).toBe('none');
  });
});

describe('stripControlCharacters and renderNoticeLine', () => {
  it('keeps newlines and tabs but removes other control characters', () => {
    expect(stripControlCharacters('a\tb\nc\u0000d\u009be')).toBe('a\tb\ncde');
  });

  it('colours an alert notice as a warning and dims a plain one', () => {
    expect(renderNoticeLine('Expired', true, colored)).toBe(`${ESC}[33mExpired${ESC}[0m`);
    expect(renderNoticeLine('Done.', false, colored)).toBe(`${ESC}[2mDone.${ESC}[0m`);
    expect(renderNoticeLine('Done.', false, plain)).toBe('Done.');
  });
});
