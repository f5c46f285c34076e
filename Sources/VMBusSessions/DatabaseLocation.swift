/// Where the event store lives: `--db FILE`, else `VMBUS_SIM_DB`, else `vmbus-sim.sqlite` in
/// the current directory.
package enum DatabaseLocation {
  package static let defaultFile = "vmbus-sim.sqlite"
  package static let environmentVariable = "VMBUS_SIM_DB"

  package static func resolve(flag: String?, environment: [String: String]) -> String {
    if let flag, !flag.isEmpty { return flag }
    if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
      return fromEnvironment
    }
    return defaultFile
  }
}
