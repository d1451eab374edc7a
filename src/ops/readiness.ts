/**
 * What `/readyz` reports: whether every enabled chat platform has started, and per Freqtrade bot
 * its websocket state and its last REST error, described by fields only (class, status, method,
 * path, reason) so no server text, URL or credential can reach the response.
 */
import { ApiError, NetworkError, ValidationError } from '../errors.js';
import type { StreamState } from '../freqtrade/stream-state.js';

export type PlatformStartState = 'starting' | 'started';

/** A REST failure as /readyz shows it. */
export interface RestErrorSummary {
  /** When it happened, ISO 8601 UTC. */
  at: string;
  /** The error class: ApiError (Freqtrade said no), NetworkError (no answer), ValidationError (odd answer). */
  error: string;
  method?: string;
  /** The API path (no host, no query string). */
  path?: string;
  status?: number;
  /** Why no answer came ("connection refused", "timed out after 3000 ms"). */
  reason?: string;
}

export interface BotReadiness {
  name: string;
  /** The message websocket's state; null when the app runs no stream for this bot (no notification targets). */
  websocket: StreamState | null;
  last_rest_error: RestErrorSummary | null;
}

export interface ReadinessReport {
  ready: boolean;
  platforms: Record<string, PlatformStartState>;
  bots: BotReadiness[];
  /** With `ha.enabled`: this instance, and whether it leads or stands by. */
  ha?: { instance: string; role: 'leader' | 'standby' };
}

export interface ReadinessOptions {
  /** The enabled chat platforms; ready once each has started. */
  platforms: readonly string[];
  bots: readonly string[];
  streamState(bot: string): StreamState | undefined;
  now?: () => number;
  /**
   * With `ha.enabled`: who this instance is and whether it leads. A standby is ready (it is up
   * and can take over) with no platform started; a leader is ready once its platforms are.
   */
  leader?(): { instance: string; leading: boolean } | undefined;
}

export interface Readiness {
  platformStarted(platform: string): void;
  /** The platforms stopped (a leader stepping down): they start again when it leads again. */
  platformsStopped(): void;
  /** Remembers a failed REST call as the bot's last error. */
  restFailed(bot: string, error: unknown): void;
  report(): ReadinessReport;
}

/** A secret-free description of a REST failure: the class and its structured fields, never its message. */
export function summarizeRestError(error: unknown, atMs: number): RestErrorSummary {
  const at = new Date(atMs).toISOString();
  if (error instanceof ApiError)
    return { at, error: error.name, method: error.method, path: error.path, status: error.status };
  if (error instanceof NetworkError)
    return { at, error: error.name, method: error.method, path: pathOf(error.url), reason: error.reasonText };
  if (error instanceof ValidationError) return { at, error: error.name };
  return { at, error: error instanceof Error ? error.constructor.name : typeof error };
}

/** Tracks platform starts and REST errors; the report is built when asked. */
export function createReadiness(options: ReadinessOptions): Readiness {
  const now = options.now ?? Date.now;
  const platforms = new Map<string, PlatformStartState>(
    options.platforms.map((platform) => [platform, 'starting']),
  );
  const lastErrors = new Map<string, RestErrorSummary>();
  return {
    platformStarted(platform) {
      platforms.set(platform, 'started');
    },
    platformsStopped() {
      for (const platform of platforms.keys()) platforms.set(platform, 'starting');
    },
    restFailed(bot, error) {
      lastErrors.set(bot, summarizeRestError(error, now()));
    },
    report() {
      const leader = options.leader?.();
      const started = [...platforms.values()].every((state) => state === 'started');
      return {
        ready: leader && !leader.leading ? true : started,
        ...(leader ? { ha: { instance: leader.instance, role: leader.leading ? 'leader' : 'standby' } } : {}),
        platforms: Object.fromEntries(platforms),
        bots: options.bots.map((name) => ({
          name,
          websocket: options.streamState(name) ?? null,
          last_rest_error: lastErrors.get(name) ?? null,
        })),
      };
    },
  };
}

/** The path of a URL (no host, credentials or query string); undefined when it is not a URL. */
function pathOf(url: string): string | undefined {
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}
