/*
 * Who a Java archive is, from the strongest evidence down: each META-INF/maven/<g>/<a>/pom.properties,
 * else the manifest, else the file name. Maven purls need a group, so when only an artifact name
 * is known the name stands in for the group (as syft does) and the identity is marked low confidence.
 */

export type IdentitySource = 'pom.properties' | 'manifest' | 'filename';

export interface JavaIdentity {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
  readonly source: IdentitySource;
  /** Group or name had to be guessed (manifest without vendor id, file name). */
  readonly low: boolean;
}

/** The archive's base name without its extension ("commons-io-2.11.0"). */
export function archiveStem(location: string): string {
  const base = location.slice(location.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/**
 * `name-1.2.3` → name and version. The version starts at a '-' followed by a digit: the last such
 * one whose remainder has a '.', so "log4j-1.2-api-2.17.1" → log4j-1.2-api / 2.17.1 and
 * "foo-2.0-beta-1" → foo / 2.0-beta-1; without any dotted candidate, the last '-digit'.
 */
export function splitFileName(stem: string): { name: string; version: string } | undefined {
  let dotted = -1;
  let any = -1;
  for (let i = stem.length - 2; i > 0; i--) {
    if (stem[i] !== '-' || !isDigit(stem[i + 1])) continue;
    if (any < 0) any = i;
    if (stem.indexOf('.', i) >= 0) {
      dotted = i;
      break;
    }
  }
  const at = dotted >= 0 ? dotted : any;
  return at > 0 ? { name: stem.slice(0, at), version: stem.slice(at + 1) } : undefined;
}

/** A pom.properties' coordinates; the path's <g>/<a> fill in what the file lacks. */
export function fromPomProperties(entry: string, props: ReadonlyMap<string, string>): JavaIdentity | string {
  const parts = entry.split('/');
  const groupId = props.get('groupId')?.trim() || parts[2] || '';
  const artifactId = props.get('artifactId')?.trim() || parts[3] || '';
  const version = props.get('version')?.trim() ?? '';
  if (groupId === '' || artifactId === '') return `${entry}: no groupId/artifactId`;
  if (version === '') return `${entry}: no version`;
  return { groupId, artifactId, version, source: 'pom.properties', low: false };
}

const hasSpace = (s: string): boolean => /\s/.test(s);

/**
 * Identity from the main manifest section. Version: Implementation-Version, else Bundle-Version.
 * Name: an Implementation-Title that reads like an artifact id (no spaces), else
 * Bundle-SymbolicName (without directives), else the file name's artifact part, else a spaced
 * Implementation-Title. Group: Implementation-Vendor-Id, else the name (low confidence).
 */
export function fromManifest(manifest: ReadonlyMap<string, string>, location: string): JavaIdentity | undefined {
  const version = manifest.get('implementation-version') || manifest.get('bundle-version');
  if (version === undefined || version === '') return undefined;
  const title = manifest.get('implementation-title') ?? '';
  const symbolic = (manifest.get('bundle-symbolicname') ?? '').split(';')[0]?.trim() ?? '';
  const fromFile = splitFileName(archiveStem(location))?.name ?? '';
  const name = [title !== '' && !hasSpace(title) ? title : '', symbolic, fromFile, title].find((n) => n !== '') ?? archiveStem(location);
  if (name === '') return undefined;
  const vendor = manifest.get('implementation-vendor-id') ?? '';
  return { groupId: vendor === '' ? name : vendor, artifactId: name, version, source: 'manifest', low: vendor === '' };
}

export function fromFileName(location: string): JavaIdentity | undefined {
  const split = splitFileName(archiveStem(location));
  if (split === undefined) return undefined;
  return { groupId: split.name, artifactId: split.name, version: split.version, source: 'filename', low: true };
}
