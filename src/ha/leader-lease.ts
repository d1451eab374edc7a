/*
 * Leader election for an active/standby pair sharing one Redis (issue 16): instances compete for
 * one key, `SET key <instance> NX PX lease`; the holder renews it every lease/3 with a
 * compare-and-extend script. Only the holder polls Telegram, holds the Discord gateway, listens to
 * the Freqtrade websockets and sends notifications.
 *
 * Safety: a leader that has not renewed for lease/2 (Redis unreachable, slow, or the key taken)
 * steps down on its own timer, before the key can expire in Redis, so two instances never both act
 * as leader. The timer counts from when the last successful renewal was *sent* (Redis extended the
 * key at some later moment), so the margin only grows with network delay. Liveness: a standby
 * tries at least once a second, so it leads within lease + 1 s of the leader's last renewal.
 */
import type { Logger } from '../logger.js';
import { createTypedEmitter, type TypedEvents } from '../typed-events.js';

/** The subset of an ioredis client the lease uses (a real client in production and tests). */
export interface LeaseRedisClient {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  get(key: string): Promise<string | null>;
}

/** Takes the key when free, or keeps it when it is already ours (after a step-down). 1 = ours. */
const ACQUIRE_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/** Extends the key only while it is still ours. 1 = extended, 0 = someone else holds it (or nobody). */
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

/** Deletes the key only while it is still ours: a clean stop hands over at once. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

export interface LeaderLeaseOptions {
  redis: LeaseRedisClient;
  /** The lease key, e.g. `ftchatops:leader`. */
  key: string;
  /** This instance's name, stored as the key's value (`ha.instance_id`). */
  instanceId: string;
  /** How long a lease lasts without renewal (`ha.lease_ms`). */
  leaseMs: number;
  logger: Logger;
  now?: () => number;
}

export interface LeaderLeaseEvents {
  /** This instance now leads. */
  acquired: { instanceId: string };
  /** This instance stopped leading: why (lease taken, Redis unreachable, stopping). */
  lost: { instanceId: string; reason: string };
}

export interface LeaderLease extends TypedEvents<LeaderLeaseEvents> {
  /** Starts competing for the lease; `acquired` fires when this instance leads. */
  start(): void;
  isLeader(): boolean;
  /** Who holds the lease according to Redis right now; null when nobody or Redis is unreachable. */
  holder(): Promise<string | null>;
  /** Stops competing; a leader steps down (emits `lost`) and releases the key so a standby takes over at once. */
  stop(): Promise<void>;
}

/** Rejects after `ms`: a Redis call that hangs must not hold the lease's clock. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createLeaderLease(options: LeaderLeaseOptions): LeaderLease {
  const { redis, key, instanceId, leaseMs, logger } = options;
  if (!(leaseMs >= 300)) throw new RangeError(`lease_ms must be at least 300, got ${leaseMs}`);
  const now = options.now ?? Date.now;
  const renewEveryMs = Math.floor(leaseMs / 3);
  const standbyTryEveryMs = Math.min(renewEveryMs, 1_000);
  const stepDownAfterMs = Math.floor(leaseMs / 2);
  // A call may take at most this long before it counts as failed (and the next tick tries again).
  const callTimeoutMs = Math.max(100, Math.min(renewEveryMs, stepDownAfterMs - renewEveryMs));
  const emitter = createTypedEmitter<LeaderLeaseEvents>((name, error) =>
    logger.error({ err: error, event: name }, 'a leader-lease listener failed'),
  );

  let leading = false;
  let running = false;
  let tickTimer: NodeJS.Timeout | undefined;
  let stepDownTimer: NodeJS.Timeout | undefined;
  let tickInFlight: Promise<void> | undefined;
  let lastProblem: string | undefined;

  const armStepDown = (sentAtMs: number) => {
    clearTimeout(stepDownTimer);
    const remaining = sentAtMs + stepDownAfterMs - now();
    stepDownTimer = setTimeout(
      () => stepDown(`could not renew the lease for ${stepDownAfterMs} ms (${lastProblem ?? 'no answer'})`),
      Math.max(0, remaining),
    );
    stepDownTimer.unref?.();
  };

  const stepDown = (reason: string) => {
    clearTimeout(stepDownTimer);
    stepDownTimer = undefined;
    if (!leading) return;
    leading = false;
    logger.warn({ instance: instanceId, reason }, 'stepping down: no longer the leader');
    emitter.emit('lost', { instanceId, reason });
  };

  const tick = async () => {
    const sentAtMs = now();
    try {
      if (leading) {
        const renewed = await within(redis.eval(RENEW_SCRIPT, 1, key, instanceId, leaseMs), callTimeoutMs);
        if (!leading) return; // stepped down while the call was out
        if (Number(renewed) === 1) {
          lastProblem = undefined;
          armStepDown(sentAtMs);
        } else {
          stepDown('another instance holds the lease');
        }
      } else {
        const acquired = await within(redis.eval(ACQUIRE_SCRIPT, 1, key, instanceId, leaseMs), callTimeoutMs);
        if (Number(acquired) === 1 && running && !leading) {
          // Too late to lead on this answer: the step-down margin has already passed.
          if (now() - sentAtMs >= stepDownAfterMs) return;
          lastProblem = undefined;
          leading = true;
          armStepDown(sentAtMs);
          logger.info({ instance: instanceId, lease_ms: leaseMs }, 'this instance is now the leader');
          emitter.emit('acquired', { instanceId });
        }
      }
    } catch (error) {
      const problem = reasonOf(error);
      if (problem !== lastProblem) {
        logger.warn({ instance: instanceId, reason: problem }, 'leader lease: Redis call failed; retrying');
      }
      lastProblem = problem;
    }
  };

  const schedule = () => {
    if (!running) return;
    tickTimer = setTimeout(
      () => {
        tickInFlight = tick().finally(() => {
          tickInFlight = undefined;
          schedule();
        });
      },
      // A leader whose renewal failed tries again soon: one lost packet must not cost the lead.
      leading ? (lastProblem ? Math.min(250, renewEveryMs) : renewEveryMs) : standbyTryEveryMs,
    );
  };

  return {
    on: emitter.on,
    start() {
      if (running) return;
      running = true;
      tickInFlight = tick().finally(() => {
        tickInFlight = undefined;
        schedule();
      });
    },
    isLeader() {
      return leading;
    },
    async holder() {
      try {
        return await within(redis.get(key), callTimeoutMs);
      } catch {
        return null;
      }
    },
    async stop() {
      running = false;
      clearTimeout(tickTimer);
      await tickInFlight;
      const wasLeading = leading;
      stepDown('stopping');
      if (wasLeading) {
        try {
          await within(redis.eval(RELEASE_SCRIPT, 1, key, instanceId), callTimeoutMs);
        } catch (error) {
          logger.warn(
            { reason: reasonOf(error) },
            'could not release the leader lease; it expires on its own',
          );
        }
      }
    },
  };
}
