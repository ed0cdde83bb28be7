// Every relative link in the README and docs/ points at a file that exists, and every #anchor at a heading of
// that file (as GitHub derives anchors from headings), so moving a page or renaming a heading cannot leave a
// dead link behind.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { root } from './helpers.mjs';

function markdownFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? markdownFiles(join(dir, entry.name)) : entry.name.endsWith('.md') ? [join(dir, entry.name)] : [],
  );
}

const pages = [
  ...['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md'].map((name) => join(root, name)).filter((path) => existsSync(path)),
  ...markdownFiles(join(root, 'docs')),
];

/** The text outside fenced code blocks and inline code, where a link is a link. */
const prose = (text) => text.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');

function anchors(file) {
  const text = readFileSync(file, 'utf8').replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');
  return new Set([...text.matchAll(/^#{1,6} +(.+)$/gm)].map((m) => slug(m[1])));
}

test('docs/ has the pages the README links to, and one page per API family', () => {
  for (const page of ['libc', 'elf', 'compat', 'limits', 'env', 'reparse', 'errors']) {
    assert.ok(existsSync(join(root, 'docs', 'api', `${page}.md`)), `docs/api/${page}.md`);
  }
  for (const page of ['cli', 'backends', 'prebuilds', 'verification', 'architecture']) {
    assert.ok(existsSync(join(root, 'docs', `${page}.md`)), `docs/${page}.md`);
  }
});

test('every relative link in README.md and docs/ resolves, anchors included', () => {
  const dead = [];
  let checked = 0;
  for (const page of pages) {
    for (const [, target] of prose(readFileSync(page, 'utf8')).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      checked += 1;
      const [file, anchor] = target.split('#');
      const resolved = file === '' ? page : join(dirname(page), file);
      const where = `${relative(root, page)}: ${target}`;
      if (!existsSync(resolved)) dead.push(`${where} (no such file)`);
      else if (anchor !== undefined && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) {
        dead.push(`${where} (no such heading)`);
      }
    }
  }
  for (const page of pages) {
    // A link broken across lines (`[text]` then `(target)` on the next) renders as plain text.
    for (const m of prose(readFileSync(page, 'utf8')).matchAll(/\]\n\(/g))
      dead.push(`${relative(root, page)}: a link split at offset ${m.index}`);
  }
  assert.deepEqual(dead, []);
  assert.ok(checked > 40, `only ${checked} links found`);
});
