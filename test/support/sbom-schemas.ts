/*
 * Validates SBOMs against the official schemas copied (with their SOURCE) under
 * src/sbom/testdata/schemas/, offline: ajv 8 (draft-07 for CycloneDX 1.6 and SPDX 2.3, draft 2020-12
 * for SPDX 3.0.1) + ajv-formats, set up like the CycloneDX library's own validator. CycloneDX is also
 * checked by that library's JsonStrictValidator, which needs its optional dependency ajv-formats-draft2019:
 * without it the official schema alone is checked locally, and under CI=true that is a failure.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Validation, Spec } from '@cyclonedx/cyclonedx-library';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';

export type SbomSchema = 'cyclonedx-1.6' | 'spdx-2.3' | 'spdx-3.0.1';

export interface SchemaVerdict {
  /** Which validators ran, e.g. ["official bom-1.6 schema (ajv)", "@cyclonedx/cyclonedx-library JsonStrictValidator 1.6"]. */
  readonly validators: readonly string[];
  /** Empty when valid: one line per error, "<instance path> <message>". */
  readonly errors: readonly string[];
  /** Set when the CycloneDX library's validator could not run, and why. */
  readonly libraryUnavailable?: string;
}

const SCHEMA_DIR = fileURLToPath(new URL('../../src/sbom/testdata/schemas/', import.meta.url));
type FormatsPlugin = (ajv: Ajv | Ajv2020) => unknown;
const addFormats = ((formatsModule as unknown as { default?: FormatsPlugin }).default ?? formatsModule) as unknown as FormatsPlugin;

function load(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${SCHEMA_DIR}${file}`, 'utf8')) as Record<string, unknown>;
}

/** The options the CycloneDX library uses: not strict about schema keywords, no remote loading. */
const AJV_OPTIONS = { strict: false, allErrors: true, useDefaults: false, addUsedSchema: false } as const;

function withFormats<T extends Ajv | Ajv2020>(ajv: T): T {
  addFormats(ajv);
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u); // ajv-formats-draft2019's format, not installed here
  ajv.addFormat('iri-reference', true); // as the CycloneDX library does
  return ajv;
}

const compiled = new Map<SbomSchema, ValidateFunction>();

function compile(schema: SbomSchema): ValidateFunction {
  const known = compiled.get(schema);
  if (known !== undefined) return known;
  let validate: ValidateFunction;
  if (schema === 'cyclonedx-1.6') {
    const ajv = withFormats(new Ajv({ ...AJV_OPTIONS, schemas: [load('spdx.schema.json'), load('jsf-0.82.schema.json')] }));
    validate = ajv.compile(load('bom-1.6.schema.json'));
  } else if (schema === 'spdx-2.3') {
    validate = withFormats(new Ajv(AJV_OPTIONS)).compile(load('spdx-2.3.schema.json'));
  } else {
    validate = withFormats(new Ajv2020(AJV_OPTIONS)).compile(load('spdx-3.0.1.schema.json'));
  }
  compiled.set(schema, validate);
  return validate;
}

function describe(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}

/** Validates against the local copy of the official schema only. */
export function validateWithSchema(schema: SbomSchema, document: unknown): string[] {
  const validate = compile(schema);
  return validate(document) ? [] : describe(validate.errors);
}

/** The CycloneDX library's own strict 1.6 validator; `undefined` errors when it cannot run here. */
async function libraryValidate(json: string): Promise<{ errors?: string[]; unavailable?: string }> {
  try {
    const result = await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(json);
    return { errors: result === null ? [] : describe(result as ErrorObject[]) };
  } catch (err) {
    if (err instanceof Validation.MissingOptionalDependencyError) return { unavailable: err.message.replace(/\s+/g, ' ') };
    throw err;
  }
}

/** Validates a serialized SBOM against its official schema (and, for CycloneDX, the library's validator). */
export async function validateSbom(schema: SbomSchema, json: string): Promise<SchemaVerdict> {
  const local = validateWithSchema(schema, JSON.parse(json));
  const validators = [`official ${schema} schema (ajv)`];
  if (schema !== 'cyclonedx-1.6') return { validators, errors: local };
  const lib = await libraryValidate(json);
  if (lib.errors === undefined) {
    const unavailable = lib.unavailable ?? 'unknown reason';
    // Like requireTool: locally the official schema alone is checked (loudly); CI must run the library's validator too.
    if (process.env.CI === 'true') return { validators, errors: [...local, `CycloneDX library validator unavailable (CI=true): ${unavailable}`], libraryUnavailable: unavailable };
    process.stderr.write(`\n!!! CycloneDX library validator not run: ${unavailable}\n`);
    return { validators, errors: local, libraryUnavailable: unavailable };
  }
  return { validators: [...validators, '@cyclonedx/cyclonedx-library JsonStrictValidator 1.6'], errors: [...local, ...lib.errors] };
}
