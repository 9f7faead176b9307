import { XMLParser, XMLValidator } from 'fast-xml-parser';

/*
 * A Maven POM read into the few facts we use: coordinates, parent, <properties>, dependencies
 * and dependencyManagement, licences. Entities are not expanded and a DOCTYPE is refused, so
 * a hostile pom cannot grow (billion laughs) or reach outside.
 */

export interface PomDependency {
  readonly groupId?: string;
  readonly artifactId?: string;
  readonly version?: string;
  readonly scope?: string;
  readonly optional?: string;
}

export interface PomModel {
  readonly groupId?: string;
  readonly artifactId?: string;
  readonly version?: string;
  readonly parent?: { readonly groupId?: string; readonly artifactId?: string; readonly version?: string };
  readonly properties: ReadonlyMap<string, string>;
  readonly dependencies: readonly PomDependency[];
  readonly managed: readonly PomDependency[];
  readonly licenses: readonly string[];
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: false,
  htmlEntities: false,
  isArray: (name) => name === 'dependency' || name === 'license',
});

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) =>
    ENTITIES[e] ?? String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)));
}

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = decode(v.trim());
  return t === '' ? undefined : t;
}

function child(node: unknown, name: string): Node | undefined {
  if (!isNode(node)) return undefined;
  const v = node[name];
  return isNode(v) ? v : undefined;
}

function list(node: Node | undefined, name: string): Node[] {
  const v = node?.[name];
  return Array.isArray(v) ? v.filter(isNode) : [];
}

function dependency(node: Node): PomDependency {
  const out: Record<string, string> = {};
  for (const key of ['groupId', 'artifactId', 'version', 'scope', 'optional'] as const) {
    const value = text(node[key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function properties(node: Node | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(node ?? {})) {
    const t = typeof value === 'string' ? decode(value.trim()) : undefined;
    if (t !== undefined) out.set(key, t);
  }
  return out;
}

/** Throws an Error saying why when the text is not a well-formed POM. */
export function parsePom(xml: string): PomModel {
  if (/<!DOCTYPE/i.test(xml)) throw new Error('a DOCTYPE is not allowed in a POM');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const doc: unknown = parser.parse(xml);
  const project = child(doc, 'project');
  if (project === undefined) throw new Error('no <project> root element');
  const parent = child(project, 'parent');
  const opt = (key: string, node: Node | undefined = project) => {
    const v = text(node?.[key]);
    return v === undefined ? {} : { [key]: v };
  };
  return {
    ...opt('groupId'), ...opt('artifactId'), ...opt('version'),
    ...(parent !== undefined ? { parent: { ...opt('groupId', parent), ...opt('artifactId', parent), ...opt('version', parent) } } : {}),
    properties: properties(child(project, 'properties')),
    dependencies: list(child(project, 'dependencies'), 'dependency').map(dependency),
    managed: list(child(child(project, 'dependencyManagement'), 'dependencies'), 'dependency').map(dependency),
    licenses: list(child(project, 'licenses'), 'license').map((l) => text(l.name) ?? text(l.url) ?? '').filter((n) => n !== ''),
  };
}
