import Foundation
import Registry
import RegistryTestSupport
import Testing

@testable import Remote

@Suite("OCI artifact format")
struct FormatTests {
  @Test("a pack round-trips, and a damaged, truncated or unsorted pack is refused")
  func packs() throws {
    var generator = TestSeed.generator(for: "packs")
    // Distinct objects, as a version's are: two short random arrays can be equal (two empty ones
    // in about one seed in a hundred), and a pack holds each digest once.
    var distinct: [Digest: [UInt8]] = [:]
    while distinct.count < 50 {
      let bytes = (0..<Int.random(in: 0..<300, using: &generator)).map { _ in
        UInt8.random(in: 0...255, using: &generator)
      }
      distinct[Digest.sha256(bytes)] = bytes
    }
    let objects = distinct.map { (digest: $0.key, bytes: $0.value) }.sorted { $0.digest < $1.digest }
    let pack = Pack.encode(objects)
    let name = Digest.sha256(pack)
    let decoded = try Pack.decode(pack, pack: name)
    #expect(decoded.map(\.digest) == objects.map(\.digest))
    #expect(decoded.map(\.bytes) == objects.map(\.bytes))
    #expect(Pack.encode(objects) == pack, "the same objects give the same pack")

    var damaged = pack
    damaged[damaged.count - 1] ^= 0xFF
    #expect(throws: RemoteError.self) { try Pack.decode(damaged, pack: name) }
    #expect(throws: RemoteError.self) { try Pack.decode(Array(pack.dropLast()), pack: name) }
    let reversed = Pack.encode(objects.reversed())
    #expect(throws: RemoteError.self) { try Pack.decode(reversed, pack: name) }
    let repeated = Pack.encode([objects[0], objects[0]])
    #expect(throws: RemoteError.self) { try Pack.decode(repeated, pack: name) }
    // A length claiming more than the pack holds.
    var lying = Pack.encode([objects[0]])
    lying[32] = 0x7F
    #expect(throws: RemoteError.self) { try Pack.decode(lying, pack: name) }
  }

  @Test("pack buckets depend only on the digest and the total, and grow in powers of two")
  func buckets() {
    #expect(Pack.bucketCount(totalBytes: 0) == 1)
    #expect(Pack.bucketCount(totalBytes: Pack.targetBytes) == 1)
    #expect(Pack.bucketCount(totalBytes: Pack.targetBytes + 1) == 2)
    #expect(Pack.bucketCount(totalBytes: Int64.max) == Pack.maximumPacks)
    let digest = Digest.sha256([1, 2, 3])
    for count in [1, 2, 64, 4096] {
      #expect((0..<count).contains(Pack.bucket(of: digest, count: count)))
    }
    #expect(Pack.bucket(of: Digest(bytes: [0xFF] + [UInt8](repeating: 0xFF, count: 31)), count: 16) == 15)
  }

  @Test("endpoints parse, and bad ones are refused with the form they should take")
  func endpoints() throws {
    #expect(
      try Endpoint(parsing: "oci://127.0.0.1:5000/team/mlp:v1")
        == .registry(host: "127.0.0.1:5000", repository: "team/mlp", reference: "v1"))
    #expect(try Endpoint(parsing: "oci://r.example/m") == .registry(host: "r.example", repository: "m", reference: nil))
    let digest = "sha256:" + String(repeating: "ab", count: 32)
    #expect(
      try Endpoint(parsing: "oci://localhost:5000/m@\(digest)")
        == .registry(host: "localhost:5000", repository: "m", reference: digest))
    #expect(try Endpoint(parsing: "oci-layout:/tmp/x:v2") == .layout(directory: "/tmp/x", tag: "v2"))
    #expect(try Endpoint(parsing: "oci-layout:/tmp/a:b/c") == .layout(directory: "/tmp/a:b/c", tag: nil))
    #expect(try Endpoint(parsing: "oci-archive:m.tar") == .archive(file: "m.tar", tag: nil))
    for bad in [
      "docker://x/y", "oci://x", "oci://x/UPPER", "oci://x/a//b", "oci://x/y:bad!tag", "oci://x/y@sha256:12",
      "oci-layout:", "oci-layout:/d:-tag",
    ] {
      #expect(throws: RemoteError.self, "\(bad)") { try Endpoint(parsing: bad) }
    }
  }

  @Test("WWW-Authenticate challenges parse")
  func challenges() {
    let bearer = RegistryStore.parseChallenge(
      #"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#)
    #expect(bearer?.scheme == "bearer")
    #expect(bearer?.parameters["realm"] == "https://auth.example/token")
    #expect(bearer?.parameters["service"] == "registry.example")
    #expect(bearer?.parameters["scope"] == "repository:a/b:pull,push")
    #expect(RegistryStore.parseChallenge(#"Basic realm="Registry Realm""#)?.scheme == "basic")
    #expect(RegistryStore.isLoopback("127.0.0.1:5000"))
    #expect(RegistryStore.isLoopback("localhost"))
    #expect(RegistryStore.isLoopback("[::1]:5000"))
    #expect(!RegistryStore.isLoopback("128.0.0.1:5000"))
    #expect(!RegistryStore.isLoopback("registry.example"))
  }

  @Test("the artifact: our types, annotations, the store manifest in the config, large objects as their own layers")
  func artifact() throws {
    let registry = try RemoteSupport.lineageStore()
    let version = try registry.exportedVersion(try Reference(parsing: "mlp:2"))
    let artifact = try Artifact.build(version, from: registry, threshold: 1024)
    #expect(artifact.manifest.artifactType == MediaType.artifact)
    #expect(artifact.manifest.config.mediaType == MediaType.config)
    #expect(artifact.manifest.annotations?["org.opencontainers.image.title"] == "mlp")
    #expect(artifact.manifest.annotations?["org.opencontainers.image.version"] == "2")
    #expect(artifact.manifest.annotations?["org.opencontainers.image.description"] == "fine-tuned head")
    #expect(artifact.manifest.annotations?["org.opencontainers.image.source"] == nil)
    try registry.setMetadata(try Reference(parsing: "mlp:2"), key: "source", value: "https://git.example/mlp")
    let sourced = try Artifact.build(
      try registry.exportedVersion(try Reference(parsing: "mlp:2")), from: registry, threshold: 1024)
    #expect(sourced.manifest.annotations?["org.opencontainers.image.source"] == "https://git.example/mlp")
    let config = try JSONDecoder().decode(ArtifactConfig.self, from: Data(artifact.configBytes))
    #expect(Array(config.manifest.utf8) == version.manifestBytes)
    #expect(config.manifestDigest == version.summary.manifest)
    #expect(config.parentManifest == (try registry.resolve(try Reference(parsing: "mlp:1"))).manifest)
    #expect(config.message == "fine-tuned head")
    // Every object is in exactly one layer: its own (digest = object id) or one pack.
    let own = Set(artifact.manifest.layers.filter { $0.mediaType == MediaType.object }.map(\.digest))
    let packed = config.packs.values.flatMap { $0 }
    #expect(own.count + packed.count == version.objects.count)
    #expect(own.union(packed) == Set(version.objects.map(\.digest)))
    for object in version.objects {
      #expect(own.contains(object.digest) == (object.size >= 1024))
    }
    #expect(!own.isEmpty && !packed.isEmpty, "the fixture should exercise both layer kinds")
    // Deterministic: built again, the same bytes.
    let again = try Artifact.build(version, from: registry, threshold: 1024)
    #expect(again.manifestBytes == artifact.manifestBytes)
    #expect(again.configBytes == artifact.configBytes)
  }

  @Test("Retry-After as an HTTP date is read; anything else is not")
  func retryAfterDate() {
    #expect(RegistryStore.httpDate("Wed, 21 Oct 2015 07:28:00 GMT") == Date(timeIntervalSince1970: 1_445_412_480))
    #expect(RegistryStore.httpDate("120") == nil)
    #expect(RegistryStore.httpDate("tomorrow") == nil)
  }
}
