// Text presentation of the C library and of the backend, for the CLI.
import type { BackendInfo } from '../../backends/loader.js';
import type { LibcInfo } from '../../probes/libc/index.js';
import { table } from './table.js';
export { table };

/** The C library's findings, worded: each disagreement, or a C library that cannot be told on Linux. */
export function libcFindings(libc: LibcInfo): string[] {
  const out = libc.disagreements.map(
    (d) => `C library ${d.fact}: ${d.note} (${d.values.map((v) => `${v.source}: ${v.value ?? 'none'}`).join('; ')})`,
  );
  if (process.platform === 'linux' && libc.family === 'unknown') out.push('the C library cannot be told');
  return out;
}

export function renderLibc(libc: LibcInfo, verbose: boolean): string {
  const rows: Array<[string, string]> = [
    ['family', libc.family + (libc.gcompat ? ' (glibc symbols from libgcompat)' : '')],
    ['version', libc.version === null ? 'unknown' : libc.version + (libc.release ? ` (${libc.release})` : '')],
    ['loader', libc.loaderPath ?? (libc.static ? 'none (static program)' : 'unknown')],
    ['libc', libc.libcPath ?? 'unknown'],
    ['static', libc.static ? 'yes' : 'no'],
  ];
  if (libc.subject === 'self') {
    rows.push([
      'addon built on',
      libc.compiledAgainst !== null
        ? `glibc ${libc.compiledAgainst}`
        : libc.evidence.some((e) => e.fact === 'compiledAgainst' && e.detail?.startsWith('no addon'))
          ? 'no addon (koffi backend)'
          : 'not glibc',
    ]);
  }
  let text = table(rows);
  if (libc.disagreements.length === 0) {
    text += '  sources agree\n';
  } else {
    for (const disagreement of libc.disagreements) {
      text += `  DISAGREEMENT (${disagreement.fact}): ${disagreement.note}\n`;
      for (const value of disagreement.values) text += `    ${value.source}: ${value.value ?? 'none'}\n`;
    }
  }
  if (verbose) {
    text += '  evidence:\n';
    for (const item of libc.evidence) {
      text += `    ${item.fact} = ${String(item.value)}  <- ${item.source}${item.detail ? ` (${item.detail})` : ''}\n`;
    }
  }
  return text;
}

export function renderBackend(info: BackendInfo): string {
  const rows: Array<[string, string]> = [['backend', info.name === 'none' ? 'none loaded' : `${info.name} ${info.path}`]];
  if (info.name === 'koffi') rows.push(['  why', info.reason]);
  // A location that holds no addon is not news once one loaded (a clone has no prebuilds/ directory).
  const loaded = info.name === 'addon';
  for (const attempt of info.attempts.filter((a) => !a.ok && !(loaded && a.error?.code === 'ENOENT'))) {
    rows.push([`  not ${attempt.source}`, `${attempt.error?.code}: ${attempt.error?.message}`]);
  }
  return table(rows);
}
