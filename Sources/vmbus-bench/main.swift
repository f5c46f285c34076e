import VMBusHost

/// `swift run -c release vmbus-bench [evolve]`: the project's throughput figures.
let arguments = Array(CommandLine.arguments.dropFirst())
let selected = Set(arguments.isEmpty ? ["evolve"] : arguments)
let known: Set = ["evolve", "dump"]

for name in selected.subtracting(known).sorted() {
  print(
    "vmbus-bench: unknown benchmark '\(name)'; known: \(known.sorted().joined(separator: ", "))")
}
if selected.contains("dump") { for e in BootWorkload.events(boots: 1) { print(e) } }
if selected.contains("evolve") {
  EvolveBenchmark.run(boots: 2_000, rounds: 5)
}
