import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';

/*
 * Gradle's dependency lock file (Gradle ≥ 6.8, one per project): `group:artifact:version=conf1,conf2`
 * per line, `#` comments, and `empty=…` naming configurations that resolve nothing. The project
 * is the lock file's directory.
 */

const FOUND_BY = 'gradle-lockfile';

/** Resolvable classpaths whose contents ship: compileClasspath, runtimeClasspath, releaseRuntimeClasspath… */
const isShippedClasspath = (conf: string): boolean => /(^|[a-z0-9])(compileClasspath|runtimeClasspath|CompileClasspath|RuntimeClasspath)$/.test(conf);
/** testCompileClasspath, integrationTestRuntimeClasspath, testFixturesRuntimeClasspath, androidTest… */
const isTestConfiguration = (conf: string): boolean => /(^test|Test)([A-Z]|$)/.test(conf);

/**
 * Development-only unless some configuration is a non-test compile or runtime classpath: tests,
 * and tool configurations (checkstyle, jacocoAnt, annotationProcessor…) do not ship.
 */
export function isDevOnly(configurations: readonly string[]): boolean {
  return !configurations.some((c) => isShippedClasspath(c) && !isTestConfiguration(c));
}

function parseLine(line: string, path: string): PackageDraft | string | undefined {
  if (line === '' || line.startsWith('#')) return undefined;
  const eq = line.indexOf('=');
  const coords = eq < 0 ? line : line.slice(0, eq);
  if (coords === 'empty') return undefined;
  const configurations = eq < 0 ? [] : line.slice(eq + 1).split(',').map((c) => c.trim()).filter((c) => c !== '');
  const parts = coords.split(':');
  if (parts.length !== 3 || parts.some((p) => p.trim() === '' || /\s/.test(p))) return `expected group:artifact:version=configurations, got ${JSON.stringify(line.slice(0, 80))}`;
  const [group = '', artifact = '', version = ''] = parts;
  // Java projects are image-wide, like the jars: a lock's entries only enrich jars that are really there.
  const properties: Record<string, string> = { 'stella:evidence': 'declared', 'stella:project': '' };
  if (configurations.length > 0) {
    properties['stella:dev'] = isDevOnly(configurations) ? 'true' : 'false';
    properties['stella:configurations'] = configurations.join(',');
  }
  return { type: 'maven', namespace: group, name: artifact, version, location: path, foundBy: FOUND_BY, properties };
}

export function parseGradleLockfile(file: AnalyzerFile): AnalyzerResult {
  const text = file.content.toString('utf8');
  if (text.includes('\u0000')) throw new CatalogError('MALFORMED_FILE', `${file.path} is binary, not a Gradle lock file`);
  const packages: PackageDraft[] = [];
  const issues: ScanIssue[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const outcome = parseLine(raw.trim(), file.path);
    if (typeof outcome === 'string') issues.push({ code: 'MALFORMED_RECORD', message: `${file.path} line ${i + 1}: ${outcome}; skipped`, path: file.path });
    else if (outcome !== undefined) packages.push(outcome);
  });
  if (packages.length === 0 && issues.length > 0) throw new CatalogError('MALFORMED_FILE', `${file.path} has no readable dependency line: not a Gradle lock file`);
  return issues.length > 0 ? { packages, issues } : { packages };
}

export const gradleLockfileAnalyzer: Analyzer = {
  name: FOUND_BY,
  version: 1,
  maxFileSize: 16 * 2 ** 20,
  wants: (path: string): boolean => path === 'gradle.lockfile' || path.endsWith('/gradle.lockfile'),
  analyze: parseGradleLockfile,
};
