import { clearLine, createInterface, cursorTo, type Interface } from 'node:readline';
import type { Reply, ReplyButton } from '../chat/reply.js';
import type { CommandRouter } from '../chat/router.js';
import type { CommandContext } from '../chat/types.js';
import { createConsoleImageFiles } from './image-files.js';
import {
  type ConsoleAnswer,
  consoleAnswerOf,
  renderConsoleLines,
  renderNoticeLine,
  stripControlCharacters,
} from './render.js';

/** A terminal chat: lines typed (or piped) in are commands, replies and notifications are printed. */
export interface ConsoleAdapter {
  /** Reads input until it ends (Ctrl-D, end of a pipe) or `stop()`; resolves after the last reply is written. */
  start(): Promise<void>;
  /** Prints a notification; on a terminal, above the line being typed without garbling it. */
  notify(reply: Reply): Promise<void>;
  /**
   * Stops reading; `start()` resolves once the line being handled (if any) is answered. Removes
   * the temporary folder of reply images (it is also removed when the process exits).
   */
  stop(): void;
}

export interface ConsoleAdapterDeps {
  router: CommandRouter;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The input is a terminal (stdin is a TTY): prompt with `> ` and keep the typed line intact. */
  interactive: boolean;
  /** ANSI colours by tone. */
  color: boolean;
  /** The console user's id, `console:<id>` in `access`; default `demo`. */
  userId?: string;
  /** The console chat's id (its key is `console:<id>`); default `demo`. */
  chatId?: string;
  /** Where the temporary folder of reply images is made; the OS temp folder by default. */
  imageParentDir?: string;
}

const PROMPT = '> ';
const YES = new Set(['y', 'yes']);
const NO = new Set(['n', 'no', 'cancel']);

/** A reply's Chart button (role `chart`), if it has one. */
function chartButtonOf(reply: Reply): ReplyButton | undefined {
  return (reply.buttons ?? []).flat().find((button) => button.role === 'chart');
}

/** Creates the console adapter; nothing is read or written until `start()` / `notify()`. */
export function createConsoleAdapter(deps: ConsoleAdapterDeps): ConsoleAdapter {
  const { router, output, interactive } = deps;
  const renderOptions = { color: deps.color };
  const images = createConsoleImageFiles(deps.imageParentDir);
  const ctx: CommandContext = {
    platform: 'console',
    chatId: deps.chatId ?? 'demo',
    userId: deps.userId ?? 'demo',
    threadId: null,
    isPrivate: true,
    userName: 'you',
  };
  /** What the last reply's buttons let a bare answer (`yes`, `2`, `r`) press. */
  let answer: ConsoleAnswer = { kind: 'none' };
  /** The last reply's Chart button: `c` sends its chart (a new reply; the last one stays answerable by it). */
  let chart: ReplyButton | undefined;
  /** The readline interface while it is open (a closed one must not be prompted again). */
  let rl: Interface | undefined;
  let stopped = false;
  /** On a terminal: the prompt is on screen (Enter moves past it; printing redraws it). */
  let promptShown = false;
  let finished: Promise<void> | undefined;

  /** Writes whole lines; on a terminal, above the prompt, then redraws the prompt and the typed text. */
  const print = (lines: string[]) => {
    if (lines.length === 0) return;
    const text = `${lines.join('\n')}\n`;
    if (interactive && rl) {
      clearLine(output, 0);
      cursorTo(output, 0);
      output.write(text);
      rl.prompt(true);
      promptShown = true;
    } else {
      output.write(text);
    }
  };

  /** A reply's lines, with the hint for its Chart button; its image is written to the temporary folder first. */
  const replyLines = async (reply: Reply): Promise<string[]> => {
    const chartButton = chartButtonOf(reply);
    const hint = chartButton
      ? [`[${stripControlCharacters(chartButton.label)}] — answer c for the chart`]
      : [];
    return [...(await bodyLines(reply)), ...hint];
  };

  const bodyLines = async (reply: Reply): Promise<string[]> => {
    if (!reply.image) return renderConsoleLines(reply, renderOptions);
    let imagePath: string | undefined;
    try {
      imagePath = await images.write(reply.image);
    } catch (error) {
      print([`Could not save the image: ${error instanceof Error ? error.message : String(error)}`]);
    }
    return renderConsoleLines(reply, { ...renderOptions, ...(imagePath !== undefined ? { imagePath } : {}) });
  };

  const printReply = async (reply: Reply) => {
    const lines = await replyLines(reply);
    answer = consoleAnswerOf(reply);
    chart = chartButtonOf(reply);
    print([...lines, '']);
  };

  const press = async (action: string) => {
    const outcome = await router.handleButton(ctx, action);
    const lines: string[] = [];
    if (outcome.notice && (!outcome.reply || outcome.alert)) {
      lines.push(renderNoticeLine(outcome.notice, outcome.alert ?? false, renderOptions));
    }
    if (outcome.reply) {
      lines.push(...(await replyLines(outcome.reply)));
      answer = consoleAnswerOf(outcome.reply);
      // A chart sent beside the reply leaves that reply's Chart button usable.
      if (outcome.mode === 'edit' || chartButtonOf(outcome.reply)) chart = chartButtonOf(outcome.reply);
    } else {
      answer = { kind: 'none' };
    }
    print([...lines, '']);
  };

  /** Handles one line: a command, an answer to the last reply's buttons, or a hint. */
  const handleLine = async (raw: string) => {
    const line = raw.trim();
    if (line === '') return;
    // A terminal echoes what was typed; piped input is echoed here so the transcript reads as a chat.
    if (!interactive) print([`${PROMPT}${stripControlCharacters(line)}`]);
    if (line.startsWith('/')) {
      const reply = await router.handleText(ctx, line);
      if (reply) await printReply(reply);
      else print(['(no reply)', '']);
      return;
    }
    const word = line.toLowerCase();
    const current = answer;
    if (current.kind === 'confirm') {
      if (YES.has(word)) return press(current.confirm.action);
      if (NO.has(word) && current.cancel) return press(current.cancel.action);
      return print(['Answer yes or no, or send another command.', '']);
    }
    if (current.kind === 'choice') {
      const index = /^\d+$/.test(word) ? Number(word) - 1 : -1;
      const option = current.options[index];
      if (option) return press(option.action);
      if (NO.has(word) && current.cancel) return press(current.cancel.action);
      const range = current.options.length ? `a number from 1 to ${current.options.length}` : 'no';
      return print([`Answer with ${range}, or send another command.`, '']);
    }
    if (current.kind === 'refresh' && (word === 'r' || word === 'refresh'))
      return press(current.refresh.action);
    if (chart && (word === 'c' || word === 'chart')) return press(chart.action);
    print(['Commands start with "/": try /help.', '']);
  };

  const run = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const reader = createInterface({
        input: deps.input,
        // Only a terminal gets readline's echo and line editing; piped input stays silent.
        ...(interactive ? { output, terminal: true, prompt: PROMPT } : { terminal: false }),
        historySize: interactive ? 100 : 0,
      });
      rl = reader;
      const queue: string[] = [];
      let busy = false;
      let closed = false;
      const drain = async () => {
        if (busy) return;
        busy = true;
        while (queue.length > 0 && !stopped) {
          const line = queue.shift() ?? '';
          try {
            await handleLine(line);
          } catch (error) {
            // The router turns command failures into replies; this is a bug, not user error.
            print([`Internal error: ${error instanceof Error ? error.message : String(error)}`, '']);
          }
          if (interactive && rl && queue.length === 0 && !promptShown) {
            rl.prompt(true);
            promptShown = true;
          }
        }
        busy = false;
        if (closed || stopped) resolve();
      };
      reader.on('line', (line) => {
        promptShown = false;
        queue.push(line);
        void drain();
      });
      reader.on('close', () => {
        closed = true;
        rl = undefined;
        // Leave the cursor on a fresh line after Ctrl-D / Ctrl-C.
        if (interactive) output.write('\n');
        if (!busy) resolve();
      });
      if (interactive) {
        reader.prompt();
        promptShown = true;
      }
    });

  return {
    start() {
      finished ??= run().finally(() => {
        stopped = true;
        rl?.close();
      });
      return finished;
    },
    async notify(reply) {
      print([...(await replyLines(reply)), '']);
    },
    stop() {
      images.removeAll();
      if (stopped) return;
      stopped = true;
      rl?.close();
    },
  };
}
