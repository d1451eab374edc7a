/**
 * The package as users get it: `npm pack`, then `npm install --omit=dev <tarball>` into an empty
 * folder (no typescript, tsx or other dev dependency), then the installed bin: --version, --help,
 * the demo with /status piped in, and check-config against a fake Freqtrade. The production
 * dependencies come from npm's cache (warm after `npm ci`), so this stays quick and offline-friendly.
 */
import { execFile, spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS, startFakeFreqtrade } from './fakes/fake-freqtrade.js';
import { ensureDistBuilt, nodeFlagsOfStart, processGroupMembers, ROOT } from './support/compiled.js';

const run = promisify(execFile);
/** npm runs through the shell's PATH (npm.cmd on Windows is not spawnable without a shell). */
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}

let work: string;
let packed: PackResult;
let app: string;
let bin: string;

beforeAll(async () => {
  await ensureDistBuilt();
  work = await mkdtemp(join(tmpdir(), 'ftc-package-'));
  // --ignore-scripts: `prepare` would rebuild dist/ under the other test files that run it.
  const { stdout } = await run(
    NPM,
    ['pack', '--json', '--ignore-scripts', '--silent', '--pack-destination', work],
    { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
  );
  const [result] = JSON.parse(stdout) as PackResult[];
  if (!result) throw new Error(`npm pack printed no result: ${stdout}`);
  packed = result;
  app = join(work, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'installed-check', private: true }));
  await run(
    NPM,
    [
      'install',
      '--omit=dev',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--no-save',
      join(work, packed.filename),
    ],
    { cwd: app, env: { ...process.env, NODE_ENV: 'production' }, maxBuffer: 16 * 1024 * 1024 },
  );
  bin = join(app, 'node_modules', '.bin', 'freqtrade-chatops');
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/**
 * Runs the installed bin from the install folder, in its own process group; resolves with its
 * status and output. With `countAfter`, the node processes of its group are counted once stdout
 * shows that text, and only then does its input (`input`) end.
 */
function runBin(
  args: string[],
  options: { input?: string; countAfter?: string } = {},
): Promise<{ status: number | null; stdout: string; stderr: string; groupNodes: number | undefined }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: app,
      detached: true,
      env: { ...process.env, NO_COLOR: '1', FTCHATOPS_CONFIG: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let groupNodes: number | undefined;
    let counting = false;
    const endInput = () => child.stdin.end(options.input ?? '');
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (options.countAfter && !counting && stdout.includes(options.countAfter)) {
        counting = true;
        processGroupMembers(child.pid ?? 0)
          .then((members) => {
            groupNodes = members.filter((member) => member.executable.startsWith('node')).length;
          })
          .finally(endInput);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(killer);
      resolve({ status, stdout, stderr, groupNodes });
    });
    if (!options.countAfter) endInput();
  });
}

describe('the packed package', () => {
  it('holds dist, config.example.json, README and LICENSE, and no tests, fakes or sources', () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths).toContain('dist/cli.js');
    expect(paths).toContain('dist/simulator/freqtrade-server.js'); // the demo needs it
    for (const file of ['package.json', 'README.md', 'LICENSE', 'config.example.json']) {
      expect(paths).toContain(file);
    }
    const others = paths.filter(
      (path) =>
        !path.startsWith('dist/') &&
        !['package.json', 'README.md', 'LICENSE', 'config.example.json'].includes(path),
    );
    expect(others).toEqual([]);
    expect(paths.filter((path) => /\.test\.|\.ts$|fakes\//.test(path))).toEqual([]);
  });

  it('installs with --omit=dev and no dev dependency present', async () => {
    for (const dev of ['typescript', 'tsx', 'vitest', '@biomejs/biome', 'esbuild']) {
      await expect(access(join(app, 'node_modules', dev))).rejects.toThrow();
    }
    await access(join(app, 'node_modules', 'grammy'));
  });

  it('starts node with the same flags as npm start, through its shebang', async () => {
    const installed = await readFile(
      join(app, 'node_modules', 'freqtrade-chatops', 'dist', 'cli.js'),
      'utf8',
    );
    const shebang = installed.split('\n')[0] ?? '';
    // `env -S` splits the flags off (coreutils ≥ 8.30, BSD env): still one process, node itself.
    expect(shebang).toBe(['#!/usr/bin/env -S node', ...(await nodeFlagsOfStart())].join(' '));
  });

  it('prints its version and help from the installed bin', async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const shown = await runBin(['--version']);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout.trim()).toBe(version);
    const help = await runBin(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('check-config <file>');
  });

  it.skipIf(process.platform !== 'linux')(
    'runs the demo with /status piped in, as one node process in its group',
    async () => {
      const demo = await runBin(['demo'], { input: '/status\n', countAfter: 'Ctrl-D' });
      expect(demo.status, demo.stderr).toBe(0);
      expect(demo.stdout).toContain('SIMULATED Freqtrade');
      expect(demo.stdout).toContain('Open trades (3)');
      expect(demo.stderr).toBe('');
      expect(demo.groupNodes).toBe(1);
    },
    30_000,
  );

  it('checks a config against a fake Freqtrade from the installed bin', async () => {
    const fake = await startFakeFreqtrade({ port: 0 });
    try {
      const path = join(work, 'config.json');
      await writeFile(
        path,
        JSON.stringify({
          bots: [
            {
              name: 'main',
              api_url: fake.url,
              username: FAKE_CREDENTIALS.username,
              password: FAKE_CREDENTIALS.password,
              ws_token: FAKE_CREDENTIALS.wsToken,
            },
          ],
        }),
      );
      const check = await runBin(['check-config', path]);
      expect(check.status, check.stdout + check.stderr).toBe(0);
      expect(check.stdout).toContain(`${path}: valid`);
      expect(check.stdout).toMatch(/✔ main .*Freqtrade 2026.*message websocket ok/);
      expect(check.stdout).not.toContain(FAKE_CREDENTIALS.password);
    } finally {
      await fake.close();
    }
  }, 30_000);
});
