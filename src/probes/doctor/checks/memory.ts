// mem-as, mem-data and mem-cgroup: the limits a Go runtime meets before it runs any of the tool's code.
import type { RlimitsInfo } from '../../limits/rlimits.js';
import { GO_HEAP_MARGIN, goMemoryFloor } from '../../go/memory-floors.js';
import { answer, whyNot, type Outcome } from '../drive.js';
import type { Facts } from '../facts.js';
import type { DoctorCheck, DoctorCheckId, DoctorFact, DoctorFix, DoctorStatus } from '../types.js';
import { bytesText, fact, signaturesFor, skipped, verdict, worse } from '../verdict.js';

/** Below this much room under a cgroup limit, gopls on a real module is killed (user reports: 3–6 GB on large repos). */
export const CGROUP_WARNING_BYTES = 2n << 30n;

interface Runtime {
  name: string;
  version: string | null;
  source: string;
}

/** The Go runtimes that will meet the limit: the subject's own when it is a Go program, else every Go tool found. */
function runtimes(facts: Facts): Runtime[] {
  const built = facts.tools.filter((t) => t.buildInfo.ok);
  const subject = built.filter((t) => t.foundBy === 'subject');
  const chosen = subject.length > 0 ? subject : built;
  const out: Runtime[] = [];
  for (const tool of chosen) {
    if (!tool.buildInfo.ok || out.some((r) => r.name === tool.name)) continue;
    out.push({ name: tool.name, version: tool.buildInfo.value.goVersion, source: `readGoBuildInfo(${tool.path})` });
  }
  return out.length > 0 ? out : [{ name: 'a Go program', version: null, source: 'no Go binary found: the highest measured floor is used' }];
}

interface Holder {
  who: string;
  limits: Outcome<RlimitsInfo>;
}

function holders(facts: Facts): Holder[] {
  const out: Holder[] = [
    {
      who:
        facts.tool === null ? 'this process (and what its shell starts)' : `${facts.subject.name ?? 'the process'} (pid ${facts.tool.pid})`,
      limits: facts.rlimits,
    },
  ];
  if (facts.parentRlimits !== null && facts.parent !== null) {
    const node = answer(facts.parent.node);
    out.push({
      who: `its parent ${node?.comm ?? ''} (pid ${facts.parent.pid}), which starts it again`.replace('  ', ' '),
      limits: facts.parentRlimits,
    });
  }
  return out;
}

function rlimitCheck(facts: Facts, id: 'mem-as' | 'mem-data'): DoctorCheck {
  const resource = id === 'mem-as' ? 'as' : 'data';
  const words = id === 'mem-as' ? 'RLIMIT_AS (ulimit -v)' : 'RLIMIT_DATA (ulimit -d)';
  const floors = runtimes(facts).map((runtime) => {
    const measured = goMemoryFloor(runtime.version, runtime.version === null ? undefined : runtime.name);
    return { runtime, floor: id === 'mem-as' ? measured.addressSpace : measured.data, basis: measured.basis };
  });
  const facts_: DoctorFact[] = floors.flatMap(({ runtime, floor, basis }) => [
    fact(`${runtime.name}: Go runtime`, runtime.version, runtime.source),
    fact(`${runtime.name}: ${resource} floor`, bytesText(floor), basis),
  ]);
  facts_.push(fact('heap margin', bytesText(GO_HEAP_MARGIN), 'measured: gopls on a real package (docs/doctor.md)'));
  const signatures = signaturesFor(facts, id);
  let status: DoctorStatus = 'skipped';
  const notes: string[] = [];
  const unread: string[] = [];
  for (const holder of holders(facts)) {
    if (!holder.limits.ok) {
      unread.push(`${holder.who}: ${whyNot(holder.limits)}`);
      continue;
    }
    const limit = holder.limits.value.limits[resource];
    const soft = limit.soft;
    facts_.push(
      fact(
        `${resource} soft limit of ${holder.who}`,
        soft === null ? null : soft === 'unlimited' ? 'unlimited' : bytesText(soft),
        `${holder.limits.value.source}${holder.limits.value.self ? '' : ` of pid ${holder.limits.value.pid}`}`,
      ),
    );
    status = worse(status, 'ok');
    if (soft === null || soft === 'unlimited' || !limit.enforced) continue;
    const below = floors.filter((f) => soft < f.floor);
    const tight = floors.filter((f) => soft >= f.floor && soft < f.floor + GO_HEAP_MARGIN);
    if (below.length > 0) {
      status = 'error';
      const who = below
        .map((f) => `${f.runtime.name}${f.runtime.version ? ` (${f.runtime.version})` : ''} needs ${bytesText(f.floor)}`)
        .join(', ');
      notes.push(
        id === 'mem-as'
          ? `${words} of ${holder.who} is ${bytesText(soft)}, below what the Go runtime reserves before it allocates (${who}): it dies at start ("failed to reserve page summary memory", "pageAlloc: out of memory")`
          : `${words} of ${holder.who} is ${bytesText(soft)}, below what the Go runtime needs at start (${who}): "out of memory allocating heap arena map"`,
      );
    } else if (tight.length > 0) {
      status = worse(status, 'warning');
      const f = tight[0]!;
      notes.push(
        `${words} of ${holder.who} is ${bytesText(soft)}: ${f.runtime.name} starts, but has ${bytesText(soft - f.floor)} over its ${bytesText(f.floor)} floor, less than the ${bytesText(GO_HEAP_MARGIN)} gopls needed on a real package ("fatal error: out of memory")`,
      );
    }
  }
  if (status === 'skipped') return skipped(id, `the limits could not be read: ${unread.join('; ')}`, facts_);
  if (signatures.length > 0 && status === 'ok') {
    status = 'warning';
    notes.push(
      `the log shows a death from this limit (line ${signatures[0]!.lineNumber}: "${signatures[0]!.line.trim()}"), but the processes checked now are not limited: check the process that started the one that died (sysprobe doctor --pid <editor or shell pid>)`,
    );
  }
  const fix: DoctorFix[] =
    status === 'ok'
      ? []
      : id === 'mem-as'
        ? [
            {
              text: 'Remove the address-space limit where it is set: `ulimit -v` in a shell profile, LimitAS= in a systemd unit, `as` in /etc/security/limits.conf.',
              command: 'ulimit -v unlimited',
            },
            {
              text: "To cap memory, limit what is used instead: a cgroup (systemd-run --user -p MemoryMax=…), or GOMEMLIMIT in the tool's environment.",
              setting: 'go.toolsEnvVars',
              value: { GOMEMLIMIT: '2GiB' },
            },
          ]
        : [
            {
              text: 'Raise the data limit (`ulimit -d`), or remove it; RLIMIT_DATA counts every private writable mapping, the Go heap included.',
              command: 'ulimit -d unlimited',
            },
          ];
  const message =
    notes.length > 0
      ? `${notes.join('; ')}.`
      : `${words} leaves room for ${floors.map((f) => `${f.runtime.name}${f.runtime.version ? ` (${f.runtime.version}, ${bytesText(f.floor)})` : ''}`).join(', ')} and a heap.`;
  return {
    ...verdict(id, status, message, {
      facts: facts_,
      fix,
      refs: ['golang/go#38010', 'golang/proposal:design/35112-scaling-the-page-allocator.md'],
    }),
    ...(signatures.length > 0 ? { signatures } : {}),
  };
}

export const checkMemAs = (facts: Facts): DoctorCheck => rlimitCheck(facts, 'mem-as');
export const checkMemData = (facts: Facts): DoctorCheck => rlimitCheck(facts, 'mem-data');

export function checkMemCgroup(facts: Facts): DoctorCheck {
  const id: DoctorCheckId = 'mem-cgroup';
  if (!facts.cgroup.ok) return skipped(id, `the cgroup could not be read: ${whyNot(facts.cgroup)}`);
  const cgroup = facts.cgroup.value;
  if (cgroup.version === null) return skipped(id, 'no cgroup memory controller holds this process');
  const { max, from, high, highFrom } = cgroup.effective;
  const nearest = cgroup.levels[0];
  const current = nearest?.current ?? null;
  const kills = cgroup.levels.reduce((n, level) => n + (level.events?.oom_kill ?? level.events?.failcnt ?? 0n), 0n);
  const facts_: DoctorFact[] = [
    fact('cgroup', nearest?.path ?? null, `/proc/${cgroup.pid}/cgroup (v${cgroup.version})`),
    fact('memory limit', max === 'max' ? 'max' : bytesText(max), from ?? 'no level sets one'),
    fact('memory.high', high === 'max' ? 'max' : bytesText(high), highFrom ?? 'no level sets one'),
    fact('memory in use', current === null ? null : bytesText(current), nearest?.dir ?? 'unknown'),
    fact('OOM kills / limit hits', kills.toString(), cgroup.version === 2 ? 'memory.events oom_kill' : 'memory.failcnt'),
  ];
  const signatures = signaturesFor(facts, id);
  const fix: DoctorFix[] = [
    {
      text: "Raise the limit of the cgroup the editor runs in (MemoryMax= of its systemd unit or scope, the container's memory limit), or run it outside it.",
    },
    {
      text: 'Keep gopls under it instead: GOMEMLIMIT a little below the limit makes the Go runtime collect harder before the kernel kills it.',
      setting: 'go.toolsEnvVars',
      value: { GOMEMLIMIT: max === 'max' ? '2GiB' : `${Math.max(64, Math.floor((Number(max) * 0.9) / 2 ** 20))}MiB` },
    },
  ];
  const refs = ['golang/vscode-go#2007', 'golang/vscode-go#3179'];
  const sig =
    signatures.length === 0
      ? ''
      : `; the log shows "${signatures[0]!.line.trim()}" (line ${signatures[0]!.lineNumber}), what a process killed by the OOM killer reports`;
  if (max !== 'max') {
    const room = current === null ? max : max - current;
    if (room < 64n << 20n || (cgroup.version === 1 && kills > 0n && max < CGROUP_WARNING_BYTES)) {
      return {
        ...verdict(
          id,
          'error',
          `The cgroup ${from} limits memory to ${bytesText(max)}${current === null ? '' : ` with ${bytesText(current)} in use`}: a Go tool that grows past it is killed ("signal: killed")${kills > 0n ? `; it has already hit the limit ${kills} times` : ''}${sig}.`,
          { facts: facts_, fix, refs },
        ),
        ...(signatures.length > 0 ? { signatures } : {}),
      };
    }
    if (max < CGROUP_WARNING_BYTES || kills > 0n) {
      return {
        ...verdict(
          id,
          'warning',
          `The cgroup ${from} limits memory to ${bytesText(max)}; gopls on a large module needs more (3–6 GB reported) and is killed at the limit${kills > 0n ? `; the limit has been hit ${kills} times` : ''}${sig}.`,
          { facts: facts_, fix, refs },
        ),
        ...(signatures.length > 0 ? { signatures } : {}),
      };
    }
  }
  if (signatures.length > 0)
    return {
      ...verdict(id, 'warning', `No cgroup limit is tight now${sig}: check the process that was killed.`, { facts: facts_, fix, refs }),
      signatures,
    };
  return verdict(
    id,
    'ok',
    max === 'max' ? 'No cgroup memory limit applies.' : `The cgroup limit ${bytesText(max)} leaves room for gopls.`,
    { facts: facts_, refs },
  );
}
