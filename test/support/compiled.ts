/**
 * The compiled program (dist/), for tests that run it as users do: `node dist/cli.js`, the bin,
 * the packed package. The tests themselves run the sources; these need dist/ built and fresh.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readlink, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DIST_CLI = join(ROOT, 'dist', 'cli.js');

const run = promisify(execFile);
/** A lock held by a test process that died is taken over after this long (a build takes ~10 s). */
const STALE_LOCK_MS = 120_000;

async function mtimeMs(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The program's sources: src/**\/*.ts without unit tests. */
async function programSources(dir = join(ROOT, 'src')): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await programSources(path)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

/** True when every source has its compiled file, written after the source and the build settings. */
async function distIsFresh(): Promise<boolean> {
  const settings = await Promise.all(
    ['tsconfig.json', 'tsconfig.build.json'].map((name) => mtimeMs(join(ROOT, name))),
  );
  const newestSetting = Math.max(...settings.map((ms) => ms ?? 0));
  for (const source of await programSources()) {
    const compiled = join(ROOT, 'dist', relative(join(ROOT, 'src'), source).replace(/\.ts$/, '.js'));
    const [sourceMs, compiledMs] = await Promise.all([mtimeMs(source), mtimeMs(compiled)]);
    if (compiledMs === undefined || compiledMs < (sourceMs ?? 0) || compiledMs < newestSetting) return false;
  }
  return true;
}

/**
 * Builds dist/ (`tsc -p tsconfig.build.json`) unless it is fresh. Test files run in parallel, so
 * one build at a time: a lock directory outside the repository (the demo test compares `git status`).
 */
export async function ensureDistBuilt(): Promise<void> {
  if (await distIsFresh()) return;
  const lock = join(
    tmpdir(),
    `freqtrade-chatops-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`,
  );
  const giveUpAt = Date.now() + STALE_LOCK_MS;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const since = await mtimeMs(lock);
      if (since !== undefined && Date.now() - since > STALE_LOCK_MS)
        await rm(lock, { recursive: true, force: true });
      if (Date.now() > giveUpAt) throw new Error(`dist/ build lock ${lock} is still held`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (await distIsFresh()) return;
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT });
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

export interface ProcessInfo {
  pid: number;
  /** The executable's file name, e.g. `node` or `sh`. */
  executable: string;
  commandLine: string[];
}

/** The processes of a process group (Linux /proc). */
export async function processGroupMembers(groupId: number): Promise<ProcessInfo[]> {
  const members: ProcessInfo[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== groupId) continue;
      const [exe, cmdline] = await Promise.all([
        readlink(`/proc/${name}/exe`),
        readFile(`/proc/${name}/cmdline`, 'utf8'),
      ]);
      members.push({
        pid: Number(name),
        executable: basename(exe),
        commandLine: cmdline.split('\0').filter(Boolean),
      });
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

/**
 * The node flags `npm start` passes (package.json `scripts.start` is `node <flags> dist/cli.js`):
 * the bin's shebang, the Dockerfile and the systemd unit must pass the same ones.
 */
export async function nodeFlagsOfStart(): Promise<string[]> {
  const { scripts } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = (scripts['start'] ?? '').split(/\s+/).filter(Boolean);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/cli.js')
    throw new Error(`scripts.start is not "node [flags] dist/cli.js": ${scripts['start']}`);
  return words.slice(1, -1);
}
