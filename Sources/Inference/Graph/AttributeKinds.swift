import Foundation
import TFProto

/// A node attribute read as the kind of value its OpDef declares, or nil when it holds another.
///
/// The generated accessors (`.i`, `.s`, `.list.i`, …) answer a zero value for an attribute that
/// holds another kind, so a malformed graph would run with settings nobody wrote; these let the
/// caller tell "absent" (which may have a default) from "malformed" (an error naming it).
extension Tensorflow_AttrValue {
  var intValue: Int? {
    if case .i(let value) = self.value { Int(value) } else { nil }
  }

  var floatValue: Float? {
    if case .f(let value) = self.value { value } else { nil }
  }

  var boolValue: Bool? {
    if case .b(let value) = self.value { value } else { nil }
  }

  var stringValue: String? {
    if case .s(let value) = self.value { String(decoding: value, as: UTF8.self) } else { nil }
  }

  var typeValue: Tensorflow_DataType? {
    if case .type(let value) = self.value { value } else { nil }
  }

  var tensorValue: Tensorflow_TensorProto? {
    if case .tensor(let value) = self.value { value } else { nil }
  }

  var functionName: String? {
    if case .func(let value) = self.value { value.name } else { nil }
  }

  /// A list attribute's elements of one kind. An empty list is a list of every kind (TensorFlow
  /// writes `list {}` whatever the element type); a list holding another kind is nil.
  private func list<Element>(_ elements: KeyPath<ListValue, [Element]>) -> [Element]? {
    guard case .list(let list) = value else { return nil }
    let held = list[keyPath: elements]
    return list.elementCount == held.count ? held : nil
  }

  var intList: [Int]? { list(\.i).map { $0.map { Int($0) } } }
  var floatList: [Float]? { list(\.f) }
  var stringList: [String]? { list(\.s).map { $0.map { String(decoding: $0, as: UTF8.self) } } }
  var typeList: [Tensorflow_DataType]? { list(\.type) }
  var shapeList: [Tensorflow_TensorShapeProto]? { list(\.shape) }
  var functionList: [String]? { list(\.`func`).map { $0.map(\.name) } }

  /// What the attribute holds, for messages: "an int", "a list of strings", "no value".
  var kindDescription: String {
    switch value {
    case .none: "no value"
    case .i: "an int"
    case .f: "a float"
    case .b: "a bool"
    case .s: "a string"
    case .type: "a dtype"
    case .shape: "a shape"
    case .tensor: "a tensor"
    case .func: "a function"
    case .placeholder(let name): "the unbound placeholder \(name)"
    case .list(let list):
      switch list.elementCount {
      case 0: "an empty list"
      case list.i.count: "a list of ints"
      case list.f.count: "a list of floats"
      case list.b.count: "a list of bools"
      case list.s.count: "a list of strings"
      case list.type.count: "a list of dtypes"
      case list.shape.count: "a list of shapes"
      case list.tensor.count: "a list of tensors"
      case list.func.count: "a list of functions"
      default: "a list of mixed kinds"
      }
    }
  }
}

extension Tensorflow_AttrValue.ListValue {
  /// Elements of every kind together (a well-formed list has one kind only).
  fileprivate var elementCount: Int {
    s.count + i.count + f.count + b.count + type.count + shape.count + tensor.count + self.func.count
  }
}

extension GraphFunction.Node {
  /// For planning code (fusions, in-place rules), which must not throw: the attribute as one
  /// kind, `absent` when the node lacks it, nil when it is malformed. A node with a malformed
  /// attribute is left as it is, and its kernel reports the attribute when it runs.
  func attribute<T>(_ name: String, _ kind: (Tensorflow_AttrValue) -> T?, absent: T) -> T? {
    guard let attribute = attribute(name) else { return absent }
    return kind(attribute)
  }
}
