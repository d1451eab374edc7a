/*
 * A private, real `redis-server` per test file, on its own loopback port and temp dir, so a test
 * can kill it (and start it again on the same port) without touching anyone else's Redis. No Redis
 * mock stands in for Redis anywhere in the tests.
 *
 * Where `redis-server` is missing (a newcomer's laptop) the Redis suites are skipped with one
 * visible line naming what is missing; under `CI=true` a missing binary fails the run instead, so
 * CI can never go green by skipping them.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';

export const REDIS_SERVER_BINARY = process.env.REDIS_SERVER ?? 'redis-server';

/** The installed redis-server's version line, or undefined when it cannot be run. */
export function redisServerVersion(): string | undefined {
  const result = spawnSync(REDIS_SERVER_BINARY, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * `describe` when redis-server can run; otherwise `describe.skip` after printing why, or, under
 * `CI=true`, a thrown error: a CI without Redis must fail loudly, not pass by skipping.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (redisServerVersion()) {
    describe(name, body);
    return;
  }
  const why = `${REDIS_SERVER_BINARY} is not installed (or not on PATH): skipping "${name}"`;
  if (process.env.CI === 'true') throw new Error(`${why}; CI=true needs it, install redis-server`);
  console.warn(`⚠ ${why}. Install redis-server to run these tests.`);
  describe.skip(name, body);
}

export interface RedisServer {
  port: number;
  url: string;
  /** Stops it gracefully (SHUTDOWN NOSAVE via SIGTERM) and waits for the exit. */
  stop(): Promise<void>;
  /** `kill -9`: Redis vanishes mid-conversation, as on a crash or a pulled cable. */
  kill(): Promise<void>;
  /** Starts it again on the same port after stop or kill (empty unless `persistent`). */
  start(): Promise<void>;
  /** Stops it if running and removes its temp dir. */
  dispose(): Promise<void>;
}

/** A free loopback TCP port, as the kernel hands out for port 0. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `PING` on the port answers `+PONG`; rejects after `timeoutMs`. */
export async function waitForPong(port: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pingOnce(port)) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One raw RESP `PING`: true when Redis answered `+PONG`. */
export function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

export interface RedisServerOptions {
  /**
   * Keep data across kill and start (append-only file, fsync on every write), as a production
   * Redis would. Default false: it keeps nothing on disk.
   */
  persistent?: boolean;
}

/** Starts a private redis-server on a free port (keeping nothing on disk unless `persistent`). */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ftchatops-redis-'));
  let child: ChildProcess | undefined;
  let port = 0;

  const exited = (proc: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve();
      else proc.once('exit', () => resolve());
    });

  const launch = async (onPort: number): Promise<void> => {
    const proc = spawn(
      REDIS_SERVER_BINARY,
      [
        '--port',
        String(onPort),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        options.persistent ? 'yes' : 'no',
        ...(options.persistent ? ['--appendfsync', 'always'] : []),
        '--dir',
        dir,
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = proc;
    let stderr = '';
    proc.stderr?.on('data', (chunk) => {
      stderr += chunk.toString('utf8');
    });
    let started = false;
    const early = exited(proc).then(() => {
      if (!started) throw new Error(`redis-server exited at start: ${stderr.trim() || 'no output'}`);
    });
    early.catch(() => {}); // a later exit (stop, kill) is not an error
    try {
      await Promise.race([waitForPong(onPort), early]);
    } catch (error) {
      proc.kill('SIGKILL');
      throw error;
    }
    started = true;
  };

  // Another process may take the free port between our probe and redis-server's bind: try again.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await launch(port);
      break;
    } catch (error) {
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  const stopWith = async (signal: NodeJS.Signals) => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    await exited(proc);
  };

  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
    async start() {
      if (child) return;
      await launch(port);
    },
    async dispose() {
      await stopWith('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
