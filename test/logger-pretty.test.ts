import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';

describe('the human-readable log (demo, terminals)', () => {
  it('shows an error as its message, never its stack, on one line', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    const logger = createLogger({ level: 'warn', destination, secrets: ['s3cret'], pretty: true });
    const error = new TypeError('boom with s3cret');
    logger.error({ err: error, bot: 'main' }, 'command failed');
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatch(
      /^\d\d:\d\d:\d\d ERROR command failed err="TypeError: boom with \[REDACTED\]" bot=main\n$/,
    );
    expect(line).not.toContain('    at ');
    expect(line).not.toContain('{');
  });
});
