/**
 * The order in which llama.cpp's `perplexity --hellaswag` visits its tasks, so that its running
 * accuracy can be read item by item: hellaswag_score draws each next task with
 * std::uniform_int_distribution<size_t>(0, left - 1) over std::mt19937(1) and removes it. The draw
 * is libstdc++'s (GCC 11 and later): Lemire's multiply-and-reject on a 32-bit generator.
 */

/** std::mt19937 (MT19937, 32-bit). */
class Mt19937 {
  private readonly state = new Uint32Array(624);
  private index = 624;

  constructor(seed: number) {
    this.state[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = this.state[i - 1] ^ (this.state[i - 1] >>> 30);
      this.state[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  next(): number {
    if (this.index >= 624) {
      for (let i = 0; i < 624; i++) {
        const y = (this.state[i] & 0x80000000) | (this.state[(i + 1) % 624] & 0x7fffffff);
        this.state[i] = this.state[(i + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = this.state[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

/** libstdc++'s uniform_int_distribution over [0, range) from a 32-bit generator (_S_nd). */
function uniformBelow(rng: Mt19937, range: number): number {
  const r = BigInt(range);
  let product = BigInt(rng.next()) * r;
  let low = product & 0xffffffffn;
  if (low < r) {
    const threshold = ((1n << 32n) - r) % r;
    while (low < threshold) {
      product = BigInt(rng.next()) * r;
      low = product & 0xffffffffn;
    }
  }
  return Number(product >> 32n);
}

/** Indices into the file's tasks, in the order llama.cpp scores them (count tasks of `total`). */
export function llamaCppHellaswagOrder(total: number, count = total): number[] {
  const rng = new Mt19937(1);
  const left = Array.from({ length: total }, (_, i) => i);
  const order: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = uniformBelow(rng, left.length);
    order.push(left[at]);
    left.splice(at, 1);
  }
  return order;
}
