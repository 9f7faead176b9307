/*
 * The two line-oriented metadata formats inside a jar: java.util.Properties text (pom.properties)
 * and the JAR manifest (META-INF/MANIFEST.MF, main section only).
 */

/** java.util.Properties text: `key=value`, `key: value` or `key value`; `#`/`!` comments; `\` continues a line. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (endsWithOddBackslashes(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + (lines[++i] ?? '').replace(/^[ \t\f]+/, '');
    }
    const { key, value } = splitProperty(line);
    if (key !== '' && !out.has(key)) out.set(unescape(key), unescape(value));
  }
  return out;
}

function endsWithOddBackslashes(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function splitProperty(line: string): { key: string; value: string } {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') {
      let rest = line.slice(i + 1).replace(/^[ \t\f]+/, '');
      if ((c === ' ' || c === '\t' || c === '\f') && (rest.startsWith('=') || rest.startsWith(':'))) rest = rest.slice(1).replace(/^[ \t\f]+/, '');
      return { key: line.slice(0, i), value: rest };
    }
  }
  return { key: line, value: '' };
}

function unescape(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, esc: string) => {
    if (esc.length === 5) return String.fromCharCode(parseInt(esc.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[esc] ?? esc;
  });
}

/**
 * The main section of a JAR manifest: `Name: value` lines up to the first blank line, a line
 * starting with one space continuing the previous value. Names are case-insensitive (lower-cased here).
 */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (out.size > 0) break;
      continue;
    }
    if (line.startsWith(' ')) {
      if (last !== undefined) out.set(last, `${out.get(last) ?? ''}${line.slice(1)}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      last = undefined;
      continue;
    }
    last = line.slice(0, colon).trim().toLowerCase();
    if (out.has(last)) {
      last = undefined;
      continue;
    }
    out.set(last, line.slice(colon + 1).replace(/^ /, ''));
  }
  for (const [key, value] of out) out.set(key, value.trim());
  return out;
}
