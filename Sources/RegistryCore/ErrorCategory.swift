/// What sort of failure an error is, shared by every module of the package.
///
/// The categories follow the canonical status codes that gRPC, Abseil and TensorFlow share
/// (`NOT_FOUND`, `INVALID_ARGUMENT`, …), so one table gives the command line's exit status, the
/// server's HTTP status and its gRPC status. Callers branch on the category; people read the message.
public enum ErrorCategory: String, Sendable, Codable, CaseIterable {
  /// A file, directory, object, model, version or alias that should exist does not.
  case notFound = "not_found"
  /// Stored or supplied bytes are damaged: a checksum mismatch, a truncated file, a length that lies.
  /// (`DATA_LOSS`.)
  case corrupted
  /// Well-formed input that this program does not handle (an op, a dtype, a format variant).
  /// (`UNIMPLEMENTED`.)
  case unsupported
  /// Input that is wrong whatever the state of the store: not a SavedModel, a bad name, a feed of
  /// the wrong shape, a malformed graph.
  case invalidArgument = "invalid_argument"
  /// The operating system or the store could not serve the request now (permissions, I/O error,
  /// disk full, a read-only file system, a busy database).
  case unavailable
  /// The thing to create is already there (a pull target without `--force`).
  case alreadyExists = "already_exists"
  /// The request is valid but the state of the store forbids it (an incompatible alias move, another
  /// collection running, a catalog that needs migrating).
  case failedPrecondition = "failed_precondition"
  /// A limit was reached: a tensor or input larger than the limits allow, a full queue.
  case resourceExhausted = "resource_exhausted"
  /// A deadline passed before the work finished.
  case deadlineExceeded = "deadline_exceeded"
  /// The caller is known but may not do this.
  case permissionDenied = "permission_denied"
  /// The caller could not be identified (a registry refused the credentials).
  case unauthenticated
  /// A defect in this program: an error it did not expect. Reported, never hidden behind another
  /// category.
  case `internal`

  /// The exit status of the `registry` command for a failure of this category (docs/cli.md).
  ///
  /// 1 (a check found problems) and 2 (a usage error) are not categories of error; 70 is
  /// `EX_SOFTWARE` from `sysexits.h`.
  public var exitStatus: Int32 {
    switch self {
    case .notFound: 3
    case .corrupted: 4
    case .unsupported: 5
    case .invalidArgument: 6
    case .unavailable: 7
    case .alreadyExists: 8
    case .failedPrecondition: 9
    case .resourceExhausted: 10
    case .deadlineExceeded: 11
    case .permissionDenied: 12
    case .unauthenticated: 13
    case .internal: 70
    }
  }

  /// The HTTP status the server answers with, as TensorFlow Serving maps its status codes in
  /// `http_server.cc`: InvalidArgument, FailedPrecondition, OutOfRange 400; NotFound 404;
  /// AlreadyExists 409; PermissionDenied 403; Unauthenticated 401; ResourceExhausted 429;
  /// Unimplemented 501; Unavailable 503; DeadlineExceeded 504; DataLoss, Internal 500.
  public var httpStatus: Int {
    switch self {
    case .invalidArgument, .failedPrecondition: 400
    case .notFound: 404
    case .alreadyExists: 409
    case .permissionDenied: 403
    case .unauthenticated: 401
    case .resourceExhausted: 429
    case .unsupported: 501
    case .unavailable: 503
    case .deadlineExceeded: 504
    case .corrupted, .internal: 500
    }
  }

  /// The canonical status code (gRPC's numbering) for this category.
  public var canonicalCode: Int {
    switch self {
    case .invalidArgument: 3
    case .deadlineExceeded: 4
    case .notFound: 5
    case .alreadyExists: 6
    case .permissionDenied: 7
    case .resourceExhausted: 8
    case .failedPrecondition: 9
    case .unsupported: 12
    case .internal: 13
    case .unavailable: 14
    case .corrupted: 15
    case .unauthenticated: 16
    }
  }
}
