#!/usr/bin/env -S node --max-semi-space-size=4
// The program's entry point: `npm start`, the `freqtrade-chatops` bin and the container all run
// `node dist/cli.js` (compiled by `npm run build`), one node process with no loader.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { collectSecrets, redactConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { ConfigError, describeError } from './errors.js';
import { checkMessageWebsocket } from './freqtrade/check-websocket.js';
import { createFleet } from './freqtrade/fleet.js';
import { createLogger } from './logger.js';
import type { App } from './main.js';
import { installStopSignals } from './stop-signals.js';

const HELP = `freqtrade-chatops: run Freqtrade bots from Telegram and Discord

Usage:
  freqtrade-chatops --config <file>      run the bot (also: FTCHATOPS_CONFIG=<file>)
  freqtrade-chatops check-config <file>  validate a config, ping every Freqtrade bot, try its ws_token
  freqtrade-chatops demo [--telegram]    run against a simulated Freqtrade (no config needed)
  freqtrade-chatops                      with no config: the demo
  freqtrade-chatops --help | --version

Secrets can come from the environment: FTCHATOPS__TELEGRAM__TOKEN, FTCHATOPS__BOTS__0__PASSWORD, ...
Exit status: 0 ok, 1 runtime failure, 2 invalid config or arguments.`;

export { packageVersion } from './version.js';
import { packageVersion } from './version.js';

interface CliIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Resolves when the bot should stop; by default the first SIGINT or SIGTERM. */
  stopRequested?: Promise<unknown>;
  /** Whether charts can be drawn here (check-config); by default src/charts/' `chartsAvailable`. */
  chartsAvailable?(): Promise<{ ok: true } | { ok: false; reason: string }>;
}

/** Tries the chart renderer once (check-config), then stops its worker again. */
async function checkCharts(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const charts = await import('./charts/index.js');
  const result = await charts.chartsAvailable();
  if (result.ok) await (await charts.loadChartRenderer()).close();
  return result;
}

/** How long check-config waits for a message websocket to open, at most. */
export const WEBSOCKET_CHECK_TIMEOUT_MS = 5_000;

/**
 * After the first SIGINT/SIGTERM the process is gone within this long, whatever hangs: the bot's
 * own stop is bounded well below it (STOP_TIMEOUT_MS), and service managers wait 10 s (docker)
 * or 90 s (systemd) before they kill.
 */
export const HARD_STOP_LIMIT_MS = 4_500;

/** Validates a config, pings every bot and prints a redacted summary; returns the exit status. */
export async function checkConfig(path: string, io: CliIo): Promise<number> {
  let config: Config;
  try {
    config = await (await import('./main.js')).loadAppConfig(path, io.env);
  } catch (error) {
    io.err.write(`${describeError(error)}\n`);
    return 2;
  }
  io.out.write(`${path}: valid\n`);
  const fleet = createFleet(config.bots);
  let failures = 0;
  for (const client of fleet.all()) {
    let summary: string;
    try {
      await client.ping();
      const shown = await client.showConfig();
      summary = `Freqtrade ${shown.version}, ${shown.state}, ${shown.dry_run ? 'dry run' : 'LIVE'}, ${shown.exchange} ${shown.strategy ?? ''}`;
    } catch (error) {
      failures += 1;
      io.out.write(`  ✘ ${client.name} (${client.baseUrl}): ${describeError(error)}\n`);
      continue;
    }
    // The REST API answering says nothing of the ws_token: without the websocket no notification comes.
    const botTimeoutMs = config.bots.find((bot) => bot.name === client.name)?.timeout_ms;
    const timeoutMs = Math.min(botTimeoutMs ?? WEBSOCKET_CHECK_TIMEOUT_MS, WEBSOCKET_CHECK_TIMEOUT_MS);
    let websocket: string | undefined;
    try {
      const check = await checkMessageWebsocket(await client.websocketUrl(), timeoutMs);
      if (!check.ok) {
        websocket = check.refused
          ? `message websocket: ws_token refused (${check.status === 1008 ? 'close code 1008' : `HTTP ${check.status}`}): it must equal api_server.ws_token of that Freqtrade`
          : `message websocket failed: ${check.reason}`;
      }
    } catch (error) {
      websocket = `message websocket: ${describeError(error)}`;
    }
    if (websocket === undefined) {
      io.out.write(`  ✔ ${client.name} (${client.baseUrl}): ${summary}; message websocket ok\n`);
    } else {
      failures += 1;
      io.out.write(`  ✘ ${client.name} (${client.baseUrl}): ${summary}; ${websocket}\n`);
    }
  }
  const { PLATFORMS, CONFIG_SECRET_KEYS } = await import('./main.js');
  const platforms = PLATFORMS.filter(
    (platform) => platform.configKey !== undefined && platform.enabledIn(config.sections[platform.configKey]),
  ).map((platform) => platform.name);
  io.out.write(
    `  platforms: ${platforms.join(', ') || 'none enabled'}; admins: ${config.access.admins.length}, viewers: ${config.access.viewers.length}; gemini: ${config.gemini.enabled ? 'on' : 'off'}\n`,
  );
  if (config.store.type === 'redis' && config.store.url) {
    const { checkRedisStore } = await import('./ha/check-redis.js');
    const redis = await checkRedisStore(
      config.store.url,
      config.store.key_prefix,
      WEBSOCKET_CHECK_TIMEOUT_MS,
    );
    const ha = config.ha.enabled ? `, ha on (lease ${config.ha.lease_ms} ms)` : '';
    if (redis.ok) {
      io.out.write(
        `  ✔ store: Redis reachable, ${redis.layout === null ? 'empty (claimed at first start)' : `key layout ${redis.layout}`}${ha}\n`,
      );
    } else {
      failures += 1;
      io.out.write(`  ✘ store: Redis: ${redis.reason}\n`);
    }
  }
  // Not a failure: without charts every other command works, and /chart says why it cannot draw.
  const charts = await (io.chartsAvailable ?? checkCharts)();
  io.out.write(
    charts.ok
      ? '  charts: ok\n'
      : `  ⚠ charts are not available on this system: ${charts.reason} (/chart answers with this; everything else works)\n`,
  );
  if (io.env.FTCHATOPS_SHOW_CONFIG === '1')
    io.out.write(`${JSON.stringify(redactConfig(config, CONFIG_SECRET_KEYS), null, 2)}\n`);
  return failures ? 1 : 0;
}

/** Runs the bot from a config file until SIGINT/SIGTERM. */
async function runWithConfig(path: string, io: CliIo): Promise<number> {
  let config: Config;
  try {
    config = await (await import('./main.js')).loadAppConfig(path, io.env);
  } catch (error) {
    io.err.write(`${describeError(error)}\n`);
    return error instanceof ConfigError ? 2 : 1;
  }
  const logger = createLogger({
    level: config.log_level,
    secrets: collectSecrets(config, (await import('./main.js')).CONFIG_SECRET_KEYS),
    pretty: Boolean(process.stderr.isTTY),
  });
  // Listening before start: a signal that comes while the platforms connect still stops cleanly.
  const stopRequested =
    io.stopRequested ??
    installStopSignals({
      interactive: Boolean(process.stdin.isTTY),
      err: io.err,
      hardLimitMs: HARD_STOP_LIMIT_MS,
      finishedStatus: () => undefined,
      exit: (status) => process.exit(status),
    }).first;
  const { startApp } = await import('./main.js');
  let app: App;
  try {
    app = await startApp({ config, logger, stopRequested });
  } catch (error) {
    // A setting that only fails once tried (http.port in use) is still a config problem: exit 2.
    if (!(error instanceof ConfigError)) throw error;
    io.err.write(`${describeError(error)}\n`);
    return 2;
  }
  await stopRequested;
  await app.stop();
  return 0;
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
    return runDemo({
      telegram: Boolean(values.telegram),
      env: io.env,
      out: io.out,
      err: io.err,
      ...(io.stopRequested ? { stopRequested: io.stopRequested } : {}),
    });
  }
  if (command !== undefined) {
    io.err.write(`Unknown command "${command}".\n\n${HELP}\n`);
    return 2;
  }
  const path = values.config ?? io.env.FTCHATOPS_CONFIG;
  if (!path) return 2;
  return runWithConfig(path, io);
}

/** True when this module is the program node was started with (also through npm's bin symlink). */
function isEntryPoint(): boolean {
  const started = process.argv[1];
  if (started === undefined) return false;
  try {
    return realpathSync(started) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** Runs the command line as the process: signals, exit status, and an exit even if a socket lingers. */
function main(): void {
  let finishedStatus: number | undefined;
  const signals = installStopSignals({
    interactive: Boolean(process.stdin.isTTY),
    err: process.stderr,
    hardLimitMs: HARD_STOP_LIMIT_MS,
    finishedStatus: () => finishedStatus,
    exit: (status) => process.exit(status),
  });
  // Once the program has finished, the process exits at once, explicitly. Nothing may keep it
  // alive (a socket to a platform that stopped answering mid-request would leave a service manager
  // waiting), and ending by an empty event loop would take the signal listeners down before node
  // has exited: a SIGTERM in that window (systemd signals every process, docker stop may repeat)
  // would end it with 143. process.exit keeps them to the end.
  const exitNow = (status: number) => {
    finishedStatus = status;
    process.exitCode = status;
    // Output written so far goes out first (pipes and files are synchronous on Linux, not everywhere).
    let pending = 2;
    const done = () => {
      pending -= 1;
      if (pending === 0) process.exit(status);
    };
    process.stdout.write('', done);
    process.stderr.write('', done);
    setTimeout(() => process.exit(status), 500).unref();
  };
  runCli(process.argv.slice(2), {
    out: process.stdout,
    err: process.stderr,
    env: process.env,
    stopRequested: signals.first,
  }).then(exitNow, (error: unknown) => {
    process.stderr.write(`fatal: ${describeError(error)}\n`);
    exitNow(1);
  });
}

if (isEntryPoint()) main();
