export {
  ADVISORY_SCHEMA_VERSION,
  type Advisory, type AffectedPackage, type AffectedRange, type AffectedStatus, type ContributingRecord,
  type CpeConfiguration, type CpeMatch, type CpeNode, type Field, type Provenance, type Reference,
  type Severity, type SeverityRating, type SourceAdvisory, type SourceClass, type Weakness,
} from './model.js';
export {
  canonicalJson, DISTRO_ECOSYSTEMS, normalizePackageName, normalizeTimestamp, severityFromLabel,
  severityFromScore, splitEcosystem,
} from './normalize.js';
export {
  aliasComponents, chooseKey, compareIds, groupByAlias, idScheme, isPlaceholderId, joinedIds,
  normalizeAdvisoryId, upstreamIds, type AliasComponent, type AliasNode,
} from './alias-graph.js';
export { DEFAULT_PRECEDENCE, mergeAll, mergeGroup, normalizeUrl, type MergeErrorCode, type MergeOptions } from './merge.js';
