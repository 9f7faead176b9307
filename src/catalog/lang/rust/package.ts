import type { PackageDraft } from '../../../inventory/index.js';

/**
 * A crate as a package: type cargo, name as Cargo.lock / the registry write it (crates.io keeps
 * the published spelling; "-" and "_" are not folded). A crate without a registry or git source
 * is the project's own (a workspace member, a path dependency): reported, marked stella:cargo-local.
 */
export function crateDraft(name: string, version: string, location: string, foundBy: string, properties: Record<string, string>): PackageDraft {
  return { type: 'cargo', name, version, location, foundBy, properties };
}
