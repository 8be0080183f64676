/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-wipe"

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef HAVE_VALGRIND_H
#include <valgrind/valgrind.h>
#endif

#include "haven-wipe.h"

/* Overwrites a string a visitor may have typed, then frees it. explicit_bzero
 * is not optimised away the way a memset before free() may be, so the bytes
 * are really gone from the heap, not merely returned to the allocator. */
void
haven_wipe_string (char *string)
{
  if (string == NULL)
    return;

  explicit_bzero (string, strlen (string));
  g_free (string);
}

void
haven_wipe_clear_string (char **string_pointer)
{
  g_return_if_fail (string_pointer != NULL);

  haven_wipe_string (g_steal_pointer (string_pointer));
}

/**
 * haven_wipe_set_scrub_freed_memory:
 * @scrub: whether freed memory is overwritten from now on
 *
 * Makes the C library overwrite every block of memory as it is freed (and
 * fill new ones), or stops it. What a visitor typed passes through buffers
 * Haven does not own (GTK's text buffers, Pango's layouts, GLib's strings):
 * they are freed as the visitor types and when the pages are destroyed, and
 * free() alone leaves the bytes readable in the heap. Scrubbing costs a
 * memset on every allocation, so it is on only while a visit is under way.
 */
void
haven_wipe_set_scrub_freed_memory (gboolean scrub)
{
#ifdef __GLIBC__
  /* glibc fills freed blocks with this byte, and new ones with its
   * complement; 0 turns it off. */
  mallopt (M_PERTURB, scrub ? 0xa5 : 0);
#endif
}

#define NO_THREAD_CACHE "glibc.malloc.tcache_count=0"

/**
 * haven_wipe_restart_without_thread_cache:
 * @argv: main()'s argv
 *
 * glibc keeps recently freed small blocks in per-thread caches, and those
 * skip the scrubbing that haven_wipe_set_scrub_freed_memory() turns on, so
 * what a visitor typed could stay in them. The cache can only be turned
 * off as the process starts, through GLIBC_TUNABLES: unless it is off
 * already, this starts the program again with it off. Call it first thing
 * in main(), before any thread exists.
 */
void
haven_wipe_restart_without_thread_cache (char **argv)
{
#ifdef __GLIBC__
  const char *tunables = getenv ("GLIBC_TUNABLES");
  g_autofree char *restart_tunables = NULL;

  if (tunables != NULL && strstr (tunables, NO_THREAD_CACHE) != NULL)
    return;

#ifdef HAVE_VALGRIND_H
  /* Under valgrind, malloc is valgrind's, with no thread cache, and
   * /proc/self/exe is valgrind's own program, not this one. */
  if (RUNNING_ON_VALGRIND)
    return;
#endif

  if (tunables != NULL && tunables[0] != '\0')
    restart_tunables = g_strconcat (tunables, ":", NO_THREAD_CACHE, NULL);
  else
    restart_tunables = g_strdup (NO_THREAD_CACHE);

  setenv ("GLIBC_TUNABLES", restart_tunables, 1);
  execv ("/proc/self/exe", argv);
  /* Still here: go on with the cache rather than not at all. */
#endif
}
