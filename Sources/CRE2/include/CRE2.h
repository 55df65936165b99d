#ifndef CRE2_H
#define CRE2_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A compiled RE2 regular expression. Immutable once compiled: like RE2 itself, one may be
/// matched from several threads at once.
typedef struct CRE2Regex CRE2Regex;

/// What `cre2_compile` reports.
enum {
  /// Compiled; `*regex` holds the expression.
  CRE2_OK = 0,
  /// RE2 rejected the syntax (`ok()` false); `*error` holds `error()`.
  CRE2_INVALID = 1,
  /// The program does not fit `max_memory` (RE2's `ErrorPatternTooLarge`); `*error` holds
  /// `error()`.
  CRE2_TOO_LARGE = 2,
  /// Memory ran out; `*error` is NULL.
  CRE2_OUT_OF_MEMORY = 3,
};

/// Compiles `pattern` (`length` bytes, NULs allowed) as TensorFlow's regex kernels do,
/// `RE2(pattern)` with default options, except that `max_mem` is `max_memory` and errors are
/// not logged to stderr. Returns a `CRE2_*` status; on `CRE2_OK` sets `*regex` (free it with
/// `cre2_free`), on `CRE2_INVALID` and `CRE2_TOO_LARGE` sets `*error` to a NUL-terminated
/// string from malloc (free it with `cre2_free_buffer`) or NULL if that allocation failed.
int cre2_compile(const char *pattern, size_t length, int64_t max_memory, CRE2Regex **regex, char **error);

/// Frees a compiled expression; NULL is ignored.
void cre2_free(CRE2Regex *regex);

/// Frees a string or buffer this library returned; NULL is ignored.
void cre2_free_buffer(void *buffer);

/// `RE2::FullMatch(text, *regex)`: 1 when the whole text matches, 0 when not, -1 when memory
/// ran out.
int cre2_full_match(const CRE2Regex *regex, const char *text, size_t length);

/// `RE2::GlobalReplace` (every non-overlapping match) when `global` is nonzero, else
/// `RE2::Replace` (the first match), on a copy of `text` with `rewrite` (`\0`–`\9`, `\\`).
/// Returns the number of replacements made (0 or 1 without `global`), or -1 when memory ran out.
/// When it returns a positive number, `*output` is the new text from malloc (free it with
/// `cre2_free_buffer`) and `*output_length` its length; otherwise the text is unchanged and
/// `*output` is NULL.
long cre2_replace(const CRE2Regex *regex, const char *text, size_t length, const char *rewrite,
                  size_t rewrite_length, int global, char **output, size_t *output_length);

#ifdef __cplusplus
}
#endif

#endif
