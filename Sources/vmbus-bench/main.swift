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
/// Runs `body` between two measurements of the fold, and returns their mean. A target's
/// ratio divides by it rather than by the `evolve` figure taken minutes earlier: this
/// machine's speed (a shared virtual machine) drifts by up to a factor of two over minutes,
/// and the ratio should compare figures taken under the same conditions.
func evolveAround(_ name: String, _ body: () -> Void) -> Double {
  let before = EvolveBenchmark.simulatedRate(boots: 2_000, rounds: 5, label: "before \(name)")
  body()
  let after = EvolveBenchmark.simulatedRate(boots: 2_000, rounds: 5, label: "after \(name)")
  return (before + after) / 2
}

if selected.contains("fuzz") {
  figures["evolve_beside_fuzz_events_per_s"] = evolveAround("fuzz") {
    figures.merge(FuzzBenchmark.runCampaign(seeds: 20_000)) { $1 }
  }
}
if selected.contains("explore") {
  figures["evolve_beside_explore_events_per_s"] = evolveAround("explore") {
    figures.merge(FuzzBenchmark.runExplorer(depth: 60)) { $1 }
  }
}

if printsJSON {
  // The targets of the speed work: fuzzing and exploring against the bare fold, measured
  // around each.
  if let runs = figures["fuzz_linux_boot_runs_per_s"],
    let events = figures["events_per_linux_boot_run"],
    let evolve = figures["evolve_beside_fuzz_events_per_s"], evolve > 0
  {
    figures["fuzz_fraction_of_evolve"] = runs * events / evolve
  }
  if let states = figures["explore_states_per_s"],
    let evolve = figures["evolve_beside_explore_events_per_s"], evolve > 0
  {
    figures["explore_fraction_of_evolve"] = states / evolve
  }
  print(Figures.json(figures))
}
