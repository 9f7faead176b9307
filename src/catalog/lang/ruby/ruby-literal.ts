/*
 * The Ruby literals rubygems writes into installed gemspecs, read without evaluating anything:
 * "…" and '…' strings, %q/%Q strings with any bracket, an optional `.freeze`, arrays of those,
 * and Gem::Version.new("…"). Anything else is "not a literal" (undefined), never a guess.
 */

const CLOSING: Readonly<Record<string, string>> = { '{': '}', '(': ')', '[': ']', '<': '>' };
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', s: ' ', '0': '\0', e: '\u001b' };

interface Parsed<T> {
  readonly value: T;
  readonly end: number;
}

function skipSpaces(text: string, at: number): number {
  let i = at;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

function quoted(text: string, start: number, close: string, open: string | undefined, interpolating: boolean): Parsed<string> | undefined {
  let out = '';
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      const next = text[++i] as string;
      if (interpolating) out += ESCAPES[next] ?? next;
      else out += next === close || next === '\\' || next === open ? next : `\\${next}`;
      continue;
    }
    if (interpolating && c === '#' && text[i + 1] === '{') return undefined;
    if (open !== undefined && c === open) depth++;
    else if (c === close) {
      if (depth === 0) return { value: out, end: i + 1 };
      depth--;
    }
    out += c;
  }
  return undefined;
}

function withFreeze(parsed: Parsed<string> | undefined, text: string): Parsed<string> | undefined {
  if (parsed === undefined) return undefined;
  return text.startsWith('.freeze', parsed.end) ? { value: parsed.value, end: parsed.end + '.freeze'.length } : parsed;
}

export function stringAt(text: string, at: number): Parsed<string> | undefined {
  const i = skipSpaces(text, at);
  const c = text[i];
  if (c === '"') return withFreeze(quoted(text, i + 1, '"', undefined, true), text);
  if (c === "'") return withFreeze(quoted(text, i + 1, "'", undefined, false), text);
  if (c === '%' && (text[i + 1] === 'q' || text[i + 1] === 'Q')) {
    const open = text[i + 2] ?? '';
    const close = CLOSING[open] ?? open;
    if (open === '' || /[\w\s]/.test(open)) return undefined;
    return withFreeze(quoted(text, i + 3, close, CLOSING[open] === undefined ? undefined : open, text[i + 1] === 'Q'), text);
  }
  if (text.startsWith('Gem::Version.new(', i)) {
    const inner = stringAt(text, i + 'Gem::Version.new('.length);
    if (inner === undefined) return undefined;
    const end = skipSpaces(text, inner.end);
    return text[end] === ')' ? { value: inner.value, end: end + 1 } : undefined;
  }
  return undefined;
}

/** A string literal or an array of them (`["MIT".freeze, "Ruby".freeze]`) at `at`. */
export function stringsAt(text: string, at: number): string[] | undefined {
  let i = skipSpaces(text, at);
  if (text[i] !== '[') {
    const one = stringAt(text, i);
    return one === undefined ? undefined : [one.value];
  }
  const values: string[] = [];
  i = skipSpaces(text, i + 1);
  while (text[i] !== ']') {
    const item = stringAt(text, i);
    if (item === undefined) return undefined;
    values.push(item.value);
    i = skipSpaces(text, item.end);
    if (text[i] === ',') i = skipSpaces(text, i + 1);
    else if (text[i] !== ']') return undefined;
  }
  return values;
}
