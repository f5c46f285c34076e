import VMBusHost

/// `swift run -c release vmbus-bench [--json] [evolve] [parse] [store] [import] [sim] [fuzz]
/// [explore]`: the project's throughput figures (run from the repository root). With
/// `--json`, the last line is one JSON object of the figures measured, and the ratios of
/// the speed targets when their parts were measured.
let arguments = Array(CommandLine.arguments.dropFirst()).filter { $0 != "--json" }
let printsJSON = CommandLine.arguments.dropFirst().contains("--json")
let selected = Set(arguments.isEmpty ? ["evolve"] : arguments)
var figures: Figures = [:]
let known: Set = ["evolve", "parse", "store", "import", "sim", "fuzz", "explore"]

for name in selected.subtracting(known).sorted() {
  print(
    "vmbus-bench: unknown benchmark '\(name)'; known: \(known.sorted().joined(separator: ", "))")
}
if selected.contains("evolve") {
  figures.merge(EvolveBenchmark.run(boots: 2_000, rounds: 5)) { $1 }
}
if selected.contains("parse") {
  ParseBenchmark.run(lines: 1_000_000, rounds: 5)
}
if selected.contains("store") {
  StoreBenchmark.run(eventCount: 1_000_000, rounds: 3, lookups: 200)
}
if selected.contains("sim") {
  figures.merge(SimulationBenchmark.run()) { $1 }
  SimulationBenchmark.runPersisted()
}
if selected.contains("import") {
  ImportBenchmark.run(lines: 1_000_000)
}
if selected.contains("fuzz") {
  figures.merge(FuzzBenchmark.runCampaign(seeds: 20_000)) { $1 }
}
if selected.contains("explore") {
  figures.merge(FuzzBenchmark.runExplorer(depth: 60)) { $1 }
}

if printsJSON {
  // The targets of the speed work: fuzzing and exploring against the bare fold.
  if let evolve = figures["evolve_events_per_s"], evolve > 0 {
    if let runs = figures["fuzz_linux_boot_runs_per_s"],
      let events = figures["events_per_linux_boot_run"]
    {
      figures["fuzz_fraction_of_evolve"] = runs * events / evolve
    }
    if let states = figures["explore_states_per_s"] {
      figures["explore_fraction_of_evolve"] = states / evolve
    }
  }
  print(Figures.json(figures))
}
