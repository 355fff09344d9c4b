/** One JSON Lines record, or the reason its line could not be read. Blank lines are ignored. */
export type JsonlRecord =
  { ok: true; value: Record<string, unknown>; line: number } | { ok: false; reason: string; line: number };

export function parseJsonl(text: string): JsonlRecord[] {
  const records: JsonlRecord[] = [];
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const raw = lines[k];
    if (raw.trim() === '') continue;
    const line = k + 1;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      records.push({ ok: false, reason: `invalid JSON: ${(err as Error).message}`, line });
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      records.push({ ok: false, reason: 'expected a JSON object on this line', line });
      continue;
    }
    records.push({ ok: true, value: value as Record<string, unknown>, line });
  }
  return records;
}

/** A field of a parsed object; own properties only, so names like `constructor` are not inherited. */
export function ownField(obj: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
}
