import type { Analyzer } from './analyzer.js';
import { apkAnalyzer } from './os/apk.js';
import { dpkgAnalyzer } from './os/dpkg.js';
import { osReleaseAnalyzer } from './os/os-release.js';
import { rpmAnalyzer } from './os/rpm/analyzer.js';
import { gradleLockfileAnalyzer, javaArchiveAnalyzer, mavenPomAnalyzer } from './lang/java/index.js';
import { dotnetDepsAnalyzer, nugetLockAnalyzer, nugetPackagesConfigAnalyzer, nugetProjectAnalyzer } from './lang/dotnet/index.js';
import { gemfileLockAnalyzer, gemspecAnalyzer } from './lang/ruby/index.js';
import { composerInstalledAnalyzer, composerLockAnalyzer } from './lang/php/index.js';
import { NPM_ANALYZERS } from './lang/npm/index.js';
import { PYTHON_ANALYZERS } from './lang/python/index.js';
import { goBinaryAnalyzer, goModAnalyzer } from './lang/go/index.js';
import { cargoAuditableAnalyzer, cargoLockAnalyzer } from './lang/rust/index.js';

export { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult, type CatalogErrorCode, type DistroHint, type FileInfo } from './analyzer.js';
export { dpkgQueryName } from './os/dpkg.js';
export { mergeDistroHints } from './os/os-release.js';

/** The one place analyzers are registered; the scan runs all of them on every layer. */
export const ALL_ANALYZERS: readonly Analyzer[] = [
  osReleaseAnalyzer, dpkgAnalyzer, apkAnalyzer, rpmAnalyzer,
  javaArchiveAnalyzer, mavenPomAnalyzer, gradleLockfileAnalyzer,
  dotnetDepsAnalyzer, nugetLockAnalyzer, nugetPackagesConfigAnalyzer, nugetProjectAnalyzer,
  gemspecAnalyzer, gemfileLockAnalyzer,
  composerInstalledAnalyzer, composerLockAnalyzer,
  ...NPM_ANALYZERS,
  ...PYTHON_ANALYZERS,
  goBinaryAnalyzer, goModAnalyzer, cargoLockAnalyzer, cargoAuditableAnalyzer,
];
