import ServingProto
import SwiftProtobuf

/// The signature a request without `signature_name` is for (TensorFlow's
/// `kDefaultServingSignatureDefKey`).
let defaultSignatureKey = "serving_default"

extension Tensorflow_Serving_ModelSpec {
  /// The version the spec asks for.
  var selector: ServingVersionSelector {
    switch versionChoice {
    case .version(let version): .number(version.value)
    case .versionLabel(let label): .label(label)
    case nil: .latest
    }
  }

  /// The signature key the spec asks for, `serving_default` when it names none.
  var signatureKey: String { signatureName.isEmpty ? defaultSignatureKey : signatureName }

  /// The spec a response carries: the model, the version that answered, and the signature used.
  static func answered(by servable: any ServableVersion, signature: String?) -> Self {
    var spec = Self()
    spec.name = servable.model
    spec.version = Google_Protobuf_Int64Value(servable.version)
    if let signature { spec.signatureName = signature }
    return spec
  }
}

/// Every request of both services carries a spec; TensorFlow Serving refuses one without.
func requireModelSpec(_ hasModelSpec: Bool) throws(ServingError) {
  guard hasModelSpec else { throw ServingError(.invalidArgument, "Missing ModelSpec") }
}
