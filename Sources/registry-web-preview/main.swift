// A development server for the web catalog alone: `registry-web-preview --store PATH [--port N]`
// serves WebCatalog on 127.0.0.1 (port 0: a free one) and prints its address. The browser test
// (Scripts/test-web.sh) starts it until `registry serve`, which mounts the same routes, is merged.
import Foundation
import Hummingbird
import Registry
import WebCatalog

var store: String?
var port = 0
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
  switch argument {
  case "--store": store = arguments.popFirst()
  case "--port": port = arguments.popFirst().flatMap { Int($0) } ?? -1
  default:
    FileHandle.standardError.write(Data("registry-web-preview: unknown argument \(argument)\n".utf8))
    exit(64)
  }
}
guard let store, (0...65535).contains(port) else {
  FileHandle.standardError.write(Data("usage: registry-web-preview --store PATH [--port N]\n".utf8))
  exit(64)
}
let requestedPort = port
do {
  let registry = try Registry(root: URL(fileURLWithPath: store), access: .readOnly)
  let router = Router()
  WebCatalog(registry: registry).addRoutes(to: router)
  let app = Application(
    router: router, configuration: .init(address: .hostname("127.0.0.1", port: requestedPort)),
    onServerRunning: { channel in
      // One line, written at once, so the script waiting for it reads a whole address.
      let address = "http://127.0.0.1:\(channel.localAddress?.port ?? requestedPort)/ui/\n"
      FileHandle.standardOutput.write(Data(address.utf8))
    })
  try await app.runService()
} catch {
  FileHandle.standardError.write(Data("registry-web-preview: \(error)\n".utf8))
  exit(1)
}
