import { describe, expect, it } from 'vitest';
import { roundTimeTicks, tickNumber } from './draw.js';
import { moduleExecArgv } from './renderer.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 20);

describe('chart axes', () => {
  it('puts time ticks at round UTC steps, at most about 8', () => {
    expect(roundTimeTicks(T0 + 7 * 60_000, T0 + 12.5 * HOUR)).toEqual(
      [2, 4, 6, 8, 10, 12].map((hours) => T0 + hours * HOUR),
    );
    const week = roundTimeTicks(T0 - HOUR, T0 + 7 * 24 * HOUR);
    expect(week).toHaveLength(8);
    expect(week[0]).toBe(T0);
    expect(roundTimeTicks(T0, T0)).toEqual([T0]);
  });

  it('writes short tick numbers', () => {
    expect([0, 1.5, -2, 12_345, 2_500_000, 0.000123456789].map(tickNumber)).toEqual([
      '0',
      '1.5',
      '-2',
      '12.35k',
      '2.5M',
      '0.000123457',
    ]);
  });
});

describe('moduleExecArgv', () => {
  it("keeps the parent's module flags for the worker and drops per-process ones", () => {
    expect(
      moduleExecArgv([
        '--max-semi-space-size=4',
        '--import',
        'file:///hooks.mjs',
        '--input-type=module',
        '--require=./preload.cjs',
        '-C',
        'development',
        '--enable-source-maps',
      ]),
    ).toEqual(['--import', 'file:///hooks.mjs', '--require=./preload.cjs', '-C', 'development']);
  });
});
