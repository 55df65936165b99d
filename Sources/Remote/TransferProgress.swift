/// What an export or import reports as it goes, for a progress display. Handlers are called
/// from concurrent transfers and must be cheap; they never change what the transfer does.
public enum TransferEvent: Sendable, Equatable {
  /// The blobs the transfer will consider, and their total size.
  case planned(blobs: Int, bytes: Int64)
  /// A blob is done: sent or fetched, mounted, or skipped because the other side had it.
  case finished(BlobOutcome, bytes: Int64)
}

/// Receives `TransferEvent`s (see `TransferOptions.progress`).
public typealias TransferProgressHandler = @Sendable (TransferEvent) -> Void
