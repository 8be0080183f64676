/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "memory-scan"

#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "memory-scan.h"

/* Counts the copies of a marker string left anywhere in this process's
 * memory, read through /proc/self/mem. The test keeps the marker only
 * masked (each byte XOR MEMORY_SCAN_MASK) so that its own copy is never
 * counted; the plain text exists only where the code under test put it. */

void
memory_scan_make_marker (guint8 *masked,
                         gsize   length)
{
  static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";

  for (gsize i = 0; i < length; i++)
    masked[i] = alphabet[g_random_int_range (0, sizeof alphabet - 1)] ^ MEMORY_SCAN_MASK;
}

/**
 * memory_scan_reveal_marker:
 *
 * Returns: (transfer full): the plain marker, to hand to the code under test;
 *   the caller wipes its copy once done with it
 */
char *
memory_scan_reveal_marker (const guint8 *masked,
                           gsize         length)
{
  char *plain = g_malloc (length + 1);

  for (gsize i = 0; i < length; i++)
    plain[i] = masked[i] ^ MEMORY_SCAN_MASK;
  plain[length] = '\0';

  return plain;
}

static guint
count_in_buffer (const guint8 *buffer,
                 gsize         size,
                 const guint8 *masked,
                 gsize         length)
{
  guint count = 0;

  for (gsize offset = 0; offset + length <= size; offset++)
    {
      gsize i;

      if (buffer[offset] != (masked[0] ^ MEMORY_SCAN_MASK))
        continue;
      for (i = 1; i < length; i++)
        if (buffer[offset + i] != (masked[i] ^ MEMORY_SCAN_MASK))
          break;
      if (i == length)
        count++;
    }

  return count;
}

guint
memory_scan_count (const guint8 *masked,
                   gsize         length)
{
  FILE *maps;
  int memory;
  char line[512];
  guint count = 0;

  maps = fopen ("/proc/self/maps", "re");
  g_assert_nonnull (maps);
  memory = open ("/proc/self/mem", O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (memory, >=, 0);

  while (fgets (line, sizeof line, maps) != NULL)
    {
      unsigned long start, end;
      char permissions[5] = { 0 };
      g_autofree guint8 *buffer = NULL;
      gsize size;
      gssize n_read;

      if (sscanf (line, "%lx-%lx %4s", &start, &end, permissions) != 3)
        continue;
      /* Only writable mappings can hold what the program made at run time;
       * read-only ones hold code and constants. */
      if (permissions[0] != 'r' || permissions[1] != 'w' ||
          strstr (line, "[vvar]") != NULL || strstr (line, "[vsyscall]") != NULL)
        continue;

      size = end - start;
      if (size > 256 * 1024 * 1024)
        continue;

      buffer = g_try_malloc (size);
      if (buffer == NULL)
        continue;

      n_read = pread (memory, buffer, size, (off_t) start);
      if (n_read > 0)
        {
          guint found = count_in_buffer (buffer, n_read, masked, length);

          /* Where the copies are helps to find who left them. */
          if (found > 0)
            g_test_message ("%u in %s", found, g_strchomp (line));
          count += found;
        }

      explicit_bzero (buffer, size);
    }

  close (memory);
  fclose (maps);

  return count;
}
