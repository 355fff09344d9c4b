import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import { getLlama, LlamaLogLevel, type LlamaModel } from 'node-llama-cpp';
import { ggufTokenizer, splitsAtNewlines, splitsAtSpaces } from '../../src/models/line-tokenizer.js';
import { moveTrailingWhitespace, withoutTrailingWhitespace } from '../../src/models/tokenize.js';
import { loadBenchmark } from '../../src/benchmarks/load.js';
import { planStudy } from '../../src/engine/run.js';
import { resolveStudy } from '../../src/study/load.js';
import { studySchema } from '../../src/study/schema.js';
import { sharedDir } from '../../src/core/paths.js';
import type { Model, NextTokenRequest } from '../../src/core/types.js';

async function vocabulary(file: string): Promise<LlamaModel> {
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false });
  return llama.loadModel({ modelPath: path.join(sharedDir(), 'models', file), vocabOnly: true });
}

/** The whole text through llama.cpp's tokenizer in one call, BOS first: what the line tokenizer must equal. */
function tokenizeWhole(model: LlamaModel): (text: string) => number[] {
  const bos = model.tokens.bos;
  return (text) => [
    ...(model.tokens.shouldPrependBosToken && bos !== null ? [bos] : []),
    ...model.tokenize(text, false),
  ];
}

/** Every text a study over real MMLU prompts tokenizes: contexts, and contexts with each continuation or candidate. */
async function studyTexts(): Promise<string[]> {
  const conditions = [
    { name: 'base', scoring: 'symbol' },
    { name: 'hybrid', scoring: 'hybrid' },
    { name: 'cloze', scoring: 'cloze' },
    { name: 'five-shot', scoring: 'symbol', perturbations: [{ fewshot: { k: 5 } }] },
    { name: 'roman', scoring: 'symbol', perturbations: [{ symbols: { set: 'roman' } }] },
    { name: 'helm', scoring: 'hybrid', perturbations: [{ template: { name: 'helm' } }, { shuffle: { seed: 2 } }] },
  ];
  const spec = studySchema.parse({
    name: 'tokens',
    seed: 1,
    benchmark: {
      format: 'mmlu',
      path: path.join(sharedDir(), 'data', 'mmlu', 'data'),
      split: 'test',
      limit: { total: 60, seed: 3 },
    },
    models: [{ name: 'm', path: 'unused.gguf' }],
    conditions,
    baseline: 'base',
  });
  const study = resolveStudy(spec, 'study.yaml');
  const benchmark = await loadBenchmark(study.spec.benchmark, { baseDir: study.baseDir });
  const cells = planStudy(study, { items: benchmark.items, fewshotPool: benchmark.fewshotPool })({
    capabilities: { loglikelihood: true, nextToken: true },
  } as Model);
  const texts = new Set<string>();
  for (const r of cells[0].table.requests) {
    texts.add(r.context);
    for (const c of r.kind === 'loglikelihood' ? [r.continuation] : (r as NextTokenRequest).candidates)
      texts.add(r.context + c);
  }
  return [...texts];
}

for (const file of ['llama-2-tiny-random.gguf', 'stories260K.gguf']) {
  test(`line-by-line tokenization equals whole-text tokenization on every prompt of a real study (${file})`, async () => {
    const model = await vocabulary(file);
    try {
      assert.ok(splitsAtNewlines(model), 'both vocabularies are SPM without pieces holding a newline');
      assert.ok(
        splitsAtSpaces(model),
        'and without pieces holding a space after a non-space (lines are cut into words)',
      );
      const lines = ggufTokenizer(model);
      const whole = tokenizeWhole(model);
      const texts = await studyTexts();
      assert.ok(texts.length > 1000, `${texts.length} texts`);
      let multiline = 0;
      for (const text of texts) {
        if (text.includes('\n')) multiline++;
        assert.deepEqual(lines(text), whole(text), JSON.stringify(text));
        // Asked again, the remembered lines give the same answer.
        assert.deepEqual(lines(text), whole(text));
      }
      assert.ok(multiline > texts.length / 2, 'most prompts have several lines');
    } finally {
      await model.dispose();
    }
  });

  test(`line-by-line tokenization equals whole-text tokenization on generated texts (${file})`, async () => {
    const model = await vocabulary(file);
    try {
      const lines = ggufTokenizer(model);
      const whole = tokenizeWhole(model);
      // Newlines, runs of spaces, the SPM space mark itself, digits, accents, CJK and an emoji.
      const alphabet = fc.constantFrom(
        '\n',
        '\n',
        ' ',
        ' ',
        '  ',
        '\r\n',
        '\t',
        'a',
        'A',
        'the',
        ' the',
        'Answer:',
        '▁',
        '1',
        '.',
        'é',
        '한',
        '😀',
        '<s>',
        '\u0000',
      );
      fc.assert(
        fc.property(fc.array(alphabet, { maxLength: 40 }), (parts) => {
          const text = parts.join('');
          assert.deepEqual(lines(text), whole(text), JSON.stringify(text));
        }),
        { numRuns: 3000, seed: 11 },
      );
    } finally {
      await model.dispose();
    }
  });
}

test('a vocabulary with a piece holding a newline is tokenized whole', async () => {
  const model = await vocabulary('llama-2-tiny-random.gguf');
  try {
    const metadata = model.fileInfo.metadata as unknown as { tokenizer: { ggml: { tokens: string[] } } };
    const pieces = metadata.tokenizer.ggml.tokens;
    const saved = pieces[300];
    pieces[300] = '▁a\n';
    try {
      assert.equal(splitsAtNewlines(model), false);
    } finally {
      pieces[300] = saved;
    }
    assert.equal(splitsAtNewlines(model), true);
  } finally {
    await model.dispose();
  }
});

test('a vocabulary with a piece holding a space after a non-space is not cut into words', async () => {
  const model = await vocabulary('llama-2-tiny-random.gguf');
  try {
    const metadata = model.fileInfo.metadata as unknown as { tokenizer: { ggml: { tokens: string[] } } };
    const pieces = metadata.tokenizer.ggml.tokens;
    const saved = pieces[300];
    for (const joined of ['▁of▁the', 'a b']) {
      pieces[300] = joined;
      try {
        assert.equal(splitsAtSpaces(model), false, joined);
      } finally {
        pieces[300] = saved;
      }
    }
    assert.equal(splitsAtSpaces(model), true);
  } finally {
    await model.dispose();
  }
});

test('trailing whitespace is found as the regular expression \\s+$ finds it', () => {
  const alphabet = fc.constantFrom(' ', '\n', '\t', '\u00a0', '\u2028', '\u3000', '\ufeff', 'a', 'é', '😀', '\u200b');
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 12 }), fc.string({ maxLength: 3 }), (parts, continuation) => {
      const text = parts.join('');
      const m = /\s+$/.exec(text);
      assert.equal(withoutTrailingWhitespace(text), text.replace(/\s+$/, ''));
      assert.deepEqual(
        moveTrailingWhitespace(text, continuation),
        m ? [text.slice(0, m.index), m[0] + continuation] : [text, continuation],
      );
    }),
    { numRuns: 2000, seed: 5 },
  );
});
