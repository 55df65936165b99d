#define _GNU_SOURCE
#include <unistd.h>

#include "CSyscalls.h"

int csyscalls_syncfs(int fd) {
#if defined(__linux__)
  return syncfs(fd);
#else
  return fsync(fd);
#endif
}
