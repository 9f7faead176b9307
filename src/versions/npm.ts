import type { SemVer } from 'semver';
import { defineScheme } from './scheme.js';
import { compareSemVer, parseWithNodeSemver } from './semver.js';

/**
 * npm package versions: what `npm publish` accepts, ordered as node-semver orders them.
 *
 * npm's publisher (libnpmpublish) stores `semver.clean(manifest.version)` and refuses the package
 * when that is null, so the registry's versions are exactly the strings `semver.clean` accepts, in
 * its canonical form. `clean` trims white space, strips a leading run of `=` and `v` characters and
 * then parses strictly (`loose: false`): `v1.2.3`, `=1.2.3`, ` v1.2.3 ` are 1.2.3, while `01.2.3`,
 * `1.2`, `1.2.3.4` and `V1.2.3` are rejected. Build metadata is accepted and, as in SemVer, ignored
 * by the ordering (`clean` drops it). npm's installer reads packuments loosely, which only matters for
 * pre-2013 packages with malformed versions; those are rejected here instead of guessed.
 */
export type NpmVersion = SemVer;

// The same steps as node-semver's `clean()`, keeping the parsed object instead of re-parsing its string.
const LEADING_EQ_OR_V = /^[=v]+/;

function parse(input: string): SemVer {
  return parseWithNodeSemver('npm', input, input.trim().replace(LEADING_EQ_OR_V, ''));
}

export const npm = defineScheme<SemVer>({ name: 'npm', parse, compareParsed: compareSemVer });
