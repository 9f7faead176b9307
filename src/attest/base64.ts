/**
 * Strict base64 (RFC 4648 §4, padded). Node's decoder skips characters it does not know and
 * ignores non-zero padding bits, so two different texts could decode to the same signature;
 * here a text is accepted only if re-encoding its bytes gives the text back (whitespace, as in
 * wrapped or newline-terminated signature files, is dropped first). Returns undefined otherwise.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  const bytes = Buffer.from(compact, 'base64');
  return bytes.toString('base64') === compact ? bytes : undefined;
}
