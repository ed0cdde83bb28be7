// The sysprobe command: dispatches to a command (report when none is named) and never throws.
import { SysprobeError } from '../errors.js';
import { UsageError } from './args.js';
import { commands, printHelp } from './commands/index.js';
import { EXIT_USAGE, SCHEMA_VERSION, defaultIo, json, type Io } from './io.js';

export { EXIT_FINDING, EXIT_OK, EXIT_USAGE, SCHEMA_VERSION } from './io.js';

/** Runs the CLI and returns its exit status; never throws. */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const wantsJson = argv.includes('--json');
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first.startsWith('-')) {
      if (first === '--help' || first === '-h') return printHelp(null, io);
      return await commands['report']!.run(argv, io);
    }
    if (first === 'help') return printHelp(rest[0] !== undefined && rest[0] in commands ? rest[0] : null, io);
    const command = Object.hasOwn(commands, first) ? commands[first] : undefined;
    if (command === undefined) throw new UsageError(`unknown command '${first}'`);
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      if (wantsJson) io.out(json({ schemaVersion: SCHEMA_VERSION, error: { code: 'ERR_SYSPROBE_USAGE', message: error.message } }));
      io.err(`sysprobe: ${error.message}\nRun 'sysprobe --help' for usage.\n`);
      return EXIT_USAGE;
    }
    const facts =
      error instanceof SysprobeError
        ? error.toJSON()
        : { code: 'ERR_SYSPROBE_INTERNAL', message: String((error as Error)?.stack ?? error) };
    if (wantsJson) io.out(json({ schemaVersion: SCHEMA_VERSION, error: facts }));
    io.err(`sysprobe: ${String(facts['message'])}\n`);
    return EXIT_USAGE;
  }
}
