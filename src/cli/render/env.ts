// Text and JSON presentation of process environments, every byte shown.
import type { EnvDiff, ProcessEnv } from '../../probes/env/index.js';

/** Text that shows every byte: printable UTF-8 as is, other bytes as \xNN. */
function visible(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (!text.includes('\ufffd') && !/[\x00-\x1f\x7f]/.test(text)) return text;
  let out = '';
  for (const byte of bytes)
    out += byte >= 0x20 && byte < 0x7f && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  return out;
}

export function renderEnv(env: ProcessEnv): string {
  let text = '';
  for (const entry of env.entries) text += `${visible(entry.raw)}\n`;
  if (env.duplicates.length > 0) text += `# duplicated names (getenv() sees the first): ${env.duplicates.join(', ')}\n`;
  return text;
}

export function renderEnvDiff(diff: EnvDiff, left: string, right: string): string {
  let text = `--- ${left}\n+++ ${right}\n`;
  for (const [name, value] of Object.entries(diff.removed)) text += `-${name}=${value}\n`;
  for (const [name, value] of Object.entries(diff.added)) text += `+${name}=${value}\n`;
  for (const [name, { a, b }] of Object.entries(diff.changed)) text += `-${name}=${a}\n+${name}=${b}\n`;
  text += `# ${Object.keys(diff.added).length} added, ${Object.keys(diff.removed).length} removed, ${Object.keys(diff.changed).length} changed, ${diff.unchanged} unchanged\n`;
  return text;
}

/** The JSON shape of a ProcessEnv: entries with `rawHex` where they are not UTF-8 (Buffers do not survive JSON). */
export function envJson(env: ProcessEnv): Record<string, unknown> {
  return {
    pid: env.pid,
    source: env.source,
    entries: env.entries.map((entry) => ({
      name: entry.name,
      value: entry.value,
      utf8: entry.utf8,
      ...(entry.utf8 ? {} : { rawHex: entry.raw.toString('hex') }),
    })),
    env: env.env,
    duplicates: env.duplicates,
  };
}
