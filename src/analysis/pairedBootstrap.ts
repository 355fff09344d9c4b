/**
 * Paired bootstrap over items: each resample draws n item ids with replacement and every score
 * column (a model under a condition, a model's robust score, …) is summed over the same draw,
 * so differences and ranks between columns keep their pairing.
 *
 * Speed: a resample only needs each column's sum Σ_i w_i·v_i, where w_i is how often item i was
 * drawn. 0/1 columns are stored as bit patterns, eight columns to a byte; per resample and item
 * the weight is added to one counter per byte (indexed by the byte's pattern), and the column
 * sums are read off the 256 pattern counters afterwards. The per-resample work is thus one small
 * increment per eight columns per item, over a table that stays in cache. Other integer columns
 * (counts over conditions) are multiplied and added directly. All sums are exact integers.
 */
import { makeRng } from '../core/rng.js';

export interface BootstrapColumn {
  /** Per-item non-negative integer scores (e.g. 0/1 correct, or conditions correct out of K). */
  values: ArrayLike<number>;
  /** Largest possible value (1 for 0/1 outcomes, K for a count over K conditions). */
  max: number;
}

export interface BootstrapSums {
  resamples: number;
  columns: number;
  /** sums[b * columns + j] = Σ over resample b's draws of column j's value. */
  sums: Float64Array;
}

/** Column sums for `resamples` paired bootstrap draws of n items, from a seeded RNG. */
export function pairedBootstrapSums(
  columns: readonly BootstrapColumn[],
  n: number,
  resamples: number,
  seed: number,
): BootstrapSums {
  const cols = columns.length;
  const sums = new Float64Array(Math.max(0, resamples) * cols);
  if (n === 0 || cols === 0 || resamples <= 0) return { resamples, columns: cols, sums };
  columns.forEach((col, j) => {
    if (col.values.length !== n)
      throw new Error(`pairedBootstrap: column ${j} has ${col.values.length} values, expected ${n}`);
  });
  const binary = columns.map((_, j) => j).filter((j) => columns[j].max === 1);
  const other = columns.map((_, j) => j).filter((j) => columns[j].max !== 1);

  // Bit patterns: byte g of item i holds binary columns binary[8g … 8g+7].
  const G = Math.ceil(binary.length / 8);
  const codes = new Uint8Array(n * G);
  binary.forEach((j, k) => {
    const g = k >> 3;
    const bit = 1 << (k & 7);
    const v = columns[j].values;
    for (let i = 0; i < n; i++) {
      if (v[i] === 1) codes[i * G + g] |= bit;
      else if (v[i] !== 0) throw new Error(`pairedBootstrap: column ${j} value ${v[i]} is not 0/1`);
    }
  });
  const R = other.length;
  const values = new Float64Array(n * R);
  other.forEach((j, r) => {
    const v = columns[j].values;
    for (let i = 0; i < n; i++) {
      if (!(v[i] >= 0 && v[i] <= columns[j].max && Number.isInteger(v[i]))) {
        throw new Error(`pairedBootstrap: column ${j} value ${v[i]} not an integer in [0, ${columns[j].max}]`);
      }
      values[i * R + r] = v[i];
    }
  });

  const rng = makeRng(seed);
  const drawn = new Uint32Array(n);
  const patternCount = new Uint32Array(G * 256); // counts ≤ n: small enough to stay in cache
  const acc = new Float64Array(R);
  for (let b = 0; b < resamples; b++) {
    drawn.fill(0);
    for (let t = 0; t < n; t++) drawn[Math.floor(rng() * n)]++;
    patternCount.fill(0);
    acc.fill(0);
    for (let i = 0; i < n; i++) {
      const w = drawn[i];
      if (w === 0) continue;
      const base = i * G;
      for (let g = 0; g < G; g++) patternCount[(g << 8) | codes[base + g]] += w;
      const baseR = i * R;
      for (let r = 0; r < R; r++) acc[r] += w * values[baseR + r];
    }
    const row = b * cols;
    for (let k = 0; k < binary.length; k++) {
      const g = k >> 3;
      const bit = 1 << (k & 7);
      let s = 0;
      for (let v = bit; v < 256; v++) if (v & bit) s += patternCount[(g << 8) | v];
      sums[row + binary[k]] = s;
    }
    for (let r = 0; r < R; r++) sums[row + other[r]] = acc[r];
  }
  return { resamples, columns: cols, sums };
}

/** One column's bootstrap sums divided by `divisor` (e.g. n, or n·K), as a fresh array. */
export function columnMeans(boot: BootstrapSums, column: number, divisor: number): Float64Array {
  const out = new Float64Array(boot.resamples);
  for (let b = 0; b < boot.resamples; b++) out[b] = boot.sums[b * boot.columns + column] / divisor;
  return out;
}
