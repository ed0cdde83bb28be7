// The CLI's commands: each parses its arguments, asks the probes and prints text or --json.
import { parseArgs } from 'node:util';
import { SysprobeError } from '../errors.js';
import { backend } from '../backends/loader.js';
import { probeGlibc } from '../probes/libc/index.js';
import { scanElf, type ElfScanEntry } from '../probes/elf/index.js';
import { checkCompat, resolveDeps, type CompatTarget } from '../probes/compat/index.js';
import { diffEnv, probeProcessEnv } from '../probes/env/index.js';
import { getRlimits, probeInotify, type InotifyInfo, type RlimitsInfo } from '../probes/limits/index.js';
import { probeReparsePoint, type ReparseInfo } from '../probes/reparse/index.js';
import { explainPath } from '../probes/reparse/explain.js';
import { UsageError, commonOptions, parse, parseWithPaths, parseWithPid, rootOption, usageErrors } from './args.js';
import { EXIT_FINDING, EXIT_OK, EXIT_USAGE, SCHEMA_VERSION, hostInfo, json, toolInfo, type Io } from './io.js';
import { renderTree } from './render/deps.js';
import { IO_CODES, newestVersions, renderElf } from './render/elf.js';
import { envJson, renderEnv, renderEnvDiff } from './render/env.js';
import { inotifyFindings, renderInotify, renderRlimits, rlimitFindings } from './render/limits.js';
import { libcFindings, renderBackend, renderLibc } from './render/libc.js';
import { renderExplanation, renderReparse } from './render/reparse.js';
import { comparedProcess, shellEnvironment, shellLimits, type ComparedProcess } from './shell.js';

export interface Command {
  summary: string;
  usage: string;
  help: string;
  run(args: string[], io: Io): Promise<number>;
}

/** This process's limits beside its shell's, as text. */
function renderSelfAndShell(self: RlimitsInfo, shell: { info: RlimitsInfo | null; error?: Record<string, unknown> }): string {
  return renderRlimits(self, { label: 'SHELL', info: shell.info, ...(shell.error ? { error: String(shell.error['message']) } : {}) });
}

/** Who the limits are compared with, in --json. */
function shellProcessJson(who: ComparedProcess): Record<string, unknown> {
  return { pid: who.pid, name: who.name, isShell: who.isShell, skipped: who.skipped };
}

/** inotify for the report: null where there is none (not Linux), the error kept. */
async function inotifyOrNull(): Promise<{ info: InotifyInfo | null; error?: Record<string, unknown> }> {
  try {
    return { info: await probeInotify() };
  } catch (error) {
    return { info: null, error: error instanceof SysprobeError ? error.toJSON() : { message: String(error) } };
  }
}

export const commands: Record<string, Command> = {
  report: {
    summary: 'everything sysprobe can tell about this host (the default command)',
    usage: 'sysprobe [report] [--json]',
    help: 'Prints the C library of this process, the resource limits of this process and of its parent\n' +
      "(Node raises its own nofile soft limit at start-up, so the parent's show what the shell set), the inotify\n" +
      'limits and their use, and the backend that answered.\n' +
      'Exit status: 0 fine, 1 a finding (sources disagree, the C library cannot be told, an address-space limit\n' +
      'below 1 GiB, inotify nearly exhausted), 2 usage or I/O error.',
    async run(args, io) {
      const options = parse(args);
      if (options.help) return printHelp('report', io);
      const libc = await probeGlibc();
      const info = backend();
      const self = await getRlimits();
      const who = comparedProcess();
      const shell = await shellLimits(who);
      const inotify = process.platform === 'linux' ? await inotifyOrNull() : { info: null };
      const limitFindings = [...rlimitFindings(self), ...(shell.info ? rlimitFindings(shell.info) : []),
        ...(inotify.info ? inotifyFindings(inotify.info) : [])];
      const findings = [...libcFindings(libc), ...limitFindings];
      if (options.json) {
        io.out(json({
          schemaVersion: SCHEMA_VERSION, tool: toolInfo(), host: hostInfo(), libc, backend: info,
          limits: { self, shell: shell.info, shellProcess: shellProcessJson(who), ...(shell.error ? { shellError: shell.error } : {}) },
          inotify: inotify.info, ...(inotify.error ? { inotifyError: inotify.error } : {}), findings,
        }));
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
      }
      return findings.length > 0 ? EXIT_FINDING : EXIT_OK;
    },
  },
  elf: {
    summary: 'what ELF files need: libraries, versions per library, the newest per prefix and the symbols behind them',
    usage: 'sysprobe elf FILE... [--json] [--symbols] [--mangled]',
    help: 'Reads each FILE (directories are walked, symlinks not followed) without running anything: class, machine,\n' +
      'interpreter, DT_NEEDED, RPATH/RUNPATH, flags, the versions needed from each library (.gnu.version_r), the newest\n' +
      'version per prefix (compared numerically: GLIBC_2.2.5 < GLIBC_2.17), and which symbols need those newest versions.\n' +
      '--symbols lists every dynamic symbol with its version. C++ names are shown demangled (as c++filt and\n' +
      'readelf --demangle print them); --mangled shows them as stored. --json prints { schemaVersion, files: [...] },\n' +
      'each symbol with `name` as stored and `demangled` (null for a name that is not a mangled C++ name).\n' +
      'Exit status: 0 all files read, 1 a file is not ELF or is malformed, 2 usage or I/O error (a file cannot be read).',
    async run(args, io) {
      const { values, positionals } = usageErrors(() => parseArgs({ args, options: { ...commonOptions, symbols: { type: 'boolean' }, mangled: { type: 'boolean' } }, allowPositionals: true, strict: true }));
      if (values.help === true) return printHelp('elf', io);
      if (positionals.length === 0) throw new UsageError('elf: name at least one FILE');
      const withSymbols = values.symbols === true;
      const mangled = values.mangled === true;
      const entries: ElfScanEntry[] = await scanElf(positionals, { symbols: true, demangle: true });
      let status = EXIT_OK;
      const files = entries.map((entry) => {
        if (!entry.ok) {
          status = Math.max(status, IO_CODES.test(entry.error.code) ? EXIT_USAGE : EXIT_FINDING);
          return { path: entry.path, ok: false as const, error: entry.error.toJSON() };
        }
        const newest = newestVersions(entry.info, mangled);
        const { symbols, ...rest } = entry.info;
        return { path: entry.path, ok: true as const, info: withSymbols ? entry.info : rest, newest };
      });
      if (values.json === true) {
        io.out(json({ schemaVersion: SCHEMA_VERSION, files }));
      } else {
        entries.forEach((entry, i) => {
          const file = files[i]!;
          if (!entry.ok) {
            const message = entry.error.message.startsWith(entry.error.code) ? entry.error.message : `${entry.error.code}: ${entry.error.message}`;
            io.out(`${entry.path}: ${message}\n`);
          }
          else io.out(renderElf(entry.info, file.ok ? file.newest : [], withSymbols, mangled));
          if (i + 1 < entries.length) io.out('\n');
        });
        if (entries.length === 0) io.out('no ELF files found\n');
      }
      return status;
    },
  },
  compat: {
    summary: 'will FILE load here, in a root filesystem, or on a glibc release? (a CI floor gate)',
    usage: 'sysprobe compat FILE [--root DIR | --glibc X.Y [--arch A]] [--json]',
    help: 'Resolves FILE\'s libraries as glibc\'s loader would (on this host, or inside --root DIR without running anything\n' +
      'from it) and checks every version requirement as elf/dl-version.c does; --glibc X.Y checks against the version names\n' +
      'that glibc release defines (tables from real glibc builds). With --root DIR, FILE is a path inside DIR.\n' +
      'Messages are worded as the loader words them.\n' +
      'Exit status: 0 it would load, 1 it would not, 2 usage or I/O error.',
    async run(args, io) {
      const { values, positionals } = usageErrors(() => parseArgs({ args, options: { ...commonOptions, root: { type: 'string' }, glibc: { type: 'string' }, arch: { type: 'string' } }, allowPositionals: true, strict: true }));
      if (values.help === true) return printHelp('compat', io);
      if (positionals.length !== 1) throw new UsageError('compat: name exactly one FILE');
      if (values.root !== undefined && values.glibc !== undefined) throw new UsageError('compat: --root and --glibc exclude each other');
      if (values.arch !== undefined && values.glibc === undefined) throw new UsageError('compat: --arch needs --glibc');
      if (values.glibc !== undefined && !/^\d+\.\d+$/.test(values.glibc)) throw new UsageError('compat: --glibc takes a version like 2.28');
      const target: CompatTarget = values.glibc !== undefined ? { glibc: values.glibc, ...(values.arch !== undefined ? { arch: values.arch } : {}) }
        : values.root !== undefined ? { root: rootOption(values.root)! } : 'host';
      const report = await checkCompat(positionals[0]!, target);
      if (values.json === true) {
        const { deps, ...rest } = report;
        io.out(json({ schemaVersion: SCHEMA_VERSION, file: positionals[0], ...rest, libraries: deps?.libraries.map((l) => ({ name: l.name, path: l.path, foundVia: l.foundVia })) ?? null }));
      } else {
        const where = report.target.kind === 'host' ? 'this host' : report.target.kind === 'root' ? `the root ${report.target.root}` : `glibc ${report.target.glibc} (${report.target.arch})`;
        io.out(`${positionals[0]}: ${report.ok ? 'loads' : 'does not load'} on ${where}\n`);
        for (const m of report.messages) io.out(`  ${m}\n`);
        for (const m of report.missingVersions) if (m.symbols.length > 0) io.out(`    ${m.version} is needed by: ${m.symbols.slice(0, 8).join(', ')}${m.symbols.length > 8 ? `, … (${m.symbols.length})` : ''}\n`);
        for (const w of report.warnings) io.out(`  warning: ${w}\n`);
      }
      return report.ok ? EXIT_OK : EXIT_FINDING;
    },
  },
  deps: {
    summary: 'the libraries FILE loads, as a tree with how each was found and what was tried for the missing ones',
    usage: 'sysprobe deps FILE [--root DIR] [--json]',
    help: 'Resolves as glibc\'s loader does: RPATH chain, LD_LIBRARY_PATH (from this environment), RUNPATH, ld.so.cache,\n' +
      'the loader\'s system directories, glibc-hwcaps subdirectories. With --root DIR, FILE is a path inside DIR and\n' +
      'every path stays inside DIR (absolute symlinks included).\n' +
      'Exit status: 0 everything found, 1 a library is missing (or the loader would stop), 2 usage or I/O error.',
    async run(args, io) {
      const { values, positionals } = usageErrors(() => parseArgs({ args, options: { ...commonOptions, root: { type: 'string' } }, allowPositionals: true, strict: true }));
      if (values.help === true) return printHelp('deps', io);
      if (positionals.length !== 1) throw new UsageError('deps: name exactly one FILE');
      const root = rootOption(values.root);
      const llp = process.env['LD_LIBRARY_PATH'];
      const deps = await resolveDeps(positionals[0]!, { ...(root !== undefined ? { root } : {}), ...(llp !== undefined && root === undefined ? { env: { LD_LIBRARY_PATH: llp } } : {}) });
      if (values.json === true) io.out(json({ schemaVersion: SCHEMA_VERSION, deps }));
      else io.out(renderTree(deps));
      return deps.missing.length > 0 || deps.fatal !== null ? EXIT_FINDING : EXIT_OK;
    },
  },
  glibc: {
    summary: 'the C library of this process, of a root filesystem (--root DIR) or of a running process (--pid N)',
    usage: 'sysprobe glibc [--root DIR | --pid N] [--json]',
    help: 'Reads the C library in-process (gnu_get_libc_version, confstr, the loaded objects); starts no process.\n' +
      '--root DIR: the libc.so.6 the root\'s own loader would load (or its musl loader), read from the files.\n' +
      '--pid N: the C library process N mapped, read through /proc/N/map_files (as root), so an upgrade on disk\n' +
      'since the process started shows as a disagreement.\n' +
      'Exit status: 0 fine, 1 a finding (sources disagree, or the C library cannot be told), 2 usage or I/O error.',
    async run(args, io) {
      const options = parseWithPid(args, false, true);
      if (options.help) return printHelp('glibc', io);
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
    help: 'Every resource by its prlimit(1) name, soft and hard limits exact (or unlimited), with units.\n' +
      'Without --pid: this process and your shell (the nearest shell ancestor: npm, npx, node and sh -c\n' +
      'launchers are passed over), because Node (and npm) raise their own nofile soft limit.\n' +
      'With --pid: that process, via prlimit(2), or /proc/PID/limits when prlimit is not permitted.\n' +
      'Exit status: 0 fine, 1 a finding (an address-space limit below 1 GiB, which Go programs cannot start\n' +
      'under), 2 usage or I/O error (e.g. no such process).',
    async run(args, io) {
      const options = parseWithPid(args, false);
      if (options.help) return printHelp('limits', io);
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
        io.out(json({ schemaVersion: SCHEMA_VERSION, limits: self, shell: shell.info, shellProcess: shellProcessJson(who), ...(shell.error ? { shellError: shell.error } : {}), findings }));
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
    help: 'Reads /proc/PID/environ (macOS: KERN_PROCARGS2): the environment handed to execve(), exactly; bytes\n' +
      'that are not UTF-8 are shown as \\xNN (and as rawHex in --json).\n' +
      '--diff compares it with your shell\'s environment (what the nearest shell ancestor passed down, before\n' +
      'npm, npx or node launchers added theirs): - only in the shell, + only in the process.\n' +
      'Exit status: 0 fine (with --diff: no difference), 1 with --diff: the environments differ, 2 usage or I/O\n' +
      'error (ESRCH no such process, EACCES another user\'s process).',
    async run(args, io) {
      const options = parseWithPid(args, true);
      if (options.help) return printHelp('env', io);
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
      if (options.json) io.out(json({ schemaVersion: SCHEMA_VERSION, env: envJson(env), diff, shellProcess: { ...shellProcessJson(who), environment: shellEnv.from } }));
      else io.out(renderEnvDiff(diff, `your shell: ${shellEnv.from}`, `pid ${options.pid}`));
      return differs ? EXIT_FINDING : EXIT_OK;
    },
  },
  reparse: {
    summary: 'NTFS reparse points: tag, kind, target of each path (the entry itself, never followed)',
    usage: 'sysprobe reparse PATH... [--json]',
    help: 'Reads the reparse data of each PATH: on Windows with FSCTL_GET_REPARSE_POINT, on Linux from NTFS\n' +
      'volumes mounted with ntfs-3g (system.ntfs_reparse_data). Entries that are not reparse points print "none".\n' +
      'Exit status: 0 every path was read, 2 usage or I/O error (a missing path, malformed reparse data).',
    async run(args, io) {
      const options = parseWithPaths(args);
      if (options.help) return printHelp('reparse', io);
      if (options.paths.length === 0) throw new UsageError('reparse: at least one PATH is required');
      const entries: Array<{ path: string; reparse: ReparseInfo | null; error?: SysprobeError }> = [];
      for (const path of options.paths) {
        try {
          entries.push({ path, reparse: await probeReparsePoint(path) });
        } catch (error) {
          if (!(error instanceof SysprobeError)) throw error;
          entries.push({ path, reparse: null, error });
        }
      }
      if (options.json) {
        io.out(json({ schemaVersion: SCHEMA_VERSION, entries }));
      } else {
        for (const entry of entries) {
          if (entry.error !== undefined) io.err(`sysprobe: ${entry.path}: ${entry.error.message}\n`);
          else io.out(entry.reparse === null ? `${entry.path}: none (not a reparse point)\n` : `${entry.path}:\n${renderReparse(entry.reparse)}`);
        }
      }
      return entries.some((entry) => entry.error !== undefined) ? EXIT_USAGE : EXIT_OK;
    },
  },
  explain: {
    summary: 'every component of a path, its reparse point, and how Node, Go, Rust and Python see it',
    usage: 'sysprobe explain PATH [--json]',
    help: 'Walks PATH component by component without following anything, reads each reparse point and tells how\n' +
      'libuv/Node, Go <= 1.22, Go >= 1.23 (winsymlink), Rust std and Python classify it on Windows.\n' +
      'Exit status: 0 nothing to report, 1 a finding (a runtime treats a component differently), 2 usage or I/O error.',
    async run(args, io) {
      const options = parseWithPaths(args);
      if (options.help) return printHelp('explain', io);
      if (options.paths.length !== 1) throw new UsageError('explain: exactly one PATH is required');
      const explanation = await explainPath(options.paths[0]!);
      // A path that does not exist is an I/O error, worded as lstat(2) words it for the first missing
      // component; not behind a reparse point, whose target the walk does not follow (a junction's contents).
      const at = explanation.components.findIndex((component) => !component.exists);
      const behindReparse = at >= 0 && explanation.components.slice(0, at).some((component) => component.reparse !== null);
      const error = at < 0 || behindReparse ? undefined : new SysprobeError({ errno: 2, syscall: 'lstat', path: explanation.components[at]!.path });
      if (options.json) io.out(json({ schemaVersion: SCHEMA_VERSION, explanation, ...(error ? { error } : {}) }));
      else io.out(renderExplanation(explanation));
      if (error !== undefined) {
        io.err(`sysprobe: ${error.message}\n`);
        return EXIT_USAGE;
      }
      if (explanation.components.some((component) => component.error !== undefined)) return EXIT_USAGE;
      return explanation.findings.length > 0 ? EXIT_FINDING : EXIT_OK;
    },
  },
};

export function printHelp(name: string | null, io: Io): number {
  if (name === null) {
    const width = Math.max(...Object.keys(commands).map((key) => key.length));
    io.out('Usage: sysprobe [command] [--json] [--help]\n\nCommands:\n' +
      Object.entries(commands).map(([key, command]) => `  ${key.padEnd(width)}  ${command.summary}\n`).join('') +
      '\nWith no command, `report` runs. `sysprobe COMMAND --help` tells more.\n' +
      '--json prints a stable JSON document with a schemaVersion.\n' +
      'Exit status: 0 fine, 1 a finding, 2 usage or I/O error.\n');
    return EXIT_OK;
  }
  const command = commands[name]!;
  io.out(`Usage: ${command.usage}\n\n${command.summary}\n\n${command.help}\n`);
  return EXIT_OK;
}
