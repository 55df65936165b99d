import ArgumentParser
import Foundation
import Registry
import Remote

extension RegistryCommand {
  /// `registry login HOST`: check and store credentials the way docker does.
  struct Login: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check credentials for a registry and store them in docker's config.json.",
      discussion: """
        The password is read from stdin with --password-stdin (one line), never from an argument. \
        The credentials are checked against HOST's /v2/ first and written to $DOCKER_CONFIG/config.json \
        (default ~/.docker/config.json), readable by you only. Nothing secret is printed.
        """)

    @Argument(help: "The registry, HOST[:PORT].")
    var host: String

    @Option(name: .long, help: "The user name.")
    var username: String

    @Flag(name: .long, help: "Read the password from stdin.")
    var passwordStdin = false

    @OptionGroup var remote: RemoteOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
      let host: String
      let username: String
      let configFile: String
    }

    func validate() throws {
      guard passwordStdin else { throw ValidationError("give the password on stdin with --password-stdin") }
    }

    func run() throws {
      try reportingErrors(json: output.json) {
        let line = readLine(strippingNewline: true) ?? ""
        guard !line.isEmpty else { throw RemoteError(.invalidArgument, "no password on stdin") }
        let credential = Credential(username: username, password: line)
        let options = remote.transferOptions(jobs: 1)
        let host = host
        try waitFor { try await RemoteAccess.check(credential, host: host, options: options) }
        try CredentialStore.store(credential, for: host, environment: options.environment)
        let file = CredentialStore.dockerConfigPath(options.environment)
        if output.json {
          try Output.json(Result(host: host, username: username, configFile: file))
        } else {
          Output.line("Logged in to \(host) as \(username) (credentials in \(file))")
        }
      }
    }
  }
}
