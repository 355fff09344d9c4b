import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyChain, basePresentation, type PerturbationStep } from '../../src/perturbations/registry.js';
import { renderPrompt, TEMPLATE_NAMES, type Method } from '../../src/perturbations/templates.js';
import { biology, biologyCtx } from './fixtures.js';

const INTRO = 'The following are multiple choice questions (with answers)';
const ABOUT = `${INTRO} about high school biology.\n\n`;
const TEST_CHOICES = '\nA. Nucleus\nB. Mitochondrion\nC. Ribosome\nD. Golgi apparatus';
const SHOT0_CHOICES = '\nA. Platelets\nB. Plasma\nC. Red blood cells\nD. White blood cells';
const SHOT1_CHOICES = '\nA. Amino acids\nB. Nucleotides\nC. Lipids\nD. Sugars';
const SYMBOLS = [' A', ' B', ' C', ' D'];
const TEXTS = [' Nucleus', ' Mitochondrion', ' Ribosome', ' Golgi apparatus'];

function render(template: string, shots: number, method: Method) {
  const chain: PerturbationStep[] = [{ name: 'template', args: { name: template } }];
  if (shots) chain.push({ name: 'fewshot', args: { k: shots } });
  return renderPrompt(applyChain(biology, chain, biologyCtx), method);
}

describe('lm-eval template', () => {
  it('is the default of the base presentation', () => {
    assert.deepEqual(renderPrompt(basePresentation(biology), 'symbol'), render('lm-eval', 0, 'symbol'));
  });

  it('0-shot symbol', () => {
    assert.deepEqual(render('lm-eval', 0, 'symbol'), {
      context: `${ABOUT}Which organelle makes ATP?${TEST_CHOICES}\nAnswer:`,
      continuations: SYMBOLS,
      unconditionalContext: 'Answer:',
    });
  });

  it('0-shot hybrid shows the choices and scores their texts', () => {
    assert.deepEqual(render('lm-eval', 0, 'hybrid'), {
      context: `${ABOUT}Which organelle makes ATP?${TEST_CHOICES}\nAnswer:`,
      continuations: TEXTS,
      unconditionalContext: 'Answer:',
    });
  });

  it('0-shot cloze hides the choices', () => {
    assert.deepEqual(render('lm-eval', 0, 'cloze'), {
      context: `${ABOUT}Which organelle makes ATP?\nAnswer:`,
      continuations: TEXTS,
      unconditionalContext: 'Answer:',
    });
  });

  it('2-shot symbol answers shots with the label', () => {
    assert.equal(
      render('lm-eval', 2, 'symbol').context,
      'The following are multiple choice questions (with answers) about high school biology.\n\n' +
        'What carries oxygen in blood?\nA. Platelets\nB. Plasma\nC. Red blood cells\nD. White blood cells\nAnswer: C\n\n' +
        'DNA is made of?\nA. Amino acids\nB. Nucleotides\nC. Lipids\nD. Sugars\nAnswer: B\n\n' +
        'Which organelle makes ATP?\nA. Nucleus\nB. Mitochondrion\nC. Ribosome\nD. Golgi apparatus\nAnswer:',
    );
  });

  it('2-shot hybrid answers shots with the text', () => {
    const rendered = render('lm-eval', 2, 'hybrid');
    assert.equal(
      rendered.context,
      `${ABOUT}What carries oxygen in blood?${SHOT0_CHOICES}\nAnswer: Red blood cells\n\n` +
        `DNA is made of?${SHOT1_CHOICES}\nAnswer: Nucleotides\n\n` +
        `Which organelle makes ATP?${TEST_CHOICES}\nAnswer:`,
    );
    assert.deepEqual(rendered.continuations, TEXTS);
  });

  it('2-shot cloze', () => {
    assert.equal(
      render('lm-eval', 2, 'cloze').context,
      `${ABOUT}What carries oxygen in blood?\nAnswer: Red blood cells\n\n` +
        'DNA is made of?\nAnswer: Nucleotides\n\n' +
        'Which organelle makes ATP?\nAnswer:',
    );
  });

  it('without a subject the description has no "about"', () => {
    const { subject: _, ...noSubject } = biology;
    assert.equal(
      renderPrompt(basePresentation(noSubject), 'symbol').context,
      `${INTRO}.\n\nWhich organelle makes ATP?${TEST_CHOICES}\nAnswer:`,
    );
  });
});

describe('no-subject template', () => {
  it('0-shot symbol and 2-shot cloze', () => {
    assert.equal(
      render('no-subject', 0, 'symbol').context,
      `${INTRO}.\n\nWhich organelle makes ATP?${TEST_CHOICES}\nAnswer:`,
    );
    assert.equal(
      render('no-subject', 2, 'cloze').context,
      `${INTRO}.\n\nWhat carries oxygen in blood?\nAnswer: Red blood cells\n\nDNA is made of?\nAnswer: Nucleotides\n\n` +
        'Which organelle makes ATP?\nAnswer:',
    );
  });
});

describe('correct-answer template', () => {
  it('uses "Correct Answer:" as the cue, also for PMI', () => {
    const rendered = render('correct-answer', 2, 'symbol');
    assert.equal(
      rendered.context,
      `${ABOUT}What carries oxygen in blood?${SHOT0_CHOICES}\nCorrect Answer: C\n\n` +
        `DNA is made of?${SHOT1_CHOICES}\nCorrect Answer: B\n\n` +
        `Which organelle makes ATP?${TEST_CHOICES}\nCorrect Answer:`,
    );
    assert.deepEqual(rendered.continuations, SYMBOLS);
    assert.equal(rendered.unconditionalContext, 'Correct Answer:');
    assert.equal(render('correct-answer', 0, 'cloze').context, `${ABOUT}Which organelle makes ATP?\nCorrect Answer:`);
  });
});

describe('helm template', () => {
  it('prefixes each question with "Question: "', () => {
    assert.equal(
      render('helm', 0, 'symbol').context,
      `${ABOUT}Question: Which organelle makes ATP?${TEST_CHOICES}\nAnswer:`,
    );
    assert.equal(
      render('helm', 2, 'hybrid').context,
      `${ABOUT}Question: What carries oxygen in blood?${SHOT0_CHOICES}\nAnswer: Red blood cells\n\n` +
        `Question: DNA is made of?${SHOT1_CHOICES}\nAnswer: Nucleotides\n\n` +
        `Question: Which organelle makes ATP?${TEST_CHOICES}\nAnswer:`,
    );
    assert.equal(render('helm', 0, 'cloze').context, `${ABOUT}Question: Which organelle makes ATP?\nAnswer:`);
  });
});

describe('hendrycks template', () => {
  it('keeps the original double space after "about" and the untrimmed question', () => {
    const hendrycksAbout = `${INTRO} about  high school biology.\n\n`;
    assert.equal(
      render('hendrycks', 0, 'symbol').context,
      `${hendrycksAbout}Which organelle makes ATP? ${TEST_CHOICES}\nAnswer:`,
    );
    assert.equal(
      render('hendrycks', 2, 'symbol').context,
      `${hendrycksAbout}What carries oxygen in blood?${SHOT0_CHOICES}\nAnswer: C\n\n` +
        `DNA is made of?${SHOT1_CHOICES}\nAnswer: B\n\n` +
        `Which organelle makes ATP? ${TEST_CHOICES}\nAnswer:`,
    );
    assert.equal(render('hendrycks', 0, 'cloze').context, `${hendrycksAbout}Which organelle makes ATP? \nAnswer:`);
  });
});

describe('every template', () => {
  for (const name of TEMPLATE_NAMES) {
    for (const method of ['symbol', 'hybrid', 'cloze'] as const) {
      it(`${name}/${method}: the context ends with the cue, never with whitespace`, () => {
        for (const shots of [0, 2]) {
          const { context, unconditionalContext } = render(name, shots, method);
          assert.ok(context.endsWith(unconditionalContext));
          assert.doesNotMatch(context, /\s$/);
        }
      });
    }
  }

  it('rejects an order that is not a permutation', () => {
    assert.throws(
      () => renderPrompt({ ...basePresentation(biology), order: [0, 0, 1, 2] }, 'symbol'),
      /not a permutation/,
    );
  });
});
