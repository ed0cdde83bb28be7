// Builds small but complete dynamic ELF files by hand, in any class and byte order (no Debian
// architecture is 32-bit big-endian): PT_LOAD, PT_INTERP, PT_DYNAMIC, .dynstr, .dynsym, .gnu.version,
// .gnu.version_r, .gnu.version_d, DT_HASH, and optionally section headers (so readelf -V can read it).

/**
 * @param {object} spec
 * @param {32|64} spec.cls
 * @param {boolean} spec.big
 * @param {number} spec.machine
 * @param {string} [spec.interpreter]
 * @param {string} [spec.soname]
 * @param {string[]} [spec.needed]
 * @param {string} [spec.runpath]
 * @param {Array<{file: string, versions: Array<{name: string, index: number, weak?: boolean}>}>} [spec.needs]
 * @param {Array<{name: string, index: number, base?: boolean, parents?: string[]}>} [spec.defs]
 * @param {Array<{name: string, version: number, hidden?: boolean, defined?: boolean}>} [spec.symbols]
 * @param {boolean} [spec.sections] write section headers (default true)
 */
export function buildElf(spec) {
  const is64 = spec.cls === 64;
  const big = spec.big;
  const base = 0x10000;
  const chunks = [];
  let size = 0;
  const place = (bytes, align = 8) => {
    size = Math.ceil(size / align) * align;
    const at = size;
    chunks.push({ at, bytes });
    size += bytes.length;
    return at;
  };
  const buf = (n) => Buffer.alloc(n);
  const w16 = (b, o, v) => (big ? b.writeUInt16BE(v, o) : b.writeUInt16LE(v, o));
  const w32 = (b, o, v) => (big ? b.writeUInt32BE(v >>> 0, o) : b.writeUInt32LE(v >>> 0, o));
  const w64 = (b, o, v) => (big ? b.writeBigUInt64BE(BigInt(v), o) : b.writeBigUInt64LE(BigInt(v), o));
  const wW = (b, o, v) => (is64 ? w64(b, o, v) : w32(b, o, v));

  // String table.
  const strings = ['\0'];
  const strOffsets = new Map();
  let strLength = 1;
  const str = (s) => {
    if (!strOffsets.has(s)) {
      strOffsets.set(s, strLength);
      strings.push(`${s}\0`);
      strLength += Buffer.byteLength(s, 'latin1') + 1;
    }
    return strOffsets.get(s);
  };
  const needs = spec.needs ?? [];
  const defs = spec.defs ?? [];
  const symbols = spec.symbols ?? [];
  for (const n of spec.needed ?? []) str(n);
  if (spec.soname) str(spec.soname);
  if (spec.runpath) str(spec.runpath);
  for (const n of needs) {
    str(n.file);
    for (const v of n.versions) str(v.name);
  }
  for (const d of defs) {
    str(d.name);
    for (const p of d.parents ?? []) str(p);
  }
  for (const s of symbols) str(s.name);
  const dynstr = Buffer.from(strings.join(''), 'latin1');

  const ehsize = is64 ? 64 : 52,
    phentsize = is64 ? 56 : 32,
    shentsize = is64 ? 64 : 40;
  const phnum = spec.interpreter ? 3 : 2;
  place(buf(ehsize + phnum * phentsize));
  const interpAt = spec.interpreter ? place(Buffer.from(`${spec.interpreter}\0`, 'latin1'), 1) : 0;
  const dynstrAt = place(dynstr, 1);
  const symsize = is64 ? 24 : 16;
  const dynsym = buf(symsize * (symbols.length + 1));
  symbols.forEach((s, i) => {
    const o = (i + 1) * symsize;
    const info = (1 << 4) | 2; // GLOBAL FUNC
    w32(dynsym, o, str(s.name));
    if (is64) {
      dynsym[o + 4] = info;
      w16(dynsym, o + 6, s.defined ? 1 : 0);
      w64(dynsym, o + 8, s.defined ? 0x1000 : 0);
    } else {
      w32(dynsym, o + 4, s.defined ? 0x1000 : 0);
      dynsym[o + 12] = info;
      w16(dynsym, o + 14, s.defined ? 1 : 0);
    }
  });
  const dynsymAt = place(dynsym);
  const versym = buf(2 * (symbols.length + 1));
  symbols.forEach((s, i) => w16(versym, (i + 1) * 2, s.version | (s.hidden ? 0x8000 : 0)));
  const versymAt = place(versym, 2);
  let verneedAt = 0;
  if (needs.length) {
    const total = needs.reduce((n, x) => n + 16 + 16 * x.versions.length, 0);
    const b = buf(total);
    let o = 0;
    needs.forEach((n, i) => {
      w16(b, o, 1);
      w16(b, o + 2, n.versions.length);
      w32(b, o + 4, str(n.file));
      w32(b, o + 8, 16);
      w32(b, o + 12, i + 1 < needs.length ? 16 + 16 * n.versions.length : 0);
      n.versions.forEach((v, j) => {
        const a = o + 16 + 16 * j;
        w32(b, a, elfHash(v.name));
        w16(b, a + 4, v.weak ? 2 : 0);
        w16(b, a + 6, v.index);
        w32(b, a + 8, str(v.name));
        w32(b, a + 12, j + 1 < n.versions.length ? 16 : 0);
      });
      o += 16 + 16 * n.versions.length;
    });
    verneedAt = place(b, 4);
  }
  let verdefAt = 0;
  if (defs.length) {
    const total = defs.reduce((n, d) => n + 20 + 8 * (1 + (d.parents ?? []).length), 0);
    const b = buf(total);
    let o = 0;
    defs.forEach((d, i) => {
      const names = [d.name, ...(d.parents ?? [])];
      w16(b, o, 1);
      w16(b, o + 2, d.base ? 1 : 0);
      w16(b, o + 4, d.index);
      w16(b, o + 6, names.length);
      w32(b, o + 8, elfHash(d.name));
      w32(b, o + 12, 20);
      w32(b, o + 16, i + 1 < defs.length ? 20 + 8 * names.length : 0);
      names.forEach((name, j) => {
        w32(b, o + 20 + 8 * j, str(name));
        w32(b, o + 24 + 8 * j, j + 1 < names.length ? 8 : 0);
      });
      o += 20 + 8 * names.length;
    });
    verdefAt = place(b, 4);
  }
  const nsyms = symbols.length + 1;
  // DT_HASH words are 8 bytes on 64-bit s390 (and Alpha), 4 elsewhere.
  const hashWord = is64 && spec.machine === 22 ? 8 : 4;
  const hash = buf(hashWord * (2 + 1 + nsyms));
  if (hashWord === 8) {
    w64(hash, 0, 1);
    w64(hash, 8, nsyms);
  } else {
    w32(hash, 0, 1);
    w32(hash, 4, nsyms);
  }
  const hashAt = place(hash, 4);

  const tags = [];
  for (const n of spec.needed ?? []) tags.push([1, str(n)]);
  if (spec.soname) tags.push([14, str(spec.soname)]);
  if (spec.runpath) tags.push([29, str(spec.runpath)]);
  tags.push(
    [4, base + hashAt],
    [5, base + dynstrAt],
    [10, dynstr.length],
    [6, base + dynsymAt],
    [11, symsize],
    [0x6ffffff0, base + versymAt],
  );
  if (needs.length) tags.push([0x6ffffffe, base + verneedAt], [0x6fffffff, needs.length]);
  if (defs.length) tags.push([0x6ffffffc, base + verdefAt], [0x6ffffffd, defs.length]);
  tags.push([0x6ffffffb, 0x08000001], [0, 0]);
  const dynent = is64 ? 16 : 8;
  const dynamic = buf(dynent * tags.length);
  tags.forEach(([t, v], i) => {
    wW(dynamic, i * dynent, t);
    wW(dynamic, i * dynent + dynent / 2, v);
  });
  const dynamicAt = place(dynamic);
  const loadSize = size;

  // Section headers: null, .interp, .dynstr, .dynsym, .gnu.version, .gnu.version_r, .gnu.version_d, .hash, .dynamic, .shstrtab
  let shoff = 0,
    shnum = 0,
    shstrndx = 0;
  if (spec.sections !== false) {
    const names = [
      '',
      '.interp',
      '.dynstr',
      '.dynsym',
      '.gnu.version',
      '.gnu.version_r',
      '.gnu.version_d',
      '.hash',
      '.dynamic',
      '.shstrtab',
    ];
    const shstr = Buffer.from(`${names.join('\0')}\0`, 'latin1');
    const nameAt = (n) => names.slice(0, names.indexOf(n)).reduce((a, x) => a + x.length + 1, 0);
    const shstrAt = place(shstr, 1);
    const sections = [[0, 0, 0, 0, 0, 0, 0, 0]];
    const sec = (name, type, flags, at, sz, link, info, ent) =>
      sections.push([nameAt(name), type, flags, at ? base + at : 0, at, sz, link, info, ent]);
    sec('.interp', 1, 2, interpAt, spec.interpreter ? spec.interpreter.length + 1 : 0, 0, 0, 0);
    sec('.dynstr', 3, 2, dynstrAt, dynstr.length, 0, 0, 0);
    sec('.dynsym', 11, 2, dynsymAt, dynsym.length, 2, 1, symsize);
    sec('.gnu.version', 0x6fffffff, 2, versymAt, versym.length, 3, 0, 2);
    sec(
      '.gnu.version_r',
      0x6ffffffe,
      2,
      verneedAt,
      verneedAt ? chunks.find((c) => c.at === verneedAt).bytes.length : 0,
      2,
      needs.length,
      0,
    );
    sec('.gnu.version_d', 0x6ffffffd, 2, verdefAt, verdefAt ? chunks.find((c) => c.at === verdefAt).bytes.length : 0, 2, defs.length, 0);
    sec('.hash', 5, 2, hashAt, hash.length, 3, 0, hashWord);
    sec('.dynamic', 6, 3, dynamicAt, dynamic.length, 2, 0, dynent);
    sections.push([nameAt('.shstrtab'), 3, 0, 0, shstrAt, shstr.length, 0, 0, 0]);
    // Drop empty version sections (their type would claim a table that is not there).
    const kept = sections.filter((s, i) => i === 0 || s[4] !== 0 || s[1] === 3);
    const table = buf(shentsize * kept.length);
    kept.forEach((s, i) => {
      const o = i * shentsize;
      const [name, type, flags, addr, off, sz, link, info, ent] = s.length === 9 ? s : [0, 0, 0, 0, 0, 0, 0, 0, 0];
      const linkFixed =
        link === 2
          ? kept.findIndex((k) => k[0] === nameAt('.dynstr') && k[1] === 3)
          : link === 3
            ? kept.findIndex((k) => k[1] === 11)
            : link;
      w32(table, o, name);
      w32(table, o + 4, type);
      if (is64) {
        w64(table, o + 8, flags);
        w64(table, o + 16, addr);
        w64(table, o + 24, off);
        w64(table, o + 32, sz);
        w32(table, o + 40, linkFixed);
        w32(table, o + 44, info);
        w64(table, o + 48, 1);
        w64(table, o + 56, ent);
      } else {
        w32(table, o + 8, flags);
        w32(table, o + 12, addr);
        w32(table, o + 16, off);
        w32(table, o + 20, sz);
        w32(table, o + 24, linkFixed);
        w32(table, o + 28, info);
        w32(table, o + 32, 1);
        w32(table, o + 36, ent);
      }
    });
    shoff = place(table);
    shnum = kept.length;
    shstrndx = kept.length - 1;
  }

  const out = Buffer.alloc(size);
  for (const c of chunks) c.bytes.copy(out, c.at);
  // ELF header.
  Buffer.from('\x7fELF', 'latin1').copy(out, 0);
  out[4] = is64 ? 2 : 1;
  out[5] = big ? 2 : 1;
  out[6] = 1;
  w16(out, 16, 3);
  w16(out, 18, spec.machine);
  w32(out, 20, 1);
  if (is64) {
    w64(out, 24, 0);
    w64(out, 32, ehsize);
    w64(out, 40, shoff);
    w32(out, 48, 0);
    w16(out, 52, ehsize);
    w16(out, 54, phentsize);
    w16(out, 56, phnum);
    w16(out, 58, shentsize);
    w16(out, 60, shnum);
    w16(out, 62, shstrndx);
  } else {
    w32(out, 24, 0);
    w32(out, 28, ehsize);
    w32(out, 32, shoff);
    w32(out, 36, 0);
    w16(out, 40, ehsize);
    w16(out, 42, phentsize);
    w16(out, 44, phnum);
    w16(out, 46, shentsize);
    w16(out, 48, shnum);
    w16(out, 50, shstrndx);
  }
  const phdrs = [[1, 0, 0, loadSize, 5]];
  if (spec.interpreter) phdrs.push([3, interpAt, interpAt, spec.interpreter.length + 1, 4]);
  phdrs.push([2, dynamicAt, dynamicAt, dynamic.length, 6]);
  phdrs.forEach(([type, off, vaddr, filesz, flags], i) => {
    const o = ehsize + i * phentsize;
    w32(out, o, type);
    if (is64) {
      w32(out, o + 4, flags);
      w64(out, o + 8, off);
      w64(out, o + 16, base + vaddr);
      w64(out, o + 24, base + vaddr);
      w64(out, o + 32, filesz);
      w64(out, o + 40, filesz);
      w64(out, o + 48, 0x1000);
    } else {
      w32(out, o + 4, off);
      w32(out, o + 8, base + vaddr);
      w32(out, o + 12, base + vaddr);
      w32(out, o + 16, filesz);
      w32(out, o + 20, filesz);
      w32(out, o + 24, flags);
      w32(out, o + 28, 0x1000);
    }
  });
  return out;
}

/** The SysV ELF hash of a name (vna_hash, vd_hash). */
export function elfHash(name) {
  let h = 0;
  for (const c of Buffer.from(name, 'latin1')) {
    h = ((h << 4) + c) >>> 0;
    const g = h & 0xf0000000;
    if (g) h ^= g >>> 24;
    h &= ~g >>> 0;
  }
  return h >>> 0;
}

/** A copy of an ELF file without section headers (e_shoff, e_shnum, e_shstrndx zeroed), as sstrip leaves it. */
export function withoutSectionHeaders(bytes) {
  const out = Buffer.from(bytes);
  const is64 = out[4] === 2;
  const big = out[5] === 2;
  const w16 = (o, v) => (big ? out.writeUInt16BE(v, o) : out.writeUInt16LE(v, o));
  if (is64) {
    out.fill(0, 40, 48);
    w16(60, 0);
    w16(62, 0);
  } else {
    out.fill(0, 32, 36);
    w16(48, 0);
    w16(50, 0);
  }
  return out;
}
