import Foundation
import ServingProto
import TFProto
import TensorIO

extension ServingExamples {
  /// The records as TensorFlow Serving's `Input` message, the form the gRPC API receives them
  /// in, so both APIs run them through the same `ExampleSignatures` code.
  var servingInput: Tensorflow_Serving_Input {
    var input = Tensorflow_Serving_Input()
    if let context {
      var list = Tensorflow_Serving_ExampleListWithContext()
      list.context = Self.example(context)
      list.examples = examples.map(Self.example)
      input.kind = .exampleListWithContext(list)
    } else {
      var list = Tensorflow_Serving_ExampleList()
      list.examples = examples.map(Self.example)
      input.kind = .exampleList(list)
    }
    return input
  }

  private static func example(_ features: [String: ServingFeature]) -> Tensorflow_Example {
    var example = Tensorflow_Example()
    example.features.feature = features.mapValues { value in
      var feature = Tensorflow_Feature()
      switch value {
      case .empty: break
      case .bytes(let values):
        var list = Tensorflow_BytesList()
        list.value = values.map { Data($0) }
        feature.kind = .bytesList(list)
      case .floats(let values):
        var list = Tensorflow_FloatList()
        list.value = values
        feature.kind = .floatList(list)
      case .int64s(let values):
        var list = Tensorflow_Int64List()
        list.value = values
        feature.kind = .int64List(list)
      }
      return feature
    }
    return example
  }
}
