/**
 * src/charts/ is used only through its index.ts, and chart.js, the financial plugin and the native
 * canvas are loaded only by src/charts/draw.ts with dynamic `import()` (type-only imports aside),
 * so nothing reachable from main.ts loads them at start. Checked over every import with the
 * TypeScript parser, like test/layers.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/compiled.js';

interface FoundImport {
  file: string;
  specifier: string;
  kind: 'static' | 'type' | 'dynamic';
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): FoundImport[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(join(ROOT, file), 'utf8'),
    ts.ScriptTarget.ES2022,
    true,
  );
  const found: FoundImport[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      const typeOnly = ts.isImportDeclaration(node)
        ? Boolean(node.importClause?.isTypeOnly)
        : node.isTypeOnly;
      found.push({
        file,
        specifier: (node.moduleSpecifier as ts.StringLiteral).text,
        kind: typeOnly ? 'type' : 'static',
      });
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      found.push({
        file,
        specifier: argument && ts.isStringLiteral(argument) ? argument.text : '<computed>',
        kind: 'dynamic',
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const ALL = ['src', 'test', 'bench'].flatMap(tsFiles).flatMap(importsOf);
const CHART_LIBRARIES = /^(chart\.js|chartjs-chart-financial|@napi-rs\/canvas|chartjs-)/;

describe('charts boundary', () => {
  it('outside src/charts/, only src/charts/index.ts is imported', () => {
    const internals = ALL.filter(({ file, specifier }) => {
      if (file.startsWith('src/charts/') || !specifier.startsWith('.')) return false;
      const target = posix.normalize(posix.join(posix.dirname(file), specifier));
      return target.startsWith('src/charts/') && target !== 'src/charts/index.js';
    });
    expect(internals).toEqual([]);
  });

  it('the chart libraries load only in src/charts/draw.ts, dynamically (tests may use the canvas)', () => {
    const loads = ALL.filter(
      ({ file, specifier, kind }) =>
        file.startsWith('src/') &&
        kind !== 'type' &&
        (CHART_LIBRARIES.test(specifier) || (file.startsWith('src/charts/') && specifier === '<computed>')),
    );
    expect(loads.map(({ file, specifier, kind }) => `${file} ${kind} ${specifier}`)).toEqual([
      'src/charts/draw.ts dynamic @napi-rs/canvas',
      'src/charts/draw.ts dynamic chart.js',
      // The financial plugin's ESM build, imported by path through a string constant.
      'src/charts/draw.ts dynamic <computed>',
    ]);
  });

  it('finds imports at all (the scan is not vacuous)', () => {
    expect(ALL.filter(({ file }) => file === 'src/charts/index.ts').length).toBeGreaterThan(3);
    expect(relative(ROOT, join(ROOT, 'src'))).toBe('src');
  });
});
