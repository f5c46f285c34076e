import ArgumentParser

/// `vmbus-sim`: the command tree. Each command parses its flags, calls VMBusSessions, and
/// maps the result to output and an exit status.
@main
struct VMBusSimCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vmbus-sim",
    abstract: "Simulate, replay and check the host side of Hyper-V VMBus as QEMU implements it.",
    discussion: """
      Sessions live in an SQLite file: --db FILE, else $VMBUS_SIM_DB, else vmbus-sim.sqlite \
      in the current directory.

      Examples:
        vmbus-sim run scenarios/linux-boot.yaml
        vmbus-sim import qemu-trace.log
        vmbus-sim replay 1 --to 42 --json
      """,
    subcommands: [
      RunCommand.self, ImportCommand.self, SessionsCommand.self, ReplayCommand.self,
      VerifyCommand.self, ExportCommand.self, ReportCommand.self, FuzzCommand.self,
      CheckCommand.self, MergeCommand.self, FindingsCommand.self,
    ])
}
