import Dispatch
import Foundation
import Inference
import NumPyFormat
import TensorIO
import TensorKernels

/// Steady-state latency of one signature: loads the model once, runs it on the given inputs a few
/// times to warm up, then reports the median and 90th percentile of `iterations` calls.
///
/// registry-bench inference MODEL_DIR SIGNATURE NAME=FILE.npy... [--iterations N] [--save DIR]
///
/// `--save DIR` writes the last call's outputs as DIR/NAME.npy, to compare two builds' answers.
enum InferenceBench {
  static func run(_ arguments: [String]) throws {
    guard arguments.count >= 2 else {
      FileHandle.standardError.write(
        Data(
          "usage: registry-bench inference MODEL_DIR SIGNATURE NAME=FILE.npy... [--iterations N] [--save DIR]\n".utf8))
      exit(2)
    }
    var iterations = 50
    var inputs: [String: Tensor] = [:]
    var saveDirectory: URL?
    var rest = Array(arguments.dropFirst(2))
    while let item = rest.first {
      rest.removeFirst()
      if item == "--iterations", let value = rest.first.flatMap({ Int($0) }) {
        iterations = value
        rest.removeFirst()
        continue
      }
      if item == "--save", let value = rest.first {
        saveDirectory = URL(fileURLWithPath: value)
        rest.removeFirst()
        continue
      }
      let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
      inputs[parts[0]] = try TensorFiles.tensor(from: try NPYArray(contentsOf: URL(fileURLWithPath: parts[1])))
    }
    let loadStart = DispatchTime.now().uptimeNanoseconds
    let model = try LoadedModel(directory: URL(fileURLWithPath: arguments[0]))
    let load = Double(DispatchTime.now().uptimeNanoseconds - loadStart) / 1e6
    for _ in 0..<3 { _ = try model.run(signature: arguments[1], inputs: inputs) }
    var samples: [Double] = []
    var outputs: [String: Tensor] = [:]
    for _ in 0..<iterations {
      let start = DispatchTime.now().uptimeNanoseconds
      outputs = try model.run(signature: arguments[1], inputs: inputs)
      samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    if let saveDirectory {
      try FileManager.default.createDirectory(at: saveDirectory, withIntermediateDirectories: true)
      for (name, tensor) in outputs {
        let bytes = try TensorFiles.npy(from: tensor).npyBytes()
        try Data(bytes).write(to: saveDirectory.appendingPathComponent("\(name).npy"))
      }
    }
    samples.sort()
    let profile = LoadedModel.profileReport()
    if !profile.isEmpty { FileHandle.standardError.write(Data((profile + "\n").utf8)) }
    print(
      String(
        format: "load %.1f ms, median %.3f ms, p90 %.3f ms over %d calls", load, samples[samples.count / 2],
        samples[samples.count * 9 / 10], iterations))
  }
}
