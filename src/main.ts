import { createHash } from 'node:crypto';
import { allowedChatsOf } from './access/policy.js';
import { commandsFor, loadCommands } from './chat/commands/index.js';
import { type CommandRouter, chatKeyOf, createCommandRouter } from './chat/router.js';
import type { OptionalService } from './chat/types.js';
import { loadConfig, parseConfig } from './config/load.js';
import { type Config, enabledGemini, NOTIFICATION_TYPES, secretKeysOf } from './config/schema.js';
import { consolePlatform } from './console/platform.js';
import { discordPlatform } from './discord/platform.js';
import { createGeminiClient, type GeminiClient } from './exchanges/gemini/client.js';
import { createNonceSource } from './exchanges/gemini/nonce.js';
import type { FreqtradeMessage } from './freqtrade/event-schemas.js';
import { createEventStream, type EventStream } from './freqtrade/event-stream.js';
import { type BotFacts, createBotFacts } from './freqtrade/bot-facts.js';
import { createFleet, type Fleet } from './freqtrade/fleet.js';
import type { Logger } from './logger.js';
import { applyLiveMessage } from './notify/backfill.js';
import { type BackfillRunner, createBackfillRunner } from './notify/backfill-runner.js';
import { createNotifier, type NotificationTarget, type Notifier } from './notify/notifier.js';
import { createOutbox, type Outbox } from './notify/outbox.js';
import { type OpsServer, startOpsServer } from './ops/http-server.js';
import { createMetrics } from './ops/metrics.js';
import { createReadiness } from './ops/readiness.js';
import type { ChatPlatform, PlatformModule, PlatformPacing } from './platform/chat-platform.js';
import { openSharedState, type SharedState } from './ha/shared-state.js';
import type { Store } from './store/store.js';
import { packageVersion } from './version.js';
import { assertTelegramKeyboardOf } from './telegram/keyboard.js';
import { telegramPlatform } from './telegram/platform.js';
import { webhookPlatform } from './webhook/platform.js';

/**
 * Every chat platform, each once. The `Platform` type, the access entries, the config sections,
 * the allowed chats, the notification targets and the outboxes all derive from this list: a new
 * platform is its own folder plus one line here.
 */
export const PLATFORMS = [telegramPlatform, discordPlatform, consolePlatform, webhookPlatform] as const;

/** Config key names whose values are secrets, the platforms' own included (for log redaction). */
export const CONFIG_SECRET_KEYS: ReadonlySet<string> = secretKeysOf(PLATFORMS);

/**
 * Reads and validates a config file with every platform's section, applying environment overrides;
 * `telegram.keyboard` is checked against the command registry, which config/ cannot see.
 */
export async function loadAppConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const config = await loadConfig(path, PLATFORMS, env);
  assertTelegramKeyboardOf(config, await loadCommands(), path);
  return config;
}

/** Validates an already-read config object with every platform's section. */
export function parseAppConfig(raw: unknown, source = 'config'): Config {
  return parseConfig(raw, PLATFORMS, source);
}

export type { NotificationTarget } from './notify/notifier.js';

/**
 * The whole stop, first step to last flush. A service manager is promised an exit within 5 s of
 * SIGTERM (docker waits 10 s, systemd 90 s, before they kill); every step below gets its own
 * limit within this one, so a chat platform that stops answering cannot hold the process.
 */
export const STOP_TIMEOUT_MS = 3_500;

/** How long stopping waits for queued notifications before giving up on them (within STOP_TIMEOUT_MS). */
export const STOP_DRAIN_TIMEOUT_MS = 3_000;

/** How long stopping waits for the message websockets to close (each has its own 1 s close limit). */
export const STOP_STREAMS_TIMEOUT_MS = 1_000;

/** How long stopping waits for the chat platforms to stop polling and disconnect. */
export const STOP_PLATFORMS_TIMEOUT_MS = 1_500;

export interface AppOptions {
  config: Config;
  logger: Logger;
  /** Store file path override; null = in memory (demo). Defaults to config.store.path. */
  storePath?: string | null;
  now?: () => number;
  /**
   * More folders of command modules, registered beside the built-in ones as if they were in
   * src/chat/commands/ (tests prove a one-file command this way).
   */
  commandDirs?: URL[];
  /** Notification targets beyond the configured chats (the demo's console). */
  extraTargets?: Array<Omit<NotificationTarget, 'platform' | 'minIntervalMs'> & Partial<NotificationTarget>>;
  /** Websocket reconnect backoff (tests use short ones). */
  streamBackoff?: { initialMs: number; maxMs: number };
  /**
   * Resolves when the app should stop (the first SIGTERM). Once it has, the app stops itself,
   * also while it is still starting: startApp then resolves, stopped, without waiting for a
   * platform that cannot be reached.
   */
  stopRequested?: Promise<unknown>;
  /** The platforms to build from the config (the list it was parsed with); PLATFORMS by default. */
  platforms?: readonly PlatformModule[];
}

/** A running chat-ops bot: every piece built from one config, stoppable as a whole. */
export interface App {
  readonly router: CommandRouter;
  readonly fleet: Fleet;
  readonly store: Store;
  /** The running chat platforms (those the config enables), in PLATFORMS order; none while standing by. */
  readonly platforms: readonly ChatPlatform[];
  readonly notifier: Notifier;
  readonly streams: EventStream[];
  /** One per stream, same order: each emits `finished` after a back-fill. */
  readonly backfills: BackfillRunner[];
  /** Per bot, what notifications add to the payload (dry run or live). */
  readonly botFacts: BotFacts;
  /** The operations endpoint (/healthz, /readyz, /metrics); undefined when `http` is disabled. */
  readonly ops: OpsServer | undefined;
  /** Whether this instance runs the platforms and notifications now (always true without `ha`). */
  readonly leading: boolean;
  /** This instance's name (`ha.instance_id`, else the host name). */
  readonly instanceId: string;
  stop(): Promise<void>;
}

/**
 * What only the leader runs (with `ha.enabled`; otherwise the one instance runs it from start to
 * stop): the chat platforms (polling Telegram, the Discord gateway), the notification pipeline
 * and the Freqtrade websockets. Built afresh each time this instance comes to lead.
 */
interface LeaderSession {
  platforms: readonly ChatPlatform[];
  notifier: Notifier;
  streams: EventStream[];
  backfills: BackfillRunner[];
  outboxes: Record<string, Outbox>;
  targets: NotificationTarget[];
  /** Starts the websockets and the platforms; resolves once every platform has started. */
  start(stopRequested: Promise<unknown> | undefined): Promise<void>;
  /**
   * Stops what start() started, each step bounded by the stop's deadline; the store stays open.
   * `handOver`: the lease is lost, another instance may lead any moment: stop sending at once
   * (no drain; what is queued stays in the store for the next leader) and polling right after.
   */
  stop(deadline: number, handOver?: boolean): Promise<void>;
}

/**
 * Waits for `work` at most `limitMs` (never past the stop's deadline); an overrun is logged and
 * the stop goes on, and so does a failure unless `failures` is 'throw'. Says whether the work
 * finished in time.
 */
async function within(
  logger: Logger,
  step: string,
  work: Promise<unknown>,
  limitMs: number,
  deadline: number,
  failures: 'log' | 'throw' = 'log',
): Promise<boolean> {
  const timeoutMs = Math.max(0, Math.min(limitMs, deadline - Date.now()));
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    work.then(
      () => 'done' as const,
      (error: unknown) => {
        if (failures === 'throw') throw error;
        logger.warn(
          { step, err: error instanceof Error ? error.message : String(error) },
          'stop step failed',
        );
        return 'failed' as const;
      },
    ),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  if (outcome === 'timeout') logger.warn({ step, timeoutMs }, 'stop step took too long; going on without it');
  return outcome === 'done';
}

/** The composition root: builds store, Freqtrade clients, commands, adapters and notifications, then starts them. */
export async function startApp(options: AppOptions): Promise<App> {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  // The session this instance runs while it leads (always, without ha); /bots and /readyz read it.
  let session: LeaderSession | undefined;
  const currentStreams = (): EventStream[] => session?.streams ?? [];
  // Operations endpoint (src/ops/), part 1: metrics are recorded only when `http` is enabled.
  const platforms = options.platforms ?? PLATFORMS;
  const enabledPlatforms = platforms.filter(
    (platform) => platform.configKey !== undefined && platform.enabledIn(config.sections[platform.configKey]),
  );
  const chatPlatforms = enabledPlatforms.map((platform) => platform.name);
  const botNames = config.bots.map((bot) => bot.name);
  const metrics = config.http.enabled
    ? createMetrics({ platforms: chatPlatforms, bots: botNames })
    : undefined;
  // Set once the store is open (with ha): who this instance is and whether it leads.
  let leaderInfo: (() => { instance: string; leading: boolean }) | undefined;
  const readiness = createReadiness({
    platforms: chatPlatforms,
    bots: botNames,
    streamState: (bot) =>
      currentStreams()
        .find((stream) => stream.bot === bot)
        ?.state(),
    now,
    leader: () => leaderInfo?.(),
  });
  // Operations endpoint, part 2: it listens before the store opens (a Redis that is down at start
  // is waited for, with /healthz answering and /readyz saying 503) and before the platforms start.
  // A port in use is a ConfigError naming host:port (the CLI exits 2).
  let ops: OpsServer | undefined;
  if (metrics) {
    metrics.watch({
      pendingNotifications: () =>
        [...new Set([...chatPlatforms, ...(session?.targets ?? []).map((target) => target.platform)])].map(
          (platform) => [platform, session?.outboxes[platform]?.pending() ?? 0] as const,
        ),
      streamsConnected: () =>
        currentStreams().map((stream) => [stream.bot, stream.state() === 'open'] as const),
      leader: () => leaderInfo?.(),
    });
    ops = await startOpsServer({
      host: config.http.host,
      port: config.http.port,
      metrics,
      readiness: () => readiness.report(),
      logger,
    });
  }
  let shared: SharedState;
  try {
    shared = await openSharedState({
      config,
      logger,
      storePath: options.storePath === undefined ? config.store.path : options.storePath,
      writtenBy: `freqtrade-chatops ${packageVersion()}`,
      ...(options.stopRequested ? { stopRequested: options.stopRequested } : {}),
    });
  } catch (error) {
    await ops?.close();
    throw error;
  }
  const { store, lease, instanceId } = shared;
  if (lease) leaderInfo = () => ({ instance: instanceId, leading: lease.isLeader() });
  const fleet = createFleet(config.bots, {
    logger,
    now,
    onRequest: (bot, outcome, error) => {
      metrics?.freqtradeRequest(bot, outcome);
      if (error !== undefined) readiness.restFailed(bot, error);
    },
  });

  const gemini = enabledGemini(config);
  let geminiClient: GeminiClient | undefined;
  if (gemini) {
    const nonceKey = `gemini:${createHash('sha256').update(gemini.api_key).digest('hex').slice(0, 16)}`;
    const nonces = createNonceSource({
      store: { load: (key) => store.lastNonce(key), save: (key, nonce) => store.saveNonce(key, nonce) },
      key: nonceKey,
      timeBased: gemini.time_based_nonce,
      now,
    });
    geminiClient = createGeminiClient({ config: gemini, nonces, logger });
  }
  const configuredServices = new Set<OptionalService>(geminiClient ? ['gemini'] : []);
  const loaded = [
    ...(await loadCommands()),
    ...(await Promise.all((options.commandDirs ?? []).map((dir) => loadCommands(dir)))).flat(),
  ];
  const commands = commandsFor(loaded, { config, services: configuredServices });

  const policy = { access: config.access, chats: allowedChatsOf(config) };
  const router = createCommandRouter({
    services: {
      config,
      fleet,
      store,
      logger,
      now,
      streamState: (bot) =>
        currentStreams()
          .find((stream) => stream.bot === bot)
          ?.state(),
      ...(leaderInfo ? { leadership: leaderInfo } : {}),
      ...(geminiClient ? { gemini: geminiClient } : {}),
    },
    commands,
    policy,
    onCommandFinished: (event) => metrics?.commandFinished(event),
  });
  const platformDeps = { router, fleet, logger, store, policy, now };
  // Per bot: dry run or live for the "(dry)" marker, the timeframe and the fiat rate, read again
  // whenever its websocket connects (the rate also when older than 5 minutes).
  const botFacts = createBotFacts(fleet, { now });

  /** Builds everything the leader runs, from the config: nothing is started yet. */
  const buildSession = async (): Promise<LeaderSession> => {
    // Each enabled platform, built by its own module from its own config section.
    const running: Array<{ platform: ChatPlatform; pacing: PlatformPacing }> = [];
    for (const module of enabledPlatforms) {
      const platform =
        module.configKey === undefined
          ? undefined
          : await module.create(config.sections[module.configKey], platformDeps);
      if (platform) running.push({ platform, pacing: module.pacing });
    }

    // Notifications: every configured chat of a running platform, plus any extra targets, each
    // platform paced by its own outbox.
    const targets: NotificationTarget[] = [];
    for (const { platform, pacing } of running) {
      for (const chat of config.chats.filter((configured) => configured.platform === platform.name)) {
        const address = { chatId: chat.chatId, threadId: chat.threadId };
        targets.push({
          // The router's key for the chat, so /notify, /mute and /use made there apply here.
          key: chatKeyOf({ platform: chat.platform, ...address }),
          platform: chat.platform,
          minIntervalMs: platform.chatIntervalMs?.(address) ?? pacing.chatIntervalMs(address),
          notifications: chat.notifications,
          bots: chat.bots,
          send: (reply) => platform.send(address, reply),
        });
      }
    }
    for (const extra of options.extraTargets ?? []) {
      targets.push({ platform: consolePlatform.name, minIntervalMs: 0, ...extra });
    }
    const outboxFor = (platform: string, globalPerSecond: number): Outbox =>
      createOutbox({
        logger,
        globalPerSecond,
        now,
        // Durable: a queued notification is in the store until its platform accepted it.
        queueStore: store,
        onPermanentFailure: (key, error) =>
          store.updateChat(key, (chat) => {
            chat.delivery_failed = {
              at_ms: now(),
              reason: error instanceof Error ? error.message : String(error),
            };
          }),
        onRateLimited: () => metrics?.rateLimited(platform),
        onDelivered: (key) => {
          metrics?.notificationSent(platform);
          if (store.hasChat(key) && store.chat(key).delivery_failed) {
            store.updateChat(key, (chat) => {
              chat.delivery_failed = null;
            });
          }
        },
      });
    // One outbox per platform that has targets, paced by the platform's own limits.
    const outboxes: Record<string, Outbox> = {};
    for (const module of platforms) {
      if (targets.some((target) => target.platform === module.name)) {
        outboxes[module.name] = outboxFor(module.name, module.pacing.globalPerSecond);
      }
    }
    const notifier = createNotifier({
      targets,
      outboxes,
      store,
      logger,
      showBotName: fleet.names.length > 1,
      now,
      dryRunOf: (bot) => botFacts.dryRun(bot),
      fiatRateOf: (bot) => botFacts.fiatRate(bot),
      lastCandleOf: (bot, pair) => botFacts.lastCandle(bot, pair),
    });

    // Each bot's websocket, and its back-fill listening to it; events of both go to the notifier.
    const backfills: BackfillRunner[] = [];
    const streams = targets.length
      ? fleet.all().map((client) => {
          const stream = createEventStream({
            client,
            logger,
            // `exception` carries Freqtrade's worker errors; chats hear them at their `warning` level.
            types: [...NOTIFICATION_TYPES, 'exception'],
            ...(options.streamBackoff ? { backoff: options.streamBackoff } : {}),
          });
          stream.on('connected', () => {
            void botFacts.refresh(client.name);
          });
          backfills.push(
            createBackfillRunner({
              stream,
              client,
              store,
              logger,
              onEvent: (event) => notifier.handle(event),
            }),
          );
          return stream;
        })
      : [];

    /**
     * Notifications queued before a restart (or by the previous leader) and not yet accepted go
     * out first, once the platforms run. One whose chat is no longer configured is dropped, and
     * said so.
     */
    const resumeQueuedNotifications = () => {
      const byKey = new Map(targets.map((target) => [target.key, target]));
      let resumed = 0;
      for (const queued of store.queuedNotifications()) {
        const target = byKey.get(queued.chat_key);
        const outbox = target ? outboxes[target.platform] : undefined;
        if (!target || !outbox) {
          logger.warn(
            { chat: queued.chat_key },
            'dropped a queued notification: its chat is no longer configured',
          );
          store.dropQueuedNotifications([queued.id]);
          continue;
        }
        outbox.restore(target, queued);
        resumed += 1;
      }
      if (resumed > 0)
        logger.info({ notifications: resumed }, 'sending notifications queued before the restart');
    };

    let stopped = false;
    return {
      platforms: running.map(({ platform }) => platform),
      notifier,
      streams,
      backfills,
      outboxes,
      targets,
      async start(stopRequested) {
        // A trade whose notification is still queued (from before a crash or a takeover) counts as
        // seen before any back-fill looks: the queued message is on its way, and the seen mark may
        // not have reached the store before the crash.
        for (const queued of store.queuedNotifications()) {
          const about = queued.about;
          if (!about || !fleet.has(about.bot)) continue;
          const next = applyLiveMessage(store.seenTrades(about.bot), about as unknown as FreqtradeMessage);
          if (next) store.saveSeenTrades(about.bot, next);
        }
        for (const stream of streams) stream.start();
        // The platforms start side by side: one being slow to answer does not hold up the others.
        const platformsStarted = Promise.all(
          running.map(({ platform }) =>
            platform.start().then(() => readiness.platformStarted(platform.name)),
          ),
        );
        // A start that fails after a stop won the race below has nobody left to tell.
        platformsStarted.catch(() => undefined);
        // A stop asked for while a platform is still connecting ends the wait.
        await (stopRequested ? Promise.race([platformsStarted, stopRequested]) : platformsStarted);
        if (!stopped) resumeQueuedNotifications();
      },
      async stop(deadline, handOver = false) {
        stopped = true;
        if (handOver) {
          // Nothing more leaves this instance: the next leader sends what is queued.
          notifier.stop();
          for (const outbox of Object.values(outboxes)) outbox.stop();
        }
        for (const backfill of backfills) backfill.stop();
        // Polling stops first and the websockets beside it: both are bounded, together well
        // within the half lease a stepping-down leader has left.
        await Promise.all([
          within(
            logger,
            'message websockets',
            Promise.all(streams.map((stream) => stream.stop())),
            STOP_STREAMS_TIMEOUT_MS,
            deadline,
          ),
          within(
            logger,
            'chat platforms',
            Promise.all(running.map(({ platform }) => platform.stop())),
            STOP_PLATFORMS_TIMEOUT_MS,
            deadline,
          ),
        ]);
        readiness.platformsStopped();
        if (handOver) return;
        // Give queued notifications a moment to go out; what is left stays in the store's outbox
        // and goes out at the next start (or from the next leader).
        const drained = await within(
          logger,
          'notifications',
          notifier.drain(),
          STOP_DRAIN_TIMEOUT_MS,
          deadline,
        );
        if (!drained) logger.warn('stopping before every notification was sent');
        notifier.stop();
        for (const outbox of Object.values(outboxes)) outbox.stop();
      },
    };
  };

  // Gains of leadership are taken one at a time; a loss acts at once, whatever is under way.
  let transitions: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | undefined;
  const stillLeading = () => !stopping && lease?.isLeader() === true;
  /** A session being stopped: leading again (or the app's stop) waits for it to finish. */
  let sessionStopping: Promise<void> = Promise.resolve();
  const lead = async () => {
    await sessionStopping;
    if (session || !stillLeading()) return;
    // What the previous leader wrote: seen trades, chat settings, the queued notifications.
    await shared.reload();
    if (!stillLeading()) return;
    store.appendAudit({
      platform: 'system',
      user_id: instanceId,
      chat_id: '-',
      bot: null,
      command: 'takeover',
      args: '',
      outcome: 'ok',
      detail: `instance ${instanceId} leads`,
    });
    const next = await buildSession();
    if (!stillLeading()) return;
    session = next;
    logger.info({ instance: instanceId }, 'leading: polling, listening and sending');
    await next.start(options.stopRequested);
  };
  const standDown = (reason: string): Promise<void> => {
    const current = session;
    if (!current) return sessionStopping;
    session = undefined;
    logger.warn({ instance: instanceId, reason }, 'standing by: stopped polling, listening and sending');
    const stopped = current.stop(Date.now() + STOP_PLATFORMS_TIMEOUT_MS, true);
    sessionStopping = sessionStopping.then(() => stopped);
    return sessionStopping;
  };

  const stopEverything = async (): Promise<void> => {
    // Wall-clock time, not options.now: a test's simulated clock must not stretch the deadline.
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    // The state goes to disk before anything that waits on Freqtrade or a chat platform, which
    // may not answer.
    await within(logger, 'state file', store.flush(), STOP_TIMEOUT_MS, deadline);
    await within(
      logger,
      'operations endpoint',
      ops?.close() ?? Promise.resolve(),
      STOP_STREAMS_TIMEOUT_MS,
      deadline,
    );
    const current = session;
    session = undefined;
    await current?.stop(deadline);
    // A stand-down under way finishes first: its writes belong before the store closes.
    await within(logger, 'stand-down', sessionStopping, STOP_PLATFORMS_TIMEOUT_MS, deadline);
    // The last writes (deliveries, seen trades) reach the store while this instance still holds
    // the lease (Redis refuses a deposed leader's writes); then it hands over at once rather
    // than when its lease expires.
    await within(logger, 'state file', store.flush(), STOP_TIMEOUT_MS, deadline);
    await within(
      logger,
      'leader lease',
      lease?.stop() ?? Promise.resolve(),
      STOP_STREAMS_TIMEOUT_MS,
      deadline,
    );
    // What changed since (seen trades, delivery failures), with what time is left and at least a
    // moment more. A write that fails here fails the stop (exit status 1), so it is not missed.
    await within(
      logger,
      'state file',
      store.close(),
      STOP_TIMEOUT_MS,
      Math.max(deadline, Date.now() + 500),
      'throw',
    );
    await shared.disconnect();
  };
  /** Stops everything started so far, each step bounded; a second call waits for the first. */
  const shutdown = (): Promise<void> => {
    stopping ??= stopEverything();
    return stopping;
  };

  // Once asked, the app stops itself, also while a platform is still connecting.
  const stoppedOnRequest = options.stopRequested?.then(() => shutdown());
  // A failed stop reaches whoever awaits app.stop(); this copy must not also end the process.
  stoppedOnRequest?.catch(() => undefined);

  if (lease) {
    // Standby until the lease is ours; every change of leadership is logged (and audited on gain).
    lease.on('acquired', () => {
      transitions = transitions.then(lead).catch(async (error: unknown) => {
        // Holding the lease without leading would lock the other instance out: give it up, and
        // compete again after a while.
        logger.error({ err: error }, 'could not start leading; giving the lease up');
        await standDown('the start failed');
        await lease.stop();
        if (stopping) return;
        const retry = setTimeout(() => {
          if (!stopping) lease.start();
        }, config.ha.lease_ms);
        retry.unref();
      });
    });
    lease.on('lost', ({ reason }) => {
      void standDown(reason);
    });
    lease.start();
    logger.info(
      { instance: instanceId, lease_ms: config.ha.lease_ms },
      'high availability: standing by for the lease',
    );
  } else {
    try {
      session = await buildSession();
      await session.start(stoppedOnRequest);
    } catch (error) {
      // A refused token: stop what already runs so the process can exit with the error.
      await shutdown();
      throw error;
    }
  }

  if (stopping) {
    logger.info('freqtrade-chatops stopped while starting');
  } else {
    logger.info(
      {
        bots: fleet.names,
        platforms: chatPlatforms,
        ...(lease ? { instance: instanceId, ha: true } : {}),
        commands: commands.length,
      },
      'freqtrade-chatops started',
    );
  }

  const idleNotifier = createNotifier({
    targets: [],
    outboxes: {},
    store,
    logger,
    showBotName: fleet.names.length > 1,
    now,
  });
  return {
    router,
    fleet,
    store,
    get platforms() {
      return session?.platforms ?? [];
    },
    get notifier() {
      return session?.notifier ?? idleNotifier;
    },
    get streams() {
      return currentStreams();
    },
    get backfills() {
      return session?.backfills ?? [];
    },
    botFacts,
    get leading() {
      return lease ? lease.isLeader() && session !== undefined : true;
    },
    instanceId,
    ops,
    async stop() {
      await shutdown();
      logger.info('freqtrade-chatops stopped');
    },
  };
}
