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

  /// An OPENCHANNEL cut short, then a whole one for the same relid, then a second wait for
  /// the result. QEMU drops the first and answers the second, so the second wait is the
  /// guest's error (`guest.message_too_short`); an oracle that kept one verdict per request
  /// key let the whole one's replace the short one's and called it QEMU's hang.
  package static let sameKeyOpens = """
    description: "a short OPENCHANNEL, then a whole one for the same relid"
    expect: {outcome: guest_error}
    host: {devices: [{class: hv-balloon}]}
    actors:
      - name: guest
        steps:
          - linux.connect: {versions: ["4.0"]}
          - linux.request_offers: {wait: true}
          - send: {type: OPENCHANNEL, child_relid: 1, truncate: 25}
          - send: {type: GPADL_HEADER, gpadl_id: 0x100, pages: 4, pfn_count: 4}
          - wait: {for: GPADL_CREATED, match: {gpadl_id: 0x100}}
          - send: {type: OPENCHANNEL, child_relid: 1, ring_buffer_gpadl_id: 0x100, ring_buffer_offset: 2}
          - wait: {for: OPENCHANNEL_RESULT, match: {child_relid: 1}, expect: {status: 0}}
          - wait: {for: OPENCHANNEL_RESULT, match: {child_relid: 1}}

    """
}
