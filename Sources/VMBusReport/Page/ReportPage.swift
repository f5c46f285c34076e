/// The report's HTML: markup, style and script inline, the data as JSON in a
/// `<script type="application/json">` element. Nothing is loaded from anywhere else.
package enum ReportPage {
  /// The whole page for `data` (script-safe JSON, see `ReportData.scriptSafeJSON`).
  static func html(title: String, data: [UInt8]) -> [UInt8] {
    var page: [UInt8] = []
    page.reserveCapacity(data.count + 64 * 1024)
    page += Array(
      """
      <!doctype html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>vmbus-sim · \(escape(title))</title>
      <script>\(errorCapture)</script>
      <style>\(style)</style>
      </head>
      <body>
      \(markup)
      <script type="application/json" id="report-data">
      """.utf8)
    page += data
    page += Array(
      """
      </script>
      <script>\(script)</script>
      </body>
      </html>

      """.utf8)
    return page
  }

  /// Text for an HTML element or attribute.
  static func escape(_ text: String) -> String {
    var out = ""
    for character in text {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      default: out.append(character)
      }
    }
    return out
  }

  /// The page's fixed elements; the script fills them.
  static let markup = #"""
    <header id="top">
      <div id="title-line"><h1 id="title"></h1><span id="outcome"></span></div>
      <div id="facts"></div>
      <div id="counts"></div>
    </header>
    <nav id="toolbar">
      <button id="first" title="first event (Home)">«</button>
      <button id="prev" title="previous event (← or k)">◀</button>
      <input id="slider" type="range" min="1" max="1" value="1" aria-label="event">
      <button id="next" title="next event (→ or j)">▶</button>
      <button id="last" title="last event (End)">»</button>
      <label>event <input id="seq" type="number" min="1" value="1"></label>
      <button id="next-mark" title="next busy, dropped, failed or violating row (n; p goes back)">next ⚠</button>
      <span id="keys">←/→ j/k step · ↑/↓ message · n/p marked rows · click a row or an event</span>
      <span id="legend"></span>
    </nav>
    <main>
      <section id="diagram">
        <div id="scroller">
          <div id="colhead"></div>
          <div id="spacer"><div id="rows"></div></div>
        </div>
      </section>
      <aside id="inspector">
        <div id="ev-head"></div>
        <div id="ev-text" class="mono"></div>
        <div id="ev-row"></div>
        <h3>Changes</h3>
        <ul id="changes"></ul>
        <ul id="violations"></ul>
        <h3 id="state-title">Host state</h3>
        <div id="state-view"></div>
        <details id="state-raw"><summary>as <code>replay --json</code> prints it</summary>
          <pre id="state-json" class="mono"></pre></details>
      </aside>
    </main>
    <pre id="selftest-result" hidden></pre>
    <svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>
      <marker id="ah-g2h" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#1565c0"/></marker>
      <marker id="ah-h2g" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#2e7d32"/></marker>
      <marker id="ah-pending" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10" fill="none" stroke="#7b1fa2" stroke-width="2"/></marker>
      <marker id="x-busy" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="9" markerHeight="9" orient="auto"><path d="M1,1L9,9M9,1L1,9" stroke="#ef6c00" stroke-width="2.5"/></marker>
      <marker id="x-dropped" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="9" markerHeight="9" orient="auto"><path d="M1,1L9,9M9,1L1,9" stroke="#757575" stroke-width="2.5"/></marker>
      <marker id="x-failed" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="9" markerHeight="9" orient="auto"><path d="M1,1L9,9M9,1L1,9" stroke="#c62828" stroke-width="2.5"/></marker>
    </defs></svg>
    """#
}
