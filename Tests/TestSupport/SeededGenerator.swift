import Foundation

/// A small, repeatable random number generator (SplitMix64), so a random test fails the same way
/// every time it is given the same seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Seeds of randomised tests (stress, fuzz-like loops).
///
/// `REGISTRY_TEST_SEED` replays a run; without it each run draws a fresh seed. Either way the seed
/// is printed with the test's name before the test uses it, so a failure in CI's log can be
/// replayed exactly: `REGISTRY_TEST_SEED=N swift test --filter NAME`.
public enum TestSeed {
  public static func make(for test: String, environment: [String: String] = ProcessInfo.processInfo.environment)
    -> UInt64
  {
    let seed: UInt64
    if let text = environment["REGISTRY_TEST_SEED"], let value = UInt64(text) {
      seed = value
    } else {
      var system = SystemRandomNumberGenerator()
      seed = system.next()
    }
    print("\(test): seed \(seed) (replay with REGISTRY_TEST_SEED=\(seed))")
    return seed
  }

  /// A generator for `test`, seeded as `make(for:)` says.
  public static func generator(for test: String) -> SeededGenerator {
    SeededGenerator(seed: make(for: test))
  }
}
