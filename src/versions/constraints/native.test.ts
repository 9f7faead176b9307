import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatVers } from '../range.js';
import type { VersRange } from '../range.js';
import type { VersionScheme } from '../scheme.js';
import { cargo } from '../cargo.js';
import { composer } from '../composer.js';
import { deb } from '../deb.js';
import { gem } from '../gem.js';
import { go } from '../go.js';
import { maven } from '../maven.js';
import { npm } from '../npm.js';
import { nuget } from '../nuget.js';
import { pep440 } from '../pep440.js';
import { parseCargoConstraint } from './cargo.js';
import { parseComposerConstraint } from './composer.js';
import { gemBump, parseGemConstraint } from './gem.js';
import { parseGhsaConstraint, parseGoConstraint } from './ghsa.js';
import { parseMavenConstraint } from './maven.js';
import { parseNpmConstraint } from './npm.js';
import { parseNugetConstraint } from './nuget.js';
import { parsePep440Constraint } from './pep440.js';

type Parser = (text: string, scheme: VersionScheme<never>) => VersRange;

function expectForms(parse: Parser, scheme: VersionScheme, cases: [string, string][]): void {
  for (const [native, vers] of cases) assert.equal(formatVers(parse(native, scheme as VersionScheme<never>)), vers, native);
}

function expectInvalid(parse: Parser, scheme: VersionScheme, inputs: string[]): void {
  for (const input of inputs) assert.throws(() => parse(input, scheme as VersionScheme<never>), { code: 'INVALID_RANGE' }, input);
}

describe('native range syntaxes to vers', () => {
  it('npm (node-semver, includePrerelease)', () => {
    expectForms(parseNpmConstraint, npm, [
      ['^1.2.3', 'vers:npm/>=1.2.3|<2.0.0-0'], ['1.2.3', 'vers:npm/1.2.3'], ['>=1 <2 || >=1.5 <3', 'vers:npm/>=1.0.0-0|<3.0.0-0'],
      ['1.2.3 - 2.3.4', 'vers:npm/>=1.2.3-0|<2.3.5-0'], ['*', 'vers:npm/*'], ['>2 <1', 'vers:none/*'],
    ]);
    expectInvalid(parseNpmConstraint, npm, ['>= 1.0, < 2', 'latest', '1.2.3.4']);
  });

  it('GHSA comparator lists and Debian operators', () => {
    expectForms(parseGhsaConstraint, npm, [['>= 1.0.0, < 1.2.3', 'vers:npm/>=1.0.0|<1.2.3'], ['= 1.0.1', 'vers:npm/1.0.1'], ['<= 2.0.0', 'vers:npm/<=2.0.0']]);
    expectForms(parseGhsaConstraint, deb, [['<< 1.2-1', 'vers:deb/<1.2-1'], ['>> 1:1.0', 'vers:deb/>1:1.0'], ['>= 1.0, != 1.5, < 2.0', 'vers:deb/>=1.0|!=1.5|<2.0']]);
    expectForms(parseGoConstraint, go, [['>=v1.2.0 <v1.3.0', 'vers:golang/>=v1.2.0|<v1.3.0']]);
    expectInvalid(parseGhsaConstraint, deb, ['', '<> 1.0', '>= 1.0 |', '>=', '[1.0,2.0)']);
  });

  it('Maven intervals', () => {
    expectForms(parseMavenConstraint, maven, [
      ['[1.0,2.0)', 'vers:maven/>=1.0|<2.0'], ['(,1.0]', 'vers:maven/<=1.0'], ['[1.2]', 'vers:maven/1.2'], ['1.0', 'vers:maven/1.0'],
      ['[1.0,2.0),[3.0,)', 'vers:maven/>=1.0|<2.0|>=3.0'], ['(,1.0),(1.0,)', 'vers:maven/!=1.0'],
    ]);
    expectInvalid(parseMavenConstraint, maven, ['[2.0,1.0]', '(1.0)', '[1.0,2.0', '[3.0,),[1.0,2.0)', '[1.0,2.0) x', '[1.0,1.0)']);
  });

  it('NuGet intervals', () => {
    expectForms(parseNugetConstraint, nuget, [['1.0', 'vers:nuget/>=1.0'], ['(1.0,)', 'vers:nuget/>1.0'], ['[1.0]', 'vers:nuget/1.0'], ['[1.0.0, 2.0.0)', 'vers:nuget/>=1.0.0|<2.0.0']]);
    expectInvalid(parseNugetConstraint, nuget, ['1.*', '[1.0,2.0),[3.0,)', '(,)', '']);
  });

  it('PEP 440 specifiers', () => {
    expectForms(parsePep440Constraint as unknown as Parser, pep440, [
      ['~=1.4.5', 'vers:pypi/>=1.4.5|<1.5.dev0'], ['==1.*', 'vers:pypi/>=1.dev0|<2.dev0'], ['!=1.3.*', 'vers:pypi/<1.3.dev0|>=1.4.dev0'],
      ['==2.0.1', 'vers:pypi/>=2.0.1|<2.0.1.post0.dev0'], ['==1.0+local', 'vers:pypi/1.0+local'], ['<=1.0', 'vers:pypi/<1.0.post0.dev0'],
      ['>= 1.0', 'vers:pypi/>=1.0'], ['~=2.2.post3', 'vers:pypi/>=2.2.post3|<3.dev0'], ['==1.0.dev3', 'vers:pypi/>=1.0.dev3|<1.0.dev4'],
    ]);
    expectInvalid(parsePep440Constraint as unknown as Parser, pep440, ['===1.0', '~=1', '>=1.*', '<=1.0+local', '=1.0', '', ',']);
  });

  it('RubyGems requirements', () => {
    assert.deepEqual(['1.2.3', '1.2', '1', '1.2.a.3', '1.0.0'].map(gemBump), ['1.3', '2', '2', '2', '1.1']);
    expectForms(parseGemConstraint, gem, [['~> 2.0.8', 'vers:gem/>=2.0.8|<2.1'], ['>= 2.2.0, != 2.2.1, < 2.3.0', 'vers:gem/>=2.2.0|!=2.2.1|<2.3.0'], ['1.0', 'vers:gem/1.0']]);
    expectInvalid(parseGemConstraint, gem, ['', '~>', '=> 1.0', '>= 1.0 < 2.0']);
  });

  it('Composer constraints', () => {
    expectForms(parseComposerConstraint, composer, [
      ['^1.2', 'vers:composer/>=1.2.0.0-dev|<2.0.0.0-dev'], ['~1.2.3', 'vers:composer/>=1.2.3.0-dev|<1.3.0.0-dev'], ['1.2.*', 'vers:composer/>=1.2.0.0-dev|<1.3.0.0-dev'],
      ['>=1.0 <1.1 || >=1.2', 'vers:composer/>=1.0.0.0-dev|<1.1.0.0-dev|>=1.2.0.0-dev'], ['1.0 - 2.0', 'vers:composer/>=1.0.0.0-dev|<2.1.0.0-dev'],
      ['>=1.2@dev', 'vers:composer/>=1.2.0.0-dev'], ['!=1.2.3', 'vers:composer/!=1.2.3.0'], ['*', 'vers:composer/*'],
    ]);
    expectInvalid(parseComposerConstraint, composer, ['dev-master', '~>1.2', '', 'foo']);
  });

  it('Cargo requirements', () => {
    expectForms(parseCargoConstraint, cargo, [['1.2.3', 'vers:cargo/>=1.2.3|<2.0.0-0'], ['=1.2.3', 'vers:cargo/1.2.3'], ['>=1.2, <1.5', 'vers:cargo/>=1.2.0-0|<1.5.0-0'], ['1.2.*', 'vers:cargo/>=1.2.0-0|<1.3.0-0']]);
    expectInvalid(parseCargoConstraint, cargo, ['1.2.3 || 2', 'v1.2.3', '>=1.0,', '1.2.3 - 2.0.0']);
  });
});
