/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A PIN is digits, at least six of them: a million choices, against
 * which the lockout below allows 1,440 tries a day. */
#define HAVEN_OPERATOR_PIN_MIN_LENGTH 6
#define HAVEN_OPERATOR_PIN_MAX_LENGTH 64
/* Wrong PINs in a row before the operator screen locks, and for how long. */
#define HAVEN_OPERATOR_PIN_MAX_TRIES 5
#define HAVEN_OPERATOR_PIN_LOCK_SECONDS (5 * 60)

#define HAVEN_OPERATOR_PIN_ERROR (haven_operator_pin_error_quark ())

typedef enum {
  /* operator-pin-hash is empty: nobody can open the operator screen. */
  HAVEN_OPERATOR_PIN_ERROR_NOT_SET,
  HAVEN_OPERATOR_PIN_ERROR_WRONG,
  HAVEN_OPERATOR_PIN_ERROR_LOCKED,
  HAVEN_OPERATOR_PIN_ERROR_INVALID,
  HAVEN_OPERATOR_PIN_ERROR_FAILED,
} HavenOperatorPinError;

GQuark    haven_operator_pin_error_quark (void);
gboolean  haven_operator_pin_is_valid    (const char  *pin,
                                          GError     **error);
char     *haven_operator_pin_hash        (const char  *pin,
                                          GError     **error);
gboolean  haven_operator_pin_matches     (const char  *hash,
                                          const char  *pin);

#define HAVEN_TYPE_PIN_GUARD (haven_pin_guard_get_type ())

G_DECLARE_FINAL_TYPE (HavenPinGuard, haven_pin_guard, HAVEN, PIN_GUARD, GObject)

typedef gint64 (*HavenClockFunc) (void);

HavenPinGuard *haven_pin_guard_new               (GSettings            *settings);
void           haven_pin_guard_set_clock         (HavenPinGuard        *self,
                                                  HavenClockFunc        clock);
guint          haven_pin_guard_get_seconds_locked (HavenPinGuard       *self);
guint          haven_pin_guard_get_tries_left    (HavenPinGuard        *self);
void           haven_pin_guard_check_async       (HavenPinGuard        *self,
                                                  const char           *hash,
                                                  const char           *pin,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean       haven_pin_guard_check_finish      (HavenPinGuard        *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

G_END_DECLS
