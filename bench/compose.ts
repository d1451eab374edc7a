/**
 * The notification half of `startApp` (src/main.ts), rebuilt from the same public modules with the
 * outbox settings exposed. startApp builds its Telegram outbox with TELEGRAM_LIMITS and the default
 * merge threshold and takes no option to change them, so a bench that needs "no pacing" (pipeline
 * overhead) or "no merging" composes the same pieces itself:
 *
 *   createEventStream → createNotifier (route + format) → createOutbox → TelegramAdapter.send → grammY
 *
 * Identical to startApp apart from: the outbox options below, no console outbox, Telegram long
 * polling is not started (sending does not need it; `botInfo` replaces getMe), and the store: an
 * in-memory one without a durable outbox queue, unless `store` is given (then it is both).
 */
import { allowedChatsOf } from '../src/access/policy.js';
import { commandsFor, loadCommands } from '../src/chat/commands/index.js';
import { createCommandRouter } from '../src/chat/router.js';
import type { Reply } from '../src/chat/reply.js';
import { type Config, NOTIFICATION_TYPES } from '../src/config/schema.js';
import type { BotEvent } from '../src/freqtrade/event-schemas.js';
import { createEventStream, type EventStream } from '../src/freqtrade/event-stream.js';
import type { StreamState } from '../src/freqtrade/stream-state.js';
import { createFleet } from '../src/freqtrade/fleet.js';
import type { Logger } from '../src/logger.js';
import { createBackfillRunner } from '../src/notify/backfill-runner.js';
import { enabledTelegram, TELEGRAM_LIMITS } from '../src/telegram/config.js';
import { createNotifier, type NotificationTarget, type Notifier } from '../src/notify/notifier.js';
import { createOutbox, type Outbox } from '../src/notify/outbox.js';
import { openStore, type Store } from '../src/store/store.js';
import { createTelegramAdapter } from '../src/telegram/adapter.js';

export interface PipelineOptions {
  config: Config;
  logger: Logger;
  /** Global budget of deliveries per second (TELEGRAM_LIMITS.globalPerSecond as shipped). */
  globalPerSecond: number;
  /** Least time between two messages to one private chat (TELEGRAM_LIMITS.privateChatIntervalMs as shipped). */
  privateChatIntervalMs: number;
  /** Merge a chat's backlog once this many wait (3 as shipped); Infinity = never merge. */
  mergeThreshold: number;
  /** Bench probes: called as an event reaches the notifier and as the outbox hands a reply to the adapter. */
  probe?: {
    event(event: BotEvent): void;
    send(reply: Reply): void;
  };
  /**
   * The store the pipeline keeps its state in (seen trades, chats) and, as in startApp, the durable
   * outbox's queue (`queueStore`): the file store or the Redis store, opened (and closed) by the
   * caller. Default: an in-memory store and an outbox without a durable queue.
   */
  store?: Store;
  /** The bot user the Telegram server would answer to getMe. */
  botInfo: {
    id: number;
    username: string;
    first_name: string;
  };
}

export interface Pipeline {
  notifier: Notifier;
  outbox: Outbox;
  streams: EventStream[];
  stop(): Promise<void>;
}

export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const { config, logger } = options;
  const now = Date.now;
  const telegramConfig = enabledTelegram(config);
  if (!telegramConfig) throw new Error('bench: the pipeline needs an enabled telegram section');
  const store =
    options.store ??
    (await openStore({ path: null, logger, auditMaxEntries: config.store.audit_max_entries }));
  const fleet = createFleet(config.bots, { logger, now });
  const streamStates = new Map<string, StreamState>();
  const router = createCommandRouter({
    services: {
      config,
      fleet,
      store,
      logger,
      now,
      streamState: (bot) => streamStates.get(bot),
    },
    commands: commandsFor(await loadCommands(), { config, services: new Set() }),
    policy: { access: config.access, chats: allowedChatsOf(config) },
  });
  const telegram = createTelegramAdapter({
    config: telegramConfig,
    router,
    logger,
    botInfo: {
      ...options.botInfo,
      is_bot: true,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    },
  });

  const targets: NotificationTarget[] = telegramConfig.chats.map((chat) => {
    const threadId = chat.topic_id;
    return {
      key: `telegram:${chat.chat_id}${threadId !== null ? `:${threadId}` : ''}`,
      platform: 'telegram',
      minIntervalMs: chat.chat_id.startsWith('-')
        ? TELEGRAM_LIMITS.groupIntervalMs
        : options.privateChatIntervalMs,
      notifications: chat.notifications,
      bots: chat.bots,
      send: (reply) => {
        options.probe?.send(reply);
        return telegram.send({ chatId: chat.chat_id, threadId }, reply);
      },
    };
  });
  const outbox = createOutbox({
    logger,
    globalPerSecond: options.globalPerSecond,
    mergeThreshold: options.mergeThreshold,
    now,
    // As in startApp: every notification is in the store until Telegram accepted it.
    ...(options.store ? { queueStore: options.store } : {}),
    // As in startApp: a delivery checks the store for a failure mark to clear.
    onDelivered: (key) => {
      if (store.chatKeys().includes(key) && store.chat(key).delivery_failed) {
        store.updateChat(key, (chat) => {
          chat.delivery_failed = null;
        });
      }
    },
  });
  const notifier = createNotifier({
    targets,
    outboxes: { telegram: outbox },
    store,
    logger,
    showBotName: fleet.names.length > 1,
    now,
  });
  const wired = fleet.all().map((client) => {
    const stream = createEventStream({ client, logger, types: [...NOTIFICATION_TYPES] });
    stream.on('state', (state) => streamStates.set(client.name, state));
    const backfill = createBackfillRunner({
      stream,
      client,
      store,
      logger,
      onEvent: (event) => {
        options.probe?.event(event);
        notifier.handle(event);
      },
    });
    return { stream, backfill };
  });
  const streams = wired.map(({ stream }) => stream);
  for (const stream of streams) stream.start();

  return {
    notifier,
    outbox,
    streams,
    async stop() {
      for (const { backfill } of wired) backfill.stop();
      await Promise.all(streams.map((stream) => stream.stop()));
      outbox.stop();
      await store.flush();
    },
  };
}
