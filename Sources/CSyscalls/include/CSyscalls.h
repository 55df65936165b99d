#ifndef CSYSCALLS_H
#define CSYSCALLS_H

/// Flushes the file system holding `fd` (Linux syncfs(2)); elsewhere fsync(2) of `fd`.
/// Returns 0 or -1 with errno set. Glibc declares syncfs only under _GNU_SOURCE, which Swift's
/// Glibc module does not define, hence this shim.
int csyscalls_syncfs(int fd);

#endif
