import Foundation
import RegistryCore
import ServingProto
import SwiftProtobuf
import TFProto
import TensorKernels

/// TensorFlow Serving's conventions for classify and regress signatures: the records go in as one
/// DT_STRING vector of serialized `tf.Example`s under the input key `inputs`; a classifier
/// answers `classes` (DT_STRING) and/or `scores` (DT_FLOAT), both `[batch, classes]`; a regressor
/// answers `outputs` (DT_FLOAT, `[batch]` or `[batch, 1]`).
///
/// Format reference: TensorFlow Serving's `classifier.cc`, `regressor.cc` and `util.cc`
/// (`InputToSerializedExampleTensor`); the messages are theirs.
///
/// `classify` and `regress` are the whole of both APIs once a version is pinned: the gRPC services
/// and the REST routes call them, so the two answer alike.
public enum ExampleSignatures {
  /// Runs the classify signature `key` of `servable` on the request's records.
  ///
  /// - Throws: `invalidArgument` for a signature of the wrong shape or records it cannot take;
  ///   whatever running the signature throws.
  public static func classify(
    _ servable: any ServableVersion, signature key: String, input: Tensorflow_Serving_Input
  ) async throws -> Tensorflow_Serving_ClassificationResult {
    let signature = try classification(servable.signatures, key: key)
    let examples = try serializedExamples(input)
    let outputs = [classesKey, scoresKey].filter { signature.outputs[$0] != nil }
    let results = try await servable.run(signature: key, inputs: [inputsKey: examples], outputs: outputs)
    return try classificationResult(results, count: examples.shape[0])
  }

  /// Runs the regress signature `key` of `servable` on the request's records.
  ///
  /// - Throws: as `classify`.
  public static func regress(
    _ servable: any ServableVersion, signature key: String, input: Tensorflow_Serving_Input
  ) async throws -> Tensorflow_Serving_RegressionResult {
    _ = try regression(servable.signatures, key: key)
    let examples = try serializedExamples(input)
    let results = try await servable.run(signature: key, inputs: [inputsKey: examples], outputs: [outputsKey])
    return try regressionResult(results, count: examples.shape[0])
  }

  static let inputsKey = "inputs"
  static let classesKey = "classes"
  static let scoresKey = "scores"
  static let outputsKey = "outputs"
  static let classifyMethod = "tensorflow/serving/classify"
  static let regressMethod = "tensorflow/serving/regress"

  /// The classify signature `key`, checked to have TensorFlow Serving's shape.
  static func classification(_ signatures: [String: ServingSignature], key: String) throws(ServingError)
    -> ServingSignature
  {
    guard let signature = signatures[key] else {
      throw ServingError(.invalidArgument, "No signature was found with the name: \(key)")
    }
    guard signature.methodName == classifyMethod else {
      throw ServingError(
        .invalidArgument,
        "Expected classification signature method_name to be \(classifyMethod). Was: \(signature.methodName)")
    }
    try checkExamplesInput(signature)
    guard (1...2).contains(signature.outputs.count) else {
      throw ServingError(.invalidArgument, "Expected one or two output Tensors, found \(signature.outputs.count)")
    }
    guard signature.outputs[classesKey] != nil || signature.outputs[scoresKey] != nil else {
      throw ServingError(
        .invalidArgument,
        "Expected classification signature outputs to contain at least one of \"classes\" or \"scores\". "
          + "Signature outputs were: \(signature.outputs.keys.sorted().joined(separator: ", "))")
    }
    return signature
  }

  /// The regress signature `key`, checked to have TensorFlow Serving's shape.
  static func regression(_ signatures: [String: ServingSignature], key: String) throws(ServingError)
    -> ServingSignature
  {
    guard let signature = signatures[key] else {
      throw ServingError(.invalidArgument, "No signature was found with the name: \(key)")
    }
    guard signature.methodName == regressMethod else {
      throw ServingError(
        .invalidArgument,
        "Expected regression signature method_name to be \(regressMethod). Was: \(signature.methodName)")
    }
    try checkExamplesInput(signature)
    guard signature.outputs.count == 1 else {
      throw ServingError(.invalidArgument, "Expected one output Tensor.")
    }
    guard signature.outputs[outputsKey] != nil else {
      throw ServingError(
        .invalidArgument,
        "No regression outputs found in SignatureDef: outputs are \(signature.outputs.keys.sorted().joined(separator: ", "))"
      )
    }
    return signature
  }

  private static func checkExamplesInput(_ signature: ServingSignature) throws(ServingError) {
    guard signature.inputs.count == 1 else { throw ServingError(.invalidArgument, "Expected one input Tensor.") }
    guard let input = signature.inputs[inputsKey] else {
      throw ServingError(
        .invalidArgument,
        "No classification inputs found in SignatureDef: the input is \(signature.inputs.keys.sorted().joined()), not \"inputs\""
      )
    }
    guard input.dtype == .string else {
      throw ServingError(
        .invalidArgument, "the \"inputs\" of an example signature must be DT_STRING, not \(input.dtype.tensorFlowName)")
    }
  }

  /// The request's records as the vector of serialized `tf.Example`s a classify or regress
  /// signature is fed. With a context, each record is the context's bytes followed by the
  /// record's: protobuf merges concatenated messages, so the record's own features win.
  ///
  /// - Throws: `invalidArgument` "Input is empty." for no records; `resourceExhausted` when the
  ///   context repeated once per record would exceed the tensor limit (a 1 MB context and a
  ///   million empty records is a small request and a terabyte tensor).
  static func serializedExamples(_ input: Tensorflow_Serving_Input) throws(ServingError) -> Tensor {
    let examples: [Tensorflow_Example]
    var context = Data()
    switch input.kind {
    case .exampleList(let list): examples = list.examples
    case .exampleListWithContext(let list):
      examples = list.examples
      if list.hasContext { context = try serialize(list.context) }
    case nil: examples = []
    }
    guard !examples.isEmpty else { throw ServingError(.invalidArgument, "Input is empty.") }
    var records: [Data] = []
    records.reserveCapacity(examples.count)
    for example in examples { records.append(try serialize(example)) }

    var total = Int64(records.count) * Int64(MemoryLayout<[UInt8]>.stride)
    var overflow = false
    for record in records where !overflow {
      (total, overflow) = total.addingReportingOverflow(Int64(record.count + context.count))
    }
    let allowed = Limits.current.tensorBytes
    guard !overflow, total <= allowed else {
      let error = LimitExceeded(
        "\(records.count) examples with a \(context.count)-byte context", limit: "TENSOR_BYTES",
        requested: overflow ? nil : total, allowed: allowed)
      throw ServingError(.resourceExhausted, error.message)
    }
    let values = records.map { [UInt8](context) + [UInt8]($0) }
    return Tensor(strings: values, shape: [values.count])
  }

  private static func serialize(_ example: Tensorflow_Example) throws(ServingError) -> Data {
    do {
      return try example.serializedBytes()
    } catch {
      throw ServingError(.invalidArgument, "cannot serialize an Example: \(error)")
    }
  }

  /// A classifier's outputs as TensorFlow Serving's `ClassificationResult`: per record, one Class
  /// per column, with the label from `classes` and the score from `scores` where present.
  static func classificationResult(_ outputs: [String: Tensor], count: Int) throws(ServingError)
    -> Tensorflow_Serving_ClassificationResult
  {
    let classes = outputs[classesKey]
    let scores = outputs[scoresKey]
    if let classes {
      try checkMatrix(classes, dtype: .string, name: "classes", count: count)
    }
    if let scores {
      try checkMatrix(scores, dtype: .float32, name: "scores", count: count)
    }
    if let classes, let scores, classes.shape[1] != scores.shape[1] {
      throw ServingError(
        .invalidArgument,
        "Tensors class and score should match in dim_size(1). Got \(classes.shape[1]) vs. \(scores.shape[1])")
    }
    guard classes != nil || scores != nil else {
      throw ServingError(.internal, "the classify signature returned neither classes nor scores")
    }
    let columns = classes?.shape[1] ?? scores?.shape[1] ?? 0
    let labels = (try? classes?.strings()) ?? nil
    let values = (try? scores?.floats()) ?? nil
    var result = Tensorflow_Serving_ClassificationResult()
    result.classifications.reserveCapacity(count)
    for row in 0..<count {
      var classifications = Tensorflow_Serving_Classifications()
      for column in 0..<columns {
        var entry = Tensorflow_Serving_Class()
        if let labels { entry.label = String(decoding: labels[row * columns + column], as: UTF8.self) }
        if let values { entry.score = values[row * columns + column] }
        classifications.classes.append(entry)
      }
      result.classifications.append(classifications)
    }
    return result
  }

  private static func checkMatrix(_ tensor: Tensor, dtype: DType, name: String, count: Int) throws(ServingError) {
    guard tensor.rank == 2 else {
      throw ServingError(
        .invalidArgument, "Expected Tensor shape: [batch_size num_classes] but got \(Shape.format(tensor.shape))")
    }
    guard tensor.dtype == dtype else {
      throw ServingError(
        .invalidArgument, "Expected \(name) Tensor of \(dtype.tensorFlowName). Got: \(tensor.dtype.tensorFlowName)")
    }
    guard tensor.shape[0] == count else {
      throw ServingError(.invalidArgument, "Expected \(name) output batch size of \(count). Got: \(tensor.shape[0])")
    }
  }

  /// A regressor's output as TensorFlow Serving's `RegressionResult`: one value per record.
  static func regressionResult(_ outputs: [String: Tensor], count: Int) throws(ServingError)
    -> Tensorflow_Serving_RegressionResult
  {
    guard let tensor = outputs[outputsKey] else {
      throw ServingError(.internal, "Could not find output tensor 'outputs'")
    }
    guard tensor.rank == 1 || (tensor.rank == 2 && tensor.shape[1] == 1) else {
      throw ServingError(
        .invalidArgument,
        "Expected output Tensor shape to be either [batch_size] or [batch_size, 1] but got \(Shape.format(tensor.shape))"
      )
    }
    guard tensor.shape[0] == count else {
      throw ServingError(
        .invalidArgument, "Input batch size did not match output batch size: \(count) vs. \(tensor.shape[0])")
    }
    guard tensor.dtype == .float32, let values = try? tensor.floats() else {
      throw ServingError(.invalidArgument, "Expected output Tensor of DT_FLOAT.  Got: \(tensor.dtype.tensorFlowName)")
    }
    var result = Tensorflow_Serving_RegressionResult()
    result.regressions = values.map { value in
      var regression = Tensorflow_Serving_Regression()
      regression.value = value
      return regression
    }
    return result
  }
}
