import ContentStore
import RegistryCore
import Testing

@Suite("Digest")
struct DigestTests {
  @Test("SHA-256 of the empty string and of abc match the standard values")
  func vectors() {
    #expect(Digest.of([UInt8]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(
      Digest.of(Array("abc".utf8)).description
        == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  }

  @Test("parsing accepts only sha256: and 64 lowercase hex digits")
  func parsing() {
    let text = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    #expect(Digest(text)?.description == text)
    #expect(Digest(text.uppercased()) == nil)
    #expect(Digest("sha256:../../etc/passwd") == nil)
    #expect(Digest(String(text.dropLast())) == nil)
    #expect(Digest("md5:" + String(text.dropFirst(7))) == nil)
  }
}
