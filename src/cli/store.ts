import path from 'node:path';
import { salvageStore, verifyStore } from '../store/check.js';
import { checkStorePath } from '../output/paths.js';

/** `goodhart store verify <store>`: 0 when every page and every result checks out, else 1. */
export function storeVerifyCommand(file: string): number {
  const r = verifyStore(path.resolve(file));
  const ok = r.integrity.length === 1 && r.integrity[0] === 'ok' && r.damaged === 0;
  process.stdout.write(
    `${path.resolve(file)}: ${ok ? 'ok' : 'DAMAGED'}\n` +
      `pages: ${r.integrity.slice(0, 5).join('; ')}${r.integrity.length > 5 ? `; … (${r.integrity.length} problems)` : ''}\n` +
      `results: ${r.results} (${r.results - r.unchecked - r.damaged} verified, ${r.unchecked} from before checksums, ${r.damaged} damaged); ${r.failures} recorded failures\n`,
  );
  if (!ok) {
    process.stderr.write(
      `goodhart: ${path.resolve(file)}: damaged (${r.damaged} results fail their checksum; pages: ${r.integrity[0]}${r.integrity.length > 1 ? ` and ${r.integrity.length - 1} more problems` : ''}). A run computes damaged results again; to copy only what verifies: goodhart store salvage ${file} <new file>\n`,
    );
  }
  return ok ? 0 : 1;
}

/** `goodhart store salvage <from> <to>`: every readable, verified result into a new store. */
export function storeSalvageCommand(from: string, to: string): number {
  const target = path.resolve(to);
  checkStorePath(target);
  const r = salvageStore(path.resolve(from), target);
  process.stdout.write(
    `copied ${r.copied} verified results into ${target}; left out ${r.damaged} damaged results and ${r.unreadable} unreadable parts of ${path.resolve(from)}\n`,
  );
  return 0;
}
