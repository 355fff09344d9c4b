import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsv } from '../../src/formats/csv.js';

const ok = (text: string) =>
  parseCsv(text).map((r) => {
    assert.ok(r.ok, `unexpected bad record: ${JSON.stringify(r)}`);
    return r.fields;
  });

describe('parseCsv', () => {
  it('reads quoted commas, doubled quotes and newlines', () => {
    assert.deepEqual(ok('a,"b, c","say ""hi""","two\nlines"\n'), [['a', 'b, c', 'say "hi"', 'two\nlines']]);
  });

  it('keeps empty fields, including a trailing one', () => {
    assert.deepEqual(ok('a,,b,\n,\n'), [
      ['a', '', 'b', ''],
      ['', ''],
    ]);
  });

  it('treats CRLF like LF, inside quoted fields too, and ignores blank lines', () => {
    assert.deepEqual(ok('a,"x\r\ny"\r\n\r\nb,c\r\n'), ok('a,"x\ny"\n\nb,c\n'));
    assert.deepEqual(ok('a,b\r'), [['a', 'b']]);
  });

  it('keeps a quote inside an unquoted field literally', () => {
    assert.deepEqual(ok('Truth?",b\n'), [['Truth?"', 'b']]);
  });

  it('reports the physical line where each record starts', () => {
    const lines = parseCsv('"one\ntwo",x\n\nthree,y\n"4\n\n5",z').map((r) => [r.line, r.endLine]);
    assert.deepEqual(lines, [
      [1, 2],
      [4, 4],
      [5, 7],
    ]);
  });

  it('reports an unterminated quote and resumes on the next line', () => {
    const recs = parseCsv('a,b\n"open,c\nd,e\n');
    assert.deepEqual(
      recs.map((r) => (r.ok ? r.fields : r.line)),
      [['a', 'b'], 2, ['d', 'e']],
    );
    assert.ok(!recs[1].ok && /unterminated/.test(recs[1].reason));
  });

  it('reports text after a closing quote and resumes on the next line', () => {
    const recs = parseCsv('"a"b,c\nd,e');
    assert.ok(!recs[0].ok && recs[0].line === 1 && /after a closing quote/.test(recs[0].reason));
    assert.deepEqual(recs[1], { ok: true, fields: ['d', 'e'], line: 2, endLine: 2 });
  });
});
