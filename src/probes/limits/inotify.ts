// The inotify limits and this user's current use of them (Linux).
import { binding } from '../../backends/loader.js';
import type { RawInotify } from '../../backends/binding.js';

/** One process of this user that holds inotify instances. */
export interface InotifyProcessUse {
  pid: number;
  comm: string;
  /** inotify file descriptors it has open. */
  fds: number;
  /** Instances first seen in this process (an instance shared by several fds or processes counts once). */
  instances: number;
  /** Watches of those instances. */
  watches: number;
}

export interface InotifyInfo {
  /** `/proc/sys/fs/inotify/max_user_watches` (the initial user namespace's limit). */
  maxUserWatches: number | null;
  /** `/proc/sys/fs/inotify/max_user_instances`. */
  maxUserInstances: number | null;
  /** `/proc/sys/fs/inotify/max_queued_events` (per instance). */
  maxQueuedEvents: number | null;
  /** `/proc/sys/user/max_inotify_{watches,instances}`: the caller's user namespace (`null` before Linux 4.9). */
  userNamespace: { maxUserWatches: number | null; maxUserInstances: number | null } | null;
  /** The namespace's values differ from the initial namespace's (each level's limit applies). */
  userNamespaceDiffers: boolean;
  /** The tighter of the two levels: what runs out first. */
  effective: { maxUserWatches: number | null; maxUserInstances: number | null };
  /** Current use by this effective uid, counted from the `/proc/*\/fdinfo` entries the caller may read. */
  usage: {
    uid: number;
    instances: number;
    watches: number;
    /** inotify file descriptors (≥ instances: dup'd and inherited fds share an instance). */
    fds: number;
    /** `'kcmp'`: shared instances told apart with kcmp(2); `'none'`: each fd counted as an instance. */
    dedup: 'kcmp' | 'none';
    processesScanned: number;
    /** Processes of this uid whose fds could not be read (the counts are then a lower bound). */
    processesUnreadable: number;
    processes: InotifyProcessUse[];
  };
  notes: string[];
}

function minKnown(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function shapeInotify(raw: RawInotify): InotifyInfo {
  const hasNs = raw.nsMaxWatches !== null || raw.nsMaxInstances !== null;
  const userNamespace = hasNs ? { maxUserWatches: raw.nsMaxWatches, maxUserInstances: raw.nsMaxInstances } : null;
  const differs = hasNs && (raw.nsMaxWatches !== raw.maxUserWatches || raw.nsMaxInstances !== raw.maxUserInstances);
  const effective = {
    maxUserWatches: minKnown(raw.maxUserWatches, raw.nsMaxWatches),
    maxUserInstances: minKnown(raw.maxUserInstances, raw.nsMaxInstances),
  };
  const notes: string[] = [];
  if (effective.maxUserWatches !== null && raw.watches >= effective.maxUserWatches * 0.9) {
    notes.push(
      `${raw.watches} of ${effective.maxUserWatches} inotify watches are in use: new watches fail with ENOSPC ` +
        "(VS Code: 'Unable to watch for file changes'); raise fs.inotify.max_user_watches.",
    );
  }
  if (effective.maxUserInstances !== null && raw.instances >= effective.maxUserInstances * 0.9) {
    notes.push(
      `${raw.instances} of ${effective.maxUserInstances} inotify instances are in use: inotify_init fails with EMFILE; ` +
        'raise fs.inotify.max_user_instances.',
    );
  }
  if (raw.processesUnreadable > 0) {
    notes.push(`${raw.processesUnreadable} processes of uid ${raw.uid} could not be read: the use counted is a lower bound.`);
  }
  return {
    maxUserWatches: raw.maxUserWatches,
    maxUserInstances: raw.maxUserInstances,
    maxQueuedEvents: raw.maxQueuedEvents,
    userNamespace,
    userNamespaceDiffers: differs,
    effective,
    usage: {
      uid: raw.uid,
      instances: raw.instances,
      watches: raw.watches,
      fds: raw.fds,
      dedup: raw.dedup ? 'kcmp' : 'none',
      processesScanned: raw.processesScanned,
      processesUnreadable: raw.processesUnreadable,
      processes: raw.processes,
    },
    notes,
  };
}

/** The inotify limits and this user's current use (Linux; `ENOTSUP` elsewhere). */
export function probeInotifySync(): InotifyInfo {
  return shapeInotify(binding().inotifySync());
}

/** As {@link probeInotifySync}, on the libuv thread pool. */
export async function probeInotify(): Promise<InotifyInfo> {
  return shapeInotify(await binding().inotify());
}
