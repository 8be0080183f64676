/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "haven-directory-sync.h"
#include "haven-directory-sync-private.h"

/* What an HSDS API server answers `havenctl directory sync`: a page of
 * services, a page of the minimal list, or an ndjson stream (the first
 * byte picks which, the rest is the body). The server is on the internet
 * and may be anyone's: whatever it sends is taken or refused with a
 * message an operator can read, never anything of the server's that
 * could act on a terminal. */

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = haven_directory_sync_parse_for_fuzzing (data, size, &error);

  if (ok)
    {
      g_assert_no_error (error);
      return 0;
    }
  if (error == NULL)
    return 0;

  g_assert_true (error->domain == HAVEN_DIRECTORY_SYNC_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  for (const char *c = error->message; *c != '\0'; c = g_utf8_next_char (c))
    g_assert_false (g_unichar_iscntrl (g_utf8_get_char (c)));
  return 0;
}
