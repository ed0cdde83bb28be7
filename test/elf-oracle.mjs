// GNU readelf as the independent oracle for ELF facts, and the comparison with readElfSync.
import { closeSync, lstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run, which } from './helpers.mjs';

export const readelf = which('readelf');

const MACHINES = {
  'Advanced Micro Devices X86-64': 62,
  'Intel 80386': 3,
  AArch64: 183,
  'IBM S/390': 22,
  ARM: 40,
  PowerPC64: 21,
  'RISC-V': 243,
  LoongArch: 258,
  'MIPS R3000': 8,
  'Sparc v9': 43,
  PowerPC: 20,
};

/** Every regular file under `dir` that starts with the ELF magic; symlinks are not followed. */
export function elfFilesUnder(dir, limit = Infinity) {
  const out = [];
  const visit = (d) => {
    let names;
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (out.length >= limit) return;
      const path = join(d, name);
      let st;
      try {
        st = lstatSync(path);
      } catch {
        continue;
      }
      if (st.isDirectory()) visit(path);
      else if (st.isFile() && st.size >= 16 && isElf(path)) out.push(path);
    }
  };
  visit(dir);
  return out;
}

export function isElf(path) {
  let fd;
  try {
    fd = openSync(path, 'r');
    const magic = Buffer.alloc(4);
    return readSync(fd, magic, 0, 4, 0) === 4 && magic.equals(Buffer.from('\x7fELF', 'latin1'));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The facts readelf -h -l -d -V --dyn-syms -W prints, parsed. */
export function readelfFacts(path) {
  const result = run(readelf, ['-h', '-l', '-d', '-V', '--dyn-syms', '-W', path], { maxBuffer: 256 << 20 });
  const facts = {
    class: null,
    endian: null,
    eflags: null,
    machine: null,
    machineText: null,
    type: null,
    pie: false,
    interpreter: null,
    needed: [],
    soname: null,
    rpath: [],
    runpath: [],
    flags: [],
    needs: [],
    defs: [],
    symbols: null,
  };
  let section = null;
  for (const line of result.stdout.split('\n')) {
    let m;
    if ((m = /^\s+Class:\s+ELF(\d+)/.exec(line))) facts.class = Number(m[1]);
    else if ((m = /^\s+Data:\s+.*(little|big) endian/.exec(line))) facts.endian = m[1];
    else if ((m = /^\s+Flags:\s+(0x[0-9a-f]+)/.exec(line))) facts.eflags = Number.parseInt(m[1], 16);
    else if ((m = /^\s+Machine:\s+(.*\S)/.exec(line))) {
      facts.machineText = m[1];
      facts.machine = MACHINES[m[1]] ?? null;
    } else if ((m = /^\s+Type:\s+(\S+)(.*)/.exec(line))) {
      facts.type = m[1];
      facts.pie = /Position-Independent Executable/.test(m[2]);
    } else if ((m = /\[Requesting program interpreter: (.*)\]$/.exec(line))) facts.interpreter = m[1];
    else if ((m = /\(NEEDED\)\s+Shared library: \[(.*)\]$/.exec(line))) facts.needed.push(m[1]);
    else if ((m = /\(SONAME\)\s+Library soname: \[(.*)\]$/.exec(line))) facts.soname = m[1];
    else if ((m = /\(RPATH\)\s+Library rpath: \[(.*)\]$/.exec(line))) facts.rpath.push(m[1]);
    else if ((m = /\(RUNPATH\)\s+Library runpath: \[(.*)\]$/.exec(line))) facts.runpath.push(m[1]);
    else if ((m = /\(FLAGS\)\s+(.*\S)\s*$/.exec(line))) facts.flags.push(...m[1].split(/\s+/).map((f) => `DF_${f}`));
    else if ((m = /\(FLAGS_1\)\s+Flags: (.*\S)\s*$/.exec(line))) facts.flags.push(...m[1].split(/\s+/).map((f) => `DF_1_${f}`));
    else if (/^Version needs section/.test(line)) section = 'needs';
    else if (/^Version definition section/.test(line)) section = 'defs';
    else if (/^Version symbols section/.test(line)) section = null;
    else if ((m = /^Symbol table '\.dynsym' contains (\d+) entries/.exec(line))) {
      section = 'syms';
      facts.symbols = [];
    } else if (section === 'needs' && (m = /^\s+(?:0x)?[0-9a-f]+: Version: (\d+)\s+File: (\S+)\s+Cnt: (\d+)/.exec(line))) {
      facts.needs.push({ file: m[2], version: Number(m[1]), versions: [] });
    } else if (section === 'needs' && (m = /^\s+0x[0-9a-f]+:\s+Name: (\S+)\s+Flags: (.+?)\s+Version: (\d+)/.exec(line))) {
      facts.needs.at(-1).versions.push({ name: m[1], weak: /WEAK/.test(m[2]), index: Number(m[3]) });
    } else if (
      section === 'defs' &&
      (m = /^\s+(?:0x)?[0-9a-f]+: Rev: (\d+)\s+Flags: (.+?)\s+Index: (\d+)\s+Cnt: (\d+)\s+Name: (\S+)/.exec(line))
    ) {
      facts.defs.push({ index: Number(m[3]), base: /BASE/.test(m[2]), weak: /WEAK/.test(m[2]), name: m[5], parents: [] });
    } else if (section === 'defs' && (m = /^\s+(?:0x)?[0-9a-f]+: Parent \d+: (\S+)/.exec(line))) {
      facts.defs.at(-1).parents.push(m[1]);
    } else if (
      section === 'syms' &&
      (m = /^\s*(\d+): [0-9a-f]+\s+\S+\s+(?:<[^>]*>: \d+|\S+)\s+(?:<[^>]*>: \d+|\S+)\s+\S+(?:\s+\[[^\]]*\])?\s+(\S+) ?(.*)$/.exec(line))
    ) {
      let name = m[3];
      let versionIndex = null;
      const suffix = / \((\d+)\)$/.exec(name);
      if (suffix) {
        versionIndex = Number(suffix[1]);
        name = name.slice(0, suffix.index);
      }
      const at = name.indexOf('@');
      const entry = {
        index: Number(m[1]),
        defined: m[2] !== 'UND',
        name: at < 0 ? name : name.slice(0, at),
        version: null,
        hidden: false,
        versionIndex,
      };
      if (at >= 0) {
        const def = name.startsWith('@@', at);
        entry.version = name.slice(at + (def ? 2 : 1));
        entry.hidden = !def;
      }
      facts.symbols.push(entry);
    }
  }
  return facts;
}

/** What readElfSync says, in the readelf facts' terms. */
export function ourFacts(info) {
  return {
    class: info.class,
    endian: info.endian,
    eflags: info.eflags,
    machine: info.machineId,
    type: info.type.toUpperCase(),
    pie: info.pie,
    interpreter: info.interpreter,
    needed: info.needed,
    soname: info.soname,
    rpath: info.rpath === null ? [] : info.rpath.split(':'),
    runpath: info.runpath === null ? [] : info.runpath.split(':'),
    flags: info.flags.names,
    needs: info.versionNeeds.map((n) => ({
      file: n.file,
      version: n.version,
      versions: n.versions.map((v) => ({ name: v.name, weak: v.weak, index: v.index })),
    })),
    defs: info.versionDefs.map((d) => ({ index: d.index, base: d.base, weak: d.weak, name: d.name, parents: d.parents })),
    symbols: info.symbols ?? null,
  };
}

/** Field-by-field differences between readelf and readElfSync; [] when they agree. */
export function compareWithReadelf(theirs, info) {
  const ours = ourFacts(info);
  const diffs = [];
  const same = (field, a, b) => {
    if (JSON.stringify(a) !== JSON.stringify(b))
      diffs.push(`${field}: readelf ${JSON.stringify(a)?.slice(0, 300)} vs ours ${JSON.stringify(b)?.slice(0, 300)}`);
  };
  same('class', theirs.class, ours.class);
  same('endian', theirs.endian, ours.endian);
  same('eflags', theirs.eflags, ours.eflags);
  if (theirs.machine !== null) same('machine', theirs.machine, ours.machine);
  else diffs.push(`machine: readelf '${theirs.machineText}' is not in the test's table`);
  same('type', theirs.type, ours.type);
  same('pie', theirs.pie, ours.pie);
  same('interpreter', theirs.interpreter, ours.interpreter);
  same('needed', theirs.needed, ours.needed);
  same('soname', theirs.soname, ours.soname);
  same(
    'rpath',
    theirs.rpath.flatMap((r) => r.split(':')),
    ours.rpath,
  );
  same(
    'runpath',
    theirs.runpath.flatMap((r) => r.split(':')),
    ours.runpath,
  );
  same('flags', [...theirs.flags].sort(), [...ours.flags].sort());
  same('versionNeeds', theirs.needs, ours.needs);
  same('versionDefs', theirs.defs, ours.defs);
  if (theirs.symbols !== null) {
    const symbols = ours.symbols ?? [];
    same('symbol count', theirs.symbols.length - 1, symbols.length);
    for (const sym of theirs.symbols.slice(1)) {
      const mine = symbols[sym.index - 1];
      if (mine === undefined) continue;
      // readelf prints `name@VER (N)` for versions from Verneed (references, copy relocations),
      // `name@@VER` / `name@VER` (hidden) for definitions, and omits the version of the ABS symbol
      // that names a version definition itself.
      const fromNeed = sym.versionIndex !== null;
      const versionSymbol = sym.version === null && mine.defined && mine.version === mine.name;
      const expected = {
        name: sym.name,
        version: versionSymbol ? mine.name : sym.version,
        fromNeed,
        hidden: sym.version !== null && !fromNeed ? sym.hidden : false,
        defined: sym.defined,
      };
      // STT_SECTION symbols have no name; readelf prints the section's name instead.
      const got = {
        name: mine.type === 'section' && mine.name === '' ? sym.name : mine.name,
        version: mine.version,
        fromNeed: mine.file !== null,
        hidden: mine.version !== null && mine.file === null ? mine.hidden : false,
        defined: mine.defined,
      };
      if (JSON.stringify(expected) !== JSON.stringify(got)) {
        diffs.push(`symbol ${sym.index}: readelf ${JSON.stringify(expected)} vs ours ${JSON.stringify(got)}`);
        if (diffs.length > 20) break;
      }
      if (sym.versionIndex !== null && sym.versionIndex !== mine.versionIndex)
        diffs.push(`symbol ${sym.index} version index: readelf ${sym.versionIndex} vs ours ${mine.versionIndex}`);
    }
  } else if (ours.symbols !== null && ours.symbols.length > 0) {
    diffs.push(`symbols: readelf shows no .dynsym, ours has ${ours.symbols.length}`);
  }
  return diffs;
}
