import { autoRetry } from '@grammyjs/auto-retry';
import { type RunnerHandle, run, sequentialize } from '@grammyjs/runner';
import { Api, Bot, type Context, GrammyError, HttpError, InputFile } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { AnyCommandSpec, CommandContext } from '../chat/types.js';
import type { Reply } from '../chat/reply.js';
import { type CommandRouter, chatKeyOf } from '../chat/router.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createResumableSender } from '../notify/delivery.js';
import { DeliveryError, PlatformAuthError } from '../errors.js';
import type { ChatPlatform } from '../platform/chat-platform.js';
import type { TelegramConfig } from './config.js';
import { type TelegramReplyKeyboard, telegramReplyKeyboard } from './keyboard.js';
import {
  renderTelegram,
  renderTelegramPhoto,
  type TelegramMessage,
  type TelegramPhotoMessage,
} from './render.js';

/** Where a message goes: a chat, and a forum topic when set. */
export interface TelegramTarget {
  chatId: string;
  threadId: number | null;
}

export interface TelegramAdapterDeps {
  config: TelegramConfig;
  router: CommandRouter;
  logger: Logger;
  /** Skip getMe (tests that know the bot). */
  botInfo?: UserFromGetMe;
  /** Longest wait honoured for a 429 before giving up on a single call (the outbox retries later). */
  maxRetryAfterS?: number;
  /**
   * Where the last update taken in is kept (the store), so an instance that takes over (or
   * restarts) skips what was already taken: Telegram hands out again every update whose receipt
   * the previous poller had not yet confirmed. Taken on receipt, before handling: a crash
   * mid-command loses that command rather than running it twice.
   */
  cursor?: { read(): number | undefined; save(updateId: number): Promise<boolean> };
}

/** How long stopping waits for the poller and in-flight handlers before giving up on them. */
export const TELEGRAM_STOP_TIMEOUT_MS = 3_000;

export interface TelegramAdapter extends ChatPlatform {
  readonly name: 'telegram';
  /** Registers commands and starts long polling; resolves once polling has begun. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sends a reply to a chat (notifications); each part in order. */
  send(target: TelegramTarget, reply: Reply): Promise<void>;
  /** Resolves once the update with this id has been handled (its reply sent), for tests and tools. */
  whenHandled(updateId: number): Promise<void>;
}

/** Telegram's command menu entries for the registry: names without aliases, descriptions ≤ 256. */
export function telegramCommandMenu(
  commands: AnyCommandSpec[],
): Array<{ command: string; description: string }> {
  return commands
    .filter((command) => /^[a-z0-9_]{1,32}$/.test(command.name))
    .slice(0, 100)
    .map((command) => ({ command: command.name, description: command.description.slice(0, 256) }));
}

function toKeyboard(message: TelegramMessage | TelegramPhotoMessage) {
  return message.buttons?.length ? { inline_keyboard: message.buttons } : undefined;
}

/** Telegram says the chat is gone for good (kicked, blocked, deleted, no rights). */
function isPermanentFailure(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    (error.error_code === 403 ||
      (error.error_code === 400 &&
        /chat not found|have no rights|CHAT_WRITE_FORBIDDEN|TOPIC_CLOSED/i.test(error.description)))
  );
}

/** The grammY adapter: updates → CommandContext → router; Reply → HTML messages. */
export function createTelegramAdapter(deps: TelegramAdapterDeps): TelegramAdapter {
  const { config, router, logger } = deps;
  const bot = new Bot(config.token, {
    client: { apiRoot: config.api_root },
    ...(deps.botInfo ? { botInfo: deps.botInfo } : {}),
  });
  // Honour 429 retry_after and retry 5xx: a reply is never dropped for a rate limit.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 10, maxDelaySeconds: deps.maxRetryAfterS ?? 300 }));
  bot.api.config.use(async (prev, method, payload, signal) => {
    try {
      return await prev(method, payload, signal);
    } catch (error) {
      if (method === 'getUpdates' && !signal?.aborted) {
        logger.warn({ err: describeError(error) }, 'could not fetch updates from Telegram; retrying');
      }
      throw error;
    }
  });
  // Notifications go through the outbox, which paces them and waits out 429s itself: a hidden
  // retry here would spend the global budget behind the outbox's back.
  const notificationApi = new Api(config.token, { apiRoot: config.api_root });
  const sendResumable = createResumableSender();

  const contextOf = (ctx: Context): CommandContext | null => {
    const chat = ctx.chat;
    const from = ctx.from;
    if (!chat || !from || from.is_bot) return null;
    const message = ctx.msg;
    const threadId =
      message &&
      'message_thread_id' in message &&
      message.message_thread_id !== undefined &&
      message.is_topic_message
        ? message.message_thread_id
        : null;
    const name = from.username ? `@${from.username}` : from.first_name;
    const context: CommandContext = {
      platform: 'telegram',
      chatId: String(chat.id),
      userId: String(from.id),
      threadId,
      isPrivate: chat.type === 'private',
      userName: name,
    };
    // A typed command carries the time it was sent; a button press carries none (its message's
    // date is when the prompt was posted), so presses that waited while we were down are flagged.
    if (ctx.callbackQuery) {
      if (ctx.update.update_id <= offlineBacklogUntil) context.arrivedWhileOffline = true;
    } else if (message && 'date' in message && typeof message.date === 'number') {
      context.sentAtMs = message.date * 1000;
    }
    return context;
  };

  /** The configured reply keyboard (`telegram.keyboard`), or undefined when there is none. */
  const replyKeyboard = config.keyboard ? telegramReplyKeyboard(config.keyboard) : undefined;
  /**
   * The reply keyboard for a command reply in this chat: only where commands are served (a
   * configured chat, or a private chat), never in a group that is not ours (where a stranger's
   * /tg_info is answered).
   */
  const keyboardFor = (ctx: CommandContext): TelegramReplyKeyboard | undefined =>
    replyKeyboard && (ctx.isPrivate || config.chats.some((chat) => chat.chat_id === ctx.chatId))
      ? replyKeyboard
      : undefined;

  /**
   * Sends a reply: one photo when it carries an image, else its text parts in order. A reply
   * keyboard goes on whatever carries no inline buttons (a message carries one reply_markup).
   */
  const sendParts = async (
    target: TelegramTarget,
    reply: Reply,
    api: Api = bot.api,
    keyboard?: TelegramReplyKeyboard,
  ) =>
    reply.image
      ? sendPhoto(target, renderTelegramPhoto(reply, reply.image), api, keyboard)
      : sendRendered(target, renderTelegram(reply), api, keyboard);

  /** The photo's bytes as an upload (grammY sends it as multipart/form-data, `attach://`). */
  const photoFile = (photo: TelegramPhotoMessage) => new InputFile(photo.image.png, photo.image.fileName);

  /** Sends a photo with its caption and buttons; returns its message id when it has buttons. */
  const sendPhoto = async (
    target: TelegramTarget,
    photo: TelegramPhotoMessage,
    api: Api = bot.api,
    replyKeyboardOfChat?: TelegramReplyKeyboard,
  ): Promise<number | undefined> => {
    const keyboard = toKeyboard(photo);
    const markup = keyboard ?? replyKeyboardOfChat;
    const sent = await api.sendPhoto(target.chatId, photoFile(photo), {
      ...(photo.caption !== undefined ? { caption: photo.caption, parse_mode: 'HTML' as const } : {}),
      ...(target.threadId !== null ? { message_thread_id: target.threadId } : {}),
      ...(photo.silent ? { disable_notification: true } : {}),
      ...(markup ? { reply_markup: markup } : {}),
    });
    return keyboard ? sent.message_id : undefined;
  };

  /** Replaces a photo message's picture, caption and buttons (a Refresh of an image reply). */
  const editPhoto = async (chatId: number | string, messageId: number, photo: TelegramPhotoMessage) => {
    await bot.api.editMessageMedia(
      chatId,
      messageId,
      {
        type: 'photo',
        media: photoFile(photo),
        ...(photo.caption !== undefined ? { caption: photo.caption, parse_mode: 'HTML' as const } : {}),
      },
      { reply_markup: toKeyboard(photo) ?? { inline_keyboard: [] } },
    );
  };

  /**
   * Sends parts in order; returns the id of the message that carries buttons, if any. A reply
   * keyboard goes on the parts without inline buttons (a message carries one reply_markup).
   */
  const sendRendered = async (
    target: TelegramTarget,
    parts: TelegramMessage[],
    api: Api = bot.api,
    keyboard?: TelegramReplyKeyboard,
  ): Promise<number | undefined> => {
    let withButtons: number | undefined;
    for (const part of parts) {
      const markup = toKeyboard(part) ?? keyboard;
      const sent = await api.sendMessage(target.chatId, part.html, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(target.threadId !== null ? { message_thread_id: target.threadId } : {}),
        ...(part.silent ? { disable_notification: true } : {}),
        ...(markup ? { reply_markup: markup } : {}),
      });
      if (toKeyboard(part)) withButtons = sent.message_id;
    }
    return withButtons;
  };

  /** Update ids at or below this waited for us while we were down (found before polling began). */
  let offlineBacklogUntil = 0;
  const expiryTimers = new Set<NodeJS.Timeout>();
  /**
   * When a confirmation prompt's time is up, its buttons go and it says it expired, unless it
   * was used meanwhile (the router knows).
   */
  const scheduleExpiry = (chatId: string, messageId: number | undefined, reply: Reply) => {
    if (reply.expiresAtMs === undefined || messageId === undefined || stopped) return;
    const timer = setTimeout(
      () => {
        expiryTimers.delete(timer);
        const expired = router.expiredPrompt(reply);
        if (!expired) return;
        const parts = renderTelegram(expired);
        const photo = expired.image ? renderTelegramPhoto(expired, expired.image) : undefined;
        // A photo has a caption, not a text.
        const edit = photo
          ? bot.api.editMessageCaption(chatId, messageId, {
              ...(photo.caption !== undefined ? { caption: photo.caption, parse_mode: 'HTML' as const } : {}),
              reply_markup: { inline_keyboard: [] },
            })
          : parts.length === 1 && parts[0]
            ? bot.api.editMessageText(chatId, messageId, parts[0].html, {
                parse_mode: 'HTML',
                link_preview_options: { is_disabled: true },
                reply_markup: { inline_keyboard: [] },
              })
            : bot.api.editMessageReplyMarkup(chatId, messageId, { reply_markup: { inline_keyboard: [] } });
        edit.catch((error: unknown) =>
          logger.warn({ err: describeError(error) }, 'could not mark an expired confirmation'),
        );
      },
      Math.max(0, reply.expiresAtMs - Date.now()) + 250,
    );
    timer.unref();
    expiryTimers.add(timer);
  };

  // Handled-update bookkeeping: tests and tools wait on it instead of sleeping.
  const handled = new Set<number>();
  const handledOrder: number[] = [];
  const waiters = new Map<number, Array<() => void>>();
  const markHandled = (updateId: number) => {
    handled.add(updateId);
    handledOrder.push(updateId);
    if (handledOrder.length > 1_000) handled.delete(handledOrder.shift() as number);
    for (const resolve of waiters.get(updateId) ?? []) resolve();
    waiters.delete(updateId);
  };
  // Read once, when this instance starts to poll: everything up to it was taken by an earlier one.
  const takenBefore = deps.cursor?.read() ?? 0;
  bot.use(async (ctx, next) => {
    try {
      const updateId = ctx.update.update_id;
      if (updateId <= takenBefore) {
        logger.info({ update: updateId }, 'update already taken in before this start; skipped');
        return;
      }
      // Recorded before it is handled: an instance after a crash or a takeover skips it, so it
      // never runs twice. If the store does not confirm in time, it is not handled at all.
      if (deps.cursor && !(await deps.cursor.save(updateId))) {
        logger.error({ update: updateId }, 'the state store did not record an update; it was not handled');
        return;
      }
      await next();
    } finally {
      markHandled(ctx.update.update_id);
    }
  });
  // Updates run side by side; in one chat, commands to the same bot keep their order. Button
  // presses are never queued behind a slow command: a Confirm for a healthy bot goes out at once.
  bot.use(
    sequentialize((ctx: Context) => {
      if (!ctx.chat || ctx.callbackQuery) return [];
      const commandCtx = contextOf(ctx);
      const text = ctx.message?.text;
      if (!commandCtx || text === undefined) return [];
      return [`${chatKeyOf(commandCtx)}|${router.botOfLine(commandCtx, text) ?? ''}`];
    }),
  );

  bot.on('message:text', async (ctx) => {
    const commandCtx = contextOf(ctx);
    if (!commandCtx) return;
    // `/pause@OtherBot` in a shared group is meant for another bot (Freqtrade's own, say).
    const addressedTo = /^\/[A-Za-z0-9_]+@([A-Za-z0-9_]+)/.exec(ctx.message.text)?.[1];
    if (addressedTo && addressedTo.toLowerCase() !== ctx.me.username.toLowerCase()) return;
    const reply = await router.handleText(commandCtx, ctx.message.text);
    if (!reply) return;
    const messageId = await sendParts(
      { chatId: commandCtx.chatId, threadId: commandCtx.threadId },
      reply,
      bot.api,
      keyboardFor(commandCtx),
    );
    scheduleExpiry(commandCtx.chatId, messageId, reply);
  });

  bot.on('callback_query:data', async (ctx) => {
    const message = ctx.callbackQuery.message;
    // The same context as a typed command (grammY's ctx.msg is the pressed message here).
    const commandCtx = contextOf(ctx);
    if (!message || !commandCtx) {
      await ctx.answerCallbackQuery({ text: 'This button is not valid here.', show_alert: true });
      return;
    }
    const { chat } = message;
    const { threadId } = commandCtx;
    let answered = false;
    const outcome = await router.handleButton(commandCtx, ctx.callbackQuery.data, async (notice) => {
      answered = true;
      await ctx.answerCallbackQuery({ text: notice });
    });
    // The action has run by now: a late or failed answer must not swallow its result.
    if (!answered) {
      try {
        await ctx.answerCallbackQuery({
          ...(outcome.notice ? { text: outcome.notice } : {}),
          ...(outcome.alert ? { show_alert: true } : {}),
        });
      } catch (error) {
        logger.warn(
          { err: describeError(error) },
          'could not answer a button press (too late?); showing the result anyway',
        );
      }
    }
    if (!outcome.reply) return;
    const target = { chatId: String(chat.id), threadId };
    if (outcome.mode === 'edit' && outcome.reply.image) {
      const photo = renderTelegramPhoto(outcome.reply, outcome.reply.image);
      try {
        await editPhoto(chat.id, message.message_id, photo);
        if (toKeyboard(photo)) scheduleExpiry(target.chatId, message.message_id, outcome.reply);
      } catch (error) {
        if (error instanceof GrammyError && /message is not modified/i.test(error.description)) return;
        // Not a photo message, gone, or too old to edit: the result is still shown, as a new one.
        logger.warn({ err: describeError(error) }, 'could not edit the photo; sending the result instead');
        scheduleExpiry(target.chatId, await sendPhoto(target, photo), outcome.reply);
      }
      return;
    }
    const parts = renderTelegram(outcome.reply);
    const [first, ...rest] = parts;
    if (outcome.mode === 'edit' && first) {
      try {
        await ctx.api.editMessageText(chat.id, message.message_id, first.html, {
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          reply_markup: toKeyboard(first) ?? { inline_keyboard: [] },
        });
        if (toKeyboard(first)) scheduleExpiry(target.chatId, message.message_id, outcome.reply);
      } catch (error) {
        // Refresh with unchanged numbers: Telegram refuses an identical edit; nothing to do.
        if (error instanceof GrammyError && /message is not modified/i.test(error.description)) {
          await sendRendered(target, rest);
          return;
        }
        // The message is gone or too old to edit: the result is still shown, as a new message.
        logger.warn({ err: describeError(error) }, 'could not edit the message; sending the result instead');
        await sendRendered(target, parts);
        return;
      }
      await sendRendered(target, rest);
      return;
    }
    scheduleExpiry(target.chatId, await sendParts(target, outcome.reply), outcome.reply);
  });

  bot.catch((error) => {
    const cause = error.error;
    logger.error(
      {
        err: cause instanceof Error ? { name: cause.name, message: cause.message } : String(cause),
        update: error.ctx.update.update_id,
      },
      'telegram update failed',
    );
  });

  let runner: RunnerHandle | null = null;
  let stopped = false;

  return {
    name: 'telegram',
    async start() {
      stopped = false;
      // Telegram may be unreachable at start; keep trying without blocking the rest of the bot.
      let delayMs = 1_000;
      for (;;) {
        try {
          await bot.init();
          break;
        } catch (error) {
          if (error instanceof GrammyError && error.error_code === 401) {
            throw new PlatformAuthError('Telegram', 'telegram.token', '401 Unauthorized');
          }
          if (stopped) return;
          logger.warn(
            {
              reason: error instanceof HttpError ? 'network' : String((error as Error).message),
              retryInMs: delayMs,
            },
            'telegram is unreachable; retrying',
          );
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          delayMs = Math.min(delayMs * 2, 30_000);
          if (stopped) return;
        }
      }
      try {
        await bot.api.setMyCommands(telegramCommandMenu(router.commands()));
      } catch (error) {
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'setMyCommands failed');
      }
      const allowedUpdates = ['message', 'callback_query'] as const;
      try {
        // Look at what waited for us while we were down, without taking it off the queue: a
        // button press among it has no time of its own and must not confirm an order hours late.
        const backlog = await bot.api.getUpdates({
          timeout: 0,
          limit: 100,
          allowed_updates: [...allowedUpdates],
        });
        offlineBacklogUntil = backlog.at(-1)?.update_id ?? 0;
        if (backlog.length > 0) logger.info({ updates: backlog.length }, 'updates waited while offline');
      } catch (error) {
        logger.warn({ err: describeError(error) }, 'could not look at the waiting updates');
      }
      if (stopped) return;
      runner = run(bot, {
        runner: {
          fetch: { allowed_updates: [...allowedUpdates], timeout: config.polling_timeout_s },
          // Fetch errors are logged by the transformer below, without the runner's console noise.
          silent: true,
        },
      });
      runner.task()?.catch((error: unknown) => {
        logger.error({ err: describeError(error) }, 'telegram polling stopped');
      });
      logger.info({ bot: bot.botInfo.username }, 'telegram bot started');
    },
    async stop() {
      stopped = true;
      for (const timer of expiryTimers) clearTimeout(timer);
      expiryTimers.clear();
      const handle = runner;
      runner = null;
      if (!handle?.isRunning()) return;
      // The runner aborts its long poll; a Telegram that stopped answering cannot hold us here.
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = await Promise.race([
        handle.stop().then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), TELEGRAM_STOP_TIMEOUT_MS);
        }),
      ]).finally(() => clearTimeout(timer));
      if (gaveUp)
        logger.warn({ timeoutMs: TELEGRAM_STOP_TIMEOUT_MS }, 'telegram polling did not stop in time');
    },
    whenHandled(updateId) {
      if (handled.has(updateId)) return Promise.resolve();
      return new Promise((resolve) => {
        const list = waiters.get(updateId) ?? [];
        list.push(resolve);
        waiters.set(updateId, list);
      });
    },
    async send(target, reply) {
      try {
        await sendResumable(reply, renderTelegram(reply), async (part) => {
          await sendRendered(target, [part], notificationApi);
        });
      } catch (error) {
        const migratedTo = error instanceof GrammyError ? error.parameters.migrate_to_chat_id : undefined;
        const permanent = isPermanentFailure(error) || migratedTo !== undefined;
        const dropMessage = !permanent && error instanceof GrammyError && error.error_code === 400;
        const description =
          migratedTo !== undefined
            ? `the group became supergroup ${migratedTo}: put that chat_id in telegram.chats`
            : error instanceof GrammyError
              ? error.description
              : error instanceof Error
                ? error.message
                : String(error);
        const retryAfterS =
          error instanceof GrammyError && error.error_code === 429 ? error.parameters.retry_after : undefined;
        throw new DeliveryError(`telegram delivery to ${target.chatId} failed: ${description}`, {
          permanent,
          dropMessage,
          ...(retryAfterS !== undefined ? { retryAfterMs: retryAfterS * 1000 } : {}),
          cause: error,
        });
      }
    },
  };
}
