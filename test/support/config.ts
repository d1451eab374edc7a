/**
 * The config loaders as the app uses them, bound to main.ts's PLATFORMS: tests parse and load
 * configs with every platform's section, as `npm start` does.
 */
import type { Config } from '../../src/config/schema.js';
import { loadAppConfig, parseAppConfig } from '../../src/main.js';

/** Validates a config object with every platform's section (see src/config/load.ts `parseConfig`). */
export function parseConfig(raw: unknown, source = 'config'): Config {
  return parseAppConfig(raw, source);
}

/** Reads a config file with every platform's section and the given environment overrides. */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = {}): Promise<Config> {
  return loadAppConfig(path, env);
}
