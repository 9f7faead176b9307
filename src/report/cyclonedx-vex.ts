import type { SuppressedFinding } from './model.js';

/*
 * A suppressed finding as a CycloneDX impact analysis. OpenVEX justifications are mapped only where
 * CycloneDX has the same meaning; vulnerable_code_cannot_be_controlled_by_adversary has no
 * equivalent (CycloneDX/specification#609), so that label is kept in `detail` instead of guessed.
 */

const JUSTIFICATIONS: ReadonlyMap<string, string> = new Map([
  ['component_not_present', 'code_not_present'],
  ['vulnerable_code_not_present', 'code_not_present'],
  ['vulnerable_code_not_in_execute_path', 'code_not_reachable'],
  ['inline_mitigations_already_exist', 'protected_by_mitigating_control'],
]);

/** CycloneDX's own justification values, accepted as they are. */
const CYCLONEDX_JUSTIFICATIONS: ReadonlySet<string> = new Set([
  'code_not_present', 'code_not_reachable', 'requires_configuration', 'requires_dependency', 'requires_environment',
  'protected_by_compiler', 'protected_at_runtime', 'protected_at_perimeter', 'protected_by_mitigating_control',
]);

export interface CdxAnalysis {
  readonly state?: 'not_affected' | 'resolved';
  readonly justification?: string;
  readonly detail?: string;
}

function mappedJustification(label: string | undefined): string | undefined {
  if (label === undefined) return undefined;
  return JUSTIFICATIONS.get(label) ?? (CYCLONEDX_JUSTIFICATIONS.has(label) ? label : undefined);
}

/**
 * VEX `fixed` → resolved; VEX `not_affected` → not_affected with the mapped justification. An
 * ignore-file entry is the user's decision, not an analysis of the code: it states no `state`, only
 * why it was suppressed.
 */
export function analysisOf(s: SuppressedFinding): CdxAnalysis {
  const statement = s.statement !== undefined && s.statement !== '' ? s.statement : undefined;
  if (s.reason === 'ignore-file') {
    return { detail: `Suppressed by the ignore file${statement === undefined ? '' : `: ${statement}`}` };
  }
  const justification = s.vexStatus === 'fixed' ? undefined : mappedJustification(s.justification);
  const details = [
    statement,
    s.justification !== undefined && justification === undefined ? `OpenVEX justification: ${s.justification}` : undefined,
    s.statementId === undefined ? undefined : `VEX statement: ${s.statementId}`,
  ].filter((d): d is string => d !== undefined);
  return {
    state: s.vexStatus === 'fixed' ? 'resolved' : 'not_affected',
    ...(justification === undefined ? {} : { justification }),
    ...(details.length === 0 ? {} : { detail: details.join('\n') }),
  };
}
