/**
 * Telegram renderer: a platform-neutral `Reply` as Telegram HTML messages (parse_mode 'HTML').
 * Pure; no grammY types. Text is escaped, so pairs, reasons and tags containing `<`, `&`, `_`
 * or `*` arrive intact (HTML has no meaning for `_` and `*`, unlike Telegram's Markdown modes).
 */
import { type Reply, type ReplyBlock, type ReplyImage, renderTableText } from '../chat/reply.js';
import { ValidationError } from '../errors.js';

export interface TelegramMessage {
  html: string;
  buttons?: Array<Array<{ text: string; callback_data: string }>>;
  silent: boolean;
}

/**
 * https://core.telegram.org/bots/api#sendmessage: "1-4096 characters after entities parsing",
 * counted as Unicode code points of the text with tags removed and `&lt;` as one character.
 */
export const TELEGRAM_MAX_MESSAGE_LENGTH = 4096;
/**
 * https://core.telegram.org/bots/api#sendphoto: "Photo caption ..., 0-1024 characters after
 * entities parsing", counted like a message text.
 */
export const TELEGRAM_MAX_CAPTION_LENGTH = 1024;
/** Ends a caption that had to be cut (on its own line, so it never lands inside a tag). */
const CAPTION_CUT_MARK = '\n…';
/** https://core.telegram.org/bots/api#inlinekeyboardbutton: callback_data is 1-64 bytes. */
const MAX_CALLBACK_DATA_BYTES = 64;
/** Sent when a reply has buttons but no text: Telegram refuses a message without text. */
const BUTTONS_ONLY_TEXT = '…';

type InlineTag = 'b' | 'i';

/** A run of text with at most one inline tag; a line is a list of runs, so tags never span lines. */
interface Segment {
  text: string;
  tag?: InlineTag;
}

type Block =
  | { kind: 'flow'; separator: string; lines: Segment[][] }
  /** `headLines` lines (a table's header and rule) are repeated when the block continues in a new part. */
  | { kind: 'pre'; separator: string; lines: string[]; headLines: number };

/** Escapes text for Telegram HTML: `&`, `<`, `>`, and `"` too when the text goes in an attribute. */
export function escapeHtml(text: string, attribute = false): string {
  const escaped = text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return attribute ? escaped.replaceAll('"', '&quot;') : escaped;
}

/** Counts Unicode code points, the unit of Telegram's length limits (an emoji is 1, not 2). */
function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

function segmentsLength(segments: Segment[]): number {
  return segments.reduce((sum, segment) => sum + codePointLength(segment.text), 0);
}

function segmentsHtml(segments: Segment[]): string {
  return segments
    .filter((segment) => segment.text.length > 0)
    .map((segment) =>
      segment.tag ? `<${segment.tag}>${escapeHtml(segment.text)}</${segment.tag}>` : escapeHtml(segment.text),
    )
    .join('');
}

/**
 * Where to cut a text of more than `size` code points: chunk end offsets (code points), each
 * chunk ≤ size, preferring to cut after whitespace in the last quarter of a chunk.
 */
function hardSplitPoints(text: string, size: number): number[] {
  const chars = [...text];
  const ends: number[] = [];
  let start = 0;
  while (chars.length - start > size) {
    let end = start + size;
    for (let k = end; k > start + Math.floor((size * 3) / 4); k -= 1) {
      if (/\s/.test(chars[k - 1] ?? '')) {
        end = k;
        break;
      }
    }
    ends.push(end);
    start = end;
  }
  ends.push(chars.length);
  return ends;
}

/** The runs between code point offsets `start` and `end` of a line, tags kept. */
function sliceSegments(segments: Segment[], start: number, end: number): Segment[] {
  const result: Segment[] = [];
  let position = 0;
  for (const segment of segments) {
    const chars = [...segment.text];
    const from = Math.max(start - position, 0);
    const to = Math.min(end - position, chars.length);
    if (from < to) {
      const piece: Segment = { text: chars.slice(from, to).join('') };
      if (segment.tag) piece.tag = segment.tag;
      result.push(piece);
    }
    position += chars.length;
  }
  return result;
}

function splitLines(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split('\n');
}

function isBlank(lines: string[]): boolean {
  return lines.every((line) => line.trim() === '');
}

/** Turns a reply into blocks of lines; blocks that would show nothing are left out. */
function toBlocks(reply: Reply): Block[] {
  const blocks: Block[] = [];
  const hasTitle = reply.title !== undefined && !isBlank(splitLines(reply.title));
  // The title sits right above the first block; blocks are a blank line apart.
  const separator = () => (blocks.length === 0 ? '' : blocks.length === 1 && hasTitle ? '\n' : '\n\n');
  if (hasTitle && reply.title !== undefined) {
    blocks.push({
      kind: 'flow',
      separator: '',
      lines: splitLines(reply.title).map((line) => [{ text: line, tag: 'b' }]),
    });
  }
  for (const block of reply.blocks) {
    const rendered = toBlock(block);
    if (!rendered) continue;
    blocks.push({ ...rendered, separator: separator() });
  }
  return blocks;
}

function toBlock(block: ReplyBlock): Block | undefined {
  switch (block.kind) {
    case 'text': {
      const lines = splitLines(block.text);
      if (isBlank(lines)) return undefined;
      const tag: InlineTag | undefined =
        block.style === 'bold' ? 'b' : block.style === 'italic' ? 'i' : undefined;
      return {
        kind: 'flow',
        separator: '',
        lines: lines.map((line) => [tag ? { text: line, tag } : { text: line }]),
      };
    }
    case 'fields': {
      const lines: Segment[][] = [];
      for (const field of block.fields) {
        const [first = '', ...rest] = splitLines(field.value);
        const line: Segment[] = [];
        if (field.label) line.push({ text: `${field.label}:`, tag: 'b' });
        if (first) line.push({ text: field.label ? ` ${first}` : first });
        lines.push(line);
        for (const more of rest) lines.push([{ text: more }]);
      }
      if (lines.length === 0) return undefined;
      return { kind: 'flow', separator: '', lines };
    }
    case 'table': {
      const lines = splitLines(renderTableText(block));
      if (isBlank(lines)) return undefined;
      return { kind: 'pre', separator: '', lines, headLines: Math.min(2, lines.length) };
    }
    case 'code': {
      const lines = splitLines(block.text);
      if (isBlank(lines)) return undefined;
      return { kind: 'pre', separator: '', lines, headLines: 0 };
    }
  }
}

/** Accumulates message parts; `length` counts the text Telegram will see (tags excluded). */
class PartBuilder {
  readonly parts: string[] = [];
  private html = '';
  private length = 0;
  private visible = false;
  private preOpen = false;

  constructor(private readonly limit: number) {}

  get isEmpty(): boolean {
    return this.html === '';
  }

  get inPre(): boolean {
    return this.preOpen;
  }

  fits(extraLength: number): boolean {
    return this.length + extraLength <= this.limit;
  }

  /** Appends text outside `<pre>` (closing an open one first). */
  appendFlow(separator: string, segments: Segment[]): void {
    this.closePre();
    this.html += escapeHtml(separator) + segmentsHtml(segments);
    this.length += codePointLength(separator) + segmentsLength(segments);
    if (segments.some((segment) => /\S/.test(segment.text))) this.visible = true;
  }

  openPre(separator: string): void {
    this.html += `${escapeHtml(separator)}<pre>`;
    this.length += codePointLength(separator);
    this.preOpen = true;
  }

  appendPre(text: string): void {
    this.html += escapeHtml(text);
    this.length += codePointLength(text);
    if (/\S/.test(text)) this.visible = true;
  }

  closePre(): void {
    if (!this.preOpen) return;
    this.html += '</pre>';
    this.preOpen = false;
  }

  /** Ends the current part; a part with only whitespace is dropped (Telegram rejects it as empty). */
  flush(): void {
    this.closePre();
    if (this.visible) this.parts.push(this.html);
    this.html = '';
    this.length = 0;
    this.visible = false;
  }
}

function placeFlowLine(builder: PartBuilder, limit: number, separator: string, line: Segment[]): void {
  const length = segmentsLength(line);
  if (!builder.isEmpty) {
    if (builder.fits(codePointLength(separator) + length)) {
      builder.appendFlow(separator, line);
      return;
    }
    builder.flush();
  }
  if (length <= limit) {
    builder.appendFlow('', line);
    return;
  }
  // One line longer than a whole message: cut it, keeping each run's tag on both sides of a cut.
  const text = line.map((segment) => segment.text).join('');
  let start = 0;
  for (const end of hardSplitPoints(text, limit)) {
    if (!builder.isEmpty) builder.flush();
    builder.appendFlow('', sliceSegments(line, start, end));
    start = end;
  }
}

function placePreLine(
  builder: PartBuilder,
  limit: number,
  separator: string,
  block: Extract<Block, { kind: 'pre' }>,
  index: number,
): void {
  const text = block.lines[index] ?? '';
  const length = codePointLength(text);
  if (builder.inPre) {
    if (builder.fits(1 + length)) {
      builder.appendPre(`\n${text}`);
      return;
    }
    builder.flush();
  } else if (!builder.isEmpty) {
    if (builder.fits(codePointLength(separator) + length)) {
      builder.openPre(separator);
      builder.appendPre(text);
      return;
    }
    builder.flush();
  }

  // A fresh part. A table continuing here repeats its header and rule, if they are short enough.
  builder.openPre('');
  if (block.headLines > 0 && index >= block.headLines) {
    const head = block.lines.slice(0, block.headLines).join('\n');
    const headLength = codePointLength(head);
    if (headLength * 2 <= limit && headLength + 1 + length <= limit) {
      builder.appendPre(`${head}\n${text}`);
      return;
    }
  }
  if (length <= limit) {
    builder.appendPre(text);
    return;
  }
  const chars = [...text];
  let start = 0;
  for (const end of hardSplitPoints(text, limit)) {
    if (start > 0) {
      builder.flush();
      builder.openPre('');
    }
    builder.appendPre(chars.slice(start, end).join(''));
    start = end;
  }
}

function toButtons(reply: Reply): TelegramMessage['buttons'] {
  if (!reply.buttons || reply.buttons.length === 0) return undefined;
  const problems: string[] = [];
  const rows = reply.buttons.map((row) =>
    row.map((button) => {
      const bytes = new TextEncoder().encode(button.action).length;
      if (bytes < 1 || bytes > MAX_CALLBACK_DATA_BYTES) {
        problems.push(
          `button "${button.label}": action is ${bytes} bytes, Telegram allows 1-${MAX_CALLBACK_DATA_BYTES}`,
        );
      }
      return { text: button.label, callback_data: button.action };
    }),
  );
  if (problems.length > 0) throw new ValidationError('Telegram inline keyboard', problems);
  return rows;
}

/**
 * Renders a Reply as one or more Telegram HTML messages, each ≤ `maxLength` code points after
 * entity parsing; buttons go on the last part. Splits on line boundaries, closing and reopening a
 * `<pre>` across parts (a table repeats its header there); a single line longer than a message is
 * cut. Returns [] for a reply with nothing to show; a reply with only buttons gets the text "…".
 * Throws ValidationError when a button's action is not 1-64 bytes (Telegram's callback_data).
 */
export function renderTelegram(
  reply: Reply,
  maxLength: number = TELEGRAM_MAX_MESSAGE_LENGTH,
): TelegramMessage[] {
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`renderTelegram: maxLength must be a positive integer, got ${maxLength}`);
  }
  const buttons = toButtons(reply);
  const builder = new PartBuilder(maxLength);
  for (const block of toBlocks(reply)) {
    if (block.kind === 'flow') {
      block.lines.forEach((line, index) => {
        placeFlowLine(builder, maxLength, index === 0 ? block.separator : '\n', line);
      });
    } else {
      block.lines.forEach((_, index) => {
        placePreLine(builder, maxLength, index === 0 ? block.separator : '\n', block, index);
      });
      builder.closePre();
    }
  }
  builder.flush();

  const silent = reply.silent ?? false;
  const messages: TelegramMessage[] = builder.parts.map((html) => ({ html, silent }));
  if (buttons) {
    const last = messages.at(-1);
    if (last) last.buttons = buttons;
    else messages.push({ html: escapeHtml(BUTTONS_ONLY_TEXT), buttons, silent });
  }
  return messages;
}

/** A reply with an image, as one Telegram photo (sendPhoto / editMessageMedia). */
export interface TelegramPhotoMessage {
  image: ReplyImage;
  /** The title and blocks as Telegram HTML, ≤ 1024 code points after parsing; none when empty. */
  caption?: string;
  /** True when the text was longer than a caption and was cut (ending with "…"). */
  captionCut: boolean;
  buttons?: Array<Array<{ text: string; callback_data: string }>>;
  silent: boolean;
}

/**
 * Renders a reply that carries an image as one Telegram photo: the title and blocks become the
 * HTML caption (rendered as a message would be, with tags balanced), cut at a line boundary with
 * a final "…" when longer than `maxCaptionLength` code points after entity parsing; the buttons
 * go under the photo. Throws ValidationError for a bad button action, as `renderTelegram` does.
 */
export function renderTelegramPhoto(
  reply: Reply,
  image: ReplyImage,
  maxCaptionLength: number = TELEGRAM_MAX_CAPTION_LENGTH,
): TelegramPhotoMessage {
  if (!Number.isInteger(maxCaptionLength) || maxCaptionLength < CAPTION_CUT_MARK.length + 1) {
    throw new RangeError(`renderTelegramPhoto: maxCaptionLength is too small, got ${maxCaptionLength}`);
  }
  const buttons = toButtons(reply);
  const { buttons: _buttons, image: _image, ...text } = reply;
  const whole = renderTelegram(text, maxCaptionLength);
  let caption = whole[0]?.html;
  const captionCut = whole.length > 1;
  if (captionCut) {
    // Each part closes its own tags, so the first part of a shorter split is a safe prefix.
    const shorter = renderTelegram(text, maxCaptionLength - CAPTION_CUT_MARK.length);
    caption = `${shorter[0]?.html ?? ''}${escapeHtml(CAPTION_CUT_MARK)}`;
  }
  return {
    image,
    ...(caption !== undefined ? { caption } : {}),
    captionCut,
    ...(buttons ? { buttons } : {}),
    silent: reply.silent ?? false,
  };
}
