import {
  type Reply,
  type ReplyButton,
  type ReplyImage,
  type ReplyTone,
  renderTableText,
} from '../chat/reply.js';

/**
 * What a reply's buttons ask of a console user, who cannot click: `confirm` (yes / no), `choice`
 * (a number picks an option; no cancels when a Cancel button exists), `refresh` (r re-runs the
 * command) or nothing. Pressing one hands its opaque action back to the router.
 */
export type ConsoleAnswer =
  | { kind: 'confirm'; confirm: ReplyButton; cancel: ReplyButton | null }
  | { kind: 'choice'; options: ReplyButton[]; cancel: ReplyButton | null }
  | { kind: 'refresh'; refresh: ReplyButton }
  | { kind: 'none' };

/** Options of the console renderer. */
export interface ConsoleRenderOptions {
  /** Colour by tone with ANSI escapes (a terminal); false gives plain text (pipes, files). */
  color: boolean;
  /** Where the reply's image was written; without it the image line gives only its alt text. */
  imagePath?: string;
}

/**
 * The line that stands for a reply's image: `🖼 image: <path> (<KB> KB, <w>×<h>) — <alt>`, or
 * `🖼 image: <alt>` when it could not be written.
 */
export function renderImageLine(image: ReplyImage, imagePath: string | undefined): string {
  const alt = stripControlCharacters(image.alt).replace(/\s*\n\s*/g, ' ');
  if (imagePath === undefined) return `🖼 image: ${alt}`;
  const kilobytes = (image.png.byteLength / 1024).toFixed(1);
  return `🖼 image: ${stripControlCharacters(imagePath)} (${kilobytes} KB, ${image.width}×${image.height}) — ${alt}`;
}

/**
 * Classifies a reply's buttons by their `role`; `none` when it has no buttons (or none with a
 * role). A Refresh button beside a confirmation or a picker is ignored.
 */
export function consoleAnswerOf(reply: Reply): ConsoleAnswer {
  const buttons = (reply.buttons ?? []).flat();
  const confirm = buttons.find((button) => button.role === 'confirm');
  const cancel = buttons.find((button) => button.role === 'cancel') ?? null;
  const picks = buttons.filter((button) => button.role === 'pick');
  if (confirm) return { kind: 'confirm', confirm, cancel };
  if (cancel || picks.length > 0) return { kind: 'choice', options: picks, cancel };
  const refresh = buttons.find((button) => button.role === 'refresh');
  if (refresh) return { kind: 'refresh', refresh };
  return { kind: 'none' };
}

const ESC = '\u001b[';
const RESET = `${ESC}0m`;

const TONE_CODES: Record<ReplyTone, string> = {
  profit: '32',
  loss: '31',
  entry: '36',
  info: '34',
  warning: '33',
  error: '1;31',
  neutral: '',
};

function paint(text: string, code: string, color: boolean): string {
  return color && code && text ? `${ESC}${code}m${text}${RESET}` : text;
}

/**
 * Removes terminal control characters (escape sequences start with ESC) from text that came from
 * Freqtrade or a user, keeping newlines and tabs; so a pair name or strategy message cannot move
 * the cursor or recolour the terminal. Returns the text unchanged when it has none.
 */
export function stripControlCharacters(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

const MAX_ONE_LINE_CHOICES = 100;

function choiceLines(answer: Extract<ConsoleAnswer, { kind: 'choice' }>): string[] {
  if (answer.options.length === 0) return answer.cancel ? ['— answer no to dismiss'] : [];
  const numbered = answer.options.map(
    (option, index) => `${index + 1}) ${stripControlCharacters(option.label)}`,
  );
  const hint = answer.cancel ? 'answer with a number, or no to cancel' : 'answer with a number';
  const oneLine = numbered.join('  ');
  if (oneLine.length <= MAX_ONE_LINE_CHOICES) return [`${oneLine}  — ${hint}`];
  return [...numbered, `— ${hint}`];
}

/** The hint lines for a reply's buttons (none for a reply without buttons). */
function buttonLines(reply: Reply): string[] {
  const answer = consoleAnswerOf(reply);
  switch (answer.kind) {
    case 'confirm': {
      const labels = [answer.confirm, ...(answer.cancel ? [answer.cancel] : [])]
        .map((button) => `[${stripControlCharacters(button.label)}]`)
        .join(' ');
      return [`${labels} — answer ${answer.cancel ? 'yes or no' : 'yes'}`];
    }
    case 'choice':
      return choiceLines(answer);
    case 'refresh':
      return [`[${stripControlCharacters(answer.refresh.label)}] — answer r to refresh`];
    case 'none':
      return [];
  }
}

/**
 * Renders a reply as terminal lines: the title (bold, coloured by tone), then each block
 * (fields as `label: value`, tables aligned, code verbatim), then a hint line for its buttons.
 * An image is one line under the title (see `renderImageLine`).
 * Plain text when `color` is false. Control characters in the content are dropped. A reply with
 * no title and no blocks gives only its button hint (or no lines).
 */
export function renderConsoleLines(reply: Reply, options: ConsoleRenderOptions): string[] {
  const { color } = options;
  const tone = TONE_CODES[reply.tone ?? 'neutral'];
  const clean = (text: string) => stripControlCharacters(text).split('\n');
  const lines: string[] = [];
  if (reply.title) {
    for (const line of clean(reply.title)) lines.push(paint(line, tone ? `1;${tone}` : '1', color));
  }
  // The picture right under the title, as the other platforms show it above their text.
  if (reply.image) lines.push(renderImageLine(reply.image, options.imagePath));
  const bodyStart = lines.length;
  for (const block of reply.blocks) {
    switch (block.kind) {
      case 'text': {
        const code = block.style === 'bold' ? '1' : block.style === 'italic' ? '3' : '';
        // Without a title the first paragraph carries the tone (e.g. a lone warning).
        const toned = !reply.title && lines.length === bodyStart && tone ? tone : '';
        const style = [code, toned].filter(Boolean).join(';');
        for (const line of clean(block.text)) lines.push(paint(line, style, color));
        break;
      }
      case 'fields':
        for (const field of block.fields) {
          const label = stripControlCharacters(field.label);
          const [first = '', ...rest] = clean(field.value);
          lines.push(`${paint(`${label}:`, '1', color)} ${first}`);
          for (const line of rest) lines.push(`  ${line}`);
        }
        break;
      case 'table':
        lines.push(
          ...clean(
            renderTableText({
              ...block,
              headers: block.headers.map(stripControlCharacters),
              rows: block.rows.map((row) => row.map(stripControlCharacters)),
            }),
          ),
        );
        break;
      case 'code':
        for (const line of clean(block.text)) lines.push(paint(line, '2', color));
        break;
    }
  }
  for (const line of buttonLines(reply)) lines.push(paint(line, '2', color));
  return lines;
}

/** Renders a button press's short notice (e.g. "This button has expired"), coloured as a warning when it is an alert. */
export function renderNoticeLine(notice: string, alert: boolean, options: ConsoleRenderOptions): string {
  return paint(stripControlCharacters(notice), alert ? TONE_CODES.warning : '2', options.color);
}
