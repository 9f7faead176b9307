import * as imported from 'ae-cvss-calculator';

// ae-cvss-calculator ships a webpack CommonJS bundle. Node's ESM loader finds no named exports in
// it and offers module.exports as `default`; CommonJS loaders and bundlers (tsx outside an ESM
// package, esbuild) honour its __esModule flag and give the exports directly. Accept both.
type Calculator = typeof imported;
const calculator: Calculator = (imported as Calculator & { default?: Calculator }).default ?? imported;

export const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = calculator;

/** The library leaves a score undefined when it thinks a group is absent; we decide presence. */
export function defined(score: number | undefined, what: string, vector: string): number {
  if (score === undefined) throw new Error(`ae-cvss-calculator returned no ${what} score for ${vector}`);
  return score === 0 ? 0 : score; // the library yields -0 for some zero scores (v2 with no impact)
}
