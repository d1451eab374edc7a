/**
 * Messages between the pipeline scenario (parent, runs the app) and its child (pipeline-child.ts,
 * runs the fake Freqtrade and the instant Bot API server). The channel is Node's IPC with
 * `serialization: 'advanced'`, so typed arrays cross as they are.
 *
 * Every timestamp on either side is `absoluteNow()`: performance.timeOrigin + performance.now(),
 * absolute milliseconds with sub-millisecond precision. Both processes derive it from the same
 * machine's clocks (a wall-clock origin read at process start plus the monotonic clock), so the
 * two sides compare directly; the parent checks the offset with a ping-pong before measuring.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type LoadReport, nextChildMessage } from './support.js';

/** Absolute ms (epoch-based) with sub-ms precision, comparable across processes on this machine. */
export const absoluteNow = (): number => performance.timeOrigin + performance.now();

export interface DriveRequest {
  ratePerS: number;
  warmupMs: number;
  measureMs: number;
  chats: number;
  /** How long to wait, after the last emit, for every event to reach the API server. */
  drainTimeoutMs: number;
}

export type PipelineParentMessage =
  | { kind: 'ping'; t0: number }
  | { kind: 'await-subscribed'; timeoutMs: number }
  | ({ kind: 'drive' } & DriveRequest)
  | { kind: 'stop' };

export type PipelineChildMessage =
  | { kind: 'ready'; freqtradeUrl: string; apiRoot: string; token: string }
  | { kind: 'pong'; t0: number; child: number }
  | { kind: 'subscribed' }
  /** The warm-up is over: the measured window starts now. */
  | { kind: 'measuring' }
  | {
      kind: 'driven';
      /** Index = sequence number (1..total); absoluteNow() right before `emit`. NaN = not emitted. */
      sentAt: Float64Array;
      /** Index = sequence number; absoluteNow() when the sendMessage body carrying it had arrived. NaN = never. */
      receivedAt: Float64Array;
      /** absoluteNow() at the end of the warm-up: events emitted from here on are measured. */
      measuredFrom: number;
      /** API messages that carried more than one notification (merged backlog). */
      mergedMessages: number;
      /** The child's own load over the measured window (its event loop, CPU and GC). */
      load: LoadReport;
    }
  | { kind: 'failed'; reason: string }
  | { kind: 'stopped' };

type ChildKind = PipelineChildMessage['kind'];

const CHILD_KINDS: readonly string[] = [
  'ready',
  'pong',
  'subscribed',
  'measuring',
  'driven',
  'failed',
  'stopped',
] satisfies ChildKind[];
const PARENT_KINDS: readonly string[] = [
  'ping',
  'await-subscribed',
  'drive',
  'stop',
] satisfies PipelineParentMessage['kind'][];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isPipelineParentMessage(value: unknown): value is PipelineParentMessage {
  return isRecord(value) && typeof value['kind'] === 'string' && PARENT_KINDS.includes(value['kind']);
}

export function isPipelineChildMessage(value: unknown): value is PipelineChildMessage {
  return isRecord(value) && typeof value['kind'] === 'string' && CHILD_KINDS.includes(value['kind']);
}

/** The fakes' process as the parent sees it. */
export interface FakesProcess {
  readonly freqtradeUrl: string;
  readonly apiRoot: string;
  readonly token: string;
  send(message: PipelineParentMessage): void;
  /** The child's next message of `kind`; a `failed` message, its exit or the timeout rejects. */
  next<K extends ChildKind>(kind: K, timeoutMs: number): Promise<Extract<PipelineChildMessage, { kind: K }>>;
  /** Closes the fakes and waits for the child to exit (killed if it lingers). */
  stop(): Promise<void>;
}

/** The child's next message of `kind` (see nextChildMessage). */
function nextMessage<K extends ChildKind>(
  child: ChildProcess,
  kind: K,
  timeoutMs: number,
): Promise<Extract<PipelineChildMessage, { kind: K }>> {
  return nextChildMessage(child, isPipelineChildMessage, 'pipeline fakes', kind, timeoutMs);
}

/** Forks pipeline-child.ts (through tsx) and waits until both fakes listen. */
export async function startFakesProcess(): Promise<FakesProcess> {
  const child = fork(fileURLToPath(new URL('./pipeline-child.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const send = (message: PipelineParentMessage): void => {
    if (child.connected) child.send(message);
  };
  const stop = async (): Promise<void> => {
    if (child.connected) {
      send({ kind: 'stop' });
      await nextMessage(child, 'stopped', 10_000).catch(() => undefined);
    }
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // The child disconnects once its fakes are closed; nothing keeps it alive after that.
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill();
    }
  };
  try {
    const ready = await nextMessage(child, 'ready', 20_000);
    return {
      freqtradeUrl: ready.freqtradeUrl,
      apiRoot: ready.apiRoot,
      token: ready.token,
      send,
      next: (kind, timeoutMs) => nextMessage(child, kind, timeoutMs),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface ClockCheck {
  /** Estimated child clock − parent clock, ms (from the round trip with the least delay). */
  offsetMs: number;
  /** Half that round trip: the estimate's uncertainty, ms. */
  uncertaintyMs: number;
}

/** Ping-pongs `rounds` times and estimates the offset between the two processes' absoluteNow(). */
export async function checkClocks(fakes: FakesProcess, rounds = 50): Promise<ClockCheck> {
  let best: ClockCheck = { offsetMs: Number.NaN, uncertaintyMs: Number.POSITIVE_INFINITY };
  for (let round = 0; round < rounds; round += 1) {
    const t0 = absoluteNow();
    const pong = fakes.next('pong', 5_000);
    fakes.send({ kind: 'ping', t0 });
    const { child } = await pong;
    const t1 = absoluteNow();
    const half = (t1 - t0) / 2;
    if (half < best.uncertaintyMs) best = { offsetMs: child - (t0 + half), uncertaintyMs: half };
  }
  return best;
}
