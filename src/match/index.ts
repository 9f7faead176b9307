export { matchOsv, packageFromPurl, type OsvMatch, type OsvRecord, type PackageRef } from './osv.js';
export type { Finding, FindingEvidence, FindingPackage, FindingRating, FindingStatus, MatchVerdict } from './finding.js';
export {
  compareFindings, indexAdvisories, matchPackages, MatchError, packageQueries, releaseKey,
  type AdvisoryIndex, type IndexedEntry, type MatchErrorCode, type MatchOptions, type PackageQuery,
} from './matcher.js';
