import { autoRetry } from '@grammyjs/auto-retry';
import { Api, Bot, type Context, GrammyError, HttpError } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { AnyCommandSpec, CommandContext } from '../chat/types.js';
import type { Reply } from '../chat/reply.js';
import type { CommandRouter } from '../chat/router.js';
import type { TelegramConfig } from '../config/schema.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createResumableSender, DeliveryError } from '../notify/delivery.js';
import { renderTelegram, type TelegramMessage } from './render.js';

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
}

export interface TelegramAdapter {
  readonly platform: 'telegram';
  /** Registers commands and starts long polling; resolves once polling has begun. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sends a reply to a chat (notifications); each part in order. */
  send(target: TelegramTarget, reply: Reply): Promise<void>;
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

function toKeyboard(message: TelegramMessage) {
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
    return {
      platform: 'telegram',
      chatId: String(chat.id),
      userId: String(from.id),
      threadId,
      isPrivate: chat.type === 'private',
      userName: name,
    };
  };

  const sendParts = async (target: TelegramTarget, reply: Reply, api: Api = bot.api) =>
    sendRendered(target, renderTelegram(reply), api);

  const sendRendered = async (target: TelegramTarget, parts: TelegramMessage[], api: Api = bot.api) => {
    for (const part of parts) {
      await api.sendMessage(target.chatId, part.html, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(target.threadId !== null ? { message_thread_id: target.threadId } : {}),
        ...(part.silent ? { disable_notification: true } : {}),
        ...(toKeyboard(part) ? { reply_markup: toKeyboard(part) } : {}),
      });
    }
  };

  bot.on('message:text', async (ctx) => {
    const commandCtx = contextOf(ctx);
    if (!commandCtx) return;
    // `/pause@OtherBot` in a shared group is meant for another bot (Freqtrade's own, say).
    const addressedTo = /^\/[A-Za-z0-9_]+@([A-Za-z0-9_]+)/.exec(ctx.message.text)?.[1];
    if (addressedTo && addressedTo.toLowerCase() !== ctx.me.username.toLowerCase()) return;
    const reply = await router.handleText(commandCtx, ctx.message.text);
    if (reply) await sendParts({ chatId: commandCtx.chatId, threadId: commandCtx.threadId }, reply);
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
    const outcome = await router.handleButton(commandCtx, ctx.callbackQuery.data);
    // The action has run by now: a late or failed answer must not swallow its result.
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
    if (!outcome.reply) return;
    const target = { chatId: String(chat.id), threadId };
    const parts = renderTelegram(outcome.reply);
    const [first, ...rest] = parts;
    if (outcome.mode === 'edit' && first) {
      try {
        await ctx.api.editMessageText(chat.id, message.message_id, first.html, {
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          reply_markup: toKeyboard(first) ?? { inline_keyboard: [] },
        });
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
    await sendParts(target, outcome.reply);
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

  let polling: Promise<void> | null = null;
  let stopped = false;

  return {
    platform: 'telegram',
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
            throw new Error('Telegram refused the bot token (401 Unauthorized): check telegram.token');
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
      await new Promise<void>((resolve) => {
        polling = bot
          .start({
            allowed_updates: ['message', 'callback_query'],
            timeout: config.polling_timeout_s,
            onStart: () => resolve(),
          })
          .catch((error: unknown) => {
            logger.error(
              { err: error instanceof Error ? error.message : String(error) },
              'telegram polling stopped',
            );
            resolve();
          });
      });
      logger.info({ bot: bot.botInfo.username }, 'telegram bot started');
    },
    async stop() {
      stopped = true;
      if (bot.isRunning()) await bot.stop();
      await polling;
    },
    async send(target, reply) {
      try {
        await sendResumable(reply, renderTelegram(reply), (part) =>
          sendRendered(target, [part], notificationApi),
        );
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
        throw new DeliveryError(`telegram delivery to ${target.chatId} failed: ${description}`, {
          permanent,
          dropMessage,
          cause: error,
        });
      }
    },
  };
}
