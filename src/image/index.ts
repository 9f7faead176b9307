export { ImageError, isImageError, type ImageErrorCode } from './errors.js';
export { openImage, type SourceKind } from './open.js';
export {
  DEFAULT_PLATFORM,
  formatPlatform,
  parsePlatform,
  type BlobStore,
  type DirectoryImageSource,
  type ImageSource,
  type LayeredImageSource,
  type OpenImageOptions,
  type Platform,
} from './source.js';
export { DEFAULT_WALK_LIMITS, walkLayer, type EntryInfo, type FileConsumer, type RawLayer, type SkippedFile, type WalkLimits, type WalkOptions } from './walk.js';
export { walkDirectory, type DirectoryWalkOptions } from './walk-dir.js';
export { normalizeImagePath, resolveInImage } from './paths.js';
export { internalAddressPolicy, type AddressPolicy } from './address-policy.js';
export { openRegistry, RegistryBlobStore, type RegistryOptions } from './registry.js';
export { RegistryError, isRegistryError, type RegistryErrorCode } from './registry-errors.js';
export { parseRegistryReference, formatReference, type RegistryReference } from './registry-reference.js';
