export { composerInstalledAnalyzer, parseInstalledJson } from './installed-json.js';
export { composerLockAnalyzer, parseComposerLock } from './composer-lock.js';
