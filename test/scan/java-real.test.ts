/*
 * Java analyzers on real inputs and through the scan.
 * - Jars of Debian's Java packages (.ci/run installs them; /usr/share/java): the catalog must equal
 *   their pom.properties as `unzip -p` prints them, and each g/a/v must exist in /usr/share/maven-repo.
 * - A war and an ear/fat jar built here from those real jars: the same packages, nested locations.
 * - End to end through scanImage: layers and whiteouts, jars next to a lock file, a dir: source tree.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { ALL_ANALYZERS } from '../../src/catalog/index.js';
import { javaArchiveAnalyzer } from '../../src/catalog/lang/java/archive.js';
import { gradleLockfileAnalyzer } from '../../src/catalog/lang/java/gradle-lockfile.js';
import { mavenPomAnalyzer } from '../../src/catalog/lang/java/pom.js';
import { buildZip } from '../../src/catalog/lang/java/testing.js';
import type { Package } from '../../src/inventory/index.js';
import { scanImage } from '../../src/scan/index.js';
import { writeOciLayout } from '../support/image-builder.js';
import { missingPrerequisite, requireTool } from '../support/tools.js';

const JAVA_ANALYZERS = [javaArchiveAnalyzer, gradleLockfileAnalyzer, mavenPomAnalyzer];
const analyzers = [...ALL_ANALYZERS.filter((a) => !JAVA_ANALYZERS.some((j) => j.name === a.name)), ...JAVA_ANALYZERS];

/** Regular files (not the versioned symlinks) of the Debian packages .ci/run installs. */
const DEBIAN_JARS = ['commons-lang3.jar', 'commons-io.jar', 'guava.jar', 'jackson-core.jar', 'slf4j-api.jar', 'slf4j-simple.jar', 'jcl-over-slf4j.jar'];
const JAVA_DIR = '/usr/share/java';

function debianJars(t: TestContext): string[] | undefined {
  if (!requireTool(t, 'unzip', ['-v'])) return undefined;
  const missing = DEBIAN_JARS.filter((j) => !existsSync(join(JAVA_DIR, j)) || lstatSync(join(JAVA_DIR, j)).isSymbolicLink());
  if (missing.length === 0) return DEBIAN_JARS.map((j) => join(JAVA_DIR, j));
  const message = `Debian Java jars missing (${missing.join(', ')}): apt-get install libcommons-lang3-java libcommons-io-java libguava-java libjackson2-core-java libslf4j-java`;
  missingPrerequisite(t, message);
  return undefined;
}

/** What unzip says: every META-INF/maven/<g>/<a>/pom.properties of the jar as g:a:v. */
function truthOf(jar: string): string[] {
  const entries = execFileSync('unzip', ['-Z1', jar], { encoding: 'utf8' }).split('\n').filter((e) => /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(e));
  return entries.map((entry) => {
    const text = execFileSync('unzip', ['-p', jar, entry], { encoding: 'utf8' });
    const value = (key: string) => new RegExp(`^${key}\\s*[=:]\\s*(.*?)\\s*$`, 'm').exec(text)?.[1] ?? '';
    return `${value('groupId')}:${value('artifactId')}:${value('version')}`;
  }).sort();
}

const gav = (p: { namespace?: string; name: string; version: string }) => `${p.namespace}:${p.name}:${p.version}`;
const analyzeFile = (path: string, content: Buffer) => javaArchiveAnalyzer.analyze({ path, content });

describe('java-archive on Debian jars (truth: their pom.properties via unzip)', () => {
  it('reports exactly each jar\'s pom.properties, found in /usr/share/maven-repo', (t) => {
    const jars = debianJars(t);
    if (jars === undefined) return;
    for (const jar of jars) {
      const result = analyzeFile(jar, readFileSync(jar));
      const truth = truthOf(jar);
      assert.ok(truth.length > 0, `${jar} carries pom.properties`);
      assert.deepEqual((result.packages ?? []).map(gav).sort(), truth, jar);
      assert.equal(result.issues, undefined, jar);
      for (const p of result.packages ?? []) {
        assert.equal(p.location, jar);
        assert.equal(p.properties?.['stella:identified-by'], 'pom.properties');
        const repoDir = join('/usr/share/maven-repo', ...(p.namespace ?? '').split('.'), p.name, p.version);
        assert.ok(existsSync(repoDir), `${repoDir} exists for ${gav(p)}`);
      }
    }
  });

  it('reads the same jars inside a war and a fat jar inside an ear, with nested locations', (t) => {
    const jars = debianJars(t);
    if (jars === undefined) return;
    const libs = Object.fromEntries(jars.map((j) => [j.slice(JAVA_DIR.length + 1), new Uint8Array(readFileSync(j))]));
    const war = buildZip({ 'WEB-INF/web.xml': '<web-app/>', ...Object.fromEntries(Object.entries(libs).map(([n, b]) => [`WEB-INF/lib/${n}`, b])) });
    const fat = buildZip({ 'META-INF/MANIFEST.MF': 'Main-Class: org.springframework.boot.loader.JarLauncher\n', ...Object.fromEntries(Object.entries(libs).map(([n, b]) => [`BOOT-INF/lib/${n}`, b])) }, 0);
    const ear = buildZip({ 'shop.war': war, 'lib/boot.jar': fat });
    const result = analyzeFile('/srv/app.ear', ear);
    assert.equal(result.issues, undefined);
    const expected = jars.flatMap((j) => {
      const name = j.slice(JAVA_DIR.length + 1);
      return truthOf(j).flatMap((g) => [`${g} @ /srv/app.ear!/lib/boot.jar!/BOOT-INF/lib/${name}`, `${g} @ /srv/app.ear!/shop.war!/WEB-INF/lib/${name}`]);
    }).sort();
    assert.deepEqual((result.packages ?? []).map((p) => `${gav(p)} @ ${p.location}`).sort(), expected);
  });
});

const LANG3_PROPS = 'groupId=org.apache.commons\nartifactId=commons-lang3\nversion=3.12.0\n';
const lib = (g: string, a: string, v: string) => buildZip({ [`META-INF/maven/${g}/${a}/pom.properties`]: `groupId=${g}\nartifactId=${a}\nversion=${v}\n` });
const LOCK = '# Gradle lock\njoda-time:joda-time:2.2=compileClasspath,runtimeClasspath\njunit:junit:4.12=testCompileClasspath,testRuntimeClasspath\n';

describe('java analyzers through scanImage', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stella-java-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const find = (packages: readonly Package[], name: string) => packages.filter((p) => p.type === 'maven' && p.name === name);

  it('reports nested war packages with their layer, and nothing a later whiteout deleted', async () => {
    const oci = join(dir, 'layers');
    await writeOciLayout(oci, [{
      layers: [
        { entries: [
          { path: 'usr/share/java/commons-lang3.jar', content: buildZip({ 'META-INF/maven/org.apache.commons/commons-lang3/pom.properties': LANG3_PROPS }) },
          { path: 'opt/app/shop.war', content: buildZip({ 'WEB-INF/lib/joda-time-2.2.jar': lib('joda-time', 'joda-time', '2.2'), 'WEB-INF/lib/gone.jar': lib('org.gone', 'gone', '1') }) },
        ] },
        { entries: [{ path: 'usr/share/java/.wh.commons-lang3.jar', content: '' }] },
      ],
    }]);
    const inventory = await scanImage(`oci-dir:${oci}`, { cache: false, analyzers });
    const diffIds = inventory.image?.layers.map((l) => l.diffId) ?? [];
    assert.deepEqual(find(inventory.packages, 'commons-lang3'), []);
    const [joda] = find(inventory.packages, 'joda-time');
    assert.equal(joda?.purl, 'pkg:maven/joda-time/joda-time@2.2');
    assert.equal(joda?.location, '/opt/app/shop.war!/WEB-INF/lib/joda-time-2.2.jar');
    assert.equal(joda?.layer, diffIds[0]);
    assert.equal(joda?.properties?.['stella:evidence'], 'installed');
  });

  it('a lock file only enriches the jars; a jar deleted by a later layer is not reported from the lock', async () => {
    // Java projects are image-wide: jars are found through class paths, not the lock's directory.
    const base = [
      { path: 'app/lib/joda-time-2.2.jar', content: lib('joda-time', 'joda-time', '2.2') },
      { path: 'app/gradle.lockfile', content: LOCK },
    ];
    const both = join(dir, 'jar-and-lock');
    const deleted = join(dir, 'jar-deleted');
    await writeOciLayout(both, [{ layers: [{ entries: base }] }]);
    await writeOciLayout(deleted, [{ layers: [{ entries: base }, { entries: [{ path: 'app/lib/.wh.joda-time-2.2.jar', content: '' }] }] }]);
    const rows = async (oci: string) => find((await scanImage(`oci-dir:${oci}`, { cache: false, analyzers })).packages, 'joda-time')
      .map((p) => [p.properties?.['stella:evidence'], p.properties?.['stella:project'], p.location]);
    assert.deepEqual(await rows(both), [['installed', '', '/app/lib/joda-time-2.2.jar']]);
    assert.deepEqual(await rows(deleted), []);
  });

  it('reports a dir: source tree\'s pom.xml and gradle.lockfile as declared, dev flags kept', async () => {
    const root = join(dir, 'src-tree');
    mkdirSync(join(root, 'service'), { recursive: true });
    // The Gradle wrapper a source tree carries is a build tool: it must not hide the lock's packages.
    mkdirSync(join(root, 'gradle', 'wrapper'), { recursive: true });
    writeFileSync(join(root, 'gradle', 'wrapper', 'gradle-wrapper.jar'), lib('org.gradle', 'gradle-wrapper', '8.5'));
    writeFileSync(join(root, 'gradle.lockfile'), LOCK);
    writeFileSync(join(root, 'service', 'pom.xml'), '<project><groupId>org.x</groupId><artifactId>svc</artifactId><version>1</version><dependencies>'
      + '<dependency><groupId>com.google.guava</groupId><artifactId>guava</artifactId><version>31.1-jre</version></dependency>'
      + '<dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.13.2</version><scope>test</scope></dependency></dependencies></project>');
    const inventory = await scanImage(`dir:${root}`, { cache: false, analyzers });
    const maven = inventory.packages.filter((p) => p.type === 'maven');
    assert.deepEqual(maven.map((p) => [p.purl, p.properties?.['stella:evidence'], p.properties?.['stella:project'], p.properties?.['stella:dev']]), [
      ['pkg:maven/com.google.guava/guava@31.1-jre', 'declared', '', 'false'],
      ['pkg:maven/joda-time/joda-time@2.2', 'declared', '', 'false'],
      ['pkg:maven/junit/junit@4.12', 'declared', '', 'true'],
      ['pkg:maven/junit/junit@4.13.2', 'declared', '', 'true'],
      ['pkg:maven/org.gradle/gradle-wrapper@8.5', 'installed', '', undefined],
    ]);
  });
});
