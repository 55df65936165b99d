import TensorKernels

/// The ops every SavedModel uses to move values around: placeholders, constants, identities,
/// variables (resource and TF1 reference), checkpoint restore and function calls.
enum PlumbingOps {
  static func register(into registry: inout OpRegistry) {
    registry.register("Placeholder") { context throws(InferenceError) in
      throw InferenceError(.invalidArgument, "\(context.location): no value was fed for this placeholder")
    }
    registry.register("PlaceholderWithDefault") { context throws(InferenceError) in [context.inputs[0]] }
    registry.register("Const") { context throws(InferenceError) in
      if let constant = context.node.constant { return [.tensor(constant)] }
      return [.tensor(try TensorProtoDecoding.tensor(try context.tensorProto("value"), context: context.location))]
    }
    for op in ["Identity", "StopGradient", "Snapshot", "PreventGradient", "EnsureShape", "CheckNumerics"] {
      registry.register(op) { context throws(InferenceError) in
        guard let first = context.inputs.first else {
          throw InferenceError(.invalidArgument, "\(context.location): no input")
        }
        return [first]
      }
    }
    registry.register("IdentityN") { context throws(InferenceError) in context.inputs }
    registry.register("NoOp") { _ throws(InferenceError) in [] }

    // Resource variables: the handle is the variable's shared name.
    registry.register("VarHandleOp") { context throws(InferenceError) in
      let shared = try context.string("shared_name", default: "")
      return [.resource(shared.isEmpty ? context.node.name : shared)]
    }
    registry.register("ReadVariableOp") { context throws(InferenceError) in
      [.tensor(try context.runtime.variables.read(try context.resource(0), context: context.location))]
    }
    registry.register("AssignVariableOp") { context throws(InferenceError) in
      context.runtime.variables.assign(try context.resource(0), try context.tensor(1))
      return []
    }
    registry.register("VarIsInitializedOp") { context throws(InferenceError) in
      [.tensor(Tensor(bool: [context.runtime.variables.isInitialized(try context.resource(0))], shape: []))]
    }
    registry.register("DisableCopyOnRead") { _ throws(InferenceError) in [] }

    // TF1 reference variables: `VariableV2` yields a reference (a handle keyed by the node name)
    // that `Assign` writes through and any other consumer reads (see `OpContext.tensor`).
    for op in ["VariableV2", "Variable"] {
      registry.register(op) { context throws(InferenceError) in [.resource(context.node.name)] }
    }
    registry.register("Assign") { context throws(InferenceError) in
      let value = try context.tensor(1)
      context.runtime.variables.assign(try context.resource(0), value)
      return [.tensor(value)]
    }

    // Checkpoint restore: the tensor names come from the graph, the bytes from the bundle.
    registry.register("RestoreV2") { context throws(InferenceError) in
      let names = try context.tensor(1)
      let keys = try context.run { try names.strings() }
      return try keys.map { key throws(InferenceError) in
        .tensor(try context.runtime.checkpoint(String(decoding: key, as: UTF8.self)))
      }
    }

    // Function calls: inputs bind positionally to the callee's arguments.
    for op in ["StatefulPartitionedCall", "PartitionedCall"] {
      registry.register(op) { context throws(InferenceError) in
        let function = try context.function("f")
        return try context.runtime.call(function, context.inputs, from: context)
      }
    }
  }
}
