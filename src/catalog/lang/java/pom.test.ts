import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogError } from '../../analyzer.js';
import { mavenPomAnalyzer, parsePomFile } from './pom.js';

const fixture = (scenario: string): Buffer => readFileSync(fileURLToPath(new URL(`../testdata/java/pom/${scenario}/pom.xml`, import.meta.url)));
const parse = (scenario: string, path = '/src/app/pom.xml') => parsePomFile({ path, content: fixture(scenario) });
const malformed = (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE';

describe('maven-pom analyzer', () => {
  it('reads the declared dependencies of a real pom, test scope as dev (syft example app)', () => {
    const result = parse('syft-example-app');
    assert.equal(result.issues, undefined);
    assert.deepEqual(result.packages, [
      { type: 'maven', namespace: 'joda-time', name: 'joda-time', version: '2.9.2', location: '/src/app/pom.xml', foundBy: 'maven-pom',
        properties: { 'stella:evidence': 'declared', 'stella:project': '', 'stella:dev': 'false', 'stella:scope': 'compile' } },
      { type: 'maven', namespace: 'junit', name: 'junit', version: '4.12', location: '/src/app/pom.xml', foundBy: 'maven-pom',
        properties: { 'stella:evidence': 'declared', 'stella:project': '', 'stella:dev': 'true', 'stella:scope': 'test' } },
    ]);
  });

  it('resolves ${properties} of Apache Commons Text 1.10.0; the parent-managed junit-jupiter is an issue', () => {
    const result = parse('commons-text-1.10.0');
    assert.deepEqual(result.packages?.map((p) => `${p.namespace}:${p.name}:${p.version}:${p.properties?.['stella:dev']}`), [
      'org.apache.commons:commons-lang3:3.12.0:false',
      'org.assertj:assertj-core:3.23.1:true',
      'commons-io:commons-io:2.11.0:true',
      'org.mockito:mockito-inline:4.8.0:true',
      'org.graalvm.js:js:22.0.0.2:true',
      'org.graalvm.js:js-scriptengine:22.0.0.2:true',
      'org.apache.commons:commons-rng-simple:1.4:true',
      'org.openjdk.jmh:jmh-core:1.35:true',
      'org.openjdk.jmh:jmh-generator-annprocess:1.35:true',
    ]);
    assert.equal(result.issues?.length, 1);
    assert.match(result.issues?.[0]?.message ?? '', /org\.junit\.jupiter:junit-jupiter: no version here \(managed by a parent pom or BOM, which are not followed\)/);
  });

  it('resolves nested properties, project coordinates and dependencyManagement; reports what it cannot', () => {
    const result = parse('managed-and-nested-properties');
    assert.deepEqual(result.packages?.map((p) => `${p.namespace}:${p.name}:${p.version}:${p.properties?.['stella:scope']}:${p.properties?.['stella:dev']}:${p.properties?.['stella:optional'] ?? '-'}`), [
      'com.fasterxml.jackson.core:jackson-core:2.14.1:compile:false:-',
      'io.netty:netty-handler:4.1.94.Final:compile:false:-',
      'org.example:example-api:2.4.0:compile:false:-',
      'javax.servlet:javax.servlet-api:4.0.1:provided:true:-',
      'org.slf4j:slf4j-simple:1.7.32:runtime:false:true',
    ]);
    const messages = (result.issues ?? []).map((i) => i.message);
    assert.equal(messages.length, 4);
    assert.match(messages[0] ?? '', /from-parent: version \$\{parent\.only\.version\}: property \$\{parent\.only\.version\} is not defined/);
    assert.match(messages[1] ?? '', /cyclic: version \$\{cycle\.a\}/);
    assert.match(messages[2] ?? '', /ranged: version range \[1\.0,2\.0\)/);
    assert.match(messages[3] ?? '', /from-bom: no version here/);
    assert.ok((result.issues ?? []).every((i) => i.code === 'UNRESOLVED_DEPENDENCY' && i.path === '/src/app/pom.xml'));
  });

  it('rejects malformed XML and any DOCTYPE (no entity expansion)', () => {
    assert.throws(() => parse('malformed'), malformed);
    assert.throws(() => parse('doctype'), malformed);
    assert.throws(() => parsePomFile({ path: '/pom.xml', content: Buffer.from('<settings/>') }), /no <project> root/);
  });

  it('wants pom.xml files, not poms embedded under META-INF/maven', () => {
    assert.ok(mavenPomAnalyzer.wants('/src/app/pom.xml'));
    assert.ok(mavenPomAnalyzer.wants('pom.xml'));
    assert.ok(!mavenPomAnalyzer.wants('/app/META-INF/maven/org.a/a/pom.xml'));
    assert.ok(!mavenPomAnalyzer.wants('/src/app/mypom.xml'));
    assert.ok(!mavenPomAnalyzer.wants('/usr/share/maven-repo/org/a/a/1.0/a-1.0.pom'));
  });
});
