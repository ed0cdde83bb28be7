// Commands about files: elf (ELF facts), compat (will it load there?), deps (what it loads).
import { parseArgs } from 'node:util';
import { scanElf, type ElfScanEntry } from '../../probes/elf/index.js';
import { checkCompat, resolveDeps, type CompatTarget } from '../../probes/compat/index.js';
import { UsageError, commonOptions, rootOption, usageErrors } from '../args.js';
import { EXIT_FINDING, EXIT_OK, EXIT_USAGE, SCHEMA_VERSION, json } from '../io.js';
import { renderTree } from '../render/deps.js';
import { IO_CODES, newestVersions, renderElf } from '../render/elf.js';
import { commandHelp, type Command } from '../command.js';

export const filesCommands: Record<string, Command> = {
  elf: {
    summary: 'what ELF files need: libraries, versions per library, the newest per prefix and the symbols behind them',
    usage: 'sysprobe elf FILE... [--json] [--symbols] [--mangled]',
    help:
      'Reads each FILE (directories are walked, symlinks not followed) without running anything: class, machine,\n' +
      'interpreter, DT_NEEDED, RPATH/RUNPATH, flags, the versions needed from each library (.gnu.version_r), the newest\n' +
      'version per prefix (compared numerically: GLIBC_2.2.5 < GLIBC_2.17), and which symbols need those newest versions.\n' +
      '--symbols lists every dynamic symbol with its version. C++ names are shown demangled (as c++filt and\n' +
      'readelf --demangle print them); --mangled shows them as stored. --json prints { schemaVersion, files: [...] },\n' +
      'each symbol with `name` as stored and `demangled` (null for a name that is not a mangled C++ name).\n' +
      'Exit status: 0 all files read, 1 a file is not ELF or is malformed, 2 usage or I/O error (a file cannot be read).',
    async run(args, io) {
      const { values, positionals } = usageErrors(() =>
        parseArgs({
          args,
          options: { ...commonOptions, symbols: { type: 'boolean' }, mangled: { type: 'boolean' } },
          allowPositionals: true,
          strict: true,
        }),
      );
      if (values.help === true) return commandHelp(this, io);
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
            const message = entry.error.message.startsWith(entry.error.code)
              ? entry.error.message
              : `${entry.error.code}: ${entry.error.message}`;
            io.out(`${entry.path}: ${message}\n`);
          } else io.out(renderElf(entry.info, file.ok ? file.newest : [], withSymbols, mangled));
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
    help:
      "Resolves FILE's libraries as glibc's loader would (on this host, or inside --root DIR without running anything\n" +
      'from it) and checks every version requirement as elf/dl-version.c does; --glibc X.Y checks against the version names\n' +
      'that glibc release defines (tables from real glibc builds). With --root DIR, FILE is a path inside DIR.\n' +
      'Messages are worded as the loader words them.\n' +
      'Exit status: 0 it would load, 1 it would not, 2 usage or I/O error.',
    async run(args, io) {
      const { values, positionals } = usageErrors(() =>
        parseArgs({
          args,
          options: { ...commonOptions, root: { type: 'string' }, glibc: { type: 'string' }, arch: { type: 'string' } },
          allowPositionals: true,
          strict: true,
        }),
      );
      if (values.help === true) return commandHelp(this, io);
      if (positionals.length !== 1) throw new UsageError('compat: name exactly one FILE');
      if (values.root !== undefined && values.glibc !== undefined) throw new UsageError('compat: --root and --glibc exclude each other');
      if (values.arch !== undefined && values.glibc === undefined) throw new UsageError('compat: --arch needs --glibc');
      if (values.glibc !== undefined && !/^\d+\.\d+$/.test(values.glibc)) throw new UsageError('compat: --glibc takes a version like 2.28');
      const target: CompatTarget =
        values.glibc !== undefined
          ? { glibc: values.glibc, ...(values.arch !== undefined ? { arch: values.arch } : {}) }
          : values.root !== undefined
            ? { root: rootOption(values.root)! }
            : 'host';
      const report = await checkCompat(positionals[0]!, target);
      if (values.json === true) {
        const { deps, ...rest } = report;
        io.out(
          json({
            schemaVersion: SCHEMA_VERSION,
            file: positionals[0],
            ...rest,
            libraries: deps?.libraries.map((l) => ({ name: l.name, path: l.path, foundVia: l.foundVia })) ?? null,
          }),
        );
      } else {
        const where =
          report.target.kind === 'host'
            ? 'this host'
            : report.target.kind === 'root'
              ? `the root ${report.target.root}`
              : `glibc ${report.target.glibc} (${report.target.arch})`;
        io.out(`${positionals[0]}: ${report.ok ? 'loads' : 'does not load'} on ${where}\n`);
        for (const m of report.messages) io.out(`  ${m}\n`);
        for (const m of report.missingVersions)
          if (m.symbols.length > 0)
            io.out(
              `    ${m.version} is needed by: ${m.symbols.slice(0, 8).join(', ')}${m.symbols.length > 8 ? `, … (${m.symbols.length})` : ''}\n`,
            );
        for (const w of report.warnings) io.out(`  warning: ${w}\n`);
      }
      return report.ok ? EXIT_OK : EXIT_FINDING;
    },
  },
  deps: {
    summary: 'the libraries FILE loads, as a tree with how each was found and what was tried for the missing ones',
    usage: 'sysprobe deps FILE [--root DIR] [--json]',
    help:
      "Resolves as glibc's loader does: RPATH chain, LD_LIBRARY_PATH (from this environment), RUNPATH, ld.so.cache,\n" +
      "the loader's system directories, glibc-hwcaps subdirectories. With --root DIR, FILE is a path inside DIR and\n" +
      'every path stays inside DIR (absolute symlinks included).\n' +
      'Exit status: 0 everything found, 1 a library is missing (or the loader would stop), 2 usage or I/O error.',
    async run(args, io) {
      const { values, positionals } = usageErrors(() =>
        parseArgs({ args, options: { ...commonOptions, root: { type: 'string' } }, allowPositionals: true, strict: true }),
      );
      if (values.help === true) return commandHelp(this, io);
      if (positionals.length !== 1) throw new UsageError('deps: name exactly one FILE');
      const root = rootOption(values.root);
      const llp = process.env['LD_LIBRARY_PATH'];
      const deps = await resolveDeps(positionals[0]!, {
        ...(root !== undefined ? { root } : {}),
        ...(llp !== undefined && root === undefined ? { env: { LD_LIBRARY_PATH: llp } } : {}),
      });
      if (values.json === true) io.out(json({ schemaVersion: SCHEMA_VERSION, deps }));
      else io.out(renderTree(deps));
      return deps.missing.length > 0 || deps.fatal !== null ? EXIT_FINDING : EXIT_OK;
    },
  },
};
