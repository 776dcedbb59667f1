/**
 * L-BFGS-B benchmark: iterations, evaluations and wall time on Rosenbrock
 * (unbounded and with x_i in [−2, 0.5]) and a badly scaled diagonal quadratic,
 * plus the optimiser's own overhead per iteration (wall time minus time spent
 * inside fg), which is what matters when fg is cheap.
 *
 * Run: node --import tsx bench/lbfgsb.ts [repeats]   (default 5; prints a table)
 * For scipy's iteration counts on the same problems see test/fixtures/lbfgsb.json.
 */
import { lbfgsb } from '../src/linalg/index.ts';

type Fg = (x: Float64Array, g: Float64Array) => number;

const rosen: Fg = (x, g) => {
  const n = x.length;
  let f = 0;
  g.fill(0);
  for (let i = 0; i < n - 1; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    f += 100 * a * a + b * b;
    g[i] = g[i]! - 400 * x[i]! * a - 2 * b;
    g[i + 1] = g[i + 1]! + 200 * a;
  }
  return f;
};

function diagQuadratic(n: number): Fg {
  const h = Float64Array.from({ length: n }, (_, i) => 10 ** ((6 * i) / (n - 1)));
  return (x, g) => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      const r = x[i]! - 0.5;
      g[i] = h[i]! * r;
      f += 0.5 * h[i]! * r * r;
    }
    return f;
  };
}

interface Case {
  name: string;
  fg: Fg;
  x0: number[];
  lower?: number[];
  upper?: number[];
  pgtol?: number;
  factr?: number;
}

const alt = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
const cases: Case[] = [];
for (const n of [2, 10, 100, 1000])
  cases.push({ name: `rosenbrock n=${n}`, fg: rosen, x0: alt(n) });
for (const n of [10, 100, 1000]) {
  cases.push({
    name: `rosenbrock box n=${n}`,
    fg: rosen,
    x0: alt(n),
    lower: new Array(n).fill(-2),
    upper: new Array(n).fill(0.5),
  });
}
cases.push({
  name: 'diag 1..1e6 n=20 tight',
  fg: diagQuadratic(20),
  x0: new Array(20).fill(2),
  pgtol: 1e-10,
  factr: 10,
});

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const repeats = Number(process.argv[2] ?? 5);
const rows: string[] = [];
rows.push('| problem | iterations | evaluations | f* | wall ms (median) | overhead µs/iter |');
rows.push('|---|---:|---:|---:|---:|---:|');
for (const c of cases) {
  const walls: number[] = [];
  const overheads: number[] = [];
  let last: ReturnType<typeof lbfgsb> | undefined;
  for (let r = 0; r < repeats; r++) {
    let inFg = 0;
    const t0 = performance.now();
    last = lbfgsb(
      (x, g) => {
        const a = performance.now();
        const f = c.fg(x, g);
        inFg += performance.now() - a;
        return f;
      },
      c.x0,
      { lower: c.lower, upper: c.upper, pgtol: c.pgtol, factr: c.factr },
    );
    const wall = performance.now() - t0;
    walls.push(wall);
    overheads.push(((wall - inFg) * 1000) / Math.max(1, last.iterations));
  }
  rows.push(
    `| ${c.name} | ${last!.iterations} | ${last!.evaluations} | ${last!.f.toPrecision(6)} | ${median(walls).toFixed(2)} | ${median(overheads).toFixed(1)} |`,
  );
}
process.stdout.write(`${rows.join('\n')}\n`);
