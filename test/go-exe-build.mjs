// Small executables holding a Go build info blob, built byte by byte: ELF, PE and Mach-O, 32 or 64 bit, either
// byte order, the blob inline (Go >= 1.18) or as pointers to Go string headers (before). For tests that compare
// with go version -m and for the fuzz target's seeds (native/fuzz/go_buildinfo_seeds.mjs).

/** cmd/go/internal/modload's infoStart and infoEnd, the sentinels around the module info. */
export const INFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
export const INFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');

export const MODINFO = [
  'path\texample.com/tool',
  'mod\texample.com/tool\tv1.2.3\th1:mainsum=',
  'dep\tgolang.org/x/mod\tv0.8.0\th1:dep1sum=',
  'dep\texample.com/old\tv1.0.0\th1:oldsum=',
  '=>\texample.com/new\tv1.1.0\th1:newsum=',
  'dep\texample.com/local\tv0.0.0',
  '=>\t../local\t\t',
  'build\t-compiler=gc',
  'build\t-ldflags="-s -w -X main.v=1"',
  'build\t"key with space"=`raw\tvalue`',
  'build\tCGO_ENABLED=0',
  'build\tGOOS=linux',
  '',
].join('\n');

function uvarint(n) {
  const out = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/**
 * The blob placed at virtual address `base`: the 32-byte header, then inline strings, or string headers and their
 * data (pointer format).
 */
function blob({ ptrSize, big, inline, version, modinfo, base }) {
  const header = Buffer.alloc(32);
  Buffer.from('\xff Go buildinf:', 'latin1').copy(header);
  header[14] = ptrSize;
  header[15] = (big ? 1 : 0) | (inline ? 2 : 0);
  const mod = modinfo === null ? Buffer.alloc(0) : Buffer.concat([INFO_START, Buffer.from(modinfo), INFO_END]);
  const ver = Buffer.from(version);
  // Zeros after the blob, as a linker's next variables: Go 1.19 cannot read a module info that ends its data.
  const tail = Buffer.alloc(16);
  if (inline) return Buffer.concat([header, uvarint(ver.length), ver, uvarint(mod.length), mod, tail]);
  const word = (buffer, at, value) => {
    if (ptrSize === 8) big ? buffer.writeBigUInt64BE(BigInt(value), at) : buffer.writeBigUInt64LE(BigInt(value), at);
    else big ? buffer.writeUInt32BE(value, at) : buffer.writeUInt32LE(value, at);
  };
  const headers = Buffer.alloc(4 * ptrSize);
  const versionData = base + 32 + 4 * ptrSize;
  const modData = versionData + ver.length;
  word(header, 16, base + 32);
  word(header, 16 + ptrSize, base + 32 + 2 * ptrSize);
  word(headers, 0, versionData);
  word(headers, ptrSize, ver.length);
  word(headers, 2 * ptrSize, modData);
  word(headers, 3 * ptrSize, mod.length);
  return Buffer.concat([header, headers, ver, mod, tail]);
}

const pad = (buffer, size) => Buffer.concat([buffer, Buffer.alloc(Math.max(0, size - buffer.length))]);

function elf({ bits, big, sections, ...rest }) {
  const is64 = bits === 64;
  const ehsize = is64 ? 64 : 52;
  const phsize = is64 ? 56 : 32;
  const shsize = is64 ? 64 : 40;
  const dataOff = 0x100;
  const vaddr = 0x500000 + dataOff;
  const data = blob({ ...rest, big, ptrSize: is64 ? 8 : 4, base: vaddr });
  const names = Buffer.from('\0.shstrtab\0.go.buildinfo\0');
  const namesOff = dataOff + data.length;
  const shoff = (namesOff + names.length + 15) & ~15;
  const file = Buffer.alloc(sections ? shoff + 3 * shsize : namesOff);
  const u16 = (v, at) => (big ? file.writeUInt16BE(v, at) : file.writeUInt16LE(v, at));
  const u32 = (v, at) => (big ? file.writeUInt32BE(v, at) : file.writeUInt32LE(v, at));
  const word = (v, at) => (is64 ? (big ? file.writeBigUInt64BE(BigInt(v), at) : file.writeBigUInt64LE(BigInt(v), at)) : u32(v, at));
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, big ? 2 : 1, 1]).copy(file);
  u16(2, 16); // ET_EXEC
  u16(is64 ? (big ? 43 : 62) : big ? 8 : 3, 18); // sparcv9, x86-64, mips, i386
  u32(1, 20);
  const [phoffAt, shoffAt, sizesAt] = is64 ? [32, 40, 52] : [28, 32, 40];
  word(ehsize, phoffAt);
  if (sections) word(shoff, shoffAt);
  u16(ehsize, sizesAt);
  u16(phsize, sizesAt + 2);
  u16(1, sizesAt + 4);
  u16(shsize, sizesAt + 6);
  u16(sections ? 3 : 0, sizesAt + 8);
  u16(sections ? 1 : 0, sizesAt + 10);
  const ph = ehsize;
  u32(1, ph); // PT_LOAD
  if (is64) {
    u32(6, ph + 4); // PF_R | PF_W
    word(dataOff, ph + 8);
    word(vaddr, ph + 16);
    word(vaddr, ph + 24);
    word(data.length, ph + 32);
    word(data.length, ph + 40);
  } else {
    u32(dataOff, ph + 4);
    u32(vaddr, ph + 8);
    u32(vaddr, ph + 12);
    u32(data.length, ph + 16);
    u32(data.length, ph + 20);
    u32(6, ph + 24);
  }
  data.copy(file, dataOff);
  if (sections) {
    names.copy(file, namesOff);
    const section = (index, name, type, flags, addr, offset, size) => {
      const at = shoff + index * shsize;
      u32(name, at);
      u32(type, at + 4);
      if (is64) {
        word(flags, at + 8);
        word(addr, at + 16);
        word(offset, at + 24);
        word(size, at + 32);
      } else {
        u32(flags, at + 8);
        u32(addr, at + 12);
        u32(offset, at + 16);
        u32(size, at + 20);
      }
    };
    section(1, 1, 3, 0, 0, namesOff, names.length);
    section(2, 11, 1, 3, vaddr, dataOff, data.length);
  }
  return file;
}

function pe({ bits, ...rest }) {
  const is64 = bits === 64;
  const imageBase = is64 ? 0x140000000 : 0x400000;
  const optSize = is64 ? 240 : 224;
  const dataOff = 0x400;
  const data = blob({ ...rest, big: false, ptrSize: is64 ? 8 : 4, base: imageBase + 0x1000 });
  const file = Buffer.alloc(dataOff + ((data.length + 511) & ~511));
  file.write('MZ', 0, 'latin1');
  file.writeUInt32LE(0x40, 0x3c);
  file.write('PE\0\0', 0x40, 'latin1');
  file.writeUInt16LE(is64 ? 0x8664 : 0x14c, 0x44);
  file.writeUInt16LE(1, 0x46);
  file.writeUInt16LE(optSize, 0x54);
  file.writeUInt16LE(is64 ? 0x22 : 0x102, 0x56);
  const opt = 0x58;
  file.writeUInt16LE(is64 ? 0x20b : 0x10b, opt);
  if (is64) file.writeBigUInt64LE(BigInt(imageBase), opt + 24);
  else file.writeUInt32LE(imageBase, opt + 28);
  file.writeUInt32LE(0x1000, opt + 32); // SectionAlignment
  file.writeUInt32LE(0x200, opt + 36); // FileAlignment
  file.writeUInt32LE(0x2000, opt + 56); // SizeOfImage
  file.writeUInt32LE(0x400, opt + 60); // SizeOfHeaders
  file.writeUInt16LE(3, opt + 68); // console subsystem
  file.writeUInt32LE(16, opt + (is64 ? 108 : 92)); // NumberOfRvaAndSizes
  const sect = opt + optSize;
  file.write('.data', sect, 'latin1');
  file.writeUInt32LE(data.length, sect + 8);
  file.writeUInt32LE(0x1000, sect + 12);
  file.writeUInt32LE(file.length - dataOff, sect + 16);
  file.writeUInt32LE(dataOff, sect + 20);
  file.writeUInt32LE(0xc0000040, sect + 36);
  data.copy(file, dataOff);
  return file;
}

function macho({ bits, big, named = true, ...rest }) {
  const is64 = bits === 64;
  const headerSize = is64 ? 32 : 28;
  const cmdSize = is64 ? 72 + 80 : 56 + 68;
  const dataOff = 0x200;
  const vmaddr = is64 ? 0x100004000 : 0x4000;
  const data = blob({ ...rest, big, ptrSize: is64 ? 8 : 4, base: vmaddr });
  const file = Buffer.alloc(dataOff + data.length);
  const u32 = (v, at) => (big ? file.writeUInt32BE(v, at) : file.writeUInt32LE(v, at));
  const word = (v, at) => (is64 ? (big ? file.writeBigUInt64BE(BigInt(v), at) : file.writeBigUInt64LE(BigInt(v), at)) : u32(v, at));
  u32(is64 ? 0xfeedfacf : 0xfeedface, 0);
  u32(is64 ? (big ? 0x01000012 : 0x01000007) : big ? 18 : 7, 4); // ppc64, x86_64, ppc, i386
  u32(3, 8);
  u32(2, 12); // MH_EXECUTE
  u32(1, 16);
  u32(cmdSize, 20);
  const at = headerSize;
  u32(is64 ? 0x19 : 0x1, at);
  u32(cmdSize, at + 4);
  file.write('__DATA', at + 8, 'latin1');
  const w = is64 ? 8 : 4;
  word(vmaddr, at + 24);
  word(data.length, at + 24 + w);
  word(dataOff, at + 24 + 2 * w);
  word(data.length, at + 24 + 3 * w);
  const after = at + 24 + 4 * w;
  u32(3, after); // maxprot rw-
  u32(3, after + 4); // initprot rw-
  u32(1, after + 8); // nsects
  const sect = after + 16;
  file.write(named ? '__go_buildinfo' : '__data', sect, 'latin1');
  file.write('__DATA', sect + 16, 'latin1');
  word(vmaddr, sect + 32);
  word(data.length, sect + 32 + w);
  u32(dataOff, sect + 32 + 2 * w);
  u32(4, sect + 36 + 2 * w); // align 2^4
  data.copy(file, dataOff);
  return file;
}

/**
 * An executable of `format` ('elf' | 'pe' | 'macho') with a Go build info blob. Options: `bits` (32 | 64), `big`
 * (ELF, Mach-O), `inline` (default true), `version` ('go1.21.5'), `modinfo` (the text inside the sentinels, or
 * null for none), `sections` (ELF: section headers with .go.buildinfo, default true).
 */
export function buildGoExe({ format, bits = 64, big = false, inline = true, version = 'go1.21.5', modinfo = MODINFO, sections = true }) {
  const options = { bits, big, inline, version, modinfo, sections };
  const bytes = format === 'elf' ? elf(options) : format === 'pe' ? pe(options) : macho(options);
  return pad(bytes, 64);
}

/** Every combination the builder makes: `{ name, bytes, expect }`. */
export function goExeVariants() {
  const out = [];
  for (const format of ['elf', 'pe', 'macho']) {
    for (const bits of [32, 64]) {
      for (const big of format === 'pe' ? [false] : [false, true]) {
        for (const inline of [true, false]) {
          const name = `${format}-${bits}${big ? 'be' : 'le'}-${inline ? 'inline' : 'pointers'}`;
          out.push({
            name,
            bytes: buildGoExe({ format, bits, big, inline }),
            expect: { format, ptrSize: bits / 8, bigEndian: big, inlineStrings: inline },
          });
        }
      }
    }
  }
  out.push({ name: 'elf-64le-nosections', bytes: buildGoExe({ format: 'elf', sections: false }), expect: { format: 'elf' } });
  out.push({ name: 'elf-64le-nomodinfo', bytes: buildGoExe({ format: 'elf', modinfo: null }), expect: { path: null, deps: [] } });
  return out;
}
