/**
 * Metric tables of each CVSS version, in the order of the specification's vector-string table
 * (v2 guide Table 13, v3.0/v3.1 Table 15, v4.0 Table 23). Values are the abbreviated forms, case
 * sensitive. `ordered`: whether a vector must list its metrics in this order — v2 ("the vector lists
 * these metrics in a predetermined order") and v4.0 (its reference calculator rejects any other
 * order) do; v3.x says programs must accept metrics in any order.
 */
export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';
export type MetricGroup = 'base' | 'temporal' | 'threat' | 'environmental' | 'supplemental';

export interface MetricDef {
  readonly name: string;
  readonly group: MetricGroup;
  readonly values: readonly string[];
}

export interface VersionSpec {
  readonly version: CvssVersion;
  /** `CVSS:x.y/`, or '' for v2 whose vectors carry no prefix. */
  readonly prefix: string;
  readonly ordered: boolean;
  /** Value meaning "Not Defined": equivalent to leaving the metric out. */
  readonly notDefined: string;
  readonly metrics: readonly MetricDef[];
}

function group(g: MetricGroup, entries: Record<string, string>): MetricDef[] {
  return Object.entries(entries).map(([name, values]) => ({ name, group: g, values: values.split(',') }));
}

const V2_METRICS = [
  ...group('base', { AV: 'L,A,N', AC: 'H,M,L', Au: 'M,S,N', C: 'N,P,C', I: 'N,P,C', A: 'N,P,C' }),
  ...group('temporal', { E: 'U,POC,F,H,ND', RL: 'OF,TF,W,U,ND', RC: 'UC,UR,C,ND' }),
  ...group('environmental', { CDP: 'N,L,LM,MH,H,ND', TD: 'N,L,M,H,ND', CR: 'L,M,H,ND', IR: 'L,M,H,ND', AR: 'L,M,H,ND' }),
];

const V3_METRICS = [
  ...group('base', { AV: 'N,A,L,P', AC: 'L,H', PR: 'N,L,H', UI: 'N,R', S: 'U,C', C: 'H,L,N', I: 'H,L,N', A: 'H,L,N' }),
  ...group('temporal', { E: 'X,H,F,P,U', RL: 'X,U,W,T,O', RC: 'X,C,R,U' }),
  ...group('environmental', {
    CR: 'X,H,M,L', IR: 'X,H,M,L', AR: 'X,H,M,L', MAV: 'X,N,A,L,P', MAC: 'X,L,H', MPR: 'X,N,L,H',
    MUI: 'X,N,R', MS: 'X,U,C', MC: 'X,H,L,N', MI: 'X,H,L,N', MA: 'X,H,L,N',
  }),
];

const V4_METRICS = [
  ...group('base', {
    AV: 'N,A,L,P', AC: 'L,H', AT: 'N,P', PR: 'N,L,H', UI: 'N,P,A',
    VC: 'H,L,N', VI: 'H,L,N', VA: 'H,L,N', SC: 'H,L,N', SI: 'H,L,N', SA: 'H,L,N',
  }),
  ...group('threat', { E: 'X,A,P,U' }),
  ...group('environmental', {
    CR: 'X,H,M,L', IR: 'X,H,M,L', AR: 'X,H,M,L', MAV: 'X,N,A,L,P', MAC: 'X,L,H', MAT: 'X,N,P',
    MPR: 'X,N,L,H', MUI: 'X,N,P,A', MVC: 'X,H,L,N', MVI: 'X,H,L,N', MVA: 'X,H,L,N',
    MSC: 'X,H,L,N', MSI: 'X,S,H,L,N', MSA: 'X,S,H,L,N',
  }),
  ...group('supplemental', { S: 'X,N,P', AU: 'X,N,Y', R: 'X,A,U,I', V: 'X,D,C', RE: 'X,L,M,H', U: 'X,Clear,Green,Amber,Red' }),
];

export const SPECS: Readonly<Record<CvssVersion, VersionSpec>> = {
  '2.0': { version: '2.0', prefix: '', ordered: true, notDefined: 'ND', metrics: V2_METRICS },
  '3.0': { version: '3.0', prefix: 'CVSS:3.0/', ordered: false, notDefined: 'X', metrics: V3_METRICS },
  '3.1': { version: '3.1', prefix: 'CVSS:3.1/', ordered: false, notDefined: 'X', metrics: V3_METRICS },
  '4.0': { version: '4.0', prefix: 'CVSS:4.0/', ordered: true, notDefined: 'X', metrics: V4_METRICS },
};
