import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { getLlama, LlamaLogLevel, type Token } from 'node-llama-cpp';
import { GgufModel, nextTokenRead, prefixTreeSize, readNext } from '../../src/models/gguf.js';
import { sha256File } from '../../src/models/hash.js';
import { splitTokens } from '../../src/models/tokenize.js';
import { sharedDir } from '../../src/core/paths.js';
import type {
  LoglikelihoodRequest,
  NextTokenRequest,
  NextTokenResult,
  Outcome,
  Request,
} from '../../src/core/types.js';

const models = ['stories260K.gguf', 'llama-2-tiny-random.gguf'];
const VOCABULARY: Record<string, number> = { 'stories260K.gguf': 512, 'llama-2-tiny-random.gguf': 32000 };

const requests: Request[] = [
  {
    kind: 'loglikelihood',
    context: 'Question: What is the capital of France?\nA. Paris\nB. Rome\nAnswer:',
    continuation: ' A',
  },
  {
    kind: 'loglikelihood',
    context: 'Question: What is the capital of France?\nA. Paris\nB. Rome\nAnswer:',
    continuation: ' B',
  },
  {
    kind: 'loglikelihood',
    context: 'Question: What is the capital of France?\nA. Paris\nB. Rome\nAnswer:',
    continuation: ' Paris',
  },
  {
    kind: 'loglikelihood',
    context: 'Question: What is the capital of France?\nAnswer: ',
    continuation: 'Rome is the answer',
  },
  { kind: 'loglikelihood', context: 'Answer:', continuation: ' Rome is the answer' },
  { kind: 'loglikelihood', context: '다음 중 대한민국의 수도는?\n정답:', continuation: ' 서울특별시' },
  { kind: 'loglikelihood', context: 'Ça coûte combien ? Réponse :', continuation: ' 5 € — naïve façade' },
  { kind: 'loglikelihood', context: 'Once upon a time', continuation: ', there was a little girl' },
  {
    kind: 'nextToken',
    context: 'Question: What is the capital of France?\nA. Paris\nB. Rome\nAnswer:',
    candidates: [' A', ' B', ' C'],
  },
];

/**
 * Log-probs computed the plain way: a fresh context per continuation, the whole sequence
 * evaluated at once, and the full next-token distribution read at every continuation position.
 * It also checks that distribution is the untruncated softmax (all of the vocabulary, sums to 1).
 */
async function naive(modelPath: string, request: Request): Promise<number[]> {
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath });
  const tok = (t: string) => [model.tokens.bos!, ...model.tokenize(t)] as Token[];
  const continuations =
    request.kind === 'loglikelihood' ? [request.continuation] : (request as NextTokenRequest).candidates;
  const out: number[] = [];
  for (const continuation of continuations) {
    const { context, continuation: cont } = splitTokens(tok, request.context, continuation);
    const targets = request.kind === 'loglikelihood' ? cont : cont.slice(0, 1);
    const ctx = await model.createContext({ contextSize: 512, threads: 1 });
    const seq = ctx.getSequence();
    const all = [...context, ...targets];
    const res = await seq.controlledEvaluate(
      all.map((t, i) =>
        i >= context.length - 1 && i < all.length - 1 ? [t, { generateNext: { probabilities: true } }] : t,
      ),
    );
    let sum = 0;
    for (let i = context.length - 1; i < all.length - 1; i++) {
      const probabilities = res[i]!.next.probabilities!;
      assert.equal(probabilities.size, VOCABULARY[path.basename(modelPath)], 'the whole vocabulary, not a top-k');
      const total = [...probabilities.values()].reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(total - 1) < 1e-3, `a full softmax sums to 1 (got ${total})`);
      sum += Math.log(probabilities.get(all[i + 1])!);
    }
    out.push(sum);
    await ctx.dispose();
  }
  await model.dispose();
  return out;
}

for (const file of models) {
  test(`gguf backend matches a naive computation on ${file}`, async () => {
    const modelPath = path.join(sharedDir(), 'models', file);
    const model = await GgufModel.load({
      name: file,
      path: modelPath,
      sha256: await sha256File(modelPath),
      threads: 1,
      gpu: false,
    });
    const seen: number[] = [];
    const outcomes = await model.evaluate(requests, (i) => seen.push(i));
    assert.equal(seen.length, requests.length, 'every result is reported as it completes');
    for (let i = 0; i < requests.length; i++) {
      const o = outcomes[i];
      assert.ok(o.ok, `request ${i} failed: ${!o.ok && o.error}`);
      const expected = await naive(modelPath, requests[i]);
      const got = o.result.kind === 'loglikelihood' ? [o.result.logprob] : (o.result as NextTokenResult).logprobs;
      assert.equal(got.length, expected.length);
      got.forEach((g, j) =>
        assert.ok(Math.abs(g! - expected[j]) < 1e-3, `request ${i}.${j}: ${g} vs naive ${expected[j]}`),
      );
      if (o.result.kind === 'loglikelihood') {
        const ll = requests[i] as LoglikelihoodRequest;
        assert.ok(o.result.tokens >= 1);
        assert.ok(o.result.logprob < 0);
        void ll;
      }
    }
    // Evaluating again in another order (different prefix sharing) gives the same numbers.
    const again = await model.evaluate([...requests].reverse());
    again.reverse().forEach((o, i) => {
      assert.ok(o.ok && outcomes[i].ok);
      const a = o.result.kind === 'loglikelihood' ? [o.result.logprob] : (o.result as NextTokenResult).logprobs;
      const b = outcomes[i].ok && (outcomes[i] as any).result;
      const bb = b.kind === 'loglikelihood' ? [b.logprob] : b.logprobs;
      a.forEach((x, j) => assert.ok(Math.abs(x! - bb[j]) < 1e-4));
    });
    await model.close();
  });
}

test('the continuation keeps the whitespace moved off the context and is scored as one token', async () => {
  const modelPath = path.join(sharedDir(), 'models', 'llama-2-tiny-random.gguf');
  const model = await GgufModel.load({ name: 'tiny', path: modelPath, sha256: 'x', threads: 1, gpu: false });
  const [a] = await model.evaluate([{ kind: 'loglikelihood', context: 'Answer:', continuation: ' A' }]);
  const [b] = await model.evaluate([{ kind: 'loglikelihood', context: 'Answer: ', continuation: 'A' }]);
  assert.ok(a.ok && b.ok && a.result.kind === 'loglikelihood' && b.result.kind === 'loglikelihood');
  assert.equal(a.result.tokens, 1);
  assert.ok(Math.abs(a.result.logprob - b.result.logprob) < 1e-9);
  const [empty] = await model.evaluate([
    { kind: 'loglikelihood', context: 'Answer:', continuation: '' } satisfies LoglikelihoodRequest,
  ]);
  assert.equal(empty.ok, false, 'an empty continuation is an error, never a score of 0');
  const nt: NextTokenRequest = { kind: 'nextToken', context: 'Answer:', candidates: [' A'] };
  const [n] = await model.evaluate([nt]);
  assert.ok(n.ok && n.result.kind === 'nextToken' && Math.abs(n.result.logprobs[0]! - a.result.logprob) < 1e-6);
  await model.close();
});

test('several sequences side by side give the same numbers as one', async () => {
  const modelPath = path.join(sharedDir(), 'models', 'stories260K.gguf');
  const one = await GgufModel.load({ name: 'a', path: modelPath, sha256: 'x', threads: 1, gpu: false, sequences: 1 });
  const three = await GgufModel.load({ name: 'b', path: modelPath, sha256: 'x', threads: 1, gpu: false, sequences: 3 });
  const a = await one.evaluate(requests);
  const b = await three.evaluate(requests);
  a.forEach((o, i) => assert.deepEqual(o, b[i]));
  await one.close();
  await three.close();
});

test('prefix tree: each node is evaluated once per call, in any chunking, with the naive numbers', async () => {
  const modelPath = path.join(sharedDir(), 'models', 'stories260K.gguf');
  const shots = 'Once upon a time, there was a little girl. She liked to play.\n';
  const tree: Request[] = [
    ...requests,
    // A context that is a prefix of another, continuations that are prefixes of one another,
    // a request whose tokens equal another's, and a next-token request on a shared context.
    { kind: 'loglikelihood', context: shots + 'Once upon a time', continuation: ', there was' },
    { kind: 'loglikelihood', context: shots + 'Once upon a time', continuation: ', there was a dog' },
    { kind: 'loglikelihood', context: shots + 'Once upon a time, there was', continuation: ' a cat' },
    { kind: 'loglikelihood', context: shots + 'Once upon a time, there was ', continuation: 'a cat' },
    { kind: 'loglikelihood', context: shots + 'One day', continuation: ' she ran' },
    { kind: 'nextToken', context: shots + 'Once upon a time', candidates: [',', ' there'] },
    {
      kind: 'loglikelihood',
      context: 'Question: What is the capital of France?\nA. Paris\nB. Rome\nAnswer:',
      continuation: ' Paris is',
    },
  ];
  const whole = await GgufModel.load({ name: 'a', path: modelPath, sha256: 'x', threads: 1, gpu: false });
  const all = await whole.evaluate(tree);
  assert.equal(whole.tokensEvaluated, whole.prefixTreeSize(tree), 'one call evaluates exactly the prefix tree');
  for (let i = requests.length; i < tree.length; i++) {
    const o = all[i];
    assert.ok(o.ok, `request ${i} failed`);
    const got = o.result.kind === 'loglikelihood' ? [o.result.logprob] : (o.result as NextTokenResult).logprobs;
    const expected = await naive(modelPath, tree[i]);
    got.forEach((g, j) =>
      assert.ok(Math.abs(g! - expected[j]) < 1e-3, `request ${i}.${j}: ${g} vs naive ${expected[j]}`),
    );
  }
  // In chunks (as the engine sends them) and on several sequences: the same numbers, and the
  // state kept between calls means little more than the tree is evaluated. Precise numerics: with
  // the default F16 attention cache, what was evaluated before moves scores by up to ~1e-3, which
  // would hide a real difference between chunkings.
  const precise = await GgufModel.load({
    name: 'p',
    path: modelPath,
    sha256: 'x',
    threads: 1,
    gpu: false,
    precise: true,
  });
  const reference = await precise.evaluate(tree);
  await precise.close();
  for (const sequences of [1, 3]) {
    const model = await GgufModel.load({
      name: 'b',
      path: modelPath,
      sha256: 'x',
      threads: 1,
      gpu: false,
      sequences,
      precise: true,
    });
    const order = tree.map((_, i) => i).sort((a, b) => ((a * 7) % 5) - ((b * 7) % 5) || a - b);
    const got: Outcome[] = new Array(tree.length);
    for (let c = 0; c < order.length; c += 7) {
      const ids = order.slice(c, c + 7);
      (await model.evaluate(ids.map((i) => tree[i]))).forEach((o, j) => (got[ids[j]] = o));
    }
    got.forEach((o, i) => {
      assert.ok(o.ok && reference[i].ok);
      const a =
        o.result.kind === 'loglikelihood'
          ? [o.result.logprob, o.result.greedy]
          : (o.result as NextTokenResult).logprobs;
      const r = (reference[i] as Extract<Outcome, { ok: true }>).result;
      const b = r.kind === 'loglikelihood' ? [r.logprob, r.greedy] : (r as NextTokenResult).logprobs;
      a.forEach((x, j) =>
        typeof x === 'number'
          ? assert.ok(
              Math.abs(x - (b[j] as number)) < 1e-5,
              `request ${i}.${j} with ${sequences} sequences: ${x} vs ${b[j]}`,
            )
          : assert.equal(x, b[j]),
      );
    });
    await model.close();
  }
  await whole.close();
});

test('prefixTreeSize counts each distinct prefix once', () => {
  assert.equal(prefixTreeSize([]), 0);
  assert.equal(prefixTreeSize([[1, 2, 3], [1, 2, 4], [1, 2], [1, 2, 3], [5]]), 5);
});

for (const file of models) {
  test(`a read (a few logits and the normalizer) gives the log of the full softmax, and the argmax (${file})`, async () => {
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath: path.join(sharedDir(), 'models', file) });
    const context = await model.createContext({ contextSize: 512, threads: 1 });
    const seq = context.getSequence();
    const tokens = [
      model.tokens.bos!,
      ...model.tokenize('Question: What is the capital of France?\nA. Paris\nB. Rome\nAnswer: A. Paris is the capital'),
    ] as Token[];
    // Every position, asked for the next token and for three others (the first ids and the last of the vocabulary).
    const vocabulary = VOCABULARY[file];
    const asked = (i: number) => [...new Set([tokens[i + 1] ?? 0, 3, 4, vocabulary - 1])] as Token[];
    const full = await seq.controlledEvaluate(tokens.map((t) => [t, { generateNext: { probabilities: true } }]));
    await seq.eraseContextTokenRanges([{ start: 0, end: seq.nextTokenIndex }]);
    const cheap = await seq.controlledEvaluate(tokens.map((t, i) => [t, { generateNext: nextTokenRead(asked(i)) }]));
    let greedySeen = 0;
    tokens.forEach((_, i) => {
      const probabilities = full[i]!.next.probabilities!;
      const next = readNext(cheap[i]!.next);
      const top = probabilities.keys().next().value!;
      for (const t of new Set([...asked(i), top])) {
        const expected = Math.log(probabilities.get(t)!);
        assert.ok(
          Math.abs(next.logprob(t) - expected) < 1e-5,
          `position ${i}, token ${t}: ${next.logprob(t)} vs ${expected}`,
        );
        assert.equal(next.isGreedy(t), t === top, `position ${i}, token ${t}: greedy`);
        if (t === top) greedySeen++;
      }
    });
    assert.equal(greedySeen, tokens.length, "the argmax's logit is always there");
    await context.dispose();
    await model.dispose();
  });
}
