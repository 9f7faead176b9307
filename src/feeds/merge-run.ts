import {
  aliasComponents, canonicalJson, mergeGroup, upstreamIds, isPlaceholderId,
  type Advisory, type AliasNode, type MergeOptions, type SourceAdvisory,
} from '../advisories/index.js';
import type { AdvisoryWrite, Store } from '../store/index.js';

/*
 * `stella db merge`: every mapped source record → canonical advisories. The alias graph is built
 * from small rows (ids only); records are then loaded and merged one batch of components at a
 * time, so memory holds the graph, not every advisory. Only advisories whose canonical JSON changed
 * are written (each with a merge event); keys the graph no longer produces (their records now
 * belong to another key) are removed with a merge event whose `after` is null.
 */

export interface MergeRunOptions extends MergeOptions {
  readonly log?: (message: string) => void;
  /** Components merged per store round trip. */
  readonly batchSize?: number;
}

export interface MergeRunResult {
  readonly records: number;
  readonly advisories: number;
  readonly changed: number;
  readonly unchanged: number;
  readonly removed: number;
  readonly withdrawn: number;
}

const SEP = '\u0000';

export async function runMerge(store: Store, options: MergeRunOptions = {}): Promise<MergeRunResult> {
  const log = options.log ?? (() => undefined);
  const batchSize = options.batchSize ?? 500;
  const rows = await store.listAliasRows();
  const nodes: AliasNode[] = rows.map((r) => ({
    ref: `${r.source}${SEP}${r.recordId}`,
    id: r.ids[0] ?? r.recordId,
    aliases: r.ids.slice(1),
    upstream: r.upstream,
  }));
  const components = aliasComponents(nodes);
  log(`merge: ${rows.length} record(s) in ${components.length} advisory group(s)`);

  // Fan-out: a record naming several upstream ids (a DSA fixing several CVEs) offers its affected
  // entries to the group of each of those ids.
  const componentOfId = new Map<string, number>();
  components.forEach((c, i) => c.ids.forEach((id) => isPlaceholderId(id) || componentOfId.set(id, i)));
  const fanIn = new Map<number, string[]>();
  const nodeOfRef = new Map(nodes.map((n) => [n.ref, n]));
  components.forEach((c, from) => {
    for (const ref of c.refs) {
      const row = nodeOfRef.get(ref);
      if (row === undefined) continue;
      const upstream = upstreamIds(row);
      if (upstream.length < 2) continue;
      for (const id of upstream) {
        const to = componentOfId.get(id);
        if (to === undefined || to === from) continue;
        fanIn.set(to, [...(fanIn.get(to) ?? []), ref]);
      }
    }
  });

  const existing = await store.listAdvisoryHashes();
  const produced = new Set<string>();
  let changed = 0;
  let unchanged = 0;
  let withdrawn = 0;
  for (let start = 0; start < components.length; start += batchSize) {
    const batch = components.slice(start, start + batchSize);
    const refs = new Set<string>();
    batch.forEach((c, i) => {
      c.refs.forEach((r) => refs.add(r));
      (fanIn.get(start + i) ?? []).forEach((r) => refs.add(r));
    });
    const loaded = await store.getMappedAdvisories(
      [...refs].map((ref) => {
        const [source, recordId] = ref.split(SEP) as [string, string];
        return { source, recordId };
      }),
    );
    const parse = (ref: string): SourceAdvisory | undefined => {
      const json = loaded.get(ref);
      return json === undefined ? undefined : (JSON.parse(json) as SourceAdvisory);
    };
    const writes: AdvisoryWrite[] = [];
    batch.forEach((component, i) => {
      const records = component.refs.map(parse).filter((r): r is SourceAdvisory => r !== undefined);
      if (records.length === 0) return;
      const extra = (fanIn.get(start + i) ?? []).map(parse).filter((r): r is SourceAdvisory => r !== undefined);
      const advisory = mergeGroup(records, options, extra);
      const json = canonicalJson(advisory);
      produced.add(advisory.key);
      if (advisory.withdrawn !== undefined) withdrawn += 1;
      writes.push(toWrite(advisory, json));
    });
    const results = await store.putAdvisories(writes);
    for (const r of results) if (r.changed) changed += 1; else unchanged += 1;
    log(`merge: ${Math.min(start + batchSize, components.length)}/${components.length} group(s), ${changed} changed`);
  }
  const stale = [...existing.keys()].filter((key) => !produced.has(key));
  const removed = await store.deleteAdvisories(stale);
  if (removed > 0) log(`merge: removed ${removed} advisory key(s) now merged under another key`);
  return { records: rows.length, advisories: produced.size, changed, unchanged, removed, withdrawn };
}

function toWrite(advisory: Advisory, json: string): AdvisoryWrite {
  const packages = advisory.affected.map((a) => ({ ecosystem: a.ecosystem, name: a.normalizedName }));
  return {
    key: advisory.key,
    json,
    aliases: advisory.aliases,
    packages,
    modified: advisory.modified === undefined ? null : new Date(advisory.modified.value),
    withdrawn: advisory.withdrawn === undefined ? null : new Date(advisory.withdrawn.value),
  };
}
