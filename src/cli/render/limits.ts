// Text presentation of resource limits and inotify, and the findings worth a non-zero exit.
import { GO_MIN_ADDRESS_SPACE, RLIMIT_NAMES, type InotifyInfo, type Limit, type RlimitsInfo } from '../../probes/limits/index.js';

function limitText(value: Limit | null): string {
  return value === null ? '-' : String(value);
}

function columns(rows: string[][], indent = '  '): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd() +
        '\n',
    )
    .join('');
}

/** Findings worth a non-zero exit: limits that are known to break developer tools. */
export function rlimitFindings(info: RlimitsInfo): string[] {
  const findings: string[] = [];
  const as = info.limits.as;
  if (as.enforced && typeof as.soft === 'bigint' && as.soft < GO_MIN_ADDRESS_SPACE) {
    findings.push(
      `pid ${info.pid}: address space limited to ${as.soft} bytes (ulimit -v ${as.soft / 1024n}): Go programs such as gopls fail to start below ${GO_MIN_ADDRESS_SPACE >> 20n} MiB (measured for Go >= 1.21; sysprobe doctor names each tool's own floor)`,
    );
  }
  return findings;
}

export function inotifyFindings(info: InotifyInfo): string[] {
  return info.notes.filter((note) => /ENOSPC|EMFILE/.test(note));
}

/** One table: every resource, this set's soft/hard (and a second set's, e.g. the parent's). */
export function renderRlimits(info: RlimitsInfo, other?: { label: string; info: RlimitsInfo | null; error?: string }): string {
  const header = ['RESOURCE', 'SOFT', 'HARD', 'UNITS'];
  if (other !== undefined) header.splice(3, 0, `${other.label} SOFT`, `${other.label} HARD`);
  header.push('DESCRIPTION');
  const rows = [header];
  for (const name of RLIMIT_NAMES) {
    const limit = info.limits[name];
    const row = [name, limitText(limit.soft), limitText(limit.hard), limit.supported ? limit.unit : '-'];
    if (other !== undefined) {
      const theirs = other.info?.limits[name];
      row.splice(3, 0, theirs ? limitText(theirs.soft) : '?', theirs ? limitText(theirs.hard) : '?');
    }
    row.push(limit.description + (limit.supported && !limit.enforced ? ' (not enforced)' : ''));
    rows.push(row);
  }
  let text = columns(rows);
  const describe = (set: RlimitsInfo) =>
    `${set.self ? 'this process' : `pid ${set.pid}`} via ${set.source}` +
    (set.fallback ? ` (${set.fallback.syscall} refused: ${set.fallback.code})` : '');
  text += `  source: ${describe(info)}`;
  if (other?.info) text += `; ${other.label.toLowerCase()}: ${describe(other.info)}`;
  if (other?.error) text += `; ${other.label.toLowerCase()}: ${other.error}`;
  text += '\n';
  const notes = new Set([...info.notes, ...(other?.info?.notes.filter((n) => !/^Node raises/.test(n)) ?? [])]);
  for (const note of notes) text += `  note: ${note}\n`;
  return text;
}

export function renderInotify(info: InotifyInfo): string {
  const value = (n: number | null) => (n === null ? 'unknown' : String(n));
  const rows: string[][] = [
    [
      'max_user_watches',
      value(info.maxUserWatches),
      info.userNamespaceDiffers ? `user namespace: ${value(info.userNamespace?.maxUserWatches ?? null)}` : '',
    ],
    [
      'max_user_instances',
      value(info.maxUserInstances),
      info.userNamespaceDiffers ? `user namespace: ${value(info.userNamespace?.maxUserInstances ?? null)}` : '',
    ],
    ['max_queued_events', value(info.maxQueuedEvents), ''],
    [
      `in use by uid ${info.usage.uid}`,
      `${info.usage.watches} watches, ${info.usage.instances} instances`,
      `${info.usage.processes.length} processes${info.usage.dedup === 'none' ? ', fds counted as instances (no kcmp)' : ''}`,
    ],
  ];
  let text = columns(rows);
  const top = [...info.usage.processes].sort((a, b) => b.watches - a.watches).slice(0, 5);
  for (const p of top) text += `    ${p.comm} (pid ${p.pid}): ${p.watches} watches, ${p.instances} instances\n`;
  for (const note of info.notes) text += `  note: ${note}\n`;
  return text;
}

/** This process's limits beside its shell's, as text. */
export function renderSelfAndShell(self: RlimitsInfo, shell: { info: RlimitsInfo | null; error?: Record<string, unknown> }): string {
  return renderRlimits(self, { label: 'SHELL', info: shell.info, ...(shell.error ? { error: String(shell.error['message']) } : {}) });
}
