// The .d.ts files must resolve in every TypeScript setup a consumer may have, node10 included, which
// knows nothing of package.json "imports": the package-private specifiers (`#fp-ts/*`,
// `#tfjs-gradients`) are rewritten to public paths (`fp-ts/lib/*`, whose types are the same in the
// CommonJS and ES builds), and a side-effect-only import is dropped (declarations need no side effects).
// Fails if any `#` specifier is left.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const root = process.argv[2] ?? 'dist';
const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.d.ts')).map((f) => join(root, f));
const left = [];
for (const file of files) {
  const before = await readFile(file, 'utf8');
  const after = before
    .replace(/(from\s+|import\(\s*)(['"])#fp-ts\/([\w.]+)\2/g, (_, head, q, path) => `${head}${q}fp-ts/lib/${path}${q}`)
    .replace(/^import\s+(['"])#[\w/.-]+\1;\n/gm, '');
  if (after !== before) await writeFile(file, after);
  for (const m of after.matchAll(/(?:from\s+|import\(\s*|^import\s+)(['"])(#[\w/.-]+)\1/gm)) left.push(`${file}: ${m[2]}`);
}
if (left.length > 0) {
  console.error(`package-private specifiers left in the declarations:\n  ${left.join('\n  ')}`);
  process.exit(1);
}
