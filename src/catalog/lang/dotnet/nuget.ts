import { posix } from 'node:path';
import type { PackageDraft } from '../../../inventory/index.js';
import { CatalogError } from '../../analyzer.js';

/*
 * What the four .NET analyzers share. NuGet ids are case-insensitive and nuget.org serves them
 * lower-cased (the purl spec's nuget example keeps the case, but the registry key is the lower-case
 * id): `name` is lower-cased and the id as written stays in `stella:nuget-id`.
 * The project of every .NET file is the directory holding it: a published app's directory for
 * `*.deps.json`, the project directory for packages.lock.json, packages.config and *.csproj.
 */

export type Evidence = 'installed' | 'declared';

export interface NugetFacts {
  readonly id: string;
  readonly version: string;
  readonly path: string;
  readonly foundBy: string;
  readonly evidence: Evidence;
  readonly extra?: Readonly<Record<string, string | undefined>>;
}

export const projectOf = (path: string): string => posix.dirname(path);

export function nugetDraft(facts: NugetFacts): PackageDraft {
  const properties: Record<string, string> = {
    'stella:evidence': facts.evidence,
    'stella:project': projectOf(facts.path),
    'stella:nuget-id': facts.id,
  };
  for (const [key, value] of Object.entries(facts.extra ?? {})) if (value !== undefined) properties[key] = value;
  return { type: 'nuget', name: facts.id.toLowerCase(), version: facts.version, location: facts.path, foundBy: facts.foundBy, properties };
}

/** JSON of a whole file, or the file's CatalogError. A UTF-8 byte-order mark is allowed. */
export function parseJsonFile(path: string, content: Buffer, what: string): unknown {
  try {
    return JSON.parse(content.toString('utf8').replace(/^\uFEFF/, '')) as unknown;
  } catch (cause) {
    throw new CatalogError('MALFORMED_FILE', `${path} is not valid JSON: not ${what}`, { cause });
  }
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

