export { VersionError, invalidVersion, type SchemeName, type VersionErrorCode, type VersionScheme } from './scheme.js';
export { getScheme, isSchemeName, SCHEME_NAMES } from './registry.js';
export { splitDebVersion } from './deb.js';
export { parseEvr } from './rpm.js';
export { normalizeComposerVersion } from './composer.js';
export {
  compileRange, evaluate, formatVers, parseVers, testCompiled,
  type CompiledRange, type RangeVerdict, type VersConstraint, type VersRange,
} from './range.js';
export { checkRange, parseRangeForScheme } from './range-parse.js';
export {
  evaluateOsvAffected, osvRangeToVers, schemeForOsvEcosystem,
  type OsvAffected, type OsvEvent, type OsvRange, type OsvSchemes,
} from './osv-range.js';
export { parseGhsaConstraint } from './constraints/ghsa.js';
