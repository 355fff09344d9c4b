/**
 * The item browser's frame. The report's script fills it from the embedded data with
 * textContent only, so nothing from a benchmark or a model is ever parsed as HTML.
 */
import { escapeHtml } from '../escape.js';

export function itemSection(note: string, hasPrompts: boolean, problem: string | null): string {
  return `<section id="items"><h2>Item browser</h2>
<p class="note">Pick a model, a condition and an item to see the exact prompt the model was shown, the score of every choice and its
prediction. ${escapeHtml(note)}</p>
${problem || !hasPrompts ? `<p class="warning">${escapeHtml(problem ?? 'Prompts are not available for this run.')}</p>` : ''}
<div class="browser" id="browser">
<form class="controls" id="browser-controls">
<label>Model <select id="pick-model"></select></label>
<label>Condition <select id="pick-condition"></select></label>
<label>Find <input id="pick-search" type="search" placeholder="id, subject or question text" autocomplete="off"></label>
<label class="check"><input id="pick-flips" type="checkbox"> only items whose answer changes between conditions</label>
</form>
<div class="browser-body">
<div class="item-list"><p class="muted" id="item-count"></p><select id="pick-item" size="16" aria-label="Items"></select></div>
<div class="item-view" id="item-view" aria-live="polite">
<h3 id="item-title"></h3>
<p class="muted" id="item-meta"></p>
<div id="item-strip" class="strip" aria-label="Answer under each condition"></div>
<h4>Prompt shown</h4>
<pre id="item-prompt" class="prompt"></pre>
<p class="muted" id="item-unconditional"></p>
<h4>Choices and scores</h4>
<p class="muted">Scores are log-probabilities after the condition's normalization; the highest is the prediction (ties go to the first shown).</p>
<div class="table-wrap"><table id="item-choices" class="choices">
<thead><tr><th scope="col">shown</th><th scope="col">choice</th><th scope="col">continuation scored</th><th scope="col" class="num">score</th><th scope="col"></th></tr></thead>
<tbody></tbody></table></div>
</div></div></div>
<noscript><p class="warning">The item browser needs JavaScript; every result is also in items.jsonl.</p></noscript>
</section>`;
}
