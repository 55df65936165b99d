// Debian's OpenBLAS (libopenblas-dev): the CBLAS interface plus OpenBLAS's own
// thread-count controls (openblas_set_num_threads, openblas_get_num_threads).
#include <cblas.h>
