/**
 * Discord renderer: a platform-neutral `Reply` as Discord message payloads (embeds + buttons).
 * Pure; no discord.js types. Text is Discord-markdown escaped and mentions are neutralised, so a
 * pair, an exit reason or a tag containing `*`, `_`, `@everyone` or `<@id>` shows as typed and
 * never pings anyone.
 */
import {
  type Reply,
  type ReplyBlock,
  type ReplyButton,
  type ReplyImage,
  type ReplyTone,
  renderTableText,
} from '../chat/reply.js';
import { ValidationError } from '../errors.js';
import { pluralWord } from '../format/plural.js';

export interface DiscordEmbedField {
  name: string;
  value: string;
  inline?: boolean;
}

export interface DiscordEmbed {
  title?: string;
  description?: string;
  color?: number;
  fields?: DiscordEmbedField[];
  footer?: { text: string };
  /** `attachment://<file name>` shows a file uploaded with the message. */
  image?: { url: string };
}

/**
 * A file to upload with a message. Not a field of Discord's JSON: adapters send it as a multipart
 * part (`files[n]`) and list it in the payload's `attachments` with its description.
 */
export interface DiscordUpload {
  /** The file name the embed refers to (`attachment://<name>`): letters, digits, `.`, `_`, `-`. */
  name: string;
  data: Uint8Array;
  /** Alt text (Discord's attachment `description`, ≤ 1024 characters). */
  description: string;
}

/** https://discord.com/developers/docs/interactions/message-components#button-object-button-styles */
export type DiscordButtonStyle = 1 | 2 | 4;

export interface DiscordButton {
  type: 2;
  style: DiscordButtonStyle;
  label: string;
  custom_id: string;
}

export interface DiscordActionRow {
  type: 1;
  components: DiscordButton[];
}

/** One Discord message, in the API's own field names (discord.js accepts it as is). */
export interface DiscordMessagePayload {
  content?: string;
  embeds?: DiscordEmbed[];
  components?: DiscordActionRow[];
  flags?: number;
  /** Files to upload with this message (the reply's image, on the first message). */
  files?: DiscordUpload[];
}

/**
 * Discord's limits, from https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 * and https://discord.com/developers/docs/interactions/message-components. Lengths are counted
 * here in UTF-16 code units, which is never less than Discord's count in characters.
 */
export const DISCORD_LIMITS = {
  content: 2000,
  embedsPerMessage: 10,
  /** Title + description + field names and values + footer, summed over every embed of a message. */
  embedCharsPerMessage: 6000,
  title: 256,
  description: 4096,
  fieldsPerEmbed: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  rowsPerMessage: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
  /** An attachment's `description` (alt text). */
  attachmentDescription: 1024,
} as const;

/** https://discord.com/developers/docs/resources/message#message-object-message-flags */
export const SUPPRESS_NOTIFICATIONS = 1 << 12;

/** Replies longer than this many messages are cut, with a note, rather than flooding a channel. */
export const MAX_PAYLOADS = 10;

/** Kept free in every message for the footer note (truncation), so it never breaks the 6000 budget. */
const NOTE_RESERVE = 300;
const EMBED_BUDGET = DISCORD_LIMITS.embedCharsPerMessage - NOTE_RESERVE;
const ZWSP = '\u200b';
const ELLIPSIS = '…';
const FENCE_OPEN = '```\n';
const FENCE_CLOSE = '\n```';

export const TONE_COLORS: Record<ReplyTone, number> = {
  profit: 0x2ecc71,
  loss: 0xe74c3c,
  entry: 0x3498db,
  info: 0x95a5a6,
  neutral: 0x95a5a6,
  warning: 0xf39c12,
  error: 0xe74c3c,
};

/** Characters with a markdown meaning anywhere in a line. */
const MARKDOWN_SPECIAL = new Set(['\\', '*', '_', '~', '`', '|', '[', ']']);
/** Characters with a meaning only at the start of a line: headings and block quotes. */
const LINE_START_SPECIAL = new Set(['#', '>']);

/**
 * Escapes one line of plain text for Discord markdown, one output token per input code point (so
 * a cut between tokens never splits an escape). `@everyone` / `@here` and `<@…>`, `<#…>`, `<t:…>`
 * get a zero-width space so they neither ping nor render as mentions.
 */
function escapeTokens(line: string): string[] {
  const chars = [...line];
  const tokens: string[] = [];
  let onlySpace = true;
  let onlyDigits = false;
  chars.forEach((char, index) => {
    const next = chars[index + 1] ?? '';
    let token = char;
    if (char === '@' && /^(everyone|here)/i.test(chars.slice(index + 1, index + 9).join(''))) {
      token = `@${ZWSP}`;
    } else if (char === '<' && next !== '' && !/\s/.test(next)) {
      token = `<${ZWSP}`;
    } else if (MARKDOWN_SPECIAL.has(char) || (onlySpace && LINE_START_SPECIAL.has(char))) {
      token = `\\${char}`;
    } else if (onlySpace && (char === '-' || char === '+') && (next === ' ' || next === '#')) {
      // A list item ("- x") or subtext ("-# x") at the start of a line.
      token = `\\${char}`;
    } else if (onlyDigits && char === '.' && next === ' ') {
      // An ordered list item ("1. x").
      token = '\\.';
    }
    tokens.push(token);
    const digit = /\d/.test(char);
    onlyDigits = digit && (onlySpace || onlyDigits);
    onlySpace = onlySpace && /\s/.test(char);
  });
  return tokens;
}

/** Escapes plain text for Discord markdown and neutralises mentions (see `escapeTokens`). */
export function escapeDiscordMarkdown(text: string): string {
  return splitLines(text)
    .map((line) => escapeTokens(line).join(''))
    .join('\n');
}

function splitLines(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split('\n');
}

/** Joins tokens up to `max` UTF-16 units, ending in "…" when something was cut. */
function truncateTokens(tokens: string[], max: number): string {
  const whole = tokens.join('');
  if (whole.length <= max) return whole;
  let result = '';
  for (const token of tokens) {
    if (result.length + token.length > max - ELLIPSIS.length) break;
    result += token;
  }
  return result + ELLIPSIS;
}

/** Cuts a plain string to `max` UTF-16 units on a code point boundary, ending in "…" when cut. */
function truncatePlain(text: string, max: number): string {
  return truncateTokens([...text], max);
}

/**
 * Groups tokens into chunks of at most `max` UTF-16 units, cutting after a newline token in the
 * last quarter of a chunk when there is one, else wherever the limit falls.
 */
function chunkTokens(tokens: string[], max: number): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let length = 0;
  for (const token of tokens) {
    if (length + token.length > max && current.length > 0) {
      let cut = current.length;
      let kept = length;
      for (let k = current.length; k > 0; k -= 1) {
        const piece = current[k - 1] ?? '';
        if (piece === '\n' && kept >= (max * 3) / 4) {
          cut = k;
          break;
        }
        kept -= piece.length;
        if (kept < (max * 3) / 4) break;
      }
      const head = current.slice(0, cut);
      chunks.push(head.join('').replace(/\n$/, ''));
      current = current.slice(cut);
      length = current.reduce((sum, piece) => sum + piece.length, 0);
    }
    current.push(token);
    length += token.length;
  }
  if (current.length > 0) chunks.push(current.join(''));
  return chunks;
}

/** Wraps an escaped line in bold / italic markers, leaving its outer whitespace outside them. */
function styleLine(escaped: string, style: 'bold' | 'italic' | undefined): string {
  if (!style) return escaped;
  const match = /^(\s*)([\s\S]*?)(\s*)$/.exec(escaped);
  const [lead, core, trail] = [match?.[1] ?? '', match?.[2] ?? '', match?.[3] ?? ''];
  if (core === '') return escaped;
  const marker = style === 'bold' ? '**' : '*';
  return `${lead}${marker}${core}${marker}${trail}`;
}

/** Makes preformatted text safe inside a ``` block: no run of three backticks can close it. */
function sanitizeCodeLine(line: string): string {
  return line.replace(/``/g, `\`${ZWSP}\``);
}

/** Cuts a code line into pieces of at most `max` UTF-16 units, on code point boundaries. */
function cutCodeLine(line: string, max: number): string[] {
  if (line.length <= max) return [line];
  return chunkTokens([...line], max);
}

interface EmbedDraft {
  title?: string;
  description: string;
  fields: DiscordEmbedField[];
  /** Characters Discord counts towards the 6000 per message. */
  size: number;
}

/** Packs description text and fields into embeds that each respect every per-embed limit. */
class EmbedPacker {
  readonly drafts: EmbedDraft[] = [];
  private current: EmbedDraft | null = null;
  private codeOpen = false;

  constructor(private readonly title: string | undefined) {}

  private fresh(): EmbedDraft {
    this.closeCode();
    const draft: EmbedDraft =
      this.drafts.length === 0 && this.title !== undefined
        ? { title: this.title, description: '', fields: [], size: this.title.length }
        : { description: '', fields: [], size: 0 };
    this.drafts.push(draft);
    this.current = draft;
    return draft;
  }

  /** True when `extra` more description characters fit in the current embed (text after fields never does). */
  private fits(extra: number): boolean {
    const draft = this.current;
    if (!draft || draft.fields.length > 0) return false;
    return (
      draft.description.length + extra <= DISCORD_LIMITS.description && draft.size + extra <= EMBED_BUDGET
    );
  }

  private append(text: string): void {
    const draft = this.current ?? this.fresh();
    draft.description += text;
    draft.size += text.length;
  }

  /** Adds a line (≤ the description limit) to the description, a separator before it when not first. */
  addLine(separator: string, line: string): void {
    this.closeCode();
    const empty = !this.current || this.current.description === '';
    if (!empty && this.fits(separator.length + line.length)) {
      this.append(separator + line);
      return;
    }
    if (empty && this.fits(line.length)) {
      this.append(line);
      return;
    }
    // A blank line is only spacing: never start an embed with it.
    if (line.trim() === '') return;
    this.fresh();
    this.append(line);
  }

  /** Adds preformatted lines (each ≤ the description limit minus fences) as ``` blocks, split as needed. */
  addCode(separator: string, lines: string[], headLines: number): void {
    this.closeCode();
    const head = lines.slice(0, headLines).join('\n');
    lines.forEach((line, index) => {
      if (this.codeOpen) {
        if (this.fits(1 + line.length + FENCE_CLOSE.length)) {
          this.append(`\n${line}`);
          return;
        }
        this.closeCode();
        this.fresh();
      } else {
        const empty = !this.current || this.current.description === '';
        const sep = empty ? '' : separator;
        if (this.current && this.fits(sep.length + FENCE_OPEN.length + line.length + FENCE_CLOSE.length)) {
          this.append(sep + FENCE_OPEN + line);
          this.codeOpen = true;
          return;
        }
        this.fresh();
      }
      // A fresh embed: a table continuing here repeats its header and rule when they are short.
      const withHead = `${head}\n${line}`;
      const repeat =
        headLines > 0 &&
        index >= headLines &&
        head.length * 2 <= DISCORD_LIMITS.description &&
        this.fits(FENCE_OPEN.length + withHead.length + FENCE_CLOSE.length);
      this.append(FENCE_OPEN + (repeat ? withHead : line));
      this.codeOpen = true;
    });
    this.closeCode();
  }

  private closeCode(): void {
    if (!this.codeOpen) return;
    this.codeOpen = false;
    this.append(FENCE_CLOSE);
  }

  addField(field: DiscordEmbedField): void {
    this.closeCode();
    const extra = field.name.length + field.value.length;
    const draft = this.current;
    const room =
      draft !== null &&
      draft.fields.length < DISCORD_LIMITS.fieldsPerEmbed &&
      draft.size + extra <= EMBED_BUDGET;
    const target = room && draft ? draft : this.fresh();
    target.fields.push(field);
    target.size += extra;
  }

  finish(): EmbedDraft[] {
    this.closeCode();
    return this.drafts;
  }
}

/** The fields of a `fields` block: empty labels and values become a zero-width space (Discord wants 1+). */
function toFields(block: Extract<ReplyBlock, { kind: 'fields' }>): DiscordEmbedField[] {
  const fields: DiscordEmbedField[] = [];
  for (const field of block.fields) {
    const name =
      truncateTokens(escapeTokens(field.label.replace(/\s+/g, ' ')), DISCORD_LIMITS.fieldName) || ZWSP;
    const valueTokens = splitLines(field.value).flatMap((line, index) => [
      ...(index > 0 ? ['\n'] : []),
      ...escapeTokens(line),
    ]);
    const chunks = chunkTokens(valueTokens, DISCORD_LIMITS.fieldValue).map((chunk) =>
      chunk.trim() === '' ? ZWSP : chunk,
    );
    if (chunks.length === 0) chunks.push(ZWSP);
    chunks.forEach((value, index) => {
      // A value too long for one field continues in the next, under an invisible name.
      fields.push({ name: index === 0 ? name : ZWSP, value, ...(field.inline ? { inline: true } : {}) });
    });
  }
  return fields;
}

const CODE_LINE_MAX = DISCORD_LIMITS.description - FENCE_OPEN.length - FENCE_CLOSE.length;

function packBlocks(reply: Reply, packer: EmbedPacker): void {
  let previous: 'none' | 'text' | 'code' | 'fields' = 'none';
  for (const block of reply.blocks) {
    switch (block.kind) {
      case 'text': {
        const lines = splitLines(block.text);
        if (lines.every((line) => line.trim() === '')) break;
        const overhead = block.style === 'bold' ? 4 : block.style === 'italic' ? 2 : 0;
        lines.forEach((line, index) => {
          const pieces = chunkTokens(escapeTokens(line), DISCORD_LIMITS.description - overhead);
          if (pieces.length === 0) pieces.push('');
          pieces.forEach((piece, pieceIndex) => {
            const separator = index === 0 && pieceIndex === 0 ? (previous === 'text' ? '\n\n' : '\n') : '\n';
            packer.addLine(separator, styleLine(piece, block.style));
          });
        });
        previous = 'text';
        break;
      }
      case 'fields': {
        for (const field of toFields(block)) packer.addField(field);
        if (block.fields.length > 0) previous = 'fields';
        break;
      }
      case 'table':
      case 'code': {
        const text = block.kind === 'table' ? renderTableText(block) : block.text;
        const raw = splitLines(text);
        if (raw.every((line) => line.trim() === '')) break;
        const lines = raw.map(sanitizeCodeLine);
        // A table's header and rule may repeat in a continuation; only when neither needs cutting.
        const headLines =
          block.kind === 'table' && lines.slice(0, 2).every((line) => line.length <= CODE_LINE_MAX)
            ? Math.min(2, lines.length)
            : 0;
        const cut = lines.flatMap((line) => cutCodeLine(line, CODE_LINE_MAX));
        packer.addCode('\n', cut, headLines);
        previous = 'code';
        break;
      }
    }
  }
}

/** Splits rows longer than 5 buttons; past 5 rows keeps the last row (Cancel) and fills the rest. */
function layoutButtons(reply: Reply): { rows: DiscordActionRow[]; note: string | null } {
  const seen = new Set<string>();
  const problems: string[] = [];
  const toButton = (button: ReplyButton): DiscordButton | null => {
    if (button.action.length < 1 || button.action.length > DISCORD_LIMITS.customId) {
      problems.push(
        `button "${button.label}": action is ${button.action.length} characters, Discord allows 1-${DISCORD_LIMITS.customId}`,
      );
      return null;
    }
    // Discord refuses a message whose buttons share a custom_id.
    if (seen.has(button.action)) return null;
    seen.add(button.action);
    const label =
      truncatePlain(button.label.replace(/\s+/g, ' ').trim(), DISCORD_LIMITS.buttonLabel) || ELLIPSIS;
    const style: DiscordButtonStyle = button.style === 'danger' ? 4 : button.style === 'secondary' ? 2 : 1;
    return { type: 2, style, label, custom_id: button.action };
  };
  const rows = (reply.buttons ?? [])
    .map((row) => row.map(toButton).filter((button): button is DiscordButton => button !== null))
    .filter((row) => row.length > 0);
  if (problems.length > 0) throw new ValidationError('Discord buttons', problems);

  const chunk = (buttons: DiscordButton[]): DiscordButton[][] => {
    const result: DiscordButton[][] = [];
    for (let i = 0; i < buttons.length; i += DISCORD_LIMITS.buttonsPerRow) {
      result.push(buttons.slice(i, i + DISCORD_LIMITS.buttonsPerRow));
    }
    return result;
  };
  const asRows = (list: DiscordButton[][]): DiscordActionRow[] =>
    list.map((components) => ({ type: 1, components }));

  const wrapped = rows.flatMap(chunk);
  if (wrapped.length <= DISCORD_LIMITS.rowsPerMessage) return { rows: asRows(wrapped), note: null };

  // Too many rows (a long picker): pack the options five to a row, keep the last row as it is.
  const last = rows.at(-1) ?? [];
  const options = rows.slice(0, -1).flat();
  const lastRows = chunk(last);
  const room = Math.max(0, DISCORD_LIMITS.rowsPerMessage - lastRows.length) * DISCORD_LIMITS.buttonsPerRow;
  const packed = chunk(options.slice(0, room));
  const kept = [...packed, ...lastRows].slice(0, DISCORD_LIMITS.rowsPerMessage);
  const shown = kept.reduce((sum, row) => sum + row.length, 0);
  const total = options.length + last.length;
  const note =
    shown < total
      ? `${total - shown} more ${pluralWord(total - shown, 'choice')} not shown (Discord shows 25 buttons per message): give the command an argument instead.`
      : null;
  return { rows: asRows(kept), note };
}

function toEmbed(draft: EmbedDraft, color: number): DiscordEmbed {
  const embed: DiscordEmbed = { color };
  if (draft.title !== undefined) embed.title = draft.title;
  if (draft.description !== '') embed.description = draft.description;
  if (draft.fields.length > 0) embed.fields = draft.fields;
  return embed;
}

function embedSize(embed: DiscordEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0) +
    (embed.footer?.text.length ?? 0)
  );
}

/**
 * A reply's image as an upload. Discord matches `attachment://name` against the uploaded file's
 * name, which it stores with other characters replaced; so the name keeps only safe ones.
 */
function toUpload(image: ReplyImage): DiscordUpload {
  const name = image.fileName.replace(/[^A-Za-z0-9._-]/g, '_') || 'image.png';
  return {
    name,
    data: image.png,
    description: truncatePlain(image.alt, DISCORD_LIMITS.attachmentDescription),
  };
}

/**
 * Renders a Reply as Discord message payloads: the title and tone become the embed title and
 * colour, `fields` blocks embed fields, text, tables and code the description (tables and code
 * as ``` blocks). Splits at every Discord limit (4096 per description, 25 fields, 10 embeds and
 * 6000 characters per message) and puts the buttons (≤ 5 rows of 5) on the last payload. Past
 * `MAX_PAYLOADS` messages, or 25 buttons, the rest is cut and a footer note says so. Returns []
 * for a reply with nothing to show; a reply with only buttons gets a "…" description. Throws
 * ValidationError when a button's action is not 1-100 characters (Discord's custom_id).
 * A reply's image goes in the first message's `files`, shown in its first embed.
 */
export function renderDiscord(reply: Reply): DiscordMessagePayload[] {
  const { rows, note: buttonNote } = layoutButtons(reply);
  // Merged notifications keep one embed (and one colour) each: a loss stays red in a backlog.
  const sections = reply.parts && reply.parts.length > 1 ? reply.parts : [reply];
  const embeds: DiscordEmbed[] = [];
  for (const section of sections) {
    const color = TONE_COLORS[section.tone ?? 'neutral'];
    const titleText = section.title?.replace(/\s*\n\s*/g, ' ').trim();
    const title = titleText ? truncateTokens(escapeTokens(titleText), DISCORD_LIMITS.title) : undefined;
    const packer = new EmbedPacker(title);
    packBlocks(section, packer);
    const drafts = packer.finish();
    if (drafts.length === 0 && title !== undefined)
      drafts.push({ title, description: '', fields: [], size: 0 });
    for (const draft of drafts) embeds.push(toEmbed(draft, color));
  }
  if (embeds.length === 0 && rows.length > 0) {
    embeds.push(
      toEmbed({ description: ELLIPSIS, fields: [], size: 1 }, TONE_COLORS[reply.tone ?? 'neutral']),
    );
  }
  // The image shows in the first embed (under the title), uploaded with the first message.
  const upload = reply.image ? toUpload(reply.image) : undefined;
  if (upload && embeds.length === 0) embeds.push({ color: TONE_COLORS[reply.tone ?? 'neutral'] });
  const imageEmbed = embeds[0];
  if (upload && imageEmbed) imageEmbed.image = { url: `attachment://${upload.name}` };
  if (embeds.length === 0) return [];

  // Embeds into messages: at most 10 and 6000 characters (less the note reserve) each.
  const messages: DiscordEmbed[][] = [];
  let current: DiscordEmbed[] = [];
  let size = 0;
  for (const embed of embeds) {
    const extra = embedSize(embed);
    if (
      current.length > 0 &&
      (current.length >= DISCORD_LIMITS.embedsPerMessage || size + extra > EMBED_BUDGET)
    ) {
      messages.push(current);
      current = [];
      size = 0;
    }
    current.push(embed);
    size += extra;
  }
  messages.push(current);

  const notes: string[] = [];
  let kept = messages;
  if (messages.length > MAX_PAYLOADS) {
    kept = messages.slice(0, MAX_PAYLOADS);
    const dropped = messages.length - MAX_PAYLOADS;
    notes.push(`Reply cut short: ${dropped} more ${pluralWord(dropped, 'message')} not shown.`);
  }
  if (buttonNote) notes.push(buttonNote);

  const flags = reply.silent ? SUPPRESS_NOTIFICATIONS : undefined;
  const payloads: DiscordMessagePayload[] = kept.map((embeds) => ({
    embeds,
    ...(flags !== undefined ? { flags } : {}),
  }));
  const firstPayload = payloads[0];
  if (upload && firstPayload) firstPayload.files = [upload];
  const lastPayload = payloads.at(-1);
  const lastEmbed = lastPayload?.embeds?.at(-1);
  if (lastEmbed && notes.length > 0) {
    lastEmbed.footer = { text: truncatePlain(notes.join(' '), NOTE_RESERVE) };
  }
  if (lastPayload && rows.length > 0) lastPayload.components = rows;
  return payloads;
}
