// The doctor's text: findings grouped by status, worst first, each with its fix underneath.
import type { DoctorCheck, DoctorReport, DoctorStatus } from '../../probes/doctor/index.js';

const ORDER: DoctorStatus[] = ['error', 'warning', 'ok', 'skipped'];
const MARK: Record<DoctorStatus, string> = { error: '[x]', warning: '[!]', ok: '[ok]', skipped: '[-]' };
const HEADING: Record<DoctorStatus, string> = { error: 'Errors', warning: 'Warnings', ok: 'OK', skipped: 'Skipped' };

function fixLines(check: DoctorCheck): string {
  return check.fix
    .map((fix) => {
      const how = [
        fix.command === undefined ? null : `$ ${fix.command}`,
        fix.setting === undefined ? null : `setting ${fix.setting}${fix.value === undefined ? '' : `: ${JSON.stringify(fix.value)}`}`,
      ].filter((x) => x !== null);
      return `      fix: ${fix.text}${how.length > 0 ? `\n           ${how.join('\n           ')}` : ''}\n`;
    })
    .join('');
}

function subjectLine(report: DoctorReport): string {
  const s = report.subject;
  const who = s.pid === null ? 'this process' : `${s.name ?? 'process'} (pid ${s.pid}${s.exe ? `, ${s.exe}` : ''})`;
  const shell =
    s.shell === null
      ? 'no shell to compare with'
      : `compared with ${s.shell.name} (pid ${s.shell.pid}${s.shell.foundBy === 'ancestor' ? ', the shell above sysprobe' : ''})`;
  return `sysprobe doctor: ${who}; ${shell}${s.root === null ? '' : `; root ${s.root}`}${s.workspace === null ? '' : `; workspace ${s.workspace}`}\n`;
}

/** One line: "2 errors, 1 warning, 8 ok, 1 skipped". */
export function doctorSummary(report: DoctorReport): string {
  const n = report.summary;
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  return `${plural(n.error, 'error')}, ${plural(n.warning, 'warning')}, ${n.ok} ok, ${n.skipped} skipped`;
}

export function renderDoctor(report: DoctorReport): string {
  let out = subjectLine(report);
  if (report.log !== null)
    out += `log: ${report.log.path ?? '(text)'}: ${report.log.signatures.length} known failure line(s)${report.log.truncated ? ' (the last 4 MiB read)' : ''}\n`;
  for (const status of ORDER) {
    const checks = report.checks.filter((check) => check.status === status);
    if (checks.length === 0) continue;
    out += `\n${HEADING[status]}\n`;
    for (const check of checks) {
      out += `  ${MARK[status]} ${check.id}: ${check.message}\n`;
      if (status === 'error' || status === 'warning') {
        for (const sig of check.signatures ?? []) out += `      log line ${sig.lineNumber}: ${sig.line.trim()}\n`;
        out += fixLines(check);
      }
    }
  }
  return `${out}\n${doctorSummary(report)}. --json gives every fact with its source.\n`;
}
