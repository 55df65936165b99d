import Foundation
import Inference
import RegistryCore
import ServingGRPC
import TensorKernels

/// Dynamic batching (`--max-batch-size`, `--batch-timeout`): predict calls for the same version
/// and signature whose inputs agree in every dimension but the first are joined along it, run
/// once, and the outputs split back by rows.
///
/// A call opens a batch and waits at most `timeout` for others; a batch is run as soon as it
/// holds `maxBatchSize` rows. A call that cannot join (a scalar input, or alone larger than the
/// batch) runs on its own. When a joined run fails, or gives an output whose first dimension is
/// not the total number of rows (an output that does not follow the batch), every call in it is
/// run again on its own, so one bad request never fails the others and answers are always what
/// an unbatched run gives.
final class DynamicBatcher: Sendable {
  let maxBatchSize: Int
  let timeout: Duration
  private let queue: InferenceQueue

  /// One waiting call.
  private struct Call: Sendable {
    let inputs: [String: Tensor]
    let rows: Int
    let deadline: ContinuousClock.Instant
    let answer: @Sendable (Result<[String: Tensor], any Error>) -> Void
  }

  /// The calls gathered for one key.
  private struct Batch {
    var calls: [Call] = []
    var rows = 0
    var generation = 0
  }

  /// Calls batch together only for the same version, signature and inner shapes.
  private struct Key: Hashable {
    let version: ObjectIdentifier
    let signature: String
    let shapes: [String: [Int]]
  }

  private let batches = Locked<[Key: Batch]>([:])
  private let generations = Locked(0)
  /// Joined runs so far and the rows they held, for tests and the log.
  let statistics = Locked((runs: 0, rows: 0))

  init(maxBatchSize: Int, timeout: Duration, queue: InferenceQueue) {
    self.maxBatchSize = maxBatchSize
    self.timeout = timeout
    self.queue = queue
  }

  /// Runs a call, batched with others where it can be.
  func run(
    _ served: ServedVersion, signature: String, inputs: [String: Tensor], deadline: ContinuousClock.Instant
  ) async throws -> [String: Tensor] {
    guard let rows = Self.rows(of: inputs), rows <= maxBatchSize else {
      return try await queue.run(deadline: deadline) { try served.loaded.run(signature: signature, inputs: inputs) }
    }
    let key = Key(
      version: ObjectIdentifier(served), signature: signature,
      shapes: inputs.mapValues { Array($0.shape.dropFirst()) })
    return try await withCheckedThrowingContinuation { continuation in
      let call = Call(inputs: inputs, rows: rows, deadline: deadline) { continuation.resume(with: $0) }
      let (ready, startTimer, generation): ([Call]?, Bool, Int) = batches.withLock { batches in
        var batch = batches[key] ?? Batch()
        if batch.rows + rows > maxBatchSize, !batch.calls.isEmpty {
          // Full for this call: run what is there, start a new batch with it.
          let full = batch.calls
          batch = Batch()
          batch.generation = generations.withLock { value in
            value += 1
            return value
          }
          batch.calls = [call]
          batch.rows = rows
          batches[key] = batch
          return (full, true, batch.generation)
        }
        let opens = batch.calls.isEmpty
        if opens {
          batch.generation = generations.withLock { value in
            value += 1
            return value
          }
        }
        batch.calls.append(call)
        batch.rows += rows
        if batch.rows >= maxBatchSize {
          batches[key] = nil
          return (batch.calls, false, batch.generation)
        }
        batches[key] = batch
        return (nil, opens, batch.generation)
      }
      if let ready { dispatch(ready, served: served, signature: signature) }
      if startTimer {
        Task {
          try? await Task.sleep(for: timeout)
          let expired: [Call]? = batches.withLock { batches in
            guard let batch = batches[key], batch.generation == generation else { return nil }
            batches[key] = nil
            return batch.calls
          }
          if let expired { dispatch(expired, served: served, signature: signature) }
        }
      }
    }
  }

  /// The rows of a call: the first dimension, shared by every input; nil when an input is a
  /// scalar or they disagree.
  static func rows(of inputs: [String: Tensor]) -> Int? {
    var rows: Int?
    for tensor in inputs.values {
      guard let first = tensor.shape.first, rows == nil || rows == first else { return nil }
      rows = first
    }
    return rows
  }

  private func dispatch(_ calls: [Call], served: ServedVersion, signature: String) {
    Task {
      let deadline = calls.map(\.deadline).min() ?? .now
      guard calls.count > 1 else {
        let call = calls[0]
        do {
          let outputs = try await queue.run(deadline: call.deadline) {
            try served.loaded.run(signature: signature, inputs: call.inputs)
          }
          call.answer(.success(outputs))
        } catch {
          call.answer(.failure(error))
        }
        return
      }
      do {
        let parts = try await queue.run(deadline: deadline) { () -> [[String: Tensor]]? in
          let joined = try Self.join(calls.map(\.inputs))
          let outputs = try served.loaded.run(signature: signature, inputs: joined)
          return try Self.split(outputs, rows: calls.map(\.rows))
        }
        if let parts {
          statistics.withLock { $0 = ($0.runs + 1, $0.rows + calls.reduce(0) { $0 + $1.rows }) }
          for (call, outputs) in zip(calls, parts) { call.answer(.success(outputs)) }
          return
        }
      } catch let error as ServingError
        where error.category == .deadlineExceeded || error.category == .unavailable
        || error.category == .resourceExhausted
      {
        for call in calls { call.answer(.failure(error)) }
        return
      } catch {
        // Fall through: run each call alone, so only the calls that are wrong fail.
      }
      await withTaskGroup(of: Void.self) { group in
        for call in calls {
          group.addTask {
            do {
              let outputs = try await self.queue.run(deadline: call.deadline) {
                try served.loaded.run(signature: signature, inputs: call.inputs)
              }
              call.answer(.success(outputs))
            } catch {
              call.answer(.failure(error))
            }
          }
        }
      }
    }
  }

  /// The calls' inputs joined along the first dimension (their inner shapes are equal: the key).
  static func join(_ calls: [[String: Tensor]]) throws -> [String: Tensor] {
    guard let first = calls.first else { return [:] }
    var joined: [String: Tensor] = [:]
    for (name, sample) in first {
      let tensors = calls.compactMap { $0[name] }
      let rows = tensors.reduce(0) { $0 + ($1.shape.first ?? 0) }
      let shape = [rows] + sample.shape.dropFirst()
      if sample.dtype == .string {
        joined[name] = Tensor(strings: try tensors.flatMap { try $0.strings() }, shape: shape)
      } else {
        var bytes: [UInt8] = []
        for tensor in tensors { bytes.append(contentsOf: try tensor.rawBytes()) }
        joined[name] = try Tensor(raw: bytes, dtype: sample.dtype, shape: shape)
      }
    }
    return joined
  }

  /// Outputs cut back into each call's rows; nil when an output does not have the total rows
  /// as its first dimension (then the calls must run alone).
  static func split(_ outputs: [String: Tensor], rows: [Int]) throws -> [[String: Tensor]]? {
    let total = rows.reduce(0, +)
    var parts = [[String: Tensor]](repeating: [:], count: rows.count)
    for (name, tensor) in outputs {
      guard let first = tensor.shape.first, first == total else { return nil }
      let inner = Array(tensor.shape.dropFirst())
      let perRow = inner.reduce(1, *)
      if tensor.dtype == .string {
        let values = try tensor.strings()
        var offset = 0
        for (index, count) in rows.enumerated() {
          parts[index][name] = Tensor(
            strings: Array(values[offset..<offset + count * perRow]), shape: [count] + inner)
          offset += count * perRow
        }
      } else {
        let bytes = try tensor.rawBytes()
        let rowBytes = perRow * (tensor.dtype.elementSize ?? 1)
        var offset = 0
        for (index, count) in rows.enumerated() {
          parts[index][name] = try Tensor(
            raw: bytes[offset..<offset + count * rowBytes], dtype: tensor.dtype, shape: [count] + inner)
          offset += count * rowBytes
        }
      }
    }
    return parts
  }
}
