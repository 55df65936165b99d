import Foundation
import RegistryTestSupport
import Testing

@testable import RegistryCommands

/// `gc`'s durations are bounded: a number of days or weeks that overflows, or sets the cutoff
/// thousands of years back, is a usage error (exit 2) before anything runs.
@Suite("durations on the command line")
struct DurationTests {
  @Test(
    "a duration past 100 years is a usage error naming the flag, for --grace and --keep-younger-than",
    arguments: ["106751991167301d", "9999999999999999w", "5300w", "36600d", "1e300s", "inf s"])
  func tooLong(text: String) throws {
    #expect(Duration.parse(text) == nil)
    let store = try makeTemporaryDirectory("duration").appendingPathComponent("store").path
    for flag in ["--grace", "--keep-younger-than"] {
      let result = InProcess.run(["--store", store, "gc", flag, text, "--dry-run"])
      #expect(result.status == 2, "\(flag) \(text): \(result.stderr)")
      #expect(result.stderr.contains(flag) && result.stderr.contains("100 years"), "\(result.stderr)")
    }
  }

  @Test("durations up to 100 years parse; describe never traps, even on a policy saved before the bound")
  func bounds() {
    #expect(Duration.parse("0s") == 0)
    #expect(Duration.parse("2w") == 1_209_600)
    #expect(Duration.parse("5200w") == TimeInterval(5200 * 604_800))
    #expect(Duration.parse("36500d") == TimeInterval(36500 * 86_400))
    #expect(Duration.describe(1_209_600) == "2w")
    #expect(Duration.describe(90) == "90s")
    #expect(!Duration.describe(9_999_999_999_999_999 * 604_800).isEmpty)
    #expect(!Duration.describe(.infinity).isEmpty)
    #expect(!Duration.describe(.nan).isEmpty)
  }
}
