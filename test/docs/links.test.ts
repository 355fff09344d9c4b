import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { headingAnchor } from '../../scripts/study-reference.js';
import { repoRoot } from '../helpers.js';

/** The project's Markdown: the README and every page under docs/. */
function markdownFiles(): string[] {
  const docs = fs.readdirSync(path.join(repoRoot, 'docs')).filter((f) => f.endsWith('.md'));
  return ['README.md', ...docs.map((f) => path.join('docs', f))];
}

/** The page with its fenced code blocks blanked (line numbers kept). */
function withoutFences(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ''));
}

/** Text outside code blocks and inline code, where links are links. */
function prose(markdown: string): string {
  return withoutFences(markdown).replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchors of a page's headings (a repeated heading gets -1, -2, ...). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of withoutFences(markdown).matchAll(/^#{1,6} +(.+?) *#* *$/gm)) {
    const text = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[*_]{1,2}([^*_]+)[*_]{1,2}/g, '$1');
    const base = headingAnchor(text);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Relative link targets: [text](target) and ![alt](target), external addresses left out. */
function relativeLinks(markdown: string): { target: string; line: number }[] {
  const text = prose(markdown);
  const links: { target: string; line: number }[] = [];
  for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    links.push({ target, line: text.slice(0, m.index).split('\n').length });
  }
  return links;
}

test('every relative link in README.md and docs/*.md points to an existing file and heading', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const file of markdownFiles()) {
    const source = fs.readFileSync(path.join(repoRoot, file), 'utf8');
    for (const { target, line } of relativeLinks(source)) {
      checked++;
      const [rawPath, anchor] = target.split('#', 2);
      const resolved =
        rawPath === '' ? path.join(repoRoot, file) : path.resolve(repoRoot, path.dirname(file), decodeURI(rawPath));
      if (!fs.existsSync(resolved)) {
        problems.push(`${file}:${line}: ${target}: no such file`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith('.md') && !anchors(fs.readFileSync(resolved, 'utf8')).has(anchor)) {
        problems.push(`${file}:${line}: ${target}: no heading with that anchor`);
      }
    }
  }
  assert.ok(checked > 20, `links were found (${checked})`);
  assert.deepEqual(problems, []);
});

test('the link check finds a missing page and a missing heading', () => {
  const page =
    '# Title\n\n## A `code` heading\n\n[ok](#a-code-heading) [bad](#nowhere) `[not](a-link.md)`\n```\n[nor](this.md)\n```\n[x](https://example.com)';
  assert.deepEqual(
    relativeLinks(page).map((l) => l.target),
    ['#a-code-heading', '#nowhere'],
  );
  assert.deepEqual([...anchors(page)], ['title', 'a-code-heading']);
});
