/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-desk"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-desk-case-page.h"
#include "haven-desk-fleet-page.h"
#include "haven-desk-inbox-page.h"
#include "haven-desk-notices-page.h"
#include "haven-desk-report-page.h"
#include "haven-desk-setup-page.h"
#include "haven-desk-sign-in-page.h"
#include "haven-desk-unlock-page.h"
#include "haven-desk-window.h"

/* The desk's one window. It follows the key: no key file, the first-run
 * page; a locked key, the passphrase; then sign-in, and the inbox, the
 * fleet and a case. Whenever the key locks, on demand or after idle
 * minutes, every page lets go of what it showed. */

/* How often the idle clock is looked at. */
#define IDLE_CHECK_SECONDS 5

struct _HavenDeskWindow
{
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toasts;
  GtkStack *pages;
  HavenDeskSetupPage *setup_page;
  HavenDeskUnlockPage *unlock_page;
  HavenDeskSignInPage *sign_in_page;
  AdwViewStack *views;
  AdwViewStackPage *inbox_view;
  HavenDeskInboxPage *inbox_page;
  HavenDeskFleetPage *fleet_page;
  HavenDeskReportPage *report_page;
  HavenDeskCasePage *case_page;
  HavenDeskNoticesPage *notices_page;

  HavenDeskApplication *application;
  HavenKeyVault *vault;
  HavenCaseClient *client;

  gint64 last_activity;
  guint idle_limit_seconds;
  guint idle_source;
  guint refresh_source;
  gulong unlocked_handler;
};

G_DEFINE_FINAL_TYPE (HavenDeskWindow, haven_desk_window, ADW_TYPE_APPLICATION_WINDOW)

/* Focus leaves the page first: a text entry hidden while it has the focus
 * never hears that it lost it. */
static void
show_page (HavenDeskWindow *self,
           const char      *name)
{
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_stack_set_visible_child_name (self->pages, name);
}

/* GTK 4.8 tells assistive technologies that every page of a stack is
 * visible, the hidden ones too, so a screen reader would find the
 * controls of pages that are not on screen (the sign-in form beside the
 * inbox, a case's buttons after it is closed). Each page but the one
 * shown is marked hidden to them. */
static void
mark_hidden_pages (GtkWidget *stack,
                   GtkWidget *shown)
{
  for (GtkWidget *child = gtk_widget_get_first_child (stack); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_accessible_update_state (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_STATE_HIDDEN,
                                 child != shown, -1);
}

static void
page_shown_cb (HavenDeskWindow *self)
{
  mark_hidden_pages (GTK_WIDGET (self->pages), gtk_stack_get_visible_child (self->pages));
}

static void
view_shown_cb (HavenDeskWindow *self)
{
  GtkWidget *view = adw_view_stack_get_visible_child (self->views);

  /* AdwViewStack keeps its pages in a GtkStack of its own. */
  if (view != NULL && gtk_widget_get_parent (view) != NULL)
    mark_hidden_pages (gtk_widget_get_parent (view), view);
}

static void
clear_clipboards (HavenDeskWindow *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));

  /* An empty text rather than no content: another program that took the
   * selection meanwhile keeps its own. */
  gdk_clipboard_set_text (gdk_display_get_clipboard (display), "");
  gdk_clipboard_set_text (gdk_display_get_primary_clipboard (display), "");
}

static void
stop_refreshing (HavenDeskWindow *self)
{
  g_clear_handle_id (&self->refresh_source, g_source_remove);
}

static void
forget_everything (HavenDeskWindow *self)
{
  stop_refreshing (self);
  haven_desk_notices_page_wipe (self->notices_page);
  haven_desk_case_page_wipe (self->case_page);
  haven_desk_inbox_page_set_client (self->inbox_page, NULL);
  haven_desk_fleet_page_set_client (self->fleet_page, NULL);
  haven_desk_report_page_set_client (self->report_page, NULL);
  haven_desk_sign_in_page_reset (self->sign_in_page);
  g_clear_object (&self->client);
  clear_clipboards (self);
}

void
haven_desk_window_lock (HavenDeskWindow *self)
{
  g_return_if_fail (HAVEN_IS_DESK_WINDOW (self));

  /* The vault's notify::unlocked does the rest, whoever locked it. */
  if (haven_key_vault_is_unlocked (self->vault))
    haven_key_vault_lock (self->vault);
  else
    forget_everything (self);
}

static void
vault_unlocked_changed_cb (HavenDeskWindow *self)
{
  if (haven_key_vault_is_unlocked (self->vault))
    return;

  forget_everything (self);
  haven_desk_unlock_page_reset (self->unlock_page);
  show_page (self, haven_key_vault_exists (self->vault) ? "unlock" : "setup");
}

static gboolean
refresh_cb (gpointer user_data)
{
  HavenDeskWindow *self = user_data;

  haven_desk_inbox_page_refresh (self->inbox_page);
  haven_desk_fleet_page_refresh (self->fleet_page);
  return G_SOURCE_CONTINUE;
}

static void
start_refreshing (HavenDeskWindow *self)
{
  GSettings *settings = haven_desk_application_get_settings (self->application);

  stop_refreshing (self);
  self->refresh_source = g_timeout_add_seconds (g_settings_get_uint (settings, "refresh-interval"),
                                                refresh_cb, self);
}

static void
signed_in_cb (HavenDeskWindow *self,
              HavenCaseClient *client)
{
  g_set_object (&self->client, client);
  haven_desk_inbox_page_set_client (self->inbox_page, client);
  haven_desk_fleet_page_set_client (self->fleet_page, client);
  haven_desk_report_page_set_client (self->report_page, client);
  show_page (self, "main");
  start_refreshing (self);
}

static void
go_to_sign_in (HavenDeskWindow *self)
{
  show_page (self, "sign-in");
  /* With a token kept and an address set, straight in. */
  haven_desk_sign_in_page_start (self->sign_in_page, TRUE);
}

static void
case_activated_cb (HavenDeskWindow *self,
                   HavenCaseInfo   *info)
{
  haven_desk_case_page_open (self->case_page, self->client, self->vault,
                             haven_desk_application_get_content (self->application), info);
  show_page (self, "case");
}

static void
case_back_cb (HavenDeskWindow *self)
{
  haven_desk_case_page_wipe (self->case_page);
  show_page (self, "main");
  haven_desk_inbox_page_refresh (self->inbox_page);
}

static void
notices_requested_cb (HavenDeskWindow *self)
{
  HavenCase *opened = haven_desk_case_page_get_case (self->case_page);

  if (opened == NULL || self->client == NULL)
    return;
  haven_desk_notices_page_open (self->notices_page, self->client, opened,
                                haven_desk_application_get_content (self->application),
                                haven_desk_application_get_settings (self->application));
  show_page (self, "notices");
}

/* Back to the case, whose events the intake service is asked for again:
 * the notices recorded as sent show there as it now has them. */
static void
notices_back_cb (HavenDeskWindow *self)
{
  haven_desk_notices_page_wipe (self->notices_page);
  haven_desk_case_page_refresh (self->case_page);
  show_page (self, "case");
}

static void
case_changed_cb (HavenDeskWindow *self,
                 const char      *message)
{
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (message));
}

static void
n_new_changed_cb (HavenDeskWindow *self)
{
  adw_view_stack_page_set_badge_number (self->inbox_view,
                                        haven_desk_inbox_page_get_n_new (self->inbox_page));
}

static void
note_activity (HavenDeskWindow *self)
{
  self->last_activity = g_get_monotonic_time ();
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                HavenDeskWindow       *self)
{
  note_activity (self);
  return GDK_EVENT_PROPAGATE;
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           HavenDeskWindow          *self)
{
  note_activity (self);
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            HavenDeskWindow *self)
{
  note_activity (self);
}

static guint
get_idle_limit_seconds (HavenDeskWindow *self)
{
  GSettings *settings = haven_desk_application_get_settings (self->application);

  if (self->idle_limit_seconds > 0)
    return self->idle_limit_seconds;
  return g_settings_get_uint (settings, "lock-after-idle") * 60;
}

static gboolean
idle_check_cb (gpointer user_data)
{
  HavenDeskWindow *self = user_data;
  gint64 idle = g_get_monotonic_time () - self->last_activity;

  if (haven_key_vault_is_unlocked (self->vault) &&
      idle >= (gint64) get_idle_limit_seconds (self) * G_USEC_PER_SEC)
    haven_desk_window_lock (self);
  return G_SOURCE_CONTINUE;
}

void
haven_desk_window_set_idle_limit (HavenDeskWindow *self,
                                  guint            seconds)
{
  g_return_if_fail (HAVEN_IS_DESK_WINDOW (self));

  self->idle_limit_seconds = seconds;
  g_clear_handle_id (&self->idle_source, g_source_remove);
  self->idle_source = g_timeout_add (MIN (seconds, IDLE_CHECK_SECONDS) * 1000 / 2 + 1,
                                     idle_check_cb, self);
}

static void
lock_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  haven_desk_window_lock (HAVEN_DESK_WINDOW (widget));
}

static void
refresh_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  refresh_cb (widget);
}

static void
reminder_days_changed_cb (HavenDeskWindow *self,
                          const char      *key,
                          GSettings       *settings)
{
  haven_desk_case_page_set_reminder_days (self->case_page,
                                          g_settings_get_uint (settings, "notice-reminder-days"));
}

/* Once the window has its application (a property GObject sets after
 * constructed()). */
static void
set_up (HavenDeskWindow *self)
{
  GSettings *settings;

  self->application = HAVEN_DESK_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  settings = haven_desk_application_get_settings (self->application);
  self->vault = g_object_ref (haven_desk_application_get_vault (self->application));

  haven_desk_setup_page_set_vault (self->setup_page, self->vault);
  haven_desk_unlock_page_set_vault (self->unlock_page, self->vault);
  haven_desk_sign_in_page_set_up (self->sign_in_page, settings, self->vault);
  reminder_days_changed_cb (self, NULL, settings);
  g_signal_connect_object (settings, "changed::notice-reminder-days",
                           G_CALLBACK (reminder_days_changed_cb), self, G_CONNECT_SWAPPED);
  haven_desk_inbox_page_set_content (self->inbox_page,
                                     haven_desk_application_get_content (self->application));
  haven_desk_report_page_set_content (self->report_page,
                                      haven_desk_application_get_content (self->application));

  self->unlocked_handler = g_signal_connect_swapped (self->vault, "notify::unlocked",
                                                     G_CALLBACK (vault_unlocked_changed_cb), self);

  if (haven_key_vault_is_unlocked (self->vault))
    go_to_sign_in (self);
  else
    show_page (self, haven_key_vault_exists (self->vault) ? "unlock" : "setup");

  note_activity (self);
  self->idle_source = g_timeout_add_seconds (IDLE_CHECK_SECONDS, idle_check_cb, self);
}

static void
haven_desk_window_dispose (GObject *object)
{
  HavenDeskWindow *self = HAVEN_DESK_WINDOW (object);

  g_clear_handle_id (&self->idle_source, g_source_remove);
  stop_refreshing (self);
  if (self->vault != NULL)
    g_clear_signal_handler (&self->unlocked_handler, self->vault);
  g_clear_object (&self->client);
  g_clear_object (&self->vault);

  gtk_widget_dispose_template (GTK_WIDGET (self), HAVEN_TYPE_DESK_WINDOW);

  G_OBJECT_CLASS (haven_desk_window_parent_class)->dispose (object);
}

static void
haven_desk_window_class_init (HavenDeskWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haven_desk_window_dispose;

  g_type_ensure (HAVEN_TYPE_DESK_SETUP_PAGE);
  g_type_ensure (HAVEN_TYPE_DESK_UNLOCK_PAGE);
  g_type_ensure (HAVEN_TYPE_DESK_SIGN_IN_PAGE);
  g_type_ensure (HAVEN_TYPE_DESK_INBOX_PAGE);
  g_type_ensure (HAVEN_TYPE_DESK_FLEET_PAGE);
  g_type_ensure (HAVEN_TYPE_DESK_CASE_PAGE);
  g_type_ensure (HAVEN_TYPE_DESK_NOTICES_PAGE);
  g_type_ensure (HAVEN_TYPE_DESK_REPORT_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/Desk/haven-desk-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenDeskWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskWindow, pages);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskWindow, setup_page);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskWindow, unlock_page);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskWindow, sign_in_page);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskWindow, views);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskWindow, inbox_view);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskWindow, inbox_page);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskWindow, fleet_page);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskWindow, report_page);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskWindow, case_page);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskWindow, notices_page);

  gtk_widget_class_install_action (widget_class, "win.lock", NULL, lock_activated);
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_activated);
}

static void
haven_desk_window_init (HavenDeskWindow *self)
{
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Activity anywhere in the window, seen before any control takes it. */
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  g_signal_connect_swapped (self->pages, "notify::visible-child", G_CALLBACK (page_shown_cb), self);
  g_signal_connect_swapped (self->views, "notify::visible-child", G_CALLBACK (view_shown_cb), self);
  page_shown_cb (self);
  view_shown_cb (self);
  g_signal_connect_swapped (self->setup_page, "done", G_CALLBACK (go_to_sign_in), self);
  g_signal_connect_swapped (self->unlock_page, "unlocked", G_CALLBACK (go_to_sign_in), self);
  g_signal_connect_swapped (self->sign_in_page, "signed-in", G_CALLBACK (signed_in_cb), self);
  g_signal_connect_swapped (self->inbox_page, "case-activated", G_CALLBACK (case_activated_cb), self);
  g_signal_connect_swapped (self->inbox_page, "notify::n-new", G_CALLBACK (n_new_changed_cb), self);
  g_signal_connect_swapped (self->case_page, "back", G_CALLBACK (case_back_cb), self);
  g_signal_connect_swapped (self->case_page, "changed", G_CALLBACK (case_changed_cb), self);
  g_signal_connect_swapped (self->case_page, "notices", G_CALLBACK (notices_requested_cb), self);
  g_signal_connect_swapped (self->notices_page, "back", G_CALLBACK (notices_back_cb), self);
  g_signal_connect_swapped (self->notices_page, "changed", G_CALLBACK (case_changed_cb), self);
  g_signal_connect_swapped (self->report_page, "changed", G_CALLBACK (case_changed_cb), self);
}

HavenDeskWindow *
haven_desk_window_new (HavenDeskApplication *application)
{
  HavenDeskWindow *self;

  g_return_val_if_fail (HAVEN_IS_DESK_APPLICATION (application), NULL);

  self = g_object_new (HAVEN_TYPE_DESK_WINDOW, "application", application, NULL);
  set_up (self);
  return self;
}

const char *
haven_desk_window_get_page_name (HavenDeskWindow *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->pages);
}

GtkWidget *
haven_desk_window_get_visible_page (HavenDeskWindow *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_WINDOW (self), NULL);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->pages), "main") == 0)
    return adw_view_stack_get_visible_child (self->views);
  return gtk_stack_get_visible_child (self->pages);
}

void
haven_desk_window_show_view (HavenDeskWindow *self,
                             const char      *view)
{
  g_return_if_fail (HAVEN_IS_DESK_WINDOW (self));
  adw_view_stack_set_visible_child_name (self->views, view);
}
