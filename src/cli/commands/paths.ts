import { SysprobeError } from '../../errors.js';
import { probeReparsePoint, type ReparseInfo } from '../../probes/reparse/index.js';
import { explainPath } from '../../probes/reparse/explain.js';
import { UsageError, parseWithPaths } from '../args.js';
import { EXIT_FINDING, EXIT_OK, EXIT_USAGE, SCHEMA_VERSION, json } from '../io.js';
import { renderExplanation, renderReparse } from '../render/reparse.js';
import { commandHelp, type Command } from '../command.js';

export const pathsCommands: Record<string, Command> = {
  reparse: {
    summary: 'NTFS reparse points: tag, kind, target of each path (the entry itself, never followed)',
    usage: 'sysprobe reparse PATH... [--json]',
    help:
      'Reads the reparse data of each PATH: on Windows with FSCTL_GET_REPARSE_POINT, on Linux from NTFS\n' +
      'volumes mounted with ntfs-3g (system.ntfs_reparse_data). Entries that are not reparse points print "none".\n' +
      'Exit status: 0 every path was read, 2 usage or I/O error (a missing path, malformed reparse data).',
    async run(args, io) {
      const options = parseWithPaths(args);
      if (options.help) return commandHelp(this, io);
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
          else
            io.out(
              entry.reparse === null ? `${entry.path}: none (not a reparse point)\n` : `${entry.path}:\n${renderReparse(entry.reparse)}`,
            );
        }
      }
      return entries.some((entry) => entry.error !== undefined) ? EXIT_USAGE : EXIT_OK;
    },
  },
  explain: {
    summary: 'every component of a path, its reparse point, and how Node, Go, Rust and Python see it',
    usage: 'sysprobe explain PATH [--json]',
    help:
      'Walks PATH component by component without following anything, reads each reparse point and tells how\n' +
      'libuv/Node, Go <= 1.22, Go >= 1.23 (winsymlink), Rust std and Python classify it on Windows.\n' +
      'Exit status: 0 nothing to report, 1 a finding (a runtime treats a component differently), 2 usage or I/O error.',
    async run(args, io) {
      const options = parseWithPaths(args);
      if (options.help) return commandHelp(this, io);
      if (options.paths.length !== 1) throw new UsageError('explain: exactly one PATH is required');
      const explanation = await explainPath(options.paths[0]!);
      // A path that does not exist is an I/O error, worded as lstat(2) words it for the first missing
      // component; not behind a reparse point, whose target the walk does not follow (a junction's contents).
      const at = explanation.components.findIndex((component) => !component.exists);
      const behindReparse = at >= 0 && explanation.components.slice(0, at).some((component) => component.reparse !== null);
      const error =
        at < 0 || behindReparse ? undefined : new SysprobeError({ errno: 2, syscall: 'lstat', path: explanation.components[at]!.path });
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
