import Testing
import VMBusWire

@Suite struct ByteReaderTests {
  @Test func readsLittleEndianIntegers() {
    let reader = ByteReader([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08])
    #expect(reader.read(UInt8.self, at: 0) == 0x01)
    #expect(reader.read(UInt16.self, at: 0) == 0x0201)
    #expect(reader.read(UInt32.self, at: 4) == 0x0807_0605)
    #expect(reader.read(UInt64.self, at: 0) == 0x0807_0605_0403_0201)
  }

  @Test(arguments: [-1, 5, 8, Int.max, Int.min])
  func outOfRangeReadsReturnNil(offset: Int) {
    let reader = ByteReader([1, 2, 3, 4, 5, 6, 7, 8])
    #expect(reader.read(UInt32.self, at: offset) == nil)
    #expect(reader.bytes(at: offset, count: 4) == nil)
  }

  @Test func copiesByteRuns() {
    let reader = ByteReader([1, 2, 3])
    #expect(reader.bytes(at: 1, count: 2) == [2, 3])
    #expect(reader.bytes(at: 3, count: 0) == [])
    #expect(reader.bytes(at: 2, count: 2) == nil)
    #expect(reader.bytes(at: 0, count: -1) == nil)
  }

  @Test(arguments: [(0, 0), (7, 0), (8, 1), (15, 1), (16, 2), (23, 2)])
  func readsOnlyWholeUInt64s(extra: Int, expected: Int) {
    let reader = ByteReader([UInt8](repeating: 0xAB, count: 4 + extra))
    #expect(reader.wholeUInt64s(from: 4).count == expected)
  }

  @Test func appendsAndStoresLittleEndian() {
    var bytes: [UInt8] = []
    bytes.appendLittleEndian(UInt32(0x1122_3344))
    bytes.appendLittleEndian(UInt16(0xAABB))
    #expect(bytes == [0x44, 0x33, 0x22, 0x11, 0xBB, 0xAA])
    bytes.storeLittleEndian(UInt16(0x0102), at: 5)
    #expect(bytes == [0x44, 0x33, 0x22, 0x11, 0xBB, 0x02])
    bytes.storeBytes([9, 9, 9], at: 4)
    #expect(bytes == [0x44, 0x33, 0x22, 0x11, 9, 9])
  }
}
