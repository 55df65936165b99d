#ifndef CSYSCALLS_H
#define CSYSCALLS_H

/// Flushes the file system holding `fd` (Linux syncfs(2)); elsewhere fsync(2) of `fd`.
/// Returns 0 or -1 with errno set. Glibc declares syncfs only under _GNU_SOURCE, which Swift's
/// Glibc module does not define, hence this shim.
int csyscalls_syncfs(int fd);

/// Starts writing the dirty pages of `fd` in [offset, offset + length) to disk without waiting
/// for them (Linux sync_file_range(2) with SYNC_FILE_RANGE_WRITE; length 0: to the end); a no-op
/// elsewhere. It makes nothing durable: a later fsync or syncfs still must, and then has less left
/// to wait for. Returns 0 or -1 with errno set.
int csyscalls_start_writeback(int fd, long long offset, long long length);

#endif
