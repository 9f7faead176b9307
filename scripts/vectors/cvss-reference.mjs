#!/usr/bin/env node
// Generates src/cvss/testdata/cvss{2,30,31,40}-reference.tsv: seeded random-but-valid CVSS vectors
// scored by the official reference calculators, which are NOT part of this repository. Point the
// flags at local copies (see each data file's header for the exact origin and commit used):
//
//   node scripts/vectors/cvss-reference.mjs \
//     --first30 /tmp/ref/cvsscalc30.js --first31 /tmp/ref/cvsscalc31.js \
//     --cvss40 /tmp/ref/cvss40.js --redhat-cvss /tmp/ref/redhat-cvss \
//     --origin30 '...' --origin31 '...' --origin40 '...' --origin-redhat '...' \
//     --out src/cvss/testdata
//
// v3.0/v3.1: FIRST's cvsscalc30.js / cvsscalc31.js. v4.0: FIRST/Red Hat cvss40.js (the calculator
// behind first.org/cvss/calculator/4.0, with the 2024-11-01 rounding fix). v2: Red Hat's `cvss`
// Python library (exact Decimal arithmetic, the v2 guide's formulas), run with /usr/bin/python3.
// The Red Hat library also cross-checks every v3.x and v4.0 line; disagreements abort the run.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import vm from 'node:vm';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
for (const key of ['first30', 'first31', 'cvss40', 'redhat-cvss', 'out']) {
  if (!args[key]) throw new Error(`missing --${key}`);
}

// mulberry32: tiny seeded PRNG so the data files are reproducible.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (rnd, list) => list[Math.floor(rnd() * list.length)];

function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Loads a browser-style reference script into a fresh context and returns the named globals. */
function loadScript(path, names) {
  const context = vm.createContext({ console: { error() {}, log() {}, warn() {} }, window: {} });
  const exportLine = `;globalThis.__exports = { ${names.join(', ')} };`;
  vm.runInContext(readFileSync(path, 'utf8') + exportLine, context, { filename: path });
  return context.__exports;
}

// ---- metric tables (independent of src/cvss, on purpose) ----
const V2 = {
  base: { AV: ['L', 'A', 'N'], AC: ['H', 'M', 'L'], Au: ['M', 'S', 'N'], C: ['N', 'P', 'C'], I: ['N', 'P', 'C'], A: ['N', 'P', 'C'] },
  temporal: { E: ['U', 'POC', 'F', 'H', 'ND'], RL: ['OF', 'TF', 'W', 'U', 'ND'], RC: ['UC', 'UR', 'C', 'ND'] },
  environmental: { CDP: ['N', 'L', 'LM', 'MH', 'H', 'ND'], TD: ['N', 'L', 'M', 'H', 'ND'], CR: ['L', 'M', 'H', 'ND'], IR: ['L', 'M', 'H', 'ND'], AR: ['L', 'M', 'H', 'ND'] },
};
const V3 = {
  base: { AV: ['N', 'A', 'L', 'P'], AC: ['L', 'H'], PR: ['N', 'L', 'H'], UI: ['N', 'R'], S: ['U', 'C'], C: ['H', 'L', 'N'], I: ['H', 'L', 'N'], A: ['H', 'L', 'N'] },
  temporal: { E: ['X', 'H', 'F', 'P', 'U'], RL: ['X', 'U', 'W', 'T', 'O'], RC: ['X', 'C', 'R', 'U'] },
  environmental: {
    CR: ['X', 'H', 'M', 'L'], IR: ['X', 'H', 'M', 'L'], AR: ['X', 'H', 'M', 'L'],
    MAV: ['X', 'N', 'A', 'L', 'P'], MAC: ['X', 'L', 'H'], MPR: ['X', 'N', 'L', 'H'], MUI: ['X', 'N', 'R'],
    MS: ['X', 'U', 'C'], MC: ['X', 'H', 'L', 'N'], MI: ['X', 'H', 'L', 'N'], MA: ['X', 'H', 'L', 'N'],
  },
};
const V4 = {
  base: { AV: ['N', 'A', 'L', 'P'], AC: ['L', 'H'], AT: ['N', 'P'], PR: ['N', 'L', 'H'], UI: ['N', 'P', 'A'], VC: ['H', 'L', 'N'], VI: ['H', 'L', 'N'], VA: ['H', 'L', 'N'], SC: ['H', 'L', 'N'], SI: ['H', 'L', 'N'], SA: ['H', 'L', 'N'] },
  threat: { E: ['X', 'A', 'P', 'U'] },
  environmental: {
    CR: ['X', 'H', 'M', 'L'], IR: ['X', 'H', 'M', 'L'], AR: ['X', 'H', 'M', 'L'],
    MAV: ['X', 'N', 'A', 'L', 'P'], MAC: ['X', 'L', 'H'], MAT: ['X', 'N', 'P'], MPR: ['X', 'N', 'L', 'H'], MUI: ['X', 'N', 'P', 'A'],
    MVC: ['X', 'H', 'L', 'N'], MVI: ['X', 'H', 'L', 'N'], MVA: ['X', 'H', 'L', 'N'], MSC: ['X', 'H', 'L', 'N'], MSI: ['X', 'S', 'H', 'L', 'N'], MSA: ['X', 'S', 'H', 'L', 'N'],
  },
  supplemental: { S: ['X', 'N', 'P'], AU: ['X', 'N', 'Y'], R: ['X', 'A', 'U', 'I'], V: ['X', 'D', 'C'], RE: ['X', 'L', 'M', 'H'], U: ['X', 'Clear', 'Green', 'Amber', 'Red'] },
};
const NOT_DEFINED = new Set(['X', 'ND']);

/** Every combination of the base metrics, in spec order. */
function allBase(table) {
  let parts = [[]];
  for (const [metric, values] of Object.entries(table)) {
    parts = parts.flatMap((prefix) => values.map((value) => [...prefix, `${metric}:${value}`]));
  }
  return parts;
}

/** Random optional group: absent, or each metric present with probability `density`. */
function randomGroup(rnd, table, absentProbability, density) {
  if (rnd() < absentProbability) return [];
  const dense = rnd() < 0.5 ? 1 : density;
  return Object.entries(table).filter(() => rnd() < dense).map(([m, values]) => `${m}:${pick(rnd, values)}`);
}

function shuffle(rnd, list) {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

const hasDefined = (parts, table) => parts.some((p) => { const [m, v] = p.split(':'); return m in table && !NOT_DEFINED.has(v); });
const upper = (severity) => severity.toUpperCase();
const nvdV2Severity = (score) => (score < 4 ? 'LOW' : score < 7 ? 'MEDIUM' : 'HIGH');

function python(script, lines) {
  const run = spawnSync('/usr/bin/python3', ['-c', script], {
    input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28,
    env: { ...process.env, PYTHONPATH: args['redhat-cvss'] },
  });
  if (run.status !== 0) throw new Error(`python failed: ${run.stderr}`);
  return run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
}

function writeTsv(name, header, rows) {
  const text = header.map((h) => `# ${h}`.trimEnd()).join('\n') + '\n' + rows.map(([v, e]) => `${v}\t${JSON.stringify(e)}`).join('\n') + '\n';
  writeFileSync(join(args.out, name), text);
  process.stderr.write(`${name}: ${rows.length} vectors\n`);
}

const commonHeader = (extra) => [
  ...extra,
  'Generated by scripts/vectors/cvss-reference.mjs (seeded PRNG; rerun with the same reference files for identical output).',
  'Columns: vector<TAB>expected JSON (our scoreVector() output without the `vector` field).',
  'Do not edit by hand.',
];

// ---------------- v2 ----------------
function generateV2() {
  const rnd = prng(2);
  const vectors = allBase(V2.base).map((p) => p.join('/'));
  for (let i = 0; i < 2300; i++) {
    const base = Object.entries(V2.base).map(([m, vs]) => `${m}:${pick(rnd, vs)}`);
    vectors.push([...base, ...randomGroup(rnd, V2.temporal, 0.3, 0.6), ...randomGroup(rnd, V2.environmental, 0.3, 0.6)].join('/'));
  }
  const py = `
import sys, json
from cvss import CVSS2
for line in sys.stdin.read().split('\\n'):
    if line:
        print(json.dumps(CVSS2(line).scores()))`;
  const scores = python(py, vectors);
  const rows = vectors.map((vector, i) => {
    const [base, temporal, environmental] = scores[i];
    const parts = vector.split('/');
    const expected = { version: '2.0', baseScore: base, baseSeverity: nvdV2Severity(base) };
    if (hasDefined(parts, V2.temporal) !== (temporal !== null)) throw new Error(`v2 temporal presence ${vector}`);
    if (hasDefined(parts, V2.environmental) !== (environmental !== null)) throw new Error(`v2 env presence ${vector}`);
    if (temporal !== null) expected.temporalScore = temporal;
    if (environmental !== null) expected.environmentalScore = environmental;
    return [vector, expected];
  });
  writeTsv('cvss2-reference.tsv', commonHeader([
    'CVSS v2.0 reference scores.',
    `Reference: Red Hat "cvss" Python library (${args['origin-redhat'] ?? 'origin not given'}), class CVSS2,`,
    '  exact Decimal arithmetic of the formulas in the CVSS v2 guide, run with Debian /usr/bin/python3.',
    'baseSeverity: NVD v2 ranges (Low 0.0-3.9, Medium 4.0-6.9, High 7.0-10.0); the v2 guide defines none.',
    'Lines 1-729: every base vector; then 2300 random vectors with temporal/environmental metrics (seed 2).',
  ]), rows);
}

// ---------------- v3.0 / v3.1 ----------------
function generateV3(version) {
  const compact = version.replace('.', '');
  const ref = version === '3.0'
    ? loadScript(args.first30, ['CVSS']).CVSS
    : loadScript(args.first31, ['CVSS31']).CVSS31;
  const rnd = prng(Number(compact));
  const prefix = `CVSS:${version}/`;
  const vectors = allBase(V3.base).map((p) => prefix + p.join('/'));
  for (let i = 0; i < 2000; i++) {
    const base = Object.entries(V3.base).map(([m, vs]) => `${m}:${pick(rnd, vs)}`);
    let parts = [...base, ...randomGroup(rnd, V3.temporal, 0.3, 0.6), ...randomGroup(rnd, V3.environmental, 0.3, 0.5)];
    if (rnd() < 0.15) parts = shuffle(rnd, parts); // v3.x vector strings may list metrics in any order
    vectors.push(prefix + parts.join('/'));
  }
  const py = `
import sys, json
from cvss import CVSS3
for line in sys.stdin.read().split('\\n'):
    if line:
        c = CVSS3(line)
        print(json.dumps([c.scores(), c.severities()]))`;
  const redhat = python(py, vectors);
  const ceilNoise = [];
  const rows = vectors.map((vector, i) => {
    const r = ref.calculateCVSSFromVector(vector);
    if (!r.success) throw new Error(`FIRST ${version} rejected ${vector}: ${r.errorType}`);
    const parts = vector.slice(prefix.length).split('/');
    const expected = { version, baseScore: Number(r.baseMetricScore), baseSeverity: upper(r.baseSeverity) };
    if (hasDefined(parts, V3.temporal)) {
      expected.temporalScore = Number(r.temporalMetricScore);
      expected.temporalSeverity = upper(r.temporalSeverity);
    }
    if (hasDefined(parts, V3.environmental)) {
      expected.environmentalScore = Number(r.environmentalMetricScore);
      expected.environmentalSeverity = upper(r.environmentalSeverity);
    }
    const [[b, t, e]] = redhat[i];
    if (b !== Number(r.baseMetricScore) || t !== Number(r.temporalMetricScore) || e !== Number(r.environmentalMetricScore)) {
      // cvsscalc30.js rounds up with a bare Math.ceil, so float noise (10 * 0.92 = 9.200000000000001)
      // lifts a score by 0.1; Red Hat computes in Decimal. FIRST's calculator is the reference.
      if (version !== '3.0') throw new Error(`Red Hat cvss disagrees with FIRST on ${vector}: ${[b, t, e]} vs ${JSON.stringify(r)}`);
      ceilNoise.push(vector);
    }
    return [vector, expected];
  });
  const origin = args[`origin${compact}`] ?? 'origin not given';
  const file = version === '3.0' ? args.first30 : args.first31;
  writeTsv(`cvss${compact}-reference.tsv`, commonHeader([
    `CVSS v${version} reference scores.`,
    `Reference: FIRST.Org's cvsscalc${compact}.js (the script behind first.org/cvss/calculator/${version}),`,
    `  ${origin}; sha256 ${sha256(file)}; CVSS${version === '3.0' ? '' : '31'}.calculateCVSSFromVector() run in node:vm.`,
    `Cross-checked line by line against the Red Hat "cvss" Python library (${args['origin-redhat'] ?? '?'}):`,
    ceilNoise.length === 0 ? '  all agree.' : `  ${ceilNoise.length} lines differ by 0.1: cvsscalc30.js rounds up with Math.ceil(x * 10) / 10, so float`,
    ...(ceilNoise.length === 0 ? [] : ['  noise (10 * 0.92 = 9.200000000000001 -> 9.3) lifts a score; Red Hat uses Decimal (9.2). The v3.0 calculator wins',
      '  (CVSS v3.1 fixed this with its integer Roundup; see the v3.1 user guide). Those vectors are listed here:',
      ...ceilNoise.map((v) => `    ${v}`)]),
    'Temporal/environmental fields appear only when the vector defines a metric of that group with a value other than X.',
    `Lines 1-2592: every base vector; then 2000 random vectors with temporal/environmental metrics, 15% in shuffled order (seed ${compact}).`,
  ]), rows);
}

// ---------------- v4.0 ----------------
function generateV4() {
  const { CVSS40 } = loadScript(args.cvss40, ['CVSS40']);
  const score = (vector) => new CVSS40(vector).score;
  const severity = (value) => upper(new CVSS40('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N').calculateSeverityRating(value));
  const prefix = 'CVSS:4.0/';
  const tieVectors = findTies(args.cvss40, prefix);
  const rnd = prng(40);
  const vectors = [...tieVectors.base];
  const allBaseVectors = allBase(V4.base);
  for (let i = 0; i < 1500; i++) vectors.push(prefix + pick(rnd, allBaseVectors).join('/'));
  vectors.push(...tieVectors.environmental);
  for (let i = 0; i < 2500; i++) {
    const base = Object.entries(V4.base).map(([m, vs]) => `${m}:${pick(rnd, vs)}`);
    const parts = [...base, ...randomGroup(rnd, V4.threat, 0.4, 1), ...randomGroup(rnd, V4.environmental, 0.35, 0.4), ...randomGroup(rnd, V4.supplemental, 0.5, 0.5)];
    vectors.push(prefix + parts.join('/'));
  }
  const unique = [...new Set(vectors)];
  const strip = (parts, ...tables) => parts.filter((p) => !tables.some((t) => p.split(':')[0] in t));
  const py = `
import sys, json
from cvss import CVSS4
for line in sys.stdin.read().split('\\n'):
    if line:
        print(json.dumps(CVSS4(line).base_score))`;
  const jobs = [];
  const rows = unique.map((vector) => {
    const parts = vector.slice(prefix.length).split('/');
    const onlyBase = prefix + strip(parts, V4.threat, V4.environmental, V4.supplemental).join('/');
    const baseScore = score(onlyBase);
    const expected = { version: '4.0', baseScore, baseSeverity: severity(baseScore) };
    jobs.push([onlyBase, baseScore]);
    const threat = hasDefined(parts, V4.threat);
    const environmental = hasDefined(parts, V4.environmental);
    if (threat) {
      const bt = prefix + strip(parts, V4.environmental, V4.supplemental).join('/');
      expected.threatScore = score(bt);
      expected.threatSeverity = severity(expected.threatScore);
      jobs.push([bt, expected.threatScore]);
    }
    if (environmental) {
      expected.environmentalScore = score(vector);
      expected.environmentalSeverity = severity(expected.environmentalScore);
      jobs.push([vector, expected.environmentalScore]);
    }
    const supplemental = parts.map((p) => p.split(':')).filter(([m, v]) => m in V4.supplemental && v !== 'X');
    if (supplemental.length > 0) expected.supplemental = Object.fromEntries(supplemental);
    return [vector, expected];
  });
  const redhat = python(py, jobs.map(([v]) => v));
  jobs.forEach(([vector, first], i) => {
    if (redhat[i] !== first) throw new Error(`Red Hat cvss disagrees with cvss40.js on ${vector}: ${redhat[i]} vs ${first}`);
  });
  writeTsv('cvss40-reference.tsv', commonHeader([
    'CVSS v4.0 reference scores.',
    `Reference: cvss40.js of the FIRST/Red Hat CVSS v4.0 calculator (first.org/cvss/calculator/4.0),`,
    `  ${args.origin40 ?? 'origin not given'}; sha256 ${sha256(args.cvss40)}; new CVSS40(vector).score run in node:vm.`,
    '  That commit carries the 2024-11-01 rounding fix (EPSILON lift before round-half-up).',
    `Cross-checked score by score against the Red Hat "cvss" Python library (${args['origin-redhat'] ?? '?'}): all agree.`,
    'baseScore = score of the base metrics alone (CVSS-B); threatScore = base+threat (CVSS-BT), present when E is not X;',
    'environmentalScore = score of the whole vector (CVSS-BE/CVSS-BTE), present when an environmental metric is not X;',
    'supplemental = the supplemental metrics other than X, echoed (they never change a score).',
    `First ${tieVectors.base.length} lines: every base vector whose score the rounding fix changes; then 1500 random base vectors;`,
    `then ${tieVectors.environmental.length} random environmental vectors the fix changes; then 2500 random vectors (seed 40).`,
  ]), rows);
}

/**
 * Vectors whose unrounded score sits within float noise of an x.x5 tie: the 2024-11-01 fix (EPSILON
 * lift before rounding) moves them up by 0.1. All such base vectors, and up to 300 random full ones.
 */
function findTies(path, prefix) {
  const source = readFileSync(path, 'utf8');
  const plain = vm.createContext({ console: { error() {}, log() {}, warn() {} }, window: {} });
  // Same file, but rounding with plain Math.round (the pre-2024-11-01 behaviour) to find the tie vectors.
  const patched = source.replace(/const EPSILON = Math\.pow\(10, -6\);/, 'const EPSILON = 0;');
  if (patched === source) throw new Error('cvss40.js: EPSILON line not found');
  vm.runInContext(patched + ';globalThis.__C = CVSS40;', plain);
  const fixed = loadScript(path, ['CVSS40']).CVSS40;
  const differs = (v) => new plain.__C(v).score !== new fixed(v).score;
  const base = allBase(V4.base).map((p) => prefix + p.join('/')).filter(differs);
  const rnd = prng(4040);
  const environmental = [];
  for (let i = 0; i < 200000 && environmental.length < 300; i++) {
    const b = Object.entries(V4.base).map(([m, vs]) => `${m}:${pick(rnd, vs)}`);
    const v = prefix + [...b, ...randomGroup(rnd, V4.threat, 0.4, 1), ...randomGroup(rnd, V4.environmental, 0, 0.4)].join('/');
    if (differs(v)) environmental.push(v);
  }
  return { base, environmental };
}

generateV2();
generateV3('3.0');
generateV3('3.1');
generateV4();
