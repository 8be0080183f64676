/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What the intake service knows of a case without the key: its metadata
 * and its events (data/api/haven-caseworker-api-v1.md, "Cases"). Nothing
 * here is a visitor's words, so it may be listed, sorted and kept for the
 * inbox; a sealed note stays sealed until HavenCase opens it. */

typedef enum {
  HAVEN_CASE_STATE_RECEIVED,
  HAVEN_CASE_STATE_OPEN,
  HAVEN_CASE_STATE_WAITING,
  HAVEN_CASE_STATE_CLOSED,
} HavenCaseState;

typedef enum {
  HAVEN_CASE_EVENT_STATE,
  HAVEN_CASE_EVENT_NOTE,
  HAVEN_CASE_EVENT_ITEM_OUTCOME,
} HavenCaseEventType;

/* The outcomes of one removal item, in the API's order. */
#define HAVEN_CASE_N_OUTCOMES 9

const char *haven_case_state_to_string        (HavenCaseState   state);
gboolean    haven_case_state_from_string      (const char      *string,
                                               HavenCaseState  *state);
/* The caseworker's words for a state, translated: "New", "In progress",
 * "Waiting", "Closed". */
const char *haven_case_state_get_label        (HavenCaseState   state);
/* Whether the API allows moving from @from to @to. */
gboolean    haven_case_state_can_move         (HavenCaseState   from,
                                               HavenCaseState   to);
/* "notice-sent", "receipt-confirmed", "removed", "restricted",
 * "refused", "appealed", "no-response", "not-found", "withdrawn":
 * NULL-terminated. */
const char * const *haven_case_get_outcome_ids (void);
/* Translated, or NULL for an id that is not an outcome. */
const char *haven_case_outcome_get_label      (const char      *outcome);
/* Whether, after @outcome, the platform still owes an answer: a notice
 * sent, its receipt confirmed, a refusal appealed. */
gboolean    haven_case_outcome_awaits_answer  (const char      *outcome);

typedef struct {
  gint64 event_id;
  HavenCaseEventType type;
  /* STATE */
  HavenCaseState state;
  /* NOTE: base64 of the sealed box, as the API carries it. */
  char *sealed_note;
  /* ITEM_OUTCOME */
  guint item;
  char *outcome;
  char *platform_reference;
  /* Where the item is hosted, a platform id or a host name; NULL when the
   * event does not say. */
  char *hosting_provider;
  /* Who (the credential's name) and when. */
  char *actor;
  GDateTime *at;
} HavenCaseEvent;

#define HAVEN_TYPE_CASE_EVENT (haven_case_event_get_type ())
GType           haven_case_event_get_type (void) G_GNUC_CONST;
HavenCaseEvent *haven_case_event_copy     (const HavenCaseEvent *event);
void            haven_case_event_free     (HavenCaseEvent       *event);
/* One member of "events"; NULL with @error for one that is not an event. */
HavenCaseEvent *haven_case_event_new_from_json (JsonObject      *object,
                                                GError         **error);
/* An item outcome's hosting provider (data/notices/platforms.ini's id, or
 * a host name), as the notice report counts it; NULL when it has none. */
const char     *haven_case_event_get_hosting_provider (const HavenCaseEvent *event);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HavenCaseEvent, haven_case_event_free)

#define HAVEN_TYPE_CASE_INFO (haven_case_info_get_type ())

G_DECLARE_FINAL_TYPE (HavenCaseInfo, haven_case_info, HAVEN, CASE_INFO, GObject)

/* One case of GET /v1/cases or GET /v1/cases/REF (its "events", if any,
 * oldest first). Fails with G_IO_ERROR_INVALID_DATA for an object that is
 * not one: a wrong type, an unknown state, a reference that is not one. */
HavenCaseInfo  *haven_case_info_new_from_json   (JsonObject     *object,
                                                 GError        **error);
const char     *haven_case_info_get_reference   (HavenCaseInfo  *self);
/* "removal" or "report". */
const char     *haven_case_info_get_kind        (HavenCaseInfo  *self);
/* A category id; NULL when the kiosk did not say. */
const char     *haven_case_info_get_category    (HavenCaseInfo  *self);
/* The visitor's language, "es", "ar", "zh_CN"; NULL when not known. */
const char     *haven_case_info_get_locale      (HavenCaseInfo  *self);
const char     *haven_case_info_get_kiosk_id    (HavenCaseInfo  *self);
/* -1 not known, 0 no, 1 yes. */
int             haven_case_info_get_child_involved (HavenCaseInfo *self);
/* A child involved, or intimate images: the inbox puts these first. */
gboolean        haven_case_info_is_urgent       (HavenCaseInfo  *self);
GDateTime      *haven_case_info_get_created_at  (HavenCaseInfo  *self);
GDateTime      *haven_case_info_get_received_at (HavenCaseInfo  *self);
GDateTime      *haven_case_info_get_updated_at  (HavenCaseInfo  *self);
GDateTime      *haven_case_info_get_closed_at   (HavenCaseInfo  *self);
GDateTime      *haven_case_info_get_body_destroyed_at (HavenCaseInfo *self);
HavenCaseState  haven_case_info_get_state       (HavenCaseInfo  *self);
gboolean        haven_case_info_is_sealed       (HavenCaseInfo  *self);
/* (element-type HavenCaseEvent): empty for a case from a list. */
GPtrArray      *haven_case_info_get_events      (HavenCaseInfo  *self);
/* The latest outcome recorded for removal item @item, or NULL. */
const char     *haven_case_info_get_item_outcome (HavenCaseInfo *self,
                                                  guint          item);
/* Where removal item @item's notice went, as the notice report counts it:
 * the hosting provider of its first notice-sent event; NULL when it has
 * none, or that event named none. */
const char     *haven_case_info_get_item_hosting_provider (HavenCaseInfo *self,
                                                           guint          item);
/* When removal item @item started waiting for the platform's answer, if
 * its latest outcome awaits one (haven_case_outcome_awaits_answer()) and
 * has for at least @days days at @now: the time to send a reminder or
 * record that no answer came. NULL otherwise. */
GDateTime      *haven_case_info_get_item_waiting_since (HavenCaseInfo *self,
                                                        guint          item,
                                                        GDateTime     *now,
                                                        guint          days);
/* Inbox order: urgent first, then newest received first, then by
 * reference. A GCompareDataFunc for GtkCustomSorter. */
int             haven_case_info_compare_for_inbox (gconstpointer a,
                                                   gconstpointer b,
                                                   gpointer      user_data);

G_END_DECLS
