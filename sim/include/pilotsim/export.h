/// @file export.h
/// Symbol visibility and C linkage for the public headers.
/// libpilotsim is compiled with hidden visibility: only what a public header declares
/// between PS_BEGIN_DECLS and PS_END_DECLS is exported from libpilotsim.so (tests list
/// the exports with `nm -D`). PS_API marks a single declaration outside such a block.
#ifndef PILOTSIM_EXPORT_H
#define PILOTSIM_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
/// Exported from the shared library (default visibility).
#define PS_API __attribute__((visibility("default")))
#define PS_PRAGMA_(x) _Pragma(#x)
#define PS_VISIBILITY_PUSH_ PS_PRAGMA_(GCC visibility push(default))
#define PS_VISIBILITY_POP_ PS_PRAGMA_(GCC visibility pop)
#else
#define PS_API
#define PS_VISIBILITY_PUSH_
#define PS_VISIBILITY_POP_
#endif

#ifdef __cplusplus
/// Opens a block of exported declarations with C linkage.
#define PS_BEGIN_DECLS extern "C" { PS_VISIBILITY_PUSH_
/// Closes a PS_BEGIN_DECLS block.
#define PS_END_DECLS PS_VISIBILITY_POP_ }
#else
#define PS_BEGIN_DECLS PS_VISIBILITY_PUSH_
#define PS_END_DECLS PS_VISIBILITY_POP_
#endif

#endif
