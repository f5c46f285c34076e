/// Size limits of VMBus channel messages as QEMU and Linux apply them.
public enum WireLimits {
  /// Largest SynIC message payload (HV_MESSAGE_PAYLOAD_SIZE).
  public static let maxPayload = 240
  /// Size of the VMBus message header (type u32 plus padding u32).
  public static let headerSize = 8
  /// Most PFNs a GPADL_HEADER can carry in one payload: (240 - 28) / 8.
  public static let maxHeaderPFNs = 26
  /// Most PFNs a GPADL_BODY can carry in one payload: (240 - 16) / 8.
  public static let maxBodyPFNs = 28
  /// Guest page size (TARGET_PAGE_SIZE).
  public static let pageSize: UInt32 = 4096

  /// The length QEMU puts in the SynIC header for a struct of `structSize` bytes: rounded up to 8.
  public static func wireLength(structSize: Int) -> Int {
    guard structSize > 0 else { return 0 }
    let (sum, overflow) = structSize.addingReportingOverflow(7)
    guard !overflow else { return Int.max & ~7 }
    return sum & ~7
  }
}
