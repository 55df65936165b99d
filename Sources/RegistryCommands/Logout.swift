import ArgumentParser
import Foundation
import Registry
import Remote

extension RegistryCommand {
  /// `registry logout HOST`: forget a registry's credentials.
  struct Logout: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Remove a registry's credentials from docker's config.json.")

    @Argument(help: "The registry, HOST[:PORT].")
    var host: String

    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
      let host: String
      let removed: Bool
    }

    func run() throws {
      try reportingErrors(json: output.json) {
        let environment = ProcessInfo.processInfo.environment
        guard try CredentialStore.remove(host: host, environment: environment) else {
          throw RemoteError(
            .notFound, "no credentials for \(host) in \(CredentialStore.dockerConfigPath(environment))")
        }
        if output.json {
          try Output.json(Result(host: host, removed: true))
        } else {
          Output.line("Removed the credentials for \(host)")
        }
      }
    }
  }
}
