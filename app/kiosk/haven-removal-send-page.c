/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-removal-send-page"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-choice.h"
#include "haven-removal-send-page.h"

/* The last step of a removal request: who it is about, whether the visitor
 * wants to be contacted (never required), two plain declarations, and an
 * honest word on what happens next. "Send" checks the draft here; the
 * window saves and sends it (visit.send-removal) and builds the page again,
 * which then shows what became of it from the session: the case reference,
 * or the kiosk's reference when it will be sent later, so the visitor
 * always leaves with one. */
struct _HavenRemovalSendPage
{
  HavenPage parent_instance;

  GtkStack *views;
  /* Back, "Do not send it" and Send, beneath the form; the result has
   * its own Continue. */
  GtkWidget *actions;
  GtkLabel *error_summary;
  GtkLabel *role_error;
  GtkBox *role_box;
  GtkToggleButton *role_self;
  GtkToggleButton *role_guardian;
  GtkToggleButton *role_representative;
  GtkLabel *contact_error;
  GtkEntry *email_entry;
  GtkToggleButton *consent_check;
  GtkLabel *accurate_error;
  GtkToggleButton *accurate_check;
  GtkLabel *authorised_error;
  GtkToggleButton *authorised_check;
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

static GtkToggleButton *
role_buttons (HavenRemovalSendPage *self,
              guint                 index)
{
  GtkToggleButton *buttons[] = { self->role_self, self->role_guardian, self->role_representative };

  return index < G_N_ELEMENTS (buttons) ? buttons[index] : NULL;
}

static void
role_toggled_cb (HavenRemovalSendPage *self,
                 GtkToggleButton      *button)
{
  if (self->loading || !gtk_toggle_button_get_active (button))
    return;

  haven_request_set_reporter_role (get_request (self), gtk_widget_get_name (GTK_WIDGET (button)));
}

static void
contact_changed_cb (HavenRemovalSendPage *self)
{
  HavenRequest *request;
  const char *email;

  if (self->loading)
    return;

  request = get_request (self);
  email = gtk_editable_get_text (GTK_EDITABLE (self->email_entry));
  haven_request_set_contact_email (request, email[0] != '\0' ? email : NULL);
  haven_request_set_consent_to_contact (request,
                                        gtk_toggle_button_get_active (self->consent_check));
}

static void
declarations_toggled_cb (HavenRemovalSendPage *self)
{
  HavenRequest *request;

  if (self->loading)
    return;

  request = get_request (self);
  haven_request_set_declaration_accurate (request,
                                          gtk_toggle_button_get_active (self->accurate_check));
  haven_request_set_declaration_authorised (request,
                                            gtk_toggle_button_get_active (self->authorised_check));
}

static const char *
lookup_first (GHashTable *field_errors,
              const char *first_path,
              ...) G_GNUC_NULL_TERMINATED;

/* The first of the paths that has an error. */
static const char *
lookup_first (GHashTable *field_errors,
              const char *first_path,
              ...)
{
  const char *message = NULL;
  va_list paths;

  if (field_errors == NULL)
    return NULL;

  va_start (paths, first_path);
  for (const char *path = first_path; path != NULL && message == NULL; path = va_arg (paths, const char *))
    message = g_hash_table_lookup (field_errors, path);
  va_end (paths);

  return message;
}

static gboolean
has_item_errors (GHashTable *field_errors)
{
  GHashTableIter iter;
  const char *path;

  if (field_errors == NULL)
    return FALSE;

  g_hash_table_iter_init (&iter, field_errors);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, NULL))
    {
      if (g_str_has_prefix (path, "items"))
        return TRUE;
    }

  return FALSE;
}

/* Shows what to do beside each field of this page and a summary above;
 * returns the first field in error. */
static GtkWidget *
show_errors (HavenRemovalSendPage *self,
             GHashTable           *field_errors,
             const char           *summary_prefix)
{
  const char *role = lookup_first (field_errors, "reporter.role", NULL);
  const char *contact = lookup_first (field_errors, "reporter.contact.email", "reporter.contact",
                                      "reporter.consent_to_contact", NULL);
  const char *accurate = lookup_first (field_errors, "declaration.accurate", NULL);
  const char *authorised = lookup_first (field_errors, "declaration.authorised", NULL);
  g_autoptr(GString) summary = g_string_new (summary_prefix);
  GtkWidget *first_error = NULL;
  guint n_errors = (role != NULL) + (contact != NULL) + (accurate != NULL) + (authorised != NULL);

  haven_page_show_field_error (self->role_error, GTK_WIDGET (self->role_box), role);
  haven_page_show_field_error (self->contact_error, GTK_WIDGET (self->email_entry), contact);
  haven_page_show_field_error (self->accurate_error, GTK_WIDGET (self->accurate_check), accurate);
  haven_page_show_field_error (self->authorised_error, GTK_WIDGET (self->authorised_check), authorised);

  if (role != NULL)
    first_error = GTK_WIDGET (self->role_self);
  else if (contact != NULL)
    first_error = GTK_WIDGET (self->email_entry);
  else if (accurate != NULL)
    first_error = GTK_WIDGET (self->accurate_check);
  else if (authorised != NULL)
    first_error = GTK_WIDGET (self->authorised_check);

  if (n_errors > 0)
    {
      if (summary->len > 0)
        g_string_append_c (summary, ' ');
      g_string_append_printf (summary,
                              g_dngettext (GETTEXT_PACKAGE,
                                           "There is %u thing to correct below.",
                                           "There are %u things to correct below.",
                                           n_errors),
                              n_errors);
    }
  if (has_item_errors (field_errors))
    {
      if (summary->len > 0)
        g_string_append_c (summary, ' ');
      g_string_append (summary, _("Go back to correct the web addresses."));
    }

  gtk_label_set_label (self->error_summary, summary->str);
  gtk_widget_set_visible (GTK_WIDGET (self->error_summary), summary->len > 0);

  if (first_error == NULL && summary->len > 0)
    first_error = GTK_WIDGET (self->error_summary);

  return first_error;
}

static void
send_clicked_cb (HavenRemovalSendPage *self)
{
  g_autoptr(GHashTable) field_errors = NULL;
  GtkWidget *first_error;

  if (!haven_request_validate_draft (get_request (self), &field_errors))
    {
      first_error = show_errors (self, field_errors, NULL);
      if (first_error != NULL)
        {
          /* A field takes the focus; the summary is an alert, read out as
           * it appears. */
          gtk_widget_grab_focus (first_error);
          return;
        }
    }

  gtk_widget_activate_action (GTK_WIDGET (self), "visit.send-removal", NULL);
}

static void
load_form (HavenRemovalSendPage *self)
{
  HavenRequest *request = get_request (self);
  const char *role = haven_request_get_reporter_role (request);
  const char *email = haven_request_get_contact_email (request);

  self->loading = TRUE;

  for (guint i = 0; role_buttons (self, i) != NULL; i++)
    {
      GtkToggleButton *button = role_buttons (self, i);

      if (g_strcmp0 (gtk_widget_get_name (GTK_WIDGET (button)), role) == 0)
        gtk_toggle_button_set_active (button, TRUE);
    }

  gtk_editable_set_text (GTK_EDITABLE (self->email_entry), email != NULL ? email : "");
  gtk_toggle_button_set_active (self->consent_check,
                                haven_request_get_consent_to_contact (request));
  gtk_toggle_button_set_active (self->accurate_check,
                                haven_request_get_declaration_accurate (request));
  gtk_toggle_button_set_active (self->authorised_check,
                                haven_request_get_declaration_authorised (request));

  self->loading = FALSE;
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

  return GTK_WIDGET (self->role_self);
}

/* Only when the visitor gave something to take down. */
static gboolean
haven_removal_send_page_is_needed (HavenSession *session,
                                   HavenContent *content)
{
  return haven_page_category_is_removable (session, content) &&
         haven_request_get_n_items (haven_session_get_removal_request (session)) > 0;
}

static void
haven_removal_send_page_class_init (HavenRemovalSendPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  HavenPageClass *page_class = HAVEN_PAGE_CLASS (klass);

  object_class->constructed = haven_removal_send_page_constructed;

  g_type_ensure (HAVEN_TYPE_CHOICE);
  page_class->is_needed = haven_removal_send_page_is_needed;
  page_class->get_initial_focus = haven_removal_send_page_get_initial_focus;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-removal-send-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, views);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, actions);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, error_summary);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, role_error);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, role_box);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, role_self);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, role_guardian);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, role_representative);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, contact_error);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, email_entry);
  gtk_widget_class_bind_template_child_full (widget_class, "contact_hint", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, consent_check);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, accurate_error);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, accurate_check);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, authorised_error);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, authorised_check);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, send_button);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, result_heading);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, result_body);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, reference_label);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, reference_hint);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalSendPage, continue_button);
  gtk_widget_class_bind_template_callback (widget_class, role_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, contact_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, declarations_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, send_clicked_cb);
  page_class->step_title = N_("Sending your request");
  page_class->heading = N_("Before we send the request");
}

static void
haven_removal_send_page_init (HavenRemovalSendPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* GtkBuilder takes one object a relation; the field has two. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->email_entry),
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                  gtk_widget_get_template_child (GTK_WIDGET (self), HAVEN_TYPE_REMOVAL_SEND_PAGE,
                                                                 "contact_hint"),
                                  self->contact_error, NULL,
                                  -1);
}
