/*
 * deb822 / RFC 822-style stanzas (dpkg's status file, distroless status.d entries): "Field: value"
 * lines, continuation lines starting with a space or tab, stanzas separated by one or more blank
 * lines. Tolerant of CRLF line ends, blank lines made of white space and a missing final newline.
 * See deb822(5) and dpkg's lib/dpkg/parse.c.
 */

export interface Stanza {
  /** 1-based line number of the stanza's first line (for messages). */
  readonly line: number;
  /** Field values by lower-cased field name (deb822 field names are case-insensitive). */
  readonly fields: ReadonlyMap<string, string>;
  /** Set when the stanza is syntactically broken; `fields` then holds what could be read. */
  readonly error?: string;
}

export interface StanzaParse {
  readonly stanzas: readonly Stanza[];
  /** Number of syntactically valid "Field: value" lines seen in the whole text. */
  readonly fieldLines: number;
}

/** A field name: printable US-ASCII except ':' and space, then ':' and the value. */
const FIELD_LINE = /^([!-9;-~][!-9;-~]*):(.*)$/;

class StanzaBuilder {
  readonly fields = new Map<string, string>();
  error: string | undefined;
  private last: string | undefined;

  constructor(readonly line: number) {}

  addLine(text: string, lineNo: number): boolean {
    if (text.startsWith(' ') || text.startsWith('\t')) {
      if (this.last === undefined) return this.fail(`line ${lineNo}: continuation line before any field`);
      this.fields.set(this.last, `${this.fields.get(this.last) ?? ''}\n${text.trimEnd()}`);
      return true;
    }
    const match = FIELD_LINE.exec(text);
    if (match === null) return this.fail(`line ${lineNo}: expected "Field: value", got ${JSON.stringify(text.slice(0, 60))}`);
    const name = (match[1] ?? '').toLowerCase();
    if (this.fields.has(name)) return this.fail(`line ${lineNo}: duplicate field "${match[1] ?? ''}"`);
    this.fields.set(name, (match[2] ?? '').trim());
    this.last = name;
    return true;
  }

  private fail(message: string): false {
    this.error ??= message;
    return false;
  }

  build(): Stanza {
    return this.error === undefined ? { line: this.line, fields: this.fields } : { line: this.line, fields: this.fields, error: this.error };
  }
}

/** Splits `text` into stanzas; never throws (callers decide what an empty or broken result means). */
export function parseStanzas(text: string): StanzaParse {
  const stanzas: Stanza[] = [];
  let current: StanzaBuilder | undefined;
  let fieldLines = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') {
      if (current !== undefined) stanzas.push(current.build());
      current = undefined;
      continue;
    }
    current ??= new StanzaBuilder(i + 1);
    if (current.addLine(line, i + 1) && !line.startsWith(' ') && !line.startsWith('\t')) fieldLines++;
  }
  if (current !== undefined) stanzas.push(current.build());
  return { stanzas, fieldLines };
}

/**
 * Decodes a package database as UTF-8 text; undefined when it is binary (holds NUL bytes), which no
 * text database does.
 */
export function decodeText(content: Buffer): string | undefined {
  if (content.includes(0)) return undefined;
  const text = content.toString('utf8');
  return text.startsWith('\ufeff') ? text.slice(1) : text;
}
