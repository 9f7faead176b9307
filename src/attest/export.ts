import type { KeyObject } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256File, signBlob, verifyBlob } from './blob.js';
import { signDsse, verifyEnvelope } from './bundle.js';
import { IN_TOTO_PAYLOAD_TYPE } from './dsse.js';
import { AttestError } from './errors.js';
import { CONTROL_FILES, EXPORT_MANIFEST, EXPORT_SIGNATURE, EXPORT_STATEMENT, manifestEntries, type ManifestEntry } from './manifest.js';
import { failure, VERIFIED, type VerifyFailed, type VerifyResult } from './result.js';
import { inTotoStatement, parseStatement, SLSA_PROVENANCE_V1, statementBytes, type Subject } from './statement.js';

export interface ExportPredicate {
  predicateType: string;
  predicate: object;
}

/** The default predicate: SLSA provenance v1 naming the export as its build type. */
export const EXPORT_PROVENANCE: ExportPredicate = {
  predicateType: SLSA_PROVENANCE_V1,
  predicate: {
    buildDefinition: { buildType: 'https://stella-ops.org/attestations/export/v1', externalParameters: { manifest: EXPORT_MANIFEST } },
    runDetails: { builder: { id: 'https://stella-ops.org/stella' } },
  },
};

/**
 * Signs an export directory whose manifest.json lists its files: writes manifest.json.sig (cosign
 * blob signature of manifest.json) and statement.dsse.json (a DSSE envelope holding an in-toto
 * Statement v1 with every listed file as a subject). The manifest's digests are trusted as given.
 */
export async function signExportDir(dir: string, key: KeyObject, predicate: ExportPredicate = EXPORT_PROVENANCE): Promise<void> {
  const manifest = await readManifest(dir);
  await signExport(dir, manifestEntries(manifest.json), key, predicate);
}

/** As signExportDir, with the subjects given by the caller instead of read from the manifest. */
export async function signExport(dir: string, subjects: Subject[], key: KeyObject, predicate: ExportPredicate = EXPORT_PROVENANCE): Promise<void> {
  const manifest = await readManifest(dir);
  const statement = inTotoStatement(subjects.map(({ name, sha256 }) => ({ name, sha256 })), predicate.predicateType, predicate.predicate);
  const bundle = await signDsse(statementBytes(statement), IN_TOTO_PAYLOAD_TYPE, key);
  // As `cosign sign-blob --output-signature`: base64, no trailing newline.
  await writeFile(path.join(dir, EXPORT_SIGNATURE), signBlob(manifest.bytes, key));
  await writeFile(path.join(dir, EXPORT_STATEMENT), `${JSON.stringify(bundle.dsseEnvelope, null, 2)}\n`);
}

/**
 * Checks an export directory completely: the manifest signature, the statement's signature, that
 * the statement's subjects are exactly the manifest's files, and that every file on disk is listed,
 * present, a regular file, and has the listed SHA-256 and size. Nothing here reaches the network.
 */
export async function verifyExportDir(dir: string, publicKey: KeyObject): Promise<VerifyResult> {
  const manifest = await readFile(path.join(dir, EXPORT_MANIFEST)).catch(() => undefined);
  if (manifest === undefined) return failure('MISSING_FILE', `${EXPORT_MANIFEST} is missing`);
  const signature = await readFile(path.join(dir, EXPORT_SIGNATURE), 'utf8').catch(() => undefined);
  if (signature === undefined) return failure('MISSING_FILE', `${EXPORT_SIGNATURE} is missing`);
  const signed = verifyBlob(manifest, signature, publicKey);
  if (!signed.ok) return failure(signed.code, `${EXPORT_SIGNATURE}: ${signed.reason}`);
  let entries: ManifestEntry[];
  try {
    entries = manifestEntries(JSON.parse(manifest.toString('utf8')));
  } catch (error) {
    return failure('MALFORMED', `${EXPORT_MANIFEST}: ${error instanceof SyntaxError ? 'not JSON' : (error as Error).message}`);
  }
  const attested = await verifyStatement(dir, publicKey, entries);
  if (!attested.ok) return attested;
  return verifyFiles(dir, entries);
}

async function verifyStatement(dir: string, publicKey: KeyObject, entries: ManifestEntry[]): Promise<VerifyResult> {
  const text = await readFile(path.join(dir, EXPORT_STATEMENT), 'utf8').catch(() => undefined);
  if (text === undefined) return failure('MISSING_FILE', `${EXPORT_STATEMENT} is missing`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return failure('MALFORMED', `${EXPORT_STATEMENT} is not JSON`);
  }
  const checked = await verifyEnvelope(json, publicKey);
  if (!checked.ok) return failure(checked.code, `${EXPORT_STATEMENT}: ${checked.reason}`);
  const { envelope } = checked;
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) return failure('MALFORMED', `${EXPORT_STATEMENT}: payload type ${envelope.payloadType} is not in-toto`);
  const statement = parseStatement(envelope.payload);
  if (typeof statement === 'string') return failure('MALFORMED', `${EXPORT_STATEMENT}: ${statement}`);
  const listed = new Map(entries.map((e) => [e.name, e.sha256]));
  const subjects = new Map(statement.subject.map((s) => [s.name, s.digest.sha256]));
  const differences = [
    ...[...listed].filter(([name, digest]) => subjects.get(name) !== digest).map(([name]) => `${name} (manifest) has no matching subject`),
    ...[...subjects].filter(([name, digest]) => listed.get(name) !== digest).map(([name]) => `subject ${name} is not in the manifest`),
  ];
  if (subjects.size !== statement.subject.length) differences.push('the statement names a subject twice');
  return differences.length === 0 ? VERIFIED : failure('DIGEST_MISMATCH', `${EXPORT_STATEMENT}: ${summarize(differences)}`);
}

async function verifyFiles(dir: string, entries: ManifestEntry[]): Promise<VerifyResult> {
  const problems: VerifyFailed[] = [];
  const onDisk = await listFiles(dir, '', problems);
  const listed = new Set(entries.map((e) => e.name));
  for (const name of onDisk) if (!listed.has(name) && !CONTROL_FILES.has(name)) problems.push(failure('MISSING_FILE', `${name} is not in the manifest`));
  for (const entry of entries) {
    if (!onDisk.has(entry.name)) {
      problems.push(failure('MISSING_FILE', `${entry.name} is missing`));
      continue;
    }
    const actual = await sha256File(path.join(dir, ...entry.name.split('/')));
    if (actual.sha256 !== entry.sha256) problems.push(failure('DIGEST_MISMATCH', `${entry.name}: sha256 ${actual.sha256}, manifest says ${entry.sha256}`));
    else if (entry.size !== undefined && actual.size !== entry.size) problems.push(failure('DIGEST_MISMATCH', `${entry.name}: ${actual.size} bytes, manifest says ${entry.size}`));
  }
  const [first] = problems;
  return first === undefined ? VERIFIED : failure(first.code, summarize(problems.map((p) => p.reason)));
}

/** Regular files under dir, as "/"-joined relative paths; anything else is a problem. */
async function listFiles(dir: string, prefix: string, problems: VerifyFailed[]): Promise<Set<string>> {
  const found = new Set<string>();
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) for (const name of await listFiles(dir, rel, problems)) found.add(name);
    else if (entry.isFile()) found.add(rel);
    else problems.push(failure('MALFORMED', `${rel} is not a regular file`));
  }
  return found;
}

async function readManifest(dir: string): Promise<{ bytes: Buffer; json: unknown }> {
  const file = path.join(dir, EXPORT_MANIFEST);
  const bytes = await readFile(file).catch((cause: unknown) => {
    throw new AttestError('BAD_MANIFEST', `cannot read ${file}`, { cause });
  });
  try {
    return { bytes, json: JSON.parse(bytes.toString('utf8')) };
  } catch (cause) {
    throw new AttestError('BAD_MANIFEST', `${file} is not JSON`, { cause });
  }
}

function summarize(problems: string[]): string {
  const shown = problems.slice(0, 5).join('; ');
  return problems.length > 5 ? `${shown} (and ${problems.length - 5} more)` : shown;
}
