export { goBuildSetting, readGoBuildInfo, readGoBuildInfoSync } from './buildinfo.js';
export type { GoBuildInfo, GoBuildSetting, GoModule } from './buildinfo.js';
export { parseGoVersion } from './version.js';
export type { GoVersion } from './version.js';
