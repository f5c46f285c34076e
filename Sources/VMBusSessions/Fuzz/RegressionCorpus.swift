import Foundation
import VMBusHost
import VMBusSim

/// The regression files of one directory, read once before `fuzz` files its findings: which
/// names are taken and which signature each file records. `fuzz` never overwrites a file it
/// did not decide to replace.
struct RegressionCorpus {
  /// One regression file as `fuzz` compares it with a finding.
  struct Entry {
    var path: String
    var profile: HostProfile
    /// The case is one an unmodified Linux guest runs (`Scenario.beyondLinux`).
    var linuxGuest: Bool
    var signature: RecordedSignature
    /// Guest steps, then pinned choices: what "smaller" compares.
    var size: CaseSize
  }

  /// How big a minimal case is: fewer steps first, then fewer choices.
  struct CaseSize: Comparable {
    var steps: Int
    var choices: Int

    static func < (lhs: Self, rhs: Self) -> Bool {
      (lhs.steps, lhs.choices) < (rhs.steps, rhs.choices)
    }
  }

  let directory: String
  /// Every `.yaml` name in the directory (regression file or not), and those filed since.
  private(set) var takenNames: Set<String>
  /// The regression files that parse, by name order.
  private(set) var entries: [Entry]

  /// Reads the directory; a missing directory is an empty corpus. A file that does not parse
  /// still takes its name.
  init(directory: String) throws(SessionsError) {
    self.directory = directory
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
      takenNames = []
      entries = []
      return
    }
    guard isDirectory.boolValue else {
      throw .usage("\(directory): the regressions directory is a file")
    }
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory)
        .filter { $0.hasSuffix(".yaml") }.sorted()
    } catch {
      throw .io("\(directory): cannot list the regression files: \(error.localizedDescription)")
    }
    takenNames = Set(names)
    entries = []
    for name in names {
      let path = "\(directory)/\(name)"
      guard let data = FileManager.default.contents(atPath: path),
        let scenario = try? ScenarioParser.parse(String(decoding: data, as: UTF8.self), file: path),
        let record = scenario.regression
      else { continue }
      entries.append(
        Entry(
          path: path, profile: scenario.host.profile,
          linuxGuest: scenario.beyondLinux == nil, signature: record.signature,
          size: CaseSize(
            steps: scenario.actors.reduce(0) { $0 + $1.steps.count },
            choices: record.choices.count)))
    }
  }

  /// The file already recording `signature` for `profile`: one with the same typed
  /// signature (or one written under a root cause's former name), or an old-form one that
  /// agrees on every part it holds. A Linux guest's finding is recorded only by a case a
  /// Linux guest runs: that it is reachable from Linux is the point of the file.
  func existing(_ signature: FailureSignature, profile: HostProfile, inputs: GuestInputs)
    -> Entry?
  {
    entries.first { entry in
      guard entry.profile == profile, inputs == .any || entry.linuxGuest else { return false }
      switch entry.signature {
      case .typed(let recorded): return recorded == signature
      case .renamed(_, let current): return current == signature
      case .guestError: return false
      case .legacy: return entry.signature.differences(from: signature).isEmpty
      }
    }
  }

  /// A free file name for a new signature (without `.yaml`): the base name (profile,
  /// property, root cause, and an unattributed hang's awaited reply), then only as many
  /// qualifiers (trace point, then bus state) as it takes to find a name no file has. Fields
  /// keep their own spelling and never hold `-`, so different signatures never share the
  /// fully qualified name.
  func freeName(for signature: FailureSignature, profile: HostProfile, inputs: GuestInputs)
    -> String
  {
    let base = Self.baseName(for: signature, profile: profile, inputs: inputs)
    let point = base + "-at-" + Self.field(signature.tracePoint.description)
    let full = point + "-in-" + Self.field(signature.busState.description)
    if let free = [base, point, full].first(where: { !takenNames.contains($0 + ".yaml") }) {
      return free
    }
    // Only a file that records no signature, or a field spelled with characters a name
    // cannot hold, takes a fully qualified name.
    var number = 2
    while takenNames.contains("\(full)-\(number).yaml") { number += 1 }
    return "\(full)-\(number)"
  }

  /// `PROFILE-PROPERTY-ROOT_CAUSE` (`linux-PROFILE-…` for a Linux guest's finding), and
  /// `-awaiting-REPLY` for an unattributed hang (what tells such hangs apart first of all):
  /// the shortest name a signature's file can have.
  static func baseName(
    for signature: FailureSignature, profile: HostProfile, inputs: GuestInputs
  ) -> String {
    var fields = [profile.rawValue, signature.property.rawValue, signature.rootCause.rawValue]
    if inputs == .linux { fields.insert("linux", at: 0) }
    var base = fields.map(field).joined(separator: "-")
    if let awaiting = signature.awaiting { base += "-awaiting-" + field(awaiting.name) }
    return base
  }

  /// Records a file written under `name` (with `.yaml`).
  mutating func take(_ name: String, entry: Entry) {
    takenNames.insert(name)
    entries.append(entry)
  }

  /// Lowercase letters, digits, `_` and `.` as they are; anything else becomes `_`.
  static func field(_ text: String) -> String {
    String(
      text.lowercased().map { character in
        character.isASCII
          && (character.isLetter || character.isNumber || character == "_"
            || character == ".")
          ? character : "_"
      })
  }
}
