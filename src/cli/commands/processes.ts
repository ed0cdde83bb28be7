import { probeGlibc } from '../../probes/libc/index.js';
import { diffEnv, probeProcessEnv } from '../../probes/env/index.js';
import { getRlimits } from '../../probes/limits/index.js';
import { UsageError, parseWithPid, rootOption } from '../args.js';
import { EXIT_FINDING, EXIT_OK, SCHEMA_VERSION, json } from '../io.js';
import { envJson, renderEnv, renderEnvDiff } from '../render/env.js';
import { renderRlimits, renderSelfAndShell, rlimitFindings } from '../render/limits.js';
import { libcFindings, renderLibc } from '../render/libc.js';
import { comparedProcess, shellProcessJson, shellEnvironment, shellLimits } from '../shell.js';
import { commandHelp, type Command } from '../command.js';

export const processesCommands: Record<string, Command> = {
  glibc: {
    summary: 'the C library of this process, of a root filesystem (--root DIR) or of a running process (--pid N)',
    usage: 'sysprobe glibc [--root DIR | --pid N] [--json]',
    help:
      'Reads the C library in-process (gnu_get_libc_version, confstr, the loaded objects); starts no process.\n' +
      "--root DIR: the libc.so.6 the root's own loader would load (or its musl loader), read from the files.\n" +
      '--pid N: the C library process N mapped, read through /proc/N/map_files (as root), so an upgrade on disk\n' +
      'since the process started shows as a disagreement.\n' +
      'Exit status: 0 fine, 1 a finding (sources disagree, or the C library cannot be told), 2 usage or I/O error.',
    async run(args, io) {
      const options = parseWithPid(args, false, true);
      if (options.help) return commandHelp(this, io);
      if (options.root !== undefined && options.pid !== undefined) throw new UsageError('glibc: --root and --pid exclude each other');
      const root = rootOption(options.root);
      const libc = await probeGlibc(root !== undefined ? { root } : options.pid !== undefined ? { pid: options.pid } : undefined);
      if (options.json) {
        io.out(json({ schemaVersion: SCHEMA_VERSION, libc }));
      } else {
        const subject = root !== undefined ? `the root ${root}` : options.pid !== undefined ? `pid ${options.pid}` : 'this process';
        io.out(`C library of ${subject}\n${renderLibc(libc, true)}`);
      }
      return libcFindings(libc).length > 0 ? EXIT_FINDING : EXIT_OK;
    },
  },
  limits: {
    summary: 'resource limits (ulimit) of this process and of your shell, or of --pid N, exactly',
    usage: 'sysprobe limits [--pid N] [--json]',
    help:
      'Every resource by its prlimit(1) name, soft and hard limits exact (or unlimited), with units.\n' +
      'Without --pid: this process and your shell (the nearest shell ancestor: npm, npx, node and sh -c\n' +
      'launchers are passed over), because Node (and npm) raise their own nofile soft limit.\n' +
      'With --pid: that process, via prlimit(2), or /proc/PID/limits when prlimit is not permitted.\n' +
      'Exit status: 0 fine, 1 a finding (an address-space limit below 1216 MiB, which Go >= 1.21 programs cannot start\n' +
      'under), 2 usage or I/O error (e.g. no such process).',
    async run(args, io) {
      const options = parseWithPid(args, false);
      if (options.help) return commandHelp(this, io);
      if (options.pid !== undefined) {
        const limits = await getRlimits({ pid: options.pid });
        const findings = rlimitFindings(limits);
        if (options.json) io.out(json({ schemaVersion: SCHEMA_VERSION, limits, findings }));
        else io.out(`Resource limits of pid ${options.pid}\n${renderRlimits(limits)}${findings.map((f) => `  FINDING: ${f}\n`).join('')}`);
        return findings.length > 0 ? EXIT_FINDING : EXIT_OK;
      }
      const self = await getRlimits();
      const who = comparedProcess();
      const shell = await shellLimits(who);
      const findings = [...rlimitFindings(self), ...(shell.info ? rlimitFindings(shell.info) : [])];
      if (options.json) {
        io.out(
          json({
            schemaVersion: SCHEMA_VERSION,
            limits: self,
            shell: shell.info,
            shellProcess: shellProcessJson(who),
            ...(shell.error ? { shellError: shell.error } : {}),
            findings,
          }),
        );
      } else {
        io.out(`Resource limits of this process (pid ${process.pid}) and of its shell: ${who.description}\n`);
        io.out(renderSelfAndShell(self, shell));
        for (const text of findings) io.out(`  FINDING: ${text}\n`);
      }
      return findings.length > 0 ? EXIT_FINDING : EXIT_OK;
    },
  },
  env: {
    summary: 'the environment a running process was started with (--pid N), or its difference from this shell (--diff)',
    usage: 'sysprobe env --pid N [--diff] [--json]',
    help:
      'Reads /proc/PID/environ (macOS: KERN_PROCARGS2): the environment handed to execve(), exactly; bytes\n' +
      'that are not UTF-8 are shown as \\xNN (and as rawHex in --json).\n' +
      "--diff compares it with your shell's environment (what the nearest shell ancestor passed down, before\n" +
      'npm, npx or node launchers added theirs): - only in the shell, + only in the process.\n' +
      'Exit status: 0 fine (with --diff: no difference), 1 with --diff: the environments differ, 2 usage or I/O\n' +
      "error (ESRCH no such process, EACCES another user's process).",
    async run(args, io) {
      const options = parseWithPid(args, true);
      if (options.help) return commandHelp(this, io);
      if (options.pid === undefined) throw new UsageError('env needs --pid N');
      const env = await probeProcessEnv(options.pid);
      if (!options.diff) {
        if (options.json) io.out(json({ schemaVersion: SCHEMA_VERSION, env: envJson(env) }));
        else io.out(renderEnv(env));
        return EXIT_OK;
      }
      const who = comparedProcess();
      const shellEnv = await shellEnvironment(who);
      const diff = diffEnv(shellEnv.env, env);
      const differs = Object.keys(diff.added).length + Object.keys(diff.removed).length + Object.keys(diff.changed).length > 0;
      if (options.json)
        io.out(
          json({
            schemaVersion: SCHEMA_VERSION,
            env: envJson(env),
            diff,
            shellProcess: { ...shellProcessJson(who), environment: shellEnv.from },
          }),
        );
      else io.out(renderEnvDiff(diff, `your shell: ${shellEnv.from}`, `pid ${options.pid}`));
      return differs ? EXIT_FINDING : EXIT_OK;
    },
  },
};
