// The CLI's commands, in the order `sysprobe --help` lists them. Each parses its arguments, asks the
// probes and prints text or --json.
import { commandHelp, type Command } from '../command.js';
import { EXIT_OK, type Io } from '../io.js';
import { doctorCommands } from './doctor.js';
import { filesCommands } from './files.js';
import { pathsCommands } from './paths.js';
import { processesCommands } from './processes.js';
import { reportCommands } from './report.js';

const { report } = reportCommands;
const { elf, compat, deps } = filesCommands;
const { glibc, limits, env } = processesCommands;
const { reparse, explain } = pathsCommands;
const { doctor } = doctorCommands;
export const commands: Record<string, Command> = {
  report: report!,
  doctor: doctor!,
  elf: elf!,
  compat: compat!,
  deps: deps!,
  glibc: glibc!,
  limits: limits!,
  env: env!,
  reparse: reparse!,
  explain: explain!,
};

export function printHelp(name: string | null, io: Io): number {
  if (name === null) {
    const width = Math.max(...Object.keys(commands).map((key) => key.length));
    io.out(
      'Usage: sysprobe [command] [--json] [--help]\n\nCommands:\n' +
        Object.entries(commands)
          .map(([key, command]) => `  ${key.padEnd(width)}  ${command.summary}\n`)
          .join('') +
        '\nWith no command, `report` runs. `sysprobe COMMAND --help` tells more.\n' +
        '--json prints a stable JSON document with a schemaVersion.\n' +
        'Exit status: 0 fine, 1 a finding, 2 usage or I/O error.\n',
    );
    return EXIT_OK;
  }
  return commandHelp(commands[name]!, io);
}
