import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageVersion, runCli } from '../src/cli.js';
import { type FakeFreqtrade, startFakeFreqtrade } from './fakes/fake-freqtrade.js';
import { startFakeTelegram } from './fakes/fake-telegram.js';
import { until } from './support/harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

function io(env: NodeJS.ProcessEnv = {}) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (chunk) => {
    stdout += String(chunk);
  });
  err.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return { io: { out, err, env }, stdout: () => stdout, stderr: () => stderr };
}

let dir: string;
let fake: FakeFreqtrade | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftc-cli-'));
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('command line', () => {
  it('prints help and the version', async () => {
    const help = io();
    expect(await runCli(['--help'], help.io)).toBe(0);
    expect(help.stdout()).toContain('check-config <file>');
    const version = io();
    expect(await runCli(['--version'], version.io)).toBe(0);
    expect(version.stdout().trim()).toBe(packageVersion());
  });

  it('refuses an unknown command or flag with status 2', async () => {
    const bad = io();
    expect(await runCli(['frobnicate', '--config', 'x.json'], bad.io)).toBe(2);
    expect(bad.stderr()).toContain('Unknown command "frobnicate"');
    const flag = io();
    expect(await runCli(['--nope'], flag.io)).toBe(2);
  });

  it('check-config names every wrong key and exits 2', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, JSON.stringify({ bots: [{ name: 'a b', api_url: 'nope' }], log_level: 'loud' }));
    const run = io();
    expect(await runCli(['check-config', path], run.io)).toBe(2);
    for (const key of ['bots.0.name', 'bots.0.api_url', 'bots.0.username', 'bots.0.password', 'log_level']) {
      expect(run.stderr()).toContain(key);
    }
  });

  it('check-config says how to create a missing config', async () => {
    const run = io();
    expect(await runCli(['check-config', join(dir, 'absent.json')], run.io)).toBe(2);
    expect(run.stderr()).toContain('cp config.example.json');
  });

  it('check-config pings every bot and prints a summary without secrets', async () => {
    fake = await startFakeFreqtrade({ password: 'CANARY-cli-pw-1' });
    const path = join(dir, 'config.json');
    await writeFile(
      path,
      JSON.stringify({
        bots: [
          { name: 'up', api_url: fake.url, username: 'freqtrader', password: 'CANARY-cli-pw-1' },
          {
            name: 'down',
            api_url: 'http://127.0.0.1:1',
            username: 'u',
            password: 'CANARY-cli-pw-2',
            timeout_ms: 500,
          },
        ],
      }),
    );
    const run = io({ FTCHATOPS_SHOW_CONFIG: '1' });
    expect(await runCli(['check-config', path], run.io)).toBe(1);
    expect(run.stdout()).toMatch(/✔ up .*Freqtrade 2026/);
    expect(run.stdout()).toMatch(/✘ down .*unreachable/);
    expect(run.stdout()).not.toContain('CANARY');
    expect(run.stdout()).toContain('[REDACTED]');
  });

  it('starts with Freqtrade down, shuts down cleanly on SIGTERM and flushes the store', async () => {
    const telegram = await startFakeTelegram();
    try {
      const storePath = join(dir, 'state.json');
      const path = join(dir, 'config.json');
      await writeFile(
        path,
        `// comments are fine\n${JSON.stringify({
          bots: [
            {
              name: 'main',
              api_url: 'http://127.0.0.1:1',
              username: 'u',
              password: 'p4ss',
              ws_token: 'tok-123',
            },
          ],
          telegram: {
            enabled: true,
            token: telegram.token,
            api_root: telegram.apiRoot,
            chats: [{ chat_id: '-42', topic_id: null }],
            polling_timeout_s: 1,
          },
          access: { admins: ['telegram:7'], viewers: [] },
          store: { path: storePath },
        })}`,
      );
      const child = spawn(TSX, [join(ROOT, 'src', 'cli.ts'), '--config', path], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_ENV: 'production' },
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => {
        stderr += String(chunk);
      });
      await until(() => telegram.calls.some((call) => call.method === 'getUpdates'), 15_000, 'polling');
      telegram.sendText({ chatId: -42, userId: 7, text: '/mute 2h', chatType: 'supergroup' });
      await telegram.waitForMessages(1, 10_000);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const state = JSON.parse(await readFile(storePath, 'utf8')) as {
        chats: Record<string, { muted_until_ms: number }>;
      };
      expect(state.chats['telegram:-42']?.muted_until_ms).toBeGreaterThan(Date.now());
      expect(stderr).toContain('freqtrade-chatops stopped');
      expect(stderr).not.toContain('tok-123');
      expect(stderr).not.toContain('p4ss');
    } finally {
      await telegram.close();
    }
  }, 30_000);
});
