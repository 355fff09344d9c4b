/**
 * Which files of a dataset repository hold one config's split. The Hub has a few layouts, tried
 * in order (the first that matches anything wins):
 *   1. a folder per config:            `<config>/<split>-00000-of-00001.parquet`, `<config>/<split>/0000.parquet`
 *   2. the config in the file name:    `data/<config>-<split>.csv` (KMMLU), `<config>_<split>.jsonl`
 *   3. one default config:             `data/<split>-00000-of-00002.parquet`, `<split>.jsonl`, `data/<split>/*.parquet`
 * Each may sit under `data/`. A config of `*` means every config (its name is read from the path).
 */

export const DATA_EXTENSIONS = ['parquet', 'jsonl', 'json', 'csv'] as const;

export interface DataFile {
  /** Path inside the repository, with `/`. */
  path: string;
  config: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const EXT = `\\.(?:${DATA_EXTENSIONS.join('|')})$`;
/** After the split name: nothing, or a separator and more (shard numbers, a subject...). */
const REST = '(?:[-_.][^/]*)?';

export function isDataFile(p: string): boolean {
  return new RegExp(EXT, 'i').test(p) && !p.split('/').some((part) => part.startsWith('.'));
}

function matching(paths: string[], patterns: RegExp[], defaultConfig: string): DataFile[] {
  const out: DataFile[] = [];
  for (const p of paths) {
    for (const re of patterns) {
      const m = re.exec(p);
      if (m) {
        out.push({ path: p, config: m.groups?.config ?? defaultConfig });
        break;
      }
    }
  }
  return out;
}

/** Data files of `config` (or every config for `*`; `default` or undefined for a one-config dataset) and `split`, sorted. */
export function selectDataFiles(paths: string[], config: string | undefined, split: string): DataFile[] {
  const data = paths.filter(isDataFile).sort();
  const s = escape(split);
  const c = config === '*' ? '(?<config>[^/]+?)' : escape(config ?? 'default');
  const layouts: RegExp[][] = [
    [new RegExp(`^(?:data/)?${c}/${s}${REST}${EXT}`, 'i'), new RegExp(`^(?:data/)?${c}/${s}/[^/]+${EXT}`, 'i')],
    [new RegExp(`^(?:data/)?${c}[-_]${s}${REST}${EXT}`, 'i')],
  ];
  if (config === undefined || config === 'default') {
    layouts.push([new RegExp(`^(?:data/)?${s}${REST}${EXT}`, 'i'), new RegExp(`^(?:data/)?${s}/[^/]+${EXT}`, 'i')]);
  }
  for (const patterns of layouts) {
    const found = matching(data, patterns, config ?? 'default');
    if (found.length > 0) return found;
  }
  return [];
}

/** `*` matches within a path segment, `**` across segments; `{split}` and `{config}` are filled in. */
export function globFiles(paths: string[], globs: string[], config: string, split: string): DataFile[] {
  const res = globs.map((g) => {
    const filled = g.replaceAll('{split}', split).replaceAll('{config}', config);
    const body = filled
      .split('**')
      .map((part) => part.split('*').map(escape).join('[^/]*'))
      .join('.*');
    return new RegExp(`^${body}$`);
  });
  return paths
    .filter((p) => res.some((re) => re.test(p)))
    .sort()
    .map((p) => ({ path: p, config }));
}
