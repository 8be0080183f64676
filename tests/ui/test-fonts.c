/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "haven-locale.h"
#include "test-files.h"
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
  g_auto(GStrv) languages = shipped_languages ();

  gtk_window_set_child (GTK_WINDOW (window), label);
  gtk_window_present (GTK_WINDOW (window));
  iterate ();

  g_assert_cmpuint (g_strv_length (languages), ==, 20);
  for (gsize i = 0; languages[i] != NULL; i++)
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

/* The family of the font Pango draws the first letter of @label's text
 * with, once @label shows @text. */
static char *
first_font_family (GtkWidget  *label,
                   const char *text)
{
  PangoLayoutIter *iter;
  PangoLayoutRun *run;
  g_autoptr(PangoFontDescription) description = NULL;
  char *family;

  gtk_label_set_label (GTK_LABEL (label), text);
  /* Styles are recomputed at the next frame. */
  wait_ms (100);
  iter = pango_layout_get_iter (gtk_label_get_layout (GTK_LABEL (label)));
  run = pango_layout_iter_get_run_readonly (iter);
  g_assert_nonnull (run);
  description = pango_font_describe (run->item->analysis.font);
  family = g_strdup (pango_font_description_get_family (description));
  pango_layout_iter_free (iter);
  return family;
}

/* Urdu is read in Nastaliq, not in the Naskh or Kufi that fontconfig
 * picks for Arabic script; each language's name on the welcome page is in
 * its own font, whatever the window's language. */
static void
test_urdu_in_nastaliq (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *text = gtk_label_new (NULL);
  GtkWidget *urdu_name = gtk_button_new_with_label ("x");
  GtkWidget *arabic_name = gtk_button_new_with_label ("x");
  GtkWidget *urdu_label = gtk_button_get_child (GTK_BUTTON (urdu_name));
  GtkWidget *arabic_label = gtk_button_get_child (GTK_BUTTON (arabic_name));
  g_autofree char *urdu_family = NULL;
  g_autofree char *urdu_button_family = NULL;
  g_autofree char *arabic_button_family = NULL;
  g_autofree char *english_family = NULL;

  gtk_widget_add_css_class (urdu_name, "language-choice");
  gtk_widget_add_css_class (urdu_name, haven_locale_get_style_class ("ur"));
  gtk_widget_add_css_class (arabic_name, "language-choice");
  gtk_widget_add_css_class (arabic_name, haven_locale_get_style_class ("ar"));
  gtk_box_append (GTK_BOX (box), text);
  gtk_box_append (GTK_BOX (box), urdu_name);
  gtk_box_append (GTK_BOX (box), arabic_name);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  iterate ();

  english_family = first_font_family (text, "Leave now");
  gtk_widget_add_css_class (window, haven_locale_get_style_class ("ur"));
  iterate ();

  urdu_family = first_font_family (text, haven_locale_get_native_name ("ur"));
  urdu_button_family = first_font_family (urdu_label, haven_locale_get_native_name ("ur"));
  arabic_button_family = first_font_family (arabic_label, haven_locale_get_native_name ("ar"));
  g_assert_cmpstr (urdu_family, ==, "Noto Nastaliq Urdu");
  g_assert_cmpstr (urdu_button_family, ==, "Noto Nastaliq Urdu");
  g_assert_cmpstr (arabic_button_family, !=, "Noto Nastaliq Urdu");

  /* In any other language, nothing is in Nastaliq. */
  gtk_widget_remove_css_class (window, haven_locale_get_style_class ("ur"));
  iterate ();
  g_free (urdu_family);
  urdu_family = first_font_family (text, haven_locale_get_native_name ("ur"));
  g_assert_cmpstr (urdu_family, !=, "Noto Nastaliq Urdu");
  g_assert_cmpstr (english_family, !=, "Noto Nastaliq Urdu");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  visit_driver_init (&argc, &argv);

  g_test_add_func ("/haven/fonts/every-language-has-fonts", test_every_language_has_fonts);
  g_test_add_func ("/haven/fonts/urdu-in-nastaliq", test_urdu_in_nastaliq);

  return g_test_run ();
}
