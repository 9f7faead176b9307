import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { CatalogError } from '../../analyzer.js';
import { analyzeJavaArchive, isJavaArchivePath, JAVA_ARCHIVE_LIMITS, javaArchiveAnalyzer } from './archive.js';
import { buildZip, patchCentralEntry } from './testing.js';

const fixture = (scenario: string, file: string): string =>
  readFileSync(fileURLToPath(new URL(`../testdata/java/jar/${scenario}/${file}`, import.meta.url)), 'utf8');

const LANG3 = {
  'META-INF/MANIFEST.MF': fixture('commons-lang3-3.12.0', 'MANIFEST.MF'),
  'META-INF/maven/org.apache.commons/commons-lang3/pom.properties': fixture('commons-lang3-3.12.0', 'pom.properties'),
  'org/apache/commons/lang3/StringUtils.class': 'not really bytecode',
};
const GUAVA = {
  'META-INF/MANIFEST.MF': fixture('guava-31.1-jre', 'MANIFEST.MF'),
  'META-INF/maven/com.google.guava/guava/pom.properties': fixture('guava-31.1-jre', 'pom.properties'),
};

const analyze = (path: string, content: Buffer, limits = JAVA_ARCHIVE_LIMITS) => analyzeJavaArchive({ path, content }, limits);
const coords = (result: ReturnType<typeof analyze>) => (result.packages ?? []).map((p) => `${p.namespace}:${p.name}:${p.version} @ ${p.location}`);
const gavOf = (p: { namespace?: string; name: string; version: string }) => `${p.namespace}:${p.name}:${p.version}`;
const INSTALLED = { 'stella:evidence': 'installed', 'stella:project': '' };

describe('java-archive identity', () => {
  it('reads a real pom.properties (Debian commons-lang3)', () => {
    const result = analyze('/usr/share/java/commons-lang3.jar', buildZip(LANG3));
    assert.equal(result.issues, undefined);
    assert.deepEqual(result.packages, [{
      type: 'maven', namespace: 'org.apache.commons', name: 'commons-lang3', version: '3.12.0', location: '/usr/share/java/commons-lang3.jar',
      foundBy: 'java-archive', properties: { ...INSTALLED, 'stella:identified-by': 'pom.properties' },
    }]);
  });

  it('takes the licence from the manifest Bundle-License URL (Debian guava)', () => {
    const [guava] = analyze('/usr/share/java/guava.jar', buildZip(GUAVA)).packages ?? [];
    assert.equal(guava?.version, '31.1-jre');
    assert.deepEqual(guava?.licenses, ['Apache-2.0']);
  });

  it('reports every pom.properties of a shaded jar, with licences from each embedded pom.xml', () => {
    const shaded = buildZip({
      ...LANG3,
      'META-INF/maven/com.google.guava/guava/pom.properties': GUAVA['META-INF/maven/com.google.guava/guava/pom.properties'],
      'META-INF/maven/com.google.guava/guava/pom.xml': '<project><licenses><license><name>The Apache Software License, Version 2.0</name></license></licenses></project>',
      'META-INF/maven/org.example/odd/pom.properties': 'groupId=org.example\nartifactId=odd\n',
    });
    const result = analyze('/app/shaded.jar', shaded);
    assert.deepEqual(coords(result), ['com.google.guava:guava:31.1-jre @ /app/shaded.jar', 'org.apache.commons:commons-lang3:3.12.0 @ /app/shaded.jar']);
    assert.deepEqual(result.packages?.[0]?.licenses, ['Apache-2.0']);
    assert.equal(result.packages?.[1]?.licenses, undefined);
    assert.match(result.issues?.[0]?.message ?? '', /org\.example\/odd\/pom\.properties: no version/);
  });

  it('adds the manifest\'s artifact when only shaded dependencies carry pom.properties (Debian guice.jar holds cglib\'s)', () => {
    const guice = buildZip({
      'META-INF/MANIFEST.MF': fixture('guice-no-aop-4.2.3', 'MANIFEST.MF'),
      'META-INF/maven/cglib/cglib/pom.properties': 'groupId=cglib\nartifactId=cglib\nversion=3.2.12\n',
    });
    const result = analyze('/usr/share/java/guice.jar', guice);
    assert.deepEqual(result.packages?.map((p) => [gavOf(p), p.licenses, p.properties?.['stella:identified-by']]), [
      ['cglib:cglib:3.2.12', undefined, 'pom.properties'],
      ['com.google.inject:com.google.inject:4.2.3', ['Apache-2.0'], 'manifest'],
    ]);
  });

  it('falls back to the manifest: Bundle-SymbolicName/Bundle-Version, group guessed (Debian atinject)', () => {
    const result = analyze('/usr/share/java/atinject-jsr330-api-1.0.jar', buildZip({ 'META-INF/MANIFEST.MF': fixture('atinject-jsr330-api-1.0', 'MANIFEST.MF') }));
    assert.deepEqual(result.packages?.map((p) => [p.namespace, p.name, p.version, p.properties?.['stella:identified-by'], p.properties?.['stella:confidence']]),
      [['javax.inject', 'javax.inject', '1.0.0', 'manifest', 'low']]);
  });

  it('uses Implementation-Title/Version and Implementation-Vendor-Id, medium confidence', () => {
    const manifest = 'Manifest-Version: 1.0\r\nImplementation-Title: jetty-util\r\nImplementation-Version: 9.4.51.v2023021\r\n 7\r\nImplementation-Vendor-Id: org.eclipse.jetty\r\nBundle-SymbolicName: org.eclipse.jetty.util;singleton:=true\r\n\r\nName: other/\r\nImplementation-Version: 0\r\n';
    const [p] = analyze('/opt/jetty-util.jar', buildZip({ 'META-INF/MANIFEST.MF': manifest })).packages ?? [];
    assert.deepEqual([p?.namespace, p?.name, p?.version, p?.properties?.['stella:confidence']], ['org.eclipse.jetty', 'jetty-util', '9.4.51.v20230217', 'medium']);
  });

  it('prefers Bundle-SymbolicName over a spaced Implementation-Title, and takes Bundle-License', () => {
    const manifest = 'Implementation-Title: Apache Commons Lang\nImplementation-Version: 3.12.0\nBundle-SymbolicName: org.apache.commons.lang3\nBundle-License: https://www.apache.org/licenses/LICENSE-2.0.txt\n';
    const [p] = analyze('/x.jar', buildZip({ 'META-INF/MANIFEST.MF': manifest })).packages ?? [];
    assert.deepEqual([p?.name, p?.version, p?.licenses], ['org.apache.commons.lang3', '3.12.0', ['Apache-2.0']]);
  });

  it('falls back to the file name with low confidence (Debian aopalliance: Ant manifest only)', () => {
    const result = analyze('/usr/share/java/aopalliance-1.0.jar', buildZip({ 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\nAnt-Version: Apache Ant 1.10.12\n' }));
    assert.deepEqual(result.packages, [{
      type: 'maven', namespace: 'aopalliance', name: 'aopalliance', version: '1.0', location: '/usr/share/java/aopalliance-1.0.jar', foundBy: 'java-archive',
      properties: { ...INSTALLED, 'stella:identified-by': 'filename', 'stella:confidence': 'low' },
    }]);
  });

  it('reports nothing for an archive without any identity', () => {
    assert.deepEqual(analyze('/app/app.jar', buildZip({ 'META-INF/MANIFEST.MF': 'Main-Class: App\n' })), { packages: [] });
  });
});

describe('java-archive nesting', () => {
  const lib = (g: string, a: string, v: string) => buildZip({ [`META-INF/maven/${g}/${a}/pom.properties`]: `groupId=${g}\nartifactId=${a}\nversion=${v}\n` });

  it('reads WEB-INF/lib jars of a war and jars nested in those, with !/ locations', () => {
    const war = buildZip({
      'META-INF/maven/org.example/shop/pom.properties': 'groupId=org.example\nartifactId=shop\nversion=1.0\n',
      'WEB-INF/lib/a-1.0.jar': lib('org.a', 'a', '1.0'),
      'WEB-INF/lib/fat.jar': buildZip({ 'lib/b.jar': lib('org.b', 'b', '2.0') }, 0),
      'WEB-INF/web.xml': '<web-app/>',
    });
    const result = analyze('/srv/shop.war', war);
    assert.equal(result.issues, undefined);
    assert.deepEqual(coords(result), [
      'org.example:shop:1.0 @ /srv/shop.war',
      'org.a:a:1.0 @ /srv/shop.war!/WEB-INF/lib/a-1.0.jar',
      'org.b:b:2.0 @ /srv/shop.war!/WEB-INF/lib/fat.jar!/lib/b.jar',
    ]);
  });

  it('stops at the depth bound with an issue, keeping what it read', () => {
    let archive = lib('org.deep', 'd6', '6');
    for (let depth = 5; depth >= 1; depth--) archive = buildZip({ [`META-INF/maven/org.deep/d${depth}/pom.properties`]: `version=${depth}\n`, 'lib/inner.jar': archive });
    const result = analyze('/deep.jar', buildZip({ 'lib/inner.jar': archive }));
    assert.deepEqual(result.packages?.map((p) => p.name), ['d1', 'd2', 'd3', 'd4']);
    assert.deepEqual(result.issues?.map((i) => i.code), ['ARCHIVE_TOO_DEEP']);
    assert.equal(result.issues?.[0]?.path, '/deep.jar');
  });

  it('turns a zip bomb into an issue: total inflated bytes are bounded', () => {
    const zeros = new Uint8Array(8 * 2 ** 20);
    const bomb = Buffer.from(zipSync({ 'lib/a.jar': zeros, 'lib/b.jar': zeros, 'lib/c.jar': zeros }, { level: 9 }));
    assert.ok(bomb.length < 200_000);
    const result = analyze('/bomb.jar', bomb, { ...JAVA_ARCHIVE_LIMITS, maxTotalBytes: 20 * 2 ** 20 });
    assert.deepEqual(result.issues?.map((i) => i.code), ['MALFORMED_ARCHIVE', 'MALFORMED_ARCHIVE', 'ARCHIVE_TOO_LARGE']);
  });

  it('never inflates more than a nested entry declares (lying header) nor an oversized entry', () => {
    const inner = lib('org.a', 'a', '1.0');
    const outer = buildZip({ 'lib/a.jar': inner, 'lib/huge.jar': inner });
    const lying = patchCentralEntry(patchCentralEntry(outer, 'lib/a.jar', 'size', 10), 'lib/huge.jar', 'size', 0xfffffff0);
    const result = analyze('/lying.jar', lying);
    assert.deepEqual(result.packages, []);
    assert.deepEqual(result.issues?.map((i) => i.code), ['MALFORMED_ARCHIVE', 'ARCHIVE_TOO_LARGE']);
  });

  it('skips an entry with an unsupported compression method and a nested non-zip, keeping the rest', () => {
    const war = patchCentralEntry(buildZip({ 'WEB-INF/lib/x.jar': lib('org.x', 'x', '1'), 'WEB-INF/lib/y.jar': 'not a zip', 'WEB-INF/lib/z.jar': lib('org.z', 'z', '3') }), 'WEB-INF/lib/x.jar', 'method', 12);
    const result = analyze('/w.war', war);
    assert.deepEqual(result.packages?.map((p) => p.name), ['z']);
    assert.deepEqual(result.issues?.map((i) => i.code), ['ENTRY_SKIPPED', 'MALFORMED_ARCHIVE']);
  });

  it('rejects an outer file that is not a zip', () => {
    assert.throws(() => analyze('/broken.jar', Buffer.from('PK but not really')), (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE');
  });
});

describe('java-archive wants()', () => {
  it('wants the five archive extensions in any case, nothing else', () => {
    for (const p of ['/a.jar', '/a.JAR', '/x/b.war', '/c.Ear', '/plugins/d.jpi', '/e.hpi']) assert.ok(isJavaArchivePath(p), p);
    for (const p of ['/a.jarx', '/a.zip', '/jar', '/a.ja', '/a_jar', '/a.j ar']) assert.ok(!isJavaArchivePath(p), p);
    assert.ok(javaArchiveAnalyzer.wants('/usr/share/java/guava.jar'));
    assert.equal(javaArchiveAnalyzer.maxFileSize, 512 * 2 ** 20);
  });
});
