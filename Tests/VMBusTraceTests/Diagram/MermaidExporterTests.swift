import Testing
import VMBusHost
import VMBusTrace
import VMBusWire

@Suite struct MermaidExporterTests {
  @Test func aBareTraceAsASequenceDiagram() {
    let diagram = SessionDiagram.build(DiagramFixtures.bareEvents.prefix(16))
    let text = MermaidExporter(title: "session 1 trace (imported), events 1-16").render(diagram)
    #expect(
      text == """
        sequenceDiagram
            participant G as Guest
            participant H as Host (QEMU)
            Note over G,H: session 1 trace (imported), events 1-16
            G->>H: INITIATE_CONTACT version 4.0 vcpu 0 (seq 1-3)
            H->>G: VERSION_RESPONSE version_supported 1 (seq 4-5)
            G->>H: REQUESTOFFERS (seq 6-7)
            rect rgb(255, 236, 179)
                H--xG: OFFERCHANNEL relid 1 sub 0 · slot busy (-11), host retries (seq 8-10)
            end
            H->>G: OFFERCHANNEL relid 1 sub 0 (seq 11-13)
            H->>G: ALLOFFERS_DELIVERED (seq 14-16)

        """)
  }

  @Test func dropsFaultsAndViolationsAreColouredNotes() {
    let bare = MermaidExporter().render(SessionDiagram.build(DiagramFixtures.bareEvents))
    #expect(bare.contains("    rect rgb(224, 224, 224)\n        G-xH: CLOSECHANNEL · dropped"))
    #expect(
      bare.contains("    Note right of H: data plane: signal, notify channel 1 ×2 (seq 32-34)"))
    #expect(
      bare.contains(
        """
            rect rgb(255, 205, 210)
                Note right of H: delivery callback with nothing posted (seq 39)
                Note right of H: violation at seq 39: callback_without_message: 
        """))
    let simulated = MermaidExporter().render(SessionDiagram.build(DiagramFixtures.simulated()))
    #expect(simulated.contains("Note over G,H: HOST FAULT: GPADL_BODY for full gpadl #35;512"))
    #expect(
      simulated.contains("G-xH: REQUESTOFFERS · dropped: flushed from the queue by UNLOAD at seq "))
    #expect(
      simulated.contains(
        "G--xH: REQUESTOFFERS · rx queue full (insufficient buffers), guest retries"))
  }

  @Test func textThatWouldBreakTheDiagramIsEscaped() {
    #expect(MermaidExporter.escape("a;b #1 <x>\nz") == "a#59;b #35;1 #lt;x#gt; z")
  }
}
