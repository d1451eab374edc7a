/**
 * The container and service files, checked as far as this machine allows (no docker here): what
 * they copy and run exists in the package, the container's health check works, and systemd
 * accepts the unit. The program they run is tested in package.test.ts and signals.test.ts.
 */
import { execFile, spawnSync } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { nodeFlagsOfStart, ROOT } from './support/compiled.js';

const run = promisify(execFile);

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions in order, continuation lines joined, comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** The stages of a parsed Dockerfile, each from its FROM on. */
function stagesOf(instructions: Instruction[]): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

/** `KEY=value KEY2=value2` of an ENV instruction. */
function envOf(instructions: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of instructions) {
    if (keyword !== 'ENV') continue;
    for (const pair of args.split(/\s+/)) {
      const [key, ...value] = pair.split('=');
      if (key) env[key] = value.join('=');
    }
  }
  return env;
}

async function packageJson(): Promise<{ bin: Record<string, string>; scripts: Record<string, string> }> {
  return JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
}

describe('Dockerfile', async () => {
  const instructions = parseDockerfile(await readFile(join(ROOT, 'Dockerfile'), 'utf8'));
  const [build = [], runtime = []] = stagesOf(instructions);

  it('builds in one stage and runs on a node 20 slim image in the second', () => {
    expect(stagesOf(instructions)).toHaveLength(2);
    expect(build[0]?.args).toMatch(/^node:20-slim AS build$/);
    expect(runtime[0]?.args).toBe('node:20-slim');
    expect(build.map((step) => step.args)).toContain('npm run build');
  });

  it('copies only files that exist and that .dockerignore lets through', async () => {
    const ignore = (await readFile(join(ROOT, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((line) => line.trim());
    // Everything is excluded first, then each needed path is let back in.
    expect(ignore.find((line) => line && !line.startsWith('#'))).toBe('*');
    const copied = instructions
      .filter((step) => step.keyword === 'COPY' && !step.args.startsWith('--from='))
      .flatMap((step) => step.args.split(/\s+/).slice(0, -1));
    expect(copied.length).toBeGreaterThan(0);
    for (const source of copied) {
      await access(join(ROOT, source));
      expect(ignore, `${source} is excluded by .dockerignore`).toContain(`!${source}`);
    }
  });

  it('runs, as a non-root user, the program the package’s bin runs, with node as PID 1', async () => {
    const { bin } = await packageJson();
    const workdir = runtime.filter((step) => step.keyword === 'WORKDIR').at(-1)?.args ?? '/';
    const entrypoint = runtime.find((step) => step.keyword === 'ENTRYPOINT');
    expect(entrypoint).toBeDefined();
    // Exec form (a JSON array): no shell between docker and node, so SIGTERM reaches node.
    const command = JSON.parse(entrypoint?.args ?? '[]') as string[];
    // node, with the same flags as `npm start` (the young generation's size: see the README's
    // Performance section), on the package's bin.
    const flags = await nodeFlagsOfStart();
    expect(command.slice(0, 1 + flags.length)).toEqual(['node', ...flags]);
    expect(command[1 + flags.length]).toBe(posix.join(workdir, bin['freqtrade-chatops'] ?? 'missing'));
    const user = runtime.filter((step) => step.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)$/);
  });

  it('installs production dependencies only, without the build script that needs dev tools', () => {
    const installs = runtime.filter(
      (step) => step.keyword === 'RUN' && /\bnpm (ci|install)\b/.test(step.args),
    );
    expect(installs).toHaveLength(1);
    expect(installs[0]?.args).toContain('--omit=dev');
    // `prepare` runs tsc, which --omit=dev leaves out.
    expect(installs[0]?.args).toContain('--ignore-scripts');
    expect(runtime.some((step) => step.keyword === 'COPY' && /^--from=build \S*dist /.test(step.args))).toBe(
      true,
    );
  });

  it('keeps the state file in the /data volume', () => {
    const env = envOf(runtime);
    expect(env['FTCHATOPS__STORE__PATH']).toMatch(/^\/data\//);
    expect(runtime.find((step) => step.keyword === 'VOLUME')?.args).toBe('["/data"]');
  });

  it('has a health check that passes on a healthy /healthz and fails otherwise, with node alone', async () => {
    const env = envOf(runtime);
    const healthcheck = runtime.find((step) => step.keyword === 'HEALTHCHECK')?.args ?? '';
    const command = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim()) as string[];
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    const script = command[2] ?? '';
    expect(script).toContain(`http://127.0.0.1:${env['FTCHATOPS__HTTP__PORT']}/healthz`);

    let status = 200;
    const paths: string[] = [];
    const server: Server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const onPort = (port: number) => script.replace(`:${env['FTCHATOPS__HTTP__PORT']}/`, `:${port}/`);
    const check = (port: number) =>
      run(process.execPath, ['-e', onPort(port)]).then(
        () => 0,
        (error: { code?: number }) => error.code ?? -1,
      );
    try {
      expect(await check(address.port)).toBe(0);
      status = 503;
      expect(await check(address.port)).toBe(1);
      expect(paths).toEqual(['/healthz', '/healthz']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await check(address.port)).toBe(1); // nothing listening
  });
});

describe('systemd unit', async () => {
  const unitPath = join(ROOT, 'deploy', 'freqtrade-chatops.service');
  const unit = await readFile(unitPath, 'utf8');
  /** Values of `Key=` lines, in order. */
  const values = (key: string) =>
    unit
      .split('\n')
      .filter((line) => line.startsWith(`${key}=`))
      .map((line) => line.slice(key.length + 1));

  it('runs node on the package’s bin directly, as a dedicated user, restarting on failure', async () => {
    const { bin } = await packageJson();
    const [execStart = ''] = values('ExecStart');
    const [node, ...rest] = execStart.split(/\s+/);
    const flags = await nodeFlagsOfStart();
    expect(node).toMatch(/\/node$/);
    expect(rest.slice(0, flags.length)).toEqual(flags);
    const program = rest[flags.length];
    expect(program).toBe(`/opt/freqtrade-chatops/node_modules/freqtrade-chatops/${bin['freqtrade-chatops']}`);
    expect(values('User')).toEqual(['freqtrade-chatops']);
    expect(values('Restart')).toEqual(['on-failure']);
    expect(values('EnvironmentFile')).toHaveLength(1);
  });

  it('may write only where the state file lives', () => {
    expect(values('NoNewPrivileges')).toEqual(['yes']);
    expect(values('ProtectSystem')).toEqual(['strict']);
    const storePath = values('Environment')
      .find((value) => value.startsWith('FTCHATOPS__STORE__PATH='))
      ?.split('=')[1];
    expect(storePath).toBeDefined();
    expect(values('ReadWritePaths')).toEqual([dirname(storePath ?? '')]);
  });

  const systemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  it.skipIf(!systemdAnalyze)('passes systemd-analyze verify without a warning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ftc-unit-'));
    try {
      // The node of this machine, wherever it is installed; the rest of the unit as shipped.
      const copy = join(dir, 'freqtrade-chatops.service');
      await writeFile(copy, unit.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
      const result = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr.split('\n').filter((line) => line.includes('freqtrade-chatops'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
