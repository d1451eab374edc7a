import { describe, expect, it } from 'vitest';
import { renderPlainText } from './reply.js';
import { askAcrossBots, deadlineText, type FleetResult, joinFleetView, sumTotals } from './fleet-view.js';

const ok = (bot: string, totals: Array<{ currency: string; amount: number }>): FleetResult => ({
  bot,
  outcome: 'ok',
  part: {
    reply: { title: 'Balance', blocks: [{ kind: 'text', text: `${bot} rows` }] },
    totals: totals.map((total) => ({ label: 'Total', ...total })),
  },
});

describe('sumTotals', () => {
  it('adds the same currency and never adds different ones', () => {
    const totals = sumTotals([
      ok('a', [{ currency: 'USDT', amount: 100 }]),
      ok('b', [{ currency: 'BTC', amount: 0.5 }]),
      ok('c', [{ currency: 'USDT', amount: 23.5 }]),
      { bot: 'd', outcome: 'late' },
    ]);
    expect(totals).toEqual([
      { label: 'Total', currency: 'USDT', amount: 123.5, bots: ['a', 'c'] },
      { label: 'Total', currency: 'BTC', amount: 0.5, bots: ['b'] },
    ]);
  });
});

describe('joinFleetView', () => {
  it('gives a section per bot in order, a row for each missing bot and the totals last', () => {
    const reply = joinFleetView(
      '/balance',
      [
        ok('a', [{ currency: 'USDT', amount: 10 }]),
        { bot: 'b', outcome: 'late' },
        { bot: 'c', outcome: 'failed', reason: 'c refused /balance: HTTP 500' },
      ],
      4_000,
    );
    expect(reply.title).toBe('/balance · all bots (1/3 answered)');
    expect(reply.tone).toBe('warning');
    const text = renderPlainText(reply);
    expect(text.indexOf('a · Balance')).toBeLessThan(text.indexOf('b: not answering within 4 s'));
    expect(text).toContain('c: c refused /balance: HTTP 500');
    expect(text).toContain('Total (USDT): 10.00 USDT from a');
  });

  it('has no totals section when no bot gives money totals', () => {
    const reply = joinFleetView(
      '/status',
      [{ bot: 'a', outcome: 'ok', part: { reply: { blocks: [] } } }],
      4_000,
    );
    expect(reply.tone).toBe('info');
    expect(renderPlainText(reply)).not.toContain('Totals');
  });

  it('names the deadline in seconds', () => {
    expect(deadlineText(4_000)).toBe('4 s');
    expect(deadlineText(2_500)).toBe('2.5 s');
  });
});

describe('askAcrossBots', () => {
  it('keeps bot order, turns failures into reasons and stops waiting at the deadline', async () => {
    let release: (() => void) | undefined;
    const never = new Promise<never>((_, reject) => {
      release = () => reject(new Error('late failure'));
    });
    const results = await askAcrossBots({
      bots: [{ name: 'slow' }, { name: 'fine' }, { name: 'broken' }],
      deadlineMs: 50,
      ask: async (bot) => {
        if (bot.name === 'slow') return never;
        if (bot.name === 'broken') throw new Error('boom');
        return { reply: { blocks: [] } };
      },
      describeError: (error) => (error instanceof Error ? error.message : 'unknown'),
    });
    expect(results.map((result) => [result.bot, result.outcome])).toEqual([
      ['slow', 'late'],
      ['fine', 'ok'],
      ['broken', 'failed'],
    ]);
    expect(results[2]).toMatchObject({ reason: 'boom' });
    // The late call failing afterwards is swallowed, not an unhandled rejection.
    release?.();
    await never.catch(() => undefined);
  });
});
