// The report page's script: reads the data (ReportData in VMBusReport), draws only the
// diagram rows in view, folds the state deltas (with a keyframe every 256 events) to show the
// host state at the selected event, and runs the self-test when the URL's hash is #selftest.
// Compiled into the binary (embedInCode in Package.swift); ReportScriptTests checks it.
(function () {
  'use strict';

  const startTime = performance.now();
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const parsedTime = performance.now();
  if (data.version !== 2) throw new Error('report data version ' + data.version + ', expected 2');

  const strings = data.strings;
  const events = data.events;
  const eventCount = events.text.length;
  const firstSeq = data.first_seq;
  const lastSeq = data.last_seq;
  const stateFields = data.state_fields;
  const lifelines = data.lifelines;
  const rows = data.rows;
  const rowCount = rows.kind.length;

  const ROW_HEIGHT = 34;
  const HEADER_HEIGHT = 92;
  const OVERSCAN_ROWS = 6;
  const KEYFRAME_INTERVAL = 256;
  const SEQ_WIDTH = 76;
  const MESSAGE_WIDTH = 380;
  const EVENTS_MIN_WIDTH = 470;
  const LIFELINE_WIDTH = 14;
  const GUEST_X = 12;
  const HOST_X = MESSAGE_WIDTH - 12;
  const selfTestRequested = location.hash === '#selftest';
  const LIFELINE_COLORS = {
    listen: '#e3f2fd', handshake: '#b3e5fc', offer: '#81d4fa', create_gpadl: '#4fc3f7',
    teardown_gpadl: '#29b6f6', open_channel: '#039be5', unload: '#0277bd', faulted: '#c62828',
    not_offered: '#eceff1', offering: '#fff59d', offered: '#90caf9', opening: '#ffcc80',
    open_failed: '#ef5350', open: '#66bb6a',
    init: '#fff59d', alive: '#66bb6a', tearingdown: '#ffcc80', torndown: '#bdbdbd'
  };
  const FATE_MARKERS = {
    handled: null, delivered: null, pending: 'ah-pending', busy: 'x-busy',
    ignored: 'x-dropped', flushed: 'x-dropped', rejected: 'x-dropped', failed: 'x-failed'
  };

  function byId(id) { return document.getElementById(id); }
  function escapeHTML(text) {
    return String(text).replace(/[&<>"]/g, function (character) {
      return character === '&' ? '&amp;' : character === '<' ? '&lt;' :
        character === '>' ? '&gt;' : '&quot;';
    });
  }

  // ---- Rows: their kinds, their events, and every event's row.
  const rowKindName = rows.kind.map(function (kind) { return data.row_kinds[kind]; });
  function isMessage(row) { return rowKindName[row] !== 'note'; }
  function isGuestToHost(row) { return rowKindName[row] === 'guest_to_host'; }
  function fateOf(row) { return data.fates[rows.fate[row]]; }
  const rowSeqStart = new Int32Array(rowCount);
  const rowThrough = new Int32Array(rowCount);
  const rowViolates = new Uint8Array(rowCount);
  const rowMarked = new Uint8Array(rowCount);
  const rowOfEvent = new Int32Array(eventCount).fill(-1);
  const rowSeqList = [];
  let messageCount = 0;
  (function indexRows() {
    let through = firstSeq - 1;
    let step = 0;
    for (let row = 0; row < rowCount; row++) {
      rowSeqStart[row] = rowSeqList.length;
      let seq = 0;
      for (let count = 0; count < rows.seq_count[row]; count++) {
        seq += rows.seq_steps[step++];
        rowSeqList.push(seq);
        const index = seq - firstSeq;
        if (index >= 0 && index < eventCount) {
          rowOfEvent[index] = row;
          if (events.violations[index]) rowViolates[row] = 1;
        }
        if (seq > through) through = seq;
      }
      rowThrough[row] = through;
      if (isMessage(row)) {
        messageCount++;
        const fate = fateOf(row);
        if (fate !== 'handled' && fate !== 'delivered') rowMarked[row] = 1;
      } else {
        const kind = data.note_kinds[rows.note_kind[row]];
        if (kind !== 'environment' && kind !== 'data_plane') rowMarked[row] = 1;
      }
      if (rowViolates[row]) rowMarked[row] = 1;
    }
  })();
  const eventTimes = new Float64Array(eventCount);
  (function addUpTimes() {
    let clock = 0;
    for (let index = 0; index < eventCount; index++) {
      clock += events.time_step[index];
      eventTimes[index] = clock;
    }
  })();
  /** An event line shortened for the chips beside the arrows (the inspector has it all). */
  function compact(text) {
    return text.replace(/^vmbus_/, '')
      .replace(/^sim_hypercall conn 1 type 1 size (\d+) status (.*)$/, 'hypercall size $1: $2')
      .replace(/^msg_cb message status/, 'msg_cb status');
  }
  function rowSeqs(row) {
    return rowSeqList.slice(rowSeqStart[row], rowSeqStart[row] + rows.seq_count[row]);
  }

  // ---- Lifelines: the state of each at a seq, by binary search over its spans.
  function lifelineAt(lifeline, seq) {
    const spans = lifeline.spans;
    let low = 0;
    let high = spans.start.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (spans.start[middle] <= seq) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    if (found < 0) return {state: 'absent', object: lifeline.name};
    return {state: strings[spans.state[found]],
      object: strings[spans.object[found]] || lifeline.name};
  }

  // ---- Host state: deltas folded from keyframes, written as replay --json writes it.
  const deltaStart = new Int32Array(data.deltas.operation_count.length + 1);
  data.deltas.operation_count.forEach(function (count, delta) {
    deltaStart[delta + 1] = deltaStart[delta] + count;
  });
  function initialState() {
    const initial = data.initial_state;
    const state = {fields: initial.fields.slice(), channels: new Map(), gpadls: new Map()};
    initial.channels.forEach(function (channel) { state.channels.set(channel.id, channel.text); });
    initial.gpadls.forEach(function (gpadl) { state.gpadls.set(gpadl.id, gpadl.text); });
    return state;
  }
  function cloneState(state) {
    return {fields: state.fields.slice(), channels: new Map(state.channels),
      gpadls: new Map(state.gpadls)};
  }
  function applyDelta(state, delta) {
    const columns = data.deltas;
    for (let op = deltaStart[delta]; op < deltaStart[delta + 1]; op++) {
      const key = columns.key[op];
      const text = columns.text[op];
      switch (data.delta_operations[columns.operation[op]]) {
        case 'set_field': state.fields[key] = text; break;
        case 'set_channel': state.channels.set(key, text); break;
        case 'remove_channel': state.channels.delete(key); break;
        case 'set_gpadl': state.gpadls.set(key, text); break;
        case 'remove_gpadl': state.gpadls.delete(key); break;
        default: throw new Error('unknown delta operation ' + columns.operation[op]);
      }
    }
  }
  function deltaLength(delta) { return deltaStart[delta + 1] - deltaStart[delta]; }
  const keyframes = [initialState()];
  /** The state after the first `applied` events of the page (0 is the state before them). */
  function stateAfter(applied) {
    const keyframe = Math.floor(applied / KEYFRAME_INTERVAL);
    while (keyframes.length <= keyframe) {
      const count = keyframes.length;
      const next = cloneState(keyframes[count - 1]);
      const end = count * KEYFRAME_INTERVAL;
      for (let index = end - KEYFRAME_INTERVAL; index < end; index++) {
        applyDelta(next, events.delta[index]);
      }
      keyframes.push(next);
    }
    const state = cloneState(keyframes[keyframe]);
    for (let index = keyframe * KEYFRAME_INTERVAL; index < applied; index++) {
      applyDelta(state, events.delta[index]);
    }
    return state;
  }
  function sortedIds(map) {
    return Array.from(map.keys()).sort(function (x, y) { return x - y; });
  }
  function serialize(state) {
    const parts = stateFields.map(function (name, field) {
      return JSON.stringify(name) + ': ' + strings[state.fields[field]];
    });
    parts.push('"channels": [' + sortedIds(state.channels).map(function (id) {
      return strings[state.channels.get(id)];
    }).join(', ') + ']');
    parts.push('"gpadls": [' + sortedIds(state.gpadls).map(function (id) {
      return strings[state.gpadls.get(id)];
    }).join(', ') + ']');
    return '{' + parts.join(', ') + '}';
  }

  // ---- Header, legend, column heads.
  function formatTime(ns) {
    if (data.clock === 'none') return '';
    if (ns < 1e6) return (ns / 1e3).toFixed(3) + ' µs';
    if (ns < 1e9) return (ns / 1e6).toFixed(3) + ' ms';
    return (ns / 1e9).toFixed(6) + ' s';
  }
  function header() {
    const summary = data.summary;
    const meta = summary.metadata || {};
    const counts = summary.counts;
    byId('title').textContent = summary.title;
    const outcome = byId('outcome');
    if (meta.outcome) {
      const expected = meta.expected;
      outcome.textContent = meta.outcome + (expected ? (expected === meta.outcome ?
        ' (as expected)' : ' (expected ' + expected + ')') : '');
      outcome.className = expected && expected !== meta.outcome ? 'bad' :
        (meta.outcome === 'passed' || expected === meta.outcome ? 'good' : 'bad');
    } else {
      outcome.textContent = summary.kind;
    }
    const shown = firstSeq !== 1 || lastSeq !== summary.events ?
      ' (showing ' + firstSeq + '–' + lastSeq + ')' : '';
    const facts = [['kind', summary.kind], ['source', summary.source],
      ['format', summary.format], ['profile', summary.profile], ['seed', summary.seed],
      ['status', summary.status], ['events', summary.events + shown],
      ['created', summary.created_at], ['final state', summary.final_state_hash]];
    if (meta.message) facts.push(['outcome', meta.message]);
    Object.keys(meta).forEach(function (key) {
      if (['outcome', 'expected', 'message'].indexOf(key) < 0) facts.push([key, meta[key]]);
    });
    byId('facts').innerHTML = facts.filter(function (fact) {
      return fact[1] !== null && fact[1] !== undefined && fact[1] !== '';
    }).map(function (fact) {
      return '<span>' + escapeHTML(fact[0]) + ' <b>' + escapeHTML(fact[1]) + '</b></span>';
    }).join('');
    const fates = counts.fates;
    const shownCounts = [['messages', counts.messages, false],
      ['guest→host', counts.guest_to_host, false], ['host→guest', counts.host_to_guest, false],
      ['handled', fates.handled, false], ['delivered', fates.delivered, false],
      ['busy retries', fates.busy, true], ['dropped', counts.dropped, true],
      ['delivery failures', fates.failed, true], ['pending', fates.pending, true],
      ['violations', counts.violations, true], ['host faults', counts.host_faults, true],
      ['channels', counts.channels, false], ['gpadls', counts.gpadls, false]];
    if (data.hidden_lifelines) {
      shownCounts.push(['lifeline columns not drawn', data.hidden_lifelines, true]);
    }
    byId('counts').innerHTML = shownCounts.map(function (count) {
      const hot = count[2] && count[1];
      return '<span class="' + (hot ? 'hot' : '') + '">' + escapeHTML(count[0]) + ' <b>' +
        count[1] + '</b></span>';
    }).join('');
    const legend = [['guest→host', 'var(--g2h)'], ['host→guest', 'var(--h2g)'],
      ['busy, retried', 'var(--busy)'], ['dropped', 'var(--dropped)'],
      ['failed / violation', 'var(--failed)'], ['pending', 'var(--pending)']];
    byId('legend').innerHTML = legend.map(function (entry) {
      return '<span><i style="background:' + entry[1] + '"></i>' + escapeHTML(entry[0]) +
        '</span>';
    }).join('');
    const lifelineHeads = lifelines.map(function (lifeline) {
      return '<div class="lln" title="' + escapeHTML(lifeline.name) + '">' +
        escapeHTML(lifeline.name) + '</div>';
    }).join('');
    byId('colhead').innerHTML = '<div style="width:' + SEQ_WIDTH + 'px"></div>' +
      '<div style="width:' + MESSAGE_WIDTH + 'px"><span class="who" style="left:0">Guest</span>' +
      '<span class="who" style="right:0">Host (QEMU)</span></div>' +
      '<div class="evh">host trace events</div>' + lifelineHeads;
    byId('spacer').style.height = rowCount * ROW_HEIGHT + 'px';
    layout();
  }
  /** Gives the trace-event column the width the window leaves (at least EVENTS_MIN_WIDTH). */
  function layout() {
    const fixed = SEQ_WIDTH + MESSAGE_WIDTH + LIFELINE_WIDTH * lifelines.length;
    const eventsWidth = Math.max(EVENTS_MIN_WIDTH, scroller.clientWidth - fixed - 2);
    scroller.style.setProperty('--evs', eventsWidth + 'px');
    byId('colhead').style.width = fixed + eventsWidth + 'px';
    byId('spacer').style.width = fixed + eventsWidth + 'px';
  }

  // ---- Drawing the rows in view.
  const scroller = byId('scroller');
  const rowsElement = byId('rows');
  let rendered = {first: 0, last: 0};
  let currentSeq = firstSeq;
  let selectedRow = -1;
  function rowHTML(row) {
    const seqs = rowSeqs(row);
    const first = seqs[0];
    const last = seqs[seqs.length - 1];
    let classes = 'row';
    let middle;
    const text = strings[rows.text[row]];
    if (isMessage(row)) {
      const fate = fateOf(row);
      const guestToHost = isGuestToHost(row);
      const outcome = strings[rows.outcome[row]];
      classes += (guestToHost ? ' g2h' : ' h2g') + ' fate-' + fate;
      const marker = FATE_MARKERS[fate] || (guestToHost ? 'ah-g2h' : 'ah-h2g');
      const x1 = guestToHost ? GUEST_X : HOST_X;
      const x2 = guestToHost ? HOST_X - 2 : GUEST_X + 2;
      let tip = text + ' — ' + outcome;
      const request = rows.reply_to[row];
      if (request >= 0) tip += ' (answers ' + strings[rows.text[request]] + ')';
      const plain = fate === 'handled' || fate === 'delivered';
      middle = '<div class="m"><svg width="' + MESSAGE_WIDTH + '" height="' + ROW_HEIGHT + '">' +
        '<line class="arrow" x1="' + x1 + '" y1="24" x2="' + x2 + '" y2="24" marker-end="url(#' +
        marker + ')"/></svg><div class="lbl" title="' + escapeHTML(tip) + '">' + escapeHTML(text) +
        (plain ? '' : ' <span class="out">' + escapeHTML(outcome) + '</span>') + '</div></div>';
    } else {
      classes += ' note k-' + data.note_kinds[rows.note_kind[row]];
      middle = '<div class="m"><div class="nbox" title="' + escapeHTML(text) + '">' +
        escapeHTML(text) + '</div></div>';
    }
    if (rowViolates[row]) classes += ' bad';
    if (row === selectedRow) classes += ' sel';
    let chips = '';
    seqs.forEach(function (seq) {
      const index = seq - firstSeq;
      const line = strings[events.text[index]];
      chips += '<span class="ev' + (seq === currentSeq ? ' cur' : '') +
        (events.violations[index] ? ' vio' : '') + '" data-seq="' + seq + '" title="' +
        escapeHTML('#' + seq + ' ' + line) + '"><b>#' + seq + '</b> ' +
        escapeHTML(compact(line)) + '</span>';
    });
    let cells = '';
    lifelines.forEach(function (lifeline) {
      const at = lifelineAt(lifeline, rowThrough[row]);
      const color = LIFELINE_COLORS[at.state];
      cells += '<i class="ll" style="' + (color ? 'background:' + color : '') + '" title="' +
        escapeHTML(at.state === 'absent' ? lifeline.name + ': none' : at.object + ': ' + at.state) +
        '"></i>';
    });
    return '<div class="' + classes + '" data-row="' + row + '" style="top:' + row * ROW_HEIGHT +
      'px"><div class="s">#' + first + (last !== first ? '–' + last : '') + '</div>' + middle +
      '<div class="evs">' + chips + '</div><div class="lls">' + cells + '</div></div>';
  }
  function visibleRange() {
    const top = scroller.scrollTop;
    const height = Math.max(scroller.clientHeight - HEADER_HEIGHT, ROW_HEIGHT);
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN_ROWS);
    const last = Math.min(rowCount, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN_ROWS);
    return {first: first, last: last};
  }
  function render(force) {
    const range = visibleRange();
    if (!force && range.first === rendered.first && range.last === rendered.last) return;
    const html = [];
    for (let row = range.first; row < range.last; row++) html.push(rowHTML(row));
    rowsElement.innerHTML = html.join('');
    rendered = range;
  }
  let framePending = false;
  scroller.addEventListener('scroll', function () {
    if (framePending) return;
    framePending = true;
    requestAnimationFrame(function () {
      framePending = false;
      render(false);
    });
  });
  window.addEventListener('resize', function () {
    layout();
    render(true);
  });

  // ---- Selecting an event: the slider, the keyboard, clicks all end here.
  const slider = byId('slider');
  const seqInput = byId('seq');
  /** Scrolls a row into view: a step to a neighbour scrolls by a row, a jump centres it. */
  function reveal(row) {
    if (row < 0) return;
    const y = row * ROW_HEIGHT;
    const top = scroller.scrollTop;
    const height = Math.max(scroller.clientHeight - HEADER_HEIGHT, ROW_HEIGHT);
    if (y >= top && y + ROW_HEIGHT <= top + height) return;
    const near = y >= top - ROW_HEIGHT && y + ROW_HEIGHT <= top + height + ROW_HEIGHT;
    if (near) scroller.scrollTop = y < top ? y : y + ROW_HEIGHT - height;
    else scroller.scrollTop = Math.max(0, y - (height - ROW_HEIGHT) / 2);
  }
  function select(seq) {
    if (eventCount === 0) return;
    const clamped = Math.max(firstSeq, Math.min(lastSeq, Math.round(seq)));
    currentSeq = clamped;
    selectedRow = rowOfEvent[clamped - firstSeq];
    slider.value = clamped;
    seqInput.value = clamped;
    reveal(selectedRow);
    render(true);
    inspect(clamped);
    if (!selfTestRequested && history.replaceState) {
      history.replaceState(null, '', '#seq=' + clamped);
    }
  }
  function rowFirstSeq(row) {
    return rowSeqList[rowSeqStart[Math.max(0, Math.min(rowCount - 1, row))]];
  }
  function nextMarked(step) {
    for (let row = selectedRow + step; row >= 0 && row < rowCount; row += step) {
      if (rowMarked[row]) {
        select(rowFirstSeq(row));
        return;
      }
    }
  }
  function onKey(event) {
    const target = event.target;
    if (target && target.tagName === 'INPUT' && target.type !== 'range') return;
    if (target && target.type === 'range' && /^(Arrow|Page|Home|End)/.test(event.key)) return;
    const page = Math.max(1, Math.floor((scroller.clientHeight - HEADER_HEIGHT) / ROW_HEIGHT) - 1);
    switch (event.key) {
      case 'ArrowRight': case 'j': select(currentSeq + 1); break;
      case 'ArrowLeft': case 'k': select(currentSeq - 1); break;
      case 'ArrowDown': select(rowFirstSeq(selectedRow + 1)); break;
      case 'ArrowUp': select(rowFirstSeq(selectedRow - 1)); break;
      case 'PageDown': select(rowFirstSeq(selectedRow + page)); break;
      case 'PageUp': select(rowFirstSeq(selectedRow - page)); break;
      case 'Home': select(firstSeq); break;
      case 'End': select(lastSeq); break;
      case 'n': nextMarked(1); break;
      case 'p': nextMarked(-1); break;
      default: return;
    }
    event.preventDefault();
  }
  document.addEventListener('keydown', onKey);
  slider.addEventListener('input', function () { select(Number(slider.value)); });
  seqInput.addEventListener('change', function () { select(Number(seqInput.value)); });
  byId('first').addEventListener('click', function () { select(firstSeq); });
  byId('prev').addEventListener('click', function () { select(currentSeq - 1); });
  byId('next').addEventListener('click', function () { select(currentSeq + 1); });
  byId('last').addEventListener('click', function () { select(lastSeq); });
  byId('next-mark').addEventListener('click', function () { nextMarked(1); });
  rowsElement.addEventListener('click', function (event) {
    const chip = event.target.closest('.ev');
    if (chip) {
      select(Number(chip.dataset.seq));
      return;
    }
    const row = event.target.closest('.row');
    if (row) select(rowFirstSeq(Number(row.dataset.row)));
  });

  // ---- The inspector: the event, what changed, and the full state after it.
  function objectTable(map, previous, title) {
    const ids = sortedIds(map);
    let html = '<h3>' + title + ' (' + ids.length + ')</h3>';
    if (!ids.length) return html;
    const columns = Object.keys(JSON.parse(strings[map.get(ids[0])]));
    html += '<table><tr>' + columns.map(function (column) {
      return '<th>' + escapeHTML(column) + '</th>';
    }).join('') + '</tr>';
    ids.forEach(function (id) {
      const value = JSON.parse(strings[map.get(id)]);
      const changed = previous.get(id) !== map.get(id);
      html += '<tr' + (changed ? ' class="chg"' : '') + '>' + columns.map(function (column) {
        return '<td>' + escapeHTML(value[column] === null ? '—' : value[column]) + '</td>';
      }).join('') + '</tr>';
    });
    return html + '</table>';
  }
  function inspect(seq) {
    const index = seq - firstSeq;
    const row = rowOfEvent[index];
    byId('ev-head').textContent = 'Event #' + seq + ' of ' + data.summary.events +
      (data.clock === 'none' ? '' : ' · ' + formatTime(eventTimes[index]));
    byId('ev-text').textContent = strings[events.text[index]];
    let rowText = '';
    if (row >= 0) {
      rowText = isMessage(row) ?
        'part of ' + (isGuestToHost(row) ? 'guest → host ' : 'host → guest ') +
          strings[rows.text[row]] + ': ' + strings[rows.outcome[row]] :
        strings[rows.text[row]];
    }
    byId('ev-row').textContent = rowText;
    const changes = data.lists[events.changes[index]];
    byId('changes').innerHTML = changes.length ? changes.map(function (change) {
      return '<li>' + escapeHTML(strings[change]) + '</li>';
    }).join('') : '<li class="none">(no change)</li>';
    byId('violations').innerHTML = data.lists[events.violations[index]].map(function (violation) {
      return '<li>' + escapeHTML(strings[violation]) + '</li>';
    }).join('');
    const state = stateAfter(index + 1);
    const before = stateAfter(index);
    byId('state-title').textContent = 'Host state after #' + seq;
    const fieldRows = stateFields.map(function (name, field) {
      const value = JSON.parse(strings[state.fields[field]]);
      const changed = state.fields[field] !== before.fields[field];
      return '<tr><th>' + escapeHTML(name) + '</th><td' + (changed ? ' class="chg"' : '') +
        '>' + escapeHTML(value === null ? '—' : value) + '</td></tr>';
    }).join('');
    byId('state-view').innerHTML = '<table>' + fieldRows + '</table>' +
      objectTable(state.channels, before.channels, 'channels') +
      objectTable(state.gpadls, before.gpadls, 'gpadls');
    byId('state-json').textContent = serialize(state);
  }

  // ---- Start.
  header();
  slider.min = firstSeq;
  slider.max = Math.max(lastSeq, firstSeq);
  seqInput.min = firstSeq;
  seqInput.max = lastSeq;
  const wanted = /^#seq=(\d+)$/.exec(location.hash);
  render(true);
  if (eventCount > 0) select(wanted ? Number(wanted[1]) : firstSeq);
  const firstDrawnTime = performance.now();

  // ---- Self-test: #selftest checks the drawing and the stepping, and writes the result.
  function selfTest() {
    const result = {ok: true, failures: [], rows: rowCount, events: eventCount,
      messages: messageCount,
      timings: {json_parse_ms: parsedTime - startTime, first_render_ms: firstDrawnTime - startTime,
        since_navigation_ms: firstDrawnTime}};
    function fail(message) {
      result.ok = false;
      if (result.failures.length < 40) result.failures.push(message);
    }
    function arrowsDrawn() { return rowsElement.querySelectorAll('.arrow').length; }
    function arrowsExpected() {
      let count = 0;
      for (let row = rendered.first; row < rendered.last; row++) if (isMessage(row)) count++;
      return count;
    }
    function press(key) {
      document.dispatchEvent(new KeyboardEvent('keydown', {key: key, bubbles: true}));
    }
    function shownChanges() {
      return Array.from(byId('changes').querySelectorAll('li:not(.none)')).map(function (item) {
        return item.textContent;
      });
    }
    const checks = new Map(data.checks.map(function (check) { return [check.seq, check]; }));
    const compared = new Set();
    function compare() {
      const check = checks.get(currentSeq);
      if (!check) return;
      compared.add(currentSeq);
      const shownState = byId('state-json').textContent;
      if (shownState !== check.state) {
        fail('state shown at #' + currentSeq + ' differs from replay: ' + shownState);
      }
      const expected = data.lists[check.changes].map(function (change) {
        return strings[change];
      }).join(' | ');
      if (shownChanges().join(' | ') !== expected) {
        fail('changes shown at #' + currentSeq + ': ' + shownChanges().join(' | ') + ' ≠ ' +
          expected);
      }
    }
    // The rows in view are drawn, and only they.
    scroller.scrollTop = 0;
    render(true);
    result.window = {first: rendered.first, last: rendered.last,
      rows_in_dom: rowsElement.children.length, expected_arrows: arrowsExpected(),
      drawn_arrows: arrowsDrawn()};
    if (result.window.drawn_arrows !== result.window.expected_arrows) {
      fail('window: ' + result.window.drawn_arrows + ' arrows drawn, ' +
        result.window.expected_arrows + ' expected');
    }
    if (result.window.rows_in_dom !== rendered.last - rendered.first) fail('window rows');
    // Scrolling through draws every arrow once (on a session of at most 20,000 rows), or
    // at 50 places spread over a longer one.
    const seen = new Set();
    let maxRows = 0;
    let renders = 0;
    let renderTime = 0;
    const pageHeight = Math.max(ROW_HEIGHT, scroller.clientHeight - HEADER_HEIGHT);
    const stops = [];
    if (rowCount <= 20000) {
      for (let y = 0; y < rowCount * ROW_HEIGHT; y += pageHeight) stops.push(y);
    } else {
      for (let stop = 0; stop < 50; stop++) {
        stops.push(Math.floor(rowCount * ROW_HEIGHT * stop / 50));
      }
    }
    stops.forEach(function (y) {
      scroller.scrollTop = y;
      const before = performance.now();
      render(false);
      renderTime += performance.now() - before;
      renders++;
      maxRows = Math.max(maxRows, rowsElement.children.length);
      if (arrowsDrawn() !== arrowsExpected()) fail('arrows at scroll ' + y);
      rowsElement.querySelectorAll('.arrow').forEach(function (arrow) {
        seen.add(arrow.closest('.row').dataset.row);
      });
    });
    result.sweep = {renders: renders, max_rows_in_dom: maxRows, arrows_seen: seen.size,
      mean_render_ms: renders ? renderTime / renders : 0};
    if (rowCount <= 20000 && seen.size !== messageCount) {
      fail('scrolling drew ' + seen.size + ' distinct arrows of ' + messageCount);
    }
    // Stepping with the keyboard shows each step's state and changes, as replay does.
    if (eventCount > 0) {
      press('Home');
      if (currentSeq !== firstSeq) fail('Home went to #' + currentSeq);
      compare();
      const steps = Math.min(eventCount - 1, 400);
      let shown = 0;
      let expectedChanges = 0;
      let previous = byId('state-json').textContent;
      for (let step = 1; step <= steps; step++) {
        press('ArrowRight');
        if (currentSeq !== firstSeq + step) {
          fail('ArrowRight went to #' + currentSeq + ', not #' + (firstSeq + step));
        }
        compare();
        const text = byId('state-json').textContent;
        if (text !== previous) shown++;
        if (deltaLength(events.delta[step])) expectedChanges++;
        previous = text;
        const selected = rowsElement.querySelector('.row.sel');
        if (!selected || Number(selected.dataset.row) !== rowOfEvent[step]) {
          fail('row of #' + currentSeq + ' not shown');
        }
      }
      press('ArrowLeft');
      if (steps > 0 && currentSeq !== firstSeq + steps - 1) {
        fail('ArrowLeft went to #' + currentSeq);
      }
      result.steps = {keyboard_steps: steps, state_changes_shown: shown,
        state_changes_expected: expectedChanges};
      if (shown !== expectedChanges) fail('stepping showed ' + shown + ' state changes');
      // Every other checked step, reached through the slider.
      let jumpTime = 0;
      let jumps = 0;
      data.checks.forEach(function (check) {
        if (compared.has(check.seq)) return;
        slider.value = check.seq;
        const before = performance.now();
        slider.dispatchEvent(new Event('input'));
        jumpTime += performance.now() - before;
        jumps++;
        if (currentSeq !== check.seq) fail('slider went to #' + currentSeq);
        compare();
      });
      result.checks = {compared: compared.size, of: data.checks.length, slider_jumps: jumps,
        mean_jump_ms: jumps ? jumpTime / jumps : 0};
      if (compared.size !== data.checks.length) fail('compared ' + compared.size + ' checks');
    }
    result.errors = window.__errors.slice();
    if (result.errors.length) fail('errors: ' + result.errors.join('; '));
    result.timings.selftest_ms = performance.now() - firstDrawnTime;
    window.__selftestDone = true;
    byId('selftest-result').textContent = JSON.stringify(result);
  }
  if (selfTestRequested) selfTest();
})();
