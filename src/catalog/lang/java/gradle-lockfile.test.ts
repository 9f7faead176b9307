import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogError } from '../../analyzer.js';
import { gradleLockfileAnalyzer, isDevOnly, parseGradleLockfile } from './gradle-lockfile.js';

const fixture = (scenario: string): Buffer => readFileSync(fileURLToPath(new URL(`../testdata/java/gradle/${scenario}/gradle.lockfile`, import.meta.url)));
const parse = (content: Buffer | string, path = '/src/app/gradle.lockfile') =>
  parseGradleLockfile({ path, content: typeof content === 'string' ? Buffer.from(content) : content });

describe('gradle-lockfile analyzer', () => {
  it('reads a real lock file: test-only configurations are dev (syft example app)', () => {
    const result = parse(fixture('syft-example-app'));
    assert.equal(result.issues, undefined);
    assert.deepEqual(result.packages?.[0], {
      type: 'maven', namespace: 'joda-time', name: 'joda-time', version: '2.2', location: '/src/app/gradle.lockfile', foundBy: 'gradle-lockfile',
      properties: { 'stella:evidence': 'declared', 'stella:project': '', 'stella:dev': 'false', 'stella:configurations': 'compileClasspath,runtimeClasspath,testCompileClasspath,testRuntimeClasspath' },
    });
    assert.deepEqual(result.packages?.map((p) => [p.name, p.version, p.properties?.['stella:dev']]), [
      ['joda-time', '2.2', 'false'], ['junit', '4.12', 'true'], ['hamcrest-core', '1.3', 'true'],
    ]);
  });

  it('counts only non-test compile/runtime classpaths as shipped; tool configurations are dev', () => {
    const result = parse(fixture('tool-configurations'));
    assert.deepEqual(result.packages?.map((p) => [p.name, p.properties?.['stella:dev']]), [
      ['jsr305', 'false'], ['guava', 'true'], ['okhttp', 'false'], ['org.jacoco.agent', 'true'], ['junit-jupiter-api', 'true'], ['mockito-core', 'true'],
    ]);
    assert.equal(isDevOnly(['debugRuntimeClasspath']), false);
    assert.equal(isDevOnly(['androidTestRuntimeClasspath', 'testFixturesCompileClasspath']), true);
  });

  it('skips a malformed line with an issue and keeps the rest', () => {
    const result = parse(fixture('malformed'));
    assert.deepEqual(result.packages?.map((p) => p.name), ['joda-time', 'junit']);
    assert.deepEqual(result.issues?.map((i) => [i.code, /line (\d+)/.exec(i.message)?.[1]]), [['MALFORMED_RECORD', '3'], ['MALFORMED_RECORD', '4']]);
  });

  it('rejects a file that is not a lock file; reads a lock file with no dependency as none', () => {
    assert.throws(() => parse('<html>hello</html>\n'), (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE');
    assert.deepEqual(parse('# comment\nempty=compileClasspath\n').packages, []);
    assert.deepEqual(parse(fixture('syft-example-app').toString().replace(/\n/g, '\r\n')).packages, parse(fixture('syft-example-app')).packages);
  });

  it('wants gradle.lockfile only', () => {
    assert.ok(gradleLockfileAnalyzer.wants('/src/app/gradle.lockfile'));
    assert.ok(!gradleLockfileAnalyzer.wants('/src/app/buildscript-gradle.lockfile'));
    assert.ok(!gradleLockfileAnalyzer.wants('/src/app/gradle.lockfile.bak'));
  });
});
