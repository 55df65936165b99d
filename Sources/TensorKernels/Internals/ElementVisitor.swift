/// An operation written once, generically, and run on the storage type of a dtype chosen at run
/// time.
///
/// Swift closures cannot be generic, so kernels that move or convert elements of every dtype
/// (Select, Cast) implement this protocol and call `DType.visit(_:)`.
protocol ElementVisitor {
  associatedtype Output
  func visit<Element: TensorElement>(_: Element.Type) -> Output
}

extension DType {
  /// Runs `visitor` with this dtype's storage type.
  ///
  /// - Precondition: the dtype is not `string` (strings have no dense storage type).
  func visit<Visitor: ElementVisitor>(_ visitor: Visitor) -> Visitor.Output {
    switch self {
    case .float32: visitor.visit(Float.self)
    case .float64: visitor.visit(Double.self)
    case .float16: visitor.visit(Float16Bits.self)
    case .bfloat16: visitor.visit(BFloat16Bits.self)
    case .int8: visitor.visit(Int8.self)
    case .int16: visitor.visit(Int16.self)
    case .int32: visitor.visit(Int32.self)
    case .int64: visitor.visit(Int64.self)
    case .uint8: visitor.visit(UInt8.self)
    case .uint16: visitor.visit(UInt16.self)
    case .uint32: visitor.visit(UInt32.self)
    case .uint64: visitor.visit(UInt64.self)
    case .bool: visitor.visit(Bool.self)
    case .complex64: visitor.visit(Complex64.self)
    case .complex128: visitor.visit(Complex128.self)
    case .string: preconditionFailure("string tensors have no dense storage type")
    }
  }
}
