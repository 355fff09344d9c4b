import { UserError } from '../core/errors.js';
import { hubJson } from './http.js';
import { modelCacheDir } from './refs.js';
import { hubEndpoint, hubToken, isOffline } from './settings.js';

/**
 * GGUF models named on the Hub: `hf:<owner>/<repo>/<file>.gguf` (a file, `#<branch>` optional) or
 * `hf:<owner>/<repo>:<quant>` (the repository's file of that quantization, e.g. Q8_0). node-llama-cpp's
 * downloader fetches them into the cache and finds them there again; the model's identity stays the
 * file's content hash, so a renamed or re-downloaded file is the same model to the store.
 */

export function isHubModelRef(p: string): boolean {
  return p.startsWith('hf:') && !p.startsWith('hf://datasets/');
}

const SHAPE = /^hf:[\w.-]+\/[\w.-]+(?::[\w.-]+|\/[^#\s]+\.gguf(?:#[\w./-]+)?)$/i;

export interface ResolveModelOptions {
  offline?: boolean;
  /** Where in the study file the model is named (for messages). */
  where: string;
  log?: (line: string) => void;
}

/** The local path of a Hub GGUF model, downloading it into the cache unless offline. */
export async function resolveHubModel(ref: string, opts: ResolveModelOptions): Promise<string> {
  if (!SHAPE.test(ref)) {
    throw new UserError(
      `not a Hub model reference: ${JSON.stringify(ref)} (expected hf:<owner>/<repo>/<file>.gguf or hf:<owner>/<repo>:<quant>)`,
      opts.where,
    );
  }
  const directory = modelCacheDir();
  const offline = isOffline(opts.offline);
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const { resolveModelFile } = await import('node-llama-cpp');
  try {
    return await resolveModelFile(ref, { directory, download: false, cli: false });
  } catch (err) {
    if (offline) {
      throw new UserError(
        `offline, and the model ${ref} is not in the cache (${(err as Error).message}; looked in ${directory}). Run once online, or name a local .gguf file as path`,
        opts.where,
      );
    }
  }
  // Ask the Hub about the repository first: its answer (not found, gated, unreachable) is quick and
  // clear, where the downloader would keep retrying an unreachable host.
  const [owner, repo] = ref.slice('hf:'.length).split(/[/:]/);
  await hubJson(
    `${hubEndpoint()}/api/models/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`,
    `${opts.where} (${ref})`,
  );
  let announced = false;
  let lastTenth = -1;
  const token = hubToken();
  try {
    return await resolveModelFile(ref, {
      directory,
      download: offline ? false : 'auto',
      cli: false,
      endpoints: { huggingFace: `${hubEndpoint()}/` },
      ...(token ? { tokens: { huggingFace: token } } : {}),
      onProgress: ({ totalSize, downloadedSize }) => {
        if (!announced) {
          announced = true;
          log(`downloading ${ref} (${(totalSize / 1e6).toFixed(1)} MB) into ${directory}`);
        }
        const tenth = totalSize > 0 ? Math.floor((downloadedSize / totalSize) * 10) : 0;
        if (tenth > lastTenth && tenth < 10) {
          lastTenth = tenth;
          if (tenth > 0) log(`  ${ref}: ${tenth * 10}%`);
        }
      },
    });
  } catch (err) {
    throw new UserError(`cannot fetch the model ${ref} from ${hubEndpoint()}: ${(err as Error).message}`, opts.where);
  }
}
