import VMBusHost
import VMBusWire

extension GuestProgram {
  /// Compiles an actor's steps, expanding Linux's composite steps into primitive ops.
  init(compiling steps: [Step]) {
    self.init()
    for step in steps { compile(step) }
  }

  /// Appends the ops of one step.
  mutating func compile(_ step: Step) {
    switch step.action {
    case .send(let spec):
      append(.post(spec, retry: .none, onFailure: nil), from: step)
    case .wait(let spec): append(.waitFor(spec, onTimeout: .fail), from: step)
    case .sleep(let duration): append(.sleep(duration), from: step)
    case .environment(let action): append(.environment(action), from: step)
    case .linux(let linux): compileLinux(linux, from: step)
    }
  }

  private mutating func compileLinux(_ linux: LinuxStep, from step: Step) {
    switch linux {
    case .connect(let versions, let vcpu): compileConnect(versions, vcpu: vcpu, from: step)
    case .requestOffers(let waitForAll):
      append(
        .post(MessageSpec(type: .requestOffers), retry: .linux(isContact: false), onFailure: nil),
        from: step)
      if waitForAll {
        let wait = WaitSpec(type: .allOffersDelivered, timeout: .seconds(60))
        append(.waitFor(wait, onTimeout: .proceed), from: step)
      }
    case .open(let device, let sub, let pages, let vp, let expectStatus):
      compileOpen(
        device: device, subchannel: sub, pages: pages, vp: vp, expectStatus: expectStatus,
        from: step)
    case .close(let device, let sub):
      let relid = Operand.relid(device: device, subchannel: sub)
      let gpadl = Operand.ringGpadl(device: device, subchannel: sub)
      append(
        .post(
          MessageSpec(type: .closeChannel, fields: [FieldOverride(.childRelid, relid)]),
          retry: .linux(isContact: false), onFailure: nil), from: step)
      append(
        .post(
          MessageSpec(
            type: .gpadlTeardown,
            fields: [FieldOverride(.childRelid, relid), FieldOverride(.gpadlID, gpadl)]),
          retry: .linux(isContact: false), onFailure: nil), from: step)
      append(
        .waitFor(
          WaitSpec(type: .gpadlTorndown, match: [ReplyValue(.gpadlID, gpadl)]), onTimeout: .fail),
        from: step)
    case .unload(let crash):
      let done = nextIndex + 3
      append(.jumpIfConnectedBelow(.win8_1, to: done), from: step)
      append(
        .post(MessageSpec(type: .unload), retry: .linux(isContact: false), onFailure: nil),
        from: step)
      let wait = WaitSpec(type: .unloadResponse, timeout: crash ? .seconds(100) : nil)
      append(.waitFor(wait, onTimeout: crash ? .proceed : .fail), from: step)
    }
  }

  /// `vmbus_connect`: each version in turn; 5.0 and above go to connection id 4 with
  /// msg_sint 2, older ones to id 1 with the interrupt page. A refused post or version moves
  /// on to the next; running off the end fails.
  private mutating func compileConnect(_ versions: [ProtocolVersion], vcpu: UInt32, from step: Step)
  {
    let perVersion = 5
    let failIndex = nextIndex + versions.count * perVersion
    for version in versions {
      let next = nextIndex + perVersion
      let modern = version >= .win10v5
      var fields = [
        FieldOverride(.versionRequested, .number(UInt64(version.rawValue))),
        FieldOverride(.targetVCPU, .number(UInt64(vcpu))),
        FieldOverride(.monitorPage1, .number(0x7E000)),
        FieldOverride(.monitorPage2, .number(0x7F000)),
      ]
      // msg_sint = 2 shares the interrupt page's bytes from 5.0 on.
      fields.append(FieldOverride(.interruptPage, .number(modern ? 2 : 0x7D000)))
      let spec = MessageSpec(type: .initiateContact, fields: fields, connectionID: modern ? 4 : 1)
      append(.post(spec, retry: .linux(isContact: true), onFailure: next), from: step)
      append(.waitFor(WaitSpec(type: .versionResponse), onTimeout: .fail), from: step)
      append(.jumpIfRefused(to: next), from: step)
      append(.recordConnected(version), from: step)
      append(.jump(to: failIndex + 1), from: step)
    }
    append(
      .fail(
        "the host refused every version (\(versions.map(\.description).joined(separator: ", ")))"),
      from: step)
  }

  /// `vmbus_open`: a ring GPADL (send ring first), OPENCHANNEL with openid = relid, and on a
  /// failed result the ring's teardown.
  private mutating func compileOpen(
    device: String, subchannel: UInt16, pages: UInt32, vp: UInt32, expectStatus: UInt32,
    from step: Step
  ) {
    let relid = Operand.relid(device: device, subchannel: subchannel)
    let gpadl = Operand.ringGpadl(device: device, subchannel: subchannel)
    append(.allocateRingGpadl(device: device, subchannel: subchannel), from: step)
    let failure = "posting the ring GPADL failed"
    let failIndex =
      nextIndex + Self.gpadlMessageCount(pages: pages) + 4 + (expectStatus == 0 ? 0 : 2)
    for message in Self.gpadlMessages(relid: relid, gpadl: gpadl, pages: pages) {
      append(
        .post(message, retry: .linux(isContact: false), onFailure: failIndex), from: step)
    }
    let created = WaitSpec(
      type: .gpadlCreated, match: [ReplyValue(.childRelid, relid), ReplyValue(.gpadlID, gpadl)],
      expect: [ReplyValue(.status, .number(0))])
    append(.waitFor(created, onTimeout: .fail), from: step)
    let open = MessageSpec(
      type: .openChannel,
      fields: [
        FieldOverride(.childRelid, relid), FieldOverride(.openID, relid),
        FieldOverride(.ringBufferGpadlID, gpadl), FieldOverride(.targetVP, .number(UInt64(vp))),
        FieldOverride(.ringBufferOffset, .number(UInt64(pages / 2))),
      ])
    append(
      .post(open, retry: .linux(isContact: false), onFailure: failIndex), from: step)
    let result = WaitSpec(
      type: .openChannelResult,
      match: [ReplyValue(.childRelid, relid), ReplyValue(.openID, relid)],
      expect: [ReplyValue(.status, .number(UInt64(expectStatus)))])
    append(.waitFor(result, onTimeout: .fail), from: step)
    if expectStatus != 0 {
      // A refused open: Linux tears the ring GPADL down again.
      let teardown = MessageSpec(
        type: .gpadlTeardown,
        fields: [FieldOverride(.childRelid, relid), FieldOverride(.gpadlID, gpadl)])
      append(
        .post(teardown, retry: .linux(isContact: false), onFailure: nil), from: step)
      append(
        .waitFor(
          WaitSpec(type: .gpadlTorndown, match: [ReplyValue(.gpadlID, gpadl)]), onTimeout: .fail),
        from: step)
    }
    append(.jump(to: failIndex + 1), from: step)
    append(.fail("\(device): \(failure)"), from: step)
  }

  /// The header and bodies Linux splits a `pages`-page GPADL into.
  static func gpadlMessages(relid: Operand, gpadl: Operand, pages: UInt32) -> [MessageSpec] {
    let inHeader = min(Int(pages), WireLimits.maxHeaderPFNs)
    var messages = [
      MessageSpec(
        type: .gpadlHeader,
        fields: [
          FieldOverride(.childRelid, relid), FieldOverride(.gpadlID, gpadl),
          FieldOverride(.pages, .number(UInt64(pages))),
          FieldOverride(.pfnCount, .number(UInt64(inHeader))),
        ])
    ]
    var sent = inHeader
    while sent < Int(pages) {
      let count = min(Int(pages) - sent, WireLimits.maxBodyPFNs)
      messages.append(
        MessageSpec(
          type: .gpadlBody,
          fields: [
            // Linux leaves msgnumber 0.
            FieldOverride(.gpadlID, gpadl), FieldOverride(.pfnCount, .number(UInt64(count))),
          ]))
      sent += count
    }
    return messages
  }

  static func gpadlMessageCount(pages: UInt32) -> Int {
    let rest = max(Int(pages) - WireLimits.maxHeaderPFNs, 0)
    return 1 + (rest + WireLimits.maxBodyPFNs - 1) / WireLimits.maxBodyPFNs
  }
}
