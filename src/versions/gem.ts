import { defineScheme, invalidVersion } from './scheme.js';

/**
 * RubyGems versions as `Gem::Version` reads and orders them (RubyGems 3.3, Ruby 3.1).
 *
 * In-house rather than a wrapper of @renovatebot/ruby-semver 4.x, which disagrees with Ruby on:
 * letter segments (it uses `localeCompare`, so `1.a` > `1.B`; Ruby compares bytes, `B` < `a`),
 * numbers past 2^53 (`parseInt`), and whitespace (JavaScript's `\s` also takes U+00A0, U+FEFF…;
 * Ruby's is ASCII only).
 */
export interface GemVersion {
  /**
   * `Gem::Version#canonical_segments`: `-` read as `.pre.`, the string `/[0-9]+|[a-z]+/i` runs,
   * trailing zeros dropped from the leading numeric part and from the rest.
   */
  readonly segments: readonly GemSegment[];
}

/** A numeric segment (number while exact, bigint past 1e15) or a letter run. */
export type GemSegment = number | bigint | string;

// Gem::Version::ANCHORED_VERSION_PATTERN; Ruby's `\s` is [ \t\n\v\f\r].
const PATTERN =
  /^[ \t\n\v\f\r]*(?:[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?[ \t\n\v\f\r]*$/;
const RUNS = /[0-9]+|[a-zA-Z]+/g;

function segment(run: string): GemSegment {
  const code = run.charCodeAt(0);
  if (code < 48 || code > 57) return run;
  const n = Number(run);
  return n < 1e15 ? n : BigInt(run);
}

function dropTrailingZeros(list: GemSegment[]): GemSegment[] {
  let end = list.length;
  while (end > 0 && list[end - 1] === 0) end--;
  return list.slice(0, end);
}

function parse(input: string): GemVersion {
  if (!PATTERN.test(input)) throw invalidVersion('gem', input, 'does not match Gem::Version::ANCHORED_VERSION_PATTERN');
  // An empty or blank string is version "0" to Gem::Version.new.
  const runs = (input.trim().replace(/-/g, '.pre.').match(RUNS) ?? ['0']).map(segment);
  const firstString = runs.findIndex((s) => typeof s === 'string');
  const cut = firstString === -1 ? runs.length : firstString;
  return {
    segments: [...dropTrailingZeros(runs.slice(0, cut)), ...dropTrailingZeros(runs.slice(cut))],
  };
}

// Gem::Version#<=>: missing segments count as 0; a string sorts before a number (pre-release).
function compareParsed(a: GemVersion, b: GemVersion): -1 | 0 | 1 {
  const x = a.segments;
  const y = b.segments;
  const n = x.length > y.length ? x.length : y.length;
  for (let i = 0; i < n; i++) {
    const l = x[i] ?? 0;
    const r = y[i] ?? 0;
    if (l === r) continue;
    const ls = typeof l === 'string';
    if (ls !== (typeof r === 'string')) return ls ? -1 : 1;
    return l < r ? -1 : 1;
  }
  return 0;
}

export const gem = defineScheme<GemVersion>({ name: 'gem', parse, compareParsed });
