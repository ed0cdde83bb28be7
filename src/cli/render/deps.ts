// Text presentation of a dependency resolution (the tree, what is missing and where it was looked for).
import type { DepsResult, DepsTreeNode } from '../../probes/compat/index.js';

export function renderTree(deps: DepsResult): string {
  const lines: string[] = [deps.program];
  const walk = (node: DepsTreeNode, prefix: string): void => {
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      const how =
        child.path === null
          ? 'not found'
          : child.reused
            ? 'already loaded'
            : `${child.foundVia}${deps.libraries.find((l) => l.name === child.name && l.path === child.path)?.hwcaps ? `, ${deps.libraries.find((l) => l.name === child.name && l.path === child.path)!.hwcaps}` : ''}`;
      lines.push(
        `${prefix}${last ? '└── ' : '├── '}${child.name}${child.path !== null && child.path !== child.name ? ` => ${child.path}` : ''} [${how}]`,
      );
      walk(child, `${prefix}${last ? '    ' : '│   '}`);
    });
  };
  walk(deps.tree, '');
  let out = `${lines.join('\n')}\n`;
  for (const m of deps.missing) {
    out += `\n${m.name}: ${m.error} (required by ${m.requiredBy.join(', ')})\n  tried, in this order:\n`;
    out += m.searched.length === 0 ? '    (nothing: no search path applies)\n' : m.searched.map((p, i) => `    ${i + 1}. ${p}\n`).join('');
  }
  if (deps.fatal !== null) out += `\nthe loader stops: ${deps.fatal}\n`;
  return out;
}
