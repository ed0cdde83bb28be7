// The built modules form no import cycle, counting every require() (lazy ones too): the layers are
// util → backends → probes → cli/index, and a cycle would mean a lower layer reaching up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

function modules(dir, suffix = '.js') {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? modules(join(dir, entry.name), suffix) : entry.name.endsWith(suffix) ? [join(dir, entry.name)] : [],
  );
}

/** The type imports of the declarations (`from './x.js'`, `import('./x.js')`), resolved to .d.ts files. */
function typeGraph() {
  const graph = new Map();
  for (const file of modules(dist, '.d.ts')) {
    const targets = [...readFileSync(file, 'utf8').matchAll(/(?:from |import\()(["'])(\.{1,2}\/[^"']+)\.js\1/g)].map((match) =>
      resolve(dirname(file), `${match[2]}.d.ts`),
    );
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every relative require() of a built module, resolved to a file. */
export function importGraph() {
  const graph = new Map();
  for (const file of modules(dist)) {
    const targets = [...readFileSync(file, 'utf8').matchAll(/require\((["'])(\.{1,2}\/[^"']+)\1\)/g)]
      .map((match) => resolve(dirname(file), match[2]))
      .filter((target) => target.startsWith(dist));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

function findCycles(graph) {
  const cycles = [];
  const state = new Map();
  const stack = [];
  const visit = (node) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles.map((cycle) => cycle.map((file) => relative(dist, file)).join(' → '));
}

test('dist/ has no import cycle (every require, lazy ones included)', () => {
  const graph = importGraph();
  assert.ok(graph.size > 20, `only ${graph.size} modules under dist/: is it built?`);
  const edges = [...graph.values()].reduce((n, targets) => n + targets.length, 0);
  assert.ok(edges > 40, `only ${edges} requires found: the pattern no longer matches tsc's output`);
  assert.deepEqual(findCycles(graph), []);
});

test('dist/ declarations have no type-import cycle either', () => {
  const graph = typeGraph();
  assert.ok(graph.size > 20, `only ${graph.size} declaration files under dist/`);
  assert.deepEqual(findCycles(graph), []);
});

test('the cycle check finds a planted cycle', () => {
  const graph = new Map([
    ['/a.js', ['/b.js']],
    ['/b.js', ['/c.js']],
    ['/c.js', ['/a.js']],
  ]);
  assert.equal(findCycles(graph).length, 1);
});

test('layers: util/ requires nothing above it, backends/ nothing from probes/ or cli/, probes/ nothing from cli/', () => {
  const above = { util: ['backends', 'probes', 'cli'], backends: ['probes', 'cli'], probes: ['cli'] };
  const violations = [];
  for (const [file, targets] of importGraph()) {
    const layer = relative(dist, file).split('/')[0];
    for (const target of targets) {
      const targetLayer = relative(dist, target).split('/')[0];
      if (above[layer]?.includes(targetLayer) || (layer !== 'index.js' && targetLayer === 'index.js')) {
        violations.push(`${relative(dist, file)} → ${relative(dist, target)}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});
