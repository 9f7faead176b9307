import type { JsonObject } from './reader-json.js';

/** Tags that end the current package: the next section is a file, snippet or extracted license. */
const SECTION_STARTS = new Set(['FileName', 'SnippetSPDXID', 'LicenseID']);

interface TagValue {
  readonly tag: string;
  readonly value: string;
  readonly line: number;
}

/** Splits the document into tag/value pairs; <text>…</text> values may span lines. */
function tagValues(text: string, onBadLine: (line: number, content: string) => void): TagValue[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const out: TagValue[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const match = /^\s*([A-Za-z][A-Za-z0-9]*)\s*:\s?(.*)$/.exec(line);
    if (match === null) {
      onBadLine(i + 1, line);
      continue;
    }
    let value = (match[2] as string).trim();
    const start = i;
    if (value.startsWith('<text>')) {
      const parts = [value.slice('<text>'.length)];
      while (!(parts[parts.length - 1] as string).includes('</text>') && i + 1 < lines.length) parts.push(lines[++i] as string);
      value = parts.join('\n').replace(/<\/text>[\s\S]*$/, '');
    }
    out.push({ tag: match[1] as string, value, line: start + 1 });
  }
  return out;
}

function setPackageField(pkg: JsonObject, tag: string, value: string): void {
  switch (tag) {
    case 'SPDXID': pkg.SPDXID ??= value; break;
    case 'PackageVersion': pkg.versionInfo = value; break;
    case 'PackageLicenseDeclared': pkg.licenseDeclared = value; break;
    case 'PackageLicenseConcluded': pkg.licenseConcluded = value; break;
    case 'PrimaryPackagePurpose': pkg.primaryPackagePurpose = value; break;
    case 'PackageSourceInfo': pkg.sourceInfo = value; break;
    case 'PackageAttributionText': (pkg.attributionTexts as string[]).push(value); break;
    case 'ExternalRef': {
      const [category, type, ...locator] = value.split(/\s+/);
      (pkg.externalRefs as JsonObject[]).push({ referenceCategory: category, referenceType: type, referenceLocator: locator.join(' ') });
      break;
    }
    default: break;
  }
}

/**
 * SPDX 2 tag-value in the JSON document shape the SPDX 2 reader maps (spdxVersion and the package
 * fields it uses). Lines that are not "Tag: value" are reported, not fatal.
 */
export function spdxTagValueToJson(text: string, onBadLine: (line: number, content: string) => void): JsonObject {
  const packages: JsonObject[] = [];
  let spdxVersion: string | undefined;
  let current: JsonObject | undefined;
  for (const { tag, value } of tagValues(text, onBadLine)) {
    if (tag === 'SPDXVersion') spdxVersion ??= value;
    else if (tag === 'PackageName') {
      current = { name: value, externalRefs: [], attributionTexts: [] };
      packages.push(current);
    } else if (SECTION_STARTS.has(tag)) current = undefined;
    else if (current !== undefined) setPackageField(current, tag, value);
  }
  return { spdxVersion, packages };
}
