import { open, readdir, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ServerPart } from '../context.js';
import { ApiError } from '../errors.js';

/*
 * Export directories under $STELLA_HOME/exports/ (JSON trees, Trivy DBs, offline kits): list them,
 * list one's files, download a file (streamed). A path names a file inside one export and nothing
 * else: `.`/`..` segments, backslashes and NULs are refused, and the resolved real path (symlinks
 * followed) must stay inside the export.
 */

const errorRef = Type.Ref('ApiError');
const NAME = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';
const NAME_RE = new RegExp(NAME);
const MAX_PATH = 1024;

const ExportList = Type.Object({
  exports: Type.Array(Type.Object({ name: Type.String(), modifiedAt: Type.String({ format: 'date-time' }) })),
});

const FileList = Type.Object({
  name: Type.String(),
  files: Type.Array(Type.Object({ path: Type.String(), size: Type.Integer() })),
  next: Type.Union([Type.String(), Type.Null()], { description: 'pass as `after` for the next page; null on the last' }),
});

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.json': 'application/json', '.jsonl': 'application/jsonl', '.gz': 'application/gzip', '.tgz': 'application/gzip',
  '.tar': 'application/x-tar', '.zip': 'application/zip', '.txt': 'text/plain; charset=utf-8', '.sig': 'application/octet-stream',
  '.intoto': 'application/vnd.in-toto+json', '.dsse': 'application/vnd.dsse.envelope.v1+json', '.spdx': 'text/spdx',
};

export function exportRoutes(): ServerPart {
  return (root, ctx) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const exportsDir = join(ctx.stellaHome, 'exports');

    app.get('/api/v1/exports', {
      config: { scope: 'read' },
      schema: { summary: 'Export directories', tags: ['exports'], response: { 200: ExportList } },
    }, async () => ({ exports: await listExports(exportsDir) }));

    app.get('/api/v1/exports/:name', {
      config: { scope: 'read' },
      schema: {
        summary: "An export's files (paths relative to it, sorted), a page at a time",
        tags: ['exports'],
        params: Type.Object({ name: Type.String({ pattern: NAME }) }),
        querystring: Type.Object({
          after: Type.Optional(Type.String({ maxLength: MAX_PATH })),
          limit: Type.Integer({ minimum: 1, maximum: 10000, default: 1000 }),
        }, { additionalProperties: false }),
        response: { 200: FileList, 404: errorRef },
      },
    }, async (request) => {
      const { name } = request.params;
      const base = await exportRoot(exportsDir, name);
      const { after, limit } = request.query;
      const all = (await walk(base, '')).filter((f) => after === undefined || f.path > after);
      const files = all.slice(0, limit);
      return { name, files, next: all.length > limit ? (files[files.length - 1]?.path ?? null) : null };
    });

    app.get('/api/v1/exports/:name/*', {
      config: { scope: 'read' },
      schema: {
        summary: 'Download one file of an export (streamed)',
        tags: ['exports'],
        params: Type.Object({ name: Type.String({ pattern: NAME }), '*': Type.String({ minLength: 1, maxLength: MAX_PATH }) }),
        response: { 200: Type.String({ contentMediaType: 'application/octet-stream' }), 400: errorRef, 404: errorRef },
      },
    }, async (request, reply) => {
      const { name, '*': relative } = request.params;
      const segments = checkRelativePath(relative);
      const base = await exportRoot(exportsDir, name);
      const file = await insideRealPath(base, join(base, ...segments), `${name}/${relative}`);
      const handle = await open(file, 'r');
      try {
        const info = await handle.stat();
        if (!info.isFile()) throw new ApiError('NOT_FOUND', `${name}/${relative} is not a file`);
        const fileName = segments[segments.length - 1] ?? 'download';
        void reply
          .type(CONTENT_TYPES[extname(fileName).toLowerCase()] ?? 'application/octet-stream')
          .header('content-length', String(info.size))
          .header('content-disposition', `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
      } catch (error) {
        await handle.close();
        throw error;
      }
      return reply.send(handle.createReadStream());
    });
  };
}

/** The path's segments; ApiError VALIDATION for `.`/`..`, empty segments, `\` or NUL. */
export function checkRelativePath(relative: string): string[] {
  const segments = relative.split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0')) {
      throw new ApiError('VALIDATION', 'a file path is relative segments without ".", ".." or empty parts');
    }
  }
  return segments;
}

async function exportRoot(exportsDir: string, name: string): Promise<string> {
  if (!NAME_RE.test(name)) throw new ApiError('VALIDATION', `not an export name: ${JSON.stringify(name)}`);
  const realExports = await realpath(exportsDir).catch(() => undefined);
  if (realExports === undefined) throw new ApiError('NOT_FOUND', `no export named ${name}`);
  const base = await insideRealPath(realExports, join(realExports, name), name);
  if (!(await stat(base)).isDirectory()) throw new ApiError('NOT_FOUND', `no export named ${name}`);
  return base;
}

/** realpath(`path`), required to lie strictly inside `root` (already a real path). */
async function insideRealPath(root: string, path: string, shown: string): Promise<string> {
  const real = await realpath(path).catch(() => undefined);
  if (real === undefined || !real.startsWith(root + sep)) throw new ApiError('NOT_FOUND', `no such export file: ${shown}`);
  return real;
}

async function listExports(exportsDir: string): Promise<{ name: string; modifiedAt: string }[]> {
  const realExports = await realpath(exportsDir).catch(() => undefined);
  if (realExports === undefined) return [];
  const out: { name: string; modifiedAt: string }[] = [];
  for (const entry of await readdir(realExports)) {
    if (!NAME_RE.test(entry)) continue;
    const real = await realpath(join(realExports, entry)).catch(() => undefined);
    if (real === undefined || !real.startsWith(realExports + sep)) continue;
    const info = await stat(real);
    if (info.isDirectory()) out.push({ name: entry, modifiedAt: info.mtime.toISOString() });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Regular files under `dir` (symlinks are not followed), paths with `/`, sorted bytewise. */
async function walk(dir: string, prefix: string): Promise<{ path: string; size: number }[]> {
  const out: { path: string; size: number }[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await walk(join(dir, entry.name), path)));
    else if (entry.isFile()) out.push({ path, size: (await stat(join(dir, entry.name))).size });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
