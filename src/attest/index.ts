// attest/: keys, cosign-compatible blob signatures, DSSE, in-toto statements, Sigstore bundles.
// Everything here works offline; nothing reaches Fulcio, Rekor or a TSA.
export { AttestError, isAttestError, type AttestErrorCode } from './errors.js';
export { failure, VERIFIED, type VerifyFailed, type VerifyFailure, type VerifyResult } from './result.js';
export {
  COSIGN_KEY_PEM_TYPE, generateKeyPair, loadPrivateKey, loadPublicKey, publicKeyHint, publicKeyPem, SIGSTORE_KEY_PEM_TYPE,
  type KeyPairPem,
} from './keys.js';
export { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, writeKeyPair, writeNewFile } from './keyfiles.js';
export { sha256File, signBlob, signBlobFile, verifyBlob, verifyBlobFile } from './blob.js';
export { IN_TOTO_PAYLOAD_TYPE, preAuthEncoding, type Envelope, type SerializedEnvelope } from './dsse.js';
export {
  inTotoStatement, parseStatement, SLSA_PROVENANCE_V1, STATEMENT_TYPE_V1, statementBytes, type Statement, type Subject,
} from './statement.js';
export { BUNDLE_V03_MEDIA_TYPE, signDsse, verifyBundle, verifyEnvelope, type SerializedBundle } from './bundle.js';
export { EXPORT_MANIFEST, EXPORT_SIGNATURE, EXPORT_STATEMENT, manifestEntries, type ManifestEntry } from './manifest.js';
export { EXPORT_PROVENANCE, signExport, signExportDir, verifyExportDir, type ExportPredicate } from './export.js';
