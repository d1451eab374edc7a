import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { collectSecrets, loadConfig, redactConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { ConfigError, describeError } from './errors.js';
import { createFleet } from './freqtrade/fleet.js';
import { createLogger } from './logger.js';
import type { App } from './main.js';

const HELP = `freqtrade-chatops: run Freqtrade bots from Telegram and Discord

Usage:
  freqtrade-chatops --config <file>      run the bot (also: FTCHATOPS_CONFIG=<file>)
  freqtrade-chatops check-config <file>  validate a config and ping every Freqtrade bot
  freqtrade-chatops demo [--telegram]    run against a simulated Freqtrade (no config needed)
  freqtrade-chatops                      with no config: the demo
  freqtrade-chatops --help | --version

Secrets can come from the environment: FTCHATOPS__TELEGRAM__TOKEN, FTCHATOPS__BOTS__0__PASSWORD, ...
Exit status: 0 ok, 1 runtime failure, 2 invalid config or arguments.`;

/** The package version from package.json. */
export function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

interface CliIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** Validates a config, pings every bot and prints a redacted summary; returns the exit status. */
export async function checkConfig(path: string, io: CliIo): Promise<number> {
  let config: Config;
  try {
    config = await loadConfig(path, io.env);
  } catch (error) {
    io.err.write(`${describeError(error)}\n`);
    return 2;
  }
  io.out.write(`${path}: valid\n`);
  const fleet = createFleet(config.bots);
  let failures = 0;
  for (const client of fleet.all()) {
    try {
      await client.ping();
      const shown = await client.showConfig();
      io.out.write(
        `  ✔ ${client.name} (${client.baseUrl}): Freqtrade ${shown.version}, ${shown.state}, ${shown.dry_run ? 'dry run' : 'LIVE'}, ${shown.exchange} ${shown.strategy ?? ''}\n`,
      );
    } catch (error) {
      failures += 1;
      io.out.write(`  ✘ ${client.name} (${client.baseUrl}): ${describeError(error)}\n`);
    }
  }
  const platforms = [config.telegram.enabled && 'telegram', config.discord.enabled && 'discord'].filter(
    Boolean,
  );
  io.out.write(
    `  platforms: ${platforms.join(', ') || 'none enabled'}; admins: ${config.access.admins.length}, viewers: ${config.access.viewers.length}; gemini: ${config.gemini.enabled ? 'on' : 'off'}\n`,
  );
  if (io.env.FTCHATOPS_SHOW_CONFIG === '1')
    io.out.write(`${JSON.stringify(redactConfig(config), null, 2)}\n`);
  return failures ? 1 : 0;
}

/** Runs the bot from a config file until SIGINT/SIGTERM. */
async function runWithConfig(path: string, io: CliIo): Promise<number> {
  let config: Config;
  try {
    config = await loadConfig(path, io.env);
  } catch (error) {
    io.err.write(`${describeError(error)}\n`);
    return error instanceof ConfigError ? 2 : 1;
  }
  const logger = createLogger({
    level: config.log_level,
    secrets: collectSecrets(config),
    pretty: Boolean(process.stderr.isTTY),
  });
  const { startApp } = await import('./main.js');
  let app: App;
  try {
    app = await startApp({ config, logger });
  } catch (error) {
    // A setting that only fails once tried (http.port in use) is still a config problem: exit 2.
    if (!(error instanceof ConfigError)) throw error;
    io.err.write(`${describeError(error)}\n`);
    return 2;
  }
  await waitForSignal();
  await app.stop();
  return 0;
}

/** Resolves on the first SIGINT or SIGTERM. */
export function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** Parses argv and runs the chosen mode; returns the process exit status. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: {
        config: { type: 'string'; short: 'c' };
        help: { type: 'boolean'; short: 'h' };
        version: { type: 'boolean'; short: 'v' };
        telegram: { type: 'boolean' };
      };
      allowPositionals: true;
    }>
  >;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        telegram: { type: 'boolean' },
      },
      allowPositionals: true,
    });
  } catch (error) {
    io.err.write(`${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out.write(`${HELP}\n`);
    return 0;
  }
  if (values.version) {
    io.out.write(`${packageVersion()}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (command === 'check-config') {
    const path = rest[0] ?? values.config ?? io.env.FTCHATOPS_CONFIG;
    if (!path) {
      io.err.write('check-config needs a file: freqtrade-chatops check-config <file>\n');
      return 2;
    }
    return checkConfig(path, io);
  }
  if (command === 'demo' || (command === undefined && !values.config && !io.env.FTCHATOPS_CONFIG)) {
    const { runDemo } = await import('./demo/run-demo.js');
    return runDemo({ telegram: Boolean(values.telegram), env: io.env, out: io.out, err: io.err });
  }
  if (command !== undefined) {
    io.err.write(`Unknown command "${command}".\n\n${HELP}\n`);
    return 2;
  }
  const path = values.config ?? io.env.FTCHATOPS_CONFIG;
  if (!path) return 2;
  return runWithConfig(path, io);
}

const isEntryPoint =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isEntryPoint) {
  // Once the bot has stopped, nothing may keep the process alive: a stray socket or timer would
  // leave a service manager waiting on a process that no longer does anything.
  const exitSoon = (status: number) => {
    process.exitCode = status;
    setTimeout(() => process.exit(status), 2_000).unref();
  };
  runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr, env: process.env }).then(
    exitSoon,
    (error: unknown) => {
      process.stderr.write(`fatal: ${describeError(error)}\n`);
      exitSoon(1);
    },
  );
}
