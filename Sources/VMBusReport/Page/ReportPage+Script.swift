extension ReportPage {
  /// The page's script: decodes the data, draws only the diagram rows in view, folds the
  /// state deltas (with a keyframe every 256 events) to show the host state at the selected
  /// event, and runs the self-test when the URL's hash is `#selftest`.
  static let script = #"""
    (function () {
    'use strict';
    var T0 = performance.now();
    var D = JSON.parse(document.getElementById('report-data').textContent);
    var T_PARSE = performance.now();
    var S = D.strings, EV = D.events, NE = EV.length / 5, FROM = D.from, TO = D.to;
    var SK = D.scalar_keys, FATES = D.fates, NOTE_KINDS = D.note_kinds, LL = D.lifelines;
    var ROW_H = 34, HEAD_H = 92, OVERSCAN = 6, KF = 256;
    var SEQ_W = 76, MSG_W = 380, EVS_W = 470, LL_W = 14, GX = 12, HX = MSG_W - 12;
    var SELFTEST = location.hash === '#selftest';
    var LL_COLORS = {
      listen: '#e3f2fd', handshake: '#b3e5fc', offer: '#81d4fa', create_gpadl: '#4fc3f7',
      teardown_gpadl: '#29b6f6', open_channel: '#039be5', unload: '#0277bd', faulted: '#c62828',
      not_offered: '#eceff1', offering: '#fff59d', offered: '#90caf9', opening: '#ffcc80',
      open_failed: '#ef5350', open: '#66bb6a',
      init: '#fff59d', alive: '#66bb6a', tearingdown: '#ffcc80', torndown: '#bdbdbd'
    };
    var MARKERS = {
      handled: null, delivered: null, pending: 'ah-pending', busy: 'x-busy',
      ignored: 'x-dropped', flushed: 'x-dropped', rejected: 'x-dropped', failed: 'x-failed'
    };

    function $(id) { return document.getElementById(id); }
    function esc(text) {
      return String(text).replace(/[&<>"]/g, function (c) {
        return c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;';
      });
    }

    // ---- Rows: decode, and index every event's row.
    var R = D.rows.length;
    var rowKind = new Uint8Array(R), rowA = new Int32Array(R), rowText = new Int32Array(R);
    var rowOut = new Int32Array(R), rowFate = new Int32Array(R), rowReply = new Int32Array(R);
    var rowStart = new Int32Array(R), rowCount = new Int32Array(R);
    var rowThrough = new Int32Array(R), rowBad = new Uint8Array(R), rowMarked = new Uint8Array(R);
    var rowOfEvent = new Int32Array(NE).fill(-1);
    var flat = [], through = FROM - 1, MSGS = 0;
    for (var r = 0; r < R; r++) {
      var a = D.rows[r];
      rowKind[r] = a[0]; rowA[r] = a[1]; rowText[r] = a[2]; rowOut[r] = a[3];
      rowFate[r] = a[4]; rowReply[r] = a[5]; rowStart[r] = flat.length; rowCount[r] = a[6];
      var seq = 0;
      for (var k = 0; k < a[6]; k++) {
        seq += a[7 + k];
        flat.push(seq);
        var i = seq - FROM;
        if (i >= 0 && i < NE) {
          rowOfEvent[i] = r;
          if (EV[i * 5 + 2]) rowBad[r] = 1;
        }
        if (seq > through) through = seq;
      }
      rowThrough[r] = through;
      if (a[0] === 0) {
        MSGS++;
        var fate = FATES[a[4]];
        if (fate !== 'handled' && fate !== 'delivered') rowMarked[r] = 1;
      } else if (NOTE_KINDS[a[1]] !== 'environment' && NOTE_KINDS[a[1]] !== 'data_plane') {
        rowMarked[r] = 1;
      }
      if (rowBad[r]) rowMarked[r] = 1;
    }
    var times = new Float64Array(NE), clock = 0;
    for (var e = 0; e < NE; e++) { clock += EV[e * 5 + 4]; times[e] = clock; }
    /** An event line shortened for the chips beside the arrows (the inspector has it all). */
    function compact(text) {
      return text.replace(/^vmbus_/, '')
        .replace(/^sim_hypercall conn 1 type 1 size (\d+) status (.*)$/, 'hypercall size $1: $2')
        .replace(/^msg_cb message status/, 'msg_cb status');
    }
    function rowSeqs(r) { return flat.slice(rowStart[r], rowStart[r] + rowCount[r]); }

    // ---- Lifelines: the state of each at a seq, by binary search over its spans.
    function lifelineAt(ll, seq) {
      var spans = ll.spans, lo = 0, hi = spans.length / 3 - 1, found = -1;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1;
        if (spans[mid * 3] <= seq) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
      }
      if (found < 0) return {state: 'absent', object: ll.name};
      return {state: S[spans[found * 3 + 1]], object: S[spans[found * 3 + 2]] || ll.name};
    }

    // ---- Host state: deltas folded from keyframes, written as replay --json writes it.
    function initialState() {
      var st = {s: D.initial.s.slice(), c: new Map(), g: new Map()};
      for (var q = 0; q < D.initial.c.length; q += 2) st.c.set(D.initial.c[q], D.initial.c[q + 1]);
      for (var w = 0; w < D.initial.g.length; w += 2) st.g.set(D.initial.g[w], D.initial.g[w + 1]);
      return st;
    }
    function cloneState(st) { return {s: st.s.slice(), c: new Map(st.c), g: new Map(st.g)}; }
    function applyDelta(st, index) {
      var ops = D.deltas[index];
      for (var q = 0; q < ops.length; q += 3) {
        var key = ops[q + 1], value = ops[q + 2];
        switch (ops[q]) {
          case 0: st.s[key] = value; break;
          case 1: st.c.set(key, value); break;
          case 2: st.c.delete(key); break;
          case 3: st.g.set(key, value); break;
          case 4: st.g.delete(key); break;
        }
      }
    }
    var keyframes = [initialState()];
    /** The state after the first `applied` events of the page (0 is the state before them). */
    function stateAfter(applied) {
      var j = Math.floor(applied / KF);
      while (keyframes.length <= j) {
        var n = keyframes.length, next = cloneState(keyframes[n - 1]);
        for (var q = (n - 1) * KF; q < n * KF; q++) applyDelta(next, EV[q * 5 + 3]);
        keyframes.push(next);
      }
      var st = cloneState(keyframes[j]);
      for (var p = j * KF; p < applied; p++) applyDelta(st, EV[p * 5 + 3]);
      return st;
    }
    function sortedIds(map) {
      return Array.from(map.keys()).sort(function (x, y) { return x - y; });
    }
    function serialize(st) {
      var parts = [];
      for (var k = 0; k < SK.length; k++) parts.push(JSON.stringify(SK[k]) + ': ' + S[st.s[k]]);
      parts.push('"channels": [' + sortedIds(st.c).map(function (id) {
        return S[st.c.get(id)];
      }).join(', ') + ']');
      parts.push('"gpadls": [' + sortedIds(st.g).map(function (id) {
        return S[st.g.get(id)];
      }).join(', ') + ']');
      return '{' + parts.join(', ') + '}';
    }

    // ---- Header, legend, column heads.
    function fmtTime(ns) {
      if (D.clock === 'none') return '';
      if (ns < 1e6) return (ns / 1e3).toFixed(3) + ' µs';
      if (ns < 1e9) return (ns / 1e6).toFixed(3) + ' ms';
      return (ns / 1e9).toFixed(6) + ' s';
    }
    function header() {
      var m = D.summary, meta = m.metadata || {}, c = m.counts;
      $('title').textContent = m.title;
      var outcome = $('outcome');
      if (meta.outcome) {
        var expected = meta.expected;
        outcome.textContent = meta.outcome + (expected ? (expected === meta.outcome ?
          ' (as expected)' : ' (expected ' + expected + ')') : '');
        outcome.className = expected && expected !== meta.outcome ? 'bad' :
          (meta.outcome === 'passed' || expected === meta.outcome ? 'good' : 'bad');
      } else {
        outcome.textContent = m.kind;
      }
      var facts = [['kind', m.kind], ['source', m.source], ['format', m.format],
        ['profile', m.profile], ['seed', m.seed], ['status', m.status],
        ['events', m.events + (FROM !== 1 || TO !== m.events ? ' (showing ' + FROM + '–' + TO +
          ')' : '')], ['created', m.created_at], ['final state', m.final_state_hash]];
      if (meta.message) facts.push(['outcome', meta.message]);
      Object.keys(meta).forEach(function (key) {
        if (['outcome', 'expected', 'message'].indexOf(key) < 0) facts.push([key, meta[key]]);
      });
      $('facts').innerHTML = facts.filter(function (f) {
        return f[1] !== null && f[1] !== undefined && f[1] !== '';
      }).map(function (f) {
        return '<span>' + esc(f[0]) + ' <b>' + esc(f[1]) + '</b></span>';
      }).join('');
      var counts = [['messages', c.messages, 0], ['guest→host', c.guest_to_host, 0],
        ['host→guest', c.host_to_guest, 0], ['handled', c.handled, 0],
        ['delivered', c.delivered, 0], ['busy retries', c.busy, 1], ['dropped', c.dropped, 1],
        ['delivery failures', c.failed, 1], ['pending', c.pending, 1],
        ['violations', c.violations, 1], ['host faults', c.host_faults, 1],
        ['channels', c.channels, 0], ['gpadls', c.gpadls, 0]];
      if (D.hidden_lanes) counts.push(['lifeline columns not drawn', D.hidden_lanes, 1]);
      $('counts').innerHTML = counts.map(function (x) {
        return '<span class="' + (x[2] && x[1] ? 'hot' : '') + '">' + esc(x[0]) + ' <b>' +
          x[1] + '</b></span>';
      }).join('');
      var legend = [['guest→host', 'var(--g2h)'], ['host→guest', 'var(--h2g)'],
        ['busy, retried', 'var(--busy)'], ['dropped', 'var(--dropped)'],
        ['failed / violation', 'var(--failed)'], ['pending', 'var(--pending)']];
      $('legend').innerHTML = legend.map(function (x) {
        return '<span><i style="background:' + x[1] + '"></i>' + esc(x[0]) + '</span>';
      }).join('');
      var lln = LL.map(function (ll) {
        return '<div class="lln" title="' + esc(ll.name) + '">' + esc(ll.name) + '</div>';
      }).join('');
      $('colhead').innerHTML = '<div style="width:' + SEQ_W + 'px"></div>' +
        '<div style="width:' + MSG_W + 'px"><span class="who" style="left:0">Guest</span>' +
        '<span class="who" style="right:0">Host (QEMU)</span></div>' +
        '<div class="evh">host trace events</div>' + lln;
      $('spacer').style.height = R * ROW_H + 'px';
      layout();
    }
    /** Gives the trace-event column the width the window leaves (at least EVS_W). */
    function layout() {
      var fixed = SEQ_W + MSG_W + LL_W * LL.length;
      var events = Math.max(EVS_W, scroller.clientWidth - fixed - 2);
      scroller.style.setProperty('--evs', events + 'px');
      $('colhead').style.width = fixed + events + 'px';
      $('spacer').style.width = fixed + events + 'px';
    }

    // ---- Drawing the rows in view.
    var scroller = $('scroller'), rowsEl = $('rows');
    var rendered = {first: 0, last: 0}, cur = FROM, selRow = -1;
    function rowHTML(r) {
      var seqs = rowSeqs(r), first = seqs[0], last = seqs[seqs.length - 1];
      var cls = 'row', mid, tip;
      if (rowKind[r] === 0) {
        var fate = FATES[rowFate[r]], g2h = rowA[r] === 0;
        var label = S[rowText[r]], outcome = S[rowOut[r]];
        cls += (g2h ? ' g2h' : ' h2g') + ' fate-' + fate;
        var marker = MARKERS[fate] || (g2h ? 'ah-g2h' : 'ah-h2g');
        var x1 = g2h ? GX : HX, x2 = g2h ? HX - 2 : GX + 2;
        tip = label + ' — ' + outcome;
        if (rowReply[r] >= 0) tip += ' (answers ' + S[rowText[rowReply[r]]] + ')';
        var plain = fate === 'handled' || fate === 'delivered';
        mid = '<div class="m"><svg width="' + MSG_W + '" height="' + ROW_H + '">' +
          '<line class="arrow" x1="' + x1 + '" y1="24" x2="' + x2 + '" y2="24" marker-end="url(#' +
          marker + ')"/></svg><div class="lbl" title="' + esc(tip) + '">' + esc(label) +
          (plain ? '' : ' <span class="out">' + esc(outcome) + '</span>') + '</div></div>';
      } else {
        cls += ' note k-' + NOTE_KINDS[rowA[r]];
        mid = '<div class="m"><div class="nbox" title="' + esc(S[rowText[r]]) + '">' +
          esc(S[rowText[r]]) + '</div></div>';
      }
      if (rowBad[r]) cls += ' bad';
      if (r === selRow) cls += ' sel';
      var evs = '';
      for (var k = 0; k < seqs.length; k++) {
        var seq = seqs[k], i = seq - FROM, text = S[EV[i * 5]];
        evs += '<span class="ev' + (seq === cur ? ' cur' : '') + (EV[i * 5 + 2] ? ' vio' : '') +
          '" data-seq="' + seq + '" title="' + esc('#' + seq + ' ' + text) + '"><b>#' + seq +
          '</b> ' + esc(compact(text)) + '</span>';
      }
      var lls = '';
      for (var j = 0; j < LL.length; j++) {
        var at = lifelineAt(LL[j], rowThrough[r]), color = LL_COLORS[at.state];
        lls += '<i class="ll" style="' + (color ? 'background:' + color : '') + '" title="' +
          esc(at.state === 'absent' ? LL[j].name + ': none' : at.object + ': ' + at.state) +
          '"></i>';
      }
      return '<div class="' + cls + '" data-row="' + r + '" style="top:' + r * ROW_H +
        'px"><div class="s">#' + first + (last !== first ? '–' + last : '') + '</div>' + mid +
        '<div class="evs">' + evs + '</div><div class="lls">' + lls + '</div></div>';
    }
    function visibleRange() {
      var top = scroller.scrollTop, height = Math.max(scroller.clientHeight - HEAD_H, ROW_H);
      var first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
      var last = Math.min(R, Math.ceil((top + height) / ROW_H) + OVERSCAN);
      return {first: first, last: last};
    }
    function render(force) {
      var range = visibleRange();
      if (!force && range.first === rendered.first && range.last === rendered.last) return;
      var html = [];
      for (var r = range.first; r < range.last; r++) html.push(rowHTML(r));
      rowsEl.innerHTML = html.join('');
      rendered = range;
    }
    var framePending = false;
    scroller.addEventListener('scroll', function () {
      if (framePending) return;
      framePending = true;
      requestAnimationFrame(function () { framePending = false; render(false); });
    });
    window.addEventListener('resize', function () { layout(); render(true); });

    // ---- Selecting an event: the slider, the keyboard, clicks all end here.
    var slider = $('slider'), seqInput = $('seq');
    /** Scrolls a row into view: a step to a neighbour scrolls by a row, a jump centres it. */
    function reveal(r) {
      if (r < 0) return;
      var y = r * ROW_H, top = scroller.scrollTop;
      var height = Math.max(scroller.clientHeight - HEAD_H, ROW_H);
      if (y >= top && y + ROW_H <= top + height) return;
      var near = y >= top - ROW_H && y + ROW_H <= top + height + ROW_H;
      if (near) scroller.scrollTop = y < top ? y : y + ROW_H - height;
      else scroller.scrollTop = Math.max(0, y - (height - ROW_H) / 2);
    }
    function select(seq) {
      if (NE === 0) return;
      seq = Math.max(FROM, Math.min(TO, Math.round(seq)));
      cur = seq;
      selRow = rowOfEvent[seq - FROM];
      slider.value = seq;
      seqInput.value = seq;
      reveal(selRow);
      render(true);
      inspect(seq);
      if (!SELFTEST && history.replaceState) history.replaceState(null, '', '#seq=' + seq);
    }
    function rowFirstSeq(r) { return flat[rowStart[Math.max(0, Math.min(R - 1, r))]]; }
    function nextMarked(step) {
      for (var r = selRow + step; r >= 0 && r < R; r += step) {
        if (rowMarked[r]) { select(rowFirstSeq(r)); return; }
      }
    }
    function onKey(e) {
      var t = e.target;
      if (t && t.tagName === 'INPUT' && t.type !== 'range') return;
      if (t && t.type === 'range' && /^(Arrow|Page|Home|End)/.test(e.key)) return;
      var page = Math.max(1, Math.floor((scroller.clientHeight - HEAD_H) / ROW_H) - 1);
      switch (e.key) {
        case 'ArrowRight': case 'j': select(cur + 1); break;
        case 'ArrowLeft': case 'k': select(cur - 1); break;
        case 'ArrowDown': select(rowFirstSeq(selRow + 1)); break;
        case 'ArrowUp': select(rowFirstSeq(selRow - 1)); break;
        case 'PageDown': select(rowFirstSeq(selRow + page)); break;
        case 'PageUp': select(rowFirstSeq(selRow - page)); break;
        case 'Home': select(FROM); break;
        case 'End': select(TO); break;
        case 'n': nextMarked(1); break;
        case 'p': nextMarked(-1); break;
        default: return;
      }
      e.preventDefault();
    }
    document.addEventListener('keydown', onKey);
    slider.addEventListener('input', function () { select(Number(slider.value)); });
    seqInput.addEventListener('change', function () { select(Number(seqInput.value)); });
    $('first').addEventListener('click', function () { select(FROM); });
    $('prev').addEventListener('click', function () { select(cur - 1); });
    $('next').addEventListener('click', function () { select(cur + 1); });
    $('last').addEventListener('click', function () { select(TO); });
    $('next-mark').addEventListener('click', function () { nextMarked(1); });
    rowsEl.addEventListener('click', function (e) {
      var ev = e.target.closest('.ev');
      if (ev) { select(Number(ev.dataset.seq)); return; }
      var row = e.target.closest('.row');
      if (row) select(rowFirstSeq(Number(row.dataset.row)));
    });

    // ---- The inspector: the event, what changed, and the full state after it.
    function table(map, previous, title) {
      var ids = sortedIds(map);
      var html = '<h3>' + title + ' (' + ids.length + ')</h3>';
      if (!ids.length) return html;
      var columns = Object.keys(JSON.parse(S[map.get(ids[0])]));
      html += '<table><tr>' + columns.map(function (c) { return '<th>' + esc(c) + '</th>'; })
        .join('') + '</tr>';
      ids.forEach(function (id) {
        var raw = S[map.get(id)], value = JSON.parse(raw);
        var changed = previous.get(id) !== map.get(id);
        html += '<tr' + (changed ? ' class="chg"' : '') + '>' + columns.map(function (c) {
          return '<td>' + esc(value[c] === null ? '—' : value[c]) + '</td>';
        }).join('') + '</tr>';
      });
      return html + '</table>';
    }
    function inspect(seq) {
      var i = seq - FROM, r = rowOfEvent[i];
      $('ev-head').textContent = 'Event #' + seq + ' of ' + D.summary.events +
        (D.clock === 'none' ? '' : ' · ' + fmtTime(times[i]));
      $('ev-text').textContent = S[EV[i * 5]];
      $('ev-row').textContent = r < 0 ? '' : rowKind[r] === 0 ?
        'part of ' + (rowA[r] === 0 ? 'guest → host ' : 'host → guest ') + S[rowText[r]] +
        ': ' + S[rowOut[r]] : S[rowText[r]];
      var changes = D.lists[EV[i * 5 + 1]];
      $('changes').innerHTML = changes.length ? changes.map(function (c) {
        return '<li>' + esc(S[c]) + '</li>';
      }).join('') : '<li class="none">(no change)</li>';
      $('violations').innerHTML = D.lists[EV[i * 5 + 2]].map(function (v) {
        return '<li>' + esc(S[v]) + '</li>';
      }).join('');
      var st = stateAfter(i + 1), before = stateAfter(i);
      $('state-title').textContent = 'Host state after #' + seq;
      var rows = SK.map(function (key, k) {
        var value = JSON.parse(S[st.s[k]]);
        return '<tr><th>' + esc(key) + '</th><td' + (st.s[k] !== before.s[k] ? ' class="chg"' : '') +
          '>' + esc(value === null ? '—' : value) + '</td></tr>';
      }).join('');
      $('state-view').innerHTML = '<table>' + rows + '</table>' +
        table(st.c, before.c, 'channels') + table(st.g, before.g, 'gpadls');
      $('state-json').textContent = serialize(st);
    }

    // ---- Start.
    header();
    slider.min = FROM; slider.max = Math.max(TO, FROM); seqInput.min = FROM; seqInput.max = TO;
    var wanted = /^#seq=(\d+)$/.exec(location.hash);
    render(true);
    if (NE > 0) select(wanted ? Number(wanted[1]) : FROM);
    var T_FIRST = performance.now();

    // ---- Self-test: #selftest checks the drawing and the stepping, and writes the result.
    function selfTest() {
      var result = {ok: true, failures: [], rows: R, events: NE, messages: MSGS,
        timings: {json_parse_ms: T_PARSE - T0, first_render_ms: T_FIRST - T0,
          since_navigation_ms: T_FIRST}};
      function fail(message) {
        result.ok = false;
        if (result.failures.length < 40) result.failures.push(message);
      }
      function arrowsDrawn() { return rowsEl.querySelectorAll('.arrow').length; }
      function arrowsExpected() {
        var n = 0;
        for (var r = rendered.first; r < rendered.last; r++) if (rowKind[r] === 0) n++;
        return n;
      }
      function key(name) {
        document.dispatchEvent(new KeyboardEvent('keydown', {key: name, bubbles: true}));
      }
      function shownChanges() {
        return Array.from($('changes').querySelectorAll('li:not(.none)')).map(function (li) {
          return li.textContent;
        });
      }
      var checks = new Map(D.checks.map(function (c) { return [c[0], c]; }));
      var compared = new Set();
      function compare() {
        var check = checks.get(cur);
        if (!check) return;
        compared.add(cur);
        if ($('state-json').textContent !== check[1]) {
          fail('state shown at #' + cur + ' differs from replay: ' + $('state-json').textContent);
        }
        var expected = D.lists[check[2]].map(function (c) { return S[c]; }).join(' | ');
        if (shownChanges().join(' | ') !== expected) {
          fail('changes shown at #' + cur + ': ' + shownChanges().join(' | ') + ' ≠ ' + expected);
        }
      }
      // The rows in view are drawn, and only they.
      scroller.scrollTop = 0;
      render(true);
      result.window = {first: rendered.first, last: rendered.last,
        rows_in_dom: rowsEl.children.length, expected_arrows: arrowsExpected(),
        drawn_arrows: arrowsDrawn()};
      if (result.window.drawn_arrows !== result.window.expected_arrows) {
        fail('window: ' + result.window.drawn_arrows + ' arrows drawn, ' +
          result.window.expected_arrows + ' expected');
      }
      if (result.window.rows_in_dom !== rendered.last - rendered.first) fail('window rows');
      // Scrolling through draws every arrow once (on a session of at most 20,000 rows), or
      // at 50 places spread over a longer one.
      var seen = new Set(), maxRows = 0, renders = 0, renderTime = 0;
      var pageHeight = Math.max(ROW_H, scroller.clientHeight - HEAD_H);
      var stops = [];
      if (R <= 20000) {
        for (var y = 0; y < R * ROW_H; y += pageHeight) stops.push(y);
      } else {
        for (var s = 0; s < 50; s++) stops.push(Math.floor(R * ROW_H * s / 50));
      }
      stops.forEach(function (y) {
        scroller.scrollTop = y;
        var t = performance.now();
        render(false);
        renderTime += performance.now() - t;
        renders++;
        maxRows = Math.max(maxRows, rowsEl.children.length);
        if (arrowsDrawn() !== arrowsExpected()) fail('arrows at scroll ' + y);
        rowsEl.querySelectorAll('.arrow').forEach(function (arrow) {
          seen.add(arrow.closest('.row').dataset.row);
        });
      });
      result.sweep = {renders: renders, max_rows_in_dom: maxRows, arrows_seen: seen.size,
        mean_render_ms: renders ? renderTime / renders : 0};
      if (R <= 20000 && seen.size !== MSGS) {
        fail('scrolling drew ' + seen.size + ' distinct arrows of ' + MSGS);
      }
      // Stepping with the keyboard shows each step's state and changes, as replay does.
      if (NE > 0) {
        key('Home');
        if (cur !== FROM) fail('Home went to #' + cur);
        compare();
        var steps = Math.min(NE - 1, 400), shown = 0, expectedChanges = 0;
        var previous = $('state-json').textContent;
        for (var n = 1; n <= steps; n++) {
          key('ArrowRight');
          if (cur !== FROM + n) fail('ArrowRight went to #' + cur + ', not #' + (FROM + n));
          compare();
          var text = $('state-json').textContent;
          if (text !== previous) shown++;
          if (D.deltas[EV[n * 5 + 3]].length) expectedChanges++;
          previous = text;
          var sel = rowsEl.querySelector('.row.sel');
          if (!sel || Number(sel.dataset.row) !== rowOfEvent[n]) fail('row of #' + cur + ' not shown');
        }
        key('ArrowLeft');
        if (steps > 0 && cur !== FROM + steps - 1) fail('ArrowLeft went to #' + cur);
        result.steps = {keyboard_steps: steps, state_changes_shown: shown,
          state_changes_expected: expectedChanges};
        if (shown !== expectedChanges) fail('stepping showed ' + shown + ' state changes');
        // Every other checked step, reached through the slider.
        var jumpTime = 0, jumps = 0;
        D.checks.forEach(function (check) {
          if (compared.has(check[0])) return;
          slider.value = check[0];
          var t = performance.now();
          slider.dispatchEvent(new Event('input'));
          jumpTime += performance.now() - t;
          jumps++;
          if (cur !== check[0]) fail('slider went to #' + cur);
          compare();
        });
        result.checks = {compared: compared.size, of: D.checks.length, slider_jumps: jumps,
          mean_jump_ms: jumps ? jumpTime / jumps : 0};
        if (compared.size !== D.checks.length) fail('compared ' + compared.size + ' checks');
      }
      result.errors = window.__errors.slice();
      if (result.errors.length) fail('errors: ' + result.errors.join('; '));
      result.timings.selftest_ms = performance.now() - T_FIRST;
      window.__selftestDone = true;
      $('selftest-result').textContent = JSON.stringify(result);
    }
    if (SELFTEST) selfTest();
    })();
    """#
}
