#!/usr/bin/env node
// Regenerates src/versions/testdata/maven-comparable-version.txt: version pairs answered by Maven's
// own ComparableVersion (through MavenCompare.java). Run by hand, from the repository root:
//   node scripts/vectors/maven-vectors.mjs [maven-partial.tsv] [maven-artifact.jar]
// The TSV lists Maven Central artifacts with the versions served (third column; words in brackets
// are notes). Output is deterministic for the same inputs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const corpus = process.argv[2] ?? '/work/.library/env/packages/maven-partial.tsv';
const jar = realpathSync(process.argv[3] ?? '/usr/share/maven/lib/maven-artifact-3.x.jar');
const out = 'src/versions/testdata/maven-comparable-version.txt';
const REAL_PAIRS = 2000;

// Deterministic PRNG (mulberry32) so reruns give the same sample.
let seed = 0x5eed;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (list) => list[Math.floor(random() * list.length)];

// Versions the classic Maven ordering rules are about, plus edge cases of the tokenizer.
const SYNTHETIC = [
  '1', '1.0', '1.0.0', '1-0', '1.0-0', '1.0.0.0.0', '1-SNAPSHOT', '1.0-SNAPSHOT', '1.0-snapshot',
  '1.0-alpha1', '1.0-a1', '1.0a1', '1.0-alpha-1', '1.0-ALPHA1', '1.0-alpha', '1.0-a', '1.0-beta', '1.0-b2',
  '1.0-milestone-1', '2.0.0.M1', '2.0.0-M1', '2.0.0.m1', '2.0.0-m', '1.0-rc-1', '1.0-RC1', '1.0RC1', '1.0.RC1',
  '1.0-cr1', '1.0-CR-1', '1.0.0.Final', '1.0-final', '1.0.0.GA', '1.0-ga', '1.0.RELEASE', '1.0-release',
  '1.0-sp', '1.0-sp1', '1.0-SP-1', '1.0.sp1', '1.0-foo', '1.0-bar', '1.0.foo1', '1.0-foo2', '1.0-xyz',
  '1.0-1', '1.0.1', '1.0-2', '1-1-1', '1.0.0-1', '01.002.0003', '1.2.3', '1.0.00', '007', '7', '0', '0.0',
  '0-0', '1.2147483647', '1.2147483648', '1.999999999', '1.1000000000', '1.9999999999',
  '1.999999999999999999', '1.1000000000000000000', '1.99999999999999999999999', '1.123456789012345678',
  '1.1234567890123456789', '1.9007199254740993', '1.9007199254740992', '1.0000000000.1', '1.00000000000000000000.1',
  '1.0-jre', '1.0-android', '33.0.0-jre', '33.0.0-android', '1..2', '1.-2', '.1', '-1', '1-', '1.', 'a', 'A',
  'alpha', '1.0alpha', '1alpha1', '1.0.0-alpha.beta', '1.0.0-alpha.1', '1.0.0-x.7.z.92', 'v1.0', 'v1.0.1',
  '1.0_1', '1.0+build', '1.0-20231201.123456-1', '1.0-SNAPSHOT-1', '2.0.0-beta-SNAPSHOT', '1.0.0.RC1-SNAPSHOT',
  '1.0.0-RC1-SNAPSHOT', '1.0-sp-SNAPSHOT', '1.0-final-1', '1.0-ga-1', '1-1.foo-bar1baz-.1', '2.0-1-SNAPSHOT',
  '1.\u0662', '1.\uff10', '1.\uff12', '1.\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0661',
  '1.\u0130', '1.0-\u00c4LPHA', '1.0-\u00e4lpha', '1.0-\u0131', '1.0-\u03c3', '1.0.m1\u00e9', '1.0-\u00df',
];
const CORE = SYNTHETIC.slice(0, 70); // all pairs among these; the rest against a sample

function realVersions() {
  const rows = [];
  for (const line of readFileSync(corpus, 'utf8').split('\n').slice(1)) {
    const served = (line.split('\t')[2] ?? '').replace(/\([^)]*\)/g, ' ');
    const versions = served.split(/\s+/).filter((v) => /^v?\d/.test(v));
    if (versions.length > 0) rows.push(versions);
  }
  return rows;
}

function pairs() {
  const out = { synthetic: [], mixed: [], real: [] };
  for (let i = 0; i < CORE.length; i++) for (let j = i + 1; j < CORE.length; j++) out.synthetic.push([CORE[i], CORE[j]]);
  const rows = realVersions();
  const all = rows.flat();
  for (const v of SYNTHETIC.slice(CORE.length)) {
    for (let k = 0; k < 8; k++) out.mixed.push([v, pick(SYNTHETIC)], [v, pick(all)]);
  }
  const seen = new Set();
  while (out.real.length < REAL_PAIRS) {
    const row = pick(rows);
    // Mostly versions of one artifact (neighbours matter most), some across artifacts.
    const pair = random() < 0.8 ? [pick(row), pick(row)] : [pick(row), pick(all)];
    const key = pair.join('\t');
    if (pair[0] === pair[1] || seen.has(key)) continue;
    seen.add(key);
    out.real.push(pair);
  }
  return out;
}

function answers(list) {
  const dir = mkdtempSync(join(tmpdir(), 'maven-vectors-'));
  try {
    execFileSync('javac', ['-d', dir, '-cp', jar, 'scripts/vectors/MavenCompare.java']);
    const input = list.map((p) => p.join('\t')).join('\n') + '\n';
    const run = spawnSync('java', ['-cp', `${dir}:${jar}`, 'MavenCompare'], { input, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (run.status !== 0) throw new Error(`MavenCompare failed: ${run.stderr}`);
    return run.stdout.trim().split('\n').map(Number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const version = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const pom = version('unzip', ['-p', jar, 'META-INF/maven/org.apache.maven/maven-artifact/pom.properties']);
const artifactVersion = /version=(.*)/.exec(pom)?.[1];
const java = spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr.split('\n')[0];
const groups = pairs();
const flat = [...groups.synthetic, ...groups.mixed, ...groups.real];
const results = answers(flat);
const op = { '-1': '<', 0: '=', 1: '>' };
const lines = [
  `# Maven version comparisons answered by org.apache.maven:maven-artifact ${artifactVersion} ComparableVersion`,
  `# (Debian 12 package maven, ${jar}; ${java}),`,
  '# generated by scripts/vectors/maven-vectors.mjs with scripts/vectors/MavenCompare.java. Do not edit by hand.',
  '# Real versions: sampled from the versions Maven Central served for ~2,000 artifacts (2026-11-25).',
];
let index = 0;
for (const [name, list] of Object.entries(groups)) {
  lines.push('', `# ${name} pairs (${list.length})`);
  for (const [a, b] of list) lines.push(`${a} ${op[results[index++]]} ${b}`);
}
writeFileSync(out, lines.join('\n') + '\n');
process.stderr.write(`wrote ${flat.length} pairs to ${out}\n`);
