// One CLI command: its help texts and what it runs.
import { EXIT_OK, type Io } from './io.js';

export interface Command {
  summary: string;
  usage: string;
  help: string;
  run(args: string[], io: Io): Promise<number>;
}

/** `sysprobe COMMAND --help`. */
export function commandHelp(command: Command, io: Io): number {
  io.out(`Usage: ${command.usage}\n\n${command.summary}\n\n${command.help}\n`);
  return EXIT_OK;
}
