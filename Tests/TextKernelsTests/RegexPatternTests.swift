import Testing

@testable import TextKernels

/// RE2 through `RegexPattern` against results known from RE2's documented semantics
/// (`RE2::GlobalReplace`, `RE2::Replace`, `RE2::FullMatch` with default options): the
/// conformance suite of the hand-written engine this replaced, kept to pin the behaviour.
@Suite("RE2-style regular expressions")
struct RegexPatternTests {
  func replaceAll(_ text: String, _ pattern: String, _ rewrite: String) throws -> String {
    let regex = try RegexPattern(pattern)
    return String(
      decoding: try regex.replace(in: Array(text.utf8), with: Array(rewrite.utf8), global: true), as: UTF8.self)
  }

  func replaceFirst(_ text: String, _ pattern: String, _ rewrite: String) throws -> String {
    let regex = try RegexPattern(pattern)
    return String(
      decoding: try regex.replace(in: Array(text.utf8), with: Array(rewrite.utf8), global: false), as: UTF8.self)
  }

  func fullMatch(_ text: String, _ pattern: String) throws -> Bool {
    try RegexPattern(pattern).fullMatch(Array(text.utf8))
  }

  @Test("Keras's punctuation pattern strips every ASCII punctuation character")
  func kerasPunctuation() throws {
    let pattern = ##"[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']"##
    #expect(try replaceAll("Hello, World! (it's) a-b_c [x]\\y {z} ~", pattern, "") == "Hello World its abc xy z ")
    #expect(try replaceAll("naïve café — ok?", pattern, "") == "naïve café — ok")
  }

  @Test("global replacement skips an empty match right after the previous match")
  func emptyMatches() throws {
    #expect(try replaceAll("abc", "x*", "-") == "-a-b-c-")
    #expect(try replaceAll("baaa", "a*", "-") == "-b-")
    #expect(try replaceAll("ab", "", "-") == "-a-b-")
    #expect(try replaceAll("", "", "-") == "-")
    #expect(try replaceAll("", "a", "-") == "")
    #expect(try replaceAll("héé", "x*", "-") == "-h-é-é-")
  }

  @Test("replacement rewrites groups, \\0 and \\\\, and leaves the text alone for a missing group")
  func rewrites() throws {
    #expect(try replaceAll("user@host", #"(\w+)@(\w+)"#, #"\2 at \1"#) == "host at user")
    #expect(try replaceAll("ab", "b", #"[\0]\\"#) == #"a[b]\"#)
    #expect(try replaceAll("ab", "(a)|(b)", #"<\1\2>"#) == "<a><b>")
    #expect(try replaceAll("ab", "(a)", #"\2"#) == "ab")
    #expect(try replaceFirst("aaa", "a", "b") == "baa")
    #expect(try replaceFirst("xyz", "a", "b") == "xyz")
    // An invalid escape: Replace leaves the text, GlobalReplace keeps what came before it.
    #expect(try replaceFirst("aXa", "a", #"1\q2"#) == "aXa")
    #expect(try replaceAll("aXa", "a", #"1\q2"#) == "1X1")
  }

  @Test("alternation is leftmost-first, repetition greedy or lazy")
  func priorities() throws {
    #expect(try replaceAll("ab", "a|ab", "X") == "Xb")
    #expect(try replaceAll("ab", "ab|a", "X") == "X")
    #expect(try replaceAll("aaa", "a+?", "-") == "---")
    #expect(try replaceAll("aaaaa", "a{2}", "-") == "--a")
    #expect(try replaceAll("aaaaa", "a{2,3}", "-") == "--")
    #expect(try replaceAll("aaaaa", "a{2,3}?", "-") == "--a")
    #expect(try replaceAll("aaaa", "(?U)a+", "-") == "----")
    #expect(try replaceAll("aaaa", "(?U)a+?", "-") == "-")
    #expect(try replaceFirst("abcd", "(a|ab)(c|bcd)(d*)", #"<\0|\1|\2|\3>"#) == "<abcd|a|bcd|>")
    #expect(try replaceFirst("xyz", "(a)|y", #"<\0|\1>"#) == "x<y|>z")
    #expect(try replaceFirst("aaa", "(a*)+", #"<\0|\1>"#) == "<aaa|aaa>")
  }

  @Test("full match needs the whole text and may take a later alternative")
  func fullMatches() throws {
    #expect(try fullMatch("ab", "a|ab"))
    #expect(try !fullMatch("abc", "a|ab"))
    #expect(try fullMatch("", "a*"))
    #expect(try !fullMatch("a\n", "a$"))
    #expect(try fullMatch("2024-01-31", #"\d{4}-\d\d-\d\d"#))
    #expect(try fullMatch("Ab", "(?i:a)b"))
    #expect(try !fullMatch("AB", "(?i:a)b"))
    #expect(try fullMatch("HeLLo", "(?i)hello"))
    #expect(try fullMatch("ſ", "(?i)S"))
    #expect(try fullMatch("\u{212A}", "(?i)k") && fullMatch("k", "(?i)\u{212A}"))
    #expect(try fullMatch("\u{212A}", "(?i)[k]") && fullMatch("k", "(?i)[\u{212A}]"))
    #expect(try fullMatch("a{,2}", "a{,2}"))
    #expect(try fullMatch("a{", "a{"))
    #expect(try fullMatch(".*+", #"\Q.*+\E"#))
    #expect(try fullMatch("A", #"\101"#) && fullMatch("A", #"\x41"#) && fullMatch("😀", #"\x{1F600}"#))
    #expect(try fullMatch("\0", #"\0"#))
  }

  @Test("anchors, lines and word boundaries")
  func assertions() throws {
    #expect(try replaceAll("aaa", "^a", "b") == "baa")
    #expect(try replaceAll("a\na", "^a", "b") == "b\na")
    #expect(try replaceAll("a\na", "(?m)^a", "b") == "b\nb")
    #expect(try replaceAll("a\na", "a$", "b") == "a\nb")
    #expect(try replaceAll("a\na", "(?m)a$", "b") == "b\nb")
    #expect(try replaceAll("foo foobar barfoo foo", #"\bfoo\b"#, "X") == "X foobar barfoo X")
    #expect(try replaceAll("foo foobar", #"\Bo"#, "0") == "f00 f00bar")
    #expect(try replaceAll("ab", #"\Ab|a\z|\Aa"#, "-") == "-b")
  }

  @Test("dot and classes match one code point; newlines follow RE2's rules")
  func classes() throws {
    #expect(try replaceAll("héllo", "h.l", "X") == "Xlo")
    #expect(try replaceAll("ab\ncd", ".+", "-") == "-\n-")
    #expect(try replaceAll("ab\ncd", "(?s).+", "-") == "-")
    #expect(try replaceAll("a\nb", "[^a]", "-") == "a--")
    #expect(try replaceAll("a1 b_2\t", #"\w"#, "") == " \t")
    #expect(try replaceAll("a1 b\u{0B}2", #"\s"#, "") == "a1b\u{0B}2")
    #expect(try replaceAll("a1b2", #"\D"#, "") == "12")
    #expect(try replaceAll("a-b]c^d", #"[]a]"#, "") == "-bc^d")
    #expect(try replaceAll("a-b]c^d", #"[^]a]"#, "") == "a]")
    #expect(try replaceAll("a-b", "[a-]", "") == "b")
    #expect(try replaceAll("1-z9", #"[\d-z]"#, "") == "")
    #expect(try replaceAll("Abc, d!", "[[:punct:][:upper:]]", "") == "bc d")
    #expect(try replaceAll("ab12", "[[:^digit:]]", "") == "12")
    #expect(try replaceAll("héllo wörld 42", #"\pL+"#, "X") == "X X 42")
    #expect(try replaceAll("Héllo Wörld", #"\p{Lu}"#, "") == "éllo örld")
    #expect(try replaceAll("a1,b", #"\P{L}"#, "") == "ab")
    #expect(try replaceAll("ABC", "(?i)[a-b]", "") == "C")
    #expect(try replaceAll("xAy", "(?i)[^a]", "") == "A")
    #expect(try replaceAll("(abc)", "(a)(b)(c)", #"\3\2\1\0"#) == "(cbaabc)")
    #expect(try replaceAll("ab", "(a)|b", #"[\1]"#) == "[a][]")
  }

  @Test("undecodable bytes match nothing but are stepped over")
  func invalidUTF8() throws {
    let regex = try RegexPattern(".")
    #expect(try regex.replace(in: [0x61, 0xFF, 0x62], with: Array("-".utf8), global: true) == [0x2D, 0xFF, 0x2D])
    #expect(try RegexPattern("b").replace(in: [0xC3, 0x62], with: [0x2D], global: true) == [0xC3, 0x2D])
  }

  @Test("nested repetition stays linear (no catastrophic backtracking)")
  func noBlowup() throws {
    let long = String(repeating: "a", count: 5000)
    #expect(try !fullMatch(long + "!", "(a*)*b"))
    #expect(try !fullMatch(long, "(a|aa)+b"))
    #expect(try replaceAll(long, "(x+x+)+y", "") == long)
  }

  @Test("invalid patterns fail with RE2's message, worded as TensorFlow words it")
  func rejections() {
    let invalid: [(String, String)] = [
      ("a**", "bad repetition operator: **"), ("a++", "bad repetition operator: ++"),
      ("x{2}{3}", "bad repetition operator: {2}{3}"),
      ("*a", "no argument for repetition operator: *"), ("(a", "missing ): (a"), ("a)", "unexpected ): a)"),
      ("[a", "missing ]: [a"), (#"\1"#, "invalid escape sequence: \\1"),
      ("(?=a)", "invalid perl operator: (?="),
      ("(?!a)", "invalid perl operator: (?!"), ("(?<=a)", "invalid perl operator: (?<"),
      ("(?<!a)", "invalid perl operator: (?<"),
      ("(?P=n)", "invalid perl operator: (?P"), ("(?<n>a)", "invalid perl operator: (?<"),
      ("a{1001}", "invalid repetition size: {1001}"), ("(a{100}){100}", "invalid repetition size: {100}"),
      ("[z-a]", "invalid character class range: z-a"), (#"\Z"#, "invalid escape sequence: \\Z"),
      ("(?x)a", "invalid perl operator: (?x"),
      ("[[:foo:]]", "invalid character class range: [:foo:]"), (#"a\"#, "trailing \\"),
      (#"\p{Foo}"#, #"invalid character class range: \p{Foo}"#),
    ]
    for (pattern, message) in invalid {
      do {
        _ = try RegexPattern(pattern)
        Issue.record("accepted \(pattern)")
      } catch {
        #expect(error.kind == .invalid, "\(pattern)")
        #expect(error.description == "Invalid pattern: \(pattern), error: \(message)")
      }
    }
  }

  @Test("constructs the hand-written engine refused and RE2 supports: script classes and \\C")
  func formerlyUnsupported() throws {
    // The old engine refused these as unsupported; RE2 (and so TensorFlow) accepts them.
    #expect(try fullMatch("αβγ", #"\p{Greek}+"#))
    #expect(try !fullMatch("abc", #"\p{Greek}+"#))
    #expect(try replaceAll("abγ", #"\P{Greek}"#, "") == "γ")
    // `\C` is any byte, even inside a multi-byte character.
    #expect(try fullMatch("ab", #"a\C"#))
    #expect(
      try RegexPattern(#"\C"#).replace(in: Array("é".utf8), with: Array("-".utf8), global: false) == [0x2D, 0xA9])
  }

  @Test("100,000 nested parentheses are a clean error or a program, never a stack overflow")
  func deepNesting() throws {
    let open = String(repeating: "(", count: 100_000)
    do {
      _ = try RegexPattern(open)
      Issue.record("accepted 100,000 unclosed (")
    } catch {
      #expect(error.kind == .invalid)
      #expect(error.message.hasPrefix("missing ): (((("))
      // The message is cut: RE2 repeats the rest of the pattern.
      #expect(error.description.count < 2200)
      #expect(error.description.contains("… (100000 bytes), error: missing ): (((("))
      #expect(error.description.hasSuffix("… (100011 bytes)"))
    }
    let balanced = open + "a" + String(repeating: ")", count: 100_000)
    #expect(try RegexPattern(balanced).fullMatch(Array("a".utf8)))
    // Under a small budget the same pattern is too large, not a crash.
    do {
      _ = try RegexPattern(balanced, maxMemory: 840_000)
      Issue.record("compiled under 840,000 bytes")
    } catch {
      #expect(error.kind == .tooLarge)
      #expect(error.message == "pattern too large - compile failed")
    }
  }

  @Test("(a|aa)*(b|a{1000}) over megabytes of text stays linear")
  func largeTexts() throws {
    let regex = try RegexPattern("(a|aa)*(b|a{1000})")
    let text = [UInt8](repeating: UInt8(ascii: "a"), count: 3 << 20)
    #expect(try regex.fullMatch(text))
    #expect(try !regex.fullMatch(text + [UInt8(ascii: "c")]))
    #expect(try regex.replace(in: text + Array("b".utf8), with: Array("x".utf8), global: true) == Array("x".utf8))
    let split = text[..<(1 << 20)] + Array("c".utf8) + text[..<(1 << 20)]
    #expect(try regex.replace(in: Array(split), with: Array("<\\0>".utf8), global: true).count == (1 << 21) + 5)
    #expect(try regex.replace(in: Array(split), with: Array("x".utf8), global: false).count == (1 << 20) + 2)
  }

  @Test("named groups and flag groups parse")
  func groupSyntax() throws {
    #expect(try replaceFirst("in 2024!", #"(?P<year>\d{4})(?P<mark>!)"#, #"<\0|\1|\2>"#) == "in <2024!|2024|!>")
    #expect(try replaceFirst("ab", "(?:a)(b)", #"<\0|\1>"#) == "<ab|b>")
    #expect(try fullMatch("aB", "a(?i)b"))
    #expect(try fullMatch("A", "(?i)b|a"))
    #expect(try !fullMatch("A", "(?i:b)|a"))
  }
}
