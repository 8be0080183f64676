/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-vcard"

#include "config.h"

#include <string.h>

#include "haven-vcard.h"

static void
test_full_card (void)
{
  const char *phones[] = { "+44 20 7946 0123", "+44 20 7946 0999", NULL };
  HavenVCardContact contact = {
    .name = "Harbour Support Line",
    .organization = "Harbour Trust",
    .phones = phones,
    .email = "help@harbour.example.org",
    .url = "https://harbour.example.org",
    .address = "1 Quay Street, London",
    .note = NULL,
  };
  g_autofree char *card = haven_vcard_build (&contact);

  g_assert_cmpstr (card, ==,
                   "BEGIN:VCARD\r\n"
                   "VERSION:3.0\r\n"
                   "FN:Harbour Support Line\r\n"
                   "N:Harbour Support Line;;;;\r\n"
                   "ORG:Harbour Trust\r\n"
                   "TEL;TYPE=WORK,VOICE:+44 20 7946 0123\r\n"
                   "TEL;TYPE=WORK,VOICE:+44 20 7946 0999\r\n"
                   "EMAIL;TYPE=INTERNET:help@harbour.example.org\r\n"
                   "URL:https://harbour.example.org\r\n"
                   "ADR;TYPE=WORK:;;1 Quay Street\\, London;;;;\r\n"
                   "END:VCARD\r\n");
}

/* Values cannot break out of their property: separators are escaped and a
 * line break becomes "\n". */
static void
test_escaping (void)
{
  HavenVCardContact contact = {
    .name = "A;B,C\\D",
    .note = "line one\r\nline two",
  };
  g_autofree char *card = haven_vcard_build (&contact);

  g_assert_nonnull (strstr (card, "FN:A\\;B\\,C\\\\D\r\n"));
  g_assert_nonnull (strstr (card, "NOTE:line one\\nline two\r\n"));
  g_assert_null (strstr (card, "ORG:"));
  g_assert_null (strstr (card, "TEL"));
}

static void
test_unicode_name (void)
{
  HavenVCardContact contact = { .name = "خط المساعدة" };
  g_autofree char *card = haven_vcard_build (&contact);

  g_assert_true (g_utf8_validate (card, -1, NULL));
  g_assert_nonnull (strstr (card, "FN:خط المساعدة\r\n"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/haven/vcard/full-card", test_full_card);
  g_test_add_func ("/haven/vcard/escaping", test_escaping);
  g_test_add_func ("/haven/vcard/unicode-name", test_unicode_name);

  return g_test_run ();
}
