/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-error-summary"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-error-summary.h"

/* What stops a visitor going on, said once at the top of the page: how
 * many things to correct, and each of them in words, each a button that
 * takes the visitor to its field (or, for an answer given on another
 * page, to that page). Each field says its own problem beside it too; the
 * summary is for those who would not see that far, or not see the colour.
 *
 * It is an alert to assistive technologies, with the whole text as its
 * name, so that a screen reader says it as it appears; GTK 4.8 has no
 * other way to announce. When it appears, the keyboard focus goes to the
 * first field to correct, whose description holds its message. */
struct _HavenErrorSummary
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkLabel *title;
  GtkBox *problems;

  /* The field the focus goes to first; it may go before the summary
   * does (a row of the page is removed), hence weak. */
  GWeakRef first_field;
  /* Whether a problem is to be corrected on another page: the summary
   * then does not say "below". */
  gboolean elsewhere;
  /* Each problem, a line each; and all the summary says, once shown. */
  GString *problems_text;
  char *text;
  guint n_problems;
};

G_DEFINE_FINAL_TYPE (HavenErrorSummary, haven_error_summary, GTK_TYPE_WIDGET)

static void
haven_error_summary_dispose (GObject *object)
{
  HavenErrorSummary *self = HAVEN_ERROR_SUMMARY (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_weak_ref_set (&self->first_field, NULL);

  G_OBJECT_CLASS (haven_error_summary_parent_class)->dispose (object);
}

static void
haven_error_summary_finalize (GObject *object)
{
  HavenErrorSummary *self = HAVEN_ERROR_SUMMARY (object);

  g_weak_ref_clear (&self->first_field);
  g_string_free (self->problems_text, TRUE);
  g_free (self->text);

  G_OBJECT_CLASS (haven_error_summary_parent_class)->finalize (object);
}

static void
haven_error_summary_class_init (HavenErrorSummaryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haven_error_summary_dispose;
  object_class->finalize = haven_error_summary_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "errorsummary");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_ALERT);
}

static void
haven_error_summary_init (HavenErrorSummary *self)
{
  g_weak_ref_init (&self->first_field, NULL);
  self->problems_text = g_string_new (NULL);

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->title = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->title, TRUE);
  gtk_label_set_wrap_mode (self->title, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (self->title, 0.0f);
  gtk_widget_add_css_class (GTK_WIDGET (self->title), "error-summary-title");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->title));

  self->problems = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 0));
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->problems));

  gtk_widget_add_css_class (GTK_WIDGET (self), "error-summary");
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
haven_error_summary_new (void)
{
  return g_object_new (HAVEN_TYPE_ERROR_SUMMARY, NULL);
}

/**
 * haven_error_summary_clear:
 *
 * Forgets every problem and hides the summary: the page is checked again.
 */
void
haven_error_summary_clear (HavenErrorSummary *self)
{
  GtkWidget *child;

  g_return_if_fail (HAVEN_IS_ERROR_SUMMARY (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->problems))) != NULL)
    gtk_box_remove (self->problems, child);

  g_weak_ref_set (&self->first_field, NULL);
  g_string_truncate (self->problems_text, 0);
  g_clear_pointer (&self->text, g_free);
  self->n_problems = 0;
  self->elsewhere = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

static void
focus_field_cb (GtkWidget *field)
{
  gtk_widget_grab_focus (field);
}

static GtkWidget *
add_problem (HavenErrorSummary *self,
             const char        *message)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *label = gtk_label_new (message);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_button_set_child (GTK_BUTTON (button), label);
  /* The whole width: a wrapping label in a button that is only as wide
   * as it asks wraps after a word or two, in right-to-left text. */
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "error-summary-problem");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, message,
                                  -1);
  gtk_box_append (self->problems, button);

  if (self->problems_text->len > 0)
    g_string_append_c (self->problems_text, '\n');
  g_string_append (self->problems_text, message);
  self->n_problems++;

  return button;
}

/**
 * haven_error_summary_add:
 * @message: what to do, as the field says it ("Enter the web address,
 *   starting with https://")
 * @field: (nullable): the field to correct, which the problem's button
 *   (and, for the first, the summary itself) gives the focus to
 */
void
haven_error_summary_add (HavenErrorSummary *self,
                         const char        *message,
                         GtkWidget         *field)
{
  GtkWidget *button;
  g_autoptr(GtkWidget) first_field = NULL;

  g_return_if_fail (HAVEN_IS_ERROR_SUMMARY (self));
  g_return_if_fail (message != NULL);
  g_return_if_fail (field == NULL || GTK_IS_WIDGET (field));

  button = add_problem (self, message);
  if (field == NULL)
    return;

  /* Connected to the field: when it goes, so does the handler. */
  g_signal_connect_object (button, "clicked", G_CALLBACK (focus_field_cb), field, G_CONNECT_SWAPPED);
  first_field = g_weak_ref_get (&self->first_field);
  if (first_field == NULL)
    g_weak_ref_set (&self->first_field, field);
}

/**
 * haven_error_summary_add_on_page:
 * @message: what to do
 * @page: the page of the visit where it is done, as the window's
 *   visit.go-to action names it ("HavenRemovalRolePage")
 *
 * Adds a problem with an answer given on another page: its button goes
 * there.
 */
void
haven_error_summary_add_on_page (HavenErrorSummary *self,
                                 const char        *message,
                                 const char        *page)
{
  GtkWidget *button;

  g_return_if_fail (HAVEN_IS_ERROR_SUMMARY (self));
  g_return_if_fail (message != NULL);
  g_return_if_fail (page != NULL);

  button = add_problem (self, message);
  self->elsewhere = TRUE;
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", page);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "visit.go-to");
}

guint
haven_error_summary_get_n_problems (HavenErrorSummary *self)
{
  g_return_val_if_fail (HAVEN_IS_ERROR_SUMMARY (self), 0);

  return self->n_problems;
}

/**
 * haven_error_summary_get_text:
 *
 * Returns: what the summary says, its title and each problem on a line of
 *   its own, as assistive technologies are given it
 */
const char *
haven_error_summary_get_text (HavenErrorSummary *self)
{
  g_return_val_if_fail (HAVEN_IS_ERROR_SUMMARY (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self)) && self->text != NULL ? self->text : "";
}

/**
 * haven_error_summary_present:
 * @intro: (nullable): the summary's first line, or %NULL for how many
 *   things there are to correct on the page
 *
 * Shows the problems added since haven_error_summary_clear(), if any, and
 * moves the keyboard focus to the first field to correct, or to the first
 * problem's button when none is on this page.
 *
 * Returns: whether there was anything to show
 */
gboolean
haven_error_summary_present (HavenErrorSummary *self,
                             const char        *intro)
{
  g_autofree char *count = NULL;

  g_return_val_if_fail (HAVEN_IS_ERROR_SUMMARY (self), FALSE);

  if (self->n_problems == 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return FALSE;
    }

  if (intro == NULL && self->elsewhere)
    intro = count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  "There is %u thing to correct.",
                                                  "There are %u things to correct.",
                                                  self->n_problems),
                                     self->n_problems);
  else if (intro == NULL)
    intro = count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  "There is %u thing to correct below.",
                                                  "There are %u things to correct below.",
                                                  self->n_problems),
                                     self->n_problems);
  gtk_label_set_label (self->title, intro);

  /* The title first, for the accessible name and the tests alike. */
  g_free (self->text);
  self->text = g_strconcat (intro, "\n", self->problems_text->str, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->text,
                                  -1);

  /* Shown afresh, so that it is announced again on a second try. */
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);

  haven_error_summary_focus_problem (self);

  return TRUE;
}

/**
 * haven_error_summary_focus_problem:
 *
 * Moves the keyboard focus to the first field to correct, or to the first
 * problem's button when none is on this page.
 *
 * Returns: whether the focus moved: the summary is shown, and on screen
 */
gboolean
haven_error_summary_focus_problem (HavenErrorSummary *self)
{
  g_autoptr(GtkWidget) first_field = NULL;

  g_return_val_if_fail (HAVEN_IS_ERROR_SUMMARY (self), FALSE);

  if (!gtk_widget_get_visible (GTK_WIDGET (self)) || self->n_problems == 0)
    return FALSE;

  first_field = g_weak_ref_get (&self->first_field);
  if (first_field != NULL && gtk_widget_grab_focus (first_field))
    return TRUE;

  return gtk_widget_grab_focus (gtk_widget_get_first_child (GTK_WIDGET (self->problems)));
}
