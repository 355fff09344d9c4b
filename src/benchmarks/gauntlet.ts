import path from 'node:path';
import type { Item } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { ownField, parseJsonl } from '../formats/jsonl.js';
import type { GauntletSpec } from './spec-parts.js';
import { BadRows, FormatLoad, itemProblem, letterOf, show } from './rows.js';
import { readTextFile } from '../formats/text-file.js';

/**
 * Some gauntlet files (commonsense_qa, siqa) list the choices inside the query
 * ("...\nChoices:\nA. bank\nB. mall\nAnswer:") and give the bare letters as choices.
 * Shuffling or relabelling bare letters would silently disagree with the query, so the
 * listed texts become the choices and the query keeps only what precedes "Choices:".
 */
const LETTERED_QUERY = /^([\s\S]*?)\r?\nChoices:\r?\n([\s\S]*?)\r?\nAnswer:\s*$/;

function unpackLetteredChoices(query: string, count: number): { question: string; choices: string[] } | null {
  const m = LETTERED_QUERY.exec(query);
  if (!m) return null;
  const lines = m[2].split(/\r?\n/);
  if (lines.length !== count) return null;
  const choices: string[] = [];
  for (let k = 0; k < count; k++) {
    const prefix = `${letterOf(k)}. `;
    if (!lines[k].startsWith(prefix)) return null;
    choices.push(lines[k].slice(prefix.length));
  }
  return { question: m[1], choices };
}

function isBareLetters(choices: string[]): boolean {
  return choices.every((c, k) => c === letterOf(k));
}

export async function loadGauntlet(spec: GauntletSpec, file: string, bad: BadRows): Promise<FormatLoad> {
  const source = await readTextFile(file);
  const name = path.basename(file).replace(/\.jsonl$/i, '');
  const subject = spec.subject ?? name;
  const items: Item[] = [];
  let unpacked = 0;

  parseJsonl(source.text).forEach((rec, row) => {
    if (source.invalidLines.has(rec.line)) return bad.report(file, rec.line, 'invalid UTF-8');
    if (!rec.ok) return bad.report(file, rec.line, rec.reason);
    const obj = rec.value;
    if (ownField(obj, 'context_options') !== undefined && ownField(obj, 'query') === undefined) {
      // WinoGrande's shape: the options are contexts scored against a shared continuation.
      throw new UserError(
        `${path.basename(file)} has the WinoGrande shape {context_options, continuation, gold} (partial scoring of ` +
          `a shared continuation), not {query, choices, gold}; it cannot be loaded as a multiple-choice benchmark`,
        `${file}:${rec.line}`,
      );
    }
    const query = ownField(obj, 'query');
    const rawChoices = ownField(obj, 'choices');
    const gold = ownField(obj, 'gold');
    if (typeof query !== 'string') return bad.report(file, rec.line, 'missing or non-string "query"');
    if (!Array.isArray(rawChoices)) return bad.report(file, rec.line, 'missing or non-array "choices"');
    if (!rawChoices.every((c) => typeof c === 'string'))
      return bad.report(file, rec.line, '"choices" must all be strings');
    if (typeof gold !== 'number' || !Number.isInteger(gold))
      return bad.report(file, rec.line, `"gold" ${show(gold)} is not an integer`);

    let question = query;
    let choices = rawChoices as string[];
    let meta: Item['meta'];
    if (choices.length >= 2 && isBareLetters(choices)) {
      const listed = unpackLetteredChoices(query, choices.length);
      if (!listed)
        return bad.report(
          file,
          rec.line,
          'choices are bare letters but the query does not list them as "A. ..." lines',
        );
      ({ question, choices } = listed);
      meta = { query };
      unpacked++;
    }
    const problem = itemProblem(question, choices, gold);
    if (problem) return bad.report(file, rec.line, problem);
    items.push({ id: `${name}/${row}`, subject, question, choices, answer: gold, ...(meta ? { meta } : {}) });
  });

  const note = unpacked > 0 ? ` (choices read from the lettered list in the query)` : '';
  return { items, fewshotPool: new Map(), files: [file], description: `gauntlet ${name}${note}` };
}
