/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-question-page"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "haven-answer.h"
#include "haven-bidi.h"
#include "haven-choice.h"
#include "haven-currency.h"
#include "haven-question-page.h"
#include "haven-visit-footer.h"
#include "haven-wipe.h"

/* One guided question (data/content/questions.xml) on a page of its own,
 * with the control its type needs. Every question can be skipped; a hard
 * one says first that what happened is not the visitor's fault. Choices
 * and text are kept in the session as they change, so Back and a change
 * of language show them again; a date and an amount are checked and kept
 * on Continue. */
struct _HavenQuestionPage
{
  HavenPage parent_instance;

  GtkLabel *position_label;
  GtkWidget *not_your_fault_label;
  GtkLabel *heading;
  GtkLabel *why_label;
  GtkLabel *hint_label;
  GtkBox *answer_box;
  GtkLabel *error_label;
  HavenVisitFooter *footer;

  HavenQuestion *question;

  /* Choices, yes/no: one check button per choice, its id in "choice-id". */
  GPtrArray *choice_buttons;
  /* Short text, amount. */
  GtkEntry *entry;
  /* Long text, web addresses. */
  GtkTextView *text_view;
  /* Date. */
  GtkDropDown *day;
  GtkDropDown *month;
  GtkDropDown *year;
  GtkToggleButton *date_unknown;
  /* Amount. */
  GtkDropDown *currency;
  GStrv currencies;
};

G_DEFINE_FINAL_TYPE (HavenQuestionPage, haven_question_page, HAVEN_TYPE_PAGE)

enum {
  PROP_0,
  PROP_QUESTION,
  N_PROPS,
};

static GParamSpec *props[N_PROPS];

/* Long enough for a name or an address; short enough to read back. */
#define SHORT_TEXT_MAX_CHARS 200
#define LONG_TEXT_MAX_CHARS  2000
/* How many years back the date question offers. */
#define DATE_YEARS_BACK 20

static HavenSession *
get_session (HavenQuestionPage *self)
{
  return haven_page_get_session (HAVEN_PAGE (self));
}

static const char *
get_answer (HavenQuestionPage *self)
{
  return haven_session_get_answer (get_session (self), haven_question_get_id (self->question));
}

static void
set_answer (HavenQuestionPage *self,
            const char        *answer)
{
  haven_session_set_answer (get_session (self), haven_question_get_id (self->question), answer);
}

/* What to do, beside the answer and in the page's summary at the top,
 * which takes the focus to @field. */
static void
show_error (HavenQuestionPage *self,
            GtkWidget         *field,
            const char        *message)
{
  HavenErrorSummary *summary = haven_page_get_error_summary (HAVEN_PAGE (self));

  haven_page_show_field_error (self->error_label, field, message);
  haven_error_summary_clear (summary);
  if (message != NULL)
    haven_error_summary_add (summary, message, field);
  haven_error_summary_present (summary, NULL);
}

/* Choices */

static gboolean
is_multi_choice (HavenQuestionPage *self)
{
  return haven_question_get_answer_type (self->question) == HAVEN_QUESTION_TYPE_MULTI_CHOICE;
}

static void
choice_toggled_cb (HavenQuestionPage *self,
                   GtkToggleButton   *button)
{
  g_autoptr(GPtrArray) chosen = g_ptr_array_new_null_terminated (0, NULL, TRUE);

  for (guint i = 0; i < self->choice_buttons->len; i++)
    {
      GtkToggleButton *candidate = g_ptr_array_index (self->choice_buttons, i);

      if (gtk_toggle_button_get_active (candidate))
        g_ptr_array_add (chosen, g_object_get_data (G_OBJECT (candidate), "choice-id"));
    }

  if (is_multi_choice (self))
    {
      g_autofree char *joined = haven_answer_join_choices ((const char * const *) chosen->pdata);

      set_answer (self, joined);
    }
  else
    set_answer (self, chosen->len > 0 ? g_ptr_array_index (chosen, 0) : NULL);
}

/* @msgid: the label untranslated, for the helper's language */
static void
add_choice (HavenQuestionPage *self,
            GtkBox            *group,
            const char        *id,
            const char        *msgid,
            gboolean           active)
{
  gboolean exclusive = !is_multi_choice (self);
  GtkWidget *button = haven_choice_new (exclusive ? GTK_ACCESSIBLE_ROLE_RADIO
                                                  : GTK_ACCESSIBLE_ROLE_CHECKBOX);
  GtkWidget *text = haven_page_make_label (g_dgettext (GETTEXT_PACKAGE, msgid), NULL, 0);
  GtkWidget *helper = haven_page_make_helper_label (HAVEN_PAGE (self), msgid);

  /* A wrapping label asks for little width: it must take the row's. */
  gtk_widget_set_hexpand (text, TRUE);
  if (helper != NULL)
    {
      GtkWidget *both = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

      gtk_box_append (GTK_BOX (both), text);
      gtk_box_append (GTK_BOX (both), helper);
      gtk_button_set_child (GTK_BUTTON (button), both);
    }
  else
    gtk_button_set_child (GTK_BUTTON (button), text);
  /* The visitor's words name the choice; the helper's line does not. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, text, NULL,
                                  -1);
  gtk_widget_add_css_class (button, "answer-choice");
  g_object_set_data_full (G_OBJECT (button), "choice-id", g_strdup (id), g_free);
  if (exclusive && self->choice_buttons->len > 0)
    gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button),
                                 g_ptr_array_index (self->choice_buttons, 0));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), active);
  g_signal_connect_object (button, "toggled", G_CALLBACK (choice_toggled_cb), self,
                           G_CONNECT_SWAPPED);

  g_ptr_array_add (self->choice_buttons, button);
  gtk_box_append (group, button);
}

/* The choices as one group named by the question: a radio group when
 * only one may be chosen. */
static void
build_choices (HavenQuestionPage *self)
{
  g_auto(GStrv) chosen = haven_answer_split_choices (get_answer (self));
  gboolean exclusive = !is_multi_choice (self);
  GtkBox *group = g_object_new (GTK_TYPE_BOX,
                                "orientation", GTK_ORIENTATION_VERTICAL,
                                "spacing", 8,
                                "accessible-role", exclusive ? GTK_ACCESSIBLE_ROLE_RADIO_GROUP
                                                             : GTK_ACCESSIBLE_ROLE_GROUP,
                                NULL);

  gtk_accessible_update_relation (GTK_ACCESSIBLE (group),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->heading, NULL,
                                  -1);
  gtk_box_append (self->answer_box, GTK_WIDGET (group));

  if (haven_question_get_answer_type (self->question) == HAVEN_QUESTION_TYPE_YES_NO)
    {
      add_choice (self, group, HAVEN_ANSWER_YES, N_("Yes"),
                  g_strv_contains ((const char * const *) chosen, HAVEN_ANSWER_YES));
      add_choice (self, group, HAVEN_ANSWER_NO, N_("No"),
                  g_strv_contains ((const char * const *) chosen, HAVEN_ANSWER_NO));
      return;
    }

  for (const char * const *ids = haven_question_get_choice_ids (self->question); *ids != NULL; ids++)
    add_choice (self, group, *ids, haven_question_get_choice_label (self->question, *ids),
                g_strv_contains ((const char * const *) chosen, *ids));
}

/* Text */

static void
entry_changed_cb (HavenQuestionPage *self,
                  GtkEditable       *editable)
{
  set_answer (self, gtk_editable_get_text (editable));
}

static void
text_changed_cb (HavenQuestionPage *self,
                 GtkTextBuffer     *buffer)
{
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  set_answer (self, text);
  explicit_bzero (text, strlen (text));
}

static void
label_field (HavenQuestionPage *self,
             GtkWidget         *field)
{
  gtk_accessible_update_relation (GTK_ACCESSIBLE (field),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->heading, NULL,
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, self->error_label, self->hint_label,
                                  self->why_label, NULL,
                                  -1);
}

static void
build_entry (HavenQuestionPage *self)
{
  const char *answer = get_answer (self);

  self->entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_max_length (self->entry, SHORT_TEXT_MAX_CHARS);
  gtk_entry_set_input_hints (self->entry, GTK_INPUT_HINT_NO_EMOJI | GTK_INPUT_HINT_NO_SPELLCHECK);
  if (answer != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->entry), answer);
  label_field (self, GTK_WIDGET (self->entry));
  g_signal_connect_object (self->entry, "changed", G_CALLBACK (entry_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (self->answer_box, GTK_WIDGET (self->entry));
}

static void
build_text_view (HavenQuestionPage *self)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkTextBuffer *buffer;
  const char *answer = get_answer (self);

  self->text_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  buffer = gtk_text_view_get_buffer (self->text_view);
  /* The undo history would keep copies of everything typed and deleted. */
  gtk_text_buffer_set_enable_undo (buffer, FALSE);
  gtk_text_view_set_wrap_mode (self->text_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (self->text_view, FALSE);
  gtk_text_view_set_top_margin (self->text_view, 12);
  gtk_text_view_set_bottom_margin (self->text_view, 12);
  gtk_text_view_set_left_margin (self->text_view, 12);
  gtk_text_view_set_right_margin (self->text_view, 12);
  if (haven_question_get_answer_type (self->question) == HAVEN_QUESTION_TYPE_URL_LIST)
    gtk_text_view_set_input_purpose (self->text_view, GTK_INPUT_PURPOSE_URL);
  if (answer != NULL)
    gtk_text_buffer_set_text (buffer, answer, -1);
  label_field (self, GTK_WIDGET (self->text_view));
  g_signal_connect_object (buffer, "changed", G_CALLBACK (text_changed_cb), self,
                           G_CONNECT_SWAPPED);

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 160);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->text_view));
  gtk_widget_add_css_class (scroller, "card");
  gtk_widget_add_css_class (scroller, "answer-frame");
  gtk_box_append (self->answer_box, scroller);
}

/* Date */

/* Takes @items. */
static GtkDropDown *
make_drop_down (GtkStringList *items,
                const char    *accessible_name,
                guint          selected)
{
  GtkDropDown *drop_down = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (items), NULL));

  gtk_drop_down_set_selected (drop_down, selected);
  gtk_accessible_update_property (GTK_ACCESSIBLE (drop_down),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_name,
                                  -1);
  /* The drop-down's own button is what takes the focus: it needs the
   * name too. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (drop_down)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_BUTTON (child))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_name,
                                      -1);
  return drop_down;
}

static int
current_year (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_get_year (now);
}

static void
date_unknown_toggled_cb (HavenQuestionPage *self)
{
  gboolean unknown = gtk_toggle_button_get_active (self->date_unknown);

  gtk_widget_set_sensitive (GTK_WIDGET (self->day), !unknown);
  gtk_widget_set_sensitive (GTK_WIDGET (self->month), !unknown);
  gtk_widget_set_sensitive (GTK_WIDGET (self->year), !unknown);
}

static void
build_date (HavenQuestionPage *self)
{
  GtkStringList *days = gtk_string_list_new (NULL);
  GtkStringList *months = gtk_string_list_new (NULL);
  GtkStringList *years = gtk_string_list_new (NULL);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  int this_year = current_year ();
  int year = 0, month = 0, day = 0;
  guint selected_year = 0;

  haven_answer_split_date (get_answer (self), &year, &month, &day);

  /* The first item of each list stands for "not chosen". */
  gtk_string_list_append (days, C_("date", "Day"));
  for (int d = 1; d <= 31; d++)
    {
      g_autofree char *text = g_strdup_printf ("%d", d);

      gtk_string_list_append (days, text);
    }

  gtk_string_list_append (months, C_("date", "Month"));
  for (int m = 1; m <= 12; m++)
    gtk_string_list_append (months, haven_answer_get_month_name (m));

  gtk_string_list_append (years, C_("date", "Year"));
  for (int y = this_year; y > this_year - DATE_YEARS_BACK; y--)
    {
      g_autofree char *text = g_strdup_printf ("%d", y);

      gtk_string_list_append (years, text);
      if (y == year)
        selected_year = (guint) (this_year - y + 1);
    }

  self->day = make_drop_down (days, C_("date", "Day"), (guint) day);
  self->month = make_drop_down (months, C_("date", "Month"), (guint) month);
  self->year = make_drop_down (years, C_("date", "Year"), selected_year);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->day));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->month));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->year));
  gtk_box_append (self->answer_box, row);

  self->date_unknown = GTK_TOGGLE_BUTTON (haven_choice_new (GTK_ACCESSIBLE_ROLE_CHECKBOX));
  gtk_button_set_child (GTK_BUTTON (self->date_unknown),
                        haven_page_make_label (_("I do not know the date"), NULL, 0));
  gtk_widget_set_hexpand (gtk_button_get_child (GTK_BUTTON (self->date_unknown)), TRUE);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->date_unknown),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  gtk_button_get_child (GTK_BUTTON (self->date_unknown)), NULL,
                                  -1);
  gtk_widget_add_css_class (GTK_WIDGET (self->date_unknown), "answer-choice");
  gtk_toggle_button_set_active (self->date_unknown,
                                g_strcmp0 (get_answer (self), HAVEN_ANSWER_DATE_UNKNOWN) == 0);
  g_signal_connect_object (self->date_unknown, "toggled", G_CALLBACK (date_unknown_toggled_cb), self,
                           G_CONNECT_SWAPPED);
  date_unknown_toggled_cb (self);
  gtk_box_append (self->answer_box, GTK_WIDGET (self->date_unknown));
}

/* Keeps the date, or says what is wrong with it. */
static gboolean
keep_date (HavenQuestionPage *self)
{
  guint day = gtk_drop_down_get_selected (self->day);
  guint month = gtk_drop_down_get_selected (self->month);
  guint year_index = gtk_drop_down_get_selected (self->year);
  g_autofree char *date = NULL;

  if (gtk_toggle_button_get_active (self->date_unknown))
    {
      set_answer (self, HAVEN_ANSWER_DATE_UNKNOWN);
      return TRUE;
    }

  if (day == 0 && month == 0 && year_index == 0)
    {
      set_answer (self, NULL);
      return TRUE;
    }

  if (day == 0 || month == 0 || year_index == 0)
    {
      show_error (self, GTK_WIDGET (day == 0 ? self->day : month == 0 ? self->month : self->year),
                  _("Choose the day, the month and the year, or “I do not know the date”."));
      return FALSE;
    }

  date = haven_answer_make_date (current_year () + 1 - (int) year_index, (int) month, (int) day, NULL);
  if (date == NULL)
    {
      show_error (self, GTK_WIDGET (self->day),
                  _("This date does not exist, or has not come yet. Check the day and the month."));
      return FALSE;
    }

  set_answer (self, date);
  return TRUE;
}

/* Amount */

static void
build_money (HavenQuestionPage *self)
{
  GtkStringList *codes = gtk_string_list_new (NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *amount = NULL;
  g_autofree char *currency = NULL;
  const char *regional = haven_currency_for_region (haven_page_get_region (HAVEN_PAGE (self)));
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  guint selected = 0;

  haven_answer_split_money (get_answer (self), &amount, &currency);

  /* The region's currency first: it is the likely one. */
  if (regional != NULL)
    g_strv_builder_add (builder, regional);
  for (const char * const *common = haven_currency_get_common (); *common != NULL; common++)
    if (g_strcmp0 (*common, regional) != 0)
      g_strv_builder_add (builder, *common);
  if (currency != NULL && !g_strv_contains (haven_currency_get_common (), currency)
      && g_strcmp0 (currency, regional) != 0)
    g_strv_builder_add (builder, currency);
  self->currencies = g_strv_builder_end (builder);

  /* The sign beside the code where it has a clear one: "£ GBP". */
  for (guint i = 0; self->currencies[i] != NULL; i++)
    {
      const char *symbol = haven_currency_get_symbol (self->currencies[i],
                                                      haven_page_get_region (HAVEN_PAGE (self)));
      g_autofree char *shown = symbol != NULL ? g_strdup_printf ("%s %s", symbol, self->currencies[i])
                                              : g_strdup (self->currencies[i]);

      gtk_string_list_append (codes, shown);
      if (g_strcmp0 (self->currencies[i], currency) == 0)
        selected = i;
    }

  self->entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_input_purpose (self->entry, GTK_INPUT_PURPOSE_NUMBER);
  gtk_entry_set_max_length (self->entry, 20);
  gtk_widget_set_hexpand (GTK_WIDGET (self->entry), TRUE);
  if (amount != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->entry), amount);
  label_field (self, GTK_WIDGET (self->entry));

  self->currency = make_drop_down (codes, _("Currency"), selected);

  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->entry));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->currency));
  gtk_box_append (self->answer_box, row);
}

static gboolean
keep_money (HavenQuestionPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *answer = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  const char *currency = self->currencies[gtk_drop_down_get_selected (self->currency)];

  if (text[strspn (text, " ")] == '\0')
    {
      set_answer (self, NULL);
      return TRUE;
    }

  if (!haven_answer_parse_amount (text, &normalized, &error))
    {
      show_error (self, GTK_WIDGET (self->entry), error->message);
      return FALSE;
    }

  answer = haven_answer_make_money (normalized, currency);
  set_answer (self, answer);
  return TRUE;
}

static gboolean
keep_long_text (HavenQuestionPage *self)
{
  const char *answer = get_answer (self);

  if (answer != NULL && g_utf8_strlen (answer, -1) > LONG_TEXT_MAX_CHARS)
    {
      g_autofree char *message =
        g_strdup_printf (ngettext ("This is too long to keep. Please shorten it to %d character or fewer.",
                                   "This is too long to keep. Please shorten it to %d characters or fewer.",
                                   LONG_TEXT_MAX_CHARS),
                         LONG_TEXT_MAX_CHARS);

      show_error (self, GTK_WIDGET (self->text_view), message);
      return FALSE;
    }

  return TRUE;
}

static void
continue_action_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  HavenQuestionPage *self = HAVEN_QUESTION_PAGE (widget);
  gboolean kept = TRUE;

  switch (haven_question_get_answer_type (self->question))
    {
    case HAVEN_QUESTION_TYPE_DATE:
      kept = keep_date (self);
      break;

    case HAVEN_QUESTION_TYPE_MONEY:
      kept = keep_money (self);
      break;

    case HAVEN_QUESTION_TYPE_LONG_TEXT:
    case HAVEN_QUESTION_TYPE_URL_LIST:
      kept = keep_long_text (self);
      break;

    case HAVEN_QUESTION_TYPE_TEXT:
    case HAVEN_QUESTION_TYPE_CHOICE:
    case HAVEN_QUESTION_TYPE_MULTI_CHOICE:
    case HAVEN_QUESTION_TYPE_YES_NO:
    default:
      break;
    }

  if (kept)
    gtk_widget_activate_action (widget, "visit.next", NULL);
}

/* Skipping forgets any answer given: the visitor chose not to say. */
static void
skip_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  HavenQuestionPage *self = HAVEN_QUESTION_PAGE (widget);

  set_answer (self, NULL);
  gtk_widget_activate_action (widget, "visit.next", NULL);
}

static void
show_position (HavenQuestionPage *self)
{
  HavenContent *content = haven_page_get_content (HAVEN_PAGE (self));
  const char *category = haven_session_get_category (get_session (self));
  GListModel *questions = NULL;
  g_autofree char *text = NULL;
  guint n_questions;

  if (content == NULL || category == NULL)
    return;

  questions = haven_content_get_questions_for (content, category);
  n_questions = questions != NULL ? g_list_model_get_n_items (questions) : 0;
  for (guint i = 0; i < n_questions; i++)
    {
      g_autoptr(HavenQuestion) question = g_list_model_get_item (questions, i);

      if (question == self->question)
        /* Translators: above a question; %u are numbers. */
        text = g_strdup_printf (_("Question %u of %u"), i + 1, n_questions);
    }

  gtk_label_set_label (self->position_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->position_label), text != NULL);
}

static GtkWidget *
haven_question_page_get_initial_focus (HavenPage *page)
{
  HavenQuestionPage *self = HAVEN_QUESTION_PAGE (page);

  if (self->choice_buttons->len > 0)
    return g_ptr_array_index (self->choice_buttons, 0);
  if (self->entry != NULL)
    return GTK_WIDGET (self->entry);
  if (self->text_view != NULL)
    return GTK_WIDGET (self->text_view);
  if (self->day != NULL)
    return GTK_WIDGET (self->day);

  return NULL;
}

static gboolean
haven_question_page_is_needed (HavenSession *session,
                               HavenContent *content)
{
  /* The window asks each question of the category itself. */
  return FALSE;
}

/* A hint about money gives its example in the kiosk's currency, written
 * as the visitor's language writes it: "for example £250.00" in London,
 * "ví dụ 5.000.000 ₫" in Hanoi. The content says where, with {amount}. */
static char *
fill_hint (HavenQuestionPage *self,
           const char        *hint)
{
  g_autoptr(GString) text = g_string_new (hint);
  g_autofree char *example = NULL;
  g_autofree char *isolated = NULL;

  if (haven_question_get_answer_type (self->question) != HAVEN_QUESTION_TYPE_MONEY ||
      strstr (hint, "{amount}") == NULL)
    return g_string_free (g_steal_pointer (&text), FALSE);

  example = haven_currency_format_example (haven_page_get_region (HAVEN_PAGE (self)));
  isolated = haven_bidi_isolate_ltr (example);
  g_string_replace (text, "{amount}", isolated, 0);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
haven_question_page_constructed (GObject *object)
{
  HavenQuestionPage *self = HAVEN_QUESTION_PAGE (object);
  GtkWidget *helper;
  const char *hint;

  G_OBJECT_CLASS (haven_question_page_parent_class)->constructed (object);

  g_return_if_fail (self->question != NULL);

  hint = haven_question_get_hint (self->question);
  gtk_label_set_label (self->heading, g_dgettext (GETTEXT_PACKAGE, haven_question_get_title (self->question)));
  helper = haven_page_make_helper_label (HAVEN_PAGE (self), haven_question_get_title (self->question));
  if (helper != NULL)
    gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (GTK_WIDGET (self->heading))), helper,
                                GTK_WIDGET (self->heading));
  gtk_label_set_label (self->why_label, g_dgettext (GETTEXT_PACKAGE, haven_question_get_why (self->question)));
  if (hint != NULL)
    {
      g_autofree char *shown = fill_hint (self, g_dgettext (GETTEXT_PACKAGE, hint));

      gtk_label_set_label (self->hint_label, shown);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->hint_label), hint != NULL);
  gtk_widget_set_visible (self->not_your_fault_label, haven_question_is_sensitive (self->question));
  show_position (self);

  switch (haven_question_get_answer_type (self->question))
    {
    case HAVEN_QUESTION_TYPE_CHOICE:
    case HAVEN_QUESTION_TYPE_MULTI_CHOICE:
    case HAVEN_QUESTION_TYPE_YES_NO:
      build_choices (self);
      break;

    case HAVEN_QUESTION_TYPE_TEXT:
      build_entry (self);
      break;

    case HAVEN_QUESTION_TYPE_LONG_TEXT:
    case HAVEN_QUESTION_TYPE_URL_LIST:
      build_text_view (self);
      break;

    case HAVEN_QUESTION_TYPE_DATE:
      build_date (self);
      break;

    case HAVEN_QUESTION_TYPE_MONEY:
      build_money (self);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
haven_question_page_dispose (GObject *object)
{
  HavenQuestionPage *self = HAVEN_QUESTION_PAGE (object);

  g_clear_pointer (&self->choice_buttons, g_ptr_array_unref);
  g_clear_object (&self->question);

  G_OBJECT_CLASS (haven_question_page_parent_class)->dispose (object);
}

static void
haven_question_page_finalize (GObject *object)
{
  g_strfreev (HAVEN_QUESTION_PAGE (object)->currencies);

  G_OBJECT_CLASS (haven_question_page_parent_class)->finalize (object);
}

static void
haven_question_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_QUESTION:
      g_value_set_object (value, HAVEN_QUESTION_PAGE (object)->question);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_question_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_QUESTION:
      HAVEN_QUESTION_PAGE (object)->question = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haven_question_page_class_init (HavenQuestionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  HavenPageClass *page_class = HAVEN_PAGE_CLASS (klass);

  object_class->constructed = haven_question_page_constructed;
  object_class->dispose = haven_question_page_dispose;
  object_class->finalize = haven_question_page_finalize;
  object_class->get_property = haven_question_page_get_property;
  object_class->set_property = haven_question_page_set_property;

  props[PROP_QUESTION] =
    g_param_spec_object ("question", NULL, NULL,
                         HAVEN_TYPE_QUESTION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, props);

  g_type_ensure (HAVEN_TYPE_VISIT_FOOTER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-question-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenQuestionPage, position_label);
  gtk_widget_class_bind_template_child (widget_class, HavenQuestionPage, not_your_fault_label);
  gtk_widget_class_bind_template_child (widget_class, HavenQuestionPage, heading);
  gtk_widget_class_bind_template_child (widget_class, HavenQuestionPage, why_label);
  gtk_widget_class_bind_template_child (widget_class, HavenQuestionPage, hint_label);
  gtk_widget_class_bind_template_child (widget_class, HavenQuestionPage, answer_box);
  gtk_widget_class_bind_template_child (widget_class, HavenQuestionPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, HavenQuestionPage, footer);

  gtk_widget_class_install_action (widget_class, "question.continue", NULL, continue_action_cb);
  gtk_widget_class_install_action (widget_class, "question.skip", NULL, skip_action_cb);

  page_class->is_needed = haven_question_page_is_needed;
  page_class->get_initial_focus = haven_question_page_get_initial_focus;
}

static void
haven_question_page_init (HavenQuestionPage *self)
{
  self->choice_buttons = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
