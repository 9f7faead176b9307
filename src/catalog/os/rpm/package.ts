import type { PackageDraft } from '../../../inventory/index.js';
import { RPMTAG, type RpmHeader } from './header.js';
import { normalizeRpmLicense } from './license.js';

/** A source rpm file name, `name-version-release.src.rpm` (or `.nosrc.rpm`), split. */
export function parseSourceRpm(file: string): { name: string; version: string; release: string } | undefined {
  const base = /^(.+)\.(?:no)?src\.rpm$/.exec(file.trim())?.[1];
  if (base === undefined) return undefined;
  const releaseDash = base.lastIndexOf('-');
  const versionDash = base.lastIndexOf('-', releaseDash - 1);
  if (versionDash <= 0) return undefined;
  return { name: base.slice(0, versionDash), version: base.slice(versionDash + 1, releaseDash), release: base.slice(releaseDash + 1) };
}

const present = (value: string | undefined): value is string => value !== undefined && value !== '' && value !== '(none)';

/**
 * The package a header describes, or a reason it is not one. The version is rpm's %{EVR}:
 * `epoch:version-release` when the header has an EPOCH tag (even 0, as `rpm -q --qf %{EVR}`
 * prints it), else `version-release`; version comparison treats a missing epoch as 0 either way.
 * Returns undefined for the gpg-pubkey pseudo-packages `rpm --import` stores.
 */
export function headerToPackage(header: RpmHeader, location: string): PackageDraft | string | undefined {
  const name = header.string(RPMTAG.NAME);
  const version = header.string(RPMTAG.VERSION);
  const release = header.string(RPMTAG.RELEASE);
  if (!present(name)) return 'no NAME tag';
  if (name === 'gpg-pubkey') return undefined;
  if (!present(version) || release === undefined) return `package ${name}: no VERSION or RELEASE tag`;
  const epoch = header.numbers(RPMTAG.EPOCH)?.[0];
  const evr = `${epoch === undefined ? '' : `${epoch}:`}${version}-${release}`;
  const arch = header.string(RPMTAG.ARCH);
  const properties: Record<string, string> = {};
  const rawLicense = (header.string(RPMTAG.LICENSE) ?? '').trim();
  const license = rawLicense === '' ? undefined : normalizeRpmLicense(rawLicense);
  // The raw text is kept whenever it is not what we report (spacing aside), so a correction stays visible.
  if (rawLicense !== '' && license?.replace(/\s/g, '') !== rawLicense.replace(/\s/g, '')) properties['stella:license-raw'] = rawLicense;
  const label = header.string(RPMTAG.MODULARITYLABEL);
  if (present(label)) properties['stella:modularitylabel'] = label;
  const sourceRpm = header.string(RPMTAG.SOURCERPM);
  const source = present(sourceRpm) ? parseSourceRpm(sourceRpm) : undefined;
  // A source rpm file name carries no epoch; binaries share their source's epoch (as Trivy assumes).
  const sourceVersion = source === undefined ? undefined : `${epoch === undefined ? '' : `${epoch}:`}${source.version}-${source.release}`;
  return {
    type: 'rpm', name, version: evr, location, foundBy: 'rpm',
    ...(present(arch) ? { arch } : {}),
    ...(source === undefined ? {} : { source: sourceVersion === evr ? { name: source.name } : { name: source.name, version: sourceVersion } }),
    ...(license === undefined ? {} : { licenses: [license] }),
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
  };
}
