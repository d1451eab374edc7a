import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageVersion, runCli } from '../src/cli.js';
import { type FakeFreqtrade, startFakeFreqtrade } from './fakes/fake-freqtrade.js';

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

  it('check-config opens each bot’s message websocket and reports a refused ws_token as a failure', async () => {
    fake = await startFakeFreqtrade({ password: 'CANARY-cli-pw-3', wsToken: 'CANARY-right-ws-token' });
    const path = join(dir, 'config.json');
    const bot = (name: string, wsToken: string) => ({
      name,
      api_url: fake?.url,
      username: 'freqtrader',
      password: 'CANARY-cli-pw-3',
      ws_token: wsToken,
    });
    await writeFile(
      path,
      JSON.stringify({ bots: [bot('good', 'CANARY-right-ws-token'), bot('bad', 'CANARY-wrong-ws-token')] }),
    );
    const run = io();
    expect(await runCli(['check-config', path], run.io)).toBe(1);
    expect(run.stdout()).toMatch(/✔ good .*Freqtrade 2026.*message websocket ok/);
    expect(run.stdout()).toMatch(/✘ bad .*Freqtrade 2026.*ws_token refused \(HTTP 403\)/);
    expect(run.stdout()).not.toContain('CANARY');
    expect(fake.counts.wsConnections).toBe(1);
    expect(fake.counts.wsRejections).toBe(1);
  });

  it('check-config passes when every ws_token is accepted', async () => {
    fake = await startFakeFreqtrade();
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
    const run = io();
    expect(await runCli(['check-config', path], run.io), run.stdout()).toBe(0);
    expect(run.stdout()).toContain('message websocket ok');
  });

  it('check-config gives up on a websocket that never answers the upgrade, within the bot’s timeout', async () => {
    fake = await startFakeFreqtrade();
    // Answers REST through the fake, but holds every websocket upgrade without a word.
    const silent = createServer((req, res) => {
      const target = new URL(req.url ?? '/', fake?.url);
      fetch(target, {
        method: req.method ?? 'GET',
        headers: { authorization: req.headers.authorization ?? '' },
      })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(await answer.text());
        })
        .catch(() => res.destroy());
    });
    const held: Duplex[] = [];
    silent.on('upgrade', (_req, socket: Duplex) => {
      held.push(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const address = silent.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      const { port } = address;
      const path = join(dir, 'config.json');
      await writeFile(
        path,
        JSON.stringify({
          bots: [
            {
              name: 'main',
              api_url: `http://127.0.0.1:${port}`,
              username: 'freqtrader',
              password: 'secret-pass',
              ws_token: 'ws-secret-token',
              timeout_ms: 700,
            },
          ],
        }),
      );
      const run = io();
      const startedAt = Date.now();
      expect(await runCli(['check-config', path], run.io)).toBe(1);
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      expect(run.stdout()).toMatch(/✘ main .*message websocket failed: no answer within 700 ms/);
      expect(held.length).toBe(1);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
