// A leaf: the doctor's check ids, imported by the types and by the crash signatures alike.
/** The check ids are part of the contract: scripts and editor extensions match on them. */
export const DOCTOR_CHECK_IDS = [
  'go-env-path',
  'go-env-goroot',
  'go-env-file',
  'go-bin-version',
  'mem-as',
  'mem-data',
  'mem-cgroup',
  'fs-reparse',
  'libc-compat',
  'vscode-server',
  'go-settings',
  'go-cache',
] as const;
export type DoctorCheckId = (typeof DOCTOR_CHECK_IDS)[number];
