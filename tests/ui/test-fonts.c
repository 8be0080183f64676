/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "haven-locale.h"
#include "visit-driver.h"

/* No text renders as boxes: in every offered language, the words a visitor
 * reads first, laid out as a page lays them out, find a font for every
 * character. */

static const char * const sample_msgids[] = {
  "Leave now",
  "Are you in danger right now?",
  "Which of these is closest to what happened?",
  "What happened is not your fault.",
  "People who can help",
  "Your summary",
};

static void
assert_no_unknown_glyphs (GtkWidget  *widget,
                          const char *language,
                          const char *text)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int unknown = pango_layout_get_unknown_glyphs_count (layout);

  if (unknown > 0)
    g_error ("%d characters of “%s” (%s) have no font", unknown, text, language);
}

static void
test_every_language_has_fonts (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *label = gtk_label_new (NULL);
  const char * const languages[] = { "ar", "en", "es", "fr", "ru", "vi", "zh_CN" };

  gtk_window_set_child (GTK_WINDOW (window), label);
  gtk_window_present (GTK_WINDOW (window));
  iterate ();

  for (gsize i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      haven_locale_apply (languages[i]);

      /* The welcome page names every language in its own script. */
      assert_no_unknown_glyphs (label, languages[i], haven_locale_get_native_name (languages[i]));

      for (gsize j = 0; j < G_N_ELEMENTS (sample_msgids); j++)
        {
          const char *translated = g_dgettext (GETTEXT_PACKAGE, sample_msgids[j]);

          /* Checked as translated: an untranslated catalog would pass
           * without testing its script. */
          if (!g_str_equal (languages[i], "en"))
            g_assert_cmpstr (translated, !=, sample_msgids[j]);
          assert_no_unknown_glyphs (label, languages[i], translated);
        }
    }

  haven_locale_apply ("en");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  visit_driver_init (&argc, &argv);

  g_test_add_func ("/haven/fonts/every-language-has-fonts", test_every_language_has_fonts);

  return g_test_run ();
}
