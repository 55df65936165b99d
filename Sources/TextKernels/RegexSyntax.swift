/// A parsed regular expression (RE2 syntax), before compilation.
indirect enum RegexNode: Sendable {
  case empty
  /// One code point; with `foldsCase`, any code point with the same simple case folding.
  case literal(UInt32, foldsCase: Bool)
  /// `.`: any code point, or any but `\n` (without the `s` flag).
  case any(matchesNewline: Bool)
  case set(RegexClass)
  case assertion(RegexAssertion)
  /// A capturing group (numbered from 1 in order of its `(`).
  case capture(Int, RegexNode)
  case concatenation([RegexNode])
  case alternation([RegexNode])
  /// `max == nil` means unbounded.
  case repetition(RegexNode, min: Int, max: Int?, greedy: Bool)
}

/// The empty-width assertions RE2 has.
enum RegexAssertion: Sendable {
  /// `^` (without `m`) and `\A`.
  case beginText
  /// `$` (without `m`) and `\z`.
  case endText
  /// `^` with the `m` flag: at the start or after `\n`.
  case beginLine
  /// `$` with the `m` flag: at the end or before `\n`.
  case endLine
  /// `\b`: between an ASCII word character and a non-word character (or an end).
  case wordBoundary
  /// `\B`.
  case notWordBoundary
}

/// A character class: code-point ranges and Unicode general categories, possibly negated.
///
/// Undecodable bytes match no class, negated or not (RE2 compiles classes to valid UTF-8
/// sequences only).
struct RegexClass: Sendable {
  /// Sorted, non-overlapping, non-adjacent ranges.
  private(set) var ranges: [ClosedRange<UInt32>] = []
  /// `\pL`-style items: a category set, possibly negated (`\PL`).
  private(set) var categories: [(categories: Set<Unicode.GeneralCategory>, negated: Bool)] = []
  var negated = false
  /// `(?i)`: a code point also matches when its lower- or uppercase form is in the class.
  private(set) var foldsCase = false
  /// With `foldsCase`, the canonical foldings of the members of a small class, so that `(?i)[K]`
  /// (Kelvin sign) matches `k` as in RE2, whose fold orbits are not all lower/upper pairs.
  private var foldedMembers: Set<UInt32> = []

  static let maximum: UInt32 = 0x10_FFFF

  init(ranges: [ClosedRange<UInt32>] = []) {
    for range in ranges { add(range) }
  }

  mutating func add(_ range: ClosedRange<UInt32>) {
    var merged = range
    var kept: [ClosedRange<UInt32>] = []
    kept.reserveCapacity(ranges.count + 1)
    for existing in ranges {
      if existing.upperBound &+ 1 < merged.lowerBound || merged.upperBound &+ 1 < existing.lowerBound {
        kept.append(existing)
      } else {
        merged = min(existing.lowerBound, merged.lowerBound)...max(existing.upperBound, merged.upperBound)
      }
    }
    let position = kept.firstIndex { $0.lowerBound > merged.upperBound } ?? kept.count
    kept.insert(merged, at: position)
    ranges = kept
  }

  /// Makes the class case-insensitive (`(?i)`).
  mutating func foldCase() {
    foldsCase = true
    let size = ranges.reduce(0) { $0 + $1.count }
    if size <= 4096 { foldedMembers = Set(ranges.flatMap { $0.map(CaseFolding.canonical) }) }
  }

  mutating func add(_ other: RegexClass) {
    precondition(!other.negated && !other.foldsCase, "only plain classes merge")
    for range in other.ranges { add(range) }
    categories += other.categories
  }

  mutating func add(categories: Set<Unicode.GeneralCategory>, negated: Bool) {
    self.categories.append((categories, negated))
  }

  /// The code points not in `ranges` (categories are not complemented here).
  func complementedRanges() -> [ClosedRange<UInt32>] {
    var result: [ClosedRange<UInt32>] = []
    var next: UInt32 = 0
    for range in ranges {
      if next < range.lowerBound { result.append(next...(range.lowerBound - 1)) }
      next = range.upperBound + 1
    }
    if next <= Self.maximum { result.append(next...Self.maximum) }
    return result
  }

  func contains(_ scalar: UInt32) -> Bool {
    guard scalar <= Self.maximum else { return false }
    var found = containsExactly(scalar)
    if !found && foldsCase {
      found =
        CaseFolding.variants(of: scalar).contains { containsExactly($0) }
        || foldedMembers.contains(CaseFolding.canonical(scalar))
    }
    return found != negated
  }

  private func containsExactly(_ scalar: UInt32) -> Bool {
    var low = 0
    var high = ranges.count
    while low < high {
      let middle = (low + high) / 2
      if ranges[middle].upperBound < scalar {
        low = middle + 1
      } else {
        high = middle
      }
    }
    if low < ranges.count && ranges[low].contains(scalar) { return true }
    guard !categories.isEmpty, let character = Unicode.Scalar(scalar) else { return false }
    let category = character.properties.generalCategory
    return categories.contains { $0.categories.contains(category) != $0.negated }
  }
}

/// Simple (one code point to one code point) case mappings, for the `i` flag.
enum CaseFolding {
  /// The code points that fold together with `scalar` as far as single-scalar lower- and
  /// uppercase mappings tell (`k`, `K` and the Kelvin sign; `s`, `S` and long s).
  static func variants(of scalar: UInt32) -> [UInt32] {
    if scalar < 0x80 {
      switch scalar {
      case 0x41...0x5A: return [scalar + 0x20]
      case 0x61...0x7A: return [scalar - 0x20]
      default: return []
      }
    }
    guard let character = Unicode.Scalar(scalar) else { return [] }
    var result: [UInt32] = []
    for mapped in [single(character.properties.lowercaseMapping), single(character.properties.uppercaseMapping)] {
      if let mapped, mapped != scalar, !result.contains(mapped) { result.append(mapped) }
    }
    let folded = canonical(scalar)
    if folded != scalar && !result.contains(folded) { result.append(folded) }
    return result
  }

  /// One representative per fold orbit: the lowercase of the uppercase.
  static func canonical(_ scalar: UInt32) -> UInt32 {
    if scalar < 0x80 { return (0x41...0x5A).contains(scalar) ? scalar + 0x20 : scalar }
    guard let character = Unicode.Scalar(scalar) else { return scalar }
    let upper = single(character.properties.uppercaseMapping) ?? scalar
    guard let upperCharacter = Unicode.Scalar(upper) else { return scalar }
    return single(upperCharacter.properties.lowercaseMapping) ?? upper
  }

  private static func single(_ mapping: String) -> UInt32? {
    let scalars = mapping.unicodeScalars
    guard scalars.count == 1, let first = scalars.first else { return nil }
    return first.value
  }
}
