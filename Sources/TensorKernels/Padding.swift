/// How a sliding window (convolution or pooling) treats the borders of its input.
///
/// For one spatial dimension with input size `in`, stride `s`, and effective window size
/// `k' = (k - 1) · dilation + 1`, TensorFlow defines
/// (`tensorflow/core/framework/kernel_shape_util.cc`):
///
/// - `valid`: no padding; `out = (in - k' + s) / s`, truncating.
/// - `same`: `out = ceil(in / s)`; `pad_total = max((out - 1) · s + k' - in, 0)`;
///   `pad_before = pad_total / 2` and the odd element goes after.
/// - `explicit`: the given padding; `out = (in + before + after - k' + s) / s`, truncating.
///
/// Padded positions read as zero in a convolution and are skipped by pooling.
public enum Padding: Sendable, Equatable {
  /// TensorFlow's `VALID`.
  case valid
  /// TensorFlow's `SAME`.
  case same
  /// TensorFlow's `EXPLICIT`, in elements, for the height and width dimensions.
  case explicit(top: Int, bottom: Int, left: Int, right: Int)

  /// The padding named by a TensorFlow `padding` attribute.
  ///
  /// - Parameters:
  ///   - tensorFlowName: `SAME`, `VALID` or `EXPLICIT`.
  ///   - explicitPaddings: for `EXPLICIT`, the `explicit_paddings` attribute: eight values, a
  ///     (before, after) pair for each NHWC dimension, with zeros for batch and depth.
  /// - Throws: `TensorError.invalidArgument` for another name or malformed explicit paddings.
  public init(tensorFlowName: String, explicitPaddings: [Int] = []) throws(TensorError) {
    switch tensorFlowName {
    case "VALID": self = .valid
    case "SAME": self = .same
    case "EXPLICIT":
      guard explicitPaddings.count == 8, explicitPaddings.allSatisfy({ $0 >= 0 }),
        explicitPaddings[0] == 0, explicitPaddings[1] == 0, explicitPaddings[6] == 0,
        explicitPaddings[7] == 0
      else {
        throw .invalidArgument(
          op: "EXPLICIT padding",
          reason: "explicit_paddings must be 8 non-negative values with zeros for batch and depth, "
            + "got \(explicitPaddings)")
      }
      self = .explicit(
        top: explicitPaddings[2], bottom: explicitPaddings[3], left: explicitPaddings[4],
        right: explicitPaddings[5])
    default:
      throw .invalidArgument(op: "padding", reason: "unknown padding \"\(tensorFlowName)\"")
    }
  }
}

/// The output size and padding of a sliding window along one dimension.
struct WindowAxis: Equatable {
  let outputSize: Int
  let padBefore: Int
  let padAfter: Int

  /// Applies TensorFlow's window rules (see `Padding`) to one spatial dimension.
  ///
  /// - Parameters:
  ///   - op: the op name to put in an error.
  ///   - inputSize: the input's size along the dimension.
  ///   - kernelSize: the window's size before dilation.
  ///   - stride: the step between windows.
  ///   - dilation: the step between window taps.
  ///   - padding: the padding rule.
  ///   - explicit: the (before, after) padding when `padding` is `.explicit`.
  /// - Throws: `TensorError.invalidArgument` when the output size would be negative.
  init(
    op: String, inputSize: Int, kernelSize: Int, stride: Int, dilation: Int, padding: Padding,
    explicit: (Int, Int)
  ) throws(TensorError) {
    let effective = (kernelSize - 1) * dilation + 1
    switch padding {
    case .valid:
      outputSize = (inputSize - effective + stride) / stride
      padBefore = 0
      padAfter = 0
    case .same:
      outputSize = (inputSize + stride - 1) / stride
      let total = Swift.max((outputSize - 1) * stride + effective - inputSize, 0)
      padBefore = total / 2
      padAfter = total - total / 2
    case .explicit:
      padBefore = explicit.0
      padAfter = explicit.1
      outputSize = (inputSize + padBefore + padAfter - effective + stride) / stride
    }
    guard outputSize >= 0 else {
      throw .invalidArgument(
        op: op,
        reason: "computed output size would be negative: \(outputSize) "
          + "[input: \(inputSize), effective filter: \(effective), stride: \(stride)]")
    }
  }
}

/// The geometry of a 2-D sliding window over an NHWC tensor, shared by convolution and pooling.
struct Window2D {
  let batch: Int
  let height: Int
  let width: Int
  let channels: Int
  let kernelHeight: Int
  let kernelWidth: Int
  let strideHeight: Int
  let strideWidth: Int
  let dilationHeight: Int
  let dilationWidth: Int
  let rows: WindowAxis
  let columns: WindowAxis

  /// Validates TensorFlow's 4-element NHWC `strides` and `dilations` and computes the output size.
  ///
  /// - Throws: `TensorError.invalidArgument` for strides or dilations that are not 4 positive
  ///   values with 1 in the batch and depth positions, or a negative output size.
  init(
    op: String, input: [Int], kernelHeight: Int, kernelWidth: Int, strides: [Int],
    dilations: [Int], padding: Padding
  ) throws(TensorError) {
    for (attribute, values) in [("strides", strides), ("dilations", dilations)] {
      // Bounded so that the window arithmetic below cannot overflow (sizes of tensors within
      // the limits are below 2^31 too).
      guard values.count == 4, values.allSatisfy({ $0 > 0 && $0 <= Int32.max }) else {
        throw .invalidArgument(
          op: op, reason: "\(attribute) must be 4 positive values below 2^31, got \(values)")
      }
      guard values[0] == 1, values[3] == 1 else {
        throw .invalidArgument(
          op: op, reason: "\(attribute) in the batch and depth dimensions must be 1, got \(values)")
      }
    }
    guard kernelHeight <= Int32.max, kernelWidth <= Int32.max else {
      throw .invalidArgument(op: op, reason: "the window \(kernelHeight)x\(kernelWidth) is too large")
    }
    batch = input[0]
    height = input[1]
    width = input[2]
    channels = input[3]
    self.kernelHeight = kernelHeight
    self.kernelWidth = kernelWidth
    strideHeight = strides[1]
    strideWidth = strides[2]
    dilationHeight = dilations[1]
    dilationWidth = dilations[2]
    var vertical = (0, 0)
    var horizontal = (0, 0)
    if case .explicit(let top, let bottom, let left, let right) = padding {
      guard [top, bottom, left, right].allSatisfy({ $0 >= 0 && $0 <= Int32.max }) else {
        throw .invalidArgument(op: op, reason: "explicit paddings must be non-negative and below 2^31")
      }
      vertical = (top, bottom)
      horizontal = (left, right)
    }
    rows = try WindowAxis(
      op: op, inputSize: height, kernelSize: kernelHeight, stride: strideHeight,
      dilation: dilationHeight, padding: padding, explicit: vertical)
    columns = try WindowAxis(
      op: op, inputSize: width, kernelSize: kernelWidth, stride: strideWidth,
      dilation: dilationWidth, padding: padding, explicit: horizontal)
  }

  var outputHeight: Int { rows.outputSize }
  var outputWidth: Int { columns.outputSize }

  /// Checks the `[batch, outputHeight, outputWidth, channels]` output against the limits before
  /// it is allocated: strides, dilations and explicit paddings are input values, and a filter
  /// may have far more output channels than the input has elements.
  func checkOutput(channels: Int, dtype: DType, op: String) throws(TensorError) {
    try Shape.checkAllocation([batch, outputHeight, outputWidth, channels], dtype: dtype, op: op)
  }
}

extension Window2D {
  /// The operand checks every 2-D convolution shares: a 4-D NHWC input, a 4-D filter of the
  /// same dtype with a non-empty kernel, and a filter depth equal to the input's channels.
  ///
  /// - Parameters:
  ///   - filterLayout: how the op lays its filter out (`HWIO`, `HWIM`), for the message.
  ///   - depthProblem: the message when the filter depth does not match.
  static func checkOperands(
    op name: String, input: Tensor, filter: Tensor, filterLayout: String, depthProblem: @autoclosure () -> String
  ) throws(TensorError) {
    guard input.rank == 4 else {
      throw .invalidShape(op: name, shape: input.shape, reason: "input must be 4-D (NHWC)")
    }
    guard filter.rank == 4 else {
      throw .invalidShape(op: name, shape: filter.shape, reason: "filter must be 4-D (\(filterLayout))")
    }
    guard input.dtype == filter.dtype else {
      throw .dtypeMismatch(op: name, input.dtype, filter.dtype)
    }
    guard filter.shape[0] > 0, filter.shape[1] > 0 else {
      throw .invalidShape(op: name, shape: filter.shape, reason: "the kernel must not be empty")
    }
    guard filter.shape[2] == input.shape[3] else {
      throw .invalidShape(op: name, shape: filter.shape, reason: depthProblem())
    }
  }
}
