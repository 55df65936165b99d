import Prometheus

/// The server's Prometheus metrics, served as text at `/monitoring/prometheus/metrics`.
///
/// TensorFlow Serving's `:tensorflow:serving:request_count{model_name,status}` and
/// `request_latency` count by model only (tensorflow/serving#1959 asks for more); these carry the
/// model, version, signature, API and status of every request. One registry per server, not the
/// process-wide `MetricsSystem`, so servers in one process (tests) do not share counts.
public final class ServingMetrics: Sendable {
  public let collectors = PrometheusCollectorRegistry()

  /// Latency buckets, seconds: 0.5 ms to 10 s.
  private static let latencyBuckets: [Duration] = [
    .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
    .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
    .seconds(5), .seconds(10),
  ]

  public init() {}

  /// One answered request of the predict, classify, regress, metadata or status API.
  ///
  /// - Parameters:
  ///   - entrypoint: `REST` or `gRPC`.
  ///   - status: the HTTP status (`200`), or the gRPC code's name (`OK`, `NOT_FOUND`).
  public func recordRequest(
    entrypoint: String, model: String, version: Int?, signature: String, api: String, status: String,
    duration: Duration
  ) {
    let labels = [
      ("model_name", model), ("version", version.map(String.init) ?? ""), ("signature_name", signature),
      ("API", api), ("entrypoint", entrypoint), ("status", status),
    ]
    collectors.makeCounter(
      descriptor: MetricNameDescriptor(
        namespace: "registry", subsystem: "serving", metricName: "request_count", unitName: "",
        helpText: "Requests answered, by model, version, signature, API, entrypoint and status."),
      labels: labels
    ).increment()
    collectors.makeDurationHistogram(
      descriptor: MetricNameDescriptor(
        namespace: "registry", subsystem: "serving", metricName: "request_latency", unitName: "seconds",
        helpText: "Time from request to response, by model, version, signature, API, entrypoint and status."),
      labels: labels, buckets: Self.latencyBuckets
    ).record(duration)
  }

  /// A version finished loading (with its warm-up call), or failed to.
  public func recordLoad(model: String, version: Int, seconds: Double, succeeded: Bool) {
    let labels = [("model_name", model), ("version", String(version))]
    if succeeded {
      collectors.makeGauge(
        descriptor: MetricNameDescriptor(
          namespace: "registry", subsystem: "serving", metricName: "load_time", unitName: "seconds",
          helpText: "How long a version took to load and answer its warm-up call."),
        labels: labels
      ).set(seconds)
    } else {
      collectors.makeCounter(
        descriptor: MetricNameDescriptor(
          namespace: "registry", subsystem: "serving", metricName: "load_failures", unitName: "",
          helpText: "Versions that failed to load."),
        labels: labels
      ).increment()
    }
  }

  /// How many versions (and models) are AVAILABLE now.
  public func setAvailable(versions: Int, models: Int) {
    collectors.makeGauge(
      descriptor: MetricNameDescriptor(
        namespace: "registry", subsystem: "serving", metricName: "versions_available", unitName: "",
        helpText: "Versions loaded and AVAILABLE.")
    ).set(Double(versions))
    collectors.makeGauge(
      descriptor: MetricNameDescriptor(
        namespace: "registry", subsystem: "serving", metricName: "models_available", unitName: "",
        helpText: "Models with at least one AVAILABLE version.")
    ).set(Double(models))
  }

  /// The Prometheus text exposition of every metric.
  public func text() -> [UInt8] {
    var buffer: [UInt8] = []
    collectors.emit(into: &buffer)
    return buffer
  }
}
