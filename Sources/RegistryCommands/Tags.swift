import ArgumentParser
import Foundation
import Registry
import Remote

extension RegistryCommand {
  /// `registry tags oci://HOST/REPOSITORY`: what a repository (or layout) holds.
  struct Tags: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the tags of an OCI repository, image layout or archive, sorted.")

    @Argument(help: "oci://HOST[:PORT]/REPOSITORY, oci-layout:DIR or oci-archive:FILE.")
    var repository: String

    @OptionGroup var remote: RemoteOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
      let repository: String
      let tags: [String]
    }

    func run() throws {
      try reportingErrors(json: output.json) {
        let endpoint = try Endpoint(parsing: repository)
        let options = remote.transferOptions(jobs: 1)
        let tags = try waitFor { try await Transfer.tags(endpoint, options: options) }
        if output.json {
          try Output.json(Result(repository: endpoint.description, tags: tags))
        } else {
          for tag in tags { Output.line(tag) }
        }
      }
    }
  }
}
