/// A compiled regular expression, run by a Pike VM: every alternative advances in lock step over
/// the text, one code point at a time, so matching takes O(text length × program size) with no
/// backtracking, whatever the pattern. Threads are kept in priority order, which gives RE2's (and
/// Perl's) leftmost-first choice among alternatives and greedy or lazy repetition.
struct RegexProgram: Sendable {
  enum Instruction: Sendable {
    case scalar(UInt32)
    /// Matches any code point whose canonical case folding is this one.
    case foldedScalar(UInt32)
    case set(Int)
    case any
    case anyButNewline
    /// Try the first target, then the second (lower priority).
    case split(Int, Int)
    case jump(Int)
    /// Record the current position in capture slot `n` (group `n / 2`, start or end).
    case save(Int)
    case assert(RegexAssertion)
    case match
  }

  let instructions: [Instruction]
  let sets: [RegexClass]
  /// Two per group, group 0 (the whole match) included.
  let slotCount: Int

  /// Programs larger than this are refused (RE2 refuses large programs too, by memory budget).
  static let maximumSize = 100_000

  /// Compiles a tree; with `anchoredAtEnd` a match must also end at the end of the text.
  init(_ node: RegexNode, captureCount: Int, anchoredAtEnd: Bool) throws(RegexCompileError) {
    var builder = Builder()
    builder.emit(.save(0))
    try builder.compile(node)
    if anchoredAtEnd { builder.emit(.assert(.endText)) }
    builder.emit(.save(1))
    builder.emit(.match)
    instructions = builder.instructions
    sets = builder.sets
    slotCount = 2 * (captureCount + 1)
  }

  struct RegexCompileError: Error {}

  private struct Builder {
    var instructions: [Instruction] = []
    var sets: [RegexClass] = []

    @discardableResult
    mutating func emit(_ instruction: Instruction) -> Int {
      instructions.append(instruction)
      return instructions.count - 1
    }

    mutating func compile(_ node: RegexNode) throws(RegexCompileError) {
      guard instructions.count <= RegexProgram.maximumSize else { throw RegexCompileError() }
      switch node {
      case .empty:
        break
      case .literal(let scalar, let foldsCase):
        if foldsCase && !CaseFolding.variants(of: scalar).isEmpty {
          emit(.foldedScalar(CaseFolding.canonical(scalar)))
        } else {
          emit(.scalar(scalar))
        }
      case .any(let matchesNewline):
        emit(matchesNewline ? .any : .anyButNewline)
      case .set(let set):
        sets.append(set)
        emit(.set(sets.count - 1))
      case .assertion(let assertion):
        emit(.assert(assertion))
      case .capture(let index, let body):
        emit(.save(2 * index))
        try compile(body)
        emit(.save(2 * index + 1))
      case .concatenation(let items):
        for item in items { try compile(item) }
      case .alternation(let branches):
        var exits: [Int] = []
        for (position, branch) in branches.enumerated() {
          if position == branches.count - 1 {
            try compile(branch)
          } else {
            let split = emit(.split(0, 0))
            try compile(branch)
            exits.append(emit(.jump(0)))
            instructions[split] = .split(split + 1, instructions.count)
          }
        }
        for exit in exits { instructions[exit] = .jump(instructions.count) }
      case .repetition(let body, let low, let high, let greedy):
        for _ in 0..<low { try compile(body) }
        if let high {
          // x{0,k} as nested optionals, x(x(x)?)?)?, so that a skipped copy ends the repetition.
          var splits: [Int] = []
          for _ in low..<high {
            splits.append(emit(.split(0, 0)))
            try compile(body)
          }
          let end = instructions.count
          for split in splits { instructions[split] = greedy ? .split(split + 1, end) : .split(end, split + 1) }
        } else {
          let loop = emit(.split(0, 0))
          try compile(body)
          emit(.jump(loop))
          let end = instructions.count
          instructions[loop] = greedy ? .split(loop + 1, end) : .split(end, loop + 1)
        }
      }
    }
  }
}

/// The state of one search, reusable across searches of the same program to avoid allocating
/// per call.
struct RegexMatcher {
  private let program: RegexProgram
  /// Slots tracked; the rest are ignored (RE2 also only computes the submatches asked for).
  private let trackedSlots: Int
  private var current: ThreadList
  private var next: ThreadList
  private var stack: [(pc: Int, slots: [Int])] = []

  private struct ThreadList {
    var pcs: [Int] = []
    var slots: [[Int]] = []
    /// `marks[pc] == generation` when `pc` is already on the list.
    var marks: [Int]
    var generation = 0

    init(size: Int) { marks = [Int](repeating: -1, count: size) }

    mutating func reset() {
      pcs.removeAll(keepingCapacity: true)
      slots.removeAll(keepingCapacity: true)
      generation += 1
    }
  }

  init(_ program: RegexProgram, groups: Int) {
    self.program = program
    trackedSlots = min(program.slotCount, 2 * (groups + 1))
    current = ThreadList(size: program.instructions.count)
    next = ThreadList(size: program.instructions.count)
  }

  /// The leftmost-first match starting at scalar index `start` or later (exactly at `start` when
  /// `anchored`), as capture slots in scalar indices (`-1` for a group that did not take part).
  /// Assertions see the whole text, so `^` never matches after `start > 0`, as in RE2.
  mutating func match(_ text: UTF8Text, from start: Int, anchored: Bool) -> [Int]? {
    let scalars = text.scalars
    let count = scalars.count
    var matched: [Int]?
    var position = start
    let initial = [Int](repeating: -1, count: trackedSlots)
    current.reset()
    while true {
      if matched == nil && (!anchored || position == start) {
        Self.add(program, trackedSlots, &stack, to: &current, pc: 0, slots: initial, at: position, scalars)
      }
      if current.pcs.isEmpty && (matched != nil || anchored || position >= count) { break }
      next.reset()
      let scalar: UInt32? = position < count ? scalars[position] : nil
      threads: for index in current.pcs.indices {
        let pc = current.pcs[index]
        let accepted: Bool
        switch program.instructions[pc] {
        case .match:
          matched = current.slots[index]
          break threads  // lower-priority threads lose to this match
        case .scalar(let expected): accepted = scalar == expected
        case .foldedScalar(let expected): accepted = scalar.map { CaseFolding.canonical($0) == expected } ?? false
        case .set(let set): accepted = scalar.map { program.sets[set].contains($0) } ?? false
        case .any: accepted = scalar.map { $0 < UTF8Text.invalidBase } ?? false
        case .anyButNewline: accepted = scalar.map { $0 < UTF8Text.invalidBase && $0 != 10 } ?? false
        default: accepted = false
        }
        if accepted {
          Self.add(
            program, trackedSlots, &stack, to: &next, pc: pc + 1, slots: current.slots[index], at: position + 1, scalars
          )
        }
      }
      if position >= count { break }
      swap(&current, &next)
      position += 1
    }
    return matched
  }

  /// Adds a thread and follows its empty-width steps, in priority order (depth first, first
  /// branch of a split before the second); a state already on the list keeps its earlier,
  /// higher-priority thread.
  private static func add(
    _ program: RegexProgram, _ trackedSlots: Int, _ stack: inout [(pc: Int, slots: [Int])], to list: inout ThreadList,
    pc: Int, slots: [Int], at position: Int, _ scalars: [UInt32]
  ) {
    stack.append((pc, slots))
    while let (pc, slots) = stack.popLast() {
      guard list.marks[pc] != list.generation else { continue }
      list.marks[pc] = list.generation
      switch program.instructions[pc] {
      case .jump(let target):
        stack.append((target, slots))
      case .split(let first, let second):
        stack.append((second, slots))
        stack.append((first, slots))
      case .save(let slot):
        if slot < trackedSlots {
          var updated = slots
          updated[slot] = position
          stack.append((pc + 1, updated))
        } else {
          stack.append((pc + 1, slots))
        }
      case .assert(let assertion):
        if holds(assertion, at: position, scalars) { stack.append((pc + 1, slots)) }
      default:
        list.pcs.append(pc)
        list.slots.append(slots)
      }
    }
  }

  static func holds(_ assertion: RegexAssertion, at position: Int, _ scalars: [UInt32]) -> Bool {
    let before: UInt32? = position > 0 ? scalars[position - 1] : nil
    let after: UInt32? = position < scalars.count ? scalars[position] : nil
    switch assertion {
    case .beginText: return before == nil
    case .endText: return after == nil
    case .beginLine: return before == nil || before == 10
    case .endLine: return after == nil || after == 10
    case .wordBoundary: return isWord(before) != isWord(after)
    case .notWordBoundary: return isWord(before) == isWord(after)
    }
  }

  /// RE2's `\b` uses ASCII word characters only.
  private static func isWord(_ scalar: UInt32?) -> Bool {
    guard let scalar else { return false }
    return (48...57).contains(scalar) || (65...90).contains(scalar) || (97...122).contains(scalar) || scalar == 95
  }
}
