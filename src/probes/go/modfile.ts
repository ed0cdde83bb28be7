// The line syntax go.mod and go.work share (golang.org/x/mod/modfile read.go): a line is tokens up to a `//`
// comment; a token is a "quoted" string (Go escapes), a `raw` string, `(`, `)`, or a run of other non-space
// characters; `verb (` opens a block whose lines each take `verb`, `)` closes it. Only what the probes need is
// kept: each directive as its verb and its argument tokens (strings unquoted), with its line number.

export interface Directive {
  verb: string;
  args: string[];
  line: number;
}

export interface ParsedModfile {
  directives: Directive[];
  /** The first syntax error (`line N: …`); what came before it is kept. */
  error?: string;
}

/** At most this many lines are looked at (a go.mod of a large monorepo has a few thousand). */
const MAX_LINES = 1 << 20;

function unquote(token: string): string | null {
  if (token.startsWith('`')) return token.endsWith('`') && token.length >= 2 ? token.slice(1, -1) : null;
  try {
    // A Go interpreted string is a JSON string except for \x, \a, \v, octal and \U escapes; those are rare in
    // module files and rejected here rather than guessed.
    const value = JSON.parse(token) as unknown;
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** The tokens of one line, or an error message. */
function tokenize(line: string): string[] | string {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
    } else if (c === '/' && line[i + 1] === '/') {
      break;
    } else if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < line.length && line[j] !== c) j += c === '"' && line[j] === '\\' ? 2 : 1;
      if (j >= line.length) return 'unterminated quoted string';
      const value = unquote(line.slice(i, j + 1));
      if (value === null) return `invalid quoted string ${line.slice(i, j + 1)}`;
      tokens.push(value);
      i = j + 1;
    } else if (c === '(' || c === ')') {
      tokens.push(c);
      i++;
    } else {
      let j = i;
      while (j < line.length && !/[\s"`()]/.test(line[j] as string) && !(line[j] === '/' && line[j + 1] === '/')) j++;
      tokens.push(line.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

export function parseModfile(text: string): ParsedModfile {
  const out: ParsedModfile = { directives: [] };
  const lines = text.split('\n');
  let block: string | null = null;
  for (let n = 0; n < Math.min(lines.length, MAX_LINES); n++) {
    const tokens = tokenize(lines[n] as string);
    const at = n + 1;
    if (typeof tokens === 'string') {
      out.error = `line ${at}: ${tokens}`;
      return out;
    }
    if (tokens.length === 0) continue;
    if (block !== null) {
      if (tokens[0] === ')') {
        if (tokens.length > 1) {
          out.error = `line ${at}: unexpected text after )`;
          return out;
        }
        block = null;
      } else {
        out.directives.push({ verb: block, args: tokens, line: at });
      }
      continue;
    }
    const [verb, ...args] = tokens as [string, ...string[]];
    if (args.length === 1 && args[0] === '(') {
      block = verb;
      continue;
    }
    if (verb === '(' || verb === ')' || args.includes('(') || args.includes(')')) {
      out.error = `line ${at}: unexpected ${verb === '(' || verb === ')' ? verb : 'parenthesis'}`;
      return out;
    }
    out.directives.push({ verb, args, line: at });
  }
  if (block !== null) out.error = `line ${lines.length}: unterminated ${block} block`;
  return out;
}
