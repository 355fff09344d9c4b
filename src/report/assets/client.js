// The report's only script: sortable tables, CSV downloads, the item browser and its links.
// Data from benchmarks and models reaches the page through textContent and Option text only,
// never as HTML; names are wrapped in Unicode isolates so right-to-left text stays inside them.
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

  // CSV of a table as shown (sorted as it is), one header row; cells that a spreadsheet would
  // run as a formula are quoted with a leading apostrophe.
  function csvField(text) {
    let t = text.replace(/[\u2066-\u2069]/g, '').trim();
    if (/^[=+\-@\t\r]/.test(t)) t = "'" + t;
    return /[",\n\r]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
  }
  function tableCsv(table) {
    const headRows = Array.from(table.tHead.rows);
    const last = headRows[headRows.length - 1];
    const groups = [];
    if (headRows.length > 1)
      for (const th of headRows[0].cells) for (let k = 0; k < th.colSpan; k++) groups.push(th.textContent.trim());
    const header = Array.from(last.cells).map((th, k) => (groups[k] ? groups[k] + ' ' : '') + th.textContent.trim());
    const lines = [header.map(csvField).join(',')];
    for (const row of table.tBodies[0].rows)
      lines.push(
        Array.from(row.cells)
          .map((td) => csvField(td.textContent))
          .join(','),
      );
    return lines.join('\r\n') + '\r\n';
  }
  document.querySelectorAll('table[data-csv]').forEach((table) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'csv';
    button.textContent = 'Download CSV';
    button.addEventListener('click', () => {
      const url = URL.createObjectURL(new Blob([tableCsv(table)], { type: 'text/csv;charset=utf-8' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = table.getAttribute('data-csv') + '.csv';
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 0);
    });
    table.parentElement.after(button);
  });

  const source = document.getElementById('report-data');
  const scoreSource = document.getElementById('report-scores');
  if (!source || !scoreSource) return;
  async function inflate(base64) {
    const bytes = Uint8Array.from(atob(base64.trim()), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }
  Promise.all([inflate(source.textContent), inflate(scoreSource.textContent)])
    .then(([json, scores]) => browse(JSON.parse(new TextDecoder().decode(json)), scores))
    .catch((e) => {
      document.getElementById('item-count').textContent = 'The item data could not be read: ' + e.message;
    });

  // Scores are zigzag varints of score × 1000, 0 standing for none, in result order.
  function decodeScores(bytes, count) {
    const out = new Float64Array(count);
    let at = 0;
    for (let k = 0; k < count; k++) {
      let z = 0;
      let mul = 1;
      for (;;) {
        const b = bytes[at++];
        z += (b & 127) * mul;
        if (b < 128) break;
        mul *= 128;
      }
      out[k] = z === 0 ? NaN : ((z - 1) % 2 === 0 ? (z - 1) / 2 : -z / 2) / 1000;
    }
    return out;
  }

  function browse(data, scoreBytes) {
    // Where each result's scores start in the decoded stream.
    const start = data.layout.map((byCondition) => byCondition.map((byItem) => byItem.map(() => 0)));
    let total = 0;
    data.layout.forEach((byCondition, m) =>
      byCondition.forEach((byItem, c) =>
        byItem.forEach((k, i) => {
          start[m][c][i] = total;
          if (k >= 0) total += data.layouts[k].scores;
        }),
      ),
    );
    const allScores = decodeScores(scoreBytes, total);
    function resultOf(m, c, i) {
      const k = data.layout[m][c][i];
      if (k < 0) return null;
      const l = data.layouts[k];
      const code = data.outcome[m][c][i];
      const correct = Math.floor(code / 2) % 3;
      const scores = Array.from(allScores.subarray(start[m][c][i], start[m][c][i] + l.scores), (v) =>
        Number.isNaN(v) ? null : v,
      );
      const predicted = Math.floor(code / 6) - 1;
      return {
        order: l.order,
        labels: l.labels,
        gold: l.gold,
        scores,
        predicted: predicted < 0 ? null : predicted,
        correct: correct === 2 ? null : correct === 1,
        tie: code % 2 === 1,
      };
    }
    const flipped = (m, i) => data.flips[m][i] === '1';
    const iso = (s) => '\u2068' + s + '\u2069';
    const $ = (id) => document.getElementById(id);
    const el = (tag, text, className) => {
      const e = document.createElement(tag);
      if (text !== undefined) e.textContent = text;
      if (className) e.className = className;
      return e;
    };
    const letter = (i) => (i < 26 ? String.fromCharCode(65 + i) : String(i + 1));
    const state = {
      model: 0,
      condition: Math.max(
        0,
        data.conditions.findIndex((c) => c.baseline),
      ),
      item: 0,
    };

    const pickModel = $('pick-model');
    const pickCondition = $('pick-condition');
    const pickItem = $('pick-item');
    const search = $('pick-search');
    const flipsOnly = $('pick-flips');
    data.models.forEach((m, i) => pickModel.add(new Option(iso(m), String(i))));
    data.conditions.forEach((c, i) =>
      pickCondition.add(new Option(c.baseline ? iso(c.name) + ' ★' : iso(c.name), String(i))),
    );
    pickCondition.value = String(state.condition);
    $('browser-controls').addEventListener('submit', (e) => e.preventDefault());

    function matches(item, i) {
      if (flipsOnly.checked && !flipped(state.model, i)) return false;
      const q = search.value.trim().toLowerCase();
      if (!q) return true;
      return [item.id, item.subject || '', item.question || ''].some((s) => s.toLowerCase().includes(q));
    }

    function listItems() {
      const shown = [];
      data.items.forEach((item, i) => {
        if (matches(item, i)) shown.push(i);
      });
      pickItem.replaceChildren();
      for (const i of shown) {
        const item = data.items[i];
        const mark = flipped(state.model, i) ? '⇄ ' : '';
        pickItem.add(
          new Option(mark + iso(item.id) + (item.question ? ' — ' + iso(item.question.slice(0, 70)) : ''), String(i)),
        );
      }
      $('item-count').textContent = shown.length
        ? shown.length + ' of ' + data.items.length + ' items'
        : 'No item matches (of ' + data.items.length + ').';
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
        const r = resultOf(state.model, ci, state.item);
        const chip = el(
          'button',
          undefined,
          'chip ' +
            (!r || r.correct === null ? 'none' : r.correct ? 'ok' : 'bad') +
            (ci === state.condition ? ' current' : ''),
        );
        chip.type = 'button';
        chip.append(el('span', c.name, 'chip-name'), el('span', pickedText(r), 'chip-value'));
        chip.title = c.name + ': picked original choice ' + pickedText(r);
        chip.addEventListener('click', () => {
          state.condition = ci;
          pickCondition.value = String(ci);
          showItem();
          remember();
        });
        box.append(chip);
      });
    }

    function showItem() {
      const any = pickItem.options.length > 0;
      $('item-view').hidden = !any;
      if (!any) return;
      const item = data.items[state.item];
      const r = resultOf(state.model, state.condition, state.item);
      const prompt = data.prompts[state.condition][state.item];
      const cond = data.conditions[state.condition];
      $('item-title').textContent = item.id;
      const meta = [
        item.subject ? 'subject ' + iso(item.subject) : '',
        item.answer !== undefined ? 'correct answer: ' + letter(item.answer) + ' in the original order' : '',
        cond.scoring + (cond.normalization === 'none' ? '' : '/' + cond.normalization) + ' scoring',
        flipped(state.model, state.item)
          ? 'the answer of ' + iso(data.models[state.model]) + ' changes between conditions'
          : '',
      ];
      $('item-meta').textContent = meta.filter(Boolean).join(' · ');
      strip();
      $('item-prompt').textContent = prompt
        ? prompt.context
        : 'The prompt is not available for this item and condition.';
      $('item-unconditional').textContent =
        r && r.generated !== undefined
          ? 'The model wrote: "' +
            r.generated +
            '" — read as ' +
            (r.extracted === null ? 'nothing (unscored)' : r.extracted) +
            '.'
          : prompt && prompt.unconditional !== undefined
            ? 'PMI: each score subtracts log P(choice | "' + prompt.unconditional + '").'
            : '';
      const body = $('item-choices').tBodies[0];
      body.replaceChildren();
      if (!r || r.order.length === 0) {
        const row = body.insertRow();
        const td = row.insertCell();
        td.colSpan = 5;
        td.textContent = r
          ? 'This run has no per-choice scores, only whether the answer was right.'
          : 'No result for this model under this condition.';
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
        const notes = [
          k === r.gold ? 'correct' : '',
          k === r.predicted ? (r.tie ? 'predicted (tie)' : 'predicted') : '',
        ];
        row.insertCell().textContent = notes.filter(Boolean).join(', ');
      });
    }

    // The address names the model, condition and item picked, so a view can be linked to.
    function remember() {
      if (!pickItem.options.length) return;
      const q = new URLSearchParams({
        model: data.models[state.model],
        condition: data.conditions[state.condition].name,
        item: data.items[state.item].id,
      });
      history.replaceState(null, '', '#' + q.toString());
    }
    function follow() {
      const hash = location.hash.slice(1);
      if (!hash.includes('=')) return;
      const q = new URLSearchParams(hash);
      const m = data.models.indexOf(q.get('model'));
      const c = data.conditions.findIndex((x) => x.name === q.get('condition'));
      const i = data.items.findIndex((x) => x.id === q.get('item'));
      if (m >= 0) {
        state.model = m;
        pickModel.value = String(m);
      }
      if (c >= 0) {
        state.condition = c;
        pickCondition.value = String(c);
      }
      if (i >= 0) {
        state.item = i;
        search.value = '';
        flipsOnly.checked = false;
      }
      listItems();
      $('items').scrollIntoView();
    }

    pickModel.addEventListener('change', () => {
      state.model = Number(pickModel.value);
      listItems();
      remember();
    });
    pickCondition.addEventListener('change', () => {
      state.condition = Number(pickCondition.value);
      showItem();
      remember();
    });
    pickItem.addEventListener('change', () => {
      state.item = Number(pickItem.value);
      showItem();
      remember();
    });
    search.addEventListener('input', listItems);
    flipsOnly.addEventListener('change', listItems);
    window.addEventListener('hashchange', follow);
    listItems();
    follow();
    document.body.setAttribute('data-browser', 'ready');
  }
})();
