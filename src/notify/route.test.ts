import { describe, expect, it } from 'vitest';
import type { BotEvent } from '../freqtrade/event-schemas.js';
import { parseFrame } from '../freqtrade/event-schemas.js';
import {
  effectiveBots,
  isHeldWhileMuted,
  isMuted,
  levelFor,
  levelForExitReason,
  type RouteTarget,
  routeEvent,
  routeEventWithMutes,
  settingKeyFor,
} from './route.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');

const TRADE = {
  trade_id: 42,
  exchange: 'Binance',
  pair: 'ETH/USDT',
  base_currency: 'ETH',
  quote_currency: 'USDT',
  leverage: 1.0,
  direction: 'Long',
  order_rate: 3050.5,
  open_rate: 3050.5,
  order_type: 'limit',
  stake_amount: 100.0,
  stake_currency: 'USDT',
  amount: 0.03278,
  open_date: '2026-11-22T09:00:01.120000+00:00',
  sub_trade: false,
};
const EXIT = {
  ...TRADE,
  gain: 'profit',
  close_rate: 3124.0,
  profit_amount: 2.41,
  profit_ratio: 0.0241,
  close_date: '2026-11-22T13:47:10.400000+00:00',
  cumulative_profit: 2.41,
  final_profit_ratio: 0.0241,
  is_final_exit: true,
};

/** A parsed event of bot `bot` (default "main"). */
function event(frame: Record<string, unknown>, bot = 'main'): BotEvent {
  const result = parseFrame(JSON.stringify(frame));
  if (!result.ok) throw new Error(result.error);
  return { ...result.message, bot };
}

const entry = (bot = 'main') => event({ ...TRADE, type: 'entry' }, bot);
const entryFill = () => event({ ...TRADE, type: 'entry_fill' });
const exit = (exitReason: string | null, type: 'exit' | 'exit_fill' = 'exit') =>
  event({ ...EXIT, type, exit_reason: exitReason });

const plain: RouteTarget = { key: 'telegram:-1001:0' };

describe('levelFor', () => {
  it('uses the defaults when the target has no notifications block', () => {
    expect(levelFor(entry(), plain, undefined, NOW)).toBe('on');
    expect(levelFor(entryFill(), plain, undefined, NOW)).toBe('off');
    expect(levelFor(event({ type: 'startup', status: 'hello' }), plain, undefined, NOW)).toBe('silent');
    expect(levelFor(exit('roi', 'exit_fill'), plain, undefined, NOW)).toBe('on');
    expect(levelFor(event({ type: 'whitelist', data: ['BTC/USDT'] }), plain, undefined, NOW)).toBe('on');
  });

  it('lets the config block override the defaults, key by key', () => {
    const target: RouteTarget = { key: 't', notifications: { entry: 'silent', entry_fill: 'on' } };
    expect(levelFor(entry(), target, undefined, NOW)).toBe('silent');
    expect(levelFor(entryFill(), target, undefined, NOW)).toBe('on');
    expect(levelFor(exit('roi'), target, undefined, NOW)).toBe('on');
  });

  it('lets stored overrides win over the config block', () => {
    const target: RouteTarget = { key: 't', notifications: { entry: 'off', status: 'silent' } };
    const overrides = { notifications: { entry: 'on' as const } };
    expect(levelFor(entry(), target, overrides, NOW)).toBe('on');
    expect(levelFor(event({ type: 'status', status: 'running' }), target, overrides, NOW)).toBe('silent');
  });

  it('maps exit and exit_fill by exit reason with a * wildcard', () => {
    const target: RouteTarget = {
      key: 't',
      notifications: {
        exit: { roi: 'silent', stop_loss: 'on', '*': 'off' },
        exit_fill: { force_exit: 'silent', '*': 'on' },
      },
    };
    expect(levelFor(exit('roi'), target, undefined, NOW)).toBe('silent');
    expect(levelFor(exit('stop_loss'), target, undefined, NOW)).toBe('on');
    expect(levelFor(exit('my_custom_reason'), target, undefined, NOW)).toBe('off');
    expect(levelFor(exit(null), target, undefined, NOW)).toBe('off');
    expect(levelFor(exit('force_exit', 'exit_fill'), target, undefined, NOW)).toBe('silent');
    expect(levelFor(exit('roi', 'exit_fill'), target, undefined, NOW)).toBe('on');
  });

  it("falls back to 'on' for a reason the map lacks when it has no wildcard, as Freqtrade does", () => {
    const target: RouteTarget = { key: 't', notifications: { exit: { roi: 'off' } } };
    expect(levelFor(exit('roi'), target, undefined, NOW)).toBe('off');
    expect(levelFor(exit('trailing_stop_loss'), target, undefined, NOW)).toBe('on');
    expect(levelFor(exit(null), target, undefined, NOW)).toBe('on');
  });

  it('never reads a reason from Object.prototype', () => {
    expect(levelForExitReason({ '*': 'silent' }, 'constructor')).toBe('silent');
    expect(levelForExitReason({}, '__proto__')).toBe('on');
    expect(levelForExitReason({}, 'toString')).toBe('on');
  });

  it('replaces a configured reason map whole with an overridden exit setting', () => {
    const target: RouteTarget = { key: 't', notifications: { exit: { roi: 'on', '*': 'on' } } };
    expect(levelFor(exit('roi'), target, { notifications: { exit: 'off' } }, NOW)).toBe('off');
    expect(levelFor(exit('roi'), target, { notifications: { exit: { '*': 'silent' } } }, NOW)).toBe('silent');
  });

  it('turns everything off while muted and nothing once the mute expired', () => {
    const target: RouteTarget = { key: 't', notifications: { startup: 'on' } };
    const minute = 60_000;
    expect(levelFor(entry(), target, { mutedUntilMs: NOW + minute }, NOW)).toBe('off');
    expect(levelFor(exit('stop_loss'), target, { mutedUntilMs: NOW + minute }, NOW)).toBe('off');
    expect(levelFor(entry(), target, { mutedUntilMs: NOW - minute }, NOW)).toBe('on');
    expect(levelFor(entry(), target, { mutedUntilMs: NOW }, NOW)).toBe('on');
    expect(levelFor(entry(), target, { mutedUntilMs: null }, NOW)).toBe('on');
  });

  it('keeps silent levels silent', () => {
    const target: RouteTarget = { key: 't', notifications: { warning: 'silent' } };
    expect(levelFor(event({ type: 'warning', status: 'careful' }), target, undefined, NOW)).toBe('silent');
  });

  it('delivers only events of the bots a target listens to; stored bots narrow the configured ones', () => {
    const target: RouteTarget = { key: 't', bots: ['alpha', 'gamma'] };
    expect(levelFor(entry('alpha'), target, undefined, NOW)).toBe('on');
    expect(levelFor(entry('beta'), target, undefined, NOW)).toBe('off');
    // A stored choice cannot widen the configured list: beta stays out.
    expect(levelFor(entry('beta'), target, { bots: ['beta'] }, NOW)).toBe('off');
    expect(levelFor(entry('alpha'), target, { bots: ['gamma'] }, NOW)).toBe('off');
    expect(levelFor(entry('gamma'), target, { bots: ['gamma', 'beta'] }, NOW)).toBe('on');
    // Without a configured list the stored choice alone decides.
    expect(levelFor(entry('beta'), plain, { bots: ['beta'] }, NOW)).toBe('on');
    expect(levelFor(entry('alpha'), plain, { bots: ['beta'] }, NOW)).toBe('off');
    expect(levelFor(entry('alpha'), { key: 't', bots: [] }, undefined, NOW)).toBe('off');
    expect(levelFor(entry('anything'), plain, undefined, NOW)).toBe('on');
  });

  it('effectiveBots intersects the configured list with the stored choice, in configured order', () => {
    expect(effectiveBots(undefined, undefined)).toBeUndefined();
    expect(effectiveBots(null, null)).toBeUndefined();
    expect(effectiveBots(['a', 'b'], null)).toEqual(['a', 'b']);
    expect(effectiveBots(undefined, ['c'])).toEqual(['c']);
    expect(effectiveBots(['a', 'b', 'c'], ['c', 'a', 'x'])).toEqual(['a', 'c']);
    expect(effectiveBots(['a'], ['x'])).toEqual([]);
  });

  it('never routes candles and dataframes; a worker exception follows the warning setting', () => {
    expect(
      levelFor(event({ type: 'new_candle', data: ['BTC/USDT', '5m', 'spot'] }), plain, undefined, NOW),
    ).toBe('off');
    const df = event({ type: 'analyzed_df', data: { key: ['BTC/USDT', '5m', 'spot'], df: {} } });
    expect(levelFor(df, plain, undefined, NOW)).toBe('off');

    const crash = event({ type: 'exception', status: '*OperationalException:*\n```boom```' });
    expect(settingKeyFor(crash)).toBe('warning');
    expect(levelFor(crash, plain, undefined, NOW)).toBe('on');
    expect(levelFor(crash, { key: 't', notifications: { warning: 'silent' } }, undefined, NOW)).toBe(
      'silent',
    );
    expect(levelFor(crash, { key: 't', notifications: { warning: 'off' } }, undefined, NOW)).toBe('off');

    const wsReply = event({ type: 'exception', data: 'Error processing request' });
    expect(settingKeyFor(wsReply)).toBeNull();
    expect(levelFor(wsReply, plain, undefined, NOW)).toBe('off');
  });
});

describe('back-filled exits', () => {
  it('reach a chat that hears exit but not exit_fill, at the louder level', () => {
    const missed: BotEvent = { ...exit('roi', 'exit_fill'), backfilled: true };
    const target: RouteTarget = { key: 'k', notifications: { exit: 'silent', exit_fill: 'off' } };
    expect(levelFor(missed, target, undefined, NOW)).toBe('silent');
    const live = exit('roi', 'exit_fill');
    expect(levelFor(live, target, undefined, NOW)).toBe('off');
    const both: RouteTarget = { key: 'k', notifications: { exit: 'silent', exit_fill: 'on' } };
    expect(levelFor(missed, both, undefined, NOW)).toBe('on');
  });
});

describe('back-filled entry fills', () => {
  it('reach a chat that hears entries (entry_fill is off by default), at the louder level', () => {
    const missed: BotEvent = { ...entryFill(), backfilled: true };
    expect(levelFor(missed, plain, undefined, NOW)).toBe('on');
    expect(levelFor(entryFill(), plain, undefined, NOW)).toBe('off');
    const quiet: RouteTarget = { key: 'k', notifications: { entry: 'silent' } };
    expect(levelFor(missed, quiet, undefined, NOW)).toBe('silent');
    const none: RouteTarget = { key: 'k', notifications: { entry: 'off' } };
    expect(levelFor(missed, none, undefined, NOW)).toBe('off');
  });
});

describe('mutes', () => {
  const warning = () => event({ type: 'warning', status: 'careful' });

  it('reports a muted target with the level it would hear at, so its warnings and exits can be held', () => {
    const targets: RouteTarget[] = [
      { key: 'muted' },
      { key: 'open' },
      { key: 'muted-but-off', notifications: { warning: 'off' } },
      { key: 'expired' },
    ];
    const overrides = {
      muted: { mutedUntilMs: NOW + 60_000 },
      'muted-but-off': { mutedUntilMs: NOW + 60_000 },
      expired: { mutedUntilMs: NOW },
    };
    const routed = routeEventWithMutes(warning(), targets, overrides, NOW);
    expect(routed.map(({ target, level, muted }) => [target.key, level, muted])).toEqual([
      ['muted', 'on', true],
      ['open', 'on', false],
      ['expired', 'on', false],
    ]);
    expect(routeEvent(warning(), targets, overrides, NOW).map(({ target }) => target.key)).toEqual([
      'open',
      'expired',
    ]);
  });

  it('holds warnings, worker errors and exits, not entries or status', () => {
    expect(isHeldWhileMuted(warning())).toBe(true);
    expect(isHeldWhileMuted(event({ type: 'exception', status: 'OperationalException' }))).toBe(true);
    expect(isHeldWhileMuted(event({ type: 'exception', data: 'Error processing request' }))).toBe(false);
    expect(isHeldWhileMuted(exit('roi'))).toBe(true);
    expect(isHeldWhileMuted(exit('roi', 'exit_fill'))).toBe(true);
    expect(isHeldWhileMuted(event({ ...EXIT, type: 'exit_cancel', reason: 'timeout' }))).toBe(true);
    expect(isHeldWhileMuted(entry())).toBe(false);
    expect(isHeldWhileMuted(entryFill())).toBe(false);
    expect(isHeldWhileMuted(event({ type: 'status', status: 'running' }))).toBe(false);
  });

  it('treats a null, missing or past mute as not muted', () => {
    expect(isMuted(undefined, NOW)).toBe(false);
    expect(isMuted({ mutedUntilMs: null }, NOW)).toBe(false);
    expect(isMuted({ mutedUntilMs: NOW }, NOW)).toBe(false);
    expect(isMuted({ mutedUntilMs: NOW + 1 }, NOW)).toBe(true);
  });
});

describe('routeEvent', () => {
  const targets: RouteTarget[] = [
    { key: 'telegram:1:0' },
    { key: 'telegram:2:0', notifications: { entry: 'silent' } },
    { key: 'discord:3', bots: ['beta'] },
    { key: 'discord:4', notifications: { entry: 'off' } },
    { key: 'discord:5' },
  ];

  it('returns the targets that hear the event with their level, in order, leaving out those at off', () => {
    const routed = routeEvent(entry('alpha'), targets, {}, NOW);
    expect(routed.map(({ target, level }) => [target.key, level])).toEqual([
      ['telegram:1:0', 'on'],
      ['telegram:2:0', 'silent'],
      ['discord:5', 'on'],
    ]);
    expect(routed[0]?.target).toBe(targets[0]);
  });

  it('applies each target its own overrides', () => {
    const routed = routeEvent(
      entry('beta'),
      targets,
      {
        'telegram:1:0': { mutedUntilMs: NOW + 1 },
        'discord:4': { notifications: { entry: 'on' } },
        'discord:5': { mutedUntilMs: NOW - 1 },
        'not-a-target': { mutedUntilMs: null },
      },
      NOW,
    );
    expect(routed.map(({ target, level }) => [target.key, level])).toEqual([
      ['telegram:2:0', 'silent'],
      ['discord:3', 'on'],
      ['discord:4', 'on'],
      ['discord:5', 'on'],
    ]);
  });

  it('ignores inherited properties of the overrides record', () => {
    const routed = routeEvent(entry(), [{ key: 'constructor' }, { key: '__proto__' }], {}, NOW);
    expect(routed.map(({ level }) => level)).toEqual(['on', 'on']);
  });

  it('returns an empty list for events no chat shows', () => {
    expect(
      routeEvent(event({ type: 'new_candle', data: ['BTC/USDT', '5m', 'spot'] }), targets, {}, NOW),
    ).toEqual([]);
    expect(routeEvent(entry(), [], {}, NOW)).toEqual([]);
  });
});
