// vscode-server: the host (or root) against VS Code server's stated floor, and the installed servers'
// own node against the loader, which is what really decides (microsoft/vscode#231181).
import { compareVersions } from '../../../util/versions.js';
import { answer, whyNot } from '../drive.js';
import type { Facts } from '../facts.js';
import type { DoctorCheck, DoctorFact, DoctorStatus } from '../types.js';
import { fact, skipped, tilde, verdict, worse } from '../verdict.js';

/** VS Code server's documented prerequisites since 1.86 (microsoft/vscode#203967). */
export const VSCODE_SERVER_FLOOR = { glibc: '2.28', glibcxx: '3.4.25', glibcxxArm32: '3.4.26', kernel: '4.18', musl: '1.2.3' } as const;

function kernelVersion(release: string): string | null {
  return /^(\d+\.\d+)/.exec(release)?.[1] ?? null;
}

export function checkServer(facts: Facts): DoctorCheck {
  const server = facts.server;
  if (server === null) return skipped('vscode-server', 'not asked (--for go)');
  const home = facts.subject.home;
  const target = facts.subject.root ?? 'this host';
  const libc = answer(server.glibc);
  const facts_: DoctorFact[] = [
    fact(
      'C library',
      libc === null ? null : `${libc.family} ${libc.version ?? '?'}`,
      libc === null
        ? `probeGlibc: ${whyNot(server.glibc)}`
        : `probeGlibc(${facts.subject.root === null ? '' : '{ root }'}): ${libc.libcPath ?? libc.loaderPath ?? ''}`,
    ),
    fact('GLIBCXX', server.glibcxx.version, server.glibcxx.path ?? server.glibcxx.error ?? 'not found'),
    fact('kernel', server.kernel, facts.subject.root === null ? 'uname' : "uname (a root runs on the host's kernel)"),
    fact(
      'installed servers',
      server.nodes.map((n) => n.path),
      `listing of ${server.searched.map((s) => tilde(s, home)).join(', ')}`,
    ),
  ];
  if (server.skipMarkers.length > 0) facts_.push(fact("VS Code's own check skipped by", server.skipMarkers, 'files and environment'));
  let status: DoctorStatus = 'ok';
  const notes: string[] = [];
  const glibcxxFloor = process.arch === 'arm' ? VSCODE_SERVER_FLOOR.glibcxxArm32 : VSCODE_SERVER_FLOOR.glibcxx;
  if (libc?.family === 'musl') {
    if (libc.version !== null && compareVersions(libc.version, VSCODE_SERVER_FLOOR.musl) < 0) {
      status = 'error';
      notes.push(`musl ${libc.version} is older than the ${VSCODE_SERVER_FLOOR.musl} the Alpine server needs`);
    }
  } else if (libc?.family === 'glibc' && libc.version !== null) {
    if (compareVersions(libc.version, VSCODE_SERVER_FLOOR.glibc) < 0) {
      status = 'error';
      notes.push(`glibc ${libc.version} is older than ${VSCODE_SERVER_FLOOR.glibc}`);
    }
    if (server.glibcxx.version === null) {
      status = 'error';
      notes.push(`no libstdc++.so.6 was found (${server.glibcxx.error ?? 'none'}); the server's node needs GLIBCXX_${glibcxxFloor}`);
    } else if (compareVersions(server.glibcxx.version, glibcxxFloor) < 0) {
      status = 'error';
      notes.push(`libstdc++ (${server.glibcxx.path}) defines GLIBCXX up to ${server.glibcxx.version}, older than ${glibcxxFloor}`);
    }
  } else if (libc === null) {
    notes.push(`the C library could not be read (${whyNot(server.glibc)})`);
    status = 'warning';
  }
  const kernel = server.kernel === null ? null : kernelVersion(server.kernel);
  if (kernel !== null && compareVersions(kernel, VSCODE_SERVER_FLOOR.kernel) < 0) {
    status = 'error';
    notes.push(`kernel ${server.kernel} is older than ${VSCODE_SERVER_FLOOR.kernel}`);
  }
  for (const node of server.nodes) {
    if (!node.compat.ok) {
      status = worse(status, 'warning');
      notes.push(`${tilde(node.path, home)} could not be checked: ${whyNot(node.compat)}`);
      continue;
    }
    const report = node.compat.value;
    if (report.ok) continue;
    status = 'error';
    const missing = report.missingVersions.filter((m) => !m.weak);
    const symbols = missing.flatMap((m) => m.symbols.map((s) => `${s}@${m.version}`));
    facts_.push(
      fact(
        `${node.path} missing`,
        [...new Set(missing.map((m) => `${m.version} (${m.file})`)), ...report.missingLibraries.map((l) => l.name)],
        'checkCompat',
      ),
    );
    notes.push(
      `the installed server's node (${tilde(node.path, home)}) does not load: ${report.messages.slice(0, 3).join('; ')}${symbols.length > 0 ? `; needed by ${symbols.slice(0, 6).join(', ')}` : ''}`,
    );
  }
  const fix =
    status === 'ok'
      ? []
      : [
          {
            text: 'Connect to a host with glibc >= 2.28, libstdc++ with GLIBCXX_3.4.25 and kernel >= 4.18 (e.g. a newer distribution or a container on this host).',
          },
          {
            text: 'Or (unsupported by Microsoft) give the server a newer glibc and libstdc++ from a sysroot: set VSCODE_SERVER_CUSTOM_GLIBC_LINKER, VSCODE_SERVER_CUSTOM_GLIBC_PATH and VSCODE_SERVER_PATCHELF_PATH (patchelf >= 0.18).',
          },
        ];
  const message =
    notes.length > 0
      ? `${target}: ${notes.join('; ')}.`
      : `${target} meets VS Code server's floor (glibc ${VSCODE_SERVER_FLOOR.glibc}, GLIBCXX ${glibcxxFloor}, kernel ${VSCODE_SERVER_FLOOR.kernel})${server.nodes.length > 0 ? `, and the installed server's node loads` : '; no installed server to check'}.`;
  return verdict('vscode-server', status, message, {
    facts: facts_,
    fix,
    refs: ['microsoft/vscode#203967', 'microsoft/vscode#231181', 'https://aka.ms/vscode-remote/faq/old-linux'],
  });
}
