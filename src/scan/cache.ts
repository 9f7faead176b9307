import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { FRAGMENT_SCHEMA, type LayerFragment } from './fragment.js';

/**
 * Per-layer fragments under `$STELLA_HOME/cache/layers/`, keyed by layer diffID and the analyzer
 * fingerprint. Entries are written atomically (temp file + rename); an unreadable or foreign
 * entry is treated as a miss and overwritten, never trusted.
 */
export class LayerCache {
  private readonly dir: string;

  constructor(stellaHome: string) {
    this.dir = join(stellaHome, 'cache', 'layers');
  }

  private pathFor(diffId: string, analyzers: string): string {
    const key = createHash('sha256').update(`${FRAGMENT_SCHEMA}\n${analyzers}\n${diffId}`).digest('hex');
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  get(diffId: string, analyzers: string): LayerFragment | undefined {
    let text: string;
    try {
      text = readFileSync(this.pathFor(diffId, analyzers), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const fragment = JSON.parse(text) as LayerFragment;
      if (fragment.schema !== FRAGMENT_SCHEMA || fragment.layer !== diffId || fragment.analyzers !== analyzers) return undefined;
      return fragment;
    } catch {
      return undefined;
    }
  }

  has(diffId: string, analyzers: string): boolean {
    return this.get(diffId, analyzers) !== undefined;
  }

  put(fragment: LayerFragment): void {
    const path = this.pathFor(fragment.layer, fragment.analyzers);
    mkdirSync(join(path, '..'), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(fragment));
    renameSync(temp, path);
  }
}

export function defaultStellaHome(): string {
  return process.env.STELLA_HOME !== undefined && process.env.STELLA_HOME !== '' ? process.env.STELLA_HOME : join(process.cwd(), '.stella');
}
