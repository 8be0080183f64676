/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-wipe"

#include "config.h"

#include <string.h>

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
