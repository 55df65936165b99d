extension Registry {
  /// A text that changes whenever the catalog's versions or aliases change: `registry serve`
  /// polls it and reloads only when it differs (docs/serve.md, "Hot reload").
  public func changeToken() throws(RegistryError) -> String {
    do {
      return try catalog.changeToken()
    } catch {
      throw RegistryError(error)
    }
  }
}
