import type { Analyzer } from '../../analyzer.js';
import { npmInstalledAnalyzer } from './installed.js';
import { npmPackageLockAnalyzer } from './package-lock.js';
import { pnpmLockAnalyzer } from './pnpm-lock.js';
import { yarnLockAnalyzer } from './yarn-lock.js';

export { npmInstalledAnalyzer, npmPackageLockAnalyzer, pnpmLockAnalyzer, yarnLockAnalyzer };
export { normalizeNpmLicense } from './common.js';

/** The npm ecosystem's analyzers: installed node_modules, then the lock files that enrich them. */
export const NPM_ANALYZERS: readonly Analyzer[] = [npmInstalledAnalyzer, npmPackageLockAnalyzer, yarnLockAnalyzer, pnpmLockAnalyzer];
