export { dotnetDepsAnalyzer, parseDepsJson } from './deps-json.js';
export { nugetLockAnalyzer, parsePackagesLock } from './packages-lock.js';
export { nugetPackagesConfigAnalyzer, parsePackagesConfig } from './packages-config.js';
export { nugetProjectAnalyzer, parseProjectFile } from './project-file.js';
