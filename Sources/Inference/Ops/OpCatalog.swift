/// Every op family's kernels, registered in one place.
enum OpCatalog {
  /// The kernels, registered once per process: every model shares them.
  static let registry: OpRegistry = {
    var registry = OpRegistry()
    registerAll(into: &registry)
    return registry
  }()

  static func registerAll(into registry: inout OpRegistry) {
    PlumbingOps.register(into: &registry)
    MathOps.register(into: &registry)
    ArrayOps.register(into: &registry)
    NeuralNetworkOps.register(into: &registry)
    EinsumOp.register(into: &registry)
    ControlFlowOps.register(into: &registry)
    SequenceOps.register(into: &registry)
    SwishFusion.register(into: &registry)
    EpilogueFusion.register(into: &registry)
    LookupTableOps.register(into: &registry)
    StringOps.register(into: &registry)
    StringConversionOps.register(into: &registry)
    RegexOps.register(into: &registry)
    RaggedOps.register(into: &registry)
    UnicodeOps.register(into: &registry)
    ExtendedMathOps.register(into: &registry)
    IndexingOps.register(into: &registry)
    ImageOps.register(into: &registry)
    MiscOps.register(into: &registry)
    MatrixDiagonalOps.register(into: &registry)
    ExampleParsingOps.register(into: &registry)
    RandomOps.register(into: &registry)
    SignalOps.register(into: &registry)
  }
}
