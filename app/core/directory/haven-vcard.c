/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-vcard"

#include "config.h"

#include "haven-bidi.h"
#include "haven-vcard.h"

/* A service's contact card, for the QR code a visitor takes away on their
 * phone. vCard 3.0 (RFC 2426) rather than 4.0: it is what phone cameras
 * and contact apps read most reliably. */

/* RFC 2426 section 4: backslash, comma and semicolon are escaped in text
 * values, and a line break becomes "\n". */
static void
append_escaped (GString    *card,
                const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '\\':
        case ',':
        case ';':
          g_string_append_c (card, '\\');
          g_string_append_c (card, *p);
          break;

        case '\r':
          break;

        case '\n':
          g_string_append (card, "\\n");
          break;

        default:
          g_string_append_c (card, *p);
        }
    }
}

static void
append_property (GString    *card,
                 const char *name,
                 const char *value)
{
  if (value == NULL || value[0] == '\0')
    return;

  g_string_append (card, name);
  g_string_append_c (card, ':');
  append_escaped (card, value);
  g_string_append (card, "\r\n");
}

/* Numbers and addresses a phone dials or opens: shown isolated in Haven's
 * right-to-left sentences, but a vCard gives each its own property, where
 * the isolation marks would only stop the phone dialling. */
static void
append_machine_property (GString    *card,
                         const char *name,
                         const char *value)
{
  g_autofree char *plain = haven_bidi_strip_isolates (value);

  append_property (card, name, plain);
}

/**
 * haven_vcard_build:
 *
 * Returns: (transfer full): a vCard 3.0 with CRLF line ends
 */
char *
haven_vcard_build (const HavenVCardContact *contact)
{
  GString *card;

  g_return_val_if_fail (contact != NULL, NULL);
  g_return_val_if_fail (contact->name != NULL && contact->name[0] != '\0', NULL);

  card = g_string_new ("BEGIN:VCARD\r\nVERSION:3.0\r\n");

  /* FN is required; N must be present in 3.0, and an organisation's card
   * puts its name in the first component. */
  append_property (card, "FN", contact->name);
  g_string_append (card, "N:");
  append_escaped (card, contact->name);
  g_string_append (card, ";;;;\r\n");
  append_property (card, "ORG", contact->organization);

  for (gsize i = 0; contact->phones != NULL && contact->phones[i] != NULL; i++)
    append_machine_property (card, "TEL;TYPE=WORK,VOICE", contact->phones[i]);

  append_machine_property (card, "EMAIL;TYPE=INTERNET", contact->email);
  append_machine_property (card, "URL", contact->url);

  if (contact->address != NULL && contact->address[0] != '\0')
    {
      /* The whole address as the street component: the parts of an HSDS
       * address do not map one to one onto vCard's. */
      g_string_append (card, "ADR;TYPE=WORK:;;");
      append_escaped (card, contact->address);
      g_string_append (card, ";;;;\r\n");
    }

  append_property (card, "NOTE", contact->note);
  g_string_append (card, "END:VCARD\r\n");

  return g_string_free (card, FALSE);
}
