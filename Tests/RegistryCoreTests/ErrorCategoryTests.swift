import RegistryCore
import Testing

@Suite("error categories")
struct ErrorCategoryTests {
  @Test("HTTP statuses follow TensorFlow Serving's mapping of status codes")
  func httpStatuses() {
    let expected: [ErrorCategory: Int] = [
      .invalidArgument: 400, .failedPrecondition: 400, .notFound: 404, .alreadyExists: 409,
      .permissionDenied: 403, .unauthenticated: 401, .resourceExhausted: 429, .unsupported: 501,
      .unavailable: 503, .deadlineExceeded: 504, .corrupted: 500, .internal: 500,
    ]
    #expect(Set(expected.keys) == Set(ErrorCategory.allCases))
    for category in ErrorCategory.allCases { #expect(category.httpStatus == expected[category], "\(category)") }
  }

  @Test("each category has its own exit status, none of them 0, 1 or 2")
  func exitStatuses() {
    let statuses = ErrorCategory.allCases.map(\.exitStatus)
    #expect(Set(statuses).count == statuses.count)
    #expect(statuses.allSatisfy { $0 > 2 })
    #expect(ErrorCategory.notFound.exitStatus == 3 && ErrorCategory.internal.exitStatus == 70)
  }

  @Test("an error without a category is internal, never another category")
  func uncategorized() {
    struct Strange: Error {}
    #expect(ErrorCategory(of: Strange()) == .internal)
    #expect(UncategorizedError(Strange()).message.hasPrefix("internal error"))
    #expect(
      ErrorCategory(of: LimitExceeded("x", limit: "TENSOR_BYTES", requested: 2, allowed: 1)) == .resourceExhausted)
  }
}

@Suite("limits")
struct LimitsTests {
  @Test("element counts refuse negative dimensions and 64-bit overflow")
  func elementCounts() {
    #expect(Limits.elementCount([2, 3, 4]) == 24)
    #expect(Limits.elementCount([Int]()) == 1)
    #expect(Limits.elementCount([0, 1 << 40]) == 0)
    #expect(Limits.elementCount([-1, 4]) == nil)
    #expect(Limits.elementCount([Int64(1) << 32, Int64(1) << 32]) == nil)
    #expect(Limits.elementCount([UInt64.max]) == nil)
  }

  @Test("a saturating sum of sizes stops at Int64.max instead of trapping")
  func saturatingSum() {
    #expect(Limits.saturatingSum([Int64]()) == 0)
    #expect(Limits.saturatingSum([1, 2, 3] as [Int64]) == 6)
    #expect(Limits.saturatingSum([1 << 62, 1 << 62, 5] as [Int64]) == .max)
  }

  @Test("a tensor past a limit is refused with the limit's name and how to raise it")
  func tensorLimits() throws {
    var limits = Limits()
    limits.tensorBytes = 1000
    #expect(try limits.checkTensor("t", shape: [10, 10], elementSize: 4) == (100, 400))
    #expect(throws: LimitExceeded.self) { try limits.checkTensor("t", shape: [100, 10], elementSize: 4) }
    do {
      _ = try limits.checkTensor("tensor w", shape: [Int64(1) << 32, Int64(1) << 32], elementSize: 4)
      Issue.record("expected a refusal")
    } catch {
      #expect(error.limit == "TENSOR_ELEMENTS" && error.requested == nil)
      #expect(error.message.contains("tensor w") && error.message.contains("REGISTRY_LIMIT_TENSOR_ELEMENTS"))
    }
  }

  @Test("REGISTRY_LIMIT_ variables raise limits; malformed ones are ignored")
  func environment() {
    let limits = Limits(environment: [
      "REGISTRY_LIMIT_TENSOR_BYTES": "123", "REGISTRY_LIMIT_SQL_SECONDS": "2.5", "REGISTRY_LIMIT_SQL_ROWS": "-4",
      "REGISTRY_LIMIT_GRAPH_NODES": "lots",
    ])
    #expect(limits.tensorBytes == 123 && limits.sqlSeconds == 2.5)
    #expect(limits.sqlRows == Limits().sqlRows && limits.graphNodes == Limits().graphNodes)
  }
}
