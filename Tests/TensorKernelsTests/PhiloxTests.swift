import TensorKernels
import Testing

/// Philox-4x32-10 itself: Random123's known-answer vectors, and the counter arithmetic the
/// stateless ops rely on (the op-level outputs are checked against TensorFlow in InferenceTests).
@Suite("Philox")
struct PhiloxTests {
  @Test("Random123's known answers for philox4x32-10")
  func knownAnswers() {
    let vectors: [(counter: SIMD4<UInt32>, key: SIMD2<UInt32>, output: SIMD4<UInt32>)] = [
      (.zero, .zero, SIMD4(0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8)),
      (SIMD4(repeating: .max), SIMD2(repeating: .max), SIMD4(0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD)),
      (
        SIMD4(0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344), SIMD2(0xA409_3822, 0x299F_31D0),
        SIMD4(0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1)
      ),
    ]
    for vector in vectors {
      var generator = Philox(counter: vector.counter, key: vector.key)
      #expect(generator.next() == vector.output)
    }
  }

  @Test("next() and skip(_:) move the 128-bit counter with carries")
  func counter() {
    var generator = Philox(counter: SIMD4(.max, .max, 7, 0), key: .zero)
    _ = generator.next()
    #expect(generator.counter == SIMD4(0, 0, 8, 0))
    generator.skip(UInt64.max)
    #expect(generator.counter == SIMD4(.max, .max, 8, 0))
    generator.skip(2)
    #expect(generator.counter == SIMD4(1, 0, 9, 0))
    var top = Philox(counter: SIMD4(.max, .max, .max, .max), key: .zero)
    top.skip(1)
    #expect(top.counter == .zero)
  }

  @Test("a V2 key and counter are the low then high halves of each word")
  func words() {
    let generator = Philox(key: 0x1122_3344_5566_7788, counter: (0x0102_0304_0506_0708, 0x0A0B_0C0D_0E0F_1011))
    #expect(generator.key == SIMD2(0x5566_7788, 0x1122_3344))
    #expect(generator.counter == SIMD4(0x0506_0708, 0x0102_0304, 0x0E0F_1011, 0x0A0B_0C0D))
    #expect(generator.keyWord == 0x1122_3344_5566_7788)
    #expect(generator.counterWords == [0x0102_0304_0506_0708, 0x0A0B_0C0D_0E0F_1011])
  }
}
