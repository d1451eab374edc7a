/**
 * The Prometheus metrics of one running app, in a registry of its own (never prom-client's global
 * one, so several apps in one process, as in tests, keep separate counts). Counters are fed by
 * the hooks of the router, the outboxes and the Freqtrade clients; the pending and connected
 * gauges are read from their sources at scrape time.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CommandFinishedEvent } from '../chat/router.js';
import type { FreqtradeRequestOutcome } from '../freqtrade/client.js';

/** Every metric name this app defines (beside the process defaults), for the README and tests. */
export const METRIC_NAMES = {
  notificationsSent: 'ftchatops_notifications_sent_total',
  notificationsPending: 'ftchatops_notifications_pending',
  rateLimited: 'ftchatops_rate_limited_total',
  commands: 'ftchatops_commands_total',
  commandDuration: 'ftchatops_command_duration_seconds',
  freqtradeRequests: 'ftchatops_freqtrade_requests_total',
  freqtradeStreamConnected: 'ftchatops_freqtrade_stream_connected',
  leader: 'ftchatops_leader',
} as const;

/**
 * Command durations in seconds: a confirmation prompt answers in milliseconds, a Freqtrade call in
 * tens of them, a slow one up to the bot's timeout (10 s by default, 120 s at most).
 */
const COMMAND_DURATION_BUCKETS_S = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];

export interface MetricsOptions {
  /** Platforms to show at zero before anything happened (so a rate() has a start). */
  platforms?: readonly string[];
  /** Bots to show at zero before their first request. */
  bots?: readonly string[];
  /** Add prom-client's process and Node.js metrics (default true). */
  processMetrics?: boolean;
}

/** Read at scrape time: how many notifications wait per platform, and which bot streams are open. */
export interface MetricSources {
  pendingNotifications(): Iterable<readonly [platform: string, count: number]>;
  streamsConnected(): Iterable<readonly [bot: string, connected: boolean]>;
  /** With `ha.enabled`: this instance's name and whether it leads now. */
  leader?(): { instance: string; leading: boolean } | undefined;
}

export interface Metrics {
  readonly registry: Registry;
  /** One message a platform accepted (a merged backlog counts once). */
  notificationSent(platform: string): void;
  /** One 429 (or other "slow down") answer from a platform. */
  rateLimited(platform: string): void;
  /** A typed command or button press was handled. */
  commandFinished(event: CommandFinishedEvent): void;
  /** One Freqtrade REST call ended (retries inside a call count once). */
  freqtradeRequest(bot: string, outcome: FreqtradeRequestOutcome): void;
  /** Where the gauges read from at scrape time; until set they show nothing. */
  watch(sources: MetricSources): void;
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>;
  readonly contentType: string;
}

/** Creates the registry and its metrics; starts nothing but prom-client's process collectors. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  let sources: MetricSources | undefined;

  const sent = new Counter({
    name: METRIC_NAMES.notificationsSent,
    help: 'Notification messages the chat platform accepted (a merged backlog counts once).',
    labelNames: ['platform'] as const,
    registers: [registry],
  });
  new Gauge({
    name: METRIC_NAMES.notificationsPending,
    help: 'Notifications queued or being delivered, per platform.',
    labelNames: ['platform'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [platform, count] of sources?.pendingNotifications() ?? []) this.set({ platform }, count);
    },
  });
  const limited = new Counter({
    name: METRIC_NAMES.rateLimited,
    help: 'Rate-limit answers (HTTP 429) received from the chat platform while delivering notifications.',
    labelNames: ['platform'] as const,
    registers: [registry],
  });
  const commands = new Counter({
    name: METRIC_NAMES.commands,
    help: 'Commands and button presses handled, by command and outcome.',
    labelNames: ['command', 'outcome'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: METRIC_NAMES.commandDuration,
    help: 'Time from receiving a command or button press to having its reply, in seconds.',
    labelNames: ['command'] as const,
    buckets: COMMAND_DURATION_BUCKETS_S,
    registers: [registry],
  });
  const requests = new Counter({
    name: METRIC_NAMES.freqtradeRequests,
    help: 'Freqtrade REST calls, by bot and outcome (ok, http_error, network_error, invalid).',
    labelNames: ['bot', 'outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: METRIC_NAMES.freqtradeStreamConnected,
    help: "1 while the bot's message websocket is open, else 0.",
    labelNames: ['bot'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [bot, connected] of sources?.streamsConnected() ?? []) this.set({ bot }, connected ? 1 : 0);
    },
  });

  new Gauge({
    name: METRIC_NAMES.leader,
    help: 'With ha enabled: 1 while this instance leads (polls, listens and sends), else 0.',
    labelNames: ['instance'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const leader = sources?.leader?.();
      if (leader) this.set({ instance: leader.instance }, leader.leading ? 1 : 0);
    },
  });

  for (const platform of options.platforms ?? []) {
    sent.inc({ platform }, 0);
    limited.inc({ platform }, 0);
  }
  for (const bot of options.bots ?? []) requests.inc({ bot, outcome: 'ok' }, 0);

  return {
    registry,
    notificationSent: (platform) => sent.inc({ platform }),
    rateLimited: (platform) => limited.inc({ platform }),
    commandFinished(event) {
      commands.inc({ command: event.command, outcome: event.outcome });
      durations.observe({ command: event.command }, event.durationMs / 1000);
    },
    freqtradeRequest: (bot, outcome) => requests.inc({ bot, outcome }),
    watch(next) {
      sources = next;
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
