/**
 * Telegram's HTML parse mode and message-text rules, as the fake Bot API server applies them.
 *
 * Modelled on tdlib's `parse_html` and `fix_formatted_text` (td/telegram/MessageEntity.cpp), the code
 * behind the Bot API server, with the same error texts. Two places are deliberately STRICTER than
 * Telegram, so that anything this parser accepts is accepted by Telegram too:
 * - a bare `&` or an unknown entity (`&nbsp;`, `&lt` without `;`) is an error here, where tdlib keeps
 *   it as literal text; Telegram's documentation asks for `&amp;`, and an unescaped `&` next to
 *   user data can silently decode (`a&lt;b`);
 * - a bare `>` is an error here, where tdlib keeps it; the documentation asks for `&gt;`.
 * `tg-emoji` (custom emoji) is not supported.
 */

/** A formatting entity, offsets and lengths in UTF-16 code units (as the Bot API reports them). */
export interface TelegramEntity {
  type:
    | 'bold'
    | 'italic'
    | 'underline'
    | 'strikethrough'
    | 'spoiler'
    | 'code'
    | 'pre'
    | 'text_link'
    | 'blockquote'
    | 'expandable_blockquote';
  offset: number;
  length: number;
  url?: string;
  language?: string;
}

/** The outcome of parsing: the text with tags removed and entities decoded, or tdlib's reason. */
export type ParsedHtml =
  | { ok: true; text: string; entities: TelegramEntity[] }
  | { ok: false; error: string };

/** The outcome of the full message-text check: what Telegram stores, or the Bot API `description`. */
export type CheckedText =
  | { ok: true; text: string; entities: TelegramEntity[] }
  | { ok: false; description: string };

/** https://core.telegram.org/bots/api#sendmessage: 1-4096 characters after entities parsing. */
export const MAX_MESSAGE_LENGTH = 4096;

const SUPPORTED_TAGS = new Set([
  'a',
  'b',
  'strong',
  'i',
  'em',
  's',
  'strike',
  'del',
  'u',
  'ins',
  'tg-spoiler',
  'span',
  'pre',
  'code',
  'blockquote',
]);

const SIMPLE_TAG_TYPES: Record<string, TelegramEntity['type']> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
};

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
const ENTITY_PATTERN = /&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,7})|([a-zA-Z]+));/y;

interface OpenTag {
  name: string;
  argument: string;
  expandable: boolean;
  /** UTF-16 offset in the output where the tag's content begins. */
  offset: number;
}

class HtmlParseError extends Error {}

function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f' || char === '\v';
}

/** Counts Unicode code points (what Telegram's length limits count), not UTF-16 code units. */
export function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    // A low surrogate right after a high surrogate belongs to the same code point.
    if (unit >= 0xdc00 && unit <= 0xdfff && i > 0) {
      const previous = text.charCodeAt(i - 1);
      if (previous >= 0xd800 && previous <= 0xdbff) continue;
    }
    count += 1;
  }
  return count;
}

/**
 * Parses Telegram HTML into plain text and entities, or returns the reason Telegram gives after
 * "can't parse entities: " (byte offsets are UTF-8 offsets into `html`, as tdlib reports them).
 */
export function parseTelegramHtml(html: string): ParsedHtml {
  try {
    return { ok: true, ...parseOrThrow(html) };
  } catch (error) {
    if (error instanceof HtmlParseError) return { ok: false, error: error.message };
    throw error;
  }
}

function parseOrThrow(html: string): { text: string; entities: TelegramEntity[] } {
  function byteOffset(index: number): number {
    return Buffer.byteLength(html.slice(0, index), 'utf8');
  }
  function fail(reason: string): never {
    throw new HtmlParseError(reason);
  }
  const out: string[] = [];
  let outLength = 0; // UTF-16 units
  const stack: OpenTag[] = [];
  const entities: TelegramEntity[] = [];
  const n = html.length;

  /** Decodes the entity at `index` (which holds `&`); returns the character and the next index. */
  const decodeEntity = (index: number): [string, number] => {
    ENTITY_PATTERN.lastIndex = index;
    const match = ENTITY_PATTERN.exec(html);
    if (!match) {
      const looksLikeEntity = /^&#?[a-zA-Z0-9]+;/.exec(html.slice(index, index + 12));
      return looksLikeEntity
        ? fail(`Unsupported HTML entity "${looksLikeEntity[0]}" at byte offset ${byteOffset(index)}`)
        : fail(`Unescaped "&" at byte offset ${byteOffset(index)}, use &amp;`);
    }
    const [whole, decimal, hex, name] = match;
    if (name !== undefined) {
      const decoded = NAMED_ENTITIES[name];
      if (decoded === undefined)
        return fail(`Unsupported HTML entity "${whole}" at byte offset ${byteOffset(index)}`);
      return [decoded, index + whole.length];
    }
    const code = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex ?? '', 16);
    if (code === 0 || code >= 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      return fail(`Invalid numeric HTML entity "${whole}" at byte offset ${byteOffset(index)}`);
    }
    return [String.fromCodePoint(code), index + whole.length];
  };

  let i = 0;
  while (i < n) {
    const char = html[i];
    if (char === '&') {
      const [decoded, next] = decodeEntity(i);
      out.push(decoded);
      outLength += decoded.length;
      i = next;
      continue;
    }
    if (char === '>') fail(`Unescaped ">" at byte offset ${byteOffset(i)}, use &gt;`);
    if (char !== '<') {
      let end = i + 1;
      while (end < n && html[end] !== '<' && html[end] !== '&' && html[end] !== '>') end += 1;
      out.push(html.slice(i, end));
      outLength += end - i;
      i = end;
      continue;
    }

    const begin = i;
    i += 1;
    if (html[i] !== '/') {
      // A start tag: the name runs to the first space or '>'.
      while (i < n && !isSpace(html[i]) && html[i] !== '>') i += 1;
      if (i >= n) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
      const name = html.slice(begin + 1, i).toLowerCase();
      if (!SUPPORTED_TAGS.has(name))
        fail(`Unsupported start tag "${name}" at byte offset ${byteOffset(begin)}`);

      let argument = '';
      let expandable = false;
      while (html[i] !== '>') {
        while (i < n && isSpace(html[i])) i += 1;
        if (i >= n) fail(`Unclosed start tag "${name}" at byte offset ${byteOffset(begin)}`);
        if (html[i] === '>') break;
        const attributeBegin = i;
        while (i < n && !isSpace(html[i]) && html[i] !== '=' && html[i] !== '>') i += 1;
        const attribute = html.slice(attributeBegin, i).toLowerCase();
        if (attribute === '')
          fail(`Empty attribute name in the tag "${name}" at byte offset ${byteOffset(begin)}`);
        while (i < n && isSpace(html[i])) i += 1;
        if (html[i] !== '=') {
          // Telegram accepts a value-less `expandable` on blockquote; every other attribute needs a value.
          if (name === 'blockquote' && attribute === 'expandable') {
            expandable = true;
            continue;
          }
          fail(
            `Expected equal sign in declaration of an attribute of the tag "${name}" at byte offset ${byteOffset(begin)}`,
          );
        }
        i += 1;
        while (i < n && isSpace(html[i])) i += 1;
        if (i >= n) fail(`Unclosed start tag "${name}" at byte offset ${byteOffset(begin)}`);

        let value = '';
        const quote = html[i];
        if (quote === '"' || quote === "'") {
          i += 1;
          const parts: string[] = [];
          while (i < n && html[i] !== quote) {
            if (html[i] === '&') {
              const [decoded, next] = decodeEntity(i);
              parts.push(decoded);
              i = next;
            } else if (html[i] === '<' || html[i] === '>') {
              fail(
                `Unescaped "${html[i]}" in an attribute of the tag "${name}" at byte offset ${byteOffset(i)}`,
              );
            } else {
              parts.push(html[i] ?? '');
              i += 1;
            }
          }
          if (i >= n) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
          i += 1;
          value = parts.join('');
        } else {
          // A name token: letters, digits, periods, hyphens; not case sensitive.
          const tokenBegin = i;
          while (i < n && /[A-Za-z0-9.-]/.test(html[i] ?? '')) i += 1;
          value = html.slice(tokenBegin, i).toLowerCase();
          if (i >= n) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
          if (!isSpace(html[i]) && html[i] !== '>') {
            fail(`Unexpected end of name token at byte offset ${byteOffset(tokenBegin)}`);
          }
        }

        if (name === 'a' && attribute === 'href') argument = value;
        else if (name === 'code' && attribute === 'class' && value.startsWith('language-'))
          argument = value.slice(9);
        else if (name === 'span' && attribute === 'class' && value.startsWith('tg-'))
          argument = value.slice(3);
      }
      if (name === 'span' && argument !== 'spoiler') {
        fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(begin)}`);
      }
      stack.push({ name, argument, expandable, offset: outLength });
      i += 1;
      continue;
    }

    // An end tag.
    const top = stack.at(-1);
    if (!top) fail(`Unexpected end tag at byte offset ${byteOffset(begin)}`);
    i += 1;
    const nameBegin = i;
    while (i < n && !isSpace(html[i]) && html[i] !== '>') i += 1;
    const endName = html.slice(nameBegin, i).toLowerCase();
    while (i < n && isSpace(html[i])) i += 1;
    if (html[i] !== '>') fail(`Unclosed end tag at byte offset ${byteOffset(begin)}`);
    if (endName !== '' && endName !== top.name) {
      fail(
        `Unmatched end tag at byte offset ${byteOffset(begin)}, expected "</${top.name}>", found "</${endName}>"`,
      );
    }
    stack.pop();
    i += 1;
    if (outLength <= top.offset) continue; // empty entities are dropped
    addEntity(entities, top, outLength, out);
  }

  const unclosed = stack.at(-1);
  if (unclosed) fail(`Can't find end tag corresponding to start tag "${unclosed.name}"`);

  for (const entity of entities) {
    if (entity.type === 'code') delete entity.language;
  }
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text: out.join(''), entities };
}

function addEntity(entities: TelegramEntity[], tag: OpenTag, end: number, out: string[]): void {
  const offset = tag.offset;
  const length = end - offset;
  const simple = SIMPLE_TAG_TYPES[tag.name];
  const last = entities.at(-1);
  const sameRange = last !== undefined && last.offset === offset && last.length === length;
  if (simple) {
    entities.push({ type: simple, offset, length });
  } else if (tag.name === 'a') {
    const url = tag.argument || out.join('').slice(offset, end);
    entities.push({ type: 'text_link', offset, length, url });
  } else if (tag.name === 'pre') {
    // `<pre><code class="language-x">…</code></pre>` is one pre entity with a language.
    if (sameRange && last.type === 'code' && last.language) {
      last.type = 'pre';
    } else {
      entities.push({ type: 'pre', offset, length });
    }
  } else if (tag.name === 'code') {
    if (sameRange && last.type === 'pre' && tag.argument) {
      last.language = tag.argument;
    } else {
      const entity: TelegramEntity = { type: 'code', offset, length };
      if (tag.argument) entity.language = tag.argument;
      entities.push(entity);
    }
  } else if (tag.name === 'blockquote') {
    entities.push({ type: tag.expandable ? 'expandable_blockquote' : 'blockquote', offset, length });
  }
}

function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/**
 * Applies Telegram's rules to a message text: parse mode, trimming (trailing whitespace; leading
 * spaces and newlines before the first entity), non-empty, and the length limit in code points.
 * Returns the Bot API error description on failure (`tooLongDescription` differs for edits).
 */
export function checkMessageText(
  raw: unknown,
  parseMode: unknown,
  options: { maxLength?: number; tooLongDescription?: string } = {},
): CheckedText {
  const maxLength = options.maxLength ?? MAX_MESSAGE_LENGTH;
  if (typeof raw !== 'string' || raw.length === 0)
    return { ok: false, description: 'Bad Request: message text is empty' };
  if (hasLoneSurrogate(raw)) return { ok: false, description: 'Bad Request: text must be encoded in UTF-8' };

  let text = raw;
  let entities: TelegramEntity[] = [];
  const mode = typeof parseMode === 'string' ? parseMode.toLowerCase() : '';
  if (mode === 'html') {
    const parsed = parseTelegramHtml(raw);
    if (!parsed.ok) return { ok: false, description: `Bad Request: can't parse entities: ${parsed.error}` };
    text = parsed.text;
    entities = parsed.entities;
  } else if (mode !== '' && mode !== 'markdown' && mode !== 'markdownv2') {
    return { ok: false, description: 'Bad Request: unsupported parse_mode' };
  }
  // Markdown modes are accepted but not parsed: this project sends HTML only.

  // Right trim: whitespace at the end goes, and entities are cut to the remaining text.
  const trimmedEnd = text.replace(/\s+$/u, '');
  if (trimmedEnd.length < text.length) {
    text = trimmedEnd;
    entities = entities
      .map((entity) => ({ ...entity, length: Math.min(entity.length, text.length - entity.offset) }))
      .filter((entity) => entity.length > 0);
  }
  // Left trim: only spaces and newlines before the first entity (a leading <pre> keeps its indent).
  const firstEntityOffset = entities[0]?.offset ?? text.length;
  let start = 0;
  while (start < firstEntityOffset && (text[start] === ' ' || text[start] === '\n')) start += 1;
  if (start > 0) {
    text = text.slice(start);
    entities = entities.map((entity) => ({ ...entity, offset: entity.offset - start }));
  }

  if (text.trim().length === 0) return { ok: false, description: 'Bad Request: message text is empty' };
  if (codePointLength(text) > maxLength) {
    return { ok: false, description: options.tooLongDescription ?? 'Bad Request: message is too long' };
  }
  return { ok: true, text, entities };
}
