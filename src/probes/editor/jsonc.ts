// JSON with comments as VS Code reads settings.json (microsoft/node-jsonc-parser with allowTrailingComma):
// `//` and `/* */` comments, a trailing comma before `]` or `}`, a leading BOM; otherwise strict JSON (strings
// with JSON escapes and no raw control characters, JSON numbers, true/false/null). Unlike jsonc-parser it does
// not recover: the first error throws, with its offset. The parser is a loop over an explicit stack, so nesting
// costs memory, never call depth, and it is bounded.
import { SysprobeError } from '../../errors.js';

/** Deeper nesting than this is refused (settings files nest a handful of levels). */
export const MAX_JSONC_DEPTH = 512;
/** Longer texts than this (in UTF-16 units) are refused. */
export const MAX_JSONC_LENGTH = 16 << 20;

type Expect = 'value' | 'value-or-close' | 'key-or-close' | 'separator' | 'end';
type Container = { array: unknown[]; object?: undefined } | { array?: undefined; object: Record<string, unknown>; key: string | null };

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

function fail(text: string, offset: number, reason: string): never {
  const { line, column } = lineColumn(text, offset);
  throw new SysprobeError({
    code: 'ERR_SYSPROBE_JSONC',
    offset,
    message: `${reason} at line ${line}, column ${column} (offset ${offset})`,
    details: { reason, line, column },
  });
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function readString(text: string, start: number): { value: string; end: number } {
  let out = '';
  let i = start + 1;
  let run = i;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return { value: out + text.slice(run, i), end: i + 1 };
    if (c < 0x20) fail(text, i, 'control character in string');
    if (c === 0x5c) {
      out += text.slice(run, i);
      const e = text[i + 1];
      if (e === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(text, i, 'invalid \\u escape');
        out += String.fromCharCode(Number.parseInt(hex, 16));
        i += 6;
      } else if (e !== undefined && Object.hasOwn(ESCAPES, e)) {
        out += ESCAPES[e];
        i += 2;
      } else {
        fail(text, i, 'invalid escape');
      }
      run = i;
      continue;
    }
    i++;
  }
  return fail(text, start, 'unterminated string');
}

/** Skips whitespace and comments; returns the offset of the next token. */
function skip(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      i += 2;
      while (i < text.length && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) fail(text, i, 'unterminated comment');
      i = end + 2;
    } else break;
  }
  return i;
}

function set(target: Record<string, unknown>, key: string, value: unknown): void {
  // As JSON.parse: "__proto__" is an own property, not the prototype.
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/**
 * Parses JSON with comments and trailing commas, as VS Code reads its settings. An empty document (only
 * whitespace and comments) gives `undefined`, as jsonc-parser does.
 * @throws {@link SysprobeError} `ERR_SYSPROBE_JSONC` with `offset` and `details.line`/`column`/`reason` for
 *   malformed input or nesting deeper than 512; `ERR_SYSPROBE_TOO_LARGE` for a text over 16 Mi characters.
 * @example
 * parseJsonc('{ "go.goroot": "/usr/local/go", // mine\n }');   // { 'go.goroot': '/usr/local/go' }
 */
export function parseJsonc(text: string): unknown {
  if (typeof text !== 'string')
    throw new SysprobeError({ code: 'ERR_SYSPROBE_INVALID_ARG', message: 'parseJsonc(): text must be a string' });
  if (text.length > MAX_JSONC_LENGTH)
    throw new SysprobeError({ code: 'ERR_SYSPROBE_TOO_LARGE', message: `JSONC text over ${MAX_JSONC_LENGTH} characters` });
  const stack: Container[] = [];
  // What may come next: a value (or, after `[` or a `,` in an array, the closing `]`), a key (or `}`), a separator, the end.
  let expect = 'value' as Expect;
  let result: unknown;
  let i = skip(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (i >= text.length) return undefined;

  const emit = (value: unknown) => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      result = value;
      expect = 'end';
    } else {
      if (top.array) top.array.push(value);
      else set(top.object, top.key as string, value);
      expect = 'separator';
    }
  };

  while (i < text.length) {
    const c = text[i] as string;
    const top = stack[stack.length - 1];
    if (expect === 'end') fail(text, i, 'unexpected text after the value');
    if (expect === 'separator') {
      if (c === ',') {
        expect = top?.array ? 'value-or-close' : 'key-or-close';
        i++;
      } else if ((c === ']' && top?.array) || (c === '}' && top?.object)) {
        stack.pop();
        emit(top.array ?? top.object);
        i++;
      } else fail(text, i, top?.array ? "expected ',' or ']'" : "expected ',' or '}'");
    } else if (expect === 'key-or-close') {
      if (c === '}' && top?.object) {
        stack.pop();
        emit(top.object);
        i++;
      } else if (c === '"' && top?.object) {
        const key = readString(text, i);
        top.key = key.value;
        i = skip(text, key.end);
        if (text[i] !== ':') fail(text, i, "expected ':'");
        i++;
        expect = 'value';
      } else fail(text, i, 'expected a property name or }');
    } else {
      if (c === ']' && expect === 'value-or-close' && top?.array) {
        stack.pop();
        emit(top.array);
        i++;
      } else if (c === '{' || c === '[') {
        if (stack.length >= MAX_JSONC_DEPTH) fail(text, i, `nesting deeper than ${MAX_JSONC_DEPTH}`);
        stack.push(c === '[' ? { array: [] } : { object: {}, key: null });
        expect = c === '[' ? 'value-or-close' : 'key-or-close';
        i++;
      } else if (c === '"') {
        const s = readString(text, i);
        emit(s.value);
        i = s.end;
      } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
        emit(c === 't' ? true : null);
        i += 4;
      } else if (text.startsWith('false', i)) {
        emit(false);
        i += 5;
      } else {
        NUMBER.lastIndex = i;
        const m = NUMBER.exec(text);
        if (m === null) fail(text, i, 'expected a value');
        emit(Number(m[0]));
        i += m[0].length;
      }
      // A literal or number runs into the next character: `truex`, `12a`.
      if (expect !== 'value' && /[A-Za-z0-9_$.+-]/.test(text[i] ?? ' ') && /[A-Za-z0-9.]/.test(text[i - 1] ?? ' '))
        fail(text, i, 'unexpected character');
    }
    i = skip(text, i);
  }
  if (expect !== 'end') fail(text, text.length, 'unexpected end of input');
  return result;
}
