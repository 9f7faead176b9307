#!/usr/bin/env node
// Regenerates src/versions/testdata/composer-generated.txt, composer-normalize-generated.txt and
// composer-sample.txt: upstream versions of Debian's php-* packages (`apt-cache dumpavail`), the
// version strings of composer/semver's own tests and synthetic edge cases, answered by Debian's
// php-cli + php-composer-semver through composer-oracle.php.
//
// Debian ships composer/semver 3.3.2; we follow 3.4, which also accepts date versions with two
// short trailing groups (`20230131.0.0`). Date-shaped versions 3.3.2 rejects are therefore left
// out here (their 3.4 answers are in composer-normalize-upstream.txt).
//   node scripts/vectors/composer-generate.mjs
import { picker, rng, run } from './lib.mjs';
import { writeFileSync } from 'node:fs';

const DATA = new URL('../../src/versions/testdata/', import.meta.url);

const random = rng(2012);
const pick = picker(random);

// Inputs of composer/semver tests/VersionParserTest.php and ComparatorTest.php (MIT licence).
const SEMVER_TESTS = [
  '1.0.0', '1.2.3.4', '1.0.0RC1dev', '1.0.0-rC15-dev', '1.0.0.RC.15-dev', '1.0.0-rc1', '1.0.0.pl3-dev', '1.0-dev',
  '0', '99999', '10.4.13-beta', '10.4.13beta2', '10.4.13beta.2', 'v1.13.11-beta.0', '1.13.11.0-beta0',
  '10.4.13-b', '10.4.13-b5', 'v1.0.0', '2010.01', '2010.01.02', '2010.1.555', '2010.10.200', 'v20100102',
  '20100102', '20100102.0', '20100102.1.0', '100000', '2010-01-02-10-20-30.5', '2010-01-02', '2012.06.07',
  '2010-01-02.5', '20100102-203040', '20100102.x-dev', '20100102203040-10', '20100102-203040-p1', '201903.0',
  '201903.x-dev', '201903.0-p2', 'dev-master', 'master', 'dev-trunk', '1.x-dev', 'dev-feature-foo', 'DEV-FOOBAR',
  'dev-feature/foo', 'dev-feature+issue-1', '1.0.0+foo@dev', 'dev-load-varnish-only-when-used@stable',
  '1.0.0-beta.5+foo', '1.0.0+foo', '1.0.0-alpha.3.1+foo', '1.0.0-alpha2.1+foo', '1.0.0-alpha-2.1-3+foo',
  '00.01.03.04', '000.001.003.004', '0.000.103.204', '0700', '041.x-dev', 'dev-041.003', 'dev-1.0.0-dev<1.0.5-dev',
  '', 'a', '1.0.0-meh', '1.0.0.0.0', 'feature-foo', '1.0.1-SNAPSHOT', '1.0.0<1.0.5-dev', '1.0.0-dev<1.0.5-dev',
  '^', '~', '~1', '^1', '1.*', '20100102.0.3.4', '1.25.0', '1.24.0', '1.26.0', 'dev-foo', 'dev-bar', '1.2-dev',
  '1.25.0-beta2.1', '1.25.0-b.3', '1.25.0-b2.1', '1.25.0beta.3', '1.25.0-b-2.1', '1.25.0-rc', '1.25.0-b.2.1',
  '1.25.0beta2.1',
];
const SYNTHETIC = [
  '1.0', '1', '1.0.0.0', 'V1.0', 'vv1.0', '1.0.0-beta1', '1.0.0RC2', '1.0.0-p1', '1.0.0-pl1', '1.0.0-patch1',
  '1.0.0-patch', '1.0.0-STABLE', '1.0.0-stable', '1.0.0-stable1', '1.0.0-stable-dev', '1.0.0-a1', '1.0.0-alpha',
  '1.0.0-ALPHA2', '1.0.0-Beta', '1.0.0-b', '1.0.0-rc', '1.0.0-RC1-dev', '1.0.0.dev', '1.0.0dev', '1.0.0-beta.1.2',
  '1.0.0-beta-1', '1.0.0_beta1', '1.0.0.beta1', '1.0.0-beta1.dev', '1.0.0-dev.1', '2.x-dev', '2.0.x-dev',
  '2.1.3.x-dev', '2.*-dev', '2.X-dev', 'v2.x-dev', '2.x.dev', '2.xdev', '2.x', 'dev-main', 'dev-2.x', 'trunk',
  'default', 'Master', 'dev-', 'dev-master@dev', '1.0.0@beta', '1.0.0@Stable', '1.0.0+build.1', '1.0.0+b+c',
  '99999.1', '123456', '1234567', '123456789', '2010.01.02.03', '2010-01-02T10', '2010:01:02', '99999999999999999999.1',
  '99999999999999999998.1', '9223372036854775807.1', '9223372036854775808.1', '1.0.0.0-beta', '1.0.0-beta0',
  '1.0-p', '1.0-p0', '1.0-pl', '0.0.0', '00.0', '1.0.0-', '1.0.0.', '.1.0', '1..0', '1.0.0-beta.', 'x.y.z',
  '1.0.0.0.0.0', 'dev-feature_1', 'dev-1.0', 'dev-2.0', 'dev-alpha', 'dev-beta', 'dev-patch', 'dev-rc1', 'dev-RC1',
  'dev-foo1bar', 'dev-FOO', 'dev-foo', 'dev-foo.bar', 'dev-foo/bar',
];

function debianPhpVersions() {
  const out = [];
  let pkg = '';
  for (const line of run('apt-cache', ['dumpavail']).split('\n')) {
    if (line.startsWith('Package: ')) pkg = line.slice(9);
    else if (line.startsWith('Version: ') && pkg.startsWith('php-')) {
      const upstream = line.slice(9).replace(/^\d+:/, '').replace(/-[^-]*$/, '');
      out.push(upstream, upstream.replace(/[+~].*$/, ''), upstream.replace(/~/g, '-'));
    }
  }
  return out;
}

// A version 3.3.2 may reject where 3.4 accepts (date-shaped), see the header.
export const dateShaped = (v) => /\d{6}/.test(v) || /^\s*v?\d{4}[.:-]/.test(v);
const writable = (v) => v !== '' && !/\s/.test(v) && !v.startsWith('#');
const real = [...new Set(debianPhpVersions())].filter((v) => v).sort();
const special = [...SEMVER_TESTS, ...SYNTHETIC];
const pairs = [];
for (let i = 1; i < real.length; i++) pairs.push([real[i - 1], real[i]]);
for (let i = 0; i < 1500; i++) pairs.push([pick(real), pick(real)]);
for (const s of special) for (let i = 0; i < 8; i++) pairs.push([s, i < 5 ? pick(special) : pick(real)]);
const answers = run('php', [new URL('composer-oracle.php', DATA).pathname], pairs.map((p) => JSON.stringify(p)).join('\n') + '\n')
  .trim().split('\n').map((l) => JSON.parse(l));

const lines = new Set();
const normalized = new Map();
const sign = (n) => (n < 0 ? '<' : n > 0 ? '>' : '=');
pairs.forEach(([a, b], i) => {
  const [na, nb, ab, ba] = answers[i];
  for (const [v, n] of [[a, na], [b, nb]]) if (!(n === null && dateShaped(v))) normalized.set(v, n);
  if (ab === null || !writable(a) || !writable(b) || a === b) return;
  const branch = na.startsWith('dev-') || nb.startsWith('dev-');
  // Between two branches only antisymmetric, non-zero answers are PHP's (see composer.ts).
  if (branch && (ab === 0 || ab !== -ba) && na !== nb) return;
  lines.add(`${a} ${sign(na === nb ? 0 : ab)} ${b}`);
});
const php = run('php', ['-r', 'echo PHP_VERSION;']);
const semver = run('dpkg-query', ['-W', '-f', '${Version}', 'php-composer-semver']);
const header = (what) => [
  `# Generated by scripts/vectors/composer-generate.mjs with Debian's PHP ${php} and composer/semver`,
  `# ${semver} (php-composer-semver): ${what} for upstream versions of Debian php-* packages, the`,
  '# version strings of composer/semver tests/VersionParserTest.php and ComparatorTest.php (MIT',
  '# licence, Composer authors) and synthetic edge cases. Do not edit by hand.',
];
const validLines = [...normalized].filter(([v]) => writable(v)).map(([v, n]) => `${n === null ? 'invalid' : 'valid'}: ${v}`);
writeFileSync(new URL('composer-generated.txt', DATA), [
  ...header('version_compare of VersionParser::normalize outputs'), ...lines, ...validLines.sort(), '',
].join('\n'));
writeFileSync(new URL('composer-normalize-generated.txt', DATA), [
  ...header('one JSON [input, normalize(input) or null] per line'),
  ...[...normalized].map((e) => JSON.stringify(e)), '',
].join('\n'));
writeFileSync(new URL('composer-sample.txt', DATA), [
  '# Upstream versions of Debian php-* packages (as is, without +dfsg/~ suffixes, ~ as -) for the',
  '# live differential test in src/versions/composer.test.ts. Written by scripts/vectors/composer-generate.mjs.',
  ...real.filter(writable), '',
].join('\n'));
process.stderr.write(`composer: ${lines.size} comparisons, ${normalized.size} normalizations, ${real.length} sample versions\n`);
