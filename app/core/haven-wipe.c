/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-wipe"

#include "config.h"

#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
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
