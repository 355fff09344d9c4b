/**
 * Escaping for every place text from a benchmark or a model lands in the report: HTML text and
 * attributes, JSON inside a <script> element, and Markdown table cells.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&` as \u escapes so no
 * `</script>` or `<!--` can end the element early, and U+2028/U+2029 escaped so the text stays
 * valid in older JavaScript parsers. JSON.parse returns the original strings.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * One Markdown table cell: pipes and backslashes escaped, line breaks folded into spaces, and
 * HTML-significant characters as entities, so a cell cannot end the row, break the table or
 * inject markup where the Markdown is rendered (GitHub renders inline HTML).
 */
export function escapeMarkdownCell(text: string): string {
  return escapeHtml(text)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[`*_[\]]/g, (c) => `\\${c}`)
    .replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ')
    .trim();
}
