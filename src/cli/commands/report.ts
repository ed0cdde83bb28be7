import { SysprobeError } from '../../errors.js';
import { backend } from '../../backends/loader.js';
import { probeGlibc } from '../../probes/libc/index.js';
import { getRlimits, probeInotify, type InotifyInfo } from '../../probes/limits/index.js';
import { parse } from '../args.js';
import { EXIT_FINDING, EXIT_OK, SCHEMA_VERSION, hostInfo, json, toolInfo } from '../io.js';
import { inotifyFindings, renderInotify, renderSelfAndShell, rlimitFindings } from '../render/limits.js';
import { libcFindings, renderBackend, renderLibc } from '../render/libc.js';
import { comparedProcess, shellProcessJson, shellLimits } from '../shell.js';
import { commandHelp, type Command } from '../command.js';
import { doctor } from '../../probes/doctor/index.js';
import { doctorSummary } from '../render/doctor.js';

/** inotify for the report: null where there is none (not Linux), the error kept. */
async function inotifyOrNull(): Promise<{ info: InotifyInfo | null; error?: Record<string, unknown> }> {
  try {
    return { info: await probeInotify() };
  } catch (error) {
    return { info: null, error: error instanceof SysprobeError ? error.toJSON() : { message: String(error) } };
  }
}

export const reportCommands: Record<string, Command> = {
  report: {
    summary: 'everything sysprobe can tell about this host (the default command)',
    usage: 'sysprobe [report] [--json]',
    help:
      'Prints the C library of this process, the resource limits of this process and of its parent\n' +
      "(Node raises its own nofile soft limit at start-up, so the parent's show what the shell set), the inotify\n" +
      "limits and their use, the backend that answered, and the doctor's summary for this process (its\n" +
      'warnings and errors do not change the exit status; `sysprobe doctor` exits 1 on them).\n' +
      'Exit status: 0 fine, 1 a finding (sources disagree, the C library cannot be told, an address-space limit\n' +
      'below 1216 MiB, inotify nearly exhausted), 2 usage or I/O error.',
    async run(args, io) {
      const options = parse(args);
      if (options.help) return commandHelp(this, io);
      const libc = await probeGlibc();
      const info = backend();
      const self = await getRlimits();
      const who = comparedProcess();
      const shell = await shellLimits(who);
      const inotify = process.platform === 'linux' ? await inotifyOrNull() : { info: null };
      const limitFindings = [
        ...rlimitFindings(self),
        ...(shell.info ? rlimitFindings(shell.info) : []),
        ...(inotify.info ? inotifyFindings(inotify.info) : []),
      ];
      const findings = [...libcFindings(libc), ...limitFindings];
      const diagnosis = await doctor();
      const doctorLines = diagnosis.checks.filter((c) => c.status === 'error' || c.status === 'warning');
      if (options.json) {
        io.out(
          json({
            schemaVersion: SCHEMA_VERSION,
            tool: toolInfo(),
            host: hostInfo(),
            libc,
            backend: info,
            limits: { self, shell: shell.info, shellProcess: shellProcessJson(who), ...(shell.error ? { shellError: shell.error } : {}) },
            inotify: inotify.info,
            ...(inotify.error ? { inotifyError: inotify.error } : {}),
            findings,
            doctor: { summary: diagnosis.summary, checks: diagnosis.checks.map(({ id, status, message }) => ({ id, status, message })) },
          }),
        );
      } else {
        const host = hostInfo();
        io.out(`sysprobe ${toolInfo().version}: ${host.platform}-${host.arch}, Node ${host.node}\n\n`);
        io.out(`C library of this process\n${renderLibc(libc, false)}\n`);
        io.out(`Resource limits (this process, and its shell: ${who.description})\n`);
        io.out(renderSelfAndShell(self, shell));
        for (const text of limitFindings) io.out(`  FINDING: ${text}\n`);
        io.out('\n');
        if (inotify.info) io.out(`inotify\n${renderInotify(inotify.info)}\n`);
        else if (inotify.error) io.out(`inotify\n  unavailable  ${String(inotify.error['code'])}: ${String(inotify.error['message'])}\n\n`);
        io.out(renderBackend(info));
        io.out(`\nDoctor (this process): ${doctorSummary(diagnosis)}\n`);
        for (const check of doctorLines) io.out(`  ${check.status === 'error' ? '[x]' : '[!]'} ${check.id}: ${check.message}\n`);
        io.out('  `sysprobe doctor` gives the facts and the fixes; `sysprobe doctor --pid <gopls pid>` checks a running tool.\n');
      }
      return findings.length > 0 ? EXIT_FINDING : EXIT_OK;
    },
  },
};
