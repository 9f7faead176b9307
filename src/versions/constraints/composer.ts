import type { VersRange } from '../range.js';
import { guardRange, invalidRange, versFromSets } from '../range.js';
import type { IntervalSet, SetComparator } from '../range-set.js';
import { EVERYTHING, comparatorSet, intersectAll } from '../range-set.js';
import type { VersionScheme } from '../scheme.js';
import { normalizeComposerVersion } from '../composer.js';

/*
 * Composer constraints as composer/semver 3's VersionParser::parseConstraints reads them (semantics
 * re-implemented, no code copied): `||` or `|` OR; comma or space AND; `^1.2`, `~1.2`, `1.2.*`,
 * hyphen ranges `1.0 - 2.0`, comparators `>=`, `<`, `!=`, `<>`, `==`; `@dev`-style stability flags
 * are stripped (on `>=1.0@dev` the bound becomes 1.0.0.0-dev, as Composer does). Bounds are the
 * normalized versions Composer builds (`^1.2` is `>=1.2.0.0-dev <2.0.0.0-dev`). Branch constraints
 * (`dev-master`) have no order and are rejected.
 */

const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?';
const VERSION = `v?(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(?:\\.(\\d+))?(?:${MODIFIER}|\\.([xX*][.-]?dev))(?:\\+[^\\s]+)?`;
const TILDE = new RegExp(`^~>?${VERSION}$`, 'i');
const CARET = new RegExp(`^\\^${VERSION}$`, 'i');
const X_RANGE = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.[xX*])+$/;
const HYPHEN = new RegExp(`^(${VERSION}) +- +(${VERSION})$`, 'i');
const BASIC = /^(<>|!=|>=?|<=?|==?)?\s*(.*)$/s;
const STABILITY = /^([^,\s]*?)@(stable|RC|beta|alpha|dev)$/i;
const AND_SPLIT = /(?<!^|as|[=>< ,]) *(?<!-)[, ](?!-) *(?!,|as|$)/;

type Groups = (string | undefined)[];
const present = (s: string | undefined): boolean => s !== undefined && s !== '';

// VersionParser::manipulateVersionString with a non-negative increment: pad after `position`.
function bump(m: Groups, position: number, increment: number): string {
  const parts = [1, 2, 3, 4].map((i) => (i > position ? '0' : i === position ? String(BigInt(m[i] || '0') + BigInt(increment)) : m[i] || '0'));
  return parts.join('.');
}

function bounds<V>(scheme: VersionScheme<V>, lo: string | null, hi: string, hiOp: SetComparator = '<'): IntervalSet<V> {
  const upper = comparatorSet(scheme, hiOp, hi);
  return lo === null ? upper : intersectAll([comparatorSet(scheme, '>=', lo), upper], scheme);
}

function sugar<V>(c: string, scheme: VersionScheme<V>): IntervalSet<V> | undefined {
  let m: Groups | null = TILDE.exec(c);
  if (m !== null) {
    if (c.startsWith('~>')) throw invalidRange(c, '"~>" is not a Composer operator (use "~")');
    let position = present(m[4]) ? 4 : present(m[3]) ? 3 : present(m[2]) ? 2 : 1;
    if (present(m[8])) position++;
    const suffix = present(m[5]) || present(m[7]) || present(m[8]) ? '' : '-dev';
    return bounds(scheme, normalizeComposerVersion(c.slice(1) + suffix), `${bump(m, Math.max(1, position - 1), 1)}-dev`);
  }
  m = CARET.exec(c);
  if (m !== null) {
    const position = m[1] !== '0' || !present(m[2]) ? 1 : m[2] !== '0' || !present(m[3]) ? 2 : 3;
    const suffix = present(m[5]) || present(m[7]) || present(m[8]) ? '' : '-dev';
    return bounds(scheme, normalizeComposerVersion(c.slice(1) + suffix), `${bump(m, position, 1)}-dev`);
  }
  m = X_RANGE.exec(c);
  if (m !== null) {
    const position = present(m[3]) ? 3 : present(m[2]) ? 2 : 1;
    const lo = `${bump(m, position, 0)}-dev`;
    return bounds(scheme, lo === '0.0.0.0-dev' ? null : lo, `${bump(m, position, 1)}-dev`);
  }
  m = HYPHEN.exec(c);
  if (m !== null) {
    const lo = normalizeComposerVersion(m[1] ?? '') + (present(m[6]) || present(m[8]) || present(m[9]) ? '' : '-dev');
    if ((present(m[12]) && present(m[13])) || present(m[15]) || present(m[17]) || present(m[18])) {
      return bounds(scheme, lo, normalizeComposerVersion(m[10] ?? ''), '<=');
    }
    normalizeComposerVersion(m[10] ?? '');
    return bounds(scheme, lo, `${bump(['', m[11], m[12], m[13], m[14]], present(m[12]) ? 2 : 1, 1)}-dev`);
  }
  return undefined;
}

function constraintSet<V>(text: string, raw: string, scheme: VersionScheme<V>): IntervalSet<V> {
  let c = raw;
  const alias = /^([^,\s]+) +as +([^,\s]+)$/.exec(c);
  if (alias !== null) c = alias[1] ?? c;
  let stability: string | undefined;
  const flag = STABILITY.exec(c);
  if (flag !== null) {
    c = flag[1] === '' ? '*' : flag[1] ?? '*';
    if (flag[2]?.toLowerCase() !== 'stable') stability = flag[2];
  }
  if (/^dev-|\.x-dev#|#/i.test(c)) throw invalidRange(text, `branch constraint "${c}" has no version order`);
  const any = /^(v)?[xX*](\.[xX*])*$/i.exec(c);
  if (any !== null) return present(any[1]) || present(any[2]) ? comparatorSet(scheme, '>=', '0.0.0.0-dev') : EVERYTHING;
  const sugared = sugar(c, scheme);
  if (sugared !== undefined) return sugared;
  const [, rawOp = '', rawVersion = ''] = BASIC.exec(c) ?? [];
  let version = normalizeComposerVersion(rawVersion);
  if (version.startsWith('dev-')) throw invalidRange(text, `branch constraint "${c}" has no version order`);
  const op = rawOp === '' || rawOp === '==' ? '=' : rawOp === '<>' ? '!=' : (rawOp as SetComparator);
  const stable = !/-(?:dev|alpha|beta|RC)/i.test(version);
  if (op !== '=' && stability !== undefined && stable) version += `-${stability}`;
  else if ((op === '<' || op === '>=') && !new RegExp(`-${MODIFIER}$`).test(rawVersion.toLowerCase())) version += '-dev';
  return comparatorSet(scheme, op, version);
}

export function parseComposerConstraint<V>(text: string, scheme: VersionScheme<V>): VersRange {
  const trimmed = text.trim();
  if (trimmed === '') throw invalidRange(text, 'empty constraint');
  return guardRange(text, () => {
    const groups = trimmed.split(/\s*\|\|?\s*/).map((group) => {
      const parts = group.split(AND_SPLIT);
      return intersectAll(parts.map((part) => constraintSet(text, part, scheme)), scheme);
    });
    return versFromSets(groups, scheme);
  });
}
