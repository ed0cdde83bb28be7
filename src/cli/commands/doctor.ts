import { parseArgs } from 'node:util';
import { doctor, type DoctorOptions, type DoctorProfile } from '../../probes/doctor/index.js';
import { UsageError, commonOptions, rootOption, usageErrors } from '../args.js';
import { EXIT_FINDING, EXIT_OK, SCHEMA_VERSION, json } from '../io.js';
import { renderDoctor } from '../render/doctor.js';
import { commandHelp, type Command } from '../command.js';

function pidOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[1-9][0-9]{0,9}$/.test(raw)) throw new UsageError(`--${name} must be a process id, not '${raw}'`);
  return Number(raw);
}

/** `doctor`'s arguments as doctor() options. */
export function doctorOptions(args: string[]): { json: boolean; help: boolean; options: DoctorOptions } {
  const spec = {
    ...commonOptions,
    pid: { type: 'string' },
    'shell-pid': { type: 'string' },
    root: { type: 'string' },
    workspace: { type: 'string' },
    log: { type: 'string' },
    for: { type: 'string' },
    binary: { type: 'string', multiple: true },
  } as const;
  const { values } = usageErrors(() => parseArgs({ args, options: spec, allowPositionals: false, strict: true }));
  if (values.for !== undefined && values.for !== 'go' && values.for !== 'vscode-server')
    throw new UsageError(`--for must be go or vscode-server, not '${values.for}'`);
  const options: DoctorOptions = {};
  const pid = pidOption('pid', values.pid);
  const shellPid = pidOption('shell-pid', values['shell-pid']);
  if (pid !== undefined) options.pid = pid;
  if (shellPid !== undefined) options.shellPid = shellPid;
  const root = rootOption(values.root);
  if (root !== undefined) options.root = root;
  if (values.workspace !== undefined) options.workspace = rootOption(values.workspace)!;
  if (values.log !== undefined) options.log = values.log;
  if (values.for !== undefined) options.for = values.for as DoctorProfile;
  if (values.binary !== undefined) options.binaries = values.binary.map((b) => rootOption(b)!);
  return { json: values.json === true, help: values.help === true, options };
}

export const doctorCommands: Record<string, Command> = {
  doctor: {
    summary: 'the cause and the fix when gopls, dlv or a VS Code server fails here',
    usage:
      'sysprobe doctor [--pid N] [--shell-pid N] [--root DIR] [--workspace DIR] [--log FILE] [--for go|vscode-server] [--binary FILE]... [--json]',
    help:
      'Joins the facts a broken language server needs and says what is wrong and how to fix it: the PATH and\n' +
      "GOROOT the tool got against your shell's, go env -w settings, what gopls/dlv were built with, the address-\n" +
      'space, data and cgroup memory limits against what that Go runtime needs, junctions on the Go paths, whether\n' +
      "the tools load with this C library, VS Code's settings, the caches' space, and VS Code server's floor.\n" +
      '  --pid N        the tool process (gopls), or the editor or shell that starts it (default: this process)\n' +
      '  --shell-pid N  the shell to compare with (default: the nearest shell above sysprobe)\n' +
      '  --root DIR     check libc-compat and vscode-server against a root filesystem\n' +
      "  --workspace D  the workspace folder (default: the process's working directory)\n" +
      '  --log FILE     a gopls log or stderr: known failure lines point at their checks\n' +
      "  --binary FILE  another binary that must load (an extension's .node file); repeatable\n" +
      'It never starts a process or a shell. A shell with `ulimit -v` too low for Node cannot run sysprobe at all:\n' +
      "run `sysprobe doctor --pid <that shell's pid>` from a normal shell instead.\n" +
      'Exit status: 0 every check ok or skipped, 1 a warning or an error, 2 usage or I/O error.',
    async run(args, io) {
      const { json: asJson, help, options } = doctorOptions(args);
      if (help) return commandHelp(this, io);
      const result = await doctor(options);
      if (asJson) io.out(json({ ...result, cliSchemaVersion: SCHEMA_VERSION }));
      else io.out(renderDoctor(result));
      return result.summary.error + result.summary.warning > 0 ? EXIT_FINDING : EXIT_OK;
    },
  },
};
