/**
 * Writes a random-weights llama-architecture GGUF (v3, F16 weights) of a chosen size that carries
 * the real Llama-2 tokenizer, for benchmarks whose cost must look like a real model's: the
 * shared tiny models are too small (a few thousand parameters) for compute to matter.
 *
 *   node --import tsx scripts/make-bench-model.ts [--dim 512] [--layers 8] [--ff 1536] [--heads 8] [--kv-heads 8] [--weights f16|f32] [--out file]
 *
 * The tokenizer's key-value entries are copied byte for byte from the shared
 * llama-2-tiny-random.gguf, so their GGUF types are kept exactly. The weights are seeded:
 * the same options always give the same file (and the same content hash in the store).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, sharedDir } from '../src/core/paths.js';

export interface BenchModelShape {
  dim: number;
  layers: number;
  ff: number;
  heads: number;
  kvHeads: number;
  contextLength: number;
  /** Weight type of the matrices (norms are always F32). */
  weights: 'f16' | 'f32';
}

export const DEFAULT_SHAPE: BenchModelShape = {
  dim: 512,
  layers: 8,
  ff: 1536,
  heads: 8,
  kvHeads: 8,
  contextLength: 4096,
  weights: 'f16',
};

const ALIGNMENT = 32;
const enum GgufType {
  U32 = 4,
  F32 = 6,
  STRING = 8,
  ARRAY = 9,
  U64 = 10,
}
const enum GgmlType {
  F32 = 0,
  F16 = 1,
}
/** Bytes of one scalar of each GGUF value type (strings and arrays excepted). */
const SCALAR_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

export const benchModelDir = () => path.join(repoRoot, 'bench', '.cache');

export function benchModelPath(shape: BenchModelShape = DEFAULT_SHAPE): string {
  return path.join(
    benchModelDir(),
    `bench-llama-d${shape.dim}-l${shape.layers}-ff${shape.ff}-h${shape.heads}-kv${shape.kvHeads}-${shape.weights}.gguf`,
  );
}

/** Raw bytes of every `tokenizer.*` key-value entry of a GGUF file, and the vocabulary size. */
export function readTokenizerEntries(file: string): { entries: Buffer[]; vocab: number } {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 0, 4) !== 'GGUF') throw new Error(`${file} is not a GGUF file`);
  const version = buf.readUInt32LE(4);
  if (version < 2) throw new Error(`${file}: GGUF version ${version} is not supported`);
  const kvCount = Number(buf.readBigUInt64LE(16));
  let at = 24;
  const string = () => {
    const n = Number(buf.readBigUInt64LE(at));
    const s = buf.toString('utf8', at + 8, at + 8 + n);
    at += 8 + n;
    return s;
  };
  const skipValue = (type: number) => {
    if (type === GgufType.STRING) return void string();
    if (type === GgufType.ARRAY) {
      const elem = buf.readUInt32LE(at);
      const n = Number(buf.readBigUInt64LE(at + 4));
      at += 12;
      if (elem === GgufType.STRING || elem === GgufType.ARRAY) for (let i = 0; i < n; i++) skipValue(elem);
      else at += n * SCALAR_SIZE[elem];
      return;
    }
    at += SCALAR_SIZE[type];
  };
  const entries: Buffer[] = [];
  let vocab = 0;
  for (let k = 0; k < kvCount; k++) {
    const start = at;
    const key = string();
    const type = buf.readUInt32LE(at);
    at += 4;
    if (key === 'tokenizer.ggml.tokens') vocab = Number(buf.readBigUInt64LE(at + 4));
    skipValue(type);
    if (key.startsWith('tokenizer.')) entries.push(buf.subarray(start, at));
  }
  if (!vocab) throw new Error(`${file} has no tokenizer.ggml.tokens`);
  return { entries, vocab };
}

const ggufString = (s: string) => {
  const bytes = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(bytes.length));
  return Buffer.concat([len, bytes]);
};

function kv(key: string, type: GgufType.U32 | GgufType.F32 | GgufType.STRING, value: number | string): Buffer {
  const head = Buffer.concat([ggufString(key), u32(type)]);
  if (type === GgufType.STRING) return Buffer.concat([head, ggufString(value as string)]);
  const v = Buffer.alloc(4);
  if (type === GgufType.U32) v.writeUInt32LE(value as number);
  else v.writeFloatLE(value as number);
  return Buffer.concat([head, v]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

interface TensorSpec {
  name: string;
  dims: number[];
  type: GgmlType;
}

function tensorsOf(s: BenchModelShape, vocab: number): TensorSpec[] {
  const kvDim = (s.dim / s.heads) * s.kvHeads;
  const W = s.weights === 'f32' ? GgmlType.F32 : GgmlType.F16;
  const t: TensorSpec[] = [{ name: 'token_embd.weight', dims: [s.dim, vocab], type: W }];
  for (let l = 0; l < s.layers; l++) {
    t.push(
      { name: `blk.${l}.attn_norm.weight`, dims: [s.dim], type: GgmlType.F32 },
      { name: `blk.${l}.attn_q.weight`, dims: [s.dim, s.dim], type: W },
      { name: `blk.${l}.attn_k.weight`, dims: [s.dim, kvDim], type: W },
      { name: `blk.${l}.attn_v.weight`, dims: [s.dim, kvDim], type: W },
      { name: `blk.${l}.attn_output.weight`, dims: [s.dim, s.dim], type: W },
      { name: `blk.${l}.ffn_norm.weight`, dims: [s.dim], type: GgmlType.F32 },
      { name: `blk.${l}.ffn_gate.weight`, dims: [s.dim, s.ff], type: W },
      { name: `blk.${l}.ffn_up.weight`, dims: [s.dim, s.ff], type: W },
      { name: `blk.${l}.ffn_down.weight`, dims: [s.ff, s.dim], type: W },
    );
  }
  t.push(
    { name: 'output_norm.weight', dims: [s.dim], type: GgmlType.F32 },
    { name: 'output.weight', dims: [s.dim, vocab], type: W },
  );
  return t;
}

export function parameterCount(s: BenchModelShape, vocab = 32000): number {
  return tensorsOf(s, vocab).reduce((n, t) => n + t.dims.reduce((a, b) => a * b, 1), 0);
}

const align = (n: number) => Math.ceil(n / ALIGNMENT) * ALIGNMENT;

/**
 * Random F16 weights as raw bit patterns: random sign, exponent for |w| in [2^-9, 2^-5)
 * (std ≈ 0.02, like an initialized transformer), random mantissa; never NaN or infinite.
 */
function fillWeights(out: Uint16Array, seed: number): void {
  let x = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = ((x >>> 31) << 15) | ((6 + ((x >>> 10) & 3)) << 10) | (x & 0x3ff);
  }
}

function halfToFloat(h: number): number {
  const exponent = (h >> 10) & 0x1f;
  return (h >> 15 ? -1 : 1) * 2 ** (exponent - 15) * (1 + (h & 0x3ff) / 1024);
}

/** Write the model (if the file is not there yet) and return its path. */
export function makeBenchModel(shape: BenchModelShape = DEFAULT_SHAPE, out = benchModelPath(shape)): string {
  if (fs.existsSync(out)) return out;
  if (shape.dim % shape.heads || shape.heads % shape.kvHeads)
    throw new Error('dim must be a multiple of heads, and heads of kv-heads');
  const { entries: tokenizer, vocab } = readTokenizerEntries(
    path.join(sharedDir(), 'models', 'llama-2-tiny-random.gguf'),
  );
  const tensors = tensorsOf(shape, vocab);
  const meta = [
    kv('general.architecture', GgufType.STRING, 'llama'),
    kv(
      'general.name',
      GgufType.STRING,
      `goodhart bench llama (random weights, ${(parameterCount(shape, vocab) / 1e6).toFixed(0)}M)`,
    ),
    kv('general.file_type', GgufType.U32, shape.weights === 'f32' ? 0 : 1),
    kv('general.alignment', GgufType.U32, ALIGNMENT),
    kv('llama.context_length', GgufType.U32, shape.contextLength),
    kv('llama.embedding_length', GgufType.U32, shape.dim),
    kv('llama.block_count', GgufType.U32, shape.layers),
    kv('llama.feed_forward_length', GgufType.U32, shape.ff),
    kv('llama.rope.dimension_count', GgufType.U32, shape.dim / shape.heads),
    kv('llama.attention.head_count', GgufType.U32, shape.heads),
    kv('llama.attention.head_count_kv', GgufType.U32, shape.kvHeads),
    kv('llama.attention.layer_norm_rms_epsilon', GgufType.F32, 1e-5),
    ...tokenizer,
  ];
  const header = Buffer.alloc(24);
  header.write('GGUF', 0, 'latin1');
  header.writeUInt32LE(3, 4);
  header.writeBigUInt64LE(BigInt(tensors.length), 8);
  header.writeBigUInt64LE(BigInt(meta.length), 16);

  let offset = 0;
  const infos: Buffer[] = [];
  const sizes: number[] = [];
  for (const t of tensors) {
    const dims = Buffer.alloc(8 * t.dims.length);
    t.dims.forEach((d, i) => dims.writeBigUInt64LE(BigInt(d), 8 * i));
    const off = Buffer.alloc(8);
    off.writeBigUInt64LE(BigInt(offset));
    infos.push(Buffer.concat([ggufString(t.name), u32(t.dims.length), dims, u32(t.type), off]));
    const bytes = t.dims.reduce((a, b) => a * b, 1) * (t.type === GgmlType.F16 ? 2 : 4);
    sizes.push(bytes);
    offset = align(offset + bytes);
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    const head = Buffer.concat([header, ...meta, ...infos]);
    fs.writeSync(fd, head);
    fs.writeSync(fd, Buffer.alloc(align(head.length) - head.length));
    tensors.forEach((t, i) => {
      const data = Buffer.alloc(align(sizes[i]));
      const seed = 0x9e3779b9 ^ (i * 2654435761);
      if (t.dims.length === 1) new Float32Array(data.buffer, data.byteOffset, sizes[i] / 4).fill(1);
      else if (t.type === GgmlType.F16) fillWeights(new Uint16Array(data.buffer, data.byteOffset, sizes[i] / 2), seed);
      else {
        const halves = new Uint16Array(sizes[i] / 4);
        fillWeights(halves, seed);
        const f32 = new Float32Array(data.buffer, data.byteOffset, sizes[i] / 4);
        halves.forEach((h, j) => (f32[j] = halfToFloat(h)));
      }
      fs.writeSync(fd, data);
    });
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, out);
  return out;
}

/** `--dim 768 --layers 12` style options over the default shape. */
export function shapeFromArgs(args: string[]): { shape: BenchModelShape; out?: string } {
  const shape = { ...DEFAULT_SHAPE };
  const names: Record<string, Exclude<keyof BenchModelShape, 'weights'>> = {
    '--dim': 'dim',
    '--layers': 'layers',
    '--ff': 'ff',
    '--heads': 'heads',
    '--kv-heads': 'kvHeads',
    '--context': 'contextLength',
  };
  let out: string | undefined;
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '--out') out = args[i + 1];
    else if (args[i] === '--weights' && (args[i + 1] === 'f16' || args[i + 1] === 'f32'))
      shape.weights = args[i + 1] as 'f16' | 'f32';
    else if (names[args[i]] && Number.isInteger(Number(args[i + 1]))) shape[names[args[i]]] = Number(args[i + 1]);
    else throw new Error(`unknown option ${args[i]} (known: ${Object.keys(names).join(' ')} --weights f16|f32 --out)`);
  }
  return { shape, out };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { shape, out } = shapeFromArgs(process.argv.slice(2));
  const file = makeBenchModel(shape, out ? path.resolve(out) : undefined);
  console.log(
    `${file}: ${(parameterCount(shape) / 1e6).toFixed(1)}M parameters, ${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MB`,
  );
}
