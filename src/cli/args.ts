// Command-line arguments: one parseArgs call shape for every command, usage errors as UsageError.
import { parseArgs } from 'node:util';

export const commonOptions = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export class UsageError extends Error {}

/** Runs a parseArgs call; its errors (unknown option, missing value) become usage errors. */
export function usageErrors<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function parse(args: string[]): { json: boolean; help: boolean } {
  const { values } = usageErrors(() => parseArgs({ args, options: commonOptions, allowPositionals: false, strict: true }));
  return { json: values.json === true, help: values.help === true };
}

/** The common options plus --pid N (and --diff, --root DIR where allowed). */
export function parseWithPid(
  args: string[],
  allowDiff: boolean,
  allowRoot = false,
): { json: boolean; help: boolean; pid: number | undefined; diff: boolean; root: string | undefined } {
  const options = { ...commonOptions, pid: { type: 'string' }, diff: { type: 'boolean' }, root: { type: 'string' } } as const;
  const { values } = usageErrors(() => parseArgs({ args, options, allowPositionals: false, strict: true }));
  if (!allowDiff && values.diff !== undefined) throw new UsageError("Unknown option '--diff'");
  if (!allowRoot && values.root !== undefined) throw new UsageError("Unknown option '--root'");
  const raw = values.pid;
  if (raw !== undefined && !/^[1-9][0-9]{0,9}$/.test(raw)) throw new UsageError(`--pid must be a process id, not '${raw}'`);
  return {
    json: values.json === true,
    help: values.help === true,
    pid: raw === undefined ? undefined : Number(raw),
    diff: values.diff === true,
    root: values.root,
  };
}

export function parseWithPaths(args: string[]): { json: boolean; help: boolean; paths: string[] } {
  const { values, positionals } = usageErrors(() => parseArgs({ args, options: commonOptions, allowPositionals: true, strict: true }));
  return { json: values.json === true, help: values.help === true, paths: positionals };
}

export function rootOption(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const root = String(value);
  if (!root.startsWith('/')) return require('node:path').resolve(root) as string;
  return root;
}
