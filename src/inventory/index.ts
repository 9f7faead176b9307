export type { Distro, ImageInfo, Inventory, LayerInfo, Package, PackageType, ScanIssue, SourcePackage } from './model.js';
export { comparePackages, sortPackages } from './sort.js';
export { buildPurl, finalizePackage, type PackageDraft } from './purl.js';
