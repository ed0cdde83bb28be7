// Text presentation of a reparse point and of a path explained component by component.
import type { ReparseInfo } from '../../probes/reparse/index.js';
import type { PathExplanation } from '../../probes/reparse/explain.js';
import { table } from './table.js';

export function renderReparse(info: ReparseInfo): string {
  const rows: Array<[string, string]> = [
    ['tag', `${info.tagHex} ${info.tagName ?? '(not in the tag table)'}`],
    ['kind', info.kind],
    [
      'bits',
      [
        info.isMicrosoft ? 'Microsoft' : 'third-party',
        info.isNameSurrogate ? 'name surrogate' : null,
        info.isDirectory ? 'directory bit' : null,
        info.highLatency ? 'high latency' : null,
      ]
        .filter(Boolean)
        .join(', '),
    ],
  ];
  if (info.guid !== null) rows.push(['guid', info.guid]);
  if (info.cloudSubtype !== null) rows.push(['cloud sub-type', String(info.cloudSubtype)]);
  if (info.target !== null) {
    rows.push(['substitute name', info.target.substituteName]);
    if (info.kind !== 'lx-symlink') rows.push(['print name', info.target.printName === '' ? '(empty)' : info.target.printName]);
    rows.push(['target', `${info.target.win32Path}${info.target.relative ? ' (relative)' : ''}`]);
  }
  if (info.appExecLink !== null) {
    const link = info.appExecLink;
    rows.push(
      ['package family', link.packageFamilyName],
      ['app user model id', link.appUserModelId],
      ['target executable', link.targetPath],
      ['app type', link.appType ?? '(none)'],
    );
  }
  if (info.nfs !== null) rows.push(['nfs type', info.nfs.type + (info.nfs.symlinkTarget !== null ? ` -> ${info.nfs.symlinkTarget}` : '')]);
  if (info.wof !== null) rows.push(['wof', `provider ${info.wof.provider}, algorithm ${info.wof.algorithm ?? 'n/a'}`]);
  rows.push(
    ['data', `${info.dataLength} bytes`],
    ['source', info.source + (info.placeholderMode ? ` (placeholders ${info.placeholderMode})` : '')],
  );
  return table(rows, '    ');
}

export function renderExplanation(explanation: PathExplanation): string {
  let text = `${explanation.path}\n`;
  for (const component of explanation.components) {
    const state = !component.exists
      ? 'missing'
      : component.reparse !== null
        ? `${component.reparse.tagName ?? component.reparse.tagHex} (${component.reparse.kind})`
        : (component.fileType ?? 'unknown');
    text += `  ${component.path}  ${state}${component.error ? `  error: ${component.error.message}` : ''}\n`;
    if (component.runtimes !== null) {
      const views = component.runtimes;
      const labels: Array<[keyof typeof views, string]> = [
        ['node', 'Node (libuv)'],
        ['go122', 'Go <= 1.22'],
        ['go123', 'Go >= 1.23'],
        ['rust', 'Rust std'],
        ['python', 'Python'],
      ];
      const rows = labels.map(([key, label]): [string, string] => [
        label,
        views[key].lstat + (views[key].readlink !== null ? ` -> ${views[key].readlink}` : ''),
      ]);
      text += table(rows, '      ');
    }
  }
  if (explanation.findings.length > 0) {
    text += '\nFindings:\n';
    for (const finding of explanation.findings) text += `  - ${finding.message}\n`;
  }
  return text;
}
