import Foundation
import VMBusReport
import VMBusSessions
import VMBusStore

/// Stores, sessions and pages the report tests share.
enum ReportFixtures {
  /// The repository's `scenarios/`, found from this file's path.
  static let scenarios: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // Support
    .deletingLastPathComponent()  // VMBusReportTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()
    .appendingPathComponent("scenarios")

  /// The bundled scenario files, sorted.
  static let scenarioFiles: [String] =
    ((try? FileManager.default.contentsOfDirectory(atPath: scenarios.path)) ?? [])
    .filter { $0.hasSuffix(".yaml") }.sorted()

  /// A bare QEMU log: contact, offers with a busy retry, a GPADL, an open, data-plane
  /// signals, and a delivery callback with nothing posted (a violation at its last line).
  static let bareLog = """
    4152@1591800412.004512:vmbus_recv_message type 14 size 40
    4152@1591800412.004530:vmbus_process_incoming_message type 14
    4152@1591800412.004561:vmbus_initiate_contact version 4.0 target vp 0 mon pages 0x7e000,0x7f000 int page 0x7d000
    4152@1591800412.004600:vmbus_post_msg type 15 size 12
    4153@1591800412.004700:vmbus_msg_cb message status 0
    4153@1591800412.004800:vmbus_recv_message type 3 size 8
    4152@1591800412.004810:vmbus_process_incoming_message type 3
    4152@1591800412.004820:vmbus_send_offer channel #1 dev 0x55d6c0a1b2c0
    4152@1591800412.004830:vmbus_post_msg type 1 size 200
    4153@1591800412.004840:vmbus_msg_cb message status -11
    4152@1591800412.004850:vmbus_send_offer channel #1 dev 0x55d6c0a1b2c0
    4152@1591800412.004860:vmbus_post_msg type 1 size 200
    4153@1591800412.004870:vmbus_msg_cb message status 0
    4152@1591800412.004880:vmbus_terminate_offers 
    4152@1591800412.004890:vmbus_post_msg type 4 size 8
    4153@1591800412.004900:vmbus_msg_cb message status 0
    4153@1591800412.005000:vmbus_recv_message type 8 size 56
    4153@1591800412.005010:vmbus_recv_message type 9 size 24
    4152@1591800412.005020:vmbus_process_incoming_message type 8
    4152@1591800412.005030:vmbus_gpadl_header gpadl #925200 gfns 2
    4152@1591800412.005040:vmbus_process_incoming_message type 9
    4152@1591800412.005050:vmbus_gpadl_body gpadl #925200
    4152@1591800412.005060:vmbus_gpadl_created gpadl #925200
    4152@1591800412.005070:vmbus_post_msg type 10 size 20
    4153@1591800412.005080:vmbus_msg_cb message status 0
    4153@1591800412.005100:vmbus_recv_message type 5 size 32
    4152@1591800412.005110:vmbus_process_incoming_message type 5
    4152@1591800412.005120:vmbus_open_channel channel #1 gpadl #925200 target vp 0
    4152@1591800412.005130:vmbus_channel_open channel #1 status 0
    4152@1591800412.005140:vmbus_post_msg type 6 size 20
    4153@1591800412.005150:vmbus_msg_cb message status 0
    4153@1591800412.005160:vmbus_signal_event 
    4152@1591800412.005170:vmbus_channel_notify_guest channel #1
    4153@1591800412.005180:vmbus_msg_cb message status 0

    """

  /// The messages in ``bareLog``.
  static let bareLogMessages = 11

  /// A directory of its own with a fresh store, removed afterwards.
  static func withStore<T>(_ body: (EventStore, URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("vmbus-report-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try EventStore.open(path: directory.appendingPathComponent("db.sqlite").path)
    return try body(store, directory)
  }

  /// Runs `scenarios/NAME` with seed 0 into `store`.
  static func simulate(_ name: String, into store: EventStore) throws -> SessionID {
    let runner = ScenarioRunner(path: scenarios.appendingPathComponent(name).path, seed: 0)
    return try runner.run(into: store).1
  }

  /// Imports `text` as a QEMU log into `store`.
  static func importLog(_ text: String, into store: EventStore, in directory: URL) throws
    -> SessionID
  {
    let path = directory.appendingPathComponent("trace.log").path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return try TraceImporter(path: path, format: nil, strict: false, name: nil).run(into: store)
      .session
  }
}

extension ReportData {
  /// Decodes the JSON inside the page's `<script type="application/json">`.
  init(page: [UInt8]) throws {
    self = try ReportData.decoding(Array(try Self.json(in: page).utf8))
  }

  /// The JSON text inside the page's `<script type="application/json">`.
  static func json(in page: [UInt8]) throws -> Substring {
    let text = String(decoding: page, as: UTF8.self)
    guard let open = text.range(of: #"<script type="application/json" id="report-data">"#),
      let close = text.range(of: "</script>", range: open.upperBound..<text.endIndex)
    else { throw ReportTestError("no report data in the page") }
    return text[open.upperBound..<close.lowerBound]
  }

  /// The rows' kinds, by row.
  var rowKindsByRow: [ReportRowKind] { rows.kind.map { rowKinds[$0] } }

  /// The state after each event, rebuilt from the initial pieces and the deltas as the page's
  /// script does, in `replay --json`'s text.
  func states() -> [String] {
    var fields = initialState.fields
    var channels = Dictionary(
      uniqueKeysWithValues: initialState.channels.map { ($0.id, $0.text) })
    var gpadls = Dictionary(uniqueKeysWithValues: initialState.gpadls.map { ($0.id, $0.text) })
    var deltaStart = [0]
    for count in deltas.operationCount { deltaStart.append((deltaStart.last ?? 0) + count) }
    var states: [String] = []
    for delta in events.delta {
      for op in deltaStart[delta]..<deltaStart[delta + 1] {
        let (key, value) = (deltas.key[op], deltas.text[op])
        switch deltaOperations[deltas.operation[op]] {
        case .setField: fields[key] = value
        case .setChannel: channels[key] = value
        case .removeChannel: channels[key] = nil
        case .setGpadl: gpadls[key] = value
        case .removeGpadl: gpadls[key] = nil
        }
      }
      let scalars = zip(stateFields, fields).map { "\"\($0)\": \(strings[$1])" }
      let channelText = channels.keys.sorted().compactMap { channels[$0].map { strings[$0] } }
      let gpadlText = gpadls.keys.sorted().compactMap { gpadls[$0].map { strings[$0] } }
      states.append(
        "{" + scalars.joined(separator: ", ") + ", \"channels\": ["
          + channelText.joined(separator: ", ") + "], \"gpadls\": ["
          + gpadlText.joined(separator: ", ") + "]}")
    }
    return states
  }
}

struct ReportTestError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
