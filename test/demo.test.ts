import { execFileSync, spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../src/demo/run-demo.js';
import { createDemoState } from '../src/simulator/demo-seed.js';
import { startFakeTelegram } from './fakes/fake-telegram.js';
import {
  DIST_CLI,
  ensureDistBuilt,
  nodeFlagsOfStart,
  processGroupMembers,
  ROOT,
} from './support/compiled.js';

/** The first open trade of the simulator's `demo` seed, the one the transcript exits. */
const seeded = createDemoState({ botName: 'demo', stakeCurrency: 'USDT', nowMs: Date.now() });
const firstOpen = seeded.trades.find((trade) => trade.isOpen);
// The transcript exits trade 1: the seed must keep it open.
if (firstOpen?.id !== 1) throw new Error('trade 1 of the demo seed must be open');
const TRADE_ID = firstOpen.id;
const TRADE_PAIR = firstOpen.pair;

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From spawn until the banner was on stdout. */
  startupMs: number;
  totalMs: number;
}

/** Runs the compiled `node dist/cli.js demo` with `lines` piped to stdin (then end of input) and waits for it to exit by itself. */
function runCliDemo(lines: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let startupMs = -1;
    const child = spawn(process.execPath, [DIST_CLI, 'demo'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (startupMs < 0 && stdout.includes('Ctrl-D')) startupMs = Date.now() - started;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(killer);
      resolve({ status, signal, stdout, stderr, startupMs, totalMs: Date.now() - started });
    });
    child.stdin.end(lines.map((line) => `${line}\n`).join(''));
  });
}

/** Tracked, untracked and ignored paths (ignored ones too: a `data/` store file would hide from plain status). */
const gitStatus = () =>
  execFileSync('git', ['status', '--porcelain', '--ignored'], { cwd: ROOT, encoding: 'utf8' });

describe('freqtrade-chatops demo (real CLI, piped stdin)', () => {
  let run: Run;
  let statusBefore: string;
  let statusAfter: string;

  beforeAll(async () => {
    await ensureDistBuilt();
    statusBefore = gitStatus();
    run = await runCliDemo([
      '/status',
      '/profit',
      `/forceexit ${TRADE_ID}`,
      'yes',
      '/lock BTC/USDT 1h test',
      '/locks',
    ]);
    statusAfter = gitStatus();
  }, 90_000);

  // Start-up time is measured by `npm run bench`, not asserted here (no timed unit tests).
  it('exits 0 by itself at end of input, having shown the banner', () => {
    expect(run.signal, run.stderr).toBeNull();
    expect(run.status, run.stderr).toBe(0);
    expect(run.startupMs).toBeGreaterThan(0);
    expect(run.stderr).toBe('');
  });

  it('prints a banner that says it is a demo and how to run it for real', () => {
    expect(run.stdout).toContain('DEMO');
    expect(run.stdout).toContain('SIMULATED Freqtrade');
    expect(run.stdout).toContain(`/forceexit ${TRADE_ID}`);
    expect(run.stdout).toContain('cp config.example.json config.json');
    expect(run.stdout).toContain('npm start -- --config config.json');
    expect(run.stdout).toContain('Ctrl-C or Ctrl-D');
  });

  it('shows the open trade in /status and profit numbers in /profit', () => {
    expect(run.stdout).toContain('Open trades (3)');
    expect(run.stdout).toContain(`#${TRADE_ID} ${TRADE_PAIR}`);
    expect(run.stdout).toMatch(/ROI closed trades: [+-]?\d+\.\d+% \([+-]?\d+(\.\d+)? USDT\)/);
    expect(run.stdout).toMatch(/Trades: 9 \(6 closed, 3 open\)/);
  });

  it('asks for confirmation before the forced exit, then reports it', () => {
    const prompt = run.stdout.indexOf(`Exit trade #${TRADE_ID} ${TRADE_PAIR}?`);
    const answerHint = run.stdout.indexOf('[Confirm] [Cancel] — answer yes or no');
    const result = run.stdout.indexOf(`Created exit order for trade ${TRADE_ID}.`);
    expect(prompt).toBeGreaterThan(0);
    expect(answerHint).toBeGreaterThan(prompt);
    expect(result).toBeGreaterThan(answerHint);
  });

  it('locks the pair and lists the lock with its reason', () => {
    expect(run.stdout).toContain('Pair locked');
    expect(run.stdout).toMatch(/\d+ +BTC\/USDT +\S+ +\d{4}-\d\d-\d\d \d\d:\d\d +test/);
    expect(run.stdout.indexOf('Locks (')).toBeGreaterThan(run.stdout.indexOf('Pair locked'));
  });

  it('shows the notification of the forced exit from Freqtrade’s websocket in the transcript', () => {
    expect(run.stdout).toMatch(new RegExp(`Exited .*${TRADE_PAIR.replace('/', '\\/')} \\(#${TRADE_ID}\\)`));
    expect(run.stdout).toContain('force_exit');
  });

  it('writes no file anywhere in the repository (git status unchanged)', () => {
    expect(statusAfter).toBe(statusBefore);
  });
});

/** Resolves once `text()` contains `wanted`, or fails after 10 s. */
async function waitForText(text: () => string, wanted: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!text().includes(wanted)) {
    if (Date.now() > deadline) throw new Error(`"${wanted}" did not appear in: ${text()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('npm start with no config', () => {
  beforeAll(ensureDistBuilt, 60_000);

  it.skipIf(process.platform !== 'linux')(
    'runs the compiled demo: the bot is one node process beside npm, with no loader',
    async () => {
      // detached: npm and everything it starts share one new process group, as in a terminal.
      const child = spawn('npm', ['start', '--silent'], {
        cwd: ROOT,
        detached: true,
        env: { ...process.env, NO_COLOR: '1', FTCHATOPS_CONFIG: '' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
      });
      const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
      const groupId = child.pid ?? 0;
      try {
        await waitForText(() => stdout, 'DEMO');
        const members = await processGroupMembers(groupId);
        const nodes = members.filter((member) => member.executable.startsWith('node'));
        const bots = nodes.filter((member) => !member.commandLine[0]?.startsWith('npm'));
        expect(bots.map((member) => member.commandLine)).toEqual([
          ['node', ...(await nodeFlagsOfStart()), 'dist/cli.js'],
        ]);
        expect(nodes.length).toBe(2); // npm itself and the bot
        expect(members.flatMap((member) => member.commandLine).join(' ')).not.toMatch(
          /tsx|ts-node|--import|--loader/,
        );
      } finally {
        process.kill(-groupId, 'SIGTERM');
        await exited;
      }
    },
    20_000,
  );

  it('shows the demo and ends cleanly on Ctrl-C (SIGINT) while input is still open', async () => {
    const child = spawn(process.execPath, [DIST_CLI], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', FTCHATOPS_CONFIG: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );
    await waitForText(() => stdout, 'DEMO');
    child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    const { code, signal } = await exited;
    clearTimeout(killer);
    expect(signal).toBeNull();
    expect(code).toBe(0);
  }, 20_000);
});

/** Collects everything written to a PassThrough. */
function sink(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  let written = '';
  stream.on('data', (chunk: Buffer) => {
    written += chunk.toString('utf8');
  });
  return { stream, text: () => written };
}

describe('runDemo --telegram', () => {
  it('refuses to start without the token and admin id, saying which variables to set (status 2)', async () => {
    const out = sink();
    const err = sink();
    const status = await runDemo({
      telegram: true,
      env: {},
      out: out.stream,
      err: err.stream,
      input: new PassThrough(),
    });
    expect(status).toBe(2);
    expect(err.text()).toContain('FTCHATOPS__TELEGRAM__TOKEN');
    expect(err.text()).toContain('FTCHATOPS_DEMO_ADMIN');
    expect(out.text()).toBe('');
  });

  it('refuses a non-numeric admin id (status 2)', async () => {
    const err = sink();
    const status = await runDemo({
      telegram: true,
      env: { FTCHATOPS__TELEGRAM__TOKEN: '123456:abc', FTCHATOPS_DEMO_ADMIN: '@me' },
      out: sink().stream,
      err: err.stream,
      input: new PassThrough(),
    });
    expect(status).toBe(2);
    expect(err.text()).toContain('FTCHATOPS_DEMO_ADMIN must be a numeric Telegram user id');
  });

  it('serves the simulated Freqtrade to the admin in a private Telegram chat while the console keeps working', async () => {
    const telegram = await startFakeTelegram();
    try {
      const input = new PassThrough();
      const out = sink();
      const err = sink();
      const finished = runDemo({
        telegram: true,
        env: {
          FTCHATOPS__TELEGRAM__TOKEN: telegram.token,
          FTCHATOPS_DEMO_ADMIN: '4242',
          FTCHATOPS__TELEGRAM__API_ROOT: telegram.apiRoot,
        },
        out: out.stream,
        err: err.stream,
        input,
      });
      await expect.poll(() => out.text(), { timeout: 5000 }).toContain('Telegram is on too');
      telegram.sendText({ chatId: 4242, userId: 4242, text: '/status' });
      const [reply] = await telegram.waitForMessages(1);
      expect(reply?.chat_id).toBe('4242');
      expect(reply?.text).toContain(`#${TRADE_ID} ${TRADE_PAIR}`);

      input.end('/status\n');
      expect(await finished).toBe(0);
      expect(out.text()).toContain('Open trades (3)');
    } finally {
      await telegram.close();
    }
  });
});

describe('runDemo stop requests (the CLI passes its first SIGINT / SIGTERM)', () => {
  it('comes back stopped, status 0 and without reading input, when the stop was asked for before it started', async () => {
    const out = sink();
    const err = sink();
    const input = new PassThrough(); // never ends: only the stop request can end the demo
    const status = await runDemo({
      telegram: false,
      env: {},
      out: out.stream,
      err: err.stream,
      input,
      stopRequested: Promise.resolve('SIGINT'),
    });
    expect(status).toBe(0);
    expect(err.text()).toBe('');
    expect(out.text()).not.toContain('Ctrl-D');
  });

  it('stops reading and returns 0 when the stop comes right after the banner, input still open', async () => {
    const out = sink();
    const input = new PassThrough();
    let requestStop: (signal: string) => void = () => {};
    const stopRequested = new Promise<string>((resolve) => {
      requestStop = resolve;
    });
    // The stop is asked for in the same tick the banner is written: the window the CLI's Ctrl-C
    // used to fall into (before the demo listened for it).
    out.stream.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('DEMO')) requestStop('SIGINT');
    });
    const status = await runDemo({
      telegram: false,
      env: {},
      out: out.stream,
      err: sink().stream,
      input,
      stopRequested,
    });
    expect(status).toBe(0);
    expect(out.text()).toContain('DEMO');
  });
});
