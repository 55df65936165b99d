import CVectorMath

/// What the ops after a convolution do to its output channel by channel (a bias, batch
/// normalisation as Keras writes it, `Mul` then `AddV2`, and an activation), applied to each block
/// of the output while the block is still in cache.
///
/// Run apart, each of those ops is one more pass over an activation-sized tensor in memory: four
/// per convolution in a Keras ResNet, most of a batch-32 call's memory traffic. Fused, every
/// step is still one IEEE operation per element in the graph's order, so the bits are the ops'
/// apart (no folding into the weights, which would round differently).
public final class ChannelEpilogue {
  /// One op of the chain, with its operand where it has one.
  public enum Step {
    /// `x + v`: `BiasAdd`, `Add`, `AddV2`.
    case add(Tensor)
    /// `x * v`: `Mul`.
    case multiply(Tensor)
    /// `x - v`: `Sub` with the convolution's side on the left.
    case subtract(Tensor)
    /// `v - x`: `Sub` with the convolution's side on the right.
    case subtractFrom(Tensor)
    /// `Relu`.
    case relu
    /// `Relu6`.
    case relu6
    /// `x · sigmoid(β·x)` (see `Swish`).
    case swish(beta: Float)
  }

  /// The step list as the C loop reads it, pointing into `values`.
  private var steps: [cvectormath_step] = []
  /// Every operand spread to one float per channel, one row of `channels` per step.
  private let values: UnsafeMutableBufferPointer<Float>
  /// The number of channels (the output's last dimension).
  public let channels: Int

  /// The chain for an output of `channels` channels and rank `outputRank`, or `nil` when an
  /// operand is not float32 or would broadcast the output to another shape (then the caller runs
  /// the ops apart, which also gives their own errors).
  public init?(_ chain: [Step], channels: Int, outputRank: Int) {
    for step in chain {
      switch step {
      case .add(let operand), .multiply(let operand), .subtract(let operand), .subtractFrom(let operand):
        guard Self.isPerChannel(operand, channels: channels, outputRank: outputRank) else { return nil }
      case .relu, .relu6, .swish: break
      }
    }
    let (size, overflow) = chain.count.multipliedReportingOverflow(by: channels)
    guard channels >= 0, !overflow else { return nil }
    self.channels = channels
    values = .allocate(capacity: max(1, size))
    for (index, step) in chain.enumerated() {
      let row = values.baseAddress! + index * channels
      func spread(_ operand: Tensor) -> UnsafePointer<Float> {
        operand.withElements(Float.self) { elements in
          if elements.count == channels {
            row.update(from: elements.baseAddress!, count: channels)
          } else {
            row.update(repeating: elements[0], count: channels)
          }
        }
        return UnsafePointer(row)
      }
      switch step {
      case .add(let operand):
        steps.append(cvectormath_step(kind: Int32(CVECTORMATH_STEP_ADD), values: spread(operand), beta: 0))
      case .multiply(let operand):
        steps.append(cvectormath_step(kind: Int32(CVECTORMATH_STEP_MUL), values: spread(operand), beta: 0))
      case .subtract(let operand):
        steps.append(cvectormath_step(kind: Int32(CVECTORMATH_STEP_SUB), values: spread(operand), beta: 0))
      case .subtractFrom(let operand):
        steps.append(cvectormath_step(kind: Int32(CVECTORMATH_STEP_SUB_FROM), values: spread(operand), beta: 0))
      case .relu: steps.append(cvectormath_step(kind: Int32(CVECTORMATH_STEP_RELU), values: nil, beta: 0))
      case .relu6: steps.append(cvectormath_step(kind: Int32(CVECTORMATH_STEP_RELU6), values: nil, beta: 0))
      case .swish(let beta):
        steps.append(cvectormath_step(kind: Int32(CVECTORMATH_STEP_SWISH), values: nil, beta: beta))
      }
    }
  }

  deinit { values.deallocate() }

  /// Whether `operand` is float32 and broadcasts against an output of `channels` channels and
  /// rank `outputRank` without changing its shape: a scalar, or every dimension but the last 1
  /// and the last `channels` or 1.
  public static func isPerChannel(_ operand: Tensor, channels: Int, outputRank: Int) -> Bool {
    guard operand.dtype == .float32, operand.rank <= outputRank, case .dense = operand.storage else { return false }
    guard operand.shape.dropLast().allSatisfy({ $0 == 1 }) else { return false }
    return operand.rank == 0 || operand.shape.last == channels || operand.shape.last == 1
  }

  /// Applies the chain to `rows` rows of `output`, `stride` floats apart, each holding the
  /// channels `columns`.
  func apply(_ output: UnsafeMutablePointer<Float>, rows: Int, columns: Range<Int>, stride: Int) {
    guard rows > 0, !columns.isEmpty, !steps.isEmpty else { return }
    steps.withUnsafeBufferPointer { chain in
      cvectormath_epilogue_f32(
        output, rows, columns.count, stride, columns.lowerBound, chain.baseAddress, chain.count)
    }
  }

  /// Applies the chain to every row of a dense float32 tensor whose last dimension is `channels`.
  public func apply(toWhole tensor: inout Tensor) -> Bool {
    guard tensor.dtype == .float32, tensor.shape.last == channels else { return false }
    let rows = channels == 0 ? 0 : tensor.elementCount / channels
    return tensor.withUniqueBuffer(Float.self) { elements in
      guard let base = elements.baseAddress else { return }
      Parallel.forEachRange(rows, costPerItem: channels * steps.count) { range in
        apply(base + range.lowerBound * channels, rows: range.count, columns: 0..<channels, stride: channels)
      }
    }
  }
}
