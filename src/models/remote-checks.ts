import { UserError } from '../core/errors.js';
import type { RemoteSetup } from './remote.js';
import type { TokenizeAsync } from './remote-tokenizer.js';

/**
 * Checks made when a remote model connects, before any scoring: a server that tokenizes in a
 * way that cannot be right, or that serves another model than the study names, would otherwise
 * fail every request or, worse, score the wrong thing. Each is a configuration error, or only a
 * warning when the run is `--lenient`.
 */

/** Texts tokenized when a model connects: letters, digits, the symbol sets' signs and non-ASCII text. */
export const PROBE_TEXTS = ['Answer: A', 'Question: (B) 1234 $ & # @?', 'Once upon a time, œ § з ü 서울'];

/** Raise a configuration problem: an error, or a warning when the run is lenient. */
export function configurationProblem(
  setup: Pick<RemoteSetup, 'lenient' | 'warn'>,
  message: string,
  where: string,
): void {
  if (!setup.lenient) throw new UserError(`${message} (--lenient makes this a warning)`, where);
  (setup.warn ?? ((line: string) => process.stderr.write(line + '\n')))(`warning: ${where}: ${message}`);
}

/** The model the study names must be one the server lists, when it lists any. */
export function checkListedModel(
  setup: RemoteSetup,
  listed: readonly (string | undefined)[] | undefined,
  endpoint: string,
): void {
  const model = setup.spec.model;
  if (!model || !listed || listed.length === 0 || listed.includes(model)) return;
  const names = listed.filter((n): n is string => !!n).map((n) => JSON.stringify(n));
  configurationProblem(
    setup,
    `the server does not list the model "${model}" (${endpoint} lists ${names.join(', ')}); set model: to one of them`,
    `${setup.where}.model`,
  );
}

/**
 * Tokenize the probe texts with the tokenizer that will be used (the server's or a local GGUF
 * vocabulary): an empty answer means the server does not speak this tokenize protocol, and a
 * local vocabulary that disagrees with the server's own `/tokenize` gives wrong token IDs.
 */
export async function checkTokenization(
  setup: RemoteSetup,
  used: TokenizeAsync,
  usedName: string,
  server: TokenizeAsync | undefined,
  hint: string,
): Promise<void> {
  for (const text of PROBE_TEXTS) {
    const tokens = await used(text);
    if (tokens.length === 0) {
      configurationProblem(
        setup,
        `${usedName} gave no tokens for ${JSON.stringify(text)}, so nothing could be scored. ${hint}`,
        setup.where,
      );
      return;
    }
    if (!server) continue;
    const served = await server(text);
    if (served.length === 0) {
      configurationProblem(
        setup,
        `the server's /tokenize gave no tokens for ${JSON.stringify(text)}. ${hint}`,
        setup.where,
      );
      return;
    }
    if (!sameTokens(tokens, served)) {
      configurationProblem(
        setup,
        `the local tokenizer disagrees with the server's /tokenize on ${JSON.stringify(text)}: [${tokens.join(', ')}] locally, [${served.join(', ')}] on the server; point tokenizer: at the served model's GGUF file, or remove it`,
        `${setup.where}.tokenizer`,
      );
      return;
    }
  }
}

const sameTokens = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((t, i) => t === b[i]);
