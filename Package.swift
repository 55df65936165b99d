// swift-tools-version:6.0
// The `registry` package: a content-addressed registry and inference core for TensorFlow SavedModels.
// Linux only: the code calls Glibc directly (st_mtim, syncfs, flock); there is no macOS build.
//
// Module layout, bottom up (docs/architecture.md):
//   RegistryCore      Shared values: ErrorCategory and its status tables, CategorizedError, Digest, Limits,
//                     StoreLayout, the records the façade returns. Depends on nothing.
//   CChecksums        C: hardware CRC32C (SSE4.2 / ARMv8 CRC) and two interleaved SHA-256 streams (SHA
//                     extensions), each behind a runtime CPU check.
//   Checksums         CRC32C (masked and plain) and FarmHash Fingerprint64, no dependencies.
//   TFProto           Swift generated from our own .proto schemas in Protos/; the only SwiftProtobuf user.
//   SavedModelFormat  Reads SavedModel directories, tensor bundles and fingerprints; knows nothing of the store.
//   CZlib             Debian's zlib, for compressing objects that compress.
//   CSyscalls         C shims for system calls Swift's Glibc module does not expose (syncfs).
//   FileSystem        Every libc file call (exact reads, fsync, rename, flock, …); one error type for errno.
//   ContentStore      Objects named by SHA-256, ingest batches, manifests, the materializer.
//   Catalog           The SQLite catalog (GRDB); schema from migrations/*.sql. The only GRDB user.
//   NumPyFormat       NumPy .npy files, the tensor format of `registry run`'s inputs and outputs.
//   Inference         Imports a SavedModel's graph and functions, restores variables, runs signatures.
//   Registry          The façade: push, pull, list, show, tying the format layer, store and catalog.
//   RegistryCommands  The commands, one per file: parse arguments, call the libraries, render text or JSON.
//   RegistryCLI       The `registry` executable: a few lines that call RegistryCommands.
//   COpenBLAS         C: Debian's OpenBLAS (CBLAS interface), loaded on first use, for the dense kernels.
//   CMalloc           glibc's mallopt, so freed tensor buffers are reused warm.
//   CVectorMath       C: exp, sigmoid, tanh, erfc, swish over float arrays, vectorised by the C compiler.
//   CGEMM             C: float32 matrix product with an AVX-512 kernel (OpenBLAS stays the fallback).
//   CThreadPool       C: spinning workers for the kernels' short parallel loops.
//   TensorKernels     Tensors and kernels as pure functions; no graph, registry or I/O (RegistryCore for Limits).
//   CRE2              C++: Debian's RE2 (libre2) behind a small C API, for the regex ops.
//   TextKernels       Text as TensorFlow's string ops treat it: RE2 regexes, lookup tables, number parsing.
//   TensorIO          Tensors from and to .npy arrays, and from JSON: `registry run`'s inputs and outputs.
//   Server            `registry serve`: TensorFlow Serving's REST API over versions loaded from the store (Hummingbird).
//   ServingProto      Swift generated from our own TensorFlow Serving .proto schemas: messages and gRPC stubs.
//   ServingGRPC       TensorFlow Serving's gRPC services (grpc-swift 2) over a backend protocol; TensorProto codec.
//   WebCatalog        The read-only web catalog under /ui/ (Hummingbird routes, Mustache templates, Ink cards).
//   CArchive          Debian's libarchive, for reading and writing OCI image layouts as tar files.
//   Remote            Versions as OCI artifacts: registries (async-http-client), image layouts, archives.
import PackageDescription

let package = Package(
  name: "registry",
  products: [
    .executable(name: "registry", targets: ["RegistryCLI"]),
    .library(name: "SavedModelFormat", targets: ["SavedModelFormat"]),
    .library(name: "Registry", targets: ["Registry"]),
    .library(name: "RegistryCommands", targets: ["RegistryCommands"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto.git", exact: "3.12.3"),
    .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
    // Server: HTTP, logging, metrics and graceful shutdown.
    .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
    .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
    .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
    // gRPC (ServingProto, ServingGRPC).
    .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
    .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
    .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
    // Web catalog: templates and Markdown model cards.
    .package(url: "https://github.com/hummingbird-project/swift-mustache.git", exact: "2.1.1"),
    .package(url: "https://github.com/JohnSundell/Ink.git", exact: "0.6.0"),
    // Remote (issue 14): the one HTTP client, and TLS settings for --ca-file.
    .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
    .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
    .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
  ],
  targets: [
    .target(name: "RegistryCore"),
    .target(name: "CChecksums"),
    .target(name: "Checksums", dependencies: ["CChecksums"]),
    .target(
      name: "TFProto",
      dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
    ),
    .target(name: "SavedModelFormat", dependencies: ["RegistryCore", "FileSystem", "Checksums", "TFProto"]),
    .target(name: "CSyscalls"),
    .target(name: "FileSystem", dependencies: ["RegistryCore", "CSyscalls"]),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
    .target(
      name: "ContentStore",
      dependencies: [
        "RegistryCore", "FileSystem", "CZlib", "CChecksums", .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    .target(name: "NumPyFormat", dependencies: ["RegistryCore", "FileSystem"]),
    .target(
      name: "Inference",
      dependencies: ["RegistryCore", "TFProto", "SavedModelFormat", "TensorKernels", "TextKernels", "Checksums"]
    ),
    .target(
      name: "Catalog",
      dependencies: [
        "RegistryCore", "FileSystem", .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
      ]
    ),
    .target(
      name: "Registry",
      dependencies: ["RegistryCore", "FileSystem", "SavedModelFormat", "ContentStore", "Catalog", "Checksums"]
    ),
    .target(name: "COpenBLAS", linkerSettings: [.linkedLibrary("dl")]),
    .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
    .target(name: "CVectorMath"),
    .target(name: "CGEMM"),
    .target(name: "CThreadPool"),
    .target(
      name: "TensorKernels",
      dependencies: ["RegistryCore", "COpenBLAS", "CMalloc", "CVectorMath", "CGEMM", "CThreadPool"]),
    .target(name: "CRE2", linkerSettings: [.linkedLibrary("re2")]),
    .target(name: "TextKernels", dependencies: ["TensorKernels", "CRE2"]),
    .target(name: "TensorIO", dependencies: ["RegistryCore", "TensorKernels", "NumPyFormat"]),
    .target(
      name: "RegistryCommands",
      dependencies: [
        "Registry",
        "Server",
        "SavedModelFormat",
        "Inference",
        "NumPyFormat",
        "TensorIO",
        "TensorKernels",
        "Remote",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "RegistryCLI", dependencies: ["RegistryCommands"]),
    // `registry serve` (docs/serve.md): above the façade and the inference core.
    .target(
      name: "Server",
      dependencies: [
        "RegistryCore", "Registry", "Inference", "TensorIO", "TensorKernels", "CZlib", "ServingGRPC", "ServingProto",
        "TFProto", "WebCatalog",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ]
    ),
    .testTarget(
      name: "ServerTests",
      dependencies: [
        "Server", "ServingGRPC", "Registry", "RegistryCore", "Inference", "TensorIO", "TensorKernels", "NumPyFormat",
        "RegistryTestSupport", "TestModels", .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        "ServingProto", "TFProto",
        .product(name: "HummingbirdTesting", package: "hummingbird"),
      ]
    ),
    // Remote (issue 14): OCI registries, image layouts and archives.
    .systemLibrary(name: "CArchive", path: "Sources/CArchive", providers: [.apt(["libarchive-dev"])]),
    .target(
      name: "Remote",
      dependencies: [
        "Registry", "RegistryCore", "CArchive", .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    // Helpers: the Python token server and misbehaving proxy the tests start.
    .testTarget(
      name: "RemoteTests", dependencies: ["Remote", "Registry", "RegistryCLI", "RegistryTestSupport"],
      exclude: ["Helpers"]),
    .executableTarget(
      name: "registry-bench",
      dependencies: [
        "Checksums", "Catalog", "ContentStore", "Registry", "RegistryCore", "Inference", "NumPyFormat", "TensorIO",
        "SavedModelFormat", "TensorKernels", "TFProto", .product(name: "Crypto", package: "swift-crypto"),
      ],
      path: "Benchmarks/registry-bench"
    ),
    // libFuzzer targets for the readers of untrusted bytes, and a replay mode for CI (Scripts/fuzz.sh,
    // Scripts/fuzz-ci.sh; corpora in Tests/Fuzz).
    .executableTarget(
      name: "registry-fuzz",
      dependencies: [
        "Checksums", "ContentStore", "NumPyFormat", "RegistryCore", "Remote", "SavedModelFormat", "TFProto",
        "TensorIO", "TensorKernels", "TextKernels", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ]
    ),
    .testTarget(name: "RegistryCoreTests", dependencies: ["RegistryCore"]),
    .testTarget(name: "ChecksumsTests", dependencies: ["Checksums", "RegistryTestSupport"], exclude: ["Vectors"]),
    .testTarget(name: "FileSystemTests", dependencies: ["RegistryCore", "FileSystem", "RegistryTestSupport"]),
    .testTarget(
      name: "SavedModelFormatTests",
      dependencies: ["RegistryCore", "SavedModelFormat", "Checksums", "TFProto", "RegistryTestSupport"]
    ),
    .testTarget(name: "ContentStoreTests", dependencies: ["RegistryCore", "ContentStore", "RegistryTestSupport"]),
    .testTarget(
      name: "CatalogTests",
      dependencies: [
        "Catalog", "RegistryCore",
        // To write a catalog as an older build left it (the migration tests).
        .product(name: "GRDB", package: "GRDB.swift"),
      ]
    ),
    .testTarget(name: "NumPyFormatTests", dependencies: ["NumPyFormat", "RegistryCore"]),
    // What every test target shares: seeded generators, temporary directories, fixture paths.
    .target(name: "RegistryTestSupport", path: "Tests/TestSupport"),
    // Models built in code for the tests that need a SavedModel no fixture provides.
    .target(name: "TestModels", dependencies: ["TFProto"], path: "Tests/TestModels"),
    .testTarget(
      name: "InferenceTests",
      dependencies: [
        "RegistryCore", "Inference", "TensorKernels", "NumPyFormat", "TensorIO", "TestModels", "RegistryTestSupport",
        "SavedModelFormat",
      ],
      exclude: ["Vectors"]
    ),
    .testTarget(
      name: "RegistryTests",
      dependencies: ["RegistryCore", "Registry", "Catalog", "ContentStore", "SavedModelFormat", "RegistryTestSupport"]
    ),
    .testTarget(
      name: "RegistryCommandsTests",
      dependencies: [
        "RegistryCore", "RegistryCommands", "RegistryCLI", "ContentStore", "TestModels", "RegistryTestSupport",
        // To damage a catalog the way only another program could (fsck's tests).
        .product(name: "GRDB", package: "GRDB.swift"),
      ],
      exclude: ["Snapshots"]
    ),
    .testTarget(
      name: "TensorKernelsTests", dependencies: ["TensorKernels", "CGEMM", "CThreadPool", "RegistryTestSupport"]),
    .testTarget(name: "TextKernelsTests", dependencies: ["TextKernels"]),
    .testTarget(
      name: "TensorIOTests",
      dependencies: ["RegistryCore", "TensorIO", "NumPyFormat", "TensorKernels", "RegistryTestSupport"]),
    // TensorFlow Serving's gRPC API: generated messages and stubs, the services, their tests.
    .target(
      name: "ServingProto",
      dependencies: [
        "TFProto", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
      ]
    ),
    .target(
      name: "ServingGRPC",
      dependencies: [
        "RegistryCore", "TensorKernels", "TFProto", "ServingProto", "Inference",
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
      ]
    ),
    .testTarget(
      name: "ServingGRPCTests",
      dependencies: [
        "ServingGRPC", "ServingProto", "TFProto", "RegistryCore", "TensorKernels", "Inference", "NumPyFormat",
        "TensorIO", "RegistryTestSupport", .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
      ],
      exclude: ["Golden"]
    ),
    // The services alone over fixture directories, for Scripts/test-grpc.sh --fixture-server.
    .executableTarget(
      name: "serving-fixture-server", dependencies: ["ServingGRPC", "Inference"], path: "Tests/ServingFixtureServer"
    ),
  ],
  swiftLanguageModes: [.v6]
)

// The web catalog (issue 16): its module, dev preview server and tests.
package.targets += [
  .target(
    name: "WebCatalog",
    dependencies: [
      "Registry", .product(name: "Hummingbird", package: "hummingbird"),
      .product(name: "Mustache", package: "swift-mustache"), .product(name: "Ink", package: "Ink"),
    ],
    exclude: ["Templates", "Assets"]
  ),
  .executableTarget(
    name: "registry-web-preview",
    dependencies: ["WebCatalog", "Registry", .product(name: "Hummingbird", package: "hummingbird")]
  ),
  .testTarget(
    name: "WebCatalogTests",
    dependencies: [
      "WebCatalog", "Registry", "RegistryTestSupport", .product(name: "Hummingbird", package: "hummingbird"),
      .product(name: "HummingbirdTesting", package: "hummingbird"),
    ]
  ),
]
