import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { createRedactor } from './redact.js';

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** Secret values to scrub from every line, wherever they appear. */
  secrets?: Iterable<string>;
  /** Where lines go (stderr by default). */
  destination?: NodeJS.WritableStream;
  /** Log as plain text lines (`level msg key=value`) rather than JSON. */
  pretty?: boolean;
}

/**
 * A pino logger whose every serialized line passes through the secret redactor, so a password,
 * token or JWT cannot leak through an error message, a URL or a nested object.
 */
export function createLogger(options: LoggerOptions): Logger {
  const redact = createRedactor(options.secrets);
  const destination = options.destination ?? process.stderr;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const line = redact(chunk.toString('utf8'));
      destination.write(options.pretty ? prettyLine(line) : line);
      callback();
    },
  });
  return pino(
    {
      level: options.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'password',
          'token',
          'ws_token',
          'api_key',
          'api_secret',
          'authorization',
          '*.password',
          '*.token',
        ],
        censor: '[REDACTED]',
      },
    },
    stream,
  );
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** A log field for people: an error as its message (never its stack), anything else as JSON. */
function prettyValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && 'message' in value) {
    const { type, message } = value as { type?: unknown; message?: unknown };
    return JSON.stringify(
      typeof type === 'string' && type !== 'Error' ? `${type}: ${String(message)}` : String(message),
    );
  }
  return JSON.stringify(value);
}

/** One JSON log line as a short human line: time, level, message, fields; stacks left out. */
function prettyLine(line: string): string {
  try {
    const { level, time, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const extras = Object.entries(rest)
      .filter(([key]) => key !== 'stack')
      .map(([key, value]) => `${key}=${prettyValue(value)}`)
      .join(' ');
    return `${String(time).slice(11, 19)} ${LEVEL_NAMES[Number(level)] ?? level} ${msg ?? ''}${extras ? ` ${extras}` : ''}\n`;
  } catch {
    return line;
  }
}

/** A logger that writes nothing, for tests and library use. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
