import TFProto

/// The OpDefs a graph's ops are described by: `meta_info_def.stripped_op_list`, the signatures
/// of library functions (which can be called as ops), and a small built-in table for multi-output
/// ops a stripped list may omit (TensorFlow leaves out ops used only inside loop bodies).
///
/// Used for two things: flattening a function-body input `node:out_arg:K` to an output index,
/// and filling attributes that `stripped_default_attrs` removed.
struct OpSignatures: Sendable {
  /// One output argument: its name and how many tensors it stands for.
  struct OutputArgument: Sendable {
    let name: String
    /// `nil` for one tensor; else the attribute holding the count (`N`) or type list (`T`).
    let numberAttribute: String?
    let typeListAttribute: String?
  }

  private var outputs: [String: [OutputArgument]] = [:]
  private var defaults: [String: [String: Tensorflow_AttrValue]] = [:]

  init(opList: Tensorflow_OpList, library: Tensorflow_FunctionDefLibrary) {
    for (op, arguments) in Self.builtIn { outputs[op] = arguments }
    for op in opList.op { add(op) }
    for function in library.function { add(function.signature) }
  }

  private mutating func add(_ op: Tensorflow_OpDef) {
    outputs[op.name] = op.outputArg.map {
      OutputArgument(
        name: $0.name, numberAttribute: $0.numberAttr.isEmpty ? nil : $0.numberAttr,
        typeListAttribute: $0.typeListAttr.isEmpty ? nil : $0.typeListAttr)
    }
    var values: [String: Tensorflow_AttrValue] = [:]
    for attribute in op.attr where attribute.hasDefaultValue { values[attribute.name] = attribute.defaultValue }
    if !values.isEmpty { defaults[op.name] = values }
  }

  /// The attribute defaults of an op (empty when unknown).
  func defaultAttributes(of op: String) -> [String: Tensorflow_AttrValue] {
    defaults[op] ?? [:]
  }

  /// The flat output index of element `index` of output argument `argument` of a node.
  ///
  /// - Parameter node: the node, for messages.
  /// - Throws: `invalidArgument` when the op has no such argument, or when the attribute giving an
  ///   argument's length holds another kind of value than an int or a list of dtypes.
  func flatIndex(
    op: String, attributes: [String: Tensorflow_AttrValue], argument: String, index: Int, node: String
  ) throws(InferenceError) -> Int {
    guard let arguments = outputs[op] else {
      // Unknown op: a single output argument is by far the common case.
      return index
    }
    var offset = 0
    for output in arguments {
      if output.name == argument { return offset + index }
      if let number = output.numberAttribute {
        offset += try length(attributes, number, "an int", \.intValue, node: node) ?? 1
      } else if let list = output.typeListAttribute {
        offset += try length(attributes, list, "a list of dtypes", { $0.typeList?.count }, node: node) ?? 0
      } else {
        offset += 1
      }
    }
    throw InferenceError(.invalidArgument, "op \(op) has no output argument \"\(argument)\"")
  }

  /// The length an attribute gives an output argument, nil when the node lacks the attribute.
  private func length(
    _ attributes: [String: Tensorflow_AttrValue], _ name: String, _ kind: String,
    _ read: (Tensorflow_AttrValue) -> Int?, node: String
  ) throws(InferenceError) -> Int? {
    guard let attribute = attributes[name] else { return nil }
    guard let length = read(attribute) else {
      throw InferenceError(
        .invalidArgument, "\(node): attribute \"\(name)\" must be \(kind), but it is \(attribute.kindDescription)")
    }
    return length
  }

  /// Output layouts of multi-output ops, from their OpDefs, for graphs whose stripped op list
  /// lacks them.
  static let builtIn: [String: [OutputArgument]] = [
    "Split": [.init(name: "output", numberAttribute: "num_split", typeListAttribute: nil)],
    "SplitV": [.init(name: "output", numberAttribute: "num_split", typeListAttribute: nil)],
    "Unpack": [.init(name: "output", numberAttribute: "num", typeListAttribute: nil)],
    "IdentityN": [.init(name: "output", numberAttribute: nil, typeListAttribute: "T")],
    "RestoreV2": [.init(name: "tensors", numberAttribute: nil, typeListAttribute: "dtypes")],
    "StatefulPartitionedCall": [.init(name: "output", numberAttribute: nil, typeListAttribute: "Tout")],
    "PartitionedCall": [.init(name: "output", numberAttribute: nil, typeListAttribute: "Tout")],
    "TopKV2": ["values", "indices"].map { .init(name: $0, numberAttribute: nil, typeListAttribute: nil) },
    "Unique": ["y", "idx"].map { .init(name: $0, numberAttribute: nil, typeListAttribute: nil) },
    "NonMaxSuppressionV4": ["selected_indices", "valid_outputs"].map {
      .init(name: $0, numberAttribute: nil, typeListAttribute: nil)
    },
    "NonMaxSuppressionV5": ["selected_indices", "selected_scores", "valid_outputs"].map {
      .init(name: $0, numberAttribute: nil, typeListAttribute: nil)
    },
    "StatelessRandomGetKeyCounter": ["key", "counter"].map {
      .init(name: $0, numberAttribute: nil, typeListAttribute: nil)
    },
    "StatelessRandomGetKeyCounterAlg": ["key", "counter", "alg"].map {
      .init(name: $0, numberAttribute: nil, typeListAttribute: nil)
    },
    "StringNGrams": ["ngrams", "ngrams_splits"].map { .init(name: $0, numberAttribute: nil, typeListAttribute: nil) },
    "UnicodeDecode": ["row_splits", "char_values"].map {
      .init(name: $0, numberAttribute: nil, typeListAttribute: nil)
    },
    "UnicodeDecodeWithOffsets": ["row_splits", "char_values", "char_to_byte_starts"].map {
      .init(name: $0, numberAttribute: nil, typeListAttribute: nil)
    },
    "RaggedRange": ["rt_nested_splits", "rt_dense_values"].map {
      .init(name: $0, numberAttribute: nil, typeListAttribute: nil)
    },
    "ParseExampleV2": parsedExamples(sparse: "num_sparse", ragged: true),
    "ParseExample": parsedExamples(sparse: "Nsparse", ragged: false),
    "ParseSingleExample": parsedExamples(sparse: "num_sparse", ragged: false),
    "FusedBatchNormV3": ["y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2", "reserve_space_3"]
      .map {
        .init(name: $0, numberAttribute: nil, typeListAttribute: nil)
      },
  ]

  /// The outputs of the example parsing ops: sparse indices, values and shapes, dense values,
  /// then (V2) ragged values and row splits.
  private static func parsedExamples(sparse count: String, ragged: Bool) -> [OutputArgument] {
    var outputs: [OutputArgument] = [
      .init(name: "sparse_indices", numberAttribute: count, typeListAttribute: nil),
      .init(name: "sparse_values", numberAttribute: nil, typeListAttribute: "sparse_types"),
      .init(name: "sparse_shapes", numberAttribute: count, typeListAttribute: nil),
      .init(name: "dense_values", numberAttribute: nil, typeListAttribute: "Tdense"),
    ]
    if ragged {
      outputs.append(.init(name: "ragged_values", numberAttribute: nil, typeListAttribute: "ragged_value_types"))
      outputs.append(.init(name: "ragged_row_splits", numberAttribute: nil, typeListAttribute: "ragged_split_types"))
    }
    return outputs
  }
}
