import VMBusHost

/// `swift run -c release vmbus-bench [evolve] [parse] [store] [import] [sim] [fuzz] [explore]`:
/// the project's throughput figures (run from the repository root).
let arguments = Array(CommandLine.arguments.dropFirst())
let selected = Set(arguments.isEmpty ? ["evolve"] : arguments)
let known: Set = ["evolve", "parse", "store", "import", "sim", "fuzz", "explore"]

for name in selected.subtracting(known).sorted() {
  print(
    "vmbus-bench: unknown benchmark '\(name)'; known: \(known.sorted().joined(separator: ", "))")
}
if selected.contains("evolve") {
  EvolveBenchmark.run(boots: 2_000, rounds: 5)
}
if selected.contains("parse") {
  ParseBenchmark.run(lines: 1_000_000, rounds: 5)
}
if selected.contains("store") {
  StoreBenchmark.run(eventCount: 1_000_000, rounds: 3, lookups: 200)
}
if selected.contains("sim") {
  SimulationBenchmark.run()
  SimulationBenchmark.runPersisted()
}
if selected.contains("import") {
  ImportBenchmark.run(lines: 1_000_000)
}
if selected.contains("fuzz") {
  FuzzBenchmark.runCampaign(seeds: 20_000)
}
if selected.contains("explore") {
  FuzzBenchmark.runExplorer(depth: 60)
}
