/**
 * SIGINT / SIGTERM for the whole life of the process. The first one asks for a graceful stop;
 * later ones change nothing, except that a second Ctrl-C in an interactive terminal exits at
 * once. The listeners are never removed: a service manager that signals the whole process group
 * (systemd's default) or a second `docker stop` may deliver a signal while node is tearing down,
 * and a signal that finds no listener kills the process with status 143 (128 + SIGTERM).
 */

export interface StopSignalOptions {
  /** A second Ctrl-C forces an immediate exit (stdin is a terminal). */
  interactive: boolean;
  /** Where the forced and overdue exits are announced. */
  err: NodeJS.WritableStream;
  /**
   * Once the first signal came, the process exits at the latest this long after it: with the
   * program's status if it has finished (a stray socket held the event loop), else with 1.
   */
  hardLimitMs: number;
  /** The program's status once it has finished, or undefined while it still runs. */
  finishedStatus(): number | undefined;
  /** Ends the process (process.exit; tests pass their own). */
  exit(status: number): void;
  /** The process to listen on (tests pass an EventEmitter). */
  target?: { on(event: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown };
}

export interface StopSignals {
  /** Resolves with the first SIGINT or SIGTERM; never rejects. */
  readonly first: Promise<NodeJS.Signals>;
  /** The first signal received, or undefined. */
  received(): NodeJS.Signals | undefined;
}

/** Status of a process forced out by a second Ctrl-C, as a shell reports one killed by SIGINT. */
export const FORCED_EXIT_STATUS = 130;

/** Installs SIGINT and SIGTERM listeners for the rest of the process's life; see the module comment. */
export function installStopSignals(options: StopSignalOptions): StopSignals {
  const target = options.target ?? process;
  let first: NodeJS.Signals | undefined;
  let resolveFirst: (signal: NodeJS.Signals) => void = () => {};
  const firstSignal = new Promise<NodeJS.Signals>((resolve) => {
    resolveFirst = resolve;
  });

  const onSignal = (signal: NodeJS.Signals) => {
    if (first === undefined) {
      first = signal;
      const timer = setTimeout(() => {
        const status = options.finishedStatus();
        if (status !== undefined) {
          options.exit(status);
          return;
        }
        options.err.write(
          `freqtrade-chatops: still stopping ${options.hardLimitMs} ms after ${signal}; exiting now\n`,
        );
        options.exit(1);
      }, options.hardLimitMs);
      // Only a deadline: a stop that finishes earlier lets the process end by itself.
      timer.unref();
      resolveFirst(signal);
      return;
    }
    if (signal === 'SIGINT' && options.interactive) {
      options.err.write('\nSecond Ctrl-C: exiting now, without finishing the stop.\n');
      options.exit(FORCED_EXIT_STATUS);
    }
    // Anything else (a repeated SIGTERM, the same signal sent to every process of the group, a
    // SIGINT without a terminal) changes nothing: the graceful stop already under way goes on.
  };
  target.on('SIGINT', onSignal);
  target.on('SIGTERM', onSignal);
  return { first: firstSignal, received: () => first };
}
