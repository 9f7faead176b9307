/*
 * Core metadata (METADATA, PKG-INFO): RFC 822 style headers, one `Name: value` per line, a line
 * starting with white space continuing the previous value, the first empty line ending the
 * headers (what follows is the description body since Metadata-Version 2.1). Multiple-use fields
 * (Classifier, License-File…) repeat; field names are case-insensitive, as email.parser reads them.
 */

export interface CoreMetadata {
  /** Lower-case field name → every value, in order. */
  readonly fields: ReadonlyMap<string, readonly string[]>;
  /** Lines in the header block that are neither a field nor a continuation. */
  readonly badLines: number;
}

export function parseCoreMetadata(text: string): CoreMetadata {
  const fields = new Map<string, string[]>();
  let badLines = 0;
  let last: { values: string[]; index: number } | undefined;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    // Only an empty line ends the headers: a line of white space is a (blank) continuation.
    if (line === '') {
      if (fields.size > 0 || badLines > 0) break;
      continue;
    }
    const first = line.charCodeAt(0);
    if ((first === 32 || first === 9) && last !== undefined) {
      last.values[last.index] = `${last.values[last.index] ?? ''}\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) {
      badLines++;
      last = undefined;
      continue;
    }
    const key = line.slice(0, colon).toLowerCase();
    const values = fields.get(key) ?? [];
    values.push(line.slice(colon + 1).trim());
    fields.set(key, values);
    last = { values, index: values.length - 1 };
  }
  return { fields, badLines };
}

/** The first value of a field, trimmed; undefined when absent or empty. */
export function field(metadata: CoreMetadata, name: string): string | undefined {
  const value = metadata.fields.get(name)?.[0]?.trim();
  return value === undefined || value === '' ? undefined : value;
}
