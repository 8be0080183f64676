/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-removal-send-page"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-choice.h"
#include "haven-removal-send-page.h"
#include "haven-wipe.h"

/* The last step of a removal request: what is sent and to whom, in plain
 * words, the one declaration haven-api-v1.md asks for (true, and allowed
 * to ask), and Send or "Do not send it". Who it is for and how to reach
 * the visitor were asked on pages of their own before, and checked on the
 * review. "Send" checks the draft here; the window saves and sends it
 * (visit.send-removal) and builds the page again, which then shows what
 * became of it from the session: the case reference, or the kiosk's
 * reference when it will be sent later, so the visitor always leaves with
 * one. */
struct _HavenRemovalSendPage
{
  HavenPage parent_instance;

  GtkStack *views;
  /* Back, "Do not send it" and Send, beneath the form; the result has
   * its own Continue. */
  GtkWidget *actions;
  GtkBox *sent_box;
  GtkLabel *confirm_error;
  GtkToggleButton *confirm_check;
  GtkButton *send_button;

  GtkSpinner *spinner;
  GtkLabel *result_heading;
  GtkLabel *result_body;
  GtkLabel *reference_label;
  GtkLabel *reference_hint;
  GtkButton *retry_button;
  GtkButton *continue_button;

  /* While the form is filled in from the request, its signals must not
   * write back. */
  gboolean loading;
};

G_DEFINE_FINAL_TYPE (HavenRemovalSendPage, haven_removal_send_page, HAVEN_TYPE_PAGE)

static HavenRequest *
get_request (HavenRemovalSendPage *self)
{
  return haven_session_get_removal_request (haven_page_get_session (HAVEN_PAGE (self)));
}

/* One tick says both things the declaration holds: ticking it twice over
 * said nothing more. */
static void
confirm_toggled_cb (HavenRemovalSendPage *self)
{
  HavenRequest *request;
  gboolean confirmed;

  if (self->loading)
    return;

  request = get_request (self);
  confirmed = gtk_toggle_button_get_active (self->confirm_check);
  haven_request_set_declaration_accurate (request, confirmed);
  haven_request_set_declaration_authorised (request, confirmed);
  if (confirmed)
    {
      haven_page_show_field_error (self->confirm_error, GTK_WIDGET (self->confirm_check), NULL);
      haven_error_summary_clear (haven_page_get_error_summary (HAVEN_PAGE (self)));
    }
}

/* Where a problem with the request is put right: a page of the visit
 * (the window's visit.go-to names), or NULL for this page. */
static const char *
page_for_path (const char *path)
{
  if (g_str_has_prefix (path, "items") || g_str_equal (path, "body"))
    return "HavenRemovalItemsPage";
  if (g_str_has_prefix (path, "reporter.role"))
    return "HavenRemovalRolePage";
  if (g_str_has_prefix (path, "reporter."))
    return "HavenRemovalContactPage";
  if (g_str_equal (path, "category"))
    return "HavenCategoryPage";

  return NULL;
}

/* Where a problem's answer was given in the visit, for the order the
 * summary lists them in. */
static int
visit_order (const char *path)
{
  static const char * const order[] = { "category", "items", "body", "reporter.role", "reporter.",
                                        "declaration." };

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (g_str_has_prefix (path, order[i]))
      return (int) i;

  return G_N_ELEMENTS (order);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  const char *path_a = *(const char * const *) a;
  const char *path_b = *(const char * const *) b;
  int order = visit_order (path_a) - visit_order (path_b);

  return order != 0 ? order : g_strcmp0 (path_a, path_b);
}

/* Says what to do about each problem: beside the box to tick, and in the
 * summary at the top, whose buttons lead to the page where an answer
 * given earlier is changed. Returns whether there was any. */
static gboolean
show_errors (HavenRemovalSendPage *self,
             GHashTable           *field_errors,
             const char           *intro)
{
  HavenErrorSummary *summary = haven_page_get_error_summary (HAVEN_PAGE (self));
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  const char *confirm = NULL;
  gboolean items_listed = FALSE;

  haven_error_summary_clear (summary);

  if (field_errors != NULL)
    {
      GHashTableIter iter;
      const char *path;

      g_hash_table_iter_init (&iter, field_errors);
      while (g_hash_table_iter_next (&iter, (gpointer *) &path, NULL))
        g_ptr_array_add (paths, (gpointer) path);
      g_ptr_array_sort (paths, compare_paths);
    }

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      const char *page = page_for_path (path);

      if (g_str_has_prefix (path, "declaration."))
        confirm = _("Tick the box to confirm, or choose “Do not send it”");
      else if (page != NULL && g_str_equal (page, "HavenRemovalItemsPage"))
        {
          /* One line for every address: the page shows each beside it. */
          if (!items_listed)
            haven_error_summary_add_on_page (summary, _("Go back to correct the web addresses."), page);
          items_listed = TRUE;
        }
      else if (page != NULL && g_str_equal (page, "HavenRemovalRolePage"))
        /* As the page that asks it says it. */
        haven_error_summary_add_on_page (summary, _("Choose who this request is for"), page);
      else if (page != NULL)
        haven_error_summary_add_on_page (summary, g_hash_table_lookup (field_errors, path), page);
      else
        haven_error_summary_add (summary, g_hash_table_lookup (field_errors, path), NULL);
    }

  haven_page_show_field_error (self->confirm_error, GTK_WIDGET (self->confirm_check), confirm);
  if (confirm != NULL)
    haven_error_summary_add (summary, confirm, GTK_WIDGET (self->confirm_check));

  return haven_error_summary_present (summary, intro);
}

static void
send_clicked_cb (HavenRemovalSendPage *self)
{
  g_autoptr(GHashTable) field_errors = NULL;

  if (!haven_request_validate_draft (get_request (self), &field_errors) &&
      show_errors (self, field_errors, NULL))
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), "visit.send-removal", NULL);
}

static void
add_sent_line (HavenRemovalSendPage *self,
               const char           *text)
{
  g_autofree char *line = g_strdup_printf ("•  %s", text);
  GtkWidget *label = haven_page_make_label (line, NULL, 0);

  gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
  gtk_box_append (self->sent_box, label);
}

/* What the request holds, in the visitor's words: haven-api-v1.md's
 * items, category, reporter.role and reporter.contact. */
static void
show_what_is_sent (HavenRemovalSendPage *self)
{
  HavenRequest *request = get_request (self);
  HavenSession *session = haven_page_get_session (HAVEN_PAGE (self));
  HavenContent *content = haven_page_get_content (HAVEN_PAGE (self));
  HavenCategory *category = NULL;
  const char *role = haven_page_get_role_label (haven_request_get_reporter_role (request));
  const char *email = haven_request_get_contact_email (request);
  guint n_items = haven_request_get_n_items (request);
  g_autofree char *items = NULL;
  g_autofree char *line = NULL;

  items = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "The web address you gave, with what you wrote about it",
                                        "The %u web addresses you gave, with what you wrote about them",
                                        n_items),
                           n_items);
  add_sent_line (self, items);

  if (content != NULL && haven_session_get_category (session) != NULL)
    category = haven_content_lookup_category (content, haven_session_get_category (session));
  if (category != NULL)
    {
      /* Translators: %s is what happened, as the visitor chose it. */
      line = g_strdup_printf (_("What happened: %s"),
                              g_dgettext (GETTEXT_PACKAGE, haven_category_get_title (category)));
      add_sent_line (self, line);
      g_clear_pointer (&line, g_free);
    }

  if (role != NULL)
    {
      /* Translators: %s is who the request is for: "Me", "My child…". */
      line = g_strdup_printf (_("Who it is for: %s"), role);
      add_sent_line (self, line);
      g_clear_pointer (&line, g_free);
    }

  if (email != NULL)
    {
      /* Translators: %s is the visitor's email address. */
      line = g_strdup_printf (_("Your email address, for news about the request: %s"), email);
      add_sent_line (self, line);
      haven_wipe_string (g_steal_pointer (&line));
    }
  else
    add_sent_line (self, _("No email address: the organisation will not contact you"));
}

static void
load_form (HavenRemovalSendPage *self)
{
  HavenRequest *request = get_request (self);

  self->loading = TRUE;
  gtk_toggle_button_set_active (self->confirm_check,
                                haven_request_get_declaration_accurate (request) &&
                                haven_request_get_declaration_authorised (request));
  self->loading = FALSE;

  show_what_is_sent (self);
}

static void
show_result (HavenRemovalSendPage *self,
             const char           *heading,
             const char           *body,
             const char           *reference)
{
  gtk_stack_set_visible_child_name (self->views, "result");
  gtk_widget_set_visible (self->actions, FALSE);
  gtk_label_set_label (self->result_heading, heading);
  gtk_label_set_label (self->result_body, body);
  gtk_label_set_label (self->reference_label, reference != NULL ? reference : "");
  gtk_widget_set_visible (GTK_WIDGET (self->reference_label), reference != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->reference_hint), reference != NULL);
}

static void
haven_removal_send_page_constructed (GObject *object)
{
  HavenRemovalSendPage *self = HAVEN_REMOVAL_SEND_PAGE (object);
  HavenSession *session = haven_page_get_session (HAVEN_PAGE (self));
  const char *reference = haven_session_get_submission_reference (session);

  G_OBJECT_CLASS (haven_removal_send_page_parent_class)->constructed (object);

  load_form (self);

  switch (haven_session_get_submission_state (session))
    {
    case HAVEN_SUBMISSION_NONE:
      break;

    case HAVEN_SUBMISSION_SENDING:
      show_result (self, _("Sending your request…"),
                   _("This takes a few seconds. It is saved on this kiosk already."), NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->spinner), TRUE);
      gtk_spinner_start (self->spinner);
      gtk_widget_set_visible (GTK_WIDGET (self->continue_button), FALSE);
      break;

    case HAVEN_SUBMISSION_SENT:
      show_result (self, _("Your request was sent"),
                   _("The organisation has received it. This is your reference:"), reference);
      break;

    case HAVEN_SUBMISSION_QUEUED:
      show_result (self, _("Your request is saved"),
                   _("It will be sent automatically as soon as this kiosk can reach the "
                     "organisation. You do not need to do anything more. This is your reference:"),
                   reference);
      break;

    case HAVEN_SUBMISSION_REJECTED:
      show_result (self, _("Your request could not be sent"),
                   _("The organisation did not accept it. It is kept on this kiosk, and the staff "
                     "can look at it with you. This is its reference:"),
                   reference);
      break;

    case HAVEN_SUBMISSION_INVALID:
      /* The page takes the focus once in the window: haven_page_focus()
       * gives it to the first problem. */
      show_errors (self, haven_session_get_submission_field_errors (session),
                   _("The organisation could not accept the request."));
      break;

    case HAVEN_SUBMISSION_NOT_SAVED:
      /* Why is for the operator (it is logged); the visitor is told what
       * to do. */
      show_result (self, _("Your request was not sent"),
                   _("It could not be saved on this kiosk. Your answers are still here. "
                     "Please ask the staff for help, or try again."),
                   NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->retry_button), TRUE);
      break;

    case HAVEN_SUBMISSION_NOT_SEALED:
      /* The kiosk is not set up to keep requests safely (the log says
       * why). Trying again would meet the same, so there is no retry:
       * staff can help, and the visit goes on. */
      show_result (self, _("Your request was not sent"),
                   _("This kiosk cannot keep requests safely at the moment, so nothing you "
                     "wrote was saved or sent. Please ask a member of staff for help."),
                   NULL);
      break;

    default:
      g_assert_not_reached ();
    }
}

static GtkWidget *
haven_removal_send_page_get_initial_focus (HavenPage *page)
{
  HavenRemovalSendPage *self = HAVEN_REMOVAL_SEND_PAGE (page);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->views), "result") == 0)
    return gtk_widget_get_visible (GTK_WIDGET (self->retry_button))
           ? GTK_WIDGET (self->retry_button) : GTK_WIDGET (self->continue_button);

  return GTK_WIDGET (self->confirm_check);
}

static void
haven_removal_send_page_class_init (HavenRemovalSendPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  HavenPageClass *page_class = HAVEN_PAGE_CLASS (klass);

  object_class->constructed = haven_removal_send_page_constructed;

  g_type_ensure (HAVEN_TYPE_CHOICE);
  page_class->is_needed = haven_page_removal_is_requested;
  page_class->get_initial_focus = haven_removal_send_page_get_initial_focus;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-removal-send-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, views);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, actions);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, sent_box);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, confirm_error);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, confirm_check);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, send_button);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, result_heading);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, result_body);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, reference_label);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, reference_hint);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, continue_button);
  gtk_widget_class_bind_template_callback (widget_class, confirm_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, send_clicked_cb);
  page_class->step_title = N_("Sending your request");
  page_class->heading = N_("Do you want to send your request now?");
}

static void
haven_removal_send_page_init (HavenRemovalSendPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
