/// What each registered op accepts, for `registry ops` and docs/ops.md: its dtypes, the
/// attributes its kernel reads, and what it refuses. `OpCoverage` joins this with the kernels
/// actually registered; a test keeps the two in step (an op registered without an entry here, or
/// an entry without a kernel, fails it).
enum OpManifest {
  /// One op's description.
  struct Entry {
    /// The dtypes its main input takes, in words (see the groups below).
    let dtypes: String
    /// The attributes the kernel reads; an attribute not listed here is ignored.
    let attributes: [String]
    /// What the kernel refuses or does differently from TensorFlow, if anything.
    let note: String?

    init(_ dtypes: String, _ attributes: [String] = [], note: String? = nil) {
      self.dtypes = dtypes
      self.attributes = attributes
      self.note = note
    }
  }

  static let floats = "float32, float64, float16, bfloat16"
  static let numbers = "float32, float64, float16, bfloat16, int8-int64, uint8-uint64"
  static let integers = "int8-int64, uint8-uint64"
  static let every = "every dtype, strings included"
  static let boolean = "bool"
  static let strings = "string"
  static let indices = "int32, int64"
  static let none = "(no tensor input)"
  static let resources = "resource handles"
  static let anyFunction = "every dtype (the function's)"

  static let entries: [String: Entry] = plumbing.merging(math) { first, _ in first }
    .merging(arrays) { first, _ in first }
    .merging(network) { first, _ in first }
    .merging(control) { first, _ in first }
    .merging(text) { first, _ in first }
    .merging(added) { first, _ in first }
    .merging(examples) { first, _ in first }
    .merging(random) { first, _ in first }
    .merging(signal) { first, _ in first }

  static let plumbing: [String: Entry] = [
    "Placeholder": Entry(every, ["dtype", "shape"]),
    "PlaceholderWithDefault": Entry(every),
    "Const": Entry(every, ["value"]),
    "Identity": Entry(every),
    "IdentityN": Entry(every),
    "StopGradient": Entry(every),
    "Snapshot": Entry(every),
    "PreventGradient": Entry(every),
    "EnsureShape": Entry(every, note: "passes its input; the shape is not checked"),
    "CheckNumerics": Entry(every, note: "passes its input; NaN and Inf are not reported"),
    "NoOp": Entry(none),
    "VarHandleOp": Entry(none, ["shared_name"]),
    "ReadVariableOp": Entry(resources),
    "AssignVariableOp": Entry(resources),
    "VarIsInitializedOp": Entry(resources),
    "DisableCopyOnRead": Entry(resources),
    "VariableV2": Entry(none),
    "Variable": Entry(none),
    "Assign": Entry(every),
    "RestoreV2": Entry(strings, ["dtypes"]),
    "StatefulPartitionedCall": Entry(anyFunction, ["f"]),
    "PartitionedCall": Entry(anyFunction, ["f"]),
  ]

  static let math: [String: Entry] = {
    var entries: [String: Entry] = [:]
    for name in ["Add", "AddV2", "Sub", "Mul", "Maximum", "Minimum", "SquaredDifference"] {
      entries[name] = Entry(numbers, note: "broadcasting; integers wrap on overflow")
    }
    for name in ["RealDiv", "Div", "FloorDiv", "FloorMod", "Pow"] {
      entries[name] = Entry(numbers, note: "broadcasting; integer division by zero is an error")
    }
    for name in ["Neg", "Abs", "Square", "Sign", "Relu", "Relu6"] { entries[name] = Entry(numbers) }
    for name in [
      "Exp", "Expm1", "Log", "Log1p", "Sqrt", "Rsqrt", "Reciprocal", "Inv", "Floor", "Ceil", "Round", "Erf", "Erfc",
      "Tanh", "Sigmoid", "Elu", "Selu", "Softplus",
    ] {
      entries[name] = Entry(floats)
    }
    entries["LeakyRelu"] = Entry(floats, ["alpha"])
    for name in ["Equal", "NotEqual"] { entries[name] = Entry(every, note: "broadcasting") }
    for name in ["Less", "LessEqual", "Greater", "GreaterEqual"] {
      entries[name] = Entry(numbers, note: "broadcasting")
    }
    for name in ["LogicalAnd", "LogicalOr", "LogicalNot"] { entries[name] = Entry(boolean) }
    entries["Select"] = Entry(every, note: "a scalar condition, one of x's shape, or a vector over x's first dimension")
    entries["SelectV2"] = Entry(every, note: "condition, x and y broadcast")
    entries["Cast"] = Entry(numbers + ", bool", ["DstT"], note: "strings only to strings")
    entries["ClipByValue"] = Entry(numbers)
    entries["MatMul"] = Entry(numbers, ["transpose_a", "transpose_b"])
    for name in ["BatchMatMul", "BatchMatMulV2", "BatchMatMulV3"] {
      entries[name] = Entry(numbers, ["adj_x", "adj_y"])
    }
    entries["BiasAdd"] = Entry(numbers, ["data_format"], note: "NHWC only")
    entries["Softmax"] = Entry(floats)
    entries["LogSoftmax"] = Entry(floats)
    for name in ["Sum", "Mean", "Prod", "Max", "Min"] { entries[name] = Entry(numbers, ["keep_dims"]) }
    for name in ["All", "Any"] { entries[name] = Entry(boolean, ["keep_dims"]) }
    for name in ["ArgMax", "ArgMin"] { entries[name] = Entry(numbers, ["output_type"]) }
    entries["Einsum"] = Entry(numbers, ["equation"], note: "one or two operands")
    return entries
  }()

  static let arrays: [String: Entry] = {
    var entries: [String: Entry] = [:]
    for name in [
      "Rank", "Reshape", "ExpandDims", "Fill", "ZerosLike", "OnesLike", "ConcatV2", "Transpose", "Slice", "Tile",
      "Pad", "PadV2", "ReverseV2",
    ] {
      entries[name] = Entry(every)
    }
    entries["ZerosLike"] = Entry(numbers)
    entries["OnesLike"] = Entry(numbers)
    entries["Shape"] = Entry(every, ["out_type"])
    entries["Size"] = Entry(every, ["out_type"])
    entries["Squeeze"] = Entry(every, ["squeeze_dims"])
    entries["Range"] = Entry("float32, float64, int32, int64", ["Tidx"])
    entries["Pack"] = Entry(every, ["axis"])
    entries["Unpack"] = Entry(every, ["num", "axis"])
    entries["Split"] = Entry(every, ["num_split"])
    entries["SplitV"] = Entry(every, ["num_split"])
    entries["GatherV2"] = Entry(every, ["batch_dims"])
    entries["ResourceGather"] = Entry(every, ["batch_dims"])
    entries["OneHot"] = Entry(every, ["axis"])
    entries["SpaceToBatchND"] = Entry(every)
    entries["BatchToSpaceND"] = Entry(every)
    entries["StridedSlice"] = Entry(
      every, ["begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask"])
    entries["MirrorPad"] = Entry(every, ["mode"])
    entries["Cumsum"] = Entry(numbers, ["exclusive", "reverse"])
    entries["Cumprod"] = Entry(numbers, ["exclusive", "reverse"])
    entries["Where"] = Entry(numbers + ", bool")
    entries["MatrixBandPart"] = Entry(every)
    return entries
  }()

  static let network: [String: Entry] = {
    var entries: [String: Entry] = [:]
    let convolution = ["strides", "padding", "explicit_paddings", "dilations", "data_format"]
    entries["Conv2D"] = Entry(floats, convolution, note: "NHWC only")
    entries["DepthwiseConv2dNative"] = Entry(floats, convolution, note: "NHWC only")
    for name in ["MaxPool", "AvgPool"] {
      entries[name] = Entry(floats, ["ksize", "strides", "padding", "data_format"], note: "NHWC only")
    }
    entries["Conv3D"] = Entry(
      floats, ["strides", "padding", "dilations", "data_format"],
      note: "NDHWC only; grouped filters as Conv2D; dilations run (TensorFlow's CPU kernel refuses them)")
    for name in ["Conv3DBackpropInputV2", "Conv3DBackpropInput"] {
      entries[name] = Entry(
        floats, ["strides", "padding", "dilations", "data_format"], note: "NDHWC only (Conv3DTranspose)")
    }
    for name in ["MaxPool3D", "AvgPool3D"] {
      entries[name] = Entry(
        floats, ["ksize", "strides", "padding", "data_format"], note: "NDHWC only; padded positions skipped")
    }
    for name in ["FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"] {
      entries[name] = Entry(floats, ["epsilon", "is_training", "data_format"], note: "inference mode, NHWC only")
    }
    return entries
  }()

  static let control: [String: Entry] = {
    var entries: [String: Entry] = [:]
    for name in ["While", "StatelessWhile"] { entries[name] = Entry(anyFunction, ["cond", "body"]) }
    for name in ["If", "StatelessIf"] { entries[name] = Entry(anyFunction, ["then_branch", "else_branch"]) }
    for name in ["Case", "StatelessCase"] { entries[name] = Entry(anyFunction, ["branches"]) }
    entries["TensorListReserve"] = Entry(every, ["element_dtype"])
    entries["EmptyTensorList"] = Entry(every, ["element_dtype"])
    entries["TensorListFromTensor"] = Entry(every)
    entries["TensorListGetItem"] = Entry(every)
    entries["TensorListSetItem"] = Entry(every, ["resize_if_index_out_of_bounds"])
    entries["TensorListPushBack"] = Entry(every)
    entries["TensorListLength"] = Entry(every)
    entries["TensorListElementShape"] = Entry(every, ["shape_type"])
    entries["TensorListStack"] = Entry(every)
    return entries
  }()

  static let text: [String: Entry] = {
    var entries: [String: Entry] = [:]
    for name in ["StringLower", "StringUpper"] { entries[name] = Entry(strings, ["encoding"]) }
    entries["StringJoin"] = Entry(strings, ["separator"])
    entries["StringLength"] = Entry(strings, ["unit"])
    entries["Substr"] = Entry(strings, ["unit"])
    entries["StringSplitV2"] = Entry(strings, ["maxsplit"])
    entries["StringToHashBucketFast"] = Entry(strings, ["num_buckets"])
    entries["StringToHashBucketStrong"] = Entry(
      strings, ["num_buckets", "key"], note: "SipHash-2-4 under the two-word key, modulo the bucket count")
    entries["AsString"] = Entry(numbers + ", bool", ["precision", "scientific", "shortest", "width", "fill"])
    entries["StringToNumber"] = Entry(strings, ["out_type"])
    entries["StaticRegexReplace"] = Entry(strings, ["pattern", "rewrite", "replace_global"])
    entries["RegexReplace"] = Entry(strings, ["replace_global"])
    entries["StaticRegexFullMatch"] = Entry(strings, ["pattern"])
    entries["RegexFullMatch"] = Entry(strings)
    let table = ["key_dtype", "value_dtype", "container", "shared_name", "use_node_name_sharing"]
    entries["HashTableV2"] = Entry(none, table)
    entries["MutableHashTableV2"] = Entry(none, table)
    let keys = "string, int32, int64, float32, float64"
    for name in [
      "LookupTableFindV2", "LookupTableSizeV2", "LookupTableExportV2", "LookupTableInsertV2", "LookupTableRemoveV2",
      "LookupTableImportV2", "InitializeTableV2",
    ] {
      entries[name] = Entry(keys)
    }
    entries["InitializeTableFromTextFileV2"] = Entry(
      strings, ["key_index", "value_index", "delimiter", "vocab_size", "offset"])
    entries["RaggedTensorToTensor"] = Entry(every, ["row_partition_types"])
    entries["DenseBincount"] = Entry("int32, int64 (weights: float32, float64, int32, int64)", ["binary_output"])
    entries["RaggedBincount"] = Entry("int32, int64 (weights: float32, float64, int32, int64)", ["binary_output"])
    entries["StringNGrams"] = Entry(
      "string data, int32 or int64 splits",
      ["separator", "ngram_widths", "left_pad", "right_pad", "pad_width", "preserve_short_sequences"],
      note: "the output's bytes are counted before it is joined")
    for name in ["UnicodeDecode", "UnicodeDecodeWithOffsets", "UnicodeTranscode"] {
      entries[name] = Entry(
        "string; UTF-8, UTF-16-BE, UTF-32-BE",
        ["input_encoding", "errors", "replacement_char", "replace_control_characters"]
          + (name == "UnicodeTranscode" ? ["output_encoding"] : ["Tsplits"]),
        note: "ill-formed UTF-8 replaced by maximal subparts, as ICU does; other ICU encodings are refused")
    }
    entries["UnicodeScript"] = Entry(
      "int32 code points",
      note: "ICU's script numbers from TensorFlow's Unicode 13 data; -1 for a value that is not a code point")
    entries["UnicodeEncode"] = Entry(
      "int32 code points, int32 or int64 splits; UTF-8, UTF-16-BE, UTF-32-BE",
      ["output_encoding", "errors", "replacement_char"])
    entries["RaggedRange"] = Entry(
      "int32, int64, float32, float64", ["Tsplits"],
      note: "sizes from input values checked against the limits; more values than int32 splits hold is refused")
    return entries
  }()

  /// Ops added by issue 13, by family (see docs/inference.md).
  static let added: [String: Entry] = {
    var entries: [String: Entry] = [:]
    for name in [
      "Cos", "Sin", "Tan", "Acos", "Asin", "Atan", "Cosh", "Sinh", "Acosh", "Asinh", "Atanh", "Lgamma", "Digamma",
      "Erfinv", "Ndtri", "Softsign", "Rint",
    ] {
      entries[name] = Entry(floats, note: "computed in float64, rounded to the dtype")
    }
    for name in ["IsFinite", "IsNan", "IsInf"] { entries[name] = Entry(floats) }
    for name in ["Atan2", "Xlogy", "Xlog1py", "Xdivy", "DivNoNan", "MulNoNan"] {
      entries[name] = Entry(floats, note: "broadcasting")
    }
    entries["NextAfter"] = Entry("float32, float64", note: "broadcasting")
    entries["AddN"] = Entry(numbers)
    for name in ["BitwiseAnd", "BitwiseOr", "BitwiseXor"] { entries[name] = Entry(integers, note: "broadcasting") }
    entries["Invert"] = Entry(integers)
    entries["PopulationCount"] = Entry(integers)
    for name in ["LeftShift", "RightShift"] {
      entries[name] = Entry(
        integers, note: "the shift is clamped to [0, bits - 1]; right shifts of signed values are arithmetic")
    }
    entries["TruncateDiv"] = Entry(numbers, note: "integer division by zero is an error; min / -1 wraps to min")
    entries["TruncateMod"] = Entry(numbers, note: "integer division by zero is an error")
    entries["Mod"] = Entry(numbers, note: "C-style (truncating) remainder; integer division by zero is an error")
    entries["Concat"] = Entry(every, note: "the axis is the first input (V1)")
    for name in ["MatrixDiagV3", "MatrixDiagPartV3", "MatrixSetDiagV3"] {
      entries[name] = Entry(every, ["align"], note: "a band k = [lower, upper] of diagonals")
    }
    entries["ShapeN"] = Entry(every, ["out_type"])
    entries["LinSpace"] = Entry("float32, float64", note: "the last value is exactly stop")
    entries["Roll"] = Entry(every)
    entries["Diag"] = Entry(numbers)
    entries["DiagPart"] = Entry(every)
    entries["ConjugateTranspose"] = Entry(every, note: "complex values conjugated; other dtypes transposed")
    entries["EuclideanNorm"] = Entry(numbers, ["keep_dims"])
    entries["L2Loss"] = Entry(floats)
    entries["ApproximateEqual"] = Entry(numbers, ["tolerance"])
    entries["BiasAddV1"] = Entry(numbers)
    entries["CheckNumericsV2"] = Entry(every, note: "passes its input; NaN and Inf are not reported")
    entries["StringStrip"] = Entry(strings, note: "ASCII whitespace at both ends")
    entries["StringFormat"] = Entry(
      every, ["template", "placeholder", "summarize"], note: "tensors summarised as TensorFlow prints them")
    entries["ReduceJoin"] = Entry(strings, ["keep_dims", "separator"], note: "the first listed axis varies fastest")
    entries["Assert"] = Entry(
      "bool condition, data of every dtype", ["summarize"],
      note: "evaluated: a false condition fails the call with \"assertion failed: [data] ...\" as TensorFlow prints it")
    entries["TopKV2"] = Entry(
      numbers, ["sorted", "index_type"], note: "ties keep index order; NaN sorts below numbers")
    entries["GatherNd"] = Entry(every)
    entries["ScatterNd"] = Entry(numbers, note: "repeated indices add up")
    entries["TensorScatterUpdate"] = Entry(every, note: "a repeated index takes the last update")
    for name in ["TensorScatterAdd", "TensorScatterSub", "TensorScatterMin", "TensorScatterMax"] {
      entries[name] = Entry(numbers)
    }
    for name in ["SegmentSum", "SegmentMean", "SegmentMax", "SegmentMin", "SegmentProd"] {
      entries[name] = Entry(numbers, note: "ids sorted; an empty segment gives 0 (1 for Prod)")
    }
    for name in ["UnsortedSegmentSum", "UnsortedSegmentMax", "UnsortedSegmentMin", "UnsortedSegmentProd"] {
      entries[name] = Entry(numbers, note: "negative ids are dropped; an empty segment gives the reduction's identity")
    }
    entries["Bucketize"] = Entry("int32, int64, float32, float64", ["boundaries"])
    entries["BroadcastTo"] = Entry(every)
    entries["BroadcastArgs"] = Entry(indices)
    entries["InvertPermutation"] = Entry(indices)
    entries["Unique"] = Entry(every, ["out_idx"], note: "1-D; each NaN is its own value")
    let resize = ["align_corners", "half_pixel_centers"]
    entries["ResizeBilinear"] = Entry(numbers, resize, note: "float32 output, NHWC")
    entries["ResizeNearestNeighbor"] = Entry(numbers, resize, note: "NHWC")
    entries["ResizeBicubic"] = Entry(numbers, resize, note: "float32 output, TensorFlow's 1024-step weight table, NHWC")
    entries["ResizeArea"] = Entry(numbers, ["align_corners"], note: "float32 output, NHWC")
    entries["CropAndResize"] = Entry(numbers, ["method", "extrapolation_value"], note: "float32 output")
    entries["ScaleAndTranslate"] = Entry(
      numbers, ["kernel_type", "antialias"],
      note: "float32 output, NHWC; every kernel_type (lanczos1/3/5, gaussian, box, triangle, keyscubic, mitchellcubic)")
    entries["DepthToSpace"] = Entry(every, ["block_size", "data_format"], note: "NHWC only")
    entries["SpaceToDepth"] = Entry(every, ["block_size", "data_format"], note: "NHWC only")
    entries["Conv2DBackpropInput"] = Entry(
      floats, ["strides", "padding", "explicit_paddings", "dilations", "data_format"],
      note: "NHWC only (Conv2DTranspose); float64 accumulation")
    entries["NonMaxSuppressionV3"] = Entry("float32", note: "boxes as [y1, x1, y2, x2] in any corner order")
    entries["NonMaxSuppressionV4"] = Entry("float32", ["pad_to_max_output_size"])
    entries["NonMaxSuppressionV5"] = Entry(
      "float32", ["pad_to_max_output_size"], note: "soft NMS with soft_nms_sigma > 0")
    return entries
  }()

  /// `tf.Example` parsing (TensorFlow Serving's classify and regress signatures start with it).
  static let examples: [String: Entry] = {
    let features = "string (serialized tf.Example); features of float32, int64, string"
    let parsed = "TensorFlow's fast parser: its messages, duplicate and concatenated-example rules"
    return [
      "ParseExampleV2": Entry(
        features, ["Tdense", "num_sparse", "sparse_types", "ragged_value_types", "ragged_split_types", "dense_shapes"],
        note: parsed + "; a scalar input is one example; a key named twice is refused"),
      "ParseExample": Entry(
        features, ["Nsparse", "Ndense", "sparse_types", "Tdense", "dense_shapes"],
        note: parsed + "; a key named twice is refused"),
      "ParseSingleExample": Entry(
        features, ["num_sparse", "sparse_keys", "dense_keys", "sparse_types", "Tdense", "dense_shapes"],
        note: parsed + "; a key named twice is refused"),
    ]
  }()

  /// Stateless random ops, Philox (the CPU's algorithm), bit for bit TensorFlow's.
  static let random: [String: Entry] = {
    let philox = "Philox-4x32-10 as TensorFlow's CPU kernels run it: the same numbers for the same seed"
    let shape = "int32, int64 shape"
    var entries: [String: Entry] = [
      "StatelessRandomGetKeyCounter": Entry(
        "int32, int64 seed", ["Tseed"], note: "the seed scrambled as TensorFlow's GenerateKey does"),
      "StatelessRandomGetKeyCounterAlg": Entry(
        "int32, int64 seed", ["Tseed"], note: "the algorithm is always Philox (1)"),
      "StatelessRandomGetAlg": Entry(none, note: "Philox (1), as on TensorFlow's CPU"),
      "StatelessMultinomial": Entry(
        floats + " logits", ["T", "Tseed", "output_dtype"],
        note: "TensorFlow's draws with one intra-op thread; with more, TensorFlow splits large batches and its "
          + "result changes with the thread count"),
    ]
    for name in ["StatelessRandomUniform", "StatelessRandomNormal", "StatelessTruncatedNormal"] {
      entries[name] = Entry(shape + "; " + floats + " output", ["dtype", "T", "Tseed"], note: philox)
      entries[name + "V2"] = Entry(
        shape + "; " + floats + " output", ["dtype", "Tshape"],
        note: philox + "; ThreeFry (alg 2) is refused, as on TensorFlow's CPU")
    }
    entries["StatelessRandomUniformInt"] = Entry(
      shape + "; int32, int64 output", ["dtype", "T", "Tseed"], note: philox)
    entries["StatelessRandomUniformIntV2"] = Entry(
      shape + "; int32, int64 output", ["dtype", "Tshape"], note: philox + "; ThreeFry (alg 2) is refused")
    entries["StatelessRandomUniformFullInt"] = Entry(
      shape + "; int32, int64, uint32, uint64 output", ["dtype", "T", "Tseed"], note: philox)
    entries["StatelessRandomUniformFullIntV2"] = Entry(
      shape + "; int32, int64, uint32, uint64 output", ["dtype", "Tshape"],
      note: philox + "; ThreeFry (alg 2) is refused")
    return entries
  }()

  static let complexes = "complex64, complex128"

  /// Complex numbers and the FFT family (`SignalOps`).
  static let signal: [String: Entry] = {
    var entries: [String: Entry] = [:]
    entries["Complex"] = Entry("float32, float64 parts", ["Tout"], note: "broadcasting; float32 parts give complex64")
    for name in ["Real", "Imag"] { entries[name] = Entry(complexes, ["Tout"]) }
    entries["ComplexAbs"] = Entry(complexes, ["Tout"], note: "hypot in float64, rounded")
    entries["Angle"] = Entry(complexes, ["Tout"], note: "atan2 in float64, rounded")
    entries["Conj"] = Entry(complexes)
    let accuracy = "any length (mixed radix, Bluestein for large prime factors) in float64, rounded"
    for suffix in ["", "2D", "3D"] {
      for name in ["FFT", "IFFT"] { entries[name + suffix] = Entry(complexes, ["Tcomplex"], note: accuracy) }
      entries["RFFT" + suffix] = Entry(
        "float32, float64", ["Treal", "Tcomplex"],
        note: accuracy
          + "; the input is cropped to fft_length, never padded (as TensorFlow's kernel); fft_length 0 is refused")
      entries["IRFFT" + suffix] = Entry(
        complexes, ["Treal", "Tcomplex"],
        note: accuracy + "; the imaginary parts of the DC and Nyquist bins are ignored; fft_length 0 is refused")
    }
    return entries
  }()

  /// Ops known to be refused, and why: the answer `registry ops` gives before a user tries.
  static let refused: [String: String] = [
    "RandomUniform": "stateful random ops have no reproducible result to match; serving graphs rarely need them",
    "RandomStandardNormal": "stateful random ops have no reproducible result to match; serving graphs rarely need them",
    "StringSplit": "the TF1 string split is not implemented (StringSplitV2 is)",
    "SparseBincount": "sparse inputs are not implemented",
    "HashTable": "reference-typed (TF1, non-V2) table ops are not implemented; the V2 ones are",
    "LookupTableFind": "reference-typed (TF1, non-V2) table ops are not implemented; the V2 ones are",
    "InitializeTable": "reference-typed (TF1, non-V2) table ops are not implemented; the V2 ones are",
    "Enter":
      "TF1 dataflow control flow (Enter/Exit/Switch/Merge/NextIteration) is not implemented; TF2's While and If are",
    "Exit": "TF1 dataflow control flow is not implemented; TF2's While and If are",
    "Switch": "TF1 dataflow control flow is not implemented; TF2's While and If are",
    "Merge": "TF1 dataflow control flow is not implemented; TF2's While and If are",
    "NextIteration": "TF1 dataflow control flow is not implemented; TF2's While and If are",
    "LoopCond": "TF1 dataflow control flow is not implemented; TF2's While and If are",
    "Conv2DBackpropFilter": "training op: gradients are not computed",
    "FusedBatchNormGradV3": "training op: gradients are not computed",
    "ResourceApplyAdam": "training op: optimizers do not run",
    "SaveV2": "saving checkpoints is not part of serving",
    "MergeV2Checkpoints": "saving checkpoints is not part of serving",
    "PyFunc": "calls back into Python, which a SavedModel does not carry",
    "EagerPyFunc": "calls back into Python, which a SavedModel does not carry",
  ]
}
