import Testing

@testable import Server

@Suite("REST paths and version policies")
struct ServingPathTests {
  @Test("paths parse as TensorFlow Serving's regular expressions match them")
  func paths() throws {
    #expect(
      try ServingPath.parse(method: "POST", path: "/v1/models/m:predict")
        == ServingPath(action: .predict, model: "m", version: .latest))
    #expect(
      try ServingPath.parse(method: "POST", path: "/V1/MODELS/a%2Fb/Versions/12:Regress")
        == ServingPath(action: .regress, model: "a/b", version: .number(12)))
    #expect(
      try ServingPath.parse(method: "POST", path: "/v1/models/m/labels/can%20ary:classify")
        == ServingPath(action: .classify, model: "m", version: .label("can ary")))
    #expect(
      try ServingPath.parse(method: "GET", path: "/v1/models/m/versions/3/metadata")
        == ServingPath(action: .metadata, model: "m", version: .number(3)))
    #expect(try ServingPath.parse(method: "GET", path: "/v1/models/m") == ServingPath(action: .status, model: "m"))
    #expect(try ServingPath.parse(method: "GET", path: "/v1/models") == ServingPath(action: .list))
    for (method, path) in [
      ("POST", "/v1/models/m"), ("POST", "/v1/models/:predict"), ("POST", "/v1/models/m/versions/:predict"),
      ("POST", "/v1/models/m/versions/x:predict"), ("GET", "/v1/models/"), ("GET", "/v1/models/m/extra"),
      ("GET", "/v1/models/m:predict"), ("PUT", "/v1/models/m"), ("POST", "/v1/models/m:predict/"),
      ("GET", "/v1/other"),
    ] {
      #expect(throws: ServerError.self, "\(method) \(path)") { try ServingPath.parse(method: method, path: path) }
      do {
        _ = try ServingPath.parse(method: method, path: path)
      } catch {
        #expect(error.category == .invalidArgument)
        #expect(error.message == "Malformed request: \(method) \(path)")
      }
    }
    do {
      _ = try ServingPath.parse(method: "GET", path: "/v1/models/m/versions/9223372036854775808")
      Issue.record("a version past int64 was accepted")
    } catch {
      #expect(error.message == "Failed to convert version: 9223372036854775808")
    }
    #expect(ServingPath.isServingPath("/V1/models"))
    #expect(!ServingPath.isServingPath("/v1"))
    #expect(!ServingPath.isServingPath("/ui/models"))
  }

  @Test("version policies select versions; alias targets always, removed ones never")
  func policies() throws {
    let live = [1, 2, 3, 4]
    let aliases = ["stable": 2, "gone": 9]
    #expect(try VersionPolicy(parsing: "latest").select(live: live, aliases: aliases) == [4, 2])
    #expect(try VersionPolicy(parsing: "latest:2").select(live: live, aliases: aliases) == [3, 4, 2])
    #expect(try VersionPolicy(parsing: "all").select(live: live, aliases: aliases) == [1, 2, 3, 4])
    #expect(try VersionPolicy(parsing: "aliased").select(live: live, aliases: aliases) == [2])
    for bad in ["latest:0", "latest:x", "newest", ""] {
      #expect(throws: ServerError.self, "\(bad)") { try VersionPolicy(parsing: bad) }
    }
  }
}
