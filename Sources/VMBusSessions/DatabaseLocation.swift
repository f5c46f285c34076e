/// Where the event store lives: `--db FILE`, else `VMBUS_SIM_DB`, else `vmbus-sim.sqlite` in
/// the current directory.
public enum DatabaseLocation {
  public static let defaultFile = "vmbus-sim.sqlite"
  public static let environmentVariable = "VMBUS_SIM_DB"

  public static func resolve(flag: String?, environment: [String: String]) -> String {
    if let flag, !flag.isEmpty { return flag }
    if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
      return fromEnvironment
    }
    return defaultFile
  }
}
