/// Scenarios written for tests, shared by the library's and the command line's.
package enum ScenarioSamples {
  /// The guest's INITIATE_CONTACT and its UNLOAD ordered by timers alone: the unloader's
  /// second sleep starts when its first ends, so whether it ends before the connector's one
  /// sleep of 2 ms depends on which actor started sleeping first, a step apart. UNLOAD first
  /// crashes QEMU (`send_unload.no_sint_route`), in about half of all seeds. An exploration
  /// whose key held the timers' order and not their distances merged the two paths and
  /// never found it.
  package static let timerRace = """
    description: "the guest's contact and its UNLOAD, ordered by timers alone"
    expect: passed
    host: {devices: [{class: hv-balloon}]}
    actors:
      - name: connector
        steps:
          - sleep: 2ms
          - send: {type: INITIATE_CONTACT, version_requested: "4.0"}
          - wait: {for: VERSION_RESPONSE, timeout: 100s}
      - name: unloader
        steps:
          - sleep: 1ms
          - sleep: 1ms
          - send: {type: UNLOAD}
          - wait: {for: UNLOAD_RESPONSE, timeout: 100s}

    """
}
