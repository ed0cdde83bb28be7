// parseJsonc against jsonc-parser's own cases (microsoft/node-jsonc-parser:src/test/json.test.ts, the parser
// VS Code reads settings with, in its allowTrailingComma mode) and against JSON.parse on every JSON file of the
// repository and on generated documents with comments woven in; probeVscodeSettings and expandSettingPath in
// a temporary home laid out as VS Code lays out its files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './helpers.mjs';
import * as sysprobe from '../dist/index.js';

const { parseJsonc, probeVscodeSettings, probeVscodeSettingsSync, expandSettingPath } = sysprobe;
const jsoncError = (offset) => (error) => error?.code === 'ERR_SYSPROBE_JSONC' && (offset === undefined || error.offset === offset);

test("parseJsonc accepts what jsonc-parser's tests parse without error (allowTrailingComma)", () => {
  const valid = [
    ['true', true],
    ['false', false],
    ['null', null],
    ['"foo"', 'foo'],
    ['"\\"-\\\\-\\/-\\b-\\f-\\n-\\r-\\t"', '"-\\-/-\b-\f-\n-\r-\t'],
    ['"\\u00DC"', 'Ü'],
    ['"\u88ff"', '\u88ff'],
    ['"\u2028"', '\u2028'],
    ['9', 9],
    ['-9', -9],
    ['0.129', 0.129],
    ['23e3', 23e3],
    ['1.2E+3', 1.2e3],
    ['1.2E-3', 1.2e-3],
    ['1.2E-3 // comment', 1.2e-3],
    ['90E+123', 90e123],
    ['{}', {}],
    ['{ "foo": true }', { foo: true }],
    ['{ "bar": 8, "xoo": "foo" }', { bar: 8, xoo: 'foo' }],
    ['{ "hello": [], "world": {} }', { hello: [], world: {} }],
    ['{ "a": false, "b": true, "c": [ 7.4 ] }', { a: false, b: true, c: [7.4] }],
    [
      '{ "lineComment": "//", "blockComment": ["/*", "*/"], "brackets": [ ["{", "}"], ["[", "]"], ["(", ")"] ] }',
      {
        lineComment: '//',
        blockComment: ['/*', '*/'],
        brackets: [
          ['{', '}'],
          ['[', ']'],
          ['(', ')'],
        ],
      },
    ],
    ['{ "hello": { "again": { "inside": 5 }, "world": 1 }}', { hello: { again: { inside: 5 }, world: 1 } }],
    ['{ "foo": /*hello*/true }', { foo: true }],
    ['[]', []],
    ['[ [],  [ [] ]]', [[], [[]]]],
    ['[ 1, 2, 3 ]', [1, 2, 3]],
    ['[ { "a": null } ]', [{ a: null }]],
    ['{ "hello": [], }', { hello: [] }],
    ['{ "hello": [], "world": {}, }', { hello: [], world: {} }],
    ['[ 1, 2, ]', [1, 2]],
    ['// this is a comment\n{}', {}],
    ['/* this is a \r\ncomment*/ [1]', [1]],
    ['// a comment ended by CR\r{"a":1}', { a: 1 }],
    ['\ufeff{"bom": 1}', { bom: 1 }],
  ];
  for (const [input, expected] of valid) assert.deepEqual(parseJsonc(input), expected, input);
  assert.equal(parseJsonc('  // only a comment\n'), undefined);
});

test('parseJsonc throws ERR_SYSPROBE_JSONC, with the offset, for what jsonc-parser reports as errors', () => {
  const invalid = [
    ['{,}', 1],
    ['{ "bar": 8 "xoo": "foo" }', 11],
    ['{ ,"bar": 8 }', 2],
    ['{ ,"bar": 8, "foo" }', 2],
    ['{ "bar": 8, "foo": }', 19],
    ['{ 8, "foo": 9 }', 2],
    ['[,]', 1],
    ['[ 1 2, 3 ]', 4],
    ['[ ,1, 2, 3 ]', 2],
    ['[ ,1, 2, 3, ]', 2],
    ['/* this is a', 0],
    ['/* this is a \ncomment', 0],
    ['"\\v"', 1],
    ['"test', 0],
    ['"test\n"', 5],
    ['"\t"', 1],
    ['"\0 "', 1],
    ['nulllll', 4],
    ['True', 0],
    ['foo-bar', 0],
    ['-', 0],
    ['.0', 0],
    ['01', 1],
    ['-01', 2],
    ['/ ttt', 0],
    ['{"a": 1} {"b": 2}', 9],
    ['{"a" 1}', 5],
    ['[1', 2],
    ['"\\u12G4"', 1],
  ];
  for (const [input, offset] of invalid) assert.throws(() => parseJsonc(input), jsoncError(offset), JSON.stringify(input));
  try {
    parseJsonc('{\n  "go.goroot": "/usr/local/go"\n  "gopls": {}\n}');
    assert.fail('no error');
  } catch (error) {
    assert.ok(error instanceof sysprobe.SysprobeError);
    assert.deepEqual([error.offset, error.details.line, error.details.column], [35, 3, 3]);
    assert.match(error.message, /line 3, column 3/);
  }
  assert.throws(() => parseJsonc(42), { code: 'ERR_SYSPROBE_INVALID_ARG' });
});

test('parseJsonc is bounded: a 1 MiB nesting bomb is refused at depth 512, a 1 MiB flat array parses', () => {
  for (const bomb of ['['.repeat(1 << 20), '{"a":'.repeat(1 << 18), `${'['.repeat(513)}${']'.repeat(513)}`]) {
    assert.throws(
      () => parseJsonc(bomb),
      (e) => e.code === 'ERR_SYSPROBE_JSONC' && /nesting deeper than 512/.test(e.details.reason),
    );
  }
  assert.equal(parseJsonc(`${'['.repeat(512)}${']'.repeat(512)}`).length, 1);
  const flat = `[${'1,'.repeat(1 << 19)}1]`;
  assert.equal(parseJsonc(flat).length, (1 << 19) + 1);
  assert.throws(() => parseJsonc(' '.repeat((16 << 20) + 1)), { code: 'ERR_SYSPROBE_TOO_LARGE' });
});

function jsonFiles(dir, depth = 0) {
  if (depth > 6) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (['node_modules', '.git', 'build', 'build-cmake'].includes(entry.name)) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? jsonFiles(path, depth + 1) : entry.name.endsWith('.json') ? [path] : [];
  });
}

test('parseJsonc equals JSON.parse on every JSON file of the repository and of its dependencies', () => {
  const files = [
    ...jsonFiles(root),
    ...jsonFiles(join(root, 'node_modules', '@biomejs')),
    ...jsonFiles(join(root, 'node_modules', 'typescript')),
  ];
  let checked = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    let expected;
    try {
      expected = JSON.parse(text);
    } catch {
      continue; // a .json file that is JSONC (tsconfig with comments): JSON.parse is no oracle for it
    }
    assert.deepEqual(parseJsonc(text), expected, file);
    checked++;
  }
  assert.ok(checked >= 5, `only ${checked} JSON files found`);
});

/** A random JSON value; seeded so a failure can be replayed. */
function randomValue(next, depth = 0) {
  const pick = next() % (depth > 4 ? 4 : 6);
  if (pick === 0) return next() % 2 === 0;
  if (pick === 1) return null;
  if (pick === 2) return ((next() % 2000000) - 1000000) / [1, 7, 1000][next() % 3];
  if (pick === 3)
    return String.fromCharCode(...Array.from({ length: next() % 8 }, () => [0x22, 0x5c, 0x2f, 0x0a, 0x41, 0xe9, 0x2028, 0x1f][next() % 8]));
  if (pick === 4) return Array.from({ length: next() % 5 }, () => randomValue(next, depth + 1));
  return Object.fromEntries(Array.from({ length: next() % 5 }, () => [`k${next() % 10}/*`, randomValue(next, depth + 1)]));
}

test('parseJsonc equals JSON.parse on 2000 generated documents, with comments and trailing commas woven in', () => {
  let seed = 12345;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed >> 8;
  };
  for (let i = 0; i < 2000; i++) {
    const json = JSON.stringify(randomValue(next), null, i % 2 ? 2 : undefined);
    const expected = JSON.parse(json);
    assert.deepEqual(parseJsonc(json), expected, json);
    // Comments after every structural character outside strings, a trailing comma before each closer.
    let woven = '';
    let inString = false;
    let previous = '';
    for (let j = 0; j < json.length; j++) {
      const c = json[j];
      if (inString) {
        woven += c;
        if (c === '\\') woven += json[++j];
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      if ((c === ']' || c === '}') && previous !== '[' && previous !== '{') woven += ',';
      if (!/\s/.test(c)) previous = c;
      woven += c;
      if ('{[,:'.includes(c)) woven += j % 2 ? ' /* c */ ' : ' // c\n';
    }
    assert.deepEqual(parseJsonc(woven), expected, woven);
  }
});

const scratch = mkdtempSync(join(tmpdir(), 'sysprobe-vscode-'));
test.after(() => rmSync(scratch, { recursive: true, force: true }));
const write = (path, text) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
};

test('probeVscodeSettings reads user, remote and workspace settings and the Go extension folders', async () => {
  const home = join(scratch, 'home');
  const workspace = join(scratch, 'project');
  const user = join(home, '.config', 'Code', 'User', 'settings.json');
  write(
    user,
    '{\n  // mine\n  "go.goroot": "~/sdk/go1.22.3",\n  "go.toolsEnvVars": { "GOFLAGS": "-mod=mod", },\n  "gopls": { "ui.semanticTokens": true },\n  "editor.fontSize": 14,\n  "terminal.integrated.env.linux": { "PATH": "/opt/go/bin:${env:PATH}" },\n}\n',
  );
  const machine = join(home, '.vscode-server', 'data', 'Machine', 'settings.json');
  write(machine, '{ "go.toolsEnvVars": { "GODEBUG": "winsymlink=0" } /* remote */ }');
  const folder = join(workspace, '.vscode', 'settings.json');
  write(folder, '{ "go.goroot": "${workspaceFolder}/.go", "go.alternateTools": { "go": "${env:HOME}/bin/go" } }');
  write(join(home, '.vscode', 'extensions', 'golang.go-0.41.0', 'package.json'), JSON.stringify({ name: 'go', version: '0.41.0' }));
  write(join(home, '.vscode-server', 'extensions', 'golang.go-0.40.0', 'package.json'), '{"version": "0.40.0"}');
  write(join(home, '.vscode-server', 'extensions', '.obsolete'), '{"golang.go-0.40.0": true}');
  write(join(home, '.vscode', 'extensions', 'golang.go-nightly-2024.1.1', 'package.json'), '{"version": "x"}');
  mkdirSync(join(home, '.vscode', 'extensions', 'ms-python.python-2024.1.0'), { recursive: true });

  const result = probeVscodeSettingsSync({ home, workspace, platform: 'linux', env: {} });
  assert.deepEqual(await probeVscodeSettings({ home, workspace, platform: 'linux', env: {} }), result);
  assert.deepEqual(
    result.files.map((f) => [f.path, f.scope, f.exists]),
    [
      [user, 'user', true],
      [join(home, '.config', 'Code - Insiders', 'User', 'settings.json'), 'user', false],
      [join(home, '.config', 'VSCodium', 'User', 'settings.json'), 'user', false],
      [join(home, '.config', 'Code - OSS', 'User', 'settings.json'), 'user', false],
      [machine, 'remote', true],
      [folder, 'workspace', true],
    ],
  );
  assert.equal(result.product, 'Code');
  assert.equal('editor.fontSize' in result.files[0].settings, false, 'only the Go keys are copied');
  assert.deepEqual(result.effective, {
    'go.goroot': { value: '${workspaceFolder}/.go', file: folder },
    'go.toolsEnvVars': { value: { GODEBUG: 'winsymlink=0' }, file: machine },
    gopls: { value: { 'ui.semanticTokens': true }, file: user },
    'terminal.integrated.env.linux': { value: { PATH: '/opt/go/bin:${env:PATH}' }, file: user },
    'go.alternateTools': { value: { go: '${env:HOME}/bin/go' }, file: folder },
  });
  assert.deepEqual(result.goExtension, {
    installed: true,
    dirs: [
      { path: join(home, '.vscode', 'extensions', 'golang.go-0.41.0'), version: '0.41.0', obsolete: false },
      { path: join(home, '.vscode-server', 'extensions', 'golang.go-0.40.0'), version: '0.40.0', obsolete: true },
    ],
  });

  // A broken workspace file is a fact with its offset; the user value then wins. XDG_CONFIG_HOME moves the user file.
  write(folder, '{ "go.goroot": "/x" "gopls": {} }');
  const broken = probeVscodeSettingsSync({ home, workspace, platform: 'linux', env: { XDG_CONFIG_HOME: join(home, 'elsewhere') } });
  assert.equal(broken.files.at(-1).error.code, 'ERR_SYSPROBE_JSONC');
  assert.match(broken.files.at(-1).error.message, /offset 20/);
  assert.equal(broken.product, null);
  assert.equal(broken.files[0].path, join(home, 'elsewhere', 'Code', 'User', 'settings.json'));
  assert.deepEqual(Object.keys(broken.effective), ['go.toolsEnvVars']);

  const darwin = probeVscodeSettingsSync({ home, platform: 'darwin' });
  assert.equal(darwin.files[0].path, join(home, 'Library', 'Application Support', 'Code', 'User', 'settings.json'));
  const windows = probeVscodeSettingsSync({
    home: 'C:\\Users\\me',
    platform: 'win32',
    env: { AppData: 'C:\\Users\\me\\AppData\\Roaming' },
  });
  assert.equal(windows.files[0].path, 'C:\\Users\\me\\AppData\\Roaming\\Code\\User\\settings.json');
  assert.throws(() => probeVscodeSettingsSync({ env: {} }), { code: 'ERR_SYSPROBE_INVALID_ARG' });
});

test('expandSettingPath expands as vscode-go resolvePath(substituteEnv(value)) does', () => {
  const context = { home: '/home/me', workspace: '/src/app', env: { GOVER: 'go1.22.3', HOME: '/home/me' }, platform: 'linux' };
  const cases = [
    ['~/sdk/${env:GOVER}', '/home/me/sdk/go1.22.3'],
    ['${env: GOVER }/x', 'go1.22.3/x'],
    ['${env:MISSING}/bin', '/bin'],
    ['${workspaceFolder}/.go', '/src/app/.go'],
    ['${workspaceRoot}/a:${workspaceFolder}/b', '/src/app/a:/src/app/b'],
    ['/tools/${workspaceFolderBasename}', '/tools/app'],
    ['~', '/home/me'],
    ['~other/go', '/home/me/other/go'],
    ['/abs/~/x', '/abs/~/x'],
    ['  ', '  '],
    ['', ''],
    ['${userHome}/go', '${userHome}/go'],
  ];
  for (const [input, expected] of cases) assert.equal(expandSettingPath(input, context), expected, input);
  assert.equal(expandSettingPath('${workspaceFolder}/x', { home: '/h' }), '${workspaceFolder}/x', 'no workspace: left as written');
});
