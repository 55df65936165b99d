// Debian's libarchive (libarchive-dev): tar reading and writing for oci-archive:.
#include <archive.h>
#include <archive_entry.h>
