// The C face of Debian's RE2 for TextKernels. Every entry point catches everything (RE2 itself
// only throws std::bad_alloc) so that no C++ exception crosses into Swift.
#include "CRE2.h"

#include <re2/re2.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

struct CRE2Regex {
  re2::RE2 re;
  CRE2Regex(const re2::StringPiece &pattern, const re2::RE2::Options &options) : re(pattern, options) {}
};

namespace {

// A NUL-terminated malloc copy, or NULL when malloc fails.
char *copy_string(const std::string &text) {
  char *copy = static_cast<char *>(std::malloc(text.size() + 1));
  if (copy != nullptr) {
    std::memcpy(copy, text.data(), text.size());
    copy[text.size()] = '\0';
  }
  return copy;
}

// RE2 is handed "" rather than a NULL pointer for an empty text.
re2::StringPiece piece(const char *bytes, size_t length) {
  return length == 0 ? re2::StringPiece("", 0) : re2::StringPiece(bytes, length);
}

}  // namespace

extern "C" int cre2_compile(const char *pattern, size_t length, int64_t max_memory, CRE2Regex **regex,
                            char **error) {
  *regex = nullptr;
  *error = nullptr;
  try {
    // TensorFlow's kernels construct `RE2(pattern)`: default options (UTF-8, leftmost-first,
    // Perl classes and word boundaries, case-sensitive, `.` not matching `\n`). Only the memory
    // budget differs, and errors go to the caller instead of RE2's log.
    re2::RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(max_memory);
    CRE2Regex *compiled = new CRE2Regex(piece(pattern, length), options);
    if (compiled->re.ok()) {
      *regex = compiled;
      return CRE2_OK;
    }
    int status = compiled->re.error_code() == re2::RE2::ErrorPatternTooLarge ? CRE2_TOO_LARGE : CRE2_INVALID;
    *error = copy_string(compiled->re.error());
    delete compiled;
    return status;
  } catch (...) {
    return CRE2_OUT_OF_MEMORY;
  }
}

extern "C" void cre2_free(CRE2Regex *regex) { delete regex; }

extern "C" void cre2_free_buffer(void *buffer) { std::free(buffer); }

extern "C" int cre2_full_match(const CRE2Regex *regex, const char *text, size_t length) {
  try {
    return re2::RE2::FullMatch(piece(text, length), regex->re) ? 1 : 0;
  } catch (...) {
    return -1;
  }
}

extern "C" long cre2_replace(const CRE2Regex *regex, const char *text, size_t length, const char *rewrite,
                             size_t rewrite_length, int global, char **output, size_t *output_length) {
  *output = nullptr;
  *output_length = 0;
  try {
    std::string buffer(length == 0 ? "" : text, length);
    re2::StringPiece rewrite_piece = piece(rewrite, rewrite_length);
    long count = global ? re2::RE2::GlobalReplace(&buffer, regex->re, rewrite_piece)
                        : (re2::RE2::Replace(&buffer, regex->re, rewrite_piece) ? 1 : 0);
    if (count <= 0) return 0;
    char *copy = static_cast<char *>(std::malloc(buffer.size() == 0 ? 1 : buffer.size()));
    if (copy == nullptr) return -1;
    std::memcpy(copy, buffer.data(), buffer.size());
    *output = copy;
    *output_length = buffer.size();
    return count;
  } catch (...) {
    return -1;
  }
}
