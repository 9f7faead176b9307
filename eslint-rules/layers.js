// Enforces the one-way import direction between src/ subsystems (docs/ARCHITECTURE.md):
// a folder may import only from folders of a strictly lower layer, and only through that
// folder's index.ts. Imports inside one folder are free.
import path from 'node:path';

/** Lower number = lower layer. Keep in step with docs/ARCHITECTURE.md. */
export const LAYERS = {
  common: 0,
  versions: 1,
  cvss: 1,
  inventory: 1,
  advisories: 2,
  sbom: 2,
  bolt: 2,
  match: 3,
  store: 4,
  attest: 4,
  report: 4,
  feeds: 5,
  image: 5,
  catalog: 5,
  exports: 5,
  scan: 6,
  jobs: 7,
  server: 8,
  // The CLI starts the server (`stella serve`) and manages its tokens, so it sits above it.
  cli: 9,
};

function folderOf(file, srcRoot) {
  const rel = path.relative(srcRoot, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const [first] = rel.split(path.sep);
  return first;
}

export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'one-way imports between src/ subsystems, through index.ts only' },
    schema: [],
    messages: {
      unknown: 'src/{{folder}} has no layer: add it to eslint-rules/layers.js and docs/ARCHITECTURE.md',
      upward: '{{from}} (layer {{fromLayer}}) must not import {{to}} (layer {{toLayer}}): imports flow one way, downward',
      deep: 'import {{to}} through its index.ts ("../{{to}}/index.js"), not {{spec}}',
    },
  },
  create(context) {
    const filename = context.filename ?? context.getFilename();
    const srcRoot = path.resolve(context.cwd ?? process.cwd(), 'src');
    const from = folderOf(filename, srcRoot);
    if (from === undefined || from.endsWith('.ts')) return {};
    function check(node, spec) {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = path.resolve(path.dirname(filename), spec);
      const to = folderOf(target, srcRoot);
      if (to === undefined || to === from) return;
      for (const folder of [from, to]) {
        if (!(folder in LAYERS)) return context.report({ node, messageId: 'unknown', data: { folder } });
      }
      if (LAYERS[to] >= LAYERS[from]) {
        context.report({ node, messageId: 'upward', data: { from, to, fromLayer: LAYERS[from], toLayer: LAYERS[to] } });
        return;
      }
      const rel = path.relative(path.join(srcRoot, to), target);
      if (rel !== 'index.js' && rel !== 'index.ts' && rel !== 'index') {
        context.report({ node, messageId: 'deep', data: { to, spec } });
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { layers: layersRule } };
