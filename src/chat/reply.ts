/**
 * A platform-neutral message. Commands and notification formatters build these; each adapter
 * (Telegram HTML, Discord embeds, console text) owns one small renderer. Text here is plain:
 * renderers escape it.
 */
export interface Reply {
  /** Shown first and bold (Telegram), as the embed title (Discord). */
  title?: string;
  /** Colour / emphasis hint: Discord embed colour, console colour. */
  tone?: ReplyTone;
  blocks: ReplyBlock[];
  /** Rows of buttons. */
  buttons?: ReplyButton[][];
  /** Deliver without sound (Telegram `disable_notification`, Discord suppress notifications). */
  silent?: boolean;
  /**
   * Set on a message merged from several notifications: the originals, for renderers that show
   * them apart (Discord: one embed and colour each). `blocks` always holds the merged text too.
   */
  parts?: Reply[];
  /**
   * A confirmation prompt's buttons stop working at this time (ms since the epoch). Adapters that
   * can edit a sent message then ask `router.expiredPrompt(reply)` for its replacement.
   */
  expiresAtMs?: number;
  /** A picture sent with the reply; title and blocks become its caption. */
  image?: ReplyImage;
}

/**
 * A picture carried by a reply (a chart, say). Telegram sends it as a photo with the rendered text
 * as its caption, Discord as an attachment shown in the embed, the console as a temporary file;
 * platforms that cannot upload show `alt` instead.
 */
export interface ReplyImage {
  /** PNG bytes. */
  png: Uint8Array;
  /** File name offered to the platform, e.g. "profit-daily.png". */
  fileName: string;
  /** What the image shows, for screen readers and platforms that cannot show images. */
  alt: string;
  width: number;
  height: number;
}

export type ReplyTone = 'profit' | 'loss' | 'entry' | 'info' | 'warning' | 'error' | 'neutral';

export type ReplyBlock =
  /** A paragraph of plain text (may contain newlines). `style` emphasises the whole paragraph. */
  | { kind: 'text'; text: string; style?: 'bold' | 'italic' }
  /** `label: value` lines (Telegram: bold label; Discord: embed fields). */
  | { kind: 'fields'; fields: ReplyField[] }
  /** A monospace table; `align` per column, left by default. */
  | { kind: 'table'; headers: string[]; rows: string[][]; align?: Array<'left' | 'right'> }
  /** Preformatted text (logs, config). */
  | { kind: 'code'; text: string };

export interface ReplyField {
  label: string;
  value: string;
  /** Discord: may sit beside other inline fields. */
  inline?: boolean;
}

export interface ReplyButton {
  label: string;
  /**
   * Opaque token handed back to the core when the button is tapped (at most 64 bytes, Telegram's
   * `callback_data` limit). Adapters never interpret it.
   */
  action: string;
  style?: 'primary' | 'danger' | 'secondary';
  /**
   * What pressing it means, set by the router: `confirm` / `cancel` a prompt or picker, `refresh`
   * re-runs the command, `pick` chooses a picker option, `chart` sends the reply's chart as a new
   * message (the pressed one stays). Renderers that cannot show buttons (the console) read this
   * instead of the opaque `action`.
   */
  role?: ButtonRole;
}

/** What a button does, for renderers that offer it another way (see `ReplyButton.role`). */
export type ButtonRole = 'confirm' | 'cancel' | 'refresh' | 'pick' | 'chart';

/** A reply with a single text paragraph. */
export function textReply(text: string, extra: Partial<Reply> = {}): Reply {
  return { ...extra, blocks: [{ kind: 'text', text }, ...(extra.blocks ?? [])] };
}

/** Renders a table as aligned monospace lines (used by every renderer for `table` blocks). */
export function renderTableText(block: Extract<ReplyBlock, { kind: 'table' }>): string {
  const widths = block.headers.map((header, column) =>
    Math.max([...header].length, ...block.rows.map((row) => [...(row[column] ?? '')].length)),
  );
  const pad = (cell: string, column: number) => {
    const width = widths[column] ?? 0;
    const gap = ' '.repeat(Math.max(0, width - [...cell].length));
    return block.align?.[column] === 'right' ? gap + cell : cell + gap;
  };
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => pad(cell, column))
      .join('  ')
      .trimEnd();
  const lines = [line(block.headers), widths.map((width) => '-'.repeat(width)).join('  ')];
  for (const row of block.rows) lines.push(line(block.headers.map((_, column) => row[column] ?? '')));
  return lines.join('\n');
}

/** Renders a reply as plain text (console, logs, and as a length estimate). */
export function renderPlainText(reply: Reply): string {
  const parts: string[] = [];
  if (reply.title) parts.push(reply.title);
  for (const block of reply.blocks) {
    if (block.kind === 'text') parts.push(block.text);
    else if (block.kind === 'fields')
      parts.push(block.fields.map((f) => `${f.label}: ${f.value}`).join('\n'));
    else if (block.kind === 'table') parts.push(renderTableText(block));
    else parts.push(block.text);
  }
  return parts.join('\n\n');
}
