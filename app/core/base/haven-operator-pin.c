/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-operator-pin"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <sodium.h>

#include "haven-operator-pin.h"
#include "haven-wipe.h"

/* The operator's PIN. Only its hash is kept, in the setting
 * operator-pin-hash: libsodium's crypto_pwhash_str (Argon2id), costly
 * enough that trying PINs against a copied hash is slow. At the kiosk,
 * HavenPinGuard counts wrong PINs and locks the operator screen for five
 * minutes after five of them; the count and the lock are kept in the
 * setting operator-pin-lockout, so a restart (or a pulled plug) does not
 * clear them, and against the wall clock, which a reboot does not reset.
 * Checking takes a tenth of a second and 64 MB, so it runs in a thread. */

G_DEFINE_QUARK (haven-operator-pin-error-quark, haven_operator_pin_error)

static gboolean
ensure_sodium (GError **error)
{
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_FAILED,
                           _("The cryptography library cannot be started"));
      return FALSE;
    }

  return TRUE;
}

/**
 * haven_operator_pin_is_valid:
 *
 * Returns: whether @pin can be an operator PIN: 6 to 64 digits
 */
gboolean
haven_operator_pin_is_valid (const char  *pin,
                             GError     **error)
{
  gsize length = pin != NULL ? strlen (pin) : 0;
  gboolean digits = length > 0 && strspn (pin, "0123456789") == length;

  if (!digits || length < HAVEN_OPERATOR_PIN_MIN_LENGTH || length > HAVEN_OPERATOR_PIN_MAX_LENGTH)
    {
      g_set_error (error, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_INVALID,
                   /* Translators: the plural follows the second number. */
                   ngettext ("A PIN has %d to %d digit, and nothing else",
                             "A PIN has %d to %d digits, and nothing else",
                             HAVEN_OPERATOR_PIN_MAX_LENGTH),
                   HAVEN_OPERATOR_PIN_MIN_LENGTH, HAVEN_OPERATOR_PIN_MAX_LENGTH);
      return FALSE;
    }

  return TRUE;
}

/**
 * haven_operator_pin_hash:
 *
 * Returns: (transfer full): the hash of @pin for operator-pin-hash
 */
char *
haven_operator_pin_hash (const char  *pin,
                         GError     **error)
{
  char hash[crypto_pwhash_STRBYTES];

  if (!haven_operator_pin_is_valid (pin, error) || !ensure_sodium (error))
    return NULL;

  if (crypto_pwhash_str (hash, pin, strlen (pin),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error_literal (error, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_FAILED,
                           _("There is not enough memory to hash the PIN"));
      return NULL;
    }

  return g_strdup (hash);
}

/**
 * haven_operator_pin_matches:
 *
 * Blocks for about a tenth of a second: call it from a thread.
 *
 * Returns: whether @pin is the one @hash was made from
 */
gboolean
haven_operator_pin_matches (const char *hash,
                            const char *pin)
{
  if (hash == NULL || pin == NULL || hash[0] == '\0' || !ensure_sodium (NULL))
    return FALSE;

  return crypto_pwhash_str_verify (hash, pin, strlen (pin)) == 0;
}

struct _HavenPinGuard
{
  GObject parent_instance;

  /* Where the count and the lock are kept; NULL keeps them in memory. */
  GSettings *settings;
  HavenClockFunc clock;
  guint wrong_tries;
  /* In the clock's microseconds; 0 when not locked. */
  gint64 locked_until;
  gboolean checking;
};

G_DEFINE_FINAL_TYPE (HavenPinGuard, haven_pin_guard, G_TYPE_OBJECT)

static void
haven_pin_guard_finalize (GObject *object)
{
  HavenPinGuard *self = HAVEN_PIN_GUARD (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (haven_pin_guard_parent_class)->finalize (object);
}

static void
haven_pin_guard_class_init (HavenPinGuardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = haven_pin_guard_finalize;
}

static void
haven_pin_guard_init (HavenPinGuard *self)
{
  self->clock = g_get_real_time;
}

static void
save_lockout (HavenPinGuard *self)
{
  if (self->settings != NULL)
    g_settings_set (self->settings, "operator-pin-lockout", "(ux)",
                    self->wrong_tries, self->locked_until);
}

/* A lock never lasts longer than it was given for: a wall clock set back
 * (or a value written by hand) must not lock the operator out for days. */
static void
load_lockout (HavenPinGuard *self)
{
  gint64 latest = self->clock () + (gint64) HAVEN_OPERATOR_PIN_LOCK_SECONDS * G_USEC_PER_SEC;
  guint32 wrong_tries = 0;
  gint64 locked_until = 0;

  if (self->settings == NULL)
    return;

  g_settings_get (self->settings, "operator-pin-lockout", "(ux)", &wrong_tries, &locked_until);
  self->wrong_tries = MIN (wrong_tries, HAVEN_OPERATOR_PIN_MAX_TRIES - 1);
  self->locked_until = CLAMP (locked_until, 0, latest);
}

/**
 * haven_pin_guard_new:
 * @settings: (nullable): Haven's settings, where the count of wrong PINs
 *   and the lock are kept across restarts; %NULL keeps them in memory
 */
HavenPinGuard *
haven_pin_guard_new (GSettings *settings)
{
  HavenPinGuard *self;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (HAVEN_TYPE_PIN_GUARD, NULL);
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;
  load_lockout (self);

  return self;
}

/* For tests: five minutes pass in no time. The lock kept in the settings
 * is read again against the new clock. */
void
haven_pin_guard_set_clock (HavenPinGuard  *self,
                           HavenClockFunc  clock)
{
  g_return_if_fail (HAVEN_IS_PIN_GUARD (self));

  self->clock = clock != NULL ? clock : g_get_real_time;
  load_lockout (self);
}

/**
 * haven_pin_guard_get_seconds_locked:
 *
 * Returns: how many seconds the operator screen stays locked; 0 when it
 *   is not
 */
guint
haven_pin_guard_get_seconds_locked (HavenPinGuard *self)
{
  gint64 now;

  g_return_val_if_fail (HAVEN_IS_PIN_GUARD (self), 0);

  now = self->clock ();
  if (self->locked_until == 0 || now >= self->locked_until)
    return 0;

  return (guint) ((self->locked_until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

guint
haven_pin_guard_get_tries_left (HavenPinGuard *self)
{
  g_return_val_if_fail (HAVEN_IS_PIN_GUARD (self), 0);

  return HAVEN_OPERATOR_PIN_MAX_TRIES - self->wrong_tries;
}

typedef struct {
  char *hash;
  char *pin;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_free (data->hash);
  haven_wipe_string (data->pin);
  g_free (data);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CheckData *data = task_data;

  g_task_return_boolean (task, haven_operator_pin_matches (data->hash, data->pin));
}

static void
checked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HavenPinGuard *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  gboolean matches = g_task_propagate_boolean (G_TASK (result), &error);

  self->checking = FALSE;

  if (matches)
    {
      self->wrong_tries = 0;
      self->locked_until = 0;
      save_lockout (self);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (++self->wrong_tries >= HAVEN_OPERATOR_PIN_MAX_TRIES)
    {
      self->wrong_tries = 0;
      self->locked_until = self->clock () + (gint64) HAVEN_OPERATOR_PIN_LOCK_SECONDS * G_USEC_PER_SEC;
      save_lockout (self);
      g_task_return_new_error (task, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_LOCKED,
                               ngettext ("Too many wrong PINs: try again in %u minute",
                                         "Too many wrong PINs: try again in %u minutes",
                                         HAVEN_OPERATOR_PIN_LOCK_SECONDS / 60),
                               HAVEN_OPERATOR_PIN_LOCK_SECONDS / 60);
      return;
    }

  save_lockout (self);
  g_task_return_new_error (task, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_WRONG,
                           g_dngettext (GETTEXT_PACKAGE,
                                        "Wrong PIN: %u more try before the screen locks",
                                        "Wrong PIN: %u more tries before the screen locks",
                                        haven_pin_guard_get_tries_left (self)),
                           haven_pin_guard_get_tries_left (self));
}

/**
 * haven_pin_guard_check_async:
 * @hash: the setting operator-pin-hash
 *
 * Checks @pin against @hash in a thread, unless the guard is locked. A
 * wrong PIN counts towards the lock; a right one clears the count.
 */
void
haven_pin_guard_check_async (HavenPinGuard       *self,
                             const char          *hash,
                             const char          *pin,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) thread_task = NULL;
  guint seconds_locked;
  CheckData *data;

  g_return_if_fail (HAVEN_IS_PIN_GUARD (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, haven_pin_guard_check_async);

  if (hash == NULL || hash[0] == '\0')
    {
      g_task_return_new_error (task, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_NOT_SET,
                               _("No operator PIN is set on this kiosk: set one with “havenctl pin set”"));
      return;
    }

  seconds_locked = haven_pin_guard_get_seconds_locked (self);
  if (seconds_locked > 0)
    {
      g_task_return_new_error (task, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_LOCKED,
                               g_dngettext (GETTEXT_PACKAGE,
                                            "Locked after too many wrong PINs: try again in %u second",
                                            "Locked after too many wrong PINs: try again in %u seconds",
                                            seconds_locked),
                               seconds_locked);
      return;
    }

  if (self->checking)
    {
      g_task_return_new_error (task, HAVEN_OPERATOR_PIN_ERROR, HAVEN_OPERATOR_PIN_ERROR_FAILED,
                               _("The previous PIN is still being checked"));
      return;
    }

  data = g_new0 (CheckData, 1);
  data->hash = g_strdup (hash);
  data->pin = g_strdup (pin != NULL ? pin : "");

  self->checking = TRUE;
  thread_task = g_task_new (self, cancellable, checked_cb, g_steal_pointer (&task));
  g_task_set_task_data (thread_task, data, (GDestroyNotify) check_data_free);
  g_task_run_in_thread (thread_task, check_thread);
}

gboolean
haven_pin_guard_check_finish (HavenPinGuard  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
