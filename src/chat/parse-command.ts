/** A command line split into its parts: `/lock BTC/USDT 1h "news spike" side=long`. */
export interface ParsedCommandLine {
  /** Lower-cased, without the slash or an `@botname` suffix. */
  name: string;
  /** `@botname` suffix, if any (Telegram groups). */
  addressedTo: string | null;
  positional: string[];
  named: Record<string, string>;
  /** Keys given more than once (`amount=1 amount=2`): refused, since which one was meant is unclear. */
  repeatedKeys: string[];
}

/** Splits words on white space, keeping "double" or 'single' quoted runs together (quotes removed). */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const match of text.matchAll(pattern)) words.push(match[1] ?? match[2] ?? match[3] ?? '');
  return words;
}

/**
 * Parses a chat line starting with `/` into a command; returns null for anything else.
 * `key=value` words become named arguments (keys lower-cased); other words stay positional.
 */
export function parseCommandLine(text: string): ParsedCommandLine | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith('/')) return null;
  const [head = '', ...rest] = splitWords(trimmed.slice(1));
  const match = /^([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?$/.exec(head);
  if (!match) return null;
  const positional: string[] = [];
  const named: Record<string, string> = {};
  const repeatedKeys: string[] = [];
  for (const word of rest) {
    const keyValue = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word);
    if (keyValue) {
      const key = (keyValue[1] as string).toLowerCase();
      if (Object.hasOwn(named, key) && !repeatedKeys.includes(key)) repeatedKeys.push(key);
      named[key] = keyValue[2] as string;
    } else positional.push(word);
  }
  return {
    name: (match[1] as string).toLowerCase(),
    addressedTo: match[2] ?? null,
    positional,
    named,
    repeatedKeys,
  };
}
