/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What the libFuzzer targets share: each target's LLVMFuzzerInitialize
 * calls fuzz_init(), and the helpers turn the fuzzer's bytes into what a
 * parser takes. */

int    LLVMFuzzerInitialize    (int           *argc,
                                char        ***argv);
int    LLVMFuzzerTestOneInput  (const guint8  *data,
                                size_t         size);

/* Makes a critical or a warning abort, so that the fuzzer reports (and
 * keeps the input of) a g_return_if_fail() that hostile input can reach,
 * and keeps quieter messages out of the fuzzer's output. */
void   fuzz_init               (void);

/* @data split at every @separator into at most @max_parts strings (the
 * last one keeps the rest); a NUL inside a part ends it. */
GStrv  fuzz_split              (const guint8  *data,
                                gsize          size,
                                char           separator,
                                guint          max_parts);

/* A folder of this process's own, made on first use and removed with
 * everything in it when the process exits. */
const char *fuzz_scratch_dir   (void);

/* @name inside fuzz_scratch_dir(), made when missing. */
const char *fuzz_scratch_subdir (const char    *name);

/* Writes @length bytes to @name in @dir, replacing it. */
void   fuzz_write_file         (const char    *dir,
                                const char    *name,
                                const void    *data,
                                gsize          length);

/* Removes every file in @dir (not folders). */
void   fuzz_empty_dir          (const char    *dir);

G_END_DECLS
