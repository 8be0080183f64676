/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-service-detail"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-bidi.h"
#include "haven-locale.h"
#include "haven-qr-code.h"
#include "haven-service-detail.h"
#include "haven-vcard.h"

/* One service of the directory: what it helps with, whether it is open,
 * the languages it speaks, how to reach it, and a QR code of its contact
 * card for the visitor's own phone. The visitor can keep it for the end of
 * the visit. */
struct _HavenServiceDetail
{
  AdwBin parent_instance;

  GtkLabel *name_label;
  GtkLabel *organization_label;
  GtkLabel *description_label;
  GtkLabel *hours_label;
  GtkLabel *languages_label;
  GtkLabel *contact_label;
  HavenQrCode *qr_code;
  GtkLabel *source_label;
  GtkToggleButton *keep_button;

  HavenService *service;
  HavenSession *session;
};

G_DEFINE_FINAL_TYPE (HavenServiceDetail, haven_service_detail, ADW_TYPE_BIN)

static GStrv
dup_phone_lines (HavenService *service)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < haven_service_get_n_phones (service); i++)
    g_strv_builder_add (builder, haven_service_get_phone_number (service, i));

  return g_strv_builder_end (builder);
}

/**
 * haven_service_build_vcard:
 *
 * Returns: (transfer full): the service's contact card: its details only,
 *   nothing about the visitor
 */
char *
haven_service_build_vcard (HavenService *service)
{
  g_auto(GStrv) phones = dup_phone_lines (service);
  const char * const *addresses = haven_service_get_addresses (service);
  HavenVCardContact contact = {
    .name = haven_service_get_name (service),
    .organization = haven_service_get_organization (service),
    .phones = (const char * const *) phones,
    .email = haven_service_get_email (service),
    .url = haven_service_get_url (service),
    .address = addresses != NULL ? addresses[0] : NULL,
  };

  return haven_vcard_build (&contact);
}

/* The line kept in the session for the end of the visit. */
static char *
build_summary (HavenService *service)
{
  GString *summary = g_string_new (haven_service_get_name (service));

  /* The summary isolates the whole line where it stands among translated
   * text (haven_summary_build). */
  if (haven_service_get_n_phones (service) > 0)
    g_string_append_printf (summary, " — %s", haven_service_get_phone_number (service, 0));
  else if (haven_service_get_url (service) != NULL)
    g_string_append_printf (summary, " — %s", haven_service_get_url (service));

  return g_string_free (summary, FALSE);
}

static void
keep_toggled_cb (HavenServiceDetail *self)
{
  g_autofree char *summary = NULL;

  if (gtk_toggle_button_get_active (self->keep_button))
    summary = build_summary (self->service);

  haven_session_keep_service (self->session, haven_service_get_id (self->service), summary);
  gtk_button_set_label (GTK_BUTTON (self->keep_button),
                        summary != NULL ? _("Kept for the end of your visit")
                                        : _("Keep this service for the end of my visit"));
}

static char *
build_hours_text (HavenService *service)
{
  g_autofree char *today = haven_bidi_isolate_ltr (haven_service_get_hours_today (service));
  g_autofree char *next = haven_bidi_isolate (haven_service_get_next_opening (service));
  g_autofree char *closed = NULL;

  if (haven_service_get_always_open (service))
    return g_strdup (_("Open 24 hours, every day"));
  if (!haven_service_get_has_hours (service))
    return g_strdup (_("Opening hours not given: contact them to ask"));

  if (haven_service_get_open_now (service))
    /* Translators: %s is today's opening hours, like 09:00–17:00. */
    return g_strdup_printf (_("Open now · Today: %s"), today != NULL ? today : "");

  /* "Closed today" says it all, with when it opens next. */
  if (today == NULL || g_strcmp0 (haven_service_get_hours_today (service), _("Closed today")) == 0)
    closed = g_strdup (_("Closed today"));
  else
    /* Translators: %s is today's opening hours, like 09:00–17:00. */
    closed = g_strdup_printf (_("Closed now · Today: %s"), today);

  if (next == NULL)
    return g_steal_pointer (&closed);
  return g_strdup_printf ("%s · %s", closed, next);
}

static char *
build_languages_text (HavenService *service)
{
  const char * const *languages = haven_service_get_languages (service);
  g_autoptr(GString) names = g_string_new (NULL);

  for (gsize i = 0; languages != NULL && languages[i] != NULL; i++)
    {
      const char *native_name = haven_locale_get_native_name (languages[i]);
      /* Each name in its own script and direction. */
      g_autofree char *name = haven_bidi_isolate (native_name != NULL ? native_name : languages[i]);

      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, name);
    }

  if (names->len == 0)
    return NULL;

  /* Translators: %s is a list of languages, each in its own name. */
  return g_strdup_printf (_("Languages spoken: %s"), names->str);
}

static void
append_line (GString    *text,
             const char *value,
             char *    (*isolate) (const char *text))
{
  g_autofree char *isolated = NULL;

  if (value == NULL)
    return;

  isolated = isolate (value);
  g_string_append_printf (text, "%s\n", isolated);
}

static char *
build_contact_text (HavenService *service)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char * const *addresses = haven_service_get_addresses (service);

  for (guint i = 0; i < haven_service_get_n_phones (service); i++)
    {
      const char *description = haven_service_get_phone_description (service, i);
      /* Numbers and addresses stay left to right in right-to-left text;
       * descriptions and addresses take their own direction. */
      g_autofree char *number = haven_bidi_isolate_ltr (haven_service_get_phone_number (service, i));

      g_string_append (text, number);
      if (description != NULL && description[0] != '\0')
        {
          g_autofree char *isolated = haven_bidi_isolate (description);

          g_string_append_printf (text, " — %s", isolated);
        }
      g_string_append_c (text, '\n');
    }
  append_line (text, haven_service_get_url (service), haven_bidi_isolate_ltr);
  append_line (text, haven_service_get_email (service), haven_bidi_isolate_ltr);
  for (gsize i = 0; addresses != NULL && addresses[i] != NULL; i++)
    append_line (text, addresses[i], haven_bidi_isolate);

  if (text->len > 0 && text->str[text->len - 1] == '\n')
    g_string_truncate (text, text->len - 1);

  return g_strdup (text->str);
}

static void
haven_service_detail_dispose (GObject *object)
{
  HavenServiceDetail *self = HAVEN_SERVICE_DETAIL (object);

  g_clear_object (&self->service);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (haven_service_detail_parent_class)->dispose (object);
}

static void
haven_service_detail_class_init (HavenServiceDetailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haven_service_detail_dispose;

  g_type_ensure (HAVEN_TYPE_QR_CODE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-service-detail.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenServiceDetail, name_label);
  gtk_widget_class_bind_template_child (widget_class, HavenServiceDetail, organization_label);
  gtk_widget_class_bind_template_child (widget_class, HavenServiceDetail, description_label);
  gtk_widget_class_bind_template_child (widget_class, HavenServiceDetail, hours_label);
  gtk_widget_class_bind_template_child (widget_class, HavenServiceDetail, languages_label);
  gtk_widget_class_bind_template_child (widget_class, HavenServiceDetail, contact_label);
  gtk_widget_class_bind_template_child (widget_class, HavenServiceDetail, qr_code);
  gtk_widget_class_bind_template_child (widget_class, HavenServiceDetail, source_label);
  gtk_widget_class_bind_template_child (widget_class, HavenServiceDetail, keep_button);
  gtk_widget_class_bind_template_callback (widget_class, keep_toggled_cb);
}

static void
haven_service_detail_init (HavenServiceDetail *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static void
set_optional_label (GtkLabel   *label,
                    const char *text)
{
  gtk_label_set_label (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && text[0] != '\0');
}

GtkWidget *
haven_service_detail_new (HavenService *service,
                          HavenSession *session)
{
  HavenServiceDetail *self;
  g_autofree char *hours = NULL;
  g_autofree char *languages = NULL;
  g_autofree char *contact = NULL;
  g_autofree char *vcard = NULL;
  g_autofree char *source = NULL;
  g_autofree char *checked_on = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (HAVEN_IS_SERVICE (service), NULL);
  g_return_val_if_fail (HAVEN_IS_SESSION (session), NULL);

  self = g_object_new (HAVEN_TYPE_SERVICE_DETAIL, NULL);
  self->service = g_object_ref (service);
  self->session = g_object_ref (session);

  hours = build_hours_text (service);
  languages = build_languages_text (service);
  contact = build_contact_text (service);
  vcard = haven_service_build_vcard (service);
  checked_on = haven_bidi_isolate_ltr (haven_service_get_assured_date (service));
  if (checked_on != NULL)
    /* Translators: %s is a date, like 2026-11-20. */
    source = g_strdup_printf (_("These details were last checked on %s."), checked_on);

  name = haven_bidi_isolate (haven_service_get_name (service));
  gtk_label_set_label (self->name_label, name);
  set_optional_label (self->organization_label, haven_service_get_organization (service));
  set_optional_label (self->description_label, haven_service_get_description (service));
  set_optional_label (self->hours_label, hours);
  set_optional_label (self->languages_label, languages);
  set_optional_label (self->contact_label, contact);
  set_optional_label (self->source_label, source);
  haven_qr_code_set_text (self->qr_code, vcard);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->qr_code),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("QR code with this service’s contact details"),
                                  -1);

  g_signal_handlers_block_by_func (self->keep_button, keep_toggled_cb, self);
  gtk_toggle_button_set_active (self->keep_button,
                                haven_session_is_service_kept (session, haven_service_get_id (service)));
  g_signal_handlers_unblock_by_func (self->keep_button, keep_toggled_cb, self);
  if (gtk_toggle_button_get_active (self->keep_button))
    gtk_button_set_label (GTK_BUTTON (self->keep_button), _("Kept for the end of your visit"));

  return GTK_WIDGET (self);
}

HavenQrCode *
haven_service_detail_get_qr_code (HavenServiceDetail *self)
{
  g_return_val_if_fail (HAVEN_IS_SERVICE_DETAIL (self), NULL);

  return self->qr_code;
}
