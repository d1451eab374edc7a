/**
 * The layer rules of ARCHITECTURE.md, checked over the import paths of every src/**\/*.ts file
 * (static, type-only, re-exports and dynamic `import()` alike). biome.json's noRestrictedImports
 * overrides say the same to an editor; this test also catches what biome cannot express (cycles).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/compiled.js';

/** One source file: its path from the repository root (`src/chat/router.ts`) and its import specifiers. */
interface SourceImports {
  path: string;
  imports: string[];
  /**
   * Specifiers imported only for their types (`import type`, or every name marked `type`): erased
   * by the compiler, so they cannot make a load-order cycle. They count for the folder rules, not
   * for the cycle rule (the Platform type, say, is derived from main.ts's platform list).
   */
  typeOnly?: string[];
}

/** One broken rule: which file, which import, and the rule's text. */
interface LayerViolation {
  file: string;
  imported: string;
  rule: string;
}

/** The folder under src/ a path belongs to (`chat` for `src/chat/commands/x.ts`), or '' for src/*.ts. */
function layerOf(path: string): string {
  const [, folder, rest] = path.split('/');
  return rest === undefined ? '' : (folder ?? '');
}

/** Resolves a relative specifier against the importing file to a repository path (`.js` → `.ts`); packages unchanged. */
function resolveImport(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  return posix.join(posix.dirname(from), specifier).replace(/\.js$/, '.ts');
}

/** The npm package a bare specifier names (`@grammyjs/runner`, `discord.js`), or undefined for a path. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const isGrammy = (pkg: string) => pkg === 'grammy' || pkg.startsWith('@grammyjs/');
const isDiscord = (pkg: string) => pkg === 'discord.js' || pkg.startsWith('@discordjs/');

/** The only chat/ module notify/ may import: the platform-neutral Reply, a leaf module. */
const SHARED_REPLY = 'src/chat/reply.ts';

/**
 * Every import that breaks a layer rule, and every import cycle that runs through both chat/ and
 * notify/ (reported once per cycle, at one of its chat/ → notify/ edges). Empty when all is well.
 */
function findLayerViolations(files: readonly SourceImports[]): LayerViolation[] {
  const violations: LayerViolation[] = [];
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const layer = layerOf(file.path);
    const targets: string[] = [];
    for (const specifier of file.imports) {
      const pkg = packageOf(specifier);
      if (pkg !== undefined) {
        if (isGrammy(pkg) && layer !== 'telegram') {
          violations.push({ file: file.path, imported: specifier, rule: 'grammY only in src/telegram/' });
        }
        if (isDiscord(pkg) && layer !== 'discord') {
          violations.push({ file: file.path, imported: specifier, rule: 'discord.js only in src/discord/' });
        }
        continue;
      }
      const target = resolveImport(file.path, specifier);
      if (!file.typeOnly?.includes(specifier)) targets.push(target);
      if (!target.startsWith('src/')) continue;
      const targetLayer = layerOf(target);
      if (layer === 'freqtrade' && (targetLayer === 'chat' || targetLayer === 'notify')) {
        violations.push({
          file: file.path,
          imported: specifier,
          rule: 'freqtrade/ imports neither chat/ nor notify/',
        });
      }
      if (layer === 'notify' && targetLayer === 'chat' && target !== SHARED_REPLY) {
        violations.push({
          file: file.path,
          imported: specifier,
          rule: 'notify/ imports only chat/reply.ts from chat/',
        });
      }
    }
    edges.set(file.path, targets);
  }
  for (const cycle of cyclesThrough(edges, 'chat', 'notify')) {
    violations.push({
      file: cycle[0] ?? '',
      imported: cycle.slice(1).join(' → '),
      rule: 'no import cycle between chat/ and notify/',
    });
  }
  return violations;
}

/**
 * Import cycles (strongly connected groups of modules, Tarjan's algorithm) that contain modules
 * of both layers `a` and `b`; each as its module paths in a stable order.
 */
function cyclesThrough(edges: ReadonlyMap<string, readonly string[]>, a: string, b: string): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string): void => {
    indexOf.set(node, index);
    lowLink.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      if (!indexOf.has(next)) {
        visit(next);
        lowLink.set(node, Math.min(lowLink.get(node) ?? 0, lowLink.get(next) ?? 0));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node) ?? 0, indexOf.get(next) ?? 0));
      }
    }
    if (lowLink.get(node) !== indexOf.get(node)) return;
    const group: string[] = [];
    for (;;) {
      const member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      group.push(member);
      if (member === node) break;
    }
    if (group.length > 1) groups.push(group.sort());
  };
  for (const node of edges.keys()) if (!indexOf.has(node)) visit(node);
  return groups.filter(
    (group) => group.some((path) => layerOf(path) === a) && group.some((path) => layerOf(path) === b),
  );
}

/** Every .ts file under `dir`, as repository paths with forward slashes, sorted. */
function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...sourceFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.ts'))
      found.push(relative(ROOT, path).split('\\').join('/'));
  }
  return found.sort();
}

/** The import specifiers of a file, as TypeScript's own pre-processor finds them (dynamic imports too). */
function importsOf(path: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, path), 'utf8'), true, true);
  return info.importedFiles.map((file) => file.fileName);
}

/** Specifiers that every import or export declaration of the file takes for types only. */
function typeOnlyImportsOf(path: string): string[] {
  const source = ts.createSourceFile(path, readFileSync(join(ROOT, path), 'utf8'), ts.ScriptTarget.Latest);
  const runtime = new Set<string>();
  const typeOnly = new Set<string>();
  for (const statement of source.statements) {
    let specifier: string | undefined;
    let onlyTypes = false;
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      specifier = statement.moduleSpecifier.text;
      const clause = statement.importClause;
      const named = clause?.namedBindings;
      onlyTypes =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            named !== undefined &&
            ts.isNamedImports(named) &&
            named.elements.length > 0 &&
            named.elements.every((element) => element.isTypeOnly)));
    } else if (
      ts.isExportDeclaration(statement) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
    ) {
      specifier = statement.moduleSpecifier.text;
      onlyTypes = statement.isTypeOnly;
    }
    if (specifier === undefined) continue;
    (onlyTypes ? typeOnly : runtime).add(specifier);
  }
  // A dynamic import() is a runtime import, found by preProcessFile but not among the statements.
  const dynamic = importsOf(path).filter((specifier) => !typeOnly.has(specifier) && !runtime.has(specifier));
  return [...typeOnly].filter((specifier) => !runtime.has(specifier) && !dynamic.includes(specifier));
}

describe('layer rules (ARCHITECTURE.md)', () => {
  it('hold for every import in src/', () => {
    const files = sourceFiles(join(ROOT, 'src')).map((path) => ({
      path,
      imports: importsOf(path),
      typeOnly: typeOnlyImportsOf(path),
    }));
    expect(files.length).toBeGreaterThan(50);
    // The reader sees real imports: a file that imports grammy is found as such.
    expect(files.find((file) => file.path === 'src/telegram/adapter.ts')?.imports).toContain('grammy');
    expect(findLayerViolations(files)).toEqual([]);
  });

  it('reports grammY and discord.js outside their adapters, also as plugins, type-only or dynamic imports', () => {
    expect(
      findLayerViolations([
        { path: 'src/chat/router.ts', imports: ['grammy', '@grammyjs/runner'] },
        { path: 'src/main.ts', imports: ['discord.js'] },
        { path: 'src/notify/outbox.ts', imports: ['@discordjs/rest'] },
        { path: 'src/telegram/adapter.ts', imports: ['grammy', '@grammyjs/auto-retry', 'discord.js'] },
        { path: 'src/discord/adapter.ts', imports: ['discord.js', '@discordjs/builders'] },
      ]),
    ).toEqual([
      { file: 'src/chat/router.ts', imported: 'grammy', rule: 'grammY only in src/telegram/' },
      { file: 'src/chat/router.ts', imported: '@grammyjs/runner', rule: 'grammY only in src/telegram/' },
      { file: 'src/main.ts', imported: 'discord.js', rule: 'discord.js only in src/discord/' },
      { file: 'src/notify/outbox.ts', imported: '@discordjs/rest', rule: 'discord.js only in src/discord/' },
      { file: 'src/telegram/adapter.ts', imported: 'discord.js', rule: 'discord.js only in src/discord/' },
    ]);
  });

  it('reports freqtrade/ importing chat/ or notify/', () => {
    expect(
      findLayerViolations([
        {
          path: 'src/freqtrade/event-stream.ts',
          imports: ['../chat/types.js', '../notify/backfill.js', './client.js'],
        },
        { path: 'src/chat/types.ts', imports: [] },
        { path: 'src/notify/backfill.ts', imports: [] },
        { path: 'src/freqtrade/client.ts', imports: ['../config/schema.js'] },
      ]).map((violation) => [violation.file, violation.imported]),
    ).toEqual([
      ['src/freqtrade/event-stream.ts', '../chat/types.js'],
      ['src/freqtrade/event-stream.ts', '../notify/backfill.js'],
    ]);
  });

  it('lets notify/ import only chat/reply.ts, and chat/ import notify/', () => {
    const violations = findLayerViolations([
      { path: 'src/notify/format.ts', imports: ['../chat/reply.js'] },
      { path: 'src/notify/notifier.ts', imports: ['../chat/router.js'] },
      { path: 'src/chat/commands/notifications.ts', imports: ['../../notify/route.js'] },
      { path: 'src/chat/reply.ts', imports: [] },
      { path: 'src/chat/router.ts', imports: [] },
      { path: 'src/notify/route.ts', imports: [] },
    ]);
    expect(violations).toEqual([
      {
        file: 'src/notify/notifier.ts',
        imported: '../chat/router.js',
        rule: 'notify/ imports only chat/reply.ts from chat/',
      },
    ]);
  });

  it('reports an import cycle through chat/ and notify/, even one that goes by way of chat/reply.ts', () => {
    const violations = findLayerViolations([
      { path: 'src/chat/reply.ts', imports: ['../notify/numbers.js'] },
      { path: 'src/notify/numbers.ts', imports: ['../chat/reply.js'] },
      { path: 'src/chat/router.ts', imports: ['./reply.js'] },
    ]);
    expect(violations).toEqual([
      {
        file: 'src/chat/reply.ts',
        imported: 'src/notify/numbers.ts',
        rule: 'no import cycle between chat/ and notify/',
      },
    ]);
  });

  it('does not count a cycle whose only way back is a type-only import (erased when compiled)', () => {
    const files = [
      { path: 'src/chat/types.ts', imports: ['../main.js'], typeOnly: ['../main.js'] },
      { path: 'src/main.ts', imports: ['./notify/notifier.js'] },
      { path: 'src/notify/notifier.ts', imports: ['../chat/types.js'] },
    ];
    expect(findLayerViolations(files).map((violation) => violation.rule)).toEqual([
      'notify/ imports only chat/reply.ts from chat/',
    ]);
    expect(
      findLayerViolations(files.map((file) => ({ ...file, typeOnly: [] }))).map((v) => v.rule),
    ).toContain('no import cycle between chat/ and notify/');
  });
});
