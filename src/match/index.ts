export { matchOsv, packageFromPurl, type OsvMatch, type OsvRecord, type PackageRef } from './osv.js';
export type { Finding, FindingEvidence, FindingPackage, FindingRating, FindingStatus, MatchVerdict } from './finding.js';
