/**
 * A strict RFC 4180 CSV reader that remembers where each record starts, so bad rows can be
 * reported as file:line. A quote inside an unquoted field is kept literally (as Python's csv
 * does; real MMLU rows rely on it). Broken quoting is reported per record: text after a closing quote
 * makes its record bad, which is still read to its end (so a quoted field after it cannot pass for a
 * record of its own); after an unterminated quote reading resumes on the next physical line, so one
 * stray quote does not swallow the rest of a file.
 */

export type CsvRecord =
  | { ok: true; fields: string[]; line: number; endLine: number }
  | { ok: false; reason: string; line: number; endLine: number };

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** Parse CSV text into records; empty lines between records are ignored. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;

  // A line end is LF, CRLF, or a CR at the very end of the text; 0 when `at` is not one.
  const lineEndLength = (at: number): number => {
    const c = text.charCodeAt(at);
    if (c === LF) return 1;
    if (c === CR) {
      if (at + 1 === n) return 1;
      if (text.charCodeAt(at + 1) === LF) return 2;
    }
    return 0;
  };

  // End of an unquoted field starting at `from`: the next comma or line end.
  const unquotedEnd = (from: number): number => {
    let j = from;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === COMMA || ((c === LF || c === CR) && lineEndLength(j) > 0)) break;
      j++;
    }
    return j;
  };

  const readRecord = (): CsvRecord => {
    const rowStart = i;
    const startLine = line;
    const fields: string[] = [];
    let failure: string | undefined;
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        let value = '';
        let j = i + 1;
        let chunk = j;
        let closed = false;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === QUOTE) {
            if (text.charCodeAt(j + 1) === QUOTE) {
              value += text.slice(chunk, j + 1);
              j += 2;
              chunk = j;
              continue;
            }
            value += text.slice(chunk, j);
            j++;
            closed = true;
            break;
          }
          if (c === LF) line++;
          j++;
        }
        if (!closed) {
          // Resume right after the row's first line: what follows is probably ordinary rows.
          const nl = text.indexOf('\n', rowStart);
          i = nl < 0 ? n : nl + 1;
          line = startLine + 1;
          return { ok: false, reason: 'unterminated quoted field', line: startLine, endLine: startLine };
        }
        // Line ends inside a field are normalised so CRLF and LF files load the same.
        fields.push(value.includes('\r\n') ? value.replace(/\r\n/g, '\n') : value);
        i = j;
        if (i < n && text.charCodeAt(i) !== COMMA && lineEndLength(i) === 0) {
          // Text after the closing quote: the record is bad; skip that text and read on to the record's end.
          failure ??= 'unexpected text after a closing quote';
          i = unquotedEnd(i);
        }
      } else {
        const start = i;
        i = unquotedEnd(i);
        fields.push(text.slice(start, i));
      }
      if (i < n && text.charCodeAt(i) === COMMA) {
        i++;
        continue;
      }
      const endLine = line;
      if (i < n) {
        i += lineEndLength(i);
        line++;
      }
      return failure === undefined
        ? { ok: true, fields, line: startLine, endLine }
        : { ok: false, reason: failure, line: startLine, endLine };
    }
  };

  while (i < n) {
    const blank = lineEndLength(i);
    if (blank > 0) {
      i += blank;
      line++;
      continue;
    }
    records.push(readRecord());
  }
  return records;
}
