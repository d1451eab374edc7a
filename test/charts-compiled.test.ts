/**
 * The charts module as shipped (dist/, plain node): the worker's compiled file starts and draws,
 * even under `npm start`'s per-process flags; importing the program loads neither chart.js nor
 * the native canvas (a module hook that refuses them proves it), and when they cannot load,
 * `loadChartRenderer` rejects with ChartsUnavailableError.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDistBuilt, ROOT } from './support/compiled.js';

const run = promisify(execFile);
const distUrl = (path: string): string => pathToFileURL(join(ROOT, 'dist', path)).href;

const REFUSING_HOOKS = `
export async function resolve(specifier, context, next) {
  if (/^(@napi-rs\\/canvas|chart\\.js|chartjs-chart-financial)/.test(specifier)) {
    throw new Error('refused by the test hook: ' + specifier);
  }
  return next(specifier, context);
}
`;

describe('charts, compiled', () => {
  let dir: string;
  beforeAll(async () => {
    await ensureDistBuilt();
    dir = await mkdtemp(join(tmpdir(), 'ftc-charts-'));
    await writeFile(join(dir, 'hooks.mjs'), REFUSING_HOOKS);
    await writeFile(
      join(dir, 'register.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
    );
  }, 180_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('renders in the compiled worker under `npm start` flags', async () => {
    const script = `
      const charts = await import(${JSON.stringify(distUrl('charts/index.js'))});
      const renderer = await charts.loadChartRenderer();
      const out = await renderer.render({ kind: 'bars', title: 'Daily profit', labels: ['a', 'b'], values: [1, -1], unit: 'USDT' });
      console.log(JSON.stringify({ bytes: out.png.byteLength, width: out.width, height: out.height, magic: out.png.subarray(1, 4).toString() }));
      await renderer.close();
    `;
    const { stdout } = await run(
      process.execPath,
      ['--max-semi-space-size=4', '--input-type=module', '-e', script],
      {
        cwd: ROOT,
        timeout: 60_000,
      },
    );
    const result = JSON.parse(stdout.trim()) as {
      bytes: number;
      width: number;
      height: number;
      magic: string;
    };
    expect(result).toMatchObject({ width: 1280, height: 720, magic: 'PNG' });
    expect(result.bytes).toBeGreaterThan(1_000);
  }, 90_000);

  it('loads neither chart.js nor the canvas when the program is imported; unavailable charts reject clearly', async () => {
    const script = `
      await import(${JSON.stringify(distUrl('main.js'))});
      const charts = await import(${JSON.stringify(distUrl('charts/index.js'))});
      const result = { imported: true };
      try {
        await charts.loadChartRenderer();
        result.loaded = true;
      } catch (error) {
        result.error = { name: error.name, message: error.message };
      }
      result.available = await charts.chartsAvailable();
      console.log(JSON.stringify(result));
    `;
    const { stdout } = await run(
      process.execPath,
      ['--import', pathToFileURL(join(dir, 'register.mjs')).href, '--input-type=module', '-e', script],
      { cwd: ROOT, timeout: 60_000 },
    );
    const result = JSON.parse(stdout.trim());
    expect(result).toEqual({
      imported: true,
      error: {
        name: 'ChartsUnavailableError',
        message: 'charts are not available on this system: refused by the test hook: @napi-rs/canvas',
      },
      available: { ok: false, reason: 'refused by the test hook: @napi-rs/canvas' },
    });
  }, 90_000);
});
