import ArgumentParser
import Foundation
import Registry

/// Where the store is: `--store`, else `$REGISTRY_STORE`, else a per-user default.
struct StoreOptions: ParsableArguments {
  @Option(name: .long, help: "The store directory (default: $REGISTRY_STORE, else ~/.local/share/registry).")
  var store: String?

  func open(_ access: Registry.Access = .readWrite) throws(RegistryError) -> Registry {
    try Registry(root: store.map { URL(fileURLWithPath: $0) } ?? Registry.defaultRoot(), access: access)
  }
}

/// Options every command takes.
struct OutputOptions: ParsableArguments {
  @Flag(name: .long, help: "Print one JSON object on stdout instead of text.")
  var json = false
}

/// How the remote commands (export, import, tags) reach a registry.
struct RemoteOptions: ParsableArguments {
  @Flag(name: .long, help: "Allow plain HTTP to a registry that is not on this machine.")
  var plainHTTP = false

  @Option(name: .long, help: "A PEM file of CA certificates to trust besides the system's.")
  var caFile: String?
}
