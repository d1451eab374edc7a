/** Replaced text for a secret. */
export const REDACTED = '[REDACTED]';

/**
 * A function that removes every known secret from a text: the listed values (and their
 * URL-encoded forms), Telegram-style bot tokens in URLs, `token=` query parameters, Bearer and
 * Basic credentials. Secrets shorter than 4 characters are ignored (they would shred text).
 */
export function createRedactor(secrets: Iterable<string> = []): (text: string) => string {
  const values = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    values.add(secret);
    // Log lines are JSON: a secret with a quote or backslash appears escaped there.
    values.add(JSON.stringify(secret).slice(1, -1));
    values.add(encodeURIComponent(secret));
    values.add(Buffer.from(secret).toString('base64'));
  }
  const sorted = [...values].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const value of sorted) if (out.includes(value)) out = out.split(value).join(REDACTED);
    return out
      .replace(/\/bot\d+:[A-Za-z0-9_-]+/g, `/bot${REDACTED}`)
      .replace(/([?&](?:token|ws_token|access_token)=)[^&\s"']+/gi, `$1${REDACTED}`)
      .replace(/(\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}/g, `$1${REDACTED}`)
      .replace(/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, REDACTED);
  };
}
