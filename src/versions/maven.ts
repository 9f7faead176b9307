import { defineScheme, invalidVersion, sign } from './scheme.js';

/*
 * Maven versions, ordered as org.apache.maven.artifact.versioning.ComparableVersion of Maven 3.8.7
 * (the maven-artifact jar Debian 12 ships, tested against in maven.test.ts). Its comparison is the
 * same in every 3.9.x up to 3.9.16: both include MNG-7644 (".X1" is read as "-X1"); Maven 4's
 * changes (MNG-7714: sp vs final) are not followed. Semantics re-implemented from the documented
 * behaviour and upstream source; no code copied.
 *
 * A version is lower-cased, then split into items: numbers (any size), strings ("qualifiers") and
 * sub-lists opened by '-' or by a switch between digits and letters. Trailing null items (0, "",
 * ga/final/release) are dropped from each list. Qualifiers order
 * alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp < unknown (lexical);
 * a, b and m directly followed by a digit mean alpha, beta and milestone.
 *
 * ComparableVersion accepts every string. We reject only the empty string, strings containing
 * whitespace (never a real version; most likely a parsing mistake upstream of us) and the Greek
 * capital sigma: Java lower-cases it to σ or ς by word-boundary rules that differ from JavaScript's.
 * Lower-casing and digit tests otherwise follow the JavaScript engine's Unicode tables; a JVM with an
 * older Unicode version (Java 17 has 13.0) can differ on letters and digits added since.
 */

const NUMBER = 0;
const STRING = 1;
const LIST = 2;

/** Java's Int/Long/BigIntegerItem are distinct: they compare by class first, then by value. */
interface NumberItem {
  readonly kind: typeof NUMBER;
  /** 0 = at most 9 digits, 1 = at most 18, 2 = more (digits counted after stripping ASCII zeros). */
  readonly size: 0 | 1 | 2;
  readonly value: number | bigint;
}

interface StringItem {
  readonly kind: typeof STRING;
  /** The comparable form: the qualifier's index in QUALIFIERS, or "7-" + the qualifier. */
  readonly key: string;
}

interface ListItem {
  readonly kind: typeof LIST;
  readonly items: Item[];
}

type Item = NumberItem | StringItem | ListItem;

export interface MavenVersion {
  readonly input: string;
  readonly items: ListItem;
}

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES = new Map([['ga', ''], ['final', ''], ['release', ''], ['cr', 'rc']]);
const RELEASE_KEY = String(QUALIFIERS.indexOf(''));
const SHORTHANDS = new Map([['a', 'alpha'], ['b', 'beta'], ['m', 'milestone']]);
const ZERO: NumberItem = { kind: NUMBER, size: 0, value: 0 };

function stringItem(text: string, followedByDigit: boolean): StringItem {
  let name = followedByDigit ? SHORTHANDS.get(text) ?? text : text;
  name = ALIASES.get(name) ?? name;
  const index = QUALIFIERS.indexOf(name);
  return { kind: STRING, key: index < 0 ? `${QUALIFIERS.length}-${name}` : String(index) };
}

const UNICODE_DIGIT = /\p{Nd}/u;

/** Java's Character.isDigit on one UTF-16 unit: any decimal digit of the BMP, not only 0-9. */
function isDigit(code: number): boolean {
  if (code < 128) return code >= 48 && code <= 57;
  return code < 0xd800 || code > 0xdfff ? UNICODE_DIGIT.test(String.fromCharCode(code)) : false;
}

/** Character.digit(c, 10): BMP decimal digits come in runs of ten starting at their zero. */
function digitValue(code: number): number {
  if (code < 128) return code - 48;
  let start = code;
  while (isDigit(start - 1)) start--;
  return (code - start) % 10;
}

/** Java's parseItem for digits: strip ASCII '0's (not all of them), pick the class by length. */
function numberItem(text: string): NumberItem {
  let from = 0;
  while (from < text.length && text.charCodeAt(from) === 48) from++;
  if (from === text.length) from = 0; // all zeros: Java keeps the string as it is
  const length = text.length - from;
  const size = length <= 9 ? 0 : length <= 18 ? 1 : 2;
  if (length <= 15) {
    let value = 0;
    for (let i = from; i < text.length; i++) value = value * 10 + digitValue(text.charCodeAt(i));
    return { kind: NUMBER, size, value };
  }
  let digits = '';
  for (let i = from; i < text.length; i++) digits += String(digitValue(text.charCodeAt(i)));
  return { kind: NUMBER, size, value: BigInt(digits) };
}

function isNull(item: Item): boolean {
  if (item.kind === NUMBER) return item.value === 0 || item.value === 0n;
  if (item.kind === STRING) return item.key === RELEASE_KEY;
  return item.items.length === 0;
}

/** Drops trailing null items, looking through (already normalized) trailing sub-lists. */
function normalize(list: ListItem): void {
  const items = list.items;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i] as Item;
    if (isNull(item)) items.splice(i, 1);
    else if (item.kind !== LIST) break;
  }
}

const item = (digits: boolean, text: string): Item => (digits ? numberItem(text) : stringItem(text, false));

/** ComparableVersion.parseVersion's tokenizer, as a small state machine over the lower-cased text. */
function parseItems(input: string): ListItem {
  const s = input.toLowerCase();
  const root: ListItem = { kind: LIST, items: [] };
  const stack: ListItem[] = [root];
  let list = root;
  const open = (): void => {
    const sub: ListItem = { kind: LIST, items: [] };
    list.items.push(sub);
    stack.push((list = sub));
  };
  let digits = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */ || c === 45 /* - */) {
      list.items.push(i === start ? ZERO : item(digits, s.slice(start, i)));
      start = i + 1;
      if (c === 45) open();
    } else if (isDigit(c)) {
      if (!digits && i > start) { // qualifier then digits: "rc1" is rc-1, and ".x1" is read as "-x1"
        if (list.items.length > 0) open();
        list.items.push(stringItem(s.slice(start, i), true));
        start = i;
        open();
      }
      digits = true;
    } else {
      if (digits && i > start) { // digits then a letter: "1rc" is 1-rc
        list.items.push(numberItem(s.slice(start, i)));
        start = i;
        open();
      }
      digits = false;
    }
  }
  if (s.length > start) {
    if (!digits && list.items.length > 0) open();
    list.items.push(item(digits, s.slice(start)));
  }
  for (let i = stack.length - 1; i >= 0; i--) normalize(stack[i] as ListItem);
  return root;
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Item.compareTo of ComparableVersion; `b` undefined stands for a missing item (Java's null). */
function compareItem(a: Item, b: Item | undefined): number {
  if (a.kind === NUMBER) {
    if (b === undefined) return isNull(a) ? 0 : 1;
    if (b.kind !== NUMBER) return 1; // 1.1 > 1-sp, 1.1 > 1-1
    if (a.size !== b.size) return a.size - b.size;
    return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  }
  if (a.kind === STRING) {
    if (b === undefined) return compareStrings(a.key, RELEASE_KEY); // 1-rc < 1, 1-sp > 1
    return b.kind === STRING ? compareStrings(a.key, b.key) : -1;
  }
  if (b === undefined) {
    for (const x of a.items) {
      const r = compareItem(x, undefined);
      if (r !== 0) return r;
    }
    return 0;
  }
  if (b.kind !== LIST) return b.kind === NUMBER ? -1 : 1; // 1-1 < 1.1, 1-1 > 1-sp
  const length = Math.max(a.items.length, b.items.length);
  for (let i = 0; i < length; i++) {
    const l = a.items[i];
    const r = b.items[i];
    const result = l === undefined ? (r === undefined ? 0 : -compareItem(r, undefined)) : compareItem(l, r);
    if (result !== 0) return result;
  }
  return 0;
}

function parse(input: string): MavenVersion {
  if (input === '') throw invalidVersion('maven', input, 'empty');
  if (/\s/.test(input)) throw invalidVersion('maven', input, 'contains whitespace');
  if (input.includes('\u03a3')) throw invalidVersion('maven', input, 'contains a capital sigma (Java lower-cases it by context)');
  return { input, items: parseItems(input) };
}

export const maven = defineScheme<MavenVersion>({
  name: 'maven',
  parse,
  compareParsed: (a, b) => sign(compareItem(a.items, b.items)),
});
