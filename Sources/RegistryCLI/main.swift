// The `registry` executable: everything it does is in the RegistryCommands library.
import Foundation
import RegistryCommands

exit(RegistryCommand.run(arguments: Array(CommandLine.arguments.dropFirst())))
