/**
 * A tiny import graph of the product sources, for the cycle check (issue 14). It reads the
 * relative `import … from './x.js'` / `export … from './x.js'` statements (type-only ones too:
 * madge counts them, and a type cycle is a design cycle even if it vanishes at run time) and
 * resolves them the way TypeScript's NodeNext resolution does for this repo: `./x.js` is `x.ts`
 * or `x.tsx`. Dynamic `import()` is left out: it does not run at module load, so it cannot make
 * an initialisation cycle. No network, no dependency: it runs in milliseconds.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The product source folders (the structure checks: import cycles, file size). */
export const PRODUCT_ROOTS = [
  'protocol/src',
  'devices/src',
  'gateway/src',
  'hub/src',
  'web/src',
  'cli/src',
] as const;

/** Every `.ts`/`.tsx` file under `dir`, tests and declaration files excluded. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (name === 'node_modules' || name === 'dist') continue;
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts')) {
        out.push(path);
      }
    }
  };
  walk(dir);
  return out;
}

/** `from '…'` of static import/export statements (multi-line ones included). */
const FROM = /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm;
/** Side-effect imports: `import './x.js';`. */
const BARE = /^\s*import\s*['"]([^'"]+)['"]/gm;

function resolveRelative(fromFile: string, spec: string): string | undefined {
  const base = resolve(dirname(fromFile), spec);
  const stem = base.replace(/\.(js|jsx|ts|tsx)$/, '');
  const candidates = [`${stem}.ts`, `${stem}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** The file → files it imports, relative to `root`, for every product source under `dirs`. */
export function importGraph(root: string, dirs: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const dir of dirs) {
    for (const file of sourceFiles(join(root, dir))) {
      const text = readFileSync(file, 'utf8');
      const targets = new Set<string>();
      for (const re of [FROM, BARE]) {
        for (const m of text.matchAll(re)) {
          const spec = m[1];
          if (spec === undefined || !spec.startsWith('.')) continue;
          const target = resolveRelative(file, spec);
          if (target !== undefined) targets.add(relative(root, target));
        }
      }
      graph.set(relative(root, file), [...targets].sort());
    }
  }
  return graph;
}

/**
 * The import cycles of `graph`: its strongly connected components with more than one file (or a
 * file importing itself), each as one concrete cycle path `a → b → … → a` for the message.
 */
export function importCycles(graph: Map<string, string[]>): string[][] {
  // Tarjan's algorithm, iterative so a deep graph cannot overflow the stack.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; edge: number }[] = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++]!;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) {
        low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = (graph.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfLoop) components.push(component.sort());
      }
    }
  }
  return components.map((c) => cyclePath(graph, c));
}

/** One cycle through the component's first file, found by a breadth-first search inside it. */
function cyclePath(graph: Map<string, string[]>, component: string[]): string[] {
  const inside = new Set(component);
  const first = component[0]!;
  const previous = new Map<string, string>();
  const queue = [first];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const to of graph.get(node) ?? []) {
      if (!inside.has(to)) continue;
      if (to === first) {
        const path = [node];
        while (path[0] !== first) path.unshift(previous.get(path[0]!)!);
        return [...path, first];
      }
      if (!previous.has(to)) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return component;
}
