/**
 * The read-only commands end to end: the real Freqtrade client against the fake Freqtrade server
 * (src/simulator), checking the REST calls made and the numbers shown. Exact formatting against
 * Freqtrade's own example payloads is in commands-read-canned.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { bindArguments } from '../src/chat/arguments.js';
import {
  healthCommand,
  locksCommand,
  logsCommand,
  showConfigCommand,
  sysinfoCommand,
  versionCommand,
  whitelistCommand,
} from '../src/chat/commands/info.js';
import {
  balanceCommand,
  dailyCommand,
  monthlyCommand,
  profitCommand,
  statsCommand,
  weeklyCommand,
} from '../src/chat/commands/profit.js';
import { loadCommands } from '../src/chat/commands/index.js';
import {
  countCommand,
  entriesCommand,
  exitsCommand,
  mixTagsCommand,
  performanceCommand,
  statusCommand,
  tradesCommand,
} from '../src/chat/commands/trades.js';
import { type Reply, renderPlainText } from '../src/chat/reply.js';
import type { CommandServices, CommandSpec } from '../src/chat/types.js';
import { parseConfig } from './support/config.js';
import type { BotConfig } from '../src/config/schema.js';
import { UserInputError } from '../src/errors.js';
import { createFreqtradeClient, type FreqtradeClient } from '../src/freqtrade/client.js';
import { createFleet } from '../src/freqtrade/fleet.js';
import { createSilentLogger } from '../src/logger.js';
import { formatMoney, formatSignedMoney } from '../src/format/money.js';
import { formatRate, formatSignedPercent } from '../src/format/numbers.js';
import { type FakeFreqtrade, startFakeFreqtrade } from '../src/simulator/freqtrade-server.js';
import { openStore } from '../src/store/store.js';

/** The read-only commands: viewers may run them, they change nothing and talk to a Freqtrade bot. */
const readCommands = (await loadCommands()).filter(
  (command) =>
    command.role === 'viewer' &&
    !command.mutates &&
    !command.audited &&
    command.needsBot !== false &&
    command.requires === undefined,
);

const fakes: FakeFreqtrade[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

interface Setup {
  fake: FakeFreqtrade;
  client: FreqtradeClient;
  /** Runs a command as a viewer with chat words, as the router does. */
  run<S extends z.ZodObject>(
    command: CommandSpec<S>,
    words?: string[],
  ): Promise<{ reply: Reply; text: string }>;
  /** REST calls made since the last `clearRequests`, as `"GET /path"`, without logins. */
  calls(): string[];
  clearRequests(): void;
}

async function setup(seed: 'empty' | 'demo' = 'empty'): Promise<Setup> {
  const fake = await startFakeFreqtrade({ seed });
  fakes.push(fake);
  const bot: BotConfig = {
    name: 'main',
    api_url: fake.url,
    username: 'freqtrader',
    password: 'secret-pass',
    ws_token: null,
    timeout_ms: 5000,
    read_only: false,
  };
  const config = parseConfig({ bots: [bot] });
  const logger = createSilentLogger();
  const client = createFreqtradeClient({ bot, retry: { limit: 0, backoffMs: 0 } });
  const services: CommandServices = {
    config,
    fleet: createFleet(config.bots),
    store: await openStore({ path: null, logger, auditMaxEntries: 100 }),
    logger,
    now: () => fake.now(),
    commands: () => [],
  };
  let seen = 0;
  return {
    fake,
    client,
    async run(command, words = []) {
      const args = bindArguments(command.args, words, {}, command.usage);
      const reply = await command.run({
        ctx: { platform: 'console', chatId: '1', userId: '1', threadId: null, isPrivate: true },
        role: 'viewer',
        args,
        bot: client,
        showBotName: false,
        services,
        chatKey: 'test:1',
      });
      return { reply, text: renderPlainText(reply) };
    },
    calls: () =>
      fake.requests
        .slice(seen)
        .filter((request) => !request.path.startsWith('/token/'))
        .map((request) => {
          const query = new URLSearchParams();
          for (const [key, value] of Object.entries(request.query)) {
            for (const item of Array.isArray(value) ? value : [value]) query.append(key, item);
          }
          return `${request.method} ${request.path}${query.size > 0 ? `?${query.toString()}` : ''}`;
        }),
    clearRequests() {
      seen = fake.requests.length;
    },
  };
}

/** Freqtrade's profit of a long spot trade at `rate` (`calc_profit_ratio` with open and close fees). */
function longProfit(
  trade: { amount: number; open_rate: number; fee_open?: number | null; fee_close?: number | null },
  rate: number,
) {
  const openValue = trade.amount * trade.open_rate * (1 + (trade.fee_open ?? 0));
  const closeValue = trade.amount * rate * (1 - (trade.fee_close ?? 0));
  return { abs: closeValue - openValue, ratio: closeValue / openValue - 1 };
}

describe('read commands against the fake Freqtrade', () => {
  it('/status with no open trades says so, and that the bot is stopped when it is', async () => {
    const s = await setup();
    expect((await s.run(statusCommand)).text).toBe('📊 Status\n\nNo open trades.');
    expect(s.calls()).toEqual(['GET /status', 'GET /show_config']);
    s.fake.state.botState = 'stopped';
    const { text } = await s.run(statusCommand, ['table']);
    expect(text).toContain('No open trades listed.\nThe bot is stopped');
  });

  it('/status shows an open trade with the profit Freqtrade would compute', async () => {
    const s = await setup();
    const id = s.fake.addTrade({
      pair: 'ETH/USDT',
      openRate: 2000,
      currentRate: 2100,
      stakeAmount: 100,
      enterTag: 'ema_cross',
      openedMinutesAgo: 95,
    });
    s.clearRequests();
    const { reply, text } = await s.run(statusCommand);
    expect(s.calls()).toEqual(['GET /status']);
    const [trade] = await s.client.status();
    if (!trade) throw new Error('no open trade');
    // The fake's numbers are Freqtrade's: profit after both fees at the current rate.
    const expected = longProfit(trade, 2100);
    expect(trade.profit_abs).toBeCloseTo(expected.abs, 6);
    expect(trade.profit_ratio).toBeCloseTo(expected.ratio, 6);
    expect(reply.title).toBe('📊 Open trades (1)');
    expect(reply.tone).toBe('profit');
    expect(text).toContain(`#${id} ETH/USDT · Long`);
    expect(text).toContain('Open rate: 2000 USDT');
    expect(text).toContain('Current rate: 2100 USDT');
    expect(text).toContain(`Stake: ${formatMoney(trade.stake_amount, 'USDT')}`);
    expect(text).toContain(`Amount: ${formatRate(trade.amount)} ETH`);
    expect(text).toContain(
      `Current profit: ✳️ ${formatSignedPercent(expected.ratio)} (${formatSignedMoney(expected.abs, 'USDT')})`,
    );
    expect(text).toContain('(1h 35m ago)');
    expect(text).toContain('Enter tag: ema_cross');
    expect(text).toMatch(/Stoploss: 1800 USDT \(-10\.00%\)/);
  });

  it('/status <ids> shows known trades and a line for an unknown one', async () => {
    const s = await setup();
    const id = s.fake.addTrade({ pair: 'BTC/USDT', openRate: 60000, currentRate: 59000, stakeAmount: 100 });
    s.clearRequests();
    const { reply, text } = await s.run(statusCommand, [String(id), '99']);
    expect(s.calls().sort()).toEqual([`GET /trade/${id}`, 'GET /trade/99']);
    expect(text).toContain(`❌ #${id} BTC/USDT · Long`);
    expect(text).toContain('Trade 99 not found.');
    expect(reply.title).toBe(`📊 Trades #${id}, #99`);
  });

  it('/status table lists every open trade, short ones marked S', async () => {
    const s = await setup();
    s.fake.state.tradingMode = 'futures';
    s.fake.addTrade({
      pair: 'ETH/USDT:USDT',
      openRate: 2000,
      currentRate: 1900,
      stakeAmount: 50,
      isShort: true,
    });
    s.fake.addTrade({
      pair: 'BTC/USDT:USDT',
      openRate: 60000,
      currentRate: 60000,
      stakeAmount: 50,
      openedMinutesAgo: 30,
    });
    const { reply } = await s.run(statusCommand, ['table']);
    const table = reply.blocks[0];
    if (table?.kind !== 'table') throw new Error('no table');
    // The `:USDT` settle suffix goes so that no line is wider than 40 characters.
    expect(table.rows.map((row) => [row[0], row[1], row[2]])).toEqual([
      ['1 S', 'ETH/USDT', '0s'],
      ['2 L', 'BTC/USDT', '30m'],
    ]);
    expect(table.rows[0]?.[3]).toMatch(/^\+4\.\d\d%$/);
    expect(table.rows[0]?.[4]).toMatch(/^\+2\.\d\d$/);
    expect(table.rows[1]?.[3]).toBe('-0.20%');
    expect(table.headers).toEqual(['ID', 'Pair', 'Since', 'Profit', 'USDT']);
  });

  it('/trades, /profit, /performance, /stats and tags after trades close', async () => {
    const s = await setup();
    const win = s.fake.addTrade({
      pair: 'ETH/USDT',
      openRate: 2000,
      stakeAmount: 100,
      enterTag: 'ema_cross',
    });
    const win2 = s.fake.addTrade({ pair: 'SOL/USDT', openRate: 100, stakeAmount: 100 });
    s.fake.closeTrade(win, { closeRate: 2100, exitReason: 'roi' });
    s.fake.advanceTime(60_000);
    s.fake.closeTrade(win2, { closeRate: 103, exitReason: 'exit_signal' });
    s.clearRequests();

    const trades = await s.run(tradesCommand);
    expect(s.calls()).toEqual(['GET /trades?limit=10']);
    expect(trades.reply.title).toBe('🧾 Last 2 closed trades');
    const table = trades.reply.blocks[0];
    if (table?.kind !== 'table') throw new Error('no table');
    expect(table.rows.map((row) => [row[0], row[1], row[2]])).toEqual([
      [`${win2} L`, 'SOL/USDT', '+2.79%'],
      [`${win} L`, 'ETH/USDT', '+4.79%'],
    ]);

    s.clearRequests();
    const profit = await s.run(profitCommand);
    expect(s.calls().sort()).toEqual(['GET /daily?timescale=1', 'GET /profit']);
    expect(profit.text).toContain('Trades: 2 (2 closed, 0 open)');
    expect(profit.text).toContain('Win / loss: 2 / 0');
    expect(profit.text).toContain('Winrate: 100.00%');
    // No losing trade: Freqtrade's profit factor is Infinity, sent as null.
    expect(profit.text).toContain('Profit factor: n/a (no losing trade)');
    expect(profit.text).toMatch(/ROI closed trades: \+0\.\d\d% \(\+7\.5\d USDT\) ≈ \+7\.5\d USD/);

    const withDays = await s.run(profitCommand, ['3']);
    // Both trades closed just now: the last 3 days hold the same figures, computed from /trades.
    expect(withDays.reply.title).toBe('📈 Profit (last 3 days)');
    expect(withDays.text).toMatch(/ROI closed trades: \+0\.\d\d% \(\+7\.5\d USDT\) ≈ \+7\.5\d USD/);
    expect(withDays.text).toContain('Trades: 2 (2 closed, 0 open)');

    const performance = await s.run(performanceCommand);
    expect(performance.reply.blocks[0]).toMatchObject({
      headers: ['#', 'Pair', 'Profit %', 'Profit USDT', 'Trades'],
      rows: [
        ['1', 'ETH/USDT', '+4.79%', '+4.80', '1'],
        ['2', 'SOL/USDT', '+2.79%', '+2.80', '1'],
      ],
    });

    const stats = await s.run(statsCommand);
    expect(stats.reply.blocks[0]).toMatchObject({
      rows: [
        ['roi', '1', '1', '0', '0'],
        ['exit_signal', '1', '1', '0', '0'],
      ],
    });
    expect(stats.text).toContain('Avg. duration of losses: n/a');

    s.clearRequests();
    const entries = await s.run(entriesCommand, ['eth/usdt']);
    expect(s.calls()).toContain('GET /entries?pair=ETH%2FUSDT');
    expect(entries.reply.blocks[0]).toMatchObject({ rows: [['1', 'ema_cross', '+4.79%', '+4.80', '1']] });
    const exits = await s.run(exitsCommand);
    expect(exits.text).toContain('exit_signal');
    const mix = await s.run(mixTagsCommand);
    expect(mix.text).toContain('ema_cross roi');
    expect(mix.text).toContain('Other exit_signal');
  });

  it('/count shows open trades against the limit and refuses on a stopped bot', async () => {
    const s = await setup();
    s.fake.addTrade({ pair: 'ETH/USDT', openRate: 2000, stakeAmount: 100 });
    s.fake.state.maxOpenTrades = -1;
    const { text } = await s.run(countCommand);
    expect(text).toBe('🔢 Trade count\n\nOpen trades: 1 / ∞\nTotal stake: 100.00 USDT');
    s.fake.state.botState = 'stopped';
    await expect(s.run(countCommand)).rejects.toThrow('trader is not running');
  });

  it('/daily, /weekly, /monthly ask for the requested number of periods', async () => {
    const s = await setup();
    const id = s.fake.addTrade({ pair: 'ETH/USDT', openRate: 2000, stakeAmount: 100 });
    s.fake.closeTrade(id, { closeRate: 1900, exitReason: 'stop_loss' });
    s.clearRequests();
    const daily = await s.run(dailyCommand);
    const weekly = await s.run(weeklyCommand, ['3']);
    const monthly = await s.run(monthlyCommand);
    expect(s.calls()).toEqual([
      'GET /daily?timescale=7',
      'GET /weekly?timescale=3',
      'GET /monthly?timescale=6',
    ]);
    const rows = (reply: Reply) => {
      const table = reply.blocks[0];
      return table?.kind === 'table' ? table.rows : [];
    };
    expect(rows(daily.reply)).toHaveLength(7);
    expect(rows(daily.reply)[0]?.[1]).toMatch(/^-5\.\d\d$/);
    expect(rows(daily.reply)[0]?.at(-1)).toBe('1');
    expect(rows(weekly.reply)).toHaveLength(3);
    expect(rows(monthly.reply)).toHaveLength(6);
    expect(daily.reply.tone).toBe('loss');
    expect(daily.text).toMatch(/Total: -5\.\d\d USDT ≈ -5\.\d\d USD over 1 trade\./);
  });

  it('/balance shows the simulated wallet with the open position and totals', async () => {
    const s = await setup();
    s.fake.addTrade({ pair: 'ETH/USDT', openRate: 2000, currentRate: 2000, stakeAmount: 100 });
    const { reply, text } = await s.run(balanceCommand);
    const table = reply.blocks.find((block) => block.kind === 'table');
    if (table?.kind !== 'table') throw new Error('no table');
    expect(table.rows.map((row) => row[0])).toEqual(['USDT', 'ETH']);
    expect(table.rows[1]?.[4]).toBe('100.00');
    expect(text).toContain('Simulated balances.');
    expect(text).toMatch(/Total \(bot-managed\): \d+\.\d\d USDT ≈ \d+\.\d\d USD/);
  });

  it('/locks, /whitelist, /show_config, /version, /health, /logs, /sysinfo on a fresh bot', async () => {
    const s = await setup();
    expect((await s.run(locksCommand)).text).toBe('🔒 Locks\n\nNo active locks.');
    const until = s.fake.now() + 3_600_000;
    s.fake.state.locks.push({
      id: 1,
      pair: 'ETH/USDT',
      side: '*',
      reason: 'StoplossGuard',
      lockTimeMs: s.fake.now(),
      lockEndTimeMs: until,
      active: true,
    });
    const locks = await s.run(locksCommand);
    expect(locks.reply.blocks[0]).toMatchObject({
      rows: [
        [
          '1',
          'ETH/USDT',
          'both',
          new Date(until).toISOString().slice(0, 16).replace('T', ' '),
          'StoplossGuard',
        ],
      ],
    });

    const whitelist = await s.run(whitelistCommand);
    expect(whitelist.text).toMatch(
      new RegExp(`Using whitelist \\w+ with ${s.fake.state.whitelist.length} pairs\\.`),
    );
    expect(whitelist.text).toContain(s.fake.state.whitelist.join(', '));

    const config = await s.run(showConfigCommand);
    expect(config.text).toContain('Mode: dry-run');
    expect(config.text).toContain('Exchange: binance');
    expect(config.text).toContain('Strategy: SampleStrategy');
    expect(config.text).toContain('Timeframe: 5m');
    expect(config.text).toContain('Max open trades: 5');
    expect(config.text).toContain('State: running');
    expect(config.text).toContain('Stoploss: -10.00%');

    expect((await s.run(versionCommand)).text).toContain('Freqtrade: 2026.3');

    const health = await s.run(healthCommand);
    expect(health.text).toMatch(/Last process: \d{4}-\d\d-\d\d \d\d:\d\d UTC \(\d+s ago\)/);
    expect(health.reply.tone).toBe('info');

    s.clearRequests();
    const logs = await s.run(logsCommand, ['3']);
    expect(s.calls()).toEqual(['GET /logs?limit=3']);
    const code = logs.reply.blocks[0];
    expect(code?.kind === 'code' && code.text.split('\n')).toHaveLength(3);
    expect(logs.text).toContain('INFO freqtrade.worker: Changing state to: RUNNING');

    const sysinfo = await s.run(sysinfoCommand);
    expect(sysinfo.text).toMatch(/CPU: \d+\.\d% average over \d+ cores?/);
    expect(sysinfo.text).toMatch(/RAM: \d+\.\d%/);
  });

  it('every read command answers on the demo bot without failing', async () => {
    const s = await setup('demo');
    // Commands whose argument is required get one the demo bot knows.
    const sampleWords: Record<string, string[]> = { list_custom_data: ['1'] };
    for (const command of readCommands) {
      const { reply, text } = await s.run(command, sampleWords[command.name] ?? []);
      expect(reply.title, `/${command.name}`).toBeTruthy();
      expect(text, `/${command.name}`).not.toContain('undefined');
      expect(text, `/${command.name}`).not.toContain('NaN');
    }
    const full = await s.run(balanceCommand, ['full']);
    expect(full.reply.title).toBe('💰 Balance (full)');
    const status = await s.run(statusCommand);
    expect(status.reply.title).toBe('📊 Open trades (3)');
  });

  it('refuses arguments out of bounds before calling the bot, naming the usage', async () => {
    const s = await setup();
    s.clearRequests();
    await expect(s.run(tradesCommand, ['51'])).rejects.toThrow(UserInputError);
    await expect(s.run(dailyCommand, ['0'])).rejects.toMatchObject({
      message: 'Bad n "0": must be at least 1.',
      usage: '/daily [n]',
    });
    await expect(s.run(statusCommand, ['seven'])).rejects.toMatchObject({
      usage: '/status [trade_id…|table]',
    });
    expect(s.calls()).toEqual([]);
  });
});
