/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-lockdown"

#include "config.h"

#include "haven-lockdown.h"

/* What keeps a visitor inside the kiosk beyond what the window does itself
 * (it refuses to close and to open the Inspector in kiosk mode; see
 * haven-window.c).
 *
 * GTK opens its Inspector, which can change any widget of the running
 * program, on Ctrl+Shift+D and Ctrl+Shift+I when the setting below is
 * true, and Debian ships it true. In kiosk mode Haven turns it off for the
 * kiosk's user before its window is shown; data/dconf locks it off for the
 * whole fleet. */

#define GTK_DEBUG_SCHEMA "org.gtk.gtk4.Settings.Debug"
#define INSPECTOR_KEY "enable-inspector-keybinding"

static GSettings *
dup_gtk_debug_settings (void)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  schema = g_settings_schema_source_lookup (g_settings_schema_source_get_default (),
                                            GTK_DEBUG_SCHEMA, TRUE);
  /* Without its schema GTK reads the keybinding as off. */
  if (schema == NULL || !g_settings_schema_has_key (schema, INSPECTOR_KEY))
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

/**
 * haven_lockdown_inspector_is_enabled:
 *
 * Returns: whether GTK's setting lets its key bindings open the Inspector
 *   (a window in kiosk mode refuses them all the same)
 */
gboolean
haven_lockdown_inspector_is_enabled (void)
{
  g_autoptr(GSettings) debug_settings = dup_gtk_debug_settings ();

  return debug_settings != NULL && g_settings_get_boolean (debug_settings, INSPECTOR_KEY);
}

/**
 * haven_lockdown_apply:
 * @settings: Haven's settings
 *
 * In kiosk mode, turns GTK's Inspector key bindings off. Outside kiosk
 * mode, on a developer's desk, GTK's own settings stay as they are.
 */
void
haven_lockdown_apply (GSettings *settings)
{
  g_autoptr(GSettings) debug_settings = NULL;

  g_return_if_fail (G_IS_SETTINGS (settings));

  if (!g_settings_get_boolean (settings, "kiosk-mode"))
    return;

  debug_settings = dup_gtk_debug_settings ();
  if (debug_settings == NULL || !g_settings_get_boolean (debug_settings, INSPECTOR_KEY))
    return;

  if (g_settings_is_writable (debug_settings, INSPECTOR_KEY))
    g_settings_set_boolean (debug_settings, INSPECTOR_KEY, FALSE);
  else
    g_message ("GTK's %s is locked on; Haven refuses the Inspector in kiosk mode all the same, "
               "but lock it off (data/dconf/README.md)", INSPECTOR_KEY);
}
