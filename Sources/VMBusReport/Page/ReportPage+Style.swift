extension ReportPage {
  /// The page's CSS: system fonts only.
  static let style = #"""
    :root {
      --row: 34px; --head: 92px; --g2h: #1565c0; --h2g: #2e7d32; --busy: #ef6c00;
      --dropped: #757575; --failed: #c62828; --pending: #7b1fa2; --line: #90a4ae;
      font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 13px;
      color: #212121;
    }
    * { box-sizing: border-box; }
    body { margin: 0; height: 100vh; display: flex; flex-direction: column; overflow: hidden; }
    .mono, code, pre, .ev, .s { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; }
    header { padding: 8px 14px 6px; background: #263238; color: #eceff1; }
    #title-line { display: flex; align-items: baseline; gap: 14px; }
    h1 { font-size: 17px; margin: 0; font-weight: 600; }
    #outcome { padding: 1px 8px; border-radius: 10px; font-weight: 600; background: #546e7a; }
    #outcome.good { background: #2e7d32; } #outcome.bad { background: #c62828; }
    #facts, #counts { margin-top: 4px; display: flex; flex-wrap: wrap; gap: 4px 14px; }
    #facts b, #counts b { color: #fff; }
    #facts span, #counts span { color: #b0bec5; }
    #counts .hot b { color: #ffab91; }
    #toolbar { display: flex; align-items: center; gap: 8px; padding: 6px 14px;
      border-bottom: 1px solid #cfd8dc; background: #eceff1; flex-wrap: wrap; }
    #slider { flex: 1; min-width: 160px; }
    #seq { width: 80px; }
    #keys { color: #607d8b; font-size: 12px; }
    #legend { display: flex; gap: 8px; font-size: 11px; flex-wrap: wrap; }
    #legend i { display: inline-block; width: 18px; height: 3px; vertical-align: middle;
      margin-right: 3px; }
    main { flex: 1; display: flex; min-height: 0; }
    #diagram { flex: 1; min-width: 0; display: flex; }
    #scroller { flex: 1; overflow: auto; position: relative; }
    #colhead { position: sticky; top: 0; z-index: 3; height: var(--head); background: #fafafa;
      border-bottom: 1px solid #cfd8dc; display: flex; }
    #colhead > div { flex: none; position: relative; }
    #colhead .who { position: absolute; bottom: 6px; font-weight: 600; padding: 2px 8px;
      border: 1px solid #90a4ae; border-radius: 4px; background: #fff; }
    #colhead .lln { width: 14px; writing-mode: vertical-rl; transform: rotate(180deg);
      font-size: 10px; white-space: nowrap; overflow: hidden; padding-top: 2px; color: #455a64; }
    #colhead .evh { width: var(--evs, 470px); padding: 68px 8px 0; color: #607d8b; }
    #spacer { position: relative; }
    .row { position: absolute; left: 0; height: var(--row); display: flex; align-items: stretch;
      border-bottom: 1px solid #f1f3f4; cursor: pointer; }
    .row:hover { background: #f5f9ff; }
    .row.sel { background: #fff8e1; outline: 2px solid #ffb300; outline-offset: -2px; }
    .row > div { flex: none; }
    .s { width: 76px; padding: 9px 4px 0 8px; color: #78909c; font-size: 11px; overflow: hidden;
      white-space: nowrap; }
    .m { position: relative; width: 380px;
      background: linear-gradient(var(--line), var(--line)) 11px 0 / 2px 100% no-repeat,
        linear-gradient(var(--line), var(--line)) 367px 0 / 2px 100% no-repeat; }
    .m svg { position: absolute; left: 0; top: 0; }
    .arrow { stroke-width: 2; }
    .g2h .arrow { stroke: var(--g2h); } .h2g .arrow { stroke: var(--h2g); }
    .fate-busy .arrow { stroke: var(--busy); stroke-dasharray: 7 4; }
    .fate-ignored .arrow, .fate-flushed .arrow, .fate-rejected .arrow {
      stroke: var(--dropped); stroke-dasharray: 3 3; }
    .fate-failed .arrow { stroke: var(--failed); }
    .fate-pending .arrow { stroke: var(--pending); stroke-dasharray: 2 3; }
    .fate-busy { background: #fff3e0; }
    .fate-ignored, .fate-flushed, .fate-rejected { background: #f3f3f3; }
    .fate-failed, .row.bad { background: #ffebee; }
    .lbl { position: absolute; left: 22px; right: 22px; top: 3px; text-align: center;
      white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-size: 12px; }
    .h2g .lbl { color: #1b5e20; } .g2h .lbl { color: #0d47a1; }
    .out { color: #bf360c; font-size: 11px; }
    .fate-ignored .out, .fate-flushed .out, .fate-rejected .out { color: #616161; }
    .nbox { position: absolute; left: 4px; right: 4px; top: 5px; bottom: 5px; border-radius: 4px;
      padding: 3px 8px; font-size: 12px; white-space: nowrap; overflow: hidden;
      text-overflow: ellipsis; background: #eceff1; border: 1px solid #cfd8dc; }
    .k-host_fault .nbox { background: #c62828; color: #fff; font-weight: 700; border-color: #b71c1c; }
    .k-data_plane .nbox { background: #f3e5f5; border-color: #e1bee7; }
    .k-gap .nbox { background: #fffde7; border-style: dashed; }
    .k-stray .nbox { background: #ffebee; border-color: #ef9a9a; }
    .k-migration .nbox { background: #e3f2fd; border: 2px solid #1565c0; color: #0d47a1;
      font-weight: 700; }
    .evs { width: var(--evs, 470px); height: var(--row); padding: 2px 6px 0; overflow: hidden;
      font-size: 10.5px; line-height: 15px; }
    .ev { display: inline-block; padding: 0 4px; margin: 0 3px 1px 0; border-radius: 3px;
      background: #eef2f5; color: #37474f; white-space: nowrap; max-width: 100%;
      overflow: hidden; text-overflow: ellipsis; vertical-align: top; }
    .ev b { color: #90a4ae; font-weight: 400; }
    .ev.cur { background: #ffca28; color: #000; } .ev.cur b { color: #5d4037; }
    .ev.vio { box-shadow: inset 0 0 0 1px #c62828; color: #b71c1c; }
    .lls { display: flex; }
    .ll { display: block; width: 14px; height: var(--row); border-right: 1px solid #fff; }
    #inspector { width: 460px; flex: none; overflow: auto; padding: 10px 14px;
      border-left: 1px solid #cfd8dc; background: #fcfcfc; }
    #inspector h3 { font-size: 13px; margin: 12px 0 4px; color: #37474f; }
    #ev-head { font-size: 14px; font-weight: 600; }
    #ev-text { margin: 4px 0; padding: 6px 8px; background: #263238; color: #e0f2f1;
      border-radius: 4px; word-break: break-all; }
    #ev-row { color: #546e7a; }
    #changes, #violations { margin: 0; padding-left: 18px; }
    #changes li.none { color: #90a4ae; list-style: none; margin-left: -18px; }
    #violations li { color: #b71c1c; }
    table { border-collapse: collapse; width: 100%; margin-bottom: 6px; font-size: 12px; }
    th, td { text-align: left; padding: 2px 6px; border-bottom: 1px solid #eceff1; }
    th { color: #607d8b; font-weight: 500; }
    tr.chg td, td.chg { background: #fff59d; }
    #state-json { white-space: pre-wrap; word-break: break-all; font-size: 11px; }
    """#
}
