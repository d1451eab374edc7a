/**
 * /chart around the pictures (issue 15): its arguments, a renderer that cannot load (the reason is
 * said and everything else keeps working; check-config warns), `bot=all` (a line per bot for
 * profit, a clear refusal otherwise), the console's Chart answer, and the fake Freqtrade's
 * /pair_candles in the shape of both API versions. The pictures themselves are looked at in
 * chart-commands-e2e.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChartRenderer, ChartSpec } from '../src/charts/index.js';
import { bindArguments } from '../src/chat/arguments.js';
import { chartAltText, chartCommand, chartRequestOf } from '../src/chat/commands/chart.js';
import { loadCommands } from '../src/chat/commands/index.js';
import { renderPlainText } from '../src/chat/reply.js';
import { createCommandRouter } from '../src/chat/router.js';
import type { CommandContext, CommandServices } from '../src/chat/types.js';
import { runCli } from '../src/cli.js';
import { createConsoleAdapter } from '../src/console/adapter.js';
import { buildDemoConfig } from '../src/demo/run-demo.js';
import { ChartsUnavailableError, UserInputError } from '../src/errors.js';
import { createFleet } from '../src/freqtrade/fleet.js';
import { createSilentLogger } from '../src/logger.js';
import { type App, startApp } from '../src/main.js';
import { createDemoState } from '../src/simulator/demo-seed.js';
import { openStore } from '../src/store/store.js';
import { callApi, type FakeFreqtrade, startFakeFreqtrade } from './fakes/fake-freqtrade.js';
import { parseConfig } from './support/config.js';

const bind = (words: string[], named: Record<string, string> = {}) =>
  chartRequestOf(bindArguments(chartCommand.args, words, named, chartCommand.usage));

describe('/chart arguments', () => {
  it('reads a kind, a count, a pair and a timeframe', () => {
    expect(bind([])).toEqual({ kind: 'daily', n: 7 });
    expect(bind(['daily'])).toEqual({ kind: 'daily', n: 7 });
    expect(bind([], { pair: 'eth/usdt' })).toEqual({
      kind: 'candles',
      pair: 'ETH/USDT',
      timeframe: undefined,
    });
    expect(bind(['Weekly', '3'])).toEqual({ kind: 'weekly', n: 3 });
    expect(bind(['monthly'])).toEqual({ kind: 'monthly', n: 6 });
    expect(bind(['profit'])).toEqual({ kind: 'profit' });
    expect(bind(['performance'])).toEqual({ kind: 'performance' });
    expect(bind(['btc/usdt', '5m'])).toEqual({ kind: 'candles', pair: 'BTC/USDT', timeframe: '5m' });
    expect(bind(['ETH/USDT'])).toEqual({ kind: 'candles', pair: 'ETH/USDT', timeframe: undefined });
    expect(bind(['candles'], { pair: 'ETH/USDT', timeframe: '1h' })).toEqual({
      kind: 'candles',
      pair: 'ETH/USDT',
      timeframe: '1h',
    });
  });

  it.each([
    [['nonsense'], 'Bad kind "nonsense": expected daily, weekly, monthly, profit, performance'],
    [['daily', '400'], 'must be between 1 and 365 days'],
    [['weekly', '5m'], 'expected a number of weeks'],
    [['profit', '3'], '/chart profit takes no count'],
    [['BTC/USDT', '30'], 'After a pair comes a timeframe like 5m'],
    [['BTC/USDT', '7x'], 'Bad n "7x"'],
    [['candles'], 'A candle chart needs a pair'],
  ])('refuses %j with the reason and the usage line', (words, reason) => {
    let caught: unknown;
    try {
      bind(words);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserInputError);
    expect((caught as UserInputError).message).toContain(reason);
    expect((caught as UserInputError).usage).toMatch(/^\/chart \[kind\]/);
  });

  it('describes each chart in its alt text', () => {
    const bars: ChartSpec = {
      kind: 'bars',
      title: 'Daily profit',
      subtitle: 'Total: +3.00 USDT over 3 days (4 trades)',
      labels: ['11-28', '11-29', '11-30'],
      values: [2, -1, 2],
      unit: 'USDT',
    };
    expect(chartAltText(bars)).toBe(
      'Bar chart of daily profit in USDT, 3 bars from 11-28 to 11-30: 2 green (profit), 1 red (loss). Total: +3.00 USDT over 3 days (4 trades)',
    );
    expect(chartAltText({ kind: 'empty', title: 'Cumulative profit', message: 'no closed trades yet' })).toBe(
      'Empty chart "Cumulative profit": no closed trades yet.',
    );
  });
});

// ---------------------------------------------------------------- through the router, with a recording renderer

const ctx: CommandContext = {
  platform: 'console',
  chatId: '1',
  userId: '1',
  threadId: null,
  isPrivate: true,
};
const fakes: FakeFreqtrade[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A renderer that keeps the specs it is given and answers a tiny PNG. */
function recordingRenderer(specs: ChartSpec[]): () => Promise<ChartRenderer> {
  return async () => ({
    async render(spec) {
      specs.push(spec);
      return { png: Buffer.from([0x89, 0x50, 0x4e, 0x47]), width: 1280, height: 720 };
    },
    async close() {},
  });
}

async function routerWith(charts: CommandServices['charts'], botNames: string[] = ['main']) {
  const bots = [];
  for (const name of botNames) {
    const fake = await startFakeFreqtrade({ botName: name });
    fake.state = createDemoState({ botName: name, stakeCurrency: 'USDT', nowMs: fake.now() });
    fakes.push(fake);
    bots.push({ name, api_url: fake.url, username: 'freqtrader', password: 'secret-pass', ws_token: null });
  }
  const config = parseConfig({ bots, access: { viewers: ['console:1'] } });
  const logger = createSilentLogger();
  const services: Omit<CommandServices, 'commands'> = {
    config,
    fleet: createFleet(config.bots),
    store: await openStore({ path: null, logger, auditMaxEntries: 100 }),
    logger,
    now: () => Date.now(),
    ...(charts ? { charts } : {}),
  };
  const router = createCommandRouter({
    services,
    commands: await loadCommands(),
    policy: { access: config.access, chats: [] },
  });
  const say = async (line: string) => {
    const reply = await router.handleText(ctx, line);
    if (!reply) throw new Error(`no reply to ${line}`);
    return reply;
  };
  return { router, say };
}

describe('/chart through the router', () => {
  it('says why when the renderer cannot load, still gives the total, and the other commands keep working', async () => {
    const { say } = await routerWith(() =>
      Promise.reject(new ChartsUnavailableError('no canvas on this machine')),
    );
    const reply = await say('/chart daily 7');
    expect(reply.image).toBeUndefined();
    expect(reply.tone).toBe('warning');
    const text = renderPlainText(reply);
    expect(text).toContain('charts are not available on this system: no canvas on this machine');
    expect(text).toMatch(/Total: [+-]\d/);
    const daily = await say('/daily 7');
    expect(renderPlainText(daily)).toContain('Daily profit');
    expect(daily.tone).not.toBe('error');
  });

  it('bot=all draws the cumulative profit with a line per bot and their total', async () => {
    const specs: ChartSpec[] = [];
    const { say } = await routerWith(recordingRenderer(specs), ['alpha', 'beta']);
    const reply = await say('/chart profit bot=all');
    expect(reply.title).toBe('📈 Cumulative profit · all bots (2/2 answered)');
    expect(reply.image?.alt).toContain('lines for alpha, beta, total');
    const [spec] = specs;
    expect(spec?.kind).toBe('lines');
    if (spec?.kind !== 'lines') return;
    expect(spec.series.map((series) => series.name)).toEqual(['alpha', 'beta', 'total']);
    expect(spec.drawdown).toBeDefined();
  });

  it('bot=all is refused with a clear sentence for the other kinds', async () => {
    const specs: ChartSpec[] = [];
    const { say } = await routerWith(recordingRenderer(specs), ['alpha', 'beta']);
    const reply = await say('/chart daily bot=all');
    expect(renderPlainText(reply)).toBe(
      'Only /chart profit draws every bot at once (a line each); name one bot with bot=<name> for this chart.',
    );
    expect(specs).toEqual([]);
  });

  it('the Chart button is a new message for its owner only, and may be pressed again', async () => {
    const specs: ChartSpec[] = [];
    const { router, say } = await routerWith(recordingRenderer(specs));
    const performance = await say('/performance');
    const chart = performance.buttons?.flat().find((button) => button.role === 'chart');
    expect(chart?.label).toBe('📈 Chart');
    const other = await router.handleButton({ ...ctx, userId: '2' }, chart?.action ?? '');
    expect(other.reply).toBeUndefined();
    for (let press = 0; press < 2; press++) {
      const outcome = await router.handleButton(ctx, chart?.action ?? '');
      expect(outcome.mode).toBe('send');
      expect(outcome.reply?.title).toBe('📈 Performance per pair');
      expect(outcome.reply?.image?.fileName).toBe('chart-performance.png');
    }
    expect(specs.map((spec) => spec.kind)).toEqual(['hbars', 'hbars']);
  });

  it('a failed Chart press answers in a new message and leaves the pressed reply alone', async () => {
    const { router, say } = await routerWith(recordingRenderer([]));
    const profit = await say('/profit');
    const chart = profit.buttons?.flat().find((button) => button.role === 'chart');
    fakes[0]?.failNext('GET', '/trades', 400, { detail: 'refused by the test' });
    const outcome = await router.handleButton(ctx, chart?.action ?? '');
    expect(outcome.mode).toBe('send');
    expect(outcome.reply?.tone).toBe('error');
    expect(renderPlainText(outcome.reply ?? { blocks: [] })).toContain('refused /chart: refused by the test');
  });
});

describe('check-config and charts', () => {
  it('warns when charts cannot be drawn, without failing the check', async () => {
    const fake = await startFakeFreqtrade();
    fakes.push(fake);
    const dir = await mkdtemp(join(tmpdir(), 'ftc-chart-cli-'));
    dirs.push(dir);
    const path = join(dir, 'config.json');
    await writeFile(
      path,
      JSON.stringify({
        bots: [
          {
            name: 'main',
            api_url: fake.url,
            username: 'freqtrader',
            password: 'secret-pass',
            ws_token: 'ws-secret-token',
          },
        ],
      }),
    );
    const out = new PassThrough();
    let stdout = '';
    out.on('data', (chunk) => {
      stdout += String(chunk);
    });
    const status = await runCli(['check-config', path], {
      out,
      err: new PassThrough(),
      env: {},
      chartsAvailable: async () => ({ ok: false, reason: 'refused by the test' }),
    });
    expect(status, stdout).toBe(0);
    expect(stdout).toContain('⚠ charts are not available on this system: refused by the test');
  });
});

describe('the console', () => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  it('answers c with the chart of the last reply, written as a temporary image', async () => {
    const fake = await startFakeFreqtrade({ seed: 'demo' });
    fakes.push(fake);
    app = await startApp({
      config: buildDemoConfig({ simulatorUrl: fake.url }),
      logger: createSilentLogger(),
      storePath: null,
    });
    const input = new PassThrough();
    const output = new PassThrough();
    let written = '';
    output.on('data', (chunk: Buffer) => {
      written += chunk.toString('utf8');
    });
    const adapter = createConsoleAdapter({
      router: app.router,
      input,
      output,
      interactive: false,
      color: false,
    });
    const done = adapter.start();
    input.end('/daily 3\nc\n');
    await done;
    adapter.stop();
    expect(written).toContain('[📈 Chart] — answer c for the chart');
    expect(written).toMatch(
      /📈 Daily profit \(3 days\)\n🖼 image: .*chart-daily-3\.png \(\d+(\.\d)? KB, 1280×720\) — Bar chart/,
    );
  }, 30_000);
});

describe('the fake Freqtrade’s /pair_candles', () => {
  it.each([
    [2.47, true],
    [2.4, false],
  ])('answers Freqtrade’s PairHistory shape at API %s (annotations: %s)', async (apiVersion, annotations) => {
    const fake = await startFakeFreqtrade();
    fakes.push(fake);
    fake.state.apiVersion = apiVersion;
    const answer = await callApi(fake, '/pair_candles?pair=BTC/USDT&timeframe=5m&limit=150');
    expect(answer.status).toBe(200);
    const body = answer.body as Record<string, unknown> & { columns: string[]; data: unknown[][] };
    expect(body).toMatchObject({ pair: 'BTC/USDT', timeframe: '5m', timeframe_ms: 300_000, length: 150 });
    for (const key of [
      'enter_long_signals',
      'exit_long_signals',
      'enter_short_signals',
      'exit_short_signals',
    ]) {
      expect(typeof body[key]).toBe('number');
    }
    expect(body.columns).toEqual(
      expect.arrayContaining(['date', 'open', 'high', 'low', 'close', 'volume', '__date_ts']),
    );
    const row = body.data[0] ?? [];
    expect(row).toHaveLength(body.columns.length);
    expect(String(row[body.columns.indexOf('date')])).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/);
    expect(typeof row[body.columns.indexOf('__date_ts')]).toBe('number');
    expect('annotations' in body).toBe(annotations);
  });

  it('answers an empty history for a pair or timeframe it has not analysed, and 422 without a pair', async () => {
    const fake = await startFakeFreqtrade();
    fakes.push(fake);
    const unknown = await callApi(fake, '/pair_candles?pair=DOGE/USDT&timeframe=1h');
    expect(unknown.body).toMatchObject({ columns: [], data: [], length: 0 });
    const missing = await callApi(fake, '/pair_candles?timeframe=5m');
    expect(missing.status).toBe(422);
  });
});
