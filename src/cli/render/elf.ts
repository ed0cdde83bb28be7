// Text presentation of one ELF file's facts, for the CLI.
import type { ElfInfo } from '../../probes/elf/index.js';
import { compareVersions, parseVersionName } from '../../util/versions.js';
import { table } from './table.js';

/** The newest needed version per prefix, where it is needed from, and the symbols that need it. */
export interface NewestVersion {
  prefix: string;
  version: string;
  name: string;
  file: string;
  weak: boolean;
  symbols: string[];
}

export function newestVersions(info: ElfInfo, mangled: boolean): NewestVersion[] {
  const out: NewestVersion[] = [];
  for (const [prefix, version] of Object.entries(info.maxVersions)) {
    for (const need of info.versionNeeds) {
      for (const v of need.versions) {
        const parsed = parseVersionName(v.name);
        if (parsed === null || parsed.prefix !== prefix || compareVersions(parsed.version, version) !== 0) continue;
        const symbols = (info.symbols ?? [])
          .filter((s) => !s.defined && s.version === v.name && s.file === need.file)
          .map((s) => (mangled ? s.name : (s.demangled ?? s.name)));
        out.push({ prefix, version, name: v.name, file: need.file, weak: v.weak, symbols: [...new Set(symbols)].sort() });
      }
    }
  }
  return out;
}

export const IO_CODES = /^E[A-Z0-9]+$|^ERR_SYSPROBE_NOT_REGULAR$/;

export function renderElf(info: ElfInfo, newest: NewestVersion[], withSymbols: boolean, mangled: boolean): string {
  const kind = `${info.type}${info.pie ? ' (PIE)' : ''}`;
  let text = `${info.path}: ELF ${info.class}-bit ${info.endian}-endian ${info.machine}, ${kind}\n`;
  const rows: Array<[string, string]> = [];
  if (info.interpreter !== null) rows.push(['interpreter', info.interpreter]);
  if (info.soname !== null) rows.push(['soname', info.soname]);
  rows.push(['needed', info.needed.length === 0 ? 'none' : info.needed.join(', ')]);
  if (info.rpath !== null) rows.push(['rpath', info.rpath]);
  if (info.runpath !== null) rows.push(['runpath', info.runpath]);
  if (info.flags.names.length > 0) rows.push(['flags', info.flags.names.join(' ')]);
  const maxima = Object.entries(info.maxVersions).map(([prefix, version]) => `${prefix} ${version}`);
  rows.push(['newest', maxima.length === 0 ? 'no versioned needs' : maxima.join(', ')]);
  if (info.versionDefs.length > 0)
    rows.push([
      'defines',
      info.versionDefs
        .filter((d) => !d.base)
        .map((d) => d.name)
        .join(' ') || 'only the base version',
    ]);
  if (info.dynamicSource === 'section-headers') rows.push(['note', 'no PT_DYNAMIC: read through the section headers']);
  for (const diagnostic of info.diagnostics) rows.push(['diagnostic', diagnostic]);
  text += table(rows);
  if (info.versionNeeds.length > 0) {
    text += '  versions needed per library:\n';
    const width = Math.max(...info.versionNeeds.map((n) => n.file.length));
    for (const need of info.versionNeeds) {
      const names = [...need.versions]
        .sort((a, b) => {
          const pa = parseVersionName(a.name);
          const pb = parseVersionName(b.name);
          if (pa && pb && pa.prefix === pb.prefix) return compareVersions(pa.version, pb.version);
          return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
        })
        .map((v) => v.name + (v.weak ? ' (weak)' : ''));
      text += `    ${need.file.padEnd(width)}  ${names.join(' ')}\n`;
    }
  }
  if (newest.length > 0) {
    text += '  symbols that need the newest versions:\n';
    for (const item of newest) {
      const list = item.symbols.length === 0 ? '(no symbol: a marker version)' : item.symbols.join(', ');
      text += `    ${item.name} from ${item.file}${item.weak ? ' (weak)' : ''}: ${list}\n`;
    }
  }
  if (withSymbols && info.symbols !== undefined) {
    text += '  dynamic symbols:\n';
    for (const s of info.symbols) {
      const version = s.version === null ? '' : s.defined ? `${s.hidden ? '@' : '@@'}${s.version}` : `@${s.version}`;
      text += `    ${s.defined ? 'def' : 'und'} ${s.binding.padEnd(6)} ${s.type.padEnd(7)} ${mangled ? s.name : (s.demangled ?? s.name)}${version}${s.file !== null ? ` (${s.file})` : ''}\n`;
    }
  }
  return text;
}
