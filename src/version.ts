import { readFileSync } from 'node:fs';

/** The package version from package.json (one level above src/ and dist/ alike); read when asked. */
export function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
