import ArgumentParser
import Foundation
import Registry
import SavedModelFormat

/// Lets `list --json` mix a name and an array in one object.
struct AnyEncodable: Encodable {
  let encodeValue: (any Encoder) throws -> Void
  init<T: Encodable>(_ value: T) { encodeValue = value.encode }
  func encode(to encoder: any Encoder) throws { try encodeValue(encoder) }
}
