// The report's only script: sortable tables and the item browser. Data from benchmarks and
// models reaches the page through textContent and Option text only, never as HTML.
'use strict';
(function () {
  const MISSING = ['', '–', 'n/a'];

  function sortKey(cell) {
    const given = cell.getAttribute('data-sort');
    const raw = given !== null ? given : cell.textContent.trim();
    if (MISSING.includes(raw)) return null;
    const n = Number(raw);
    return Number.isFinite(n) ? n : raw;
  }

  // Missing values sort last in both directions; numbers before text.
  function compare(a, b, dir) {
    if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
    if (typeof a === 'number' && typeof b === 'number') return dir * (a - b);
    if (typeof a === 'number') return -1;
    if (typeof b === 'number') return 1;
    return dir * a.localeCompare(b, undefined, { numeric: true });
  }

  function makeSortable(table) {
    const headers = Array.from(table.tHead.rows[table.tHead.rows.length - 1].cells);
    headers.forEach((th, k) => {
      const button = th.querySelector('button.sort');
      if (!button) return;
      button.addEventListener('click', () => {
        const dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        headers.forEach((h) => h.removeAttribute('aria-sort'));
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        const body = table.tBodies[0];
        const rows = Array.from(body.rows).map((row, i) => ({ row, i, key: sortKey(row.cells[k]) }));
        rows.sort((x, y) => compare(x.key, y.key, dir) || x.i - y.i);
        for (const r of rows) body.appendChild(r.row);
      });
    });
  }
  document.querySelectorAll('table.sortable').forEach(makeSortable);

  const source = document.getElementById('report-data');
  if (!source) return;
  const data = JSON.parse(source.textContent);
  const $ = (id) => document.getElementById(id);
  const el = (tag, text, className) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (className) e.className = className;
    return e;
  };
  const letter = (i) => (i < 26 ? String.fromCharCode(65 + i) : String(i + 1));
  const state = { model: 0, condition: Math.max(0, data.conditions.findIndex((c) => c.baseline)), item: 0 };

  const pickModel = $('pick-model');
  const pickCondition = $('pick-condition');
  const pickItem = $('pick-item');
  const search = $('pick-search');
  const flipsOnly = $('pick-flips');
  data.models.forEach((m, i) => pickModel.add(new Option(m, String(i))));
  data.conditions.forEach((c, i) => pickCondition.add(new Option(c.baseline ? c.name + ' ★' : c.name, String(i))));
  pickCondition.value = String(state.condition);
  $('browser-controls').addEventListener('submit', (e) => e.preventDefault());

  function matches(item, i) {
    if (flipsOnly.checked && !data.flips[state.model][i]) return false;
    const q = search.value.trim().toLowerCase();
    if (!q) return true;
    return [item.id, item.subject || '', item.question || ''].some((s) => s.toLowerCase().includes(q));
  }

  function listItems() {
    const shown = [];
    data.items.forEach((item, i) => { if (matches(item, i)) shown.push(i); });
    pickItem.replaceChildren();
    for (const i of shown) {
      const item = data.items[i];
      const mark = data.flips[state.model][i] ? '⇄ ' : '';
      pickItem.add(new Option(mark + item.id + (item.question ? ' — ' + item.question.slice(0, 70) : ''), String(i)));
    }
    $('item-count').textContent = shown.length + ' of ' + data.items.length + ' items';
    if (shown.length && !shown.includes(state.item)) state.item = shown[0];
    if (shown.length) pickItem.value = String(state.item);
    showItem();
  }

  // The original choice picked and whether it was right; imported outcomes may have only the latter.
  function pickedText(r) {
    if (!r) return 'no result';
    if (r.correct === null) return 'unscored';
    const mark = r.correct ? '✓' : '✗';
    return r.predicted === null ? mark : letter(r.order[r.predicted]) + ' ' + mark;
  }

  function strip() {
    const box = $('item-strip');
    box.replaceChildren();
    data.conditions.forEach((c, ci) => {
      const r = data.results[state.model][ci][state.item];
      const chip = el('button', undefined, 'chip ' + (!r || r.correct === null ? 'none' : r.correct ? 'ok' : 'bad') + (ci === state.condition ? ' current' : ''));
      chip.type = 'button';
      chip.append(el('span', c.name, 'chip-name'), el('span', pickedText(r), 'chip-value'));
      chip.title = c.name + ': picked original choice ' + pickedText(r);
      chip.addEventListener('click', () => { state.condition = ci; pickCondition.value = String(ci); showItem(); });
      box.append(chip);
    });
  }

  function showItem() {
    const any = pickItem.options.length > 0;
    $('item-view').hidden = !any;
    if (!any) return;
    const item = data.items[state.item];
    const r = data.results[state.model][state.condition][state.item];
    const prompt = data.prompts[state.condition][state.item];
    const cond = data.conditions[state.condition];
    $('item-title').textContent = item.id;
    const meta = [item.subject ? 'subject ' + item.subject : '', item.answer !== undefined ? 'correct answer: ' + letter(item.answer) + ' in the original order' : '',
      cond.scoring + (cond.normalization === 'none' ? '' : '/' + cond.normalization) + ' scoring',
      data.flips[state.model][state.item] ? 'the answer of ' + data.models[state.model] + ' changes between conditions' : ''];
    $('item-meta').textContent = meta.filter(Boolean).join(' · ');
    strip();
    $('item-prompt').textContent = prompt ? prompt.context : 'The prompt is not available for this item and condition.';
    $('item-unconditional').textContent = r && r.generated !== undefined
      ? 'The model wrote: "' + r.generated + '" — read as ' + (r.extracted === null ? 'nothing (unscored)' : r.extracted) + '.'
      : prompt && prompt.unconditional !== undefined ? 'PMI: each score subtracts log P(choice | "' + prompt.unconditional + '").' : '';
    const body = $('item-choices').tBodies[0];
    body.replaceChildren();
    if (!r || r.order.length === 0) {
      const row = body.insertRow();
      const td = row.insertCell();
      td.colSpan = 5;
      td.textContent = r ? 'This run has no per-choice scores, only whether the answer was right.' : 'No result for this model under this condition.';
      return;
    }
    r.order.forEach((original, k) => {
      const row = body.insertRow();
      row.className = [k === r.gold ? 'gold' : '', k === r.predicted ? 'predicted' : ''].filter(Boolean).join(' ');
      row.insertCell().textContent = r.labels ? r.labels[k] : letter(k);
      row.insertCell().textContent = item.choices ? item.choices[original] : 'choice ' + letter(original);
      const cont = row.insertCell();
      if (prompt) cont.append(el('code', prompt.continuations[k], 'continuation'));
      const score = row.insertCell();
      score.className = 'num';
      score.textContent = r.scores[k] === null ? 'n/a' : r.scores[k].toFixed(3).replace('-', '−');
      const notes = [k === r.gold ? 'correct' : '', k === r.predicted ? (r.tie ? 'predicted (tie)' : 'predicted') : ''];
      row.insertCell().textContent = notes.filter(Boolean).join(', ');
    });
  }

  pickModel.addEventListener('change', () => { state.model = Number(pickModel.value); listItems(); });
  pickCondition.addEventListener('change', () => { state.condition = Number(pickCondition.value); showItem(); });
  pickItem.addEventListener('change', () => { state.item = Number(pickItem.value); showItem(); });
  search.addEventListener('input', listItems);
  flipsOnly.addEventListener('change', listItems);
  listItems();
})();
